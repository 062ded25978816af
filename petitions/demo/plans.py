"""Which cases the year brings, as ``Plan``s for the player (``story``): problems found on the
research visits, requests taken at on-site sessions and receptions, the other channels, ledger
requests settled by meeting decisions, long-term follow-ups, formal petitions and today's
spread of states. Words and scenarios come from data/*.toml."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from petitions.demo.story import Plan, Run
from petitions.demo.world import GRID_WORKER, SECRETARY, working, working_days_back
from petitions.models import LeadershipDecision
from portal.demo import texts

PLAN_FIELDS = {f.name for f in fields(Plan)}
DISPUTES = ("邻里纠纷", "婚姻家庭")


def data(name: str) -> dict[str, Any]:
    return texts("petitions.demo", name)


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
    """The category an activity's words point to, else one the channel often brings."""
    for pattern, category in data("intake")["keywords"].items():
        if text and re.search(pattern, text):
            return category
    return weighted(run, data("intake")["categories"][channel])


def issue(
    run: Run, category: str, month: int, spot: bool, reception: bool, keyword: str = ""
) -> dict[str, Any]:
    issues = data("issues")["issue"]
    pool = [
        i for i in issues if i["category"] == category and (reception or not i.get("reception"))
    ]
    for fits in (
        lambda i: keyword in i["title"],
        lambda i: month in i.get("months", [month]),
        lambda i: bool(i.get("spot")) or not spot,
    ):
        pool = [i for i in pool if fits(i)] or pool
    return run.rng.choice(pool)


def pick_grid(run: Run) -> Any:
    """Requests lean to the communities where the demo accounts work."""
    grids, world = run.world.grids, run.world
    return run.rng.choices(grids, weights=[1 + (len(world.covering(g)) > 1) for g in grids])[0]


def moment(run: Run, day: date, channel: str = "", hours: tuple[int, int] = (9, 17)) -> datetime:
    minutes = run.rng.randint(hours[0] * 60, hours[1] * 60 - 1)
    if channel == "online":  # residents write at any hour
        return run.world.at(day, *divmod(run.rng.randint(6 * 60, 23 * 60 + 50), 60))
    return run.world.at(working(day), *divmod(minutes, 60))


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
    """A plan with the grid's staff: the one-stop window's requests are the secretary's, online
    ones come in with no staff actor, the rest are the grid's. ``given`` overrides them; what
    is not a Plan field goes to ``extra``."""
    world, grid = run.world, grid or pick_grid(run)
    staff = {"registrar": world.registrar(grid), "manager": world.manager(grid)}
    staff["handler"] = world.handler(grid)
    if channel == "online":
        staff = {"registrar": None, "manager": SECRETARY, "handler": world.handler(grid)}
    elif channel in data("intake")["street_level"]:
        staff = {"registrar": SECRETARY, "manager": SECRETARY}
        staff["handler"] = world.handler(grid, grid_level=False)
    staff |= {k: v for k, v in given.items() if k in PLAN_FIELDS}
    if compound is ...:
        compound = world.compound_in(grid, run.rng)
    extra = {k: v for k, v in given.items() if k not in PLAN_FIELDS}
    return Plan(when, script, channel, category, grid, compound, words, extra=extra, **staff)


def request(
    run: Run,
    when: datetime,
    channel: str,
    category: str,
    grid: Any,
    compound: Any = ...,
    odds: float | None = None,
    **given: Any,
) -> Plan:
    """An everyday request: settled on the spot when it can be, else handled."""
    spot = run.rng.random() < (data("intake")["spot"].get(channel, 0) if odds is None else odds)
    words = issue(run, category, when.month, spot, channel == "reception")
    script = (
        "spot" if spot and words.get("spot") else ("online" if channel == "online" else "ordinary")
    )
    return plan(run, when, script, channel, category, words, grid, compound, **given)


# -- research visits and on-site sessions ----------------------------------------------------


def research(run: Run, found: list[Decision]) -> list[Plan]:
    """Every problem a visit's 民情日志 lists, handled the way it says; small matters raised
    on the same visits make up the year's figure."""
    rng, intake, visits, plans = run.rng, data("intake"), run.world.visits, []
    line = re.compile(intake["diary_line"])
    diaries = {
        v.pk: [m.groups() for m in map(line.match, (v.diary or "").splitlines()) if m]
        for v in visits
    }
    extra = dict.fromkeys(diaries, 0)
    for _ in range(max(0, intake["research"] - sum(map(len, diaries.values())))):
        extra[rng.choice(visits).pk] += 1
    words = intake["diary_words"]
    for visit in visits:
        lead = visit.lead_official.user.username if visit.lead_official_id else None
        day, grid, compound = local_day(visit.starts_at), visit.grid, visit.compound
        given = {"registrar": run.world.registrar(grid, lead), "register": {"field_visit": visit}}
        for n, problem in enumerate([*diaries[visit.pk], *[None] * extra[visit.pk]], start=1):
            when = visit.starts_at + timedelta(minutes=n * rng.randint(8, 20))
            if problem is None:
                category = category_of(run, "", "research")
                plans.append(request(run, when, "research", category, grid, compound, **given))
                continue
            text, klass, handling = problem
            place = compound.name if compound else ""
            visited = intake["diary_visited"].format(month=day.month, day=day.day, place=place)
            said = {
                k: v.format(text=text, handling=handling, visited=visited) for k, v in words.items()
            }
            said["title"] = text.split("，")[0][:80]
            script, category = intake["diary"][klass], category_of(run, text, "research")
            found_plan = plan(
                run, when, script, "research", category, said, grid, compound, **given
            )
            if script == "ledger":
                found_plan.handler = run.world.manager(grid)
                found_plan.extra["decision"] = matching(found, text, visit.community_id, day)
            elif script == "long_term":
                found_plan.register = {**given["register"], "followup_interval_days": 30}
                found_plan.extra["steps"] = [said["step"]] * 2
            plans.append(found_plan)
    return plans


def onsite(run: Run) -> list[Plan]:
    """A few requests per held session, never more than its summary says were collected."""
    rng, intake, sessions = run.rng, data("intake"), run.world.sessions
    caps, counts = {}, {}
    for session in sessions:
        figure = re.search(intake["session_figure"], session.summary or "")
        caps[session.pk] = int(figure.group(1)) if figure else intake["per_session"]
        counts[session.pk] = min(caps[session.pk], rng.choice([1, 1, 2, 2, 2]))
    room = [s.pk for s in sessions for _ in range(caps[s.pk] - counts[s.pk])]
    rng.shuffle(room)
    for pk in room[: max(0, intake["onsite"] - sum(counts.values()))]:
        counts[pk] += 1
    plans = []
    for session in sessions:
        for _ in range(counts[session.pk]):
            when = session.starts_at + timedelta(minutes=rng.randint(5, 110))
            category = category_of(run, session.summary if rng.random() < 0.7 else "", "onsite")
            compound = session.compound or ...
            register = {"onsite_session": session}
            plans.append(
                request(run, when, "onsite", category, session.grid, compound, register=register)
            )
    return plans


# -- the other channels, ledger and long-term requests ----------------------------------------


def channels(run: Run) -> list[Plan]:
    rng, intake, world, plans = run.rng, data("intake"), run.world, []
    for channel, count in intake["per_year"].items():
        for _ in range(count):
            day = world.start + timedelta(days=rng.randint(1, 365))
            when = moment(run, day, channel, (8 if channel == "phone" else 9, 17))
            category = weighted(run, intake["categories"][channel])
            found = request(
                run,
                when,
                channel,
                category,
                None,
                respondent=category == "邻里纠纷" and rng.random() < 0.5,
            )
            if channel == "referral":
                found.words = {
                    **found.words,
                    "content": data("petitions")["notes"]["referral"] + found.words["content"],
                }
            if channel == "online" and rng.random() < 0.6:
                found.visitor = None  # the resident rates it online
            if (
                channel in intake["street_level"]
                and found.handler != SECRETARY
                and rng.random() < 0.2
            ):
                found.extra["co"] = (SECRETARY,)
            plans.append(found)
    return plans


def decisions(run: Run) -> list[Decision]:
    """The outreach demo's deliberation decisions, and the sub-district's own meetings written
    here: themed decisions about every six weeks and a monthly review of the ledger."""
    world, rng, ledger = run.world, run.rng, data("ledger")
    words, found = ledger["words"], []
    for meeting in world.meetings:
        day = local_day(meeting.starts_at)
        label = words["meeting_label"].format(
            month=day.month, day=day.day, community=meeting.community.name
        )
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
    secretary, themes = world.users[SECRETARY], {t["text"]: t["pattern"] for t in ledger["theme"]}
    made = LeadershipDecision.objects.bulk_create(
        [
            LeadershipDecision(meeting=m, held_on=d, text=t, recorded_by=secretary)
            for d, m, t in rows
        ]
    )
    for row in made:
        theme = themes.get(row.text, "")
        text = row.text if theme else row.text.split("：", 1)[-1]
        label = f"{row.held_on.month}月{row.held_on.day}日{row.meeting}"
        found.append(Decision(row.held_on, label, text, theme, leadership=row))
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
    themed = (
        d for d in later if d.leadership is not None and d.pattern and re.search(d.pattern, text)
    )
    reviews = (d for d in later if d.leadership is not None and not d.pattern)
    return next(themed, None) or next(reviews, None)


def ledger_request(
    run: Run,
    day: date,
    channel: str,
    matter: dict[str, Any],
    decision: Decision | None,
    grid: Any = None,
    compound: Any = ...,
) -> Plan:
    words = data("ledger")["words"]
    prefix = "review_" if decision and decision.leadership and not decision.pattern else ""
    said = {**matter, "result": words[prefix + "result"], "reply": words[prefix + "reply"]}
    found = plan(
        run,
        moment(run, day, channel),
        "ledger",
        channel,
        matter["category"],
        said,
        grid,
        compound,
        decision=decision,
    )
    found.handler = run.world.manager(found.grid)
    return found


def ledger_cases(run: Run, found: list[Decision]) -> list[Plan]:
    """Requests put to a deliberation meeting in their compound, and those the sub-district's
    themed meetings settled."""
    rng, world, ledger, plans = run.rng, run.world, data("ledger"), []
    channels = ["visit", "phone", "patrol", "letter"]
    for meeting in world.meetings:
        matter = next((m for m in ledger["matter"] if re.search(m["pattern"], meeting.title)), None)
        if matter is None:  # a matter none of ours fits: the request names the meeting's topic
            topic = re.sub(r"(人民)?议事协商会?$", "", meeting.title) or meeting.title
            words = ledger["words"]
            matter = {
                "category": "其他",
                "title": words["fallback_title"],
                "content": words["fallback_content"],
            }
            matter = {k: v.replace("{topic}", topic) for k, v in matter.items()}
        first = next(
            d for d in found if d.deliberation and d.deliberation.deliberation_id == meeting.pk
        )
        for _ in range(rng.randint(1, 2)):
            day = local_day(meeting.starts_at) - timedelta(days=rng.randint(6, 40))
            if day > world.start:
                where = {"grid": meeting.grid, "compound": meeting.compound}
                plans.append(ledger_request(run, day, rng.choice(channels), matter, first, **where))
    for theme in ledger["theme"]:
        matter = next(
            (m for m in ledger["matter"] if re.search(theme["pattern"], m["pattern"] + m["title"])),
            None,
        )
        decision = next((d for d in found if d.leadership and d.pattern == theme["pattern"]), None)
        if matter and decision and decision.day - timedelta(days=25) > world.start:
            day = decision.day - timedelta(days=rng.randint(5, 25))
            plans.append(ledger_request(run, day, "patrol", matter, decision))
    return plans


def long_term(run: Run) -> list[Plan]:
    rng, world, items, plans = run.rng, run.world, data("ledger")["long_term"], []
    for n in range(data("intake")["long_term"]):
        item = items[n % len(items)]
        miss = len(item["steps"]) // 2 + 1 if n % 3 == 0 else None
        day = world.start + timedelta(days=rng.randint(1, 270))
        if miss is not None:  # notes on time, the last about 1.6 intervals ago
            back = (miss - 1) * (item["interval"] + 2) + 7 + int(1.6 * item["interval"]) + n % 4
            day = max(world.today - timedelta(days=back), world.start + timedelta(days=1))
        register = {"followup_interval_days": item["interval"]}
        found = plan(
            run,
            moment(run, day),
            "long_term",
            "visit",
            item["category"],
            item,
            register=register,
            steps=item["steps"],
            miss_after=miss,
        )
        found.handler = run.world.manager(found.grid)
        plans.append(found)
    return plans


# -- formal petitions ------------------------------------------------------------------------


def petitions(run: Run) -> list[Plan]:
    rng, world, words, plans = run.rng, run.world, data("petitions"), []
    fates = [
        (row["script"], row["days"])
        for row in data("scripts")["petition"]
        for _ in range(row["count"])
    ]
    for n, (script, back) in enumerate(fates):
        dispute, grid = words["dispute"][n % len(words["dispute"])], pick_grid(run)
        channel = rng.choice(["visit"] * 5 + ["letter"] * 2 + ["referral"] * 2)
        team = (
            "邻里凤姐"
            if grid.community.code == "fenghuangling" and rng.random() < 0.6
            else "和为贵"
        )
        given = {"members": world.teams.get(team) or world.teams["和为贵"], "respondent": True}
        given["present"] = words["notes"]["mediation_parties"].format(
            respondent=dispute["respondent"]
        )
        given["converser"] = rng.choice(["handler", "tiaojieyuan"])
        when = moment(run, world.today - timedelta(days=rng.randint(*back)))
        plans.append(
            plan(
                run,
                when,
                script,
                channel,
                dispute["category"],
                dispute,
                grid,
                kind="petition",
                visitor=SECRETARY,
                **given,
            )
        )
    for n, refusal in enumerate(words["refusal"]):
        when = moment(run, world.today - timedelta(days=rng.randint(20, 300)))
        channel = "visit" if n % 2 else "letter"
        plans.append(
            plan(
                run,
                when,
                "refused",
                channel,
                refusal["category"],
                refusal,
                kind="petition",
                reason=refusal["reason"],
            )
        )
    for accusation in words["accusation"]:
        when = moment(run, world.today - timedelta(days=rng.randint(*accusation["days"])))
        given = {"kind": "petition", "handler": SECRETARY, "visitor": SECRETARY}
        plans.append(
            plan(
                run,
                when,
                "accusation",
                "letter",
                accusation["category"],
                accusation,
                register={"is_accusation": True},
                **given,
            )
        )
    grid = world.profiles[GRID_WORKER].grids.first() or pick_grid(run)
    exclusion, manager = words["exclusion"], world.manager(grid)
    staff = {"registrar": manager, "manager": manager, "handler": manager}
    named = {"named_staff": [world.users[GRID_WORKER]]}
    when = moment(run, working_days_back(world.today, 3))
    return [
        *plans,
        plan(
            run,
            when,
            "exclusion",
            "visit",
            exclusion["category"],
            exclusion,
            grid,
            register=named,
            **staff,
        ),
    ]


# -- today's spread --------------------------------------------------------------------------


def today(run: Run) -> list[Plan]:
    rng, world, plans = run.rng, run.world, []
    for row in data("scripts")["today"]:
        for channel in row.get("channels", ["phone"]):
            grid = rng.choice(
                [g for g in world.grids if world.handler(g) == row["handler"]] or world.grids
            )
            day = world.today - timedelta(days=rng.randint(*row.get("days", [0, 0])))
            if "back" in row:
                day = working_days_back(world.today, rng.randint(*row["back"]))
            when = moment(run, day, channel, (9, 11))
            category = rng.choice(
                row.get("categories") or ["环境卫生", "市政设施", "物业纠纷", "消防通道/停车"]
            )
            words = issue(run, category, when.month, False, False, row.get("keyword", ""))
            bounce = data("petitions")["bounce"].get(category, "")
            plans.append(
                plan(
                    run,
                    when,
                    row["script"],
                    channel,
                    category,
                    words,
                    grid,
                    handler=row["handler"],
                    reassign=row.get("reassign"),
                    bounce=bounce,
                )
            )
    return plans


# -- requests registered at receptions -------------------------------------------------------


def reception_cases(run: Run, held: list[tuple[Any, int]]) -> list[Plan]:
    """As many per reception as its summary says, while it was on, in its place: the leader
    who received the resident takes it in hand; disputes go to the mediators who were there."""
    rng, world, words, plans = run.rng, run.world, data("receptions"), []
    pools = data("petitions")["pools"]
    for reception, count in held:
        leaders = {p.user.username for p in reception.officials.all()}
        mediators = [*world.teams.get("和为贵", []), *world.teams.get("邻里凤姐", [])]
        there = [a for a in reception.advisers.all() if a in mediators]
        span = int((reception.ends_at - reception.starts_at).total_seconds() // 60)
        for _ in range(count):
            grid = reception.grid or rng.choice(
                [g for g in world.grids if g.community_id == reception.community_id]
            )
            when = reception.starts_at + timedelta(minutes=rng.randint(10, max(11, span - 10)))
            category = weighted(run, words["categories"][reception.kind])
            odds = words["on_the_spot"][reception.kind]
            lead = next(
                (u for u in (SECRETARY, "baopian") if u in leaders and u in world.covering(grid)),
                None,
            )
            staff = {"registrar": world.registrar(grid, prefer="sqshuji")}
            if lead:
                staff = {"registrar": lead, "manager": lead, "handler": world.manager(grid)}
            found = request(
                run,
                when,
                "reception",
                category,
                grid,
                reception.compound or ...,
                register={"reception": reception},
                odds=odds,
                **staff,
            )
            members = there or world.teams.get(
                "邻里凤姐" if grid.community.code == "fenghuangling" else "和为贵"
            )
            if (
                found.script != "spot"
                and category in DISPUTES
                and members
                and (reception.kind == "mediation" or rng.random() < 0.5)
            ):
                talks = [rng.choice(pools["mediation_talks"]) for _ in range(rng.choice([0, 1, 1]))]
                found.words = {
                    **found.words,
                    "sessions": [*talks, rng.choice(pools["mediation_settled"])],
                }
                found.script, found.extra["members"] = "mediated", members
                found.extra.update(
                    respondent=category == "邻里纠纷",
                    present=data("petitions")["parties_present"][category],
                )
            plans.append(found)
    return plans
