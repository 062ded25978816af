"""Writing demo activities the way staff would have: through outreach.services, the clock set
to the moment of each step. Used by this demo and by the petitions demo (its receptions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from django.contrib.auth import get_user_model

from outreach import services
from outreach.models import Activity, ActivityStatus, DeliberationAttendance, DeliberationDecision
from portal import clock

PUBLISHER = "shuji"  # publishes what its author may not, and takes the later steps on it
DAYS_AHEAD = 3  # how long before it takes place a planned activity is registered


@dataclass
class Row:
    """An activity not yet written, as it should end up (status, publication, results), with
    what hangs off it: many-to-many lists by field name, a meeting's attendance
    (category, count, names) and decisions (text, responsible, due), and for held public
    activities the kind of photo that fits it (a portal.demo.photos scene)."""

    obj: Activity
    m2m: dict[str, list[Any]] = field(default_factory=dict)
    attendance: list[tuple[str, int, str]] = field(default_factory=list)
    decisions: list[tuple[str, str, date | None]] = field(default_factory=list)
    scene: str = ""


def fill(rng: Random, template: str, **values: Any) -> str:
    """``template`` with ``values`` filled in; ``{k}``, when not given, is a small number."""
    values.setdefault("k", rng.randint(2, 9))
    return template.format(**values)


def write(rows: list[Row]) -> None:
    """Write each row through the services, ``row.obj`` becoming the stored activity.

    What was held is registered (登记) an hour after it ended, as held with its results — but a
    meeting, whose results are rows (attendance, decisions), is registered as planned days
    ahead and marked held after it, as the change form and the 已举办 step would. What is
    planned or was called off is registered days ahead (取消 the day before). Its author
    publishes it if they may; otherwise the party secretary does, and takes its later steps.
    """
    publisher = get_user_model().objects.get(username=PUBLISHER)
    now = clock.now()
    for row in rows:
        _write(row, publisher, now)


def _write(row: Row, publisher: Any, now: datetime) -> None:
    obj = row.obj
    status, public, reason = obj.status, obj.is_published, obj.cancel_reason
    minutes = getattr(obj, "minutes", "")
    ahead = status != ActivityStatus.HELD or bool(row.attendance or row.decisions)
    end = obj.ends_at or obj.starts_at + timedelta(hours=2)
    if ahead:
        logged = min(obj.starts_at - timedelta(days=DAYS_AHEAD), now)
        obj.cancel_reason = ""
        if minutes:
            obj.minutes = ""  # type: ignore[attr-defined]  # a meeting's, written once held
    else:
        logged = min(end + timedelta(hours=1), now)
    with clock.frozen(logged):
        services.record_activity(obj, actor=obj.created_by, held=not ahead)
    for name, values in row.m2m.items():
        getattr(obj, name).set(values)
    steps_by = obj.created_by if obj.is_published else publisher
    with clock.frozen(min(logged + timedelta(hours=2), now)):
        if public and not obj.is_published:
            obj = services.publish_activity(obj, actor=publisher)
        elif obj.is_published and not public:  # a draft its author keeps back
            obj = services.unpublish_activity(obj, actor=obj.created_by)
    if status == ActivityStatus.CANCELLED:
        with clock.frozen(min(obj.starts_at - timedelta(days=1), now)):
            obj = _done(services.cancel_activity(obj, actor=steps_by, reason=reason))
    elif ahead and status == ActivityStatus.HELD:
        DeliberationAttendance.objects.bulk_create(
            DeliberationAttendance(deliberation_id=obj.pk, category=c, count=n, names=names)
            for c, n, names in row.attendance
        )
        DeliberationDecision.objects.bulk_create(
            DeliberationDecision(
                deliberation_id=obj.pk, text=text, responsible=who, due_date=due, sort_order=n
            )
            for n, (text, who, due) in enumerate(row.decisions, start=1)
        )
        with clock.frozen(min(end + timedelta(hours=1), now)):
            obj = _done(services.mark_held(obj, actor=steps_by, minutes=minutes))
    row.obj = obj


def _done(result: Any) -> Activity:
    """A step taken by someone who may publish is taken at once (not kept for review)."""
    if not isinstance(result, Activity):
        raise TypeError(f"the demo's step was kept for review: {result}")
    return result
