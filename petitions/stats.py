"""Read functions for counting petition work. The home page and dashboards use only these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from outreach.models import local_day_bounds
from outreach.queues import practice_queues
from petitions.models import Case, CaseParty, FollowUp, Reception, ReceptionKind, Satisfaction
from petitions.privacy import published_text
from portal.actors import Viewer
from portal.worklist import WorkQueue


@dataclass(frozen=True)
class ReceptionTotals:
    """信访接待下基层 in a period and place: held activities only."""

    events: int
    by_kind: dict[str, int] = field(default_factory=dict)
    residents_served: int = 0
    cases_opened: int = 0
    unit: str = ""  # Reception.practice_unit for `events`: 次


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
    cases = Case.objects.filter(reception__in=qs).count()
    return ReceptionTotals(
        events=row["events"],
        unit=Reception.unit_for(row["events"]),
        by_kind={str(ReceptionKind(k).label): row[f"kind_{k}"] for k in ReceptionKind.values},
        residents_served=row["residents"],
        cases_opened=cases,
    )


# --- 办理公开: published results and the month's totals ----------------------------------------
#
# Counting rules (shown on the page):
# - 已办结 N 件: cases whose latest conclusion falls in the month and that are concluded now
#   (待回访, 已回访 or 归档), accusation cases (检举控告) excluded, published or not: publishing
#   is about showing a case's details, the count covers all the work.
# - 平均 D 天: the mean time from receipt to conclusion of those cases, in days.
# - 满意率 P%: follow-ups (回访评价, by staff or online) recorded in the month that said 满意 or
#   基本满意, divided by all follow-ups recorded in the month. A 不满意 reopens its case, so
#   counting follow-ups rather than concluded cases keeps the dissatisfied in the rate.

DONE_STATUSES = ("concluded", "visited", "archived")


def month_of(day: date) -> tuple[date, date]:
    """(first, last) day of the month containing ``day``."""
    first = day.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


@dataclass(frozen=True)
class ResultTotals:
    start: date
    end: date
    concluded: int
    average_days: float | None
    rated: int
    satisfied: int

    @property
    def satisfaction_rate(self) -> float | None:
        """Per cent, one decimal; None when nobody rated (no rate is better than a fake 100%)."""
        if not self.rated:
            return None
        return round(100 * self.satisfied / self.rated, 1)


def _filtered(qs: Any, community: Any, category: Any, prefix: str = "") -> Any:
    if community is not None:
        qs = qs.filter(**{f"{prefix}community": community})
    if category is not None:
        qs = qs.filter(**{f"{prefix}category": category})
    return qs


def public_result_totals(
    *, start: date, end: date, community: Any = None, category: Any = None
) -> ResultTotals:
    """本月已办结 N 件，平均 D 天，满意率 P%: from the records, for the public results page."""
    since, until = local_day_bounds(start, end)
    cases = _filtered(
        Case.objects.filter(
            is_accusation=False,
            status__in=DONE_STATUSES,
            concluded_at__gte=since,
            concluded_at__lt=until,
        ),
        community,
        category,
    )
    row = cases.aggregate(
        concluded=Count("pk"),
        duration=Avg(
            ExpressionWrapper(F("concluded_at") - F("received_at"), output_field=DurationField())
        ),
    )
    followups = _filtered(
        FollowUp.objects.filter(case__is_accusation=False, at__gte=since, at__lt=until),
        community,
        category,
        prefix="case__",
    ).aggregate(
        rated=Count("pk"),
        satisfied=Count(
            "pk",
            filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]),
        ),
    )
    duration = row["duration"]
    return ResultTotals(
        start=start,
        end=end,
        concluded=row["concluded"],
        average_days=round(duration.total_seconds() / 86400, 1) if duration is not None else None,
        rated=followups["rated"],
        satisfied=followups["satisfied"],
    )


def public_results(*, community: Any = None, category: Any = None, month: Any = None) -> Any:
    """Concluded cases staff marked publishable (never accusation cases), newest first."""
    qs = Case.objects.filter(
        is_publishable=True, is_accusation=False, status__in=DONE_STATUSES
    ).exclude(concluded_at=None)
    qs = _filtered(qs, community, category)
    if month:
        since, until = local_day_bounds(*month)
        qs = qs.filter(concluded_at__gte=since, concluded_at__lt=until)
    return (
        qs.select_related("category", "community")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=CaseParty.objects.select_related("person").only(
                    "case", "person", "person__name"
                ),
            )
        )
        .only(
            "number",
            "received_at",
            "concluded_at",
            "result",
            "category",
            "community",
            "category__name",
            "community__name",
        )
        .order_by("-concluded_at", "-pk")
    )


@dataclass(frozen=True)
class PublishedResult:
    """One row of 办理公开: no personal data, free text scrubbed."""

    number: str
    category: str
    community: str
    received: date
    concluded: date
    days: int
    result: str


def published_rows(cases: Any) -> list[PublishedResult]:
    """Rows safe to publish: the result with phone and ID numbers removed and the parties'
    names reduced to 某."""
    rows = []
    for case in cases:
        received = timezone.localtime(case.received_at).date()
        concluded = timezone.localtime(case.concluded_at).date()
        rows.append(
            PublishedResult(
                number=case.number,
                category=case.category.name,
                community=case.community.name,
                received=received,
                concluded=concluded,
                days=(concluded - received).days,
                result=published_text(case, case.result),
            )
        )
    return rows


# --- the workbench ------------------------------------------------------------------------------


def reception_queues(user: Viewer) -> list[WorkQueue]:
    """信访接待 on the workbench: the same two queues as each outreach practice (待公开,
    修改待审核), for those who may publish it."""
    return practice_queues(user, Reception)
