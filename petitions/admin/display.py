"""How a case shows up on staff screens and in exports: scrubbed text, masked people, deadlines.

Everything here reads rows already loaded (``Case.objects.for_admin_list()`` prefetches the
parties), so a list of 50 cases costs no more queries than a list of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from petitions.access import ACCUSATION_PLACEHOLDER, petitioner_hidden
from petitions.models import Case, CaseEvent, CaseParty, EventKind, PartyRole
from petitions.services import RESIDENT_UNIT, unit_label
from portal.people import display_name
from portal.privacy import scrub
from portal.templatetags.portal_tags import cn_date


def party_names(case: Case) -> list[str]:
    return [party.person.name for party in case.parties.all()]


def safe_text(case: Case, text: str) -> str:
    """Free text with phone and ID numbers and the parties' names masked."""
    parties = [(party.person.name, party.role) for party in case.parties.all()]
    return mask_free_text(text, accusation=case.is_accusation, parties=parties)


def mask_free_text(text: str, *, accusation: bool, parties: list[tuple[str, str]]) -> str:
    """`safe_text` from plain values (name, role of each party), for callers without rows.

    In a 检举控告 the accuser's surname and a number's last digits could be enough to tell the
    accused who wrote, so there the petitioner's name and every number become *** (the text as
    written stays on the reveal page, for the party secretary).
    """
    if not accusation:
        return scrub(text or "", names=[name for name, _role in parties])
    return scrub(
        text or "",
        names=[name for name, role in parties if role != PartyRole.PETITIONER],
        hidden_names=[name for name, role in parties if role == PartyRole.PETITIONER],
        hide_numbers=True,
    )


def original_texts(case: Case) -> list[tuple[str, str]]:
    """(label, text) for each free text of the case that masking changes: what the reveal page
    shows, after a logged reason, of what staff wrote with names and numbers in it."""
    texts = [
        (gettext("诉求摘要"), case.title),
        (gettext("诉求内容"), case.content),
        (gettext("事发地点"), case.address),
        (gettext("不予受理理由"), case.not_accepted_reason),
        (gettext("延期理由"), case.extension_reason),
        (gettext("办理结果"), case.result),
        (gettext("答复意见"), case.reply),
    ]
    for pause in case.pauses.order_by("started_on", "pk"):
        texts.append((f"{gettext('中止计时')} {pause.started_on:%Y-%m-%d}", pause.reason))
    for event in case.events.order_by("at", "pk"):
        label = f"{event.get_kind_display()} {timezone.localtime(event.at):%Y-%m-%d %H:%M}"
        texts.append((label, event.note))
    for session in case.mediation_sessions.order_by("held_at", "pk"):
        when = f"{timezone.localtime(session.held_at):%Y-%m-%d %H:%M}"
        for name in ("parties_present", "notes"):
            field = session._meta.get_field(name)
            texts.append(
                (f"{gettext('调解记录')} {when} {field.verbose_name}", getattr(session, name))
            )
    for agreement in case.mediation_agreements.order_by("signed_on", "pk"):
        for name in ("parties", "facts", "responsibilities", "terms", "performance"):
            label = agreement._meta.get_field(name).verbose_name
            texts.append((f"{gettext('调解协议')} {label}", getattr(agreement, name)))
    return [(label, text) for label, text in texts if text and safe_text(case, text) != text]


def event_note(case: Case, event: CaseEvent, *, accuser_hidden: bool) -> str:
    """A timeline note as a reader may read it; ``accuser_hidden`` is ``petitioner_hidden`` for
    this reader and case.

    Where the accuser is hidden from the reader, a look at the accuser's data is shown without
    its note: the reason was written by someone looking at who accused, and older notes name
    them (masked, but a surname and digits narrow it down). A note without the party's part
    counts as the accuser's (fail closed).
    """
    if (
        accuser_hidden
        and event.kind == EventKind.REVEALED
        and (event.changes or {}).get("role", PartyRole.PETITIONER) == PartyRole.PETITIONER
    ):
        return gettext("查看信访人的完整信息（信访人信息已保密）")
    return safe_text(case, event.note)


def triage_shown(case: Case) -> str:
    """The class as staff read it: no class is 一般办理, not a dash."""
    return case.get_triage_display() if case.triage else gettext("一般办理")


def safe_title(case: Case) -> str:
    return safe_text(case, case.title)


def case_label(case: Case) -> str:
    """What stands for the case in page titles, breadcrumbs and the admin's history."""
    return f"{case.number} {safe_title(case)}"


def petitioner(case: Case) -> CaseParty | None:
    for party in case.parties.all():
        if party.role == PartyRole.PETITIONER:
            return party
    return None


def is_hidden(user: Any, case: Case, party: CaseParty) -> bool:
    return party.role == PartyRole.PETITIONER and petitioner_hidden(user, case)


def masked_person(user: Any, case: Case, party: CaseParty | None) -> tuple[str, str]:
    """(name, phone) as this user may see them in a list: masked, or the accusation placeholder."""
    if party is None:
        return "", ""
    if is_hidden(user, case, party):
        return ACCUSATION_PLACEHOLDER, ACCUSATION_PLACEHOLDER
    return party.person.masked_name, party.person.masked_phone


@dataclass(frozen=True)
class Due:
    day: date | None
    days_left: int | None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def soon(self) -> bool:
        from petitions.models.case import DUE_SOON_DAYS

        return self.days_left is not None and 0 <= self.days_left <= DUE_SOON_DAYS

    @property
    def text(self) -> str:
        if self.days_left is None:
            return "—"
        if self.overdue:
            late = -self.days_left
            return ngettext("已超期 %(n)d 天", "已超期 %(n)d 天", late) % {"n": late}
        if self.days_left == 0:
            return gettext("今天到期")
        return ngettext("剩 %(n)d 天", "剩 %(n)d 天", self.days_left) % {"n": self.days_left}


def due_of(case: Case, today: date | None = None) -> Due:
    day = case.current_due
    if day is None:
        return Due(None, None)
    return Due(day, (day - (today or timezone.localdate())).days)


def local(moment: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def chinese_date(day: date | None) -> str:
    """2026年11月27日 in Chinese, 27 Nov 2026 in English (the site's date filter)."""
    return cn_date(day)


def event_actor(event: Any) -> str:
    """Who took a timeline step: the staff member's name, else residents or the system."""
    if event.actor is None:
        return unit_label(event.actor_unit or RESIDENT_UNIT)
    return display_name(event.actor)


def event_unit(event: Any) -> str:
    """The unit beside the actor's name, or "" where the actor is already named by their
    unit (residents, the system): "居民", never "居民（居民）"."""
    unit = unit_label(event.actor_unit)
    return "" if unit == event_actor(event) else unit


def staff_label(profile: Any) -> str:
    if profile is None:
        return ""
    return f"{profile.unit or profile.get_role_display()} · {profile.name}"


class CaseFieldsMixin:
    """The case page's read-only fields: free text masked for every role (the original is on the
    reveal page, which logs who read it), sources and decisions as labels."""

    @admin.display(description=_("查询码"))
    def tracking(self, obj: Case) -> str:
        return obj.formatted_tracking_code

    @admin.display(description=_("检举控告"))
    def accusation(self, obj: Case) -> str:
        # Plain 否 on an ordinary case: the model's help (信访人信息…完全保密) under a ✖ read
        # as if this case were confidential.
        if obj.is_accusation:
            return gettext("是：信访人信息对承办单位完全保密")
        return gettext("否")

    @admin.display(description=_("分类办理"), ordering="triage")
    def triage_label(self, obj: Case) -> str:
        return triage_shown(obj)

    @admin.display(description=_("收到时间"))
    def received(self, obj: Case) -> str:
        return local(obj.received_at)

    @admin.display(description=_("来源"))
    def source(self, obj: Case) -> str:
        if obj.field_visit_id:
            return gettext("调查研究：%(activity)s") % {"activity": obj.field_visit}
        if obj.onsite_session_id:
            return gettext("现场办公：%(activity)s") % {"activity": obj.onsite_session}
        if obj.reviews_id:
            return gettext("原信访事项：%(number)s") % {"number": obj.reviews.number}
        return "—"

    def _text(self, obj: Case, text: str) -> str:
        if not text:
            return "—"
        # Masked for every role: the original is on the reveal page, which logs who read it.
        return safe_text(obj, text)

    @admin.display(description=_("事发地点"))
    def address_safe(self, obj: Case) -> str:
        return self._text(obj, obj.address)

    @admin.display(description=_("诉求内容"))
    def content_safe(self, obj: Case) -> str:
        return self._text(obj, obj.content)

    @admin.display(description=_("不予受理理由"))
    def not_accepted_safe(self, obj: Case) -> str:
        return self._text(obj, obj.not_accepted_reason)

    @admin.display(description=_("办理结果"))
    def result_safe(self, obj: Case) -> str:
        return self._text(obj, obj.result)

    @admin.display(description=_("答复意见"))
    def reply_safe(self, obj: Case) -> str:
        return self._text(obj, obj.reply)

    @admin.display(description=_("协办人、调解员"))
    def co_workers(self, obj: Case) -> str:
        names = [
            gettext("协办：%(staff)s") % {"staff": staff_label(p)} for p in obj.co_handlers.all()
        ]
        names += [
            gettext("调解：%(staff)s") % {"staff": staff_label(p)} for p in obj.mediators.all()
        ]
        return pgettext("separator between messages", "；").join(names) or "—"

    @admin.display(description=_("会议决定"))
    def decision(self, obj: Case) -> str:
        decision = obj.deliberation_decision or obj.leadership_decision
        return str(decision) if decision else "—"
