"""Demo outreach records: a year of 四下基层 work in 凤凰岭街道, the coming weeks, and photos.

What one run writes (``seed_demo`` runs portal's seeder first, so communities, grids, teams and
the demo accounts exist):

- the editable lists: talk series and research themes (found by name, created when missing);
- one Friday on-site rota per community, and ``plan_from_rota`` for the next four weeks;
- once only, "the demo year": over the 365 days ending yesterday, held policy talks, research
  visits, on-site sessions and deliberation meetings (a few cancelled, a few unpublished drafts by
  the grid worker), two or three planned events in the next two weeks, and photos on about forty
  activities.

Idempotence: the demo year has been written when the 文化进万家 series exists and a demo account
has registered a talk. Then only the lists and the rota planning run, and both find-or-create, so
a second run on the same day creates nothing while a run a week later plans the newly due
Fridays. (``--scale`` volume for benchmarks is ``outreach.volume``'s, not the demo's.)

Everything random comes from ``ctx.rng`` and every date from ``ctx.today``, so the same day gives
the same data. Texts are public-safe: no resident is named and no phone number appears.

Layout: the texts live in ``content_*.py``; ``talks``, ``onsite``, ``research`` and ``meetings``
build one practice's rows each; ``schedule`` decides what happens when; ``rows`` writes them;
``photos`` attaches pictures drawn by ``portal.demo.photos``.
"""

from __future__ import annotations

from collections import Counter
from datetime import time

from django.db import transaction

from outreach.demo import schedule
from outreach.demo.photos import attach_photos
from outreach.demo.refs import (
    AREA_COMMUNITIES,
    AREA_LEADER,
    COMMUNITY_SECRETARY,
    DEMO_AUTHORS,
    HOME_COMMUNITY,
    SECRETARY,
    Refs,
    load_refs,
    venue_type,
)
from outreach.demo.rows import write
from outreach.models import (
    PRACTICE_MODELS,
    OnsiteRota,
    OnsiteSession,
    PolicyTalk,
    TalkSeries,
    Weekday,
)
from outreach.services import plan_from_rota
from outreach.stats import practice_totals, upcoming_activities
from outreach.views import UPCOMING_DAYS
from portal.demo import SeedContext
from portal.formats import cn_period
from portal.periods import year_back

__all__ = ["seed"]

MARKER_SERIES = "文化进万家"  # one of content_talks.SERIES; see _already_seeded


def _rotas(refs: Refs) -> None:
    """One Friday 14:30 rota per community, at its first grid station."""
    for place in refs.places:
        grid = place.grids[0]
        rota, created = OnsiteRota.objects.get_or_create(
            community=place.community,
            weekday=Weekday.FRIDAY,
            start_time=time(14, 30),
            venue=grid.station,
            defaults={
                "grid": grid,
                "venue_type": venue_type(grid.station),
                "duration_minutes": 120,
            },
        )
        if created:
            officials = []
            code = place.community.code
            if code == HOME_COMMUNITY:
                officials.append(refs.profiles[COMMUNITY_SECRETARY])
            if code in AREA_COMMUNITIES:
                officials.append(refs.profiles[AREA_LEADER])
            if code == "wusutu":  # the party secretary's own 联系点
                officials.append(refs.profiles[SECRETARY])
            rota.officials.set(officials)
        refs.rotas[place.community.pk] = rota


def _already_seeded() -> bool:
    return (
        TalkSeries.objects.filter(name=MARKER_SERIES).exists()
        and PolicyTalk.objects.filter(created_by__username__in=DEMO_AUTHORS).exists()
    )


# Progress stages this module reports (see SeedContext.stage): the year, photos, rota.
STAGES = 3
SKIPPED = "已有演示活动，未重复生成"


@transaction.atomic
def seed(ctx: SeedContext) -> None:
    """Write the demo year once (see the module docstring), then plan the coming Fridays."""
    seeded_before = _already_seeded()
    refs = load_refs(ctx)
    _rotas(refs)
    photos = 0
    rows: list = []
    with ctx.stage("下基层活动（一年的记录和近期安排）") as stage:
        if seeded_before:
            stage.done(SKIPPED)
        else:
            rows = [*schedule.year(refs, ctx.rng, base=True), *schedule.upcoming(refs, ctx.rng)]
            write(rows)
            stage.done(_written(rows))
    with ctx.stage("活动照片") as stage:
        if seeded_before:
            stage.done(SKIPPED)
        else:
            photos = attach_photos(rows, ctx.rng)
            stage.done(f"{photos} 张")
    with ctx.stage("现场办公排班（未来四周）") as stage:
        planned = 0
        for place in refs.places:
            rota = refs.rotas[place.community.pk]
            if rota.is_active:
                actor = refs.author(place.community, rota.grid)
                planned += len(plan_from_rota(rota, actor=actor, weeks=4, today=ctx.today))
        stage.done(f"新排 {planned} {OnsiteSession.unit_for(planned)}")
    ctx.report_at_end(lambda: _report(ctx, seeded_before=seeded_before, photos=photos))


def _written(rows: list) -> str:
    """How many activities of each practice were written (held, planned and cancelled)."""
    counts = Counter(type(row.obj) for row in rows)
    return "，".join(
        f"{model.practice_label} {counts[model]:,} {model.unit_for(counts[model])}"
        for model in PRACTICE_MODELS
    )


def _report(ctx: SeedContext, *, seeded_before: bool, photos: int) -> None:
    """The year of held activities (published or not), over the dates it says."""
    start, end = year_back(ctx.today)
    totals = practice_totals(start=start, end=end)
    talks, visits = totals["talks"], totals["research"]
    sessions, meetings = totals["onsite"], totals["deliberations"]
    upcoming = len(upcoming_activities(days=UPCOMING_DAYS))
    note = f"（{SKIPPED}）" if seeded_before else f"，照片 {photos} 张"
    ctx.out.write(
        f"  下基层活动（{cn_period(start, end)}举行的，含未公开的）："
        f"{talks.label} {talks.events:,} {talks.unit}（惠及 {talks.reach:,} 人），"
        f"{visits.label} {visits.events:,} {visits.unit}（走访 {visits.households:,} 户），"
        f"{sessions.label} {sessions.events:,} {sessions.unit}"
        f"（接待居民 {sessions.residents_met:,} 人次），"
        f"{meetings.label} {meetings.events:,} {meetings.unit}"
        f"（{meetings.attendees:,} 人次参会）；"
        f"未来 {UPCOMING_DAYS} 天安排 {upcoming} 项{note}\n"
    )
