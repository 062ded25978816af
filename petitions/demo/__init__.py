"""Demo cases: a year of resident requests in 凤凰岭街道, written through the case services.

What one run writes (``seed_demo`` runs portal's and outreach's seeders first, so the demo
accounts, the mediation teams and the year of held activities exist):

- the problems found on the research visits (调查研究, from each visit's 民情日志, 200+ solved)
  and the requests taken at the on-site sessions (现场办公, 410+ solved), linked to them;
- requests from the other channels (来访, 来信, 来电, 网上 with no staff actor, 网格巡查,
  上级转办) in all three classes: 当场解决, 台账 settled by a deliberation decision of the
  outreach demo or a sub-district meeting decision written here, and 长期跟踪 with progress
  notes (a few with a follow-up missed just now);
- formal petitions (信访事项) mediated by 和为贵 and 邻里凤姐, with agreements (three signed in
  the last weeks, so the 30-day 司法确认 reminder is live), conversations and 事心双解, extensions
  approved by the party secretary, refusals with reasons, a review request, accusations
  handled by the party secretary and a case hidden from the grid worker it names;
- today's spread of states: waiting for the grid worker's and the community secretary's
  sign-for, bounced and reassigned, overdue (two supervised by the district inspector), due in
  the next days, redone after 不满意 (one three times, so under 督办).

History is written as it happened: ``clock.frozen`` makes the services believe it is the
moment of each step, so timestamps, timeline entries and deadlines carry the historical moment
(see ``story``). Steps whose moment has not come yet are not taken, so the newest requests are
naturally still open.

- 信访接待下基层 (``receptions``): a year of leaders' reception days, lawyers' office hours,
  legal talks and mediation days in the five communities (190+ held, a few cancelled, four
  planned in the next weeks, photos on about twenty), and the ~60 requests registered at them
  (``reception_cases``), played with the rest.

Idempotence: the marker of the cases is any case registered by a demo account, that of the
receptions any reception registered by one. When both exist, nothing is written and only the
summary is printed; a database seeded before receptions existed gets them (and their requests)
on the next run. (``--scale`` volume for benchmarks is ``petitions.volume``'s, not the demo's.)

Everything random comes from ``ctx.rng`` and every date from ``ctx.today`` — except tracking
codes, which come from ``secrets`` as always: a predictable code would let anyone read a case.
Texts name no resident and no phone number; residents, phone numbers (13x000xxxxx) and ID
numbers (valid check digits) are invented.

Layout: ``content_*`` hold the texts; ``research``, ``onsite``, ``intake``, ``formal`` and
``scenarios`` plan the cases of each source; ``story`` and ``lifecycle`` play them through the
services; ``ledger`` handles meeting decisions and long-term follow-up; ``receptions`` writes the
reception activities (``reception_photos`` their photos) and ``reception_cases`` plans their
requests.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from petitions.demo import (
    formal,
    intake,
    onsite,
    reception_cases,
    receptions,
    research,
    scenarios,
)
from petitions.demo.clock import Clock, fast_services, frozen
from petitions.demo.ledger import decisions, leadership_decisions
from petitions.demo.people import People
from petitions.demo.refs import DEMO_ACCOUNTS, load
from petitions.demo.replies import ensure_reply_templates
from petitions.demo.story import Run, run_plans
from petitions.models import Case, CaseStatus, Channel, Reception
from petitions.stats import reception_totals
from portal.demo import SeedContext
from portal.formats import cn_date, cn_period
from portal.periods import year_back

__all__ = ["seed"]

SETTLED = (CaseStatus.CONCLUDED, CaseStatus.VISITED, CaseStatus.ARCHIVED)


def already_seeded() -> bool:
    return Case.objects.filter(registered_by__username__in=DEMO_ACCOUNTS).exists()


# Progress stages this module reports (see SeedContext.stage): the receptions, then the
# cases in four stretches of the year, in the order they arrived (the longest part).
CASE_STAGES = 4
STAGES = 1 + CASE_STAGES


@transaction.atomic
def seed(ctx: SeedContext) -> None:
    """Write the demo year of receptions and cases once (see the module docstring) and print
    the summary."""
    ensure_reply_templates()
    cases_before, receptions_before = already_seeded(), receptions.already_seeded()
    refs = load(ctx.today)
    clock = Clock()
    end_of_today = datetime.combine(ctx.today + timedelta(days=1), time(), tzinfo=refs.tz)
    horizon = min(clock.real_now(), end_of_today) - timedelta(minutes=5)
    run = Run(refs=refs, rng=ctx.rng, clock=clock, horizon=horizon, people=People(ctx.rng))
    written = receptions.Written(held=[], photos=0)
    with ctx.stage("信访接待（一年的记录和近期安排）") as stage:
        if receptions_before:
            stage.done("已有演示信访接待，未重复生成")
        else:
            written = receptions.write_year(refs, ctx.rng)
            count = Reception.objects.count()
            stage.done(
                f"{count:,} {Reception.unit_for(count)}（含计划、取消的），照片 {written.photos} 张"
            )
    stretches = _stretches(ctx.today)
    if cases_before and receptions_before:
        for start, end in stretches:
            with ctx.stage(f"诉求（{cn_period(start, end)}收到的）") as stage:
                stage.done("已有演示诉求，未重复生成")
        ctx.report_at_end(lambda: _report(ctx, note="（已有演示诉求，未重复生成）"))
        return
    with frozen(clock), fast_services():
        plans = reception_cases.plans(run, written.held)
        if not cases_before:
            found = decisions(refs, leadership_decisions(run))
            plans += [
                *research.plans(run, found),
                *onsite.plans(run),
                *intake.plans(run, found),
                *formal.plans(run),
                *scenarios.plans(run),
            ]
    # In the order the requests arrived (as run_plans plays them), a stretch at a time.
    arrived = [plan for _, plan in sorted(enumerate(plans), key=lambda p: (p[1].moment, p[0]))]
    for number, (start, end) in enumerate(stretches, start=1):
        first, last = number == 1, number == len(stretches)
        with ctx.stage(f"诉求（{cn_period(start, end)}收到的）") as stage:
            stretch = [
                plan
                for plan in arrived
                if (first or _day(plan, refs) >= start) and (last or _day(plan, refs) <= end)
            ]
            before = Case.objects.count()
            with frozen(clock), fast_services():
                run_plans(run, stretch)
            # What the stretch wrote, not how many plans it played: on some days one plan writes
            # a case more (the count then disagreed with the total by one).
            wrote = Case.objects.count() - before
            stage.done(f"{wrote:,} 件")
    note = ""
    if cases_before:
        note = "（已有演示诉求，仅补充信访接待）"
    ctx.report_at_end(lambda: _report(ctx, note=note, photos=written.photos))


def _stretches(today: date) -> list[tuple[date, date]]:
    """The demo year (see portal.periods.year_back) cut into CASE_STAGES stretches of days."""
    start, end = year_back(today)
    days = (end - start).days + 1
    bounds = [start + timedelta(days=days * i // CASE_STAGES) for i in range(CASE_STAGES + 1)]
    return [(bounds[i], bounds[i + 1] - timedelta(days=1)) for i in range(CASE_STAGES)]


def _day(plan: Any, refs: Any) -> date:
    return timezone.localtime(plan.moment, refs.tz).date()


def _report(ctx: SeedContext, *, note: str = "", photos: int = 0) -> None:
    counts = Case.objects.aggregate(
        total=_count(),
        research=_count(Q(channel=Channel.RESEARCH)),
        onsite=_count(Q(channel=Channel.ONSITE)),
        settled=_count(Q(status__in=SETTLED)),
        supervised=_count(Q(is_supervised=True)),
    )
    overdue = Case.objects.overdue(ctx.today).count()
    as_of = cn_date(ctx.today)
    ctx.out.write(
        f"  诉求（截至{as_of}的全部记录）：共 {counts['total']:,} 件"
        f"（调查研究 {counts['research']:,}，现场办公 {counts['onsite']:,}），"
        f"办结 {counts['settled']:,}，超期 {overdue:,}，督办 {counts['supervised']:,}{note}\n"
    )
    start, end = year_back(ctx.today)
    held = reception_totals(start=start, end=end)
    ctx.out.write(
        f"  信访接待（{cn_period(start, end)}举行的，含未公开的）：{held.events:,} {held.unit}，"
        f"接待群众 {held.residents_served:,} 人次，现场登记诉求 {held.cases_opened:,} 件"
        + (f"，照片 {photos} 张" if photos else "")
        + "\n"
    )


def _count(condition: Q | None = None) -> Count:
    return Count("pk", filter=condition)
