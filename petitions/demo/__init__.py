"""Demo cases: a year of resident requests in 凤凰岭街道, written through the case services.

``seed_demo`` runs portal's and outreach's seeders first; this one reads their accounts, teams
and held activities from the database, and writes:

- the problems found on research visits (调查研究, from each visit's 民情日志, 200+ solved) and
  the requests taken at on-site sessions (现场办公, 410+ solved), linked to them;
- requests from every other channel (来访, 来信, 来电, 网上 with no staff actor, 网格巡查,
  上级转办) in all three classes: 当场解决, 台账 settled by a deliberation decision or a decision
  of the sub-district's meetings written here, 长期跟踪 with progress notes (a few with a
  follow-up missed just now);
- formal petitions (信访事项) mediated by 和为贵 and 邻里凤姐 with agreements (three signed in the
  last weeks: the 30-day 司法确认 reminder is live), conversations and 事心双解, extensions
  approved by the secretary, refusals with reasons, a review request, accusations handled by
  the secretary, and a case hidden from the grid worker it names;
- today's spread: waiting for sign-for, bounced and reassigned, overdue (two supervised), due
  soon, redone after 不满意 (one three times, so under 督办);
- 信访接待下基层 (``receptions``): ~200 reception activities over the year (a few cancelled, four
  planned, photos on about twenty) and the ~60 requests registered at them.

Data first: words and scenarios are ``data/*.toml`` (issues, replies, notes, agreements, the
cases' scripts, today's spread, the reception routine). ``plans`` decides which cases the year
brings; ``story`` plays each script through ``petitions.services``, the clock frozen at each
step (``portal.clock.frozen``); results and replies are composed from parts and the case's
specifics (when and how it came in, where, who handled it), so no two read the same.

The seams, for this trusted caller only: ``services.trusted_caller()`` (the per-step scope
query is skipped: the demo lets an account act only within its scope or assignment; every
other check runs) and ``services.bulk_writing()`` (lookups read once, no savepoint per step: any
error aborts the seed). The tests check that every actor can see the case they acted on and
that ``petitions.deadlines.refresh`` finds nothing to change.

Idempotent: when a case registered by a demo account exists, nothing is written. Randomness
comes from ``ctx.rng``, dates from ``ctx.today`` (tracking codes from ``secrets``: a predictable
code would let anyone read a case). Residents, phones (13x000xxxxx) and IDs are invented.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from petitions import services
from petitions.demo import plans, receptions
from petitions.demo.story import Run, Stop, Story
from petitions.demo.world import DEMO_ACCOUNTS, People, load
from petitions.models import Case, CaseStatus, Category, Channel, ReplyTemplate
from petitions.stats import reception_totals
from portal import clock
from portal.demo import SeedContext, texts
from portal.formats import cn_date, cn_period
from portal.periods import year_back

__all__ = ["seed"]

SETTLED = (CaseStatus.CONCLUDED, CaseStatus.VISITED, CaseStatus.ARCHIVED)
CASE_STAGES = 4  # the cases come in four stretches of the year, in the order they arrived
STAGES = 1 + CASE_STAGES


@transaction.atomic
def seed(ctx: SeedContext) -> None:
    """Write the demo year of receptions and cases once, and print the summary."""
    categories = {c.name: c for c in Category.objects.all()}
    for template in texts("petitions.demo", "replies")["template"]:
        defaults = {
            "category": categories.get(template.get("category", "")),
            "text": template["text"],
        }
        ReplyTemplate.objects.get_or_create(title=template["title"], defaults=defaults)
    stretches = stretches_of(ctx.today)
    if Case.objects.filter(registered_by__username__in=DEMO_ACCOUNTS).exists():
        for name in [
            "信访接待（一年的记录和近期安排）",
            *(f"诉求（{cn_period(*s)}收到的）" for s in stretches),
        ]:
            with ctx.stage(name) as stage:
                stage.done("已有演示诉求，未重复生成")
        ctx.report_at_end(lambda: report(ctx, note="（已有演示诉求，未重复生成）"))
        return
    world = load(ctx.today)
    end_of_today = datetime.combine(
        ctx.today + timedelta(days=1), time(), tzinfo=timezone.get_current_timezone()
    )
    run = Run(
        world, ctx.rng, min(clock.now(), end_of_today) - timedelta(minutes=5), People(ctx.rng)
    )
    with services.bulk_writing(), services.trusted_caller():
        with ctx.stage("信访接待（一年的记录和近期安排）") as stage:
            held, photos = receptions.write_year(world, ctx.rng)
            count = receptions.Reception.objects.count()
            stage.done(
                f"{count:,} {receptions.Reception.unit_for(count)}（含计划、取消的），照片 {photos} 张"
            )
        found = plans.decisions(run)
        every = [
            *plans.reception_cases(run, held),
            *plans.research(run, found),
            *plans.onsite(run),
            *plans.channels(run),
            *plans.ledger_cases(run, found),
            *plans.listed(run),
        ]
        arrived = [plan for _n, plan in sorted(enumerate(every), key=lambda p: (p[1].moment, p[0]))]
        for number, (start, end) in enumerate(stretches, start=1):
            with ctx.stage(f"诉求（{cn_period(start, end)}收到的）") as stage:
                before = Case.objects.count()
                for plan in arrived:
                    day = timezone.localtime(plan.moment).date()
                    if (number == 1 or day >= start) and (number == len(stretches) or day <= end):
                        with contextlib.suppress(Stop):
                            Story(run, plan).play()
                stage.done(f"{Case.objects.count() - before:,} 件")
    ctx.report_at_end(lambda: report(ctx, photos=photos))


def stretches_of(today: date) -> list[tuple[date, date]]:
    """The demo year (see portal.periods.year_back) cut into CASE_STAGES stretches of days."""
    start, end = year_back(today)
    days = (end - start).days + 1
    bounds = [start + timedelta(days=days * i // CASE_STAGES) for i in range(CASE_STAGES + 1)]
    return [(bounds[i], bounds[i + 1] - timedelta(days=1)) for i in range(CASE_STAGES)]


def report(ctx: SeedContext, *, note: str = "", photos: int = 0) -> None:
    def count(condition: Q | None = None) -> Count:
        return Count("pk", filter=condition)

    counts = Case.objects.aggregate(
        total=count(),
        research=count(Q(channel=Channel.RESEARCH)),
        onsite=count(Q(channel=Channel.ONSITE)),
        settled=count(Q(status__in=SETTLED)),
        supervised=count(Q(is_supervised=True)),
    )
    ctx.out.write(
        f"  诉求（截至{cn_date(ctx.today)}的全部记录）：共 {counts['total']:,} 件"
        f"（调查研究 {counts['research']:,}，现场办公 {counts['onsite']:,}），"
        f"办结 {counts['settled']:,}，超期 {Case.objects.overdue(ctx.today).count():,}，"
        f"督办 {counts['supervised']:,}{note}\n"
    )
    start, end = year_back(ctx.today)
    held = reception_totals(start=start, end=end)
    ctx.out.write(
        f"  信访接待（{cn_period(start, end)}举行的，含未公开的）：{held.events:,} {held.unit}，"
        f"接待群众 {held.residents_served:,} 人次，现场登记诉求 {held.cases_opened:,} 件"
        + (f"，照片 {photos} 张" if photos else "")
        + "\n"
    )
