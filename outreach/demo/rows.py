"""Activities not yet written, and writing them in bulk with what hangs off them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from outreach.models import (
    Activity,
    ActivityEvent,
    ActivityEventKind,
    ActivityStatus,
    DeliberationAttendance,
    DeliberationDecision,
)
from outreach.record import figure_changes
from outreach.rules import can_publish
from portal import clock
from portal.models import StaffProfile


@dataclass
class Row:
    """An activity not yet written, with what hangs off it."""

    obj: Activity
    m2m: dict[str, list[Any]] = field(default_factory=dict)
    attendance: list[tuple[str, int, str]] = field(default_factory=list)
    decisions: list[tuple[str, str, date | None]] = field(default_factory=list)
    scene: str = ""  # which kind of photo fits, for held and published rows


def fill(rng: Random, template: str, **values: Any) -> str:
    values.setdefault("k", rng.randint(2, 9))
    return template.format(**values)


def write(rows: list[Row]) -> None:
    """Insert rows in bulk, then their many-to-many links, attendance and decisions."""
    by_model: dict[type[Activity], list[Row]] = defaultdict(list)
    for row in rows:
        by_model[type(row.obj)].append(row)
    bulk_pks = connection.features.can_return_rows_from_bulk_insert
    for model, group in by_model.items():
        objs = [row.obj for row in group]
        if bulk_pks:
            model.objects.bulk_create(objs, batch_size=500)
        else:  # a backend that cannot hand back the new ids
            for obj in objs:
                obj.save()
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            links = [
                through(**{f"{source}_id": row.obj.pk, f"{target}_id": other.pk})
                for row in group
                for other in dict.fromkeys(row.m2m.get(m2m.name, ()))
            ]
            through.objects.bulk_create(links, batch_size=1000)
    DeliberationAttendance.objects.bulk_create(
        [
            DeliberationAttendance(deliberation_id=row.obj.pk, category=c, count=n, names=names)
            for row in rows
            for c, n, names in row.attendance
        ],
        batch_size=1000,
    )
    DeliberationDecision.objects.bulk_create(
        [
            DeliberationDecision(
                deliberation_id=row.obj.pk,
                text=text,
                responsible=responsible,
                due_date=due,
                sort_order=n,
            )
            for row in rows
            for n, (text, responsible, due) in enumerate(row.decisions, start=1)
        ],
        batch_size=1000,
    )
    _record([row.obj for row in rows])  # after the attendance: a meeting's figures are in it


class _Record:
    """The demo's activity record as the services would have written it: 登记 by the author
    (after the fact for what was held, days ahead for what was planned), 取消 with its reason,
    and 公开 by the author or, when the author may not publish, by the party secretary."""

    def __init__(self) -> None:
        self.now = clock.now()
        self.units = {
            p.user_id: p.unit or str(p.get_role_display())
            for p in StaffProfile.objects.only("user_id", "unit", "role")
        }
        self.publisher = get_user_model().objects.filter(username="shuji").first()
        self.may_publish: dict[tuple[int, type[Activity]], bool] = {}
        self.events: list[ActivityEvent] = []

    def publisher_of(self, activity: Activity) -> Any:
        if activity.created_by_id is None:
            return self.publisher
        key = (activity.created_by_id, type(activity))
        if key not in self.may_publish:
            self.may_publish[key] = can_publish(activity.created_by, type(activity))
        return activity.created_by if self.may_publish[key] else self.publisher

    def add(self, activity: Activity, at: datetime, actor: Any, kind: str, **fields: Any) -> None:
        self.events.append(
            ActivityEvent(
                content_type=ContentType.objects.get_for_model(type(activity)),
                object_id=activity.pk,
                at=min(at, self.now),
                actor=actor,
                actor_unit=self.units.get(getattr(actor, "pk", None), ""),
                kind=kind,
                **fields,
            )
        )

    def of(self, activity: Activity) -> None:
        author, start = activity.created_by, activity.starts_at
        if activity.status == ActivityStatus.HELD:
            logged = (activity.ends_at or start + timedelta(hours=2)) + timedelta(hours=1)
            figures = figure_changes({}, activity.figures())
            self.add(
                activity,
                logged,
                author,
                ActivityEventKind.RECORDED,
                to_status=ActivityStatus.HELD,
                changes=figures,
            )
        else:
            logged = start - timedelta(days=3)
            self.add(
                activity,
                logged,
                author,
                ActivityEventKind.RECORDED,
                to_status=ActivityStatus.PLANNED,
            )
        if activity.is_published:
            self.add(
                activity,
                logged + timedelta(hours=2),
                self.publisher_of(activity),
                ActivityEventKind.PUBLISHED,
            )
        if activity.status == ActivityStatus.CANCELLED:
            self.add(
                activity,
                start - timedelta(days=1),
                author,
                ActivityEventKind.CANCELLED,
                from_status=ActivityStatus.PLANNED,
                to_status=ActivityStatus.CANCELLED,
                note=activity.cancel_reason,
            )


def _record(activities: list[Activity]) -> None:
    record = _Record()
    for activity in activities:
        record.of(activity)
    ActivityEvent.objects.bulk_create(record.events, batch_size=2000)
