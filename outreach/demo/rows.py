"""Writing demo activities as staff would have: through outreach.services, the clock set to the
moment of each step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any

from django.contrib.auth import get_user_model

from outreach import services
from outreach.models import Activity, DeliberationAttendance, DeliberationDecision
from portal import clock

PUBLISHER = "shuji"  # publishes what its author may not, and takes its later steps


@dataclass
class Row:
    """An activity not yet written, as it should end up (status, publication, results), and
    what hangs off it; ``scene``: the photo that fits it (portal.demo.photos)."""

    obj: Activity
    m2m: dict[str, list[Any]] = field(default_factory=dict)
    attendance: list[tuple[str, int, str]] = field(default_factory=list)
    decisions: list[tuple[str, str, date | None]] = field(default_factory=list)
    scene: str = ""


def fill(rng: Random, template: str, **values: Any) -> str:
    """``template`` with ``values`` filled in; ``{k}``, when not given, is a small number."""
    return template.format(**{"k": rng.randint(2, 9), **values})


def write(rows: list[Row]) -> None:
    """Write each row through the services (``row.obj`` becomes the stored activity): what was
    held is registered (登记) as held an hour after it ended, except a meeting, whose results
    are rows: registered as planned three days ahead, it is marked held (已举办) after. What is
    planned or called off is registered three days ahead (取消: the day before). The author
    publishes if they may, else the party secretary does and takes the later steps."""
    publisher, now = get_user_model().objects.get(username=PUBLISHER), clock.now()
    with services.bulk_writing():
        for row in rows:
            obj = row.obj
            status, public, reason = obj.status, obj.is_published, obj.cancel_reason
            ahead = status != "held" or bool(row.attendance or row.decisions)
            end = min((obj.ends_at or obj.starts_at) + timedelta(hours=1), now)
            logged = min(obj.starts_at - timedelta(days=3), now) if ahead else end
            obj.cancel_reason = ""  # 取消 writes it
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
            if status == "cancelled":
                with clock.frozen(min(obj.starts_at - timedelta(days=1), now)):
                    obj = services.cancel_activity(obj, actor=steps_by, reason=reason)
            elif ahead and status == "held":
                DeliberationAttendance.objects.bulk_create(
                    DeliberationAttendance(deliberation=obj, category=c, count=n, names=names)
                    for c, n, names in row.attendance
                )
                DeliberationDecision.objects.bulk_create(
                    DeliberationDecision(
                        deliberation=obj, text=text, responsible=who, due_date=due, sort_order=n
                    )
                    for n, (text, who, due) in enumerate(row.decisions, start=1)
                )
                with clock.frozen(end):
                    obj = services.mark_held(obj, actor=steps_by)
            row.obj = obj  # each step taken by someone who may publish: none waits for review
