"""``check_consistency`` for activities: each sampled activity's record against its status,
publication and counted figures.

For a random sample of each practice: the record (ActivityEvent) starts with 登记; its status
entries follow the transition table to the activity's status; entries by id never go back in
time; the latest 公开 / 撤回公开 says whether it is public (none: not public); and for a held
activity each counted figure on the record ends at the value stored.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from outreach.models import (
    PRACTICE_MODELS,
    STATUS_KINDS,
    TRANSITIONS,
    Activity,
    ActivityEvent,
    ActivityEventKind,
    ActivityStatus,
)
from portal.consistency import Check, append_only, sample_ids

PUBLICATION = (ActivityEventKind.PUBLISHED, ActivityEventKind.UNPUBLISHED)


def checks(sample: int, rng: random.Random) -> list[Check]:
    return [
        records(sample, rng),
        append_only(ActivityEvent, "outreach_activityevent_no_update"),
    ]


def records(sample: int, rng: random.Random) -> Check:
    check = Check("活动记录与状态、公开（抽样）")
    share = max(1, sample // len(PRACTICE_MODELS))
    for model in PRACTICE_MODELS:
        activities = list(model.objects.filter(pk__in=sample_ids(model, share, rng)))
        content_type = ContentType.objects.get_for_model(model)
        events = defaultdict(list)
        for event in ActivityEvent.objects.filter(
            content_type=content_type, object_id__in=[a.pk for a in activities]
        ).order_by("at", "pk"):
            events[event.object_id].append(event)
        for activity in activities:
            check.checked += 1
            label = f"{model._meta.verbose_name} {activity.pk}"
            check.problems += [
                f"{label}: {p}" for p in activity_problems(activity, events[activity.pk])
            ]
    return check


def activity_problems(activity: Activity, events: list[ActivityEvent]) -> list[str]:
    if not events:
        return ["没有活动记录"]
    problems = []
    by_id = sorted(events, key=lambda e: e.pk)
    if any(later.at < earlier.at for earlier, later in itertools.pairwise(by_id)):
        problems.append("活动记录的时间倒退")
    first = events[0]
    if first.kind != ActivityEventKind.RECORDED or not first.to_status:
        problems.append(f"第一条记录是“{first.get_kind_display()}”，不是登记")
    status = first.to_status
    for event in events[1:]:
        if event.kind not in STATUS_KINDS:
            continue
        if event.from_status != status or event.to_status not in TRANSITIONS.get(status, ()):
            step = f"{event.from_status}→{event.to_status}"
            problems.append(f"“{event.get_kind_display()}” {step} 接不上 {status}")
        status = event.to_status
    if status != activity.status:
        problems.append(f"记录止于 {status}，状态却是 {activity.status}")
    publication = [e for e in events if e.kind in PUBLICATION]
    public = bool(publication) and publication[-1].kind == ActivityEventKind.PUBLISHED
    if public != activity.is_published:
        problems.append(f"对外公开为 {activity.is_published}，记录说 {public}")
    if activity.status == ActivityStatus.CANCELLED and not activity.cancel_reason:
        problems.append("取消却没有原因")
    if activity.status == ActivityStatus.HELD:
        recorded: dict[str, object] = {}
        for event in events:
            for name, change in (event.changes or {}).items():
                recorded[name] = change[1]
        for name, value in activity.figures().items():
            if name in recorded and recorded[name] != value:
                problems.append(f"{name} 存为 {value}，记录最后为 {recorded[name]}")
    return problems
