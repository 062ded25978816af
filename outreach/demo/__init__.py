"""Demo outreach records: a year of 四下基层 work in 凤凰岭街道, the coming weeks, and photos.

Each run finds or makes the talk series, research themes and one Friday rota per community,
and plans the rotas' next four weeks. Once only (a demo account has registered a talk of the
文化进万家 series), it writes the year that ``year`` plans from ``data/*.toml`` through
outreach.services with the clock set for each step (``rows.write``), and adds photos.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from outreach.demo.rows import Row, write
from outreach.demo.year import AUTHORS, HELD, Year
from outreach.models import PRACTICE_MODELS, OnsiteSession, PolicyTalk
from outreach.services import plan_from_rota
from outreach.stats import practice_totals, upcoming_activities
from outreach.views import UPCOMING_DAYS
from portal.demo import texts
from portal.demo.photos import Album
from portal.formats import cn_period
from portal.periods import year_back
from portal.seeding import SeedContext

__all__ = ["seed"]

STAGES = 3  # progress stages this module reports (SeedContext.stage): year, photos, rotas
SKIPPED = "已有演示活动，未重复生成"


@transaction.atomic
def seed(ctx: SeedContext) -> None:
    """Write the demo year once (see the module docstring), then plan the coming Fridays."""
    talks = PolicyTalk.objects.filter(created_by__username__in=AUTHORS)
    seeded_before = talks.filter(series__name="文化进万家").exists()
    year, rows, photos = Year(ctx), [], 0
    year.plan_rotas()
    with ctx.stage("下基层活动（一年的记录和近期安排）") as stage:
        if not seeded_before:
            rows = year.rows()
            write(rows)
        stage.done(SKIPPED if seeded_before else _written(rows))
    with ctx.stage("活动照片") as stage:
        photos = photograph(rows, ctx)
        stage.done(SKIPPED if seeded_before else f"{photos} 张")
    with ctx.stage("现场办公排班（未来四周）") as stage:
        planned = sum(
            len(plan_from_rota(rota, actor=year.author(c, rota.grid), weeks=4, today=ctx.today))
            for c, rota in year.rotas.items()
            if rota.is_active
        )
        stage.done(f"新排 {planned} {OnsiteSession.unit_for(planned)}")
    ctx.report_at_end(lambda: _report(ctx, seeded_before=seeded_before, photos=photos))


def photograph(rows: list[Row], ctx: SeedContext) -> int:
    """One or two photos on each of a few held, public activities per scene; how many."""
    data, album, made = texts("outreach.demo", "common")["photos"], Album(ctx.rng), 0
    for scene, quota in data["quota"].items():
        held = [r for r in rows if r.scene == scene and r.obj.status == HELD and r.obj.is_published]
        for row in ctx.rng.sample(held, k=min(quota, len(held))):
            captions = ctx.rng.sample(data[scene], k=2 if ctx.rng.random() < 0.4 else 1)
            for order, caption in enumerate(captions):
                photo = row.obj.photos.model(activity=row.obj, caption=caption, sort_order=order)
                album.photograph(photo, scene)
                made += 1
    return made


def _written(rows: list[Row]) -> str:
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
