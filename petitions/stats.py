"""Read functions for counting petition work. The home page and dashboards use only these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from petitions.models import Reception, ReceptionKind


@dataclass(frozen=True)
class ReceptionTotals:
    """信访接待下基层 in a period and place: held activities only."""

    events: int
    by_kind: dict[str, int] = field(default_factory=dict)
    residents_served: int = 0
    cases_opened: int = 0


def reception_totals(
    *,
    start: date | None = None,
    end: date | None = None,
    community: Any = None,
    grid: Any = None,
    published_only: bool = False,
) -> ReceptionTotals:
    qs = Reception.objects.held().in_period(start, end)
    if community is not None:
        qs = qs.in_community(community)
    if grid is not None:
        qs = qs.in_grid(grid)
    if published_only:
        qs = qs.published()
    row = qs.aggregate(
        events=Count("pk"),
        residents=Coalesce(Sum("residents_served"), 0),
        **{f"kind_{k}": Count("pk", filter=Q(kind=k)) for k in ReceptionKind.values},
    )
    from petitions.models import Case

    cases = Case.objects.filter(reception__in=qs).count()
    return ReceptionTotals(
        events=row["events"],
        by_kind={str(ReceptionKind(k).label): row[f"kind_{k}"] for k in ReceptionKind.values},
        residents_served=row["residents"],
        cases_opened=cases,
    )
