"""How a case's people and free text are shown: the one statement of the masking and
public-text rules for cases.

Staff screens and exports show free text with phone and ID numbers and the parties' names masked
(``safe_text``) and people masked (``masked_person``); pages opened with a printed code
(进度查询) lose names, numbers and home doors (``printed_text``); published results (办理公开,
the Open311 feed) keep nothing of a number and reduce names to 某 (``published_text``). The
admin, the exports, the public pages and the JSON feed all import these rules from here; the
text rules themselves are ``portal.privacy``'s.

Everything here reads rows already loaded (``Case.objects.for_admin_list()`` prefetches the
parties), so a list of 50 cases costs no more queries than a list of one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from petitions.access import ACCUSATION_PLACEHOLDER, petitioner_hidden
from petitions.models import Case, CaseEvent, CaseParty, EventKind, PartyRole
from portal.privacy import public_text, scrub, without_doors


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


def printed_text(text: str, *, names: Iterable[str], accusation: bool) -> str:
    """Staff-written text on a page opened with a printed code (进度查询): no names, numbers or
    home doors; in an accusation nothing of a name or number at all (the receipt may be seen
    by others)."""
    if accusation:
        return without_doors(scrub(text, hidden_names=names, hide_numbers=True))
    return without_doors(scrub(text, names=names))


def published_text(case: Case, text: str) -> str:
    """Staff-written text of a published case (办理公开, Open311): phone and ID numbers removed
    with their labels, home doors too, and the parties' names reduced to 某."""
    return public_text(text, names=party_names(case))
