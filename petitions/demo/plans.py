"""Which cases the year brings, as ``Plan``s for the player: problems found on research
visits, requests taken at on-site sessions and receptions, the other channels, ledger requests
settled by meeting decisions, long-term follow-ups, and the cases data/scripts.toml lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from petitions.demo.story import Plan, Run
from petitions.demo.world import SECRETARY, working, working_days_back
from petitions.models import LeadershipDecision
from portal.demo import texts

PLAN_FIELDS = {f.name for f in fields(Plan)}


def data(name: str) -> dict[str, Any]:
    return texts("petitions.demo", name)


@dataclass
class Decision:
    """A decision a ledger request can wait for; ``pattern``: the matters it settles ("": any,
    the monthly review of the ledger)."""

    day: date
    meeting: str
    text: str
    pattern: str
    community_id: int | None = None
    deliberation: Any = None
    leadership: Any = None


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def weighted(run: Run, weights: dict[str, int]) -> str:
    return run.rng.choices(list(weights), weights=list(weights.values()))[0]


def category_of(run: Run, text: str, channel: str) -> str:
    """The category an activity's words point to, else one the channel often brings."""
    found = (c for p, c in data("intake")["keywords"].items() if text and re.search(p, text))
    return next(found, None) or weighted(run, data("intake")["categories"][channel])


def issue(run: Run, category: str, month: int, spot: bool = False, keyword: str = "") -> Any:
    """An issue of the category; the narrower choice (reception-only, keyword, season, can be
    settled on the spot) wherever one fits."""
    pool = [i for i in data("issues")["issue"] if i["category"] == category]
    for fits in (
        lambda i: not i.get("reception") or spot is None,
        lambda i: keyword in i["title"],
        lambda i: month in i.get("months", [month]),
        lambda i: bool(i.get("spot")) or not spot,
    ):
        pool = [i for i in pool if fits(i)] or pool
    return run.rng.choice(pool)


def moment(run: Run, day: date, channel: str = "", end: int = 17) -> datetime:
    """In office hours on ``day`` (or the next working day); online at any waking hour."""
    if channel == "online":
        return run.world.at(day, *divmod(run.rng.randint(6 * 60, 23 * 60 + 50), 60))
    return run.world.at(working(day), *divmod(run.rng.randint(9 * 60, end * 60 - 1), 60))


def plan(
    run: Run,
    when: datetime,
    script: str,
    channel: str,
    category: str,
    words: Any,
    grid: Any = None,
    compound: Any = ...,
    **given: Any,
) -> Plan:
    """A plan with the grid's staff (the one-stop window's are the secretary's; online ones
    come without a staff actor); ``given`` overrides them, what is not a Plan field goes to
    ``extra``. Without a grid: one, leaning to the communities the demo accounts cover."""
    world, rng = run.world, run.rng
    weights = [1 + (len(world.covering(g)) > 1) for g in world.grids]
    grid = grid or rng.choices(world.grids, weights=weights)[0]
    staff = {"registrar": world.registrar(grid), "manager": world.manager(grid)}
    staff["handler"] = world.handler(grid)
    if channel == "online":
        staff["registrar"], staff["manager"] = None, SECRETARY
    elif channel in data("intake")["street_level"]:
        staff = {"registrar": SECRETARY, "manager": SECRETARY, "handler": world.manager(grid)}
    compound = world.compound_in(grid, rng) if compound is ... else compound
    extra = {k: v for k, v in given.items() if k not in PLAN_FIELDS}
    staff |= {k: v for k, v in given.items() if k in PLAN_FIELDS}
    return Plan(when, script, channel, category, grid, compound, words, extra=extra, **staff)


def request(
    run: Run,
    when: datetime,
    channel: str,
    category: str,
    *where: Any,
    odds: float | None = None,
    **given: Any,
) -> Plan:
    """An everyday request: settled on the spot when it can be, else handled."""
    odds = data("intake")["spot"].get(channel, 0) if odds is None else odds
    spot = run.rng.random() < odds
    words = issue(run, category, when.month, None if channel == "reception" else spot)
    script = "online" if channel == "online" else "ordinary"
    script = "spot" if spot and words.get("spot") else script
    return plan(run, when, script, channel, category, words, *where, **given)


def research(run: Run, found: list[Decision]) -> list[Plan]:
    """Every problem a visit's 民情日志 lists, handled the way it says; small matters raised on
    the same visits make up the year's figure."""
    rng, intake, visits, plans = run.rng, data("intake"), run.world.visits, []
    diary = re.compile(intake["diary_line"])
    lines = {
        v.pk: [m.groups() for m in map(diary.match, v.diary.splitlines()) if m] for v in visits
    }
    more = dict.fromkeys(lines, 0)
    for _ in range(max(0, intake["research"] - sum(map(len, lines.values())))):
        more[rng.choice(visits).pk] += 1
    for visit in visits:
        lead = visit.lead_official.user.username if visit.lead_official_id else None
        day, where = local_day(visit.starts_at), (visit.grid, visit.compound)
        registrar = run.world.registrar(visit.grid, lead)
        for n, problem in enumerate([*lines[visit.pk], *[None] * more[visit.pk]], start=1):
            when, register = visit.starts_at + timedelta(minutes=n * rng.randint(8, 20)), {}
            register["field_visit"] = visit
            if problem is None:
                category = category_of(run, "", "research")
                found_plan = request(run, when, "research", category, *where, register=register)
                plans.append(found_plan)
                found_plan.registrar = registrar
                continue
            text, klass, handling = problem
            place = visit.compound.name if visit.compound else ""
            visited = intake["diary_visited"].format(month=day.month, day=day.day, place=place)
            said = {
                k: v.format(text=text, handling=handling, visited=visited)
                for k, v in intake["diary_words"].items()
            }
            said["title"], script = text.split("，")[0][:80], intake["diary"][klass]
            if script == "long_term":
                register["followup_interval_days"] = 30
            decision = matching(found, text, visit.community_id, day)
            category, steps = category_of(run, text, "research"), [said["step"]] * 2
            found_plan = plan(
                run,
                when,
                script,
                "research",
                category,
                said,
                *where,
                register=register,
                decision=decision,
                steps=steps,
            )
            found_plan.registrar = registrar
            if script != "spot":
                found_plan.handler = run.world.manager(visit.grid)
            plans.append(found_plan)
    return plans


def onsite(run: Run) -> list[Plan]:
    """A few requests per held session, never more than its summary says were collected."""
    rng, intake, sessions, plans = run.rng, data("intake"), run.world.sessions, []
    caps = {s.pk: re.search(intake["session_figure"], s.summary) for s in sessions}
    caps = {pk: int(found[1]) if found else intake["per_session"] for pk, found in caps.items()}
    counts = {pk: min(cap, rng.choice([1, 1, 2, 2, 2])) for pk, cap in caps.items()}
    room = [pk for pk, cap in caps.items() for _ in range(cap - counts[pk])]
    rng.shuffle(room)
    for pk in room[: max(0, intake["onsite"] - sum(counts.values()))]:
        counts[pk] += 1
    for session in sessions:
        for _ in range(counts[session.pk]):
            when = session.starts_at + timedelta(minutes=rng.randint(5, 110))
            category = category_of(run, session.summary if rng.random() < 0.7 else "", "onsite")
            where, register = (session.grid, session.compound or ...), {"onsite_session": session}
            plans.append(request(run, when, "onsite", category, *where, register=register))
    return plans


def channels(run: Run) -> list[Plan]:
    rng, intake, world, plans = run.rng, data("intake"), run.world, []
    referral = data("petitions")["notes"]["referral"]
    for channel, count in intake["per_year"].items():
        for _ in range(count):
            when = moment(run, world.start + timedelta(days=rng.randint(1, 365)), channel)
            category = weighted(run, intake["categories"][channel])
            respondent = category == "邻里纠纷" and rng.random() < 0.5
            found = request(run, when, channel, category, respondent=respondent)
            if channel == "referral":
                found.words = {**found.words, "content": referral + found.words["content"]}
            if channel == "online" and rng.random() < 0.6:
                found.visitor = None  # the resident rates it online
            if channel in intake["street_level"] and found.handler != SECRETARY:
                found.extra["co"] = (SECRETARY,) if rng.random() < 0.2 else ()
            plans.append(found)
    return plans


def decisions(run: Run) -> list[Decision]:
    """The outreach demo's deliberation decisions, and the sub-district's meetings written
    here: themed decisions about every six weeks and a monthly review of the ledger."""
    world, rng, ledger, found = run.world, run.rng, data("ledger"), []
    words = ledger["words"]
    for meeting in world.meetings:
        day, community = local_day(meeting.starts_at), meeting.community.name
        label = words["meeting_label"].format(month=day.month, day=day.day, community=community)
        for d in sorted(meeting.decisions.all(), key=lambda d: (d.sort_order, d.pk)):
            found.append(
                Decision(day, label, d.text, meeting.title + d.text, meeting.community_id, d)
            )
    rows = [
        (world.start + timedelta(days=20 + n * 42), t["meeting"], t["text"])
        for n, t in enumerate(ledger["theme"])
    ]
    month = world.start.replace(day=1)
    while month < world.today:
        review = words["monthly_review"].format(month=month.month)
        rows.append((month + timedelta(days=rng.randint(3, 9)), words["monthly_meeting"], review))
        month = (month + timedelta(days=32)).replace(day=1)
    rows = sorted((working(d), m, t) for d, m, t in rows if world.start < working(d) < world.today)
    by, themes = world.users[SECRETARY], {t["text"]: t["pattern"] for t in ledger["theme"]}
    made = [LeadershipDecision(meeting=m, held_on=d, text=t, recorded_by=by) for d, m, t in rows]
    for row in LeadershipDecision.objects.bulk_create(made):
        theme, day = themes.get(row.text, ""), row.held_on
        text = row.text if theme else row.text.split("：", 1)[-1]
        found.append(
            Decision(day, f"{day.month}月{day.day}日{row.meeting}", text, theme, None, None, row)
        )
    return found


def matching(found: list[Decision], text: str, community_id: int, after: date) -> Decision | None:
    """The first decision after ``after`` on this matter: a deliberation in the community, a
    themed decision of the sub-district, else the next monthly ledger review."""
    later = [d for d in found if after + timedelta(days=2) <= d.day <= after + timedelta(days=75)]
    patterns = [m["pattern"] for m in data("ledger")["matter"]]
    for d in later:
        ours = d.deliberation is not None and d.community_id == community_id
        if ours and any(re.search(p, d.pattern) and re.search(p, text) for p in patterns):
            return d
    themed = (d for d in later if d.leadership and d.pattern and re.search(d.pattern, text))
    return next(themed, None) or next((d for d in later if d.leadership and not d.pattern), None)


def ledger_cases(run: Run, found: list[Decision]) -> list[Plan]:
    """Requests put to a deliberation meeting in their compound, those the sub-district's
    themed meetings settled, and those followed for months (长期跟踪)."""
    rng, world, ledger, plans = run.rng, run.world, data("ledger"), []
    words, asked = ledger["words"], []  # (day, channel, matter, decision, grid, compound)
    for meeting in world.meetings:
        matter = next((m for m in ledger["matter"] if re.search(m["pattern"], meeting.title)), None)
        if matter is None:  # none of our matters fits: the request names the meeting's topic
            topic = re.sub(r"(人民)?议事协商会?$", "", meeting.title) or meeting.title
            matter = {"category": "其他", "title": words["fallback_title"]}
            matter["content"] = words["fallback_content"].replace("{topic}", topic)
            matter["title"] = matter["title"].replace("{topic}", topic)
        first = next(d for d in found if d.deliberation and d.deliberation.deliberation == meeting)
        for _ in range(rng.randint(1, 2)):
            day = first.day - timedelta(days=rng.randint(6, 40))
            channel = rng.choice(["visit", "phone", "patrol", "letter"])
            asked.append((day, channel, matter, first, meeting.grid, meeting.compound))
    for theme in ledger["theme"]:
        fits = (
            m for m in ledger["matter"] if re.search(theme["pattern"], m["pattern"] + m["title"])
        )
        decision = next((d for d in found if d.leadership and d.pattern == theme["pattern"]), None)
        if (matter := next(fits, None)) and decision:
            day = decision.day - timedelta(days=rng.randint(5, 25))
            asked.append((day, "patrol", matter, decision, None, ...))
    for day, channel, matter, decision, *where in asked:
        review = "review_" if decision.leadership and not decision.pattern else ""
        said = {**matter, "result": words[review + "result"], "reply": words[review + "reply"]}
        if day > world.start:
            when, category = moment(run, day, channel), matter["category"]
            found_plan = plan(
                run, when, "ledger", channel, category, said, *where, decision=decision
            )
            found_plan.handler = world.manager(found_plan.grid)
            plans.append(found_plan)
    for n in range(data("intake")["long_term"]):
        item = ledger["long_term"][n % len(ledger["long_term"])]
        day = world.start + timedelta(days=rng.randint(1, 270))
        miss = len(item["steps"]) // 2 + 1 if n % 3 == 0 else None
        if miss is not None:  # notes on time, the last about 1.6 intervals ago
            back = (miss - 1) * (item["interval"] + 2) + 7 + int(1.6 * item["interval"]) + n % 4
            day = max(world.today - timedelta(days=back), world.start + timedelta(days=1))
        given = {"register": {"followup_interval_days": item["interval"]}, "miss_after": miss}
        long = plan(run, moment(run, day), "long_term", "visit", item["category"], item, **given)
        long.handler, long.extra["steps"] = world.manager(long.grid), item["steps"]
        plans.append(long)
    return plans


def listed(run: Run) -> list[Plan]:
    """The cases data/scripts.toml lists one by one (see there)."""
    rng, world, words, plans = run.rng, run.world, data("petitions"), []
    for row in data("scripts")["case"]:
        handler, named, channels = row.get("handler"), row.get("named"), row.get("channels")
        grids = [g for g in world.grids if world.handler(g) == handler]
        for n in range(row.get("count", 1)):
            channel = (channels or ["phone"])[n % len(channels or ["phone"])]
            grid = world.profiles[named].grids.first() if named else None
            grid = grid or (rng.choice(grids) if grids else None)
            day = world.today - timedelta(days=rng.randint(*row.get("days", [0, 0])))
            if "back" in row:
                day = working_days_back(world.today, rng.randint(*row["back"]))
            when = moment(run, day, channel, 11)
            pool = words.get(row.get("words", ""))
            said = pool[(row.get("item", 0) + n) % len(pool)] if isinstance(pool, list) else pool
            categories = row.get("categories") or ["环境卫生", "市政设施", "物业纠纷"]
            category = said["category"] if said else rng.choice(categories)
            said = said or issue(run, category, when.month, keyword=row.get("keyword", ""))
            given = {"kind": row.get("kind", "ordinary"), "reassign": row.get("reassign")}
            given["register"] = dict(row.get("register", {}))
            staff = row.get("staff") or (world.manager(grid) if named else None)
            given |= (
                dict.fromkeys(("registrar", "manager", "handler", "visitor"), staff)
                if staff
                else {}
            )
            found = plan(run, when, row["script"], channel, category, said, grid, **given)
            found.handler = handler or found.handler
            if named:
                found.register["named_staff"] = [world.users[named]]
            if row.get("mediation"):
                home = found.grid.community.code == "fenghuangling" and rng.random() < 0.6
                present = words["notes"]["mediation_parties"].format(respondent=said["respondent"])
                found.visitor, found.extra["converser"] = (
                    SECRETARY,
                    rng.choice(["handler", "tiaojieyuan"]),
                )
                found.extra |= {
                    "members": world.teams["邻里凤姐" if home else "和为贵"],
                    "present": present,
                }
                found.extra["respondent"] = True
            plans.append(found)
    return plans


def reception_cases(run: Run, held: list[tuple[Any, int]]) -> list[Plan]:
    """As many per reception as its summary says, while it was on, in its place: the leader
    who received the resident takes it in hand; disputes go to the mediators who were there."""
    rng, world, words, pools = run.rng, run.world, data("receptions"), data("petitions")["pools"]
    mediators, plans = [*world.teams["和为贵"], *world.teams["邻里凤姐"]], []
    for reception, count in held:
        leaders = {p.user.username for p in reception.officials.all()}
        there = [a for a in reception.advisers.all() if a in mediators]
        minutes = int((reception.ends_at - reception.starts_at).total_seconds() // 60)
        for _ in range(count):
            grid = reception.grid or rng.choice(
                [g for g in world.grids if g.community_id == reception.community_id]
            )
            when = reception.starts_at + timedelta(minutes=rng.randint(10, max(11, minutes - 10)))
            category = weighted(run, words["categories"][reception.kind])
            odds, covering = words["on_the_spot"][reception.kind], world.covering(grid)
            lead = next((u for u in (SECRETARY, "baopian") if u in leaders & {*covering}), None)
            staff = {"registrar": lead or world.registrar(grid, prefer="sqshuji")}
            staff |= {"manager": lead, "handler": world.manager(grid)} if lead else {}
            where, register = (grid, reception.compound or ...), {"reception": reception}
            found = request(
                run, when, "reception", category, *where, odds=odds, register=register, **staff
            )
            members = (
                there
                or world.teams["邻里凤姐" if grid.community.code == "fenghuangling" else "和为贵"]
            )
            disputed = category in ("邻里纠纷", "婚姻家庭") and found.script != "spot"
            if disputed and (reception.kind == "mediation" or rng.random() < 0.5):
                talks = [rng.choice(pools["mediation_talks"]) for _ in range(rng.choice([0, 1, 1]))]
                found.words = {
                    **found.words,
                    "sessions": [*talks, rng.choice(pools["mediation_settled"])],
                }
                present = data("petitions")["parties_present"][category]
                found.script, found.extra = "mediated", {"members": members, "present": present}
                found.extra["respondent"] = category == "邻里纠纷"
            plans.append(found)
    return plans
