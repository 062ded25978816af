"""Demo cases: a year of resident requests in 凤凰岭街道, written through the case services.

It reads the accounts, teams and held activities that portal's and outreach's seeders wrote,
and writes requests from every channel (those raised at research visits and on-site sessions,
200+ and 410+ solved) in all three classes; formal petitions with mediation, agreements (three
in the last weeks), extensions, refusals, a review, accusations and a case hidden from the grid
worker it names; today's spread of states (sign-for, bounced, overdue, supervised, due soon,
redone — once three times, under 督办); ~190 reception activities with ~60 requests.

Words and scenarios are ``data/*.toml``; ``plans`` decides the year's cases, ``story`` plays
them through ``petitions.services`` as a trusted caller (``trusted_caller()``: the per-step
scope query is skipped, the demo acting only within each account's scope or assignment;
``bulk_writing()``: lookups read once, any error aborts). Idempotent: when a case registered by
a demo account exists, nothing is written. Random from ``ctx.rng``, dates from ``ctx.today``.
"""

import contextlib
from datetime import datetime, time, timedelta
from random import Random

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from petitions import services
from petitions.demo import plans, receptions
from petitions.demo.story import Stop, Story
from petitions.demo.world import DEMO_ACCOUNTS, People, World, data
from petitions.models import Case, Category, Reception, ReplyTemplate
from petitions.public.submission import register_error_report
from petitions.stats import reception_totals
from portal import clock
from portal.formats import cn_date, cn_period
from portal.pagetitles import Page
from portal.periods import year_back
from portal.seeding import SeedContext

__all__ = ["seed"]

CASE_STAGES = 4  # the cases come in four stretches of the year, in the order they arrived
STAGES = 1 + CASE_STAGES
RECEPTIONS = "信访接待（一年的记录和近期安排）"
LOCAL = timezone.get_default_timezone()  # the portal's days (clock.now() is in UTC)


@transaction.atomic
def seed(ctx: SeedContext) -> None:
    """Write the demo year of receptions and cases once, and print the summary."""
    categories = {c.name: c for c in Category.objects.all()}
    for row in data("replies")["template"]:
        defaults = {"category": categories.get(row.get("category", "")), "text": row["text"]}
        ReplyTemplate.objects.get_or_create(title=row["title"], defaults=defaults)
    start, end = year_back(ctx.today)
    cut = [start + (end - start) * n / CASE_STAGES for n in range(CASE_STAGES)]
    cut.append(end + timedelta(days=1))
    stretches = [(cut[n], cut[n + 1] - timedelta(days=1)) for n in range(CASE_STAGES)]
    names = [RECEPTIONS, *(f"诉求（{cn_period(*s)}收到的）" for s in stretches)]
    if Case.objects.filter(registered_by__username__in=DEMO_ACCOUNTS).exists():
        for name in names:
            with ctx.stage(name) as stage:
                stage.done("已有演示诉求，未重复生成")
        return ctx.report_at_end(lambda: report(ctx, note="（已有演示诉求，未重复生成）"))
    tomorrow = datetime.combine(ctx.today + timedelta(days=1), time(), LOCAL)
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
                    if first <= timezone.localtime(plan["moment"]).date() <= last:
                        with contextlib.suppress(Stop):
                            Story(world, plan).play()
                if (first, last) == stretches[-1]:
                    error_report(world)  # filed last evening
                stage.done(f"{Case.objects.count() - before:,} 件")
    ctx.report_at_end(lambda: report(ctx, photos=photos))


def error_report(world: World) -> None:
    """One 网站纠错 report, about the page of the next public reception, filed the evening
    before through the public form's function: it waits, 3 working days, in the editors' queue."""
    upcoming = Reception.objects.public().upcoming(world.horizon).order_by("starts_at").first()
    if upcoming is None:
        return
    row = data("intake")["error_report"]
    # Its own random stream, so the year's cases come out as without it.
    resident = People(Random(f"error-report {world.today}")).new(None)
    page = Page(
        path=reverse("petitions:reception-detail", args=[upcoming.pk]), title=upcoming.title
    )
    with clock.frozen(world.horizon - timedelta(hours=row["hours_ago"])):
        register_error_report(
            page,
            problem=row["problem"].format(venue=upcoming.venue),
            correction=row["correction"],
            name=resident.name,
            phone=resident.phone,
        )


def report(ctx: SeedContext, *, note: str = "", photos: int = 0) -> None:
    cases, settled = Case.objects.all(), ("concluded", "visited", "archived")
    start, end = year_back(ctx.today)
    solved = cases.filter(status__in=settled, received_at__date__range=(start, end))
    research, onsite = (solved.filter(channel=c).count() for c in ("research", "onsite"))
    ctx.out.write(
        f"  诉求（截至{cn_date(ctx.today)}的全部记录）：共 {cases.count():,} 件，"
        f"办结 {cases.filter(status__in=settled).count():,}，"
        f"超期 {cases.overdue(ctx.today).count():,}，"
        f"督办 {cases.filter(is_supervised=True).count():,}{note}\n"
        f"  {cn_period(start, end)}收到并已办结的：调查研究发现 {research:,} 件，"
        f"现场办公 {onsite:,} 件\n"
    )
    held = reception_totals(start=start, end=end)
    ctx.out.write(
        f"  信访接待（{cn_period(start, end)}举行的，含未公开的）：{held.events:,} {held.unit}，"
        f"接待群众 {held.residents_served:,} 人次，现场登记诉求 {held.cases_opened:,} 件"
        + (f"，照片 {photos} 张" if photos else "")
        + "\n"
    )
