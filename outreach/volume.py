"""Volume for benchmarks: outreach activities in the added communities (see ``portal.volume``).

Up to ``Plan.activities`` in all — policy talks, research visits, on-site sessions and
deliberation meetings over ``portal.volume.SPAN_DAYS`` ending yesterday, held (a few
cancelled, most published), and some planned in the next two weeks — each with its record
(ActivityEvent) as the services would have written it: 登记 by its author after the fact (days
ahead for what is planned), 公开 by the community secretary, 取消 with its reason.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from outreach.models import (
    PRACTICE_MODELS,
    ActivityEvent,
    ActivityEventKind,
    ActivityStatus,
    Deliberation,
    FieldVisit,
    OnsiteSession,
    PolicyTalk,
    ReachMethod,
    TalkKind,
    VenueType,
    VisitKind,
)
from portal import clock
from portal.models import Compound, Grid, StaffProfile
from portal.roles import Role
from portal.seeding import SeedContext
from portal.volume import Table, Writer, json_text, plan_of, span, volume_communities

STAGES = 1
# Practice mix of the added activities (weights).
MIX = ((OnsiteSession, 40), (FieldVisit, 30), (PolicyTalk, 25), (Deliberation, 5))
PLANNED_SHARE = 0.01  # in the next two weeks
CANCELLED_SHARE = 0.03
PUBLISHED_SHARE = 0.85

TALKS = [
    (TalkKind.THEORY, "党的创新理论进社区宣讲"),
    (TalkKind.THEORY, "基层治理政策解读会"),
    (TalkKind.CULTURE, "文化进万家文艺演出"),
    (TalkKind.CULTURE, "邻里节曲艺专场"),
    (TalkKind.LAW, "民法典进小区普法讲座"),
    (TalkKind.LAW, "防范电信诈骗宣传"),
]
VISIT_TOPICS = ["老旧小区改造入户调研", "一刻钟便民生活圈走访", "智慧社区建设调研", "独居老人走访"]
MEETING_TOPICS = ["小区停车秩序议事会", "加装电梯协商会", "物业服务提升议事会", "楼道清理协商会"]
CANCEL_REASONS = ["大风降温，改期举行", "与上级检查时间冲突，另行安排", "场地维修，暂停一次"]


def seed(ctx: SeedContext) -> None:
    plan = plan_of(ctx)
    if plan is None:
        return
    with ctx.stage("压测数据：下基层活动") as stage:
        stage.done(_activities(plan.activities, ctx.rng))


def count() -> int:
    return sum(model.objects.count() for model in PRACTICE_MODELS)


@transaction.atomic
def _activities(target: int, rng: random.Random) -> str:
    wanted = target - count()
    if wanted <= 0:
        return f"已有活动 {count():,} 项，未重复生成"
    places = _Places.load()
    writer = Writer()
    now = clock.now()
    first, last = span(clock.today())
    days = (last - first).days + 1
    events = Table(ActivityEvent)
    event_rows: list[tuple] = []
    next_event = writer.next_id(ActivityEvent)
    counts = {}
    for model, weight in MIX:
        n = (
            round(wanted * weight / 100)
            if model is not MIX[-1][0]
            else wanted - sum(counts.values())
        )
        counts[model] = n
    with writer.loading(*counts, ActivityEvent):
        for model, n in counts.items():
            table = Table(model)
            content_type = ContentType.objects.get_for_model(model).pk
            next_id = writer.next_id(model)
            rows = []
            for pk in range(next_id, next_id + n):
                if rng.random() < PLANNED_SHARE:
                    day = clock.today() + timedelta(days=rng.randint(1, 14))
                else:
                    day = first + timedelta(days=rng.randrange(days))
                grid = rng.choice(places.grids)
                values, record = _activity(model, rng, places, grid, day, now)
                values["id"] = pk
                rows.append(table.row(**values))
                for at, actor, kind, fields in record:
                    event_rows.append(
                        events.row(
                            id=next_event,
                            content_type_id=content_type,
                            object_id=pk,
                            at=at,
                            actor_id=actor.user_id,
                            actor_unit=actor.unit,
                            kind=kind,
                            **fields,
                        )
                    )
                    next_event += 1
            writer.write(table, rows)
        writer.write(events, event_rows)
    writer.reset_sequences()
    added = "，".join(f"{m.practice_label} {n:,}" for m, n in counts.items())
    return f"新增 {added}（共 {count():,} 项），活动记录 {len(event_rows):,} 条"


class _Places:
    """The added grids, their compounds, and who works there."""

    def __init__(self, grids: list[Grid], compounds: dict[int, list[Compound]], staff: dict):
        self.grids, self.compounds, self.staff = grids, compounds, staff

    @classmethod
    def load(cls) -> _Places:
        communities = list(volume_communities())
        if not communities:
            raise CommandError("压测活动需要先生成压测社区（portal 的压测数据）")
        grids = list(Grid.objects.filter(community__in=communities).select_related("community"))
        compounds: dict[int, list[Compound]] = {}
        for compound in Compound.objects.filter(grid__in=grids):
            compounds.setdefault(compound.grid_id, []).append(compound)
        staff: dict[Any, StaffProfile] = {}
        profiles = StaffProfile.objects.filter(
            role__in=[Role.GRID_WORKER, Role.COMMUNITY_SECRETARY]
        ).prefetch_related("communities", "grids")
        for profile in profiles:
            if profile.role == Role.GRID_WORKER:
                for grid in profile.grids.all():
                    staff[("grid", grid.pk)] = profile
            else:
                for community in profile.communities.all():
                    staff[("community", community.pk)] = profile
        return cls(grids, compounds, staff)

    def worker(self, grid: Grid) -> StaffProfile:
        return self.staff[("grid", grid.pk)]

    def secretary(self, grid: Grid) -> StaffProfile:
        return self.staff[("community", grid.community_id)]


def _activity(model, rng, places: _Places, grid: Grid, day, now: datetime):
    """An activity's fields and its record: [(at, actor profile, kind, other fields)]."""
    tz = timezone.get_current_timezone()
    community = grid.community
    compound = rng.choice(places.compounds.get(grid.pk) or [None])
    secretary, worker = places.secretary(grid), places.worker(grid)
    author = worker if rng.random() < 0.5 else secretary
    hour = rng.choice((9, 10, 14, 15, 16))
    starts = datetime.combine(day, time(hour, rng.choice((0, 30))), tzinfo=tz)
    ends = starts + timedelta(minutes=rng.choice((60, 90, 120)))
    if starts > now:
        status = ActivityStatus.PLANNED
    elif rng.random() < CANCELLED_SHARE:
        status = ActivityStatus.CANCELLED
    else:
        status = ActivityStatus.HELD
    held = status == ActivityStatus.HELD
    values: dict[str, Any] = {
        "starts_at": starts,
        "ends_at": ends,
        "community_id": community.pk,
        "grid_id": grid.pk,
        "compound_id": compound.pk if compound else None,
        "venue": grid.station or community.name,
        "status": status,
        "created_by_id": author.user_id,
    }
    where = compound.name if compound else community.name
    figures: dict[str, Any] = {}
    if model is PolicyTalk:
        kind, title = rng.choice(TALKS)
        values.update(kind=kind, title=title, summary=f"在{where}开展{title}。")
        if held:
            signed = rng.randint(20, 160)
            figures["attendance_signed"] = signed
            if rng.random() < 0.3:
                figures["reach_estimated"] = signed + rng.randint(0, 200)
                values["reach_method"] = ReachMethod.VENUE
    elif model is FieldVisit:
        title = rng.choice(VISIT_TOPICS)
        values.update(
            kind=VisitKind.DAILY,
            title=f"{where}{title}",
            summary=f"走访{where}，听取居民意见。",
            lead_official_id=secretary.pk,
        )
        if held:
            figures["households_visited"] = rng.randint(5, 60)
    elif model is OnsiteSession:
        values.update(
            title=f"{community.name}现场办公",
            venue_type=_venue_type(grid.station),
            summary=f"在{values['venue']}现场办公，接待居民。",
        )
        if held:
            figures["residents_met"] = rng.randint(3, 40)
    else:
        title = rng.choice(MEETING_TOPICS)
        values.update(title=f"{where}{title}", summary=f"{where}居民代表、物业等参加。")
        if held:
            values["minutes"] = f"会议围绕{title[:-3]}议题协商，形成处理意见。"
    values.update(figures)
    record = []
    if held:
        logged = min(ends + timedelta(hours=1), now)
        changes = {name: [None, value] for name, value in figures.items()}
        record.append(
            (
                logged,
                author,
                ActivityEventKind.RECORDED,
                {"to_status": status, "changes": json_text(changes)},
            )
        )
    else:
        logged = min(starts - timedelta(days=3), now)
        record.append(
            (logged, author, ActivityEventKind.RECORDED, {"to_status": ActivityStatus.PLANNED})
        )
    published = status != ActivityStatus.CANCELLED and rng.random() < PUBLISHED_SHARE
    if published:
        at = min(logged + timedelta(hours=2), now)
        record.append((at, secretary, ActivityEventKind.PUBLISHED, {}))
    if status == ActivityStatus.CANCELLED:
        reason = rng.choice(CANCEL_REASONS)
        values["cancel_reason"] = reason
        at = min(starts - timedelta(days=1), now)
        fields = {
            "from_status": ActivityStatus.PLANNED,
            "to_status": ActivityStatus.CANCELLED,
            "note": reason,
        }
        record.append((at, author, ActivityEventKind.CANCELLED, fields))
    values.update(
        is_published=published, created_at=record[0][0], updated_at=max(r[0] for r in record)
    )
    return values, record


def _venue_type(station: str) -> str:
    for suffix, kind in (
        ("网格驿站", VenueType.GRID_STATION),
        ("协商议事厅", VenueType.COUNCIL_HALL),
        ("民声议事亭", VenueType.VOICE_PAVILION),
        ("邻里议事亭", VenueType.NEIGHBOUR_PAVILION),
    ):
        if station.endswith(suffix):
            return kind
    return VenueType.OTHER
