"""Demo cases: a year of resident requests in 凤凰岭街道, written through the case services.

``seed_demo`` runs portal's and outreach's seeders first; this one reads their accounts, teams
and held activities from the database and writes: the problems found on research visits (from
each visit's 民情日志, 200+ solved) and the requests taken at on-site sessions (410+ solved),
linked to them; requests from every other channel (网上 with no staff actor) in all three
classes — 当场解决, 台账 settled by a deliberation or a leaders' decision, 长期跟踪 (some with a
follow-up missed just now); formal petitions mediated by 和为贵 and 邻里凤姐 with agreements
(three signed in the last weeks), conversations, 事心双解, extensions, refusals, a review
request, accusations handled by the secretary, a case hidden from the grid worker it names;
today's spread (waiting for sign-for, bounced and reassigned, overdue and supervised, due soon,
redone after 不满意, once three times under 督办); and ~200 reception activities (信访接待下基层,
photos on about twenty) with the ~60 requests registered at them.

Words and scenarios are ``data/*.toml``. ``plans`` decides which cases the year brings,
``story`` plays each one's script through ``petitions.services`` with the clock frozen at each
step; results and replies are composed from parts and the case's specifics, so no two read the
same. The seeder is a trusted caller: ``services.trusted_caller()`` skips only the per-step
scope query (it lets an account act within its scope or assignment only) and
``services.bulk_writing()`` reads lookups once (any error aborts the seed). Idempotent: with a
case registered by a demo account, nothing is written. Random from ``ctx.rng``, dates from
``ctx.today``; residents, phones (13x000xxxxx) and ID numbers are invented.
"""

import contextlib
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from petitions import services
from petitions.demo import plans, receptions
from petitions.demo.story import Stop, Story
from petitions.demo.world import DEMO_ACCOUNTS, World, data
from petitions.models import Case, Category, ReplyTemplate
from petitions.stats import reception_totals
from portal import clock
from portal.demo import SeedContext
from portal.formats import cn_date, cn_period
from portal.periods import year_back

__all__ = ["seed"]

CASE_STAGES = 4  # the cases come in four stretches of the year, in the order they arrived
STAGES = 1 + CASE_STAGES
RECEPTIONS = "信访接待（一年的记录和近期安排）"


@transaction.atomic
def seed(ctx: SeedContext) -> None:
    """Write the demo year of receptions and cases once, and print the summary."""
    categories = {c.name: c for c in Category.objects.all()}
    for row in data("replies")["template"]:
        defaults = {"category": categories.get(row.get("category", "")), "text": row["text"]}
        ReplyTemplate.objects.get_or_create(title=row["title"], defaults=defaults)
    start, end = year_back(ctx.today)
    cut = [start + (end - start) * n / CASE_STAGES for n in range(CASE_STAGES + 1)]
    stretches = [
        (cut[n], cut[n + 1] - timedelta(days=n < CASE_STAGES - 1)) for n in range(CASE_STAGES)
    ]
    names = [RECEPTIONS, *(f"诉求（{cn_period(*s)}收到的）" for s in stretches)]
    if Case.objects.filter(registered_by__username__in=DEMO_ACCOUNTS).exists():
        for name in names:
            with ctx.stage(name) as stage:
                stage.done("已有演示诉求，未重复生成")
        return ctx.report_at_end(lambda: report(ctx, note="（已有演示诉求，未重复生成）"))
    tomorrow = datetime.combine(ctx.today + timedelta(days=1), time(), clock.now().tzinfo)
    world = World(ctx.today, ctx.rng, min(clock.now(), tomorrow) - timedelta(minutes=5))
    with services.bulk_writing(), services.trusted_caller():
        with ctx.stage(RECEPTIONS) as stage:
            held, photos = receptions.write_year(world)
            n = receptions.Reception.objects.count()
            unit = receptions.Reception.unit_for(n)
            stage.done(f"{n:,} {unit}（含计划、取消的），照片 {photos} 张")
        ledger = plans.ledger(world, plans.decisions(world))
        every = [*plans.receptions(world, held), *plans.activities(world), *ledger]
        every += [*plans.channels(world), *plans.listed(world)]
        every.sort(key=lambda plan: plan["moment"])  # stable: ties keep the order above
        for name, (first, last) in zip(names[1:], stretches, strict=True):
            with ctx.stage(name) as stage:
                before = Case.objects.count()
                for plan in every:
                    if first <= day_of(plan["moment"], start, end) <= last:
                        with contextlib.suppress(Stop):
                            Story(world, plan).play()
                stage.done(f"{Case.objects.count() - before:,} 件")
    ctx.report_at_end(lambda: report(ctx, photos=photos))


def day_of(moment: object, start: date, end: date) -> date:
    """The day a request came in, within the demo year (the first and last stretches take
    what falls before or after it)."""
    return min(max(timezone.localtime(moment).date(), start), end)


def report(ctx: SeedContext, *, note: str = "", photos: int = 0) -> None:
    cases, settled = Case.objects.all(), ("concluded", "visited", "archived")
    research, onsite = cases.filter(channel="research").count(), cases.filter(channel="onsite")
    ctx.out.write(
        f"  诉求（截至{cn_date(ctx.today)}的全部记录）：共 {cases.count():,} 件"
        f"（调查研究 {research:,}，现场办公 {onsite.count():,}），"
        f"办结 {cases.filter(status__in=settled).count():,}，"
        f"超期 {cases.overdue(ctx.today).count():,}，"
        f"督办 {cases.filter(is_supervised=True).count():,}{note}\n"
    )
    start, end = year_back(ctx.today)
    held = reception_totals(start=start, end=end)
    ctx.out.write(
        f"  信访接待（{cn_period(start, end)}举行的，含未公开的）：{held.events:,} {held.unit}，"
        f"接待群众 {held.residents_served:,} 人次，现场登记诉求 {held.cases_opened:,} 件"
        + (f"，照片 {photos} 张" if photos else "")
        + "\n"
    )
