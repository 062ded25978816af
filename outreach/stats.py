"""Read functions for counting outreach work. The home page and dashboards use only these.

Only held activities count; planned and cancelled ones never do. Every figure is computed from
the records at the time of the call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from outreach.models import (
    PRACTICE_MODELS,
    Activity,
    ActivityQuerySet,
    Deliberation,
    DeliberationAttendance,
    FieldVisit,
    OnsiteSession,
    PolicyTalk,
    TalkKind,
    VisitKind,
)
from portal import clock
from portal.models import StaffProfile


@dataclass(frozen=True)
class PracticeTotals:
    """What one practice achieved in a period and place."""

    practice: str
    label: str
    events: int
    by_kind: dict[str, int] = field(default_factory=dict)
    # Policy talks: signed-in attendance and 惠及人数 (estimate where made, else attendance).
    attendance: int = 0
    reach: int = 0
    # Research visits: households called on. On-site sessions: residents received.
    households: int = 0
    residents_met: int = 0
    # Deliberation meetings: people attending, over all stakeholder categories.
    attendees: int = 0
    # The practice's measure word for `events` (the model's practice_unit): 场 or 次.
    unit: str = ""


def _held(
    model: type[Activity],
    *,
    start: date | None,
    end: date | None,
    community: Any = None,
    grid: Any = None,
    published_only: bool = False,
) -> ActivityQuerySet:
    qs = model.objects.held().in_period(start, end)
    if community is not None:
        qs = qs.in_community(community)
    if grid is not None:
        qs = qs.in_grid(grid)
    if published_only:
        qs = qs.published()
    return qs


def _kind_counts(kinds: type[models.TextChoices]) -> dict[str, Any]:
    return {f"kind_{k}": Count("pk", filter=Q(kind=k)) for k in kinds.values}


def _kinds(row: dict[str, Any], kinds: type[models.TextChoices]) -> dict[str, int]:
    return {str(kinds(k).label): row[f"kind_{k}"] for k in kinds.values}


def practice_totals(
    *,
    start: date | None = None,
    end: date | None = None,
    community: Any = None,
    grid: Any = None,
    published_only: bool = False,
) -> dict[str, PracticeTotals]:
    """Totals per practice (keys: talks, research, onsite, deliberations); one query each."""
    where = {
        "start": start,
        "end": end,
        "community": community,
        "grid": grid,
        "published_only": published_only,
    }
    talks = _held(PolicyTalk, **where).aggregate(
        events=Count("pk"),
        attendance=Coalesce(Sum("attendance_signed"), 0),
        reach=Coalesce(Sum(Coalesce("reach_estimated", "attendance_signed")), 0),
        **_kind_counts(TalkKind),
    )
    visits = _held(FieldVisit, **where).aggregate(
        events=Count("pk"),
        households=Coalesce(Sum("households_visited"), 0),
        **_kind_counts(VisitKind),
    )
    sessions = _held(OnsiteSession, **where).aggregate(
        events=Count("pk"), residents_met=Coalesce(Sum("residents_met"), 0)
    )
    meetings = _held(Deliberation, **where).aggregate(events=Count("pk"))
    attendees = DeliberationAttendance.objects.filter(
        deliberation__in=_held(Deliberation, **where)
    ).aggregate(n=Coalesce(Sum("count"), 0))["n"]
    return {
        "talks": PracticeTotals(
            "talks",
            str(PolicyTalk.practice_label),
            talks["events"],
            _kinds(talks, TalkKind),
            unit=PolicyTalk.unit_for(talks["events"]),
            attendance=talks["attendance"],
            reach=talks["reach"],
        ),
        "research": PracticeTotals(
            "research",
            str(FieldVisit.practice_label),
            visits["events"],
            _kinds(visits, VisitKind),
            unit=FieldVisit.unit_for(visits["events"]),
            households=visits["households"],
        ),
        "onsite": PracticeTotals(
            "onsite",
            str(OnsiteSession.practice_label),
            sessions["events"],
            unit=OnsiteSession.unit_for(sessions["events"]),
            residents_met=sessions["residents_met"],
        ),
        "deliberations": PracticeTotals(
            "deliberations",
            str(Deliberation.practice_label),
            meetings["events"],
            unit=Deliberation.unit_for(meetings["events"]),
            attendees=attendees,
        ),
    }


@dataclass(frozen=True)
class Participation:
    """How often one official took part in held activities."""

    profile_id: int
    name: str
    title: str
    visits_led: int
    visits_joined: int
    onsite_sessions: int
    deliberations: int
    talks_given: int

    @property
    def total(self) -> int:
        return (
            self.visits_led
            + self.visits_joined
            + self.onsite_sessions
            + self.deliberations
            + self.talks_given
        )


def official_participation(
    *, start: date | None = None, end: date | None = None, community: Any = None
) -> list[Participation]:
    """Per official, the held activities they led or attended; busiest first."""
    where = {"start": start, "end": end, "community": community}

    def per_profile(qs: Any, path: str) -> dict[int, int]:
        rows = (
            qs.exclude(**{f"{path}__isnull": True})
            .values(path)
            .annotate(n=Count("pk", distinct=True))
        )
        return {row[path]: row["n"] for row in rows}

    counts = {
        "visits_led": per_profile(_held(FieldVisit, **where), "lead_official"),
        "visits_joined": per_profile(_held(FieldVisit, **where), "participants"),
        "onsite_sessions": per_profile(_held(OnsiteSession, **where), "officials"),
        "deliberations": per_profile(_held(Deliberation, **where), "officials"),
        "talks_given": per_profile(_held(PolicyTalk, **where), "speakers__user__staff_profile"),
    }
    ids = set().union(*counts.values())
    profiles = StaffProfile.objects.filter(pk__in=ids).only("pk", "name", "title", "role")
    rows = [
        Participation(
            profile_id=p.pk,
            name=p.name,
            title=p.public_label,
            **{key: counts[key].get(p.pk, 0) for key in counts},
        )
        for p in profiles
    ]
    return sorted(rows, key=lambda r: (-r.total, r.name))


# Practices of other apps that also publish planned activities (信访接待 in petitions registers
# itself here), so the upcoming page and calendar show them without outreach importing them.
_EXTRA_PRACTICES: list[type[Activity]] = []


def register_practice(model: type[Activity]) -> None:
    if model not in _EXTRA_PRACTICES:
        _EXTRA_PRACTICES.append(model)


def practice_models() -> tuple[type[Activity], ...]:
    return (*PRACTICE_MODELS, *_EXTRA_PRACTICES)


def upcoming_activities(
    *, community: Any = None, days: int = 35, limit: int | None = None
) -> list[Activity]:
    """Published, planned activities of every practice in the next `days` days, soonest first."""
    now = clock.now()
    items: list[Activity] = []
    for model in practice_models():
        qs = (
            model.objects.public()
            .upcoming(now)
            .filter(starts_at__lt=now + timedelta(days=days))
            .select_related("community", "grid", "compound")
        )
        if hasattr(model, "officials"):
            qs = qs.prefetch_related("officials")
        if community is not None:
            qs = qs.in_community(community)
        if limit is not None:
            qs = qs.order_by("starts_at")[:limit]
        items.extend(qs)
    items.sort(key=lambda a: (a.starts_at, a.community.sort_order))
    return items[:limit] if limit is not None else items
