"""Which cases the year brings, as ``Plan``s for the player (``story``): the problems found on
research visits, the requests taken at on-site sessions and receptions, the other channels,
ledger requests settled by meeting decisions, long-term follow-ups, formal petitions and
today's spread of states. The words come from data/*.toml; the scripts say how each goes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from petitions.demo.story import Plan, Run
from petitions.demo.world import (
    COMMUNITY_SECRETARY,
    GRID_WORKER,
    MEDIATOR,
    SECRETARY,
    working,
    working_days_back,
)
from petitions.models import CaseKind, Channel, LeadershipDecision
from portal.demo import texts

DATA = "petitions.demo"


def data(name: str) -> dict[str, Any]:
    return texts(DATA, name)


@dataclass
class Decision:
    """A decision a ledger request can wait for."""

    day: date
    meeting: str  # "6月12日凤凰岭社区人民议事协商会"
    text: str
    pattern: str  # what it settles ("" = anything on the ledger)
    community_id: int | None = None
    deliberation: Any = None
    leadership: Any = None


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def weighted(run: Run, weights: dict[str, int]) -> str:
    return run.rng.choices(list(weights), weights=list(weights.values()))[0]


def category_of(run: Run, text: str, channel: str) -> str:
    for pattern, category in data("intake")["keywords"].items():
        if text and re.search(pattern, text):
            return category
    return weighted(run, data("intake")["categories"][channel])


def issue(run: Run, category: str, month: int, *, spot: bool = False, reception: bool = False, keyword: str = "") -> dict[str, Any]:
    pool = [i for i in data("issues")["issue"] if i["category"] == category and (reception or not i.get("reception"))]
    for narrower in (
        lambda i: keyword in i["title"],
        lambda i: month in i.get("months", [month]),
        lambda i: bool(i.get("spot")) or not spot,
    ):
        pool = [i for i in pool if narrower(i)] or pool
    return run.rng.choice(pool)


def staff(run: Run, channel: str, grid: Any) -> dict[str, Any]:
    """Registrar, manager (accepts and assigns) and handler: the one-stop window's are the
    secretary's; online requests come with no staff actor; the rest are the grid's."""
    world = run.world
    if channel == Channel.ONLINE:
        return {"registrar": None, "manager": SECRETARY, "handler": world.handler(grid)}
    if channel in data("intake")["street_level"]:
        return {"registrar": SECRETARY, "manager": SECRETARY, "handler": world.handler(grid, grid_level=False)}
    return {"registrar": world.registrar(grid), "manager": world.manager(grid), "handler": world.handler(grid)}


def moment(run: Run, day: date, channel: str = "", hours: tuple[int, int] = (9, 17)) -> datetime:
    minutes = run.rng.randint(hours[0] * 60, hours[1] * 60 - 1)
    if channel == Channel.ONLINE:
        minutes = run.rng.randint(6 * 60, 23 * 60 + 50)
    else:
        day = working(day)
    return run.world.at(day, minutes // 60, minutes % 60)


def pick_grid(run: Run) -> Any:
    """Requests lean to the communities where the demo accounts work."""
    grids = run.world.grids
    return run.rng.choices(grids, weights=[2 if len(run.world.covering(g)) > 1 else 1 for g in grids])[0]


def request(run: Run, when: datetime, channel: str, category: str, grid: Any, compound: Any, *, spot_odds: float = 0, **fields: Any) -> Plan:
    """An everyday request: settled on the spot when it can be, else handled."""
    spot = run.rng.random() < spot_odds
    words = fields.pop("words", None) or issue(run, category, when.month, spot=spot, reception=channel == Channel.RECEPTION)
    script = "spot" if spot and words.get("spot") else ("online" if channel == Channel.ONLINE else "ordinary")
    return Plan(when, script, channel, category, grid, compound, words, **{**staff(run, channel, grid), **fields})


# -- research visits and on-site sessions ----------------------------------------------------


def research(run: Run, found: list[Decision]) -> list[Plan]:
    rng, intake = run.rng, data("intake")
    visits, plans = run.world.visits, []
    diaries = {v.pk: [m.groups() for m in map(re.compile(intake["diary_line"]).match, (v.diary or "").splitlines()) if m] for v in visits}
    extra = dict.fromkeys(diaries, 0)
    for _ in range(max(0, intake["research"] - sum(map(len, diaries.values())))):
        if visits:
            extra[rng.choice(visits).pk] += 1
    for visit in visits:
        lead = visit.lead_official.user.username if visit.lead_official_id else None
        where = {"grid": visit.grid, "compound": visit.compound}
        items = [*diaries[visit.pk], *[None] * extra[visit.pk]]
        for n, problem in enumerate(items, start=1):
            when = visit.starts_at + timedelta(minutes=n * rng.randint(8, 20))
            if problem is None:
                category = category_of(run, "", Channel.RESEARCH)
                plan = request(run, when, Channel.RESEARCH, category, **where, spot_odds=intake["spot"]["research"])
                plans.append(plan)
                plan.registrar, plan.register = run.world.registrar(visit.grid, lead), {"field_visit": visit}
                continue
            text, klass, handling = problem
            day = local_day(visit.starts_at)
            values = {"text": text, "handling": handling, "place": visit.compound.name if visit.compound else ""}
            values["visited"] = intake["diary_words"]["visited"].format(month=day.month, day=day.day, **values)
            words = {k: v.format(**values) for k, v in intake["diary_words"].items()}
            words["title"] = text.split("，")[0][:80]
            script = intake["diary"][klass]
            plan = request(run, when, Channel.RESEARCH, category_of(run, text, Channel.RESEARCH), **where, words=words)
            plan.registrar, plan.register = run.world.registrar(visit.grid, lead), {"field_visit": visit}
            plan.script = script
            if script == "ledger":
                plan.handler = run.world.handler(visit.grid, grid_level=False)
                plan.extra["decision"] = matching(found, text, visit.community_id, day)
            elif script == "long_term":
                plan.register["followup_interval_days"] = 30
                plan.extra["steps"] = [words["step"]] * 2
            plans.append(plan)
    return plans


def onsite(run: Run) -> list[Plan]:
    """A few requests per held session, most settled there and then or within days."""
    rng, intake, sessions = run.rng, data("intake"), run.world.sessions
    caps, counts = {}, {}
    for session in sessions:
        found = re.search(intake["session_figure"], session.summary or "")
        caps[session.pk] = int(found.group(1)) if found else intake["per_session"]
        counts[session.pk] = min(caps[session.pk], rng.choice([1, 1, 2, 2, 2]))
    room = [s.pk for s in sessions for _ in range(caps[s.pk] - counts[s.pk])]
    rng.shuffle(room)
    for pk in room[: max(0, intake["onsite"] - sum(counts.values()))]:
        counts[pk] += 1
    plans = []
    for session in sessions:
        for _ in range(counts[session.pk]):
            when = session.starts_at + timedelta(minutes=rng.randint(5, 110))
            compound = session.compound or run.world.compound_in(session.grid, rng)
            category = category_of(run, session.summary if rng.random() < 0.7 else "", Channel.ONSITE)
            plan = request(run, when, Channel.ONSITE, category, session.grid, compound, spot_odds=intake["spot"]["onsite"])
            plan.register = {"onsite_session": session}
            plans.append(plan)
    return plans


# -- the other channels, ledger and long-term requests ----------------------------------------


def channels(run: Run) -> list[Plan]:
    rng, intake, world = run.rng, data("intake"), run.world
    plans = []
    for channel, count in intake["per_year"].items():
        for _ in range(count):
            grid = pick_grid(run)
            when = moment(run, world.start + timedelta(days=rng.randint(1, 365)), channel, (8 if channel == "phone" else 9, 17))
            category = weighted(run, intake["categories"][channel])
            plan = request(run, when, channel, category, grid, world.compound_in(grid, rng), spot_odds=intake["spot"].get(channel, 0))
            if channel == Channel.REFERRAL:
                plan.words = {**plan.words, "content": data("petitions")["notes"]["referral"] + plan.words["content"]}
            plan.extra["respondent"] = category == "邻里纠纷" and rng.random() < 0.5
            plan.visitor = plan.manager if channel != Channel.ONLINE or rng.random() < 0.4 else None
            if channel in intake["street_level"] and rng.random() < 0.2:
                plan.extra["co"] = (plan.manager,)
            plans.append(plan)
    return plans


def leadership(run: Run) -> list[LeadershipDecision]:
    """The sub-district's meetings: themed decisions about every six weeks, and a monthly
    review of the research and on-site ledger."""
    world, rng, ledger = run.world, run.rng, data("ledger")
    rows = [(working(world.start + timedelta(days=20 + n * 42)), t["meeting"], t["text"]) for n, t in enumerate(ledger["theme"])]
    month = world.start.replace(day=1)
    while month < world.today:
        day = working(month + timedelta(days=rng.randint(3, 9)))
        if world.start < day < world.today:
            rows.append((day, ledger["words"]["monthly_meeting"], ledger["words"]["monthly_review"].format(month=day.month)))
        month = (month + timedelta(days=32)).replace(day=1)
    secretary = world.users[SECRETARY]
    return LeadershipDecision.objects.bulk_create(
        [LeadershipDecision(meeting=m, held_on=d, text=t, recorded_by=secretary) for d, m, t in sorted(rows) if d < world.today]
    )


def decisions(run: Run) -> list[Decision]:
    ledger = data("ledger")
    found = []
    for meeting in run.world.meetings:
        day = local_day(meeting.starts_at)
        label = ledger["words"]["meeting_label"].format(month=day.month, day=day.day, community=meeting.community.name)
        for decision in sorted(meeting.decisions.all(), key=lambda d: (d.sort_order, d.pk)):
            found.append(Decision(day, label, decision.text, meeting.title + decision.text, meeting.community_id, decision))
    themes = {t["text"]: t["pattern"] for t in ledger["theme"]}
    for row in leadership(run):
        theme = themes.get(row.text, "")
        text = row.text if theme else row.text.split("：", 1)[-1]
        found.append(Decision(row.held_on, f"{row.held_on.month}月{row.held_on.day}日{row.meeting}", text, theme, leadership=row))
    return found


def matching(found: list[Decision], text: str, community_id: int, after: date) -> Decision | None:
    """The first decision after ``after`` on this matter: a deliberation in the community, a
    themed decision of the sub-district, else the next monthly ledger review."""
    later = [d for d in found if after + timedelta(days=2) <= d.day <= after + timedelta(days=75)]
    patterns = [m["pattern"] for m in data("ledger")["matter"]]
    for d in later:
        if d.deliberation is not None and d.community_id == community_id:
            if any(re.search(p, d.pattern) and re.search(p, text) for p in patterns):
                return d
    themed = (d for d in later if d.leadership is not None and d.pattern and re.search(d.pattern, text))
    reviews = (d for d in later if d.leadership is not None and not d.pattern)
    return next(themed, None) or next(reviews, None)


def ledger_request(run: Run, when: datetime, channel: str, grid: Any, compound: Any, matter: dict[str, Any], decision: Decision | None) -> Plan:
    words = data("ledger")["words"]
    review = decision is not None and decision.leadership is not None and not decision.pattern
    prefix = "review_" if review else ""
    plan_words = {**matter, "result": words[prefix + "result"], "reply": words[prefix + "reply"]}
    plan = Plan(when, "ledger", channel, matter["category"], grid, compound, plan_words, **staff(run, channel, grid))
    plan.handler = run.world.handler(grid, grid_level=False)
    plan.extra["decision"] = decision
    return plan


def ledger_cases(run: Run, found: list[Decision]) -> list[Plan]:
    """Requests put to a deliberation meeting in their compound, and those the sub-district's
    themed meetings settled."""
    rng, world, ledger, plans = run.rng, run.world, data("ledger"), []
    for meeting in world.meetings:
        matter = next((m for m in ledger["matter"] if re.search(m["pattern"], meeting.title)), None)
        if matter is None:
            topic = re.sub(r"(人民)?议事协商会?$", "", meeting.title) or meeting.title
            words = ledger["words"]
            matter = {"category": "其他", "title": words["fallback_title"], "content": words["fallback_content"]}
            matter = {**matter, "title": matter["title"].replace("{topic}", topic), "content": matter["content"].replace("{topic}", topic)}
        first = next(d for d in found if d.deliberation is not None and d.deliberation.deliberation_id == meeting.pk)
        for _ in range(rng.randint(1, 2)):
            day = local_day(meeting.starts_at) - timedelta(days=rng.randint(6, 40))
            channel = rng.choice([Channel.VISIT, Channel.PHONE, Channel.PATROL, Channel.LETTER])
            if day > world.start:
                plan = ledger_request(run, moment(run, day, channel), channel, meeting.grid, meeting.compound, matter, first)
                plans.append(plan)
    for theme in ledger["theme"]:
        matter = next((m for m in ledger["matter"] if re.search(theme["pattern"], m["pattern"] + m["title"])), None)
        decision = next((d for d in found if d.leadership is not None and d.pattern == theme["pattern"]), None)
        if matter is None or decision is None or decision.day - timedelta(days=25) <= world.start:
            continue
        grid = pick_grid(run)
        day = decision.day - timedelta(days=rng.randint(5, 25))
        plan = ledger_request(run, moment(run, day), Channel.PATROL, grid, world.compound_in(grid, rng), matter, decision)
        plans.append(plan)
    return plans


def long_term(run: Run) -> list[Plan]:
    rng, world, items, plans = run.rng, run.world, data("ledger")["long_term"], []
    for n in range(data("intake")["long_term"]):
        item = items[n % len(items)]
        miss = len(item["steps"]) // 2 + 1 if n % 3 == 0 else None
        if miss is not None:  # notes on time, the last about 1.6 intervals ago
            back = (miss - 1) * (item["interval"] + 2) + 7 + int(1.6 * item["interval"]) + n % 4
            day = world.today - timedelta(days=back)
        else:
            day = world.start + timedelta(days=rng.randint(1, 270))
        grid = pick_grid(run)
        plan = Plan(moment(run, max(day, world.start + timedelta(days=1))), "long_term", Channel.VISIT, item["category"], grid, world.compound_in(grid, rng), item, **staff(run, Channel.VISIT, grid))
        plan.register["followup_interval_days"] = item["interval"]
        plan.extra.update(steps=item["steps"], miss_after=miss)
        plans.append(plan)
    return plans


# -- formal petitions ------------------------------------------------------------------------


def petitions(run: Run) -> list[Plan]:
    rng, world, words, plans = run.rng, run.world, data("petitions"), []
    disputes = words["dispute"]
    fates = [row["script"] for row in data("scripts")["petition"] for _ in range(row["count"])]
    days = [row["days"] for row in data("scripts")["petition"] for _ in range(row["count"])]
    for n, (script, back) in enumerate(zip(fates, days, strict=True)):
        dispute, grid = disputes[n % len(disputes)], pick_grid(run)
        channel = rng.choice([Channel.VISIT] * 5 + [Channel.LETTER] * 2 + [Channel.REFERRAL] * 2)
        when = moment(run, world.today - timedelta(days=rng.randint(*back)))
        plan = Plan(when, script, channel, dispute["category"], grid, world.compound_in(grid, rng), dispute, SECRETARY, SECRETARY, world.handler(grid, grid_level=False), visitor=SECRETARY, kind=CaseKind.PETITION)
        team = "邻里凤姐" if grid.community.code == "fenghuangling" and rng.random() < 0.6 else "和为贵"
        plan.extra.update(
            respondent=True,
            mediators=(MEDIATOR,),
            members=world.teams.get(team) or world.teams["和为贵"],
            present=words["notes"]["mediation_parties"].format(respondent=dispute["respondent"]),
            converser=rng.choice([plan.handler, MEDIATOR]),
        )
        plans.append(plan)
    for n, refusal in enumerate(words["refusal"]):
        grid = pick_grid(run)
        when = moment(run, world.today - timedelta(days=rng.randint(20, 300)))
        channel = Channel.VISIT if n % 2 else Channel.LETTER
        plan = Plan(when, "refused", channel, refusal["category"], grid, world.compound_in(grid, rng), refusal, SECRETARY, SECRETARY, SECRETARY, kind=CaseKind.PETITION)
        plan.extra["reason"] = refusal["reason"]
        plans.append(plan)
    for accusation in words["accusation"]:
        grid = pick_grid(run)
        when = moment(run, world.today - timedelta(days=rng.randint(*accusation["days"])))
        plan = Plan(when, "accusation", Channel.LETTER, accusation["category"], grid, world.compound_in(grid, rng), accusation, SECRETARY, SECRETARY, SECRETARY, visitor=SECRETARY, kind=CaseKind.PETITION)
        plan.register["is_accusation"] = True
        plans.append(plan)
    worker = world.profiles[GRID_WORKER]
    grid = worker.grids.first() or pick_grid(run)
    manager = world.manager(grid)
    when = moment(run, working_days_back(world.today, 3))
    plan = Plan(when, "exclusion", Channel.VISIT, words["exclusion"]["category"], grid, world.compound_in(grid, rng), words["exclusion"], manager, manager, manager)
    plan.register["named_staff"] = [world.users[GRID_WORKER]]
    return [*plans, plan]


# -- today's spread --------------------------------------------------------------------------


def today(run: Run) -> list[Plan]:
    rng, world, plans = run.rng, run.world, []
    for row in data("scripts")["today"]:
        handler = row["handler"]
        for channel in row.get("channels", ["phone"]):
            grids = [g for g in world.grids if world.handler(g) == handler] or world.grids
            grid = rng.choice(grids)
            if "back" in row:
                day = working_days_back(world.today, rng.randint(*row["back"]))
            else:
                day = world.today - timedelta(days=rng.randint(*row["days"]))
            when = moment(run, day, channel, (9, 11))
            category = rng.choice(row.get("categories") or ["环境卫生", "市政设施", "物业纠纷", "消防通道/停车"])
            words = issue(run, category, when.month, keyword=row.get("keyword", ""))
            plan = Plan(when, row["script"], channel, category, grid, world.compound_in(grid, rng), words, **staff(run, channel, grid))
            plan.handler = handler
            plan.extra.update(reassign=row.get("reassign"), bounce=data("petitions")["bounce"].get(category, ""))
            plans.append(plan)
    return plans


# -- requests registered at receptions -------------------------------------------------------


def reception_cases(run: Run, held: list[tuple[Any, int]]) -> list[Plan]:
    """As many per reception as its summary says, while it was on, in its place; disputes at a
    mediation reception go to the mediators who were there."""
    rng, world, words, plans = run.rng, run.world, data("receptions"), []
    for reception, count in held:
        leaders = {p.user.username for p in reception.officials.all()}
        qualified = {m.pk for team in ("和为贵", "邻里凤姐") for m in world.teams.get(team, [])}
        there = [a for a in reception.advisers.all() if a.pk in qualified]
        span = int((reception.ends_at - reception.starts_at).total_seconds() // 60)
        for _ in range(count):
            grid = reception.grid or rng.choice([g for g in world.grids if g.community_id == reception.community_id])
            compound = reception.compound or world.compound_in(grid, rng)
            when = reception.starts_at + timedelta(minutes=rng.randint(10, max(11, span - 10)))
            category = weighted(run, words["categories"][reception.kind])
            plan = request(run, when, Channel.RECEPTION, category, grid, compound, spot_odds=words["on_the_spot"][reception.kind])
            plan.register = {"reception": reception}
            if SECRETARY in leaders or ("baopian" in leaders and "baopian" in world.covering(grid)):
                lead = SECRETARY if SECRETARY in leaders else "baopian"
                plan.registrar = plan.manager = lead
                plan.handler = world.handler(grid, grid_level=False)
            else:
                plan.registrar = world.registrar(grid, prefer=COMMUNITY_SECRETARY)
            members = there or world.teams.get("邻里凤姐" if grid.community.code == "fenghuangling" else "和为贵") or []
            mediation = reception.kind == "mediation" or rng.random() < 0.5
            if plan.script != "spot" and category in ("邻里纠纷", "婚姻家庭") and members and mediation:
                pools = data("petitions")["pools"]
                plan.script = "mediated"
                plan.words = {**plan.words, "sessions": [rng.choice(pools["mediation_talks"]) for _ in range(rng.choice([0, 1, 1]))] + [rng.choice(pools["mediation_settled"])]}
                plan.extra.update(mediators=(MEDIATOR,), members=members, respondent=category == "邻里纠纷", present=data("petitions")["parties_present"][category])
            plans.append(plan)
    return plans
