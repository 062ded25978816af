"""Shared pieces of the case services: errors, locking, timeline entries, numbering.

The step modules (intake, triage, handling, mediation, conclusion, privacy) build on the helpers
here (``lock_case``, ``check_step``, ``record_event``, ``save_case``, ``typed_text``, …): they
are public to the services package, not to its callers, which use the steps that
``petitions.services`` exports.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from outreach.models import FieldVisit, OnsiteSession
from petitions import deadlines
from petitions.models import (
    Case,
    CaseEvent,
    CaseSequence,
    Category,
    PartyRole,
    Person,
    Reception,
    Triage,
)
from petitions.services import rules, trust
from petitions.wording import resident_wording
from portal import clock, pagecache
from portal.actors import Actor, User
from portal.formats import join_names_text
from portal.models import Community, Compound, Grid, StaffProfile
from portal.roles import Role
from portal.text import TEXT_LIMIT, clean_text, too_long

# Unambiguous when read out on the phone: no 0/O, 1/I/L, 5/S, 8/B, 2/Z.
TRACKING_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
TRACKING_LENGTH = 12  # 25**12 ≈ 6e16 codes: guessing one is hopeless
REVIEW_WINDOW_DAYS = 30  # 信访工作条例 Art. 35–36: ask for a review within 30 days
CASE_PLACE = Case.scope_rule
# The unit recorded on timeline entries a resident made (online submission, online rating).
RESIDENT_UNIT = "居民"
# What the portal does by itself (e.g. 督办 after the third 重办 a resident asked for online).
SYSTEM_UNIT = "系统"


def records_language() -> override:
    """Timeline notes and other records are written in the source language (Chinese), whatever
    language the member of staff reads the site in: ``with records_language(): note = ...``."""
    return override(settings.LANGUAGE_CODE)


def unit_label(unit: str) -> str:
    """A recorded ``actor_unit`` as shown to the reader: the residents' unit and role names (the
    unit of staff without one) in the reader's language, a unit's own name as it was written."""
    if unit == RESIDENT_UNIT:
        return _("居民")
    if unit == SYSTEM_UNIT:
        return _("系统")
    with records_language():
        recorded_roles = {str(label): label for label in Role.labels}
    return str(recorded_roles.get(unit, unit))


class CaseError(Exception):
    """A step that is not allowed now; the message is shown to the user as it is."""


def typed_text(value: Any, *, limit: int = TEXT_LIMIT) -> str:
    """Typed text as it is stored: invisible characters at the ends removed (portal.text; a
    value of nothing visible is ""), within its limit. The forms check the same first; this
    holds for every other caller (commands, demo data, imports)."""
    text = clean_text(value)
    if problem := too_long(text, limit):
        raise CaseError(problem)
    return text


# An unfilled blank of a reply template (【日期】, 【地点】; see the demo's in
# petitions/demo/data/replies.toml): text with one left in must not reach a resident.
PLACEHOLDER = re.compile(r"【[^【】\n]{1,20}】")


class PlaceholderError(CaseError):
    """Text for residents still holds a template's blank; ``field`` names the step's input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def placeholders_in(text: str) -> list[str]:
    """The template blanks (【日期】) left in ``text``, each once, in order."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text or "")))


def for_residents(text: str, *, field: str | None = None, label: str = "") -> str:
    """Refuses text residents will read (a reply, a public note) while it holds a template's
    blank: they would read "于【日期】清理". Returns the text unchanged otherwise."""
    if found := placeholders_in(text):
        blanks = join_names_text(found)
        if label:
            message = _(
                "“%(label)s”中还有未填写的占位内容：%(blanks)s。"
                "请改为实际内容再提交（居民会看到这段文字）。"
            )
        else:
            message = _("居民可见的文字中还有未填写的占位内容：%(blanks)s。请改为实际内容再提交。")
        raise PlaceholderError(message % {"label": label, "blanks": blanks}, field=field)
    return text


class CaseConflict(CaseError):
    """Someone else changed the case since the user loaded it."""


@dataclass(frozen=True)
class PartyData:
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""
    role: str = PartyRole.PETITIONER


@dataclass(frozen=True)
class CaseIntake:
    """What a request says when it is registered (登记), from whichever channel it came.

    The staff form (RegisterCaseForm.intake), the residents' online form, demo data and tests
    each build one; ``register_case`` checks it and turns it into a case.
    """

    kind: str  # CaseKind: ordinary request, formal petition, review, recheck
    channel: str  # Channel: 来访, 来信, 来电, 网上, 现场办公, …
    category: Category
    community: Community
    title: str  # 诉求摘要
    content: str  # 诉求内容
    # Triage: "" for an ordinary request (or a class left for acceptance to choose).
    triage: str = ""
    grid: Grid | None = None  # must lie in ``community``
    compound: Compound | None = None  # must lie in ``community``
    address: str = ""
    parties: Sequence[PartyData] = ()
    is_accusation: bool = False  # 检举控告: the petitioner is hidden from all but the secretary
    received_at: datetime | None = None  # None: now
    # The activity that raised it, if any.
    field_visit: FieldVisit | None = None
    onsite_session: OnsiteSession | None = None
    reception: Reception | None = None
    reviews: Case | None = None  # the original matter of a review or recheck request
    followup_interval_days: int | None = None  # required for 长期跟踪
    named_staff: Sequence[User] = ()  # staff the petitioner asks to be recused (回避)
    # 当场解决: the result (and the reply, else the result) concludes it at registration.
    on_the_spot_result: str = ""
    on_the_spot_reply: str = ""


def unit_of(actor: Actor | None) -> str:
    """The unit a timeline entry records for ``actor`` (read once per actor in
    ``trust.bulk_writing``)."""
    cache = trust.units()
    if cache is None:
        return _read_unit(actor)
    key = actor.pk if actor is not None else None
    if key not in cache:
        cache[key] = _read_unit(actor)
    return cache[key]


def _read_unit(actor: Actor | None) -> str:
    if actor is None:
        return RESIDENT_UNIT
    profile = StaffProfile.objects.filter(user=actor).only("unit", "role").first()
    if profile is None:
        return ""
    with records_language():
        return profile.unit or str(profile.get_role_display())


def record_event(
    case: Case,
    *,
    actor: Actor | None,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    public: bool = False,
    changes: dict | None = None,
    automatic: bool = False,
) -> CaseEvent:
    """One timeline entry; ``automatic`` marks a step the portal took itself (no actor: the
    system, not a resident). A note residents read (public, and shown to them as written:
    ``resident_wording``) never holds a template's blank, whichever step wrote it."""
    if public and resident_wording(kind) is None:
        for_residents(note)
    # A step may publish or change a public result (办理公开).
    pagecache.bump("results")
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        actor_unit=SYSTEM_UNIT if automatic and actor is None else unit_of(actor),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        is_public=public,
        changes=changes or {},
    )


def lock_case(case: Case, expected_version: int | None = None) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict(conflict_message(locked))
    return locked


def lock_for_step(
    step: str, case: Case, actor: Actor | None, expected_version: int | None = None
) -> tuple[Case, rules.Who]:
    """``lock_case`` and then ``check_step``, in one query: the row is locked and read together
    with the facts the rule book asks about (chosen from the caller's copy of the case, and
    read again in the rare case the row has moved on so that it needs others)."""
    facts = rules.Who.facts(actor, case)
    asked = {f"who_{name}": expression for name, expression in facts.items()}
    if (visible := rules.visibility(actor)) is not None:
        asked["who_visible"] = visible
    locked = Case.objects.select_for_update(of=("self",)).annotate(**asked).get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict(conflict_message(locked))
    if rules.Who.facts(actor, locked).keys() == facts.keys():
        row = {name: getattr(locked, f"who_{name}") for name in facts}
        who = rules.Who.made(actor, locked, row, visible=getattr(locked, "who_visible", True))
    else:
        who = rules.Who.of(actor, locked)
    if problem := rules.refusal(step, locked, who):
        raise CaseError(problem)
    return locked, who


def ensure_visible(case: Case, actor: Actor | None) -> None:
    """Refuses ``actor`` a case outside their scope (not asked in ``trust.trusted_caller``)."""
    if trust.is_trusted():
        return
    if actor is not None and not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise CaseError(_("您无权处理这件诉求。"))


def conflict_message(case: Case) -> str:
    """Someone else moved the case on since the page was drawn."""
    return _(
        "诉求 %(number)s 刚刚已被他人处理（现为“%(status)s”），请刷新页面查看最新情况后再操作。"
    ) % {"number": case.number, "status": case.get_status_display()}


def save_case(case: Case, fields: Iterable[str]) -> None:
    case.version += 1
    case.save(update_fields=[*set(fields), "version"])


def move_case(case: Case, to: str, fields: Iterable[str] = ()) -> str:
    old = case.status
    case.status = to
    save_case(case, ["status", *fields, *deadlines.refresh(case)])
    return old


def new_case_number(year: int) -> str:
    sequence, _ = CaseSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{year}-{sequence.last:06d}"


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(text: str) -> str:
    """What a resident types (lower case, spaces, dashes, full-width) → the stored form."""
    cleaned = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in cleaned if ch.isascii() and ch.isalnum())


def new_person(data: PartyData) -> Person:
    """The party exactly as typed for this case, in a record of its own.

    Never matched to a resident already on file: a match would make the case show (and its
    reveal disclose) what someone else recorded elsewhere, possibly outside the actor's scope,
    and filling the blanks of that record would write into other cases. The same resident's
    other cases are found when read, within what the reader may see (``cases_naming``).
    """
    person = Person(
        name=clean_text(data.name),
        phone=data.phone,
        id_number=data.id_number,
        address=clean_text(data.address),
    )
    try:
        # ``clean`` writes phone and ID number in their canonical forms or refuses them, so
        # the table's check constraints need no query of their own here (they still hold).
        person.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise CaseError(pgettext("separator between messages", "；").join(exc.messages)) from exc
    person.save()
    return person


def schedule_followup(case: Case) -> list[str]:
    """长期跟踪: the next follow-up falls one interval from today (never silently dropped)."""
    if case.triage != Triage.LONG_TERM or not case.followup_interval_days:
        return []
    case.next_followup_due = clock.today() + timedelta(days=case.followup_interval_days)
    return ["next_followup_due"]


def check_step(step: str, case: Case, actor: Actor | None) -> rules.Who:
    """Asks the rule book's guard of ``step`` (petitions.services.rules), inside the row lock:
    the same answer the case page drew its buttons from, on the row as it is now. Returns what
    the guards were told, so the step need not read those facts again."""
    who = rules.Who.of(actor, case)
    if problem := rules.refusal(step, case, who):
        raise CaseError(problem)
    return who
