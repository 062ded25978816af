"""进度查询: finding a case by tracking code and phone ending, and what the resident may see.

A wrong code and a wrong phone ending give the same answer after the same database work: one
query for the petitioners' phone endings of that code (none when the code does not exist), one
for the case by the id found (none when nothing matched), and constant-time comparisons against
at least one value.

What the resident sees: status in plain words, the public timeline entries with the unit that
acted (never a staff member's name), the deadline and any extension with its reason, the reason
for not accepting, the result and the reply. The petitioner's name is masked (田**) and left out
entirely for accusation cases (检举控告); no phone or ID number is shown. Staff's free text
passes ``portal.privacy.scrub`` with the names of the case's parties and staff, and loses home
doors (``without_doors``); the title a resident typed online is shown to them as typed.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core import signing
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from petitions.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseParty,
    CaseStatus,
    Channel,
    FollowUp,
    PartyRole,
)
from petitions.privacy import printed_text
from petitions.public import limits
from petitions.services import unit_label
from petitions.wording import resident_wording
from portal.models import StaffProfile
from portal.privacy import mask_name

_RATING_SALT = "petitions.public.rating"
_NO_CASE = -1
# Compared against when a code has no petitioner, so both failures cost the same.
_DUMMY_LAST4 = "----"

STATUS_FOR_RESIDENTS = {
    CaseStatus.REGISTERED: _("已收到，等待受理"),
    CaseStatus.ACCEPTED: _("已受理，正在安排承办单位"),
    CaseStatus.NOT_ACCEPTED: _("不予受理"),
    CaseStatus.ASSIGNED: _("已交承办单位"),
    CaseStatus.IN_PROGRESS: _("办理中"),
    CaseStatus.CONCLUDED: _("已办结，等待您的评价"),
    CaseStatus.VISITED: _("已办结，已评价"),
    CaseStatus.ARCHIVED: _("已办结归档"),
}


def find_case(code: str, last4: str) -> Case | None:
    """The case with this tracking code whose petitioner's mobile ends in ``last4``, or None."""
    rows = list(
        CaseParty.objects.filter(case__tracking_code=code, role=PartyRole.PETITIONER).values_list(
            "case_id", "person__phone_last4"
        )
    )
    candidates = rows or [(_NO_CASE, _DUMMY_LAST4)]
    given = last4.encode()
    found = _NO_CASE
    for case_id, stored in candidates:
        if hmac.compare_digest((stored or _DUMMY_LAST4).encode(), given):
            found = case_id
    return (
        Case.objects.filter(pk=found)
        .select_related("category", "community", "compound", "handler")
        .first()
    )


def rating_token(case: Case) -> str:
    """Proof, for 30 minutes, that this browser just looked the case up with code and phone."""
    return signing.dumps({"c": case.pk, "n": case.conclusion_count}, salt=_RATING_SALT)


def read_rating_token(value: str | None) -> tuple[int, int] | None:
    if not value or len(value) > 200:
        return None
    try:
        data = signing.loads(value, salt=_RATING_SALT, max_age=limits.RATING_TOKEN_SECONDS)
        return int(data["c"]), int(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    label: str
    unit: str
    note: str


@dataclass
class TrackedCase:
    """Everything the tracking page shows about one case, already safe to show."""

    case: Case
    title: str
    status_text: str
    petitioner: str
    unit: str
    # The conclusion deadline: what the resident was promised, whichever step the case is at
    # (the sign-for deadline is the office's own business).
    due: date | None
    # A formal petition waiting for acceptance: by when the resident must hear whether it is.
    accept_due: date | None = None
    events: list[PublicEvent] = field(default_factory=list)
    result: str = ""
    reply: str = ""
    not_accepted_reason: str = ""
    extension_reason: str = ""
    can_rate: bool = False
    rated: str = ""

    @property
    def is_concluded(self) -> bool:
        return self.case.status in (CaseStatus.CONCLUDED, CaseStatus.VISITED, CaseStatus.ARCHIVED)


def _names_to_hide(case: Case, events: list[CaseEvent]) -> list[str]:
    parties = CaseParty.objects.filter(case=case).values_list("person__name", flat=True)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    staff = StaffProfile.objects.filter(
        Q(user_id__in=actor_ids)
        | Q(pk=case.handler_id or _NO_CASE)
        | Q(co_handled_cases=case)
        | Q(mediated_cases=case)
    ).values_list("name", flat=True)
    return [*parties, *staff]


def _own_words(case: Case) -> bool:
    """Whether the case's title is the resident's own, as they typed it online."""
    return case.channel == Channel.ONLINE and case.registered_by_id is None


def tracked(case: Case) -> TrackedCase:
    events = list(case.events.filter(is_public=True).order_by("at", "pk"))
    names = _names_to_hide(case, events)

    def staff_text(text: str) -> str:
        return printed_text(text, names=names, accusation=case.is_accusation)

    petitioner = ""
    if not case.is_accusation:
        first = (
            CaseParty.objects.filter(case=case, role=PartyRole.PETITIONER)
            .values_list("person__name", flat=True)
            .first()
        )
        petitioner = mask_name(first or "")
    unit = ""
    if case.handler_id:
        unit = case.handler.unit or case.handler.get_role_display()
    view = TrackedCase(
        case=case,
        # The resident's own words are shown back to them as they typed them.
        title=case.title if _own_words(case) else staff_text(case.title),
        status_text=STATUS_FOR_RESIDENTS.get(case.status, case.get_status_display()),
        petitioner=petitioner,
        unit=unit,
        due=case.conclude_due if case.is_open else None,
        accept_due=case.accept_due
        if case.status == CaseStatus.REGISTERED and case.kind != CaseKind.ORDINARY
        else None,
        events=[
            PublicEvent(
                at=e.at,
                label=e.get_kind_display(),
                unit=unit_label(e.actor_unit) or gettext("工作人员"),
                # Timeline notes residents read as they are (after scrubbing), except the kinds
                # with a fixed wording (petitions.wording: the one place that decides it).
                note=resident_wording(e.kind) or staff_text(e.note),
            )
            for e in events
        ],
        not_accepted_reason=staff_text(case.not_accepted_reason),
        extension_reason=staff_text(case.extension_reason),
    )
    if view.is_concluded:
        view.result = staff_text(case.result)
        view.reply = staff_text(case.reply)
    if case.conclusion_count:
        rating = (
            FollowUp.objects.filter(case=case, conclusion_number=case.conclusion_count)
            .values_list("satisfaction", flat=True)
            .first()
        )
        if rating:
            view.rated = FollowUp(satisfaction=rating).get_satisfaction_display()
        view.can_rate = case.status == CaseStatus.CONCLUDED and not rating
    return view


def tracking_context(case: Case) -> dict[str, Any]:
    view = tracked(case)
    return {"tracked": view, "rating_token": rating_token(case) if view.can_rate else ""}
