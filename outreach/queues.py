"""What awaits a person among the outreach activities, for the workbench (工作台).

Two queues per practice, for those who may publish it: activities not yet public (登记后待公开)
and changes to public ones waiting for review (修改待审核). Each is one aggregate query per
practice and links to the practice's admin list filtered to exactly those rows. And the planned
activities of a period in the person's scope (the workbench's 今日 / 本周 agenda).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outreach.models import (
    PRACTICE_MODELS,
    Activity,
    ActivityRevision,
    ActivityStatus,
    local_day_bounds,
)
from outreach.services import can_publish
from portal import clock
from portal.actors import Viewer
from portal.worklist import WorkQueue

# Statuses an activity may be published in: a cancelled one waits for nobody.
PUBLISHABLE_STATUSES = (ActivityStatus.PLANNED, ActivityStatus.HELD)


def awaiting_publication() -> Q:
    """登记后待公开: not public yet, and not cancelled."""
    return Q(is_published=False, status__in=PUBLISHABLE_STATUSES)


def _changelist(model: type[Activity], **params: str) -> str:
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def practice_queues(user: Viewer, model: type[Activity]) -> list[WorkQueue]:
    """The publisher's two queues of one practice (none for someone who may not publish it)."""
    meta = model._meta
    may_view = user.has_perm(f"{meta.app_label}.view_{meta.model_name}")
    if not (may_view and can_publish(user, model)):
        return []
    pending = ActivityRevision.objects.pending().filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
    )
    counts = model.objects.visible_to(user).aggregate(
        unpublished=Count("pk", filter=awaiting_publication()),
        review=Count("pk", filter=Q(Exists(pending))),
    )
    practice = model.practice_label
    return [
        WorkQueue(
            key=f"{meta.model_name}_unpublished",
            label=gettext("%(practice)s待公开") % {"practice": practice},
            count=counts["unpublished"],
            # The list's own filters: 对外公开 = 否, 状态 = 计划中 or 已举办.
            url=_changelist(
                model,
                is_published__exact="0",
                status__in=",".join(str(s) for s in PUBLISHABLE_STATUSES),
            ),
            help=_("已登记、尚未对居民公开的活动（计划中或已举办），公开前请核对内容。"),
        ),
        WorkQueue(
            key=f"{meta.model_name}_review",
            label=gettext("%(practice)s修改待审核") % {"practice": practice},
            count=counts["review"],
            url=_changelist(model, review="pending"),
            help=_("已公开活动的修改，审核通过后居民才能看到。"),
        ),
    ]


def workbench_queues(user: Viewer) -> list[WorkQueue]:
    """The queues of the four outreach practices (信访接待 answers in petitions)."""
    return [queue for model in PRACTICE_MODELS for queue in practice_queues(user, model)]


@dataclass(frozen=True)
class AgendaItem:
    """One planned activity on the workbench's agenda."""

    starts_at: datetime
    title: str
    venue: str
    community: str
    practice: str
    url: str  # the activity's admin page

    @property
    def past(self) -> bool:
        """Its time has passed while it is still planned: it waits to be marked held."""
        return self.starts_at < clock.now()


@dataclass(frozen=True)
class Agenda:
    items: list[AgendaItem]
    more: bool  # more planned activities than shown


def planned_agenda(
    user: Viewer,
    start: date,
    end: date,
    models: Iterable[type[Activity]],
    *,
    first_from: date | None = None,
    limit: int = 30,
) -> Agenda:
    """The planned activities from ``start`` to ``end`` (inclusive) that the user may see, at
    most ``limit``: one query per practice the user may view. In time order, except that those
    from ``first_from`` on come before earlier ones (which are late to be marked held), so a
    long list is cut at its past end."""
    since = local_day_bounds(first_from, first_from)[0] if first_from else None
    order = Case(When(starts_at__gte=since, then=Value(0)), default=Value(1)) if since else Value(0)
    items: list[tuple[int, AgendaItem]] = []
    for model in models:
        meta = model._meta
        if not user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            continue
        rows = (
            model.objects.visible_to(user)
            .planned()
            .in_period(start, end)
            .select_related("community")
            .only("pk", "title", "starts_at", "venue", "community__name")
            .annotate(agenda_order=order)
            .order_by("agenda_order", "starts_at", "pk")[: limit + 1]
        )
        change = f"admin:{meta.app_label}_{meta.model_name}_change"
        items += [
            (
                row.agenda_order,
                AgendaItem(
                    starts_at=row.starts_at,
                    title=row.title,
                    venue=row.venue,
                    community=row.community.name,
                    practice=str(model.practice_label),
                    url=reverse(change, args=[row.pk]),
                ),
            )
            for row in rows
        ]
    items.sort(key=lambda pair: (pair[0], pair[1].starts_at))
    kept = sorted((item for _order, item in items[:limit]), key=lambda item: item.starts_at)
    return Agenda(items=kept, more=len(items) > limit)
