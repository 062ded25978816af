"""Which cases the year brings, as plans (dicts) for the player: requests raised at activities
and from the other channels, ledger and long-term requests, and those data/scripts.toml lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from petitions.demo.world import SECRETARY, World, data, working, working_days_back
from petitions.models import LeadershipDecision

Plan = dict[str, Any]


@dataclass
class Decision:
    """A decision a ledger request waits for; ``pattern``: what it settles ("": the ledger)."""

    day: date
    meeting: str
    text: str
    pattern: str
    deliberation: Any = None
    leadership: Any = None


def weighted(world: World, weights: dict[str, int]) -> str:
    return world.rng.choices(list(weights), weights=list(weights.values()))[0]


def moment(world: World, day: date, channel: str = "", end: int = 17) -> datetime:
    """In office hours on ``day`` (or the next working day); online at any waking hour."""
    if channel == "online":
        return world.at(day, *divmod(world.rng.randint(6 * 60, 23 * 60 + 50), 60))
    return world.at(working(day), *divmod(world.rng.randint(9 * 60, end * 60 - 1), 60))


def plan(world: World, when: datetime, script: str, channel: str, words: Any, **given: Any) -> Plan:
    """A plan with the grid's staff (the one-stop window's are the secretary's; online ones
    come in without a staff actor), ``given`` overriding them. Without a grid: one, leaning to
    the communities the demo accounts cover."""
    weights = [1 + (len(world.cover[g.pk]) > 1) for g in world.grids]
    grid = given.get("grid") or world.rng.choices(world.grids, weights=weights)[0]
    staff = {"registrar": world.registrar(grid), "manager": world.manager(grid)}
    staff["handler"] = world.handler(grid)
    if channel == "online":
        staff["registrar"], staff["manager"] = None, SECRETARY
    elif channel in data("intake")["street_level"]:
        staff = {"registrar": SECRETARY, "manager": SECRETARY, "handler": world.manager(grid)}
    found = {"moment": when, "script": script, "channel": channel, "words": words, "grid": grid}
    found |= {"category": words.get("category"), "visitor": "", "kind": "ordinary", **staff}
    found |= {"register": {}, **given, "grid": grid}
    if found.get("compound", ...) is ...:
        found["compound"] = world.compound_in(grid)
    return found


def request(world: World, when: datetime, channel: str, category: str, **given: Any) -> Plan:
    """An everyday request: settled on the spot when its issue can be, else handled. The
    issue is of the category and, where one fits, of the keyword, the season and the spot."""
    odds = given.pop("odds", data("intake")["spot"].get(channel, 0))
    spot, keyword = world.rng.random() < odds, given.pop("keyword", "")
    pool = [i for i in data("issues")["issue"] if i["category"] == category]
    for fits in (
        lambda i: channel == "reception" or not i.get("reception"),
        lambda i: keyword in i["title"],
        lambda i: when.month in i.get("months", [when.month]),
        lambda i: bool(i.get("spot")) or not spot,
    ):
        pool = [i for i in pool if fits(i)] or pool
    words = world.rng.choice(pool)
    script = "spot" if spot and words.get("spot") else "ordinary"
    return plan(world, when, "online" if channel == "online" else script, channel, words, **given)


def activities(world: World) -> list[Plan]:
    """Problems found on research visits (logged by the visit's lead where the grid is theirs)
    and requests taken at on-site sessions — never more than a session's summary says were
    collected: in their place, while they were on, of what their words point to."""
    rng, intake, plans = world.rng, data("intake"), []
    counts = dict.fromkeys(world.visits, 0)
    for _ in range(intake["research"]):
        counts[rng.choice(world.visits)] += 1
    caps = {s: re.search(intake["session_figure"], s.summary) for s in world.sessions}
    caps = {s: int(found[1]) if found else intake["per_session"] for s, found in caps.items()}
    sessions = {s: min(cap, rng.choice([1, 1, 2, 2, 2])) for s, cap in caps.items()}
    room = [s for s, cap in caps.items() for _ in range(cap - sessions[s])]
    rng.shuffle(room)
    for session in room[: max(0, intake["onsite"] - sum(sessions.values()))]:
        sessions[session] += 1
    for activity, count in [*counts.items(), *sessions.items()]:
        channel = "onsite" if activity in sessions else "research"
        link = {"onsite_session" if channel == "onsite" else "field_visit": activity}
        lead = getattr(getattr(activity, "lead_official", None), "user", None)
        text = activity.summary if rng.random() < 0.7 else ""
        found = [c for p, c in intake["keywords"].items() if text and re.search(p, text)]
        for _ in range(count):
            when = activity.starts_at + timedelta(minutes=rng.randint(5, 110))
            category = (found or [weighted(world, intake["categories"][channel])])[0]
            where = {"grid": activity.grid, "compound": activity.compound or ..., "register": link}
            found_plan = request(world, when, channel, category, **where)
            found_plan["registrar"] = world.registrar(activity.grid, lead and lead.username)
            plans.append(found_plan)
    return plans


def receptions(world: World, held: list[tuple[Any, int]]) -> list[Plan]:
    """As many per reception as its summary says, while it was on, in its place: the leader
    who received the resident takes it in hand; disputes go to the mediators who were there."""
    rng, words, pools, plans = world.rng, data("receptions"), data("petitions")["pools"], []
    for reception, count in held:
        leaders = {p.user.username for p in reception.officials.all()}
        there = [a for a in reception.advisers.all() if a.team.kind == "mediation"]
        grids = [g for g in world.grids if g.community_id == reception.community_id]
        kind = reception.kind
        for _ in range(count):
            grid = reception.grid or rng.choice(grids)
            when = reception.starts_at + (reception.ends_at - reception.starts_at) * rng.random()
            category, odds = weighted(world, words["categories"][kind]), words["on_the_spot"][kind]
            lead = next((u for u in (SECRETARY, "baopian") if u in leaders), None)
            staff = {"registrar": world.registrar(grid, prefer="sqshuji")}
            if lead in world.cover[grid.pk]:
                staff = {"registrar": lead, "manager": lead, "handler": world.manager(grid)}
            given = {"grid": grid, "compound": reception.compound or ..., "odds": odds, **staff}
            found = request(world, when, "reception", category, **given)
            found["register"] = {"reception": reception}
            home = grid.community.code == "fenghuangling"
            disputed = category in ("邻里纠纷", "婚姻家庭") and found["script"] != "spot"
            if disputed and (kind == "mediation" or rng.random() < 0.5):
                talks = [rng.choice(pools["mediation_talks"]) for _ in range(rng.choice([0, 1, 1]))]
                sessions = [*talks, rng.choice(pools["mediation_settled"])]
                present = data("petitions")["parties_present"][category]
                members = there or world.teams["邻里凤姐" if home else "和为贵"]
                found |= {"script": "mediated", "members": members, "present": present}
                found |= {"words": found["words"] | {"sessions": sessions}}
                found["respondent"] = category == "邻里纠纷"
            plans.append(found)
    return plans


def channels(world: World) -> list[Plan]:
    rng, intake, plans = world.rng, data("intake"), []
    referral = data("petitions")["notes"]["referral"]
    for channel, count in intake["per_year"].items():
        for _ in range(count):
            when = moment(world, world.start + timedelta(days=rng.randint(1, 365)), channel)
            category = weighted(world, intake["categories"][channel])
            respondent = category == "邻里纠纷" and rng.random() < 0.5
            found = request(world, when, channel, category, respondent=respondent)
            if channel == "referral":
                found["words"] = found["words"] | {"content": referral + found["words"]["content"]}
            if channel == "online" and rng.random() < 0.6:
                found["visitor"] = None  # the resident rates it online
            plans.append(found)
    return plans


def decisions(world: World) -> list[Decision]:
    """The outreach demo's deliberation decisions, and the sub-district's meetings written
    here: themed decisions about every six weeks and a monthly review of the ledger."""
    rng, ledger, found, start = world.rng, data("ledger"), [], world.start
    words, themes = ledger["words"], {t["text"]: t["pattern"] for t in ledger["theme"]}
    for meeting in world.meetings:
        day, community = timezone.localtime(meeting.starts_at).date(), meeting.community.name
        label = words["meeting_label"].format(month=day.month, day=day.day, community=community)
        for d in sorted(meeting.decisions.all(), key=lambda d: (d.sort_order, d.pk)):
            found.append(Decision(day, label, d.text, meeting.title + d.text, d))
    rows = [(start + timedelta(days=20 + 42 * n), t) for n, t in enumerate(ledger["theme"])]
    for n in range(13):
        month = (start.replace(day=1) + timedelta(days=31 * n)).replace(day=1)
        review = {"meeting": words["monthly_meeting"], "text": words["monthly_review"]}
        review["text"] = review["text"].format(month=month.month)
        rows.append((month + timedelta(days=rng.randint(3, 9)), review))
    rows = sorted((working(d), t["meeting"], t["text"]) for d, t in rows)
    by, rows = world.users[SECRETARY], [r for r in rows if start < r[0] < world.today]
    made = [LeadershipDecision(meeting=m, held_on=d, text=t, recorded_by=by) for d, m, t in rows]
    for row in LeadershipDecision.objects.bulk_create(made):
        theme, day = themes.get(row.text, ""), row.held_on
        text = row.text if theme else row.text.split("：", 1)[-1]
        label = f"{day.month}月{day.day}日{row.meeting}"
        found.append(Decision(day, label, text, theme, leadership=row))
    return found


def ledger(world: World, found: list[Decision]) -> list[Plan]:
    """Requests put to a deliberation meeting in their compound (its first decision settles
    them), those the sub-district's themed meetings settled, and those followed for months."""
    rng, ledger, plans, seen = world.rng, data("ledger"), [], set()
    words, matters = ledger["words"], ledger["matter"]
    for d in found:
        fits = [m for m in matters if re.search(m["pattern"], d.pattern)] or [rng.choice(matters)]
        meeting = d.deliberation and d.deliberation.deliberation
        times = int(bool(d.pattern)) if not meeting else 0 if meeting in seen else rng.randint(1, 2)
        seen.add(meeting)
        said = fits[0] | {"result": words["result"], "reply": words["reply"]}
        where = {"grid": meeting.grid, "compound": meeting.compound} if meeting else {}
        for _ in range(times):
            day = d.day - timedelta(days=rng.randint(6, 40) if meeting else rng.randint(5, 25))
            channel = rng.choice(["visit", "phone", "patrol", "letter"]) if meeting else "patrol"
            if world.start < working(day) < d.day:
                when = moment(world, day, channel)
                plans.append(plan(world, when, "ledger", channel, said, decision=d, **where))
    for n in range(data("intake")["long_term"]):
        item = ledger["long_term"][n % len(ledger["long_term"])]
        day = world.start + timedelta(days=rng.randint(1, 270))
        miss = len(item["steps"]) // 2 + 1 if n % 3 == 0 else None
        if miss is not None:  # notes on time, the last about 1.6 intervals ago
            back = (miss - 1) * (item["interval"] + 2) + 7 + int(1.6 * item["interval"]) + n % 4
            day = max(world.today - timedelta(days=back), world.start + timedelta(days=1))
        given = {"register": {"followup_interval_days": item["interval"]}, "miss_after": miss}
        plans.append(plan(world, moment(world, day), "long_term", "visit", item, **given))
    for found_plan in plans:  # matters above the grid worker
        found_plan["handler"] = world.manager(found_plan["grid"])
    return plans


def listed(world: World) -> list[Plan]:
    """The cases data/scripts.toml lists one by one (see there)."""
    rng, words, plans = world.rng, data("petitions"), []
    for row in data("scripts")["case"]:
        handler, channels = row.get("handler"), row.get("channels", ["phone"])
        grids = [g for g in world.grids if world.handler(g) == handler]
        named = row.get("named") and world.users[row["named"]]
        for n in range(row.get("count", 1)):
            grid = named and world.profiles[row["named"]].grids.first()
            grid = grid or (rng.choice(grids) if grids else None)
            day = world.today - timedelta(days=rng.randint(*row.get("days", [0, 0])))
            if "back" in row:
                day = working_days_back(world.today, rng.randint(*row["back"]))
            channel, pool = channels[n % len(channels)], words.get(row.get("words", ""))
            said = pool[(row.get("item", 0) + n) % len(pool)] if isinstance(pool, list) else pool
            given = {k: row[k] for k in ("kind", "reassign") if k in row}
            given |= {"grid": grid, "register": dict(row.get("register", {}))}
            staff = world.manager(grid) if named else row.get("staff")
            if staff:
                given |= dict.fromkeys(("registrar", "manager", "handler", "visitor"), staff)
            if handler:
                given["handler"] = handler
            when = moment(world, day, channel, 11)  # the morning: taken further the same day
            if said is None:
                category = rng.choice(row.get("categories", ["环境卫生", "市政设施"]))
                given |= {"odds": 0, "keyword": row.get("keyword", "")}
                found = request(world, when, channel, category, **given)
            else:
                found = plan(world, when, row["script"], channel, said, **given)
            found["script"] = row["script"]
            if named:
                found["register"]["named_staff"] = [named]
            if row.get("mediation"):
                team = "邻里凤姐" if found["grid"].community.code == "fenghuangling" else "和为贵"
                team = team if rng.random() < 0.6 else "和为贵"
                present = words["notes"]["mediation_parties"].format(respondent=said["respondent"])
                converser = rng.choice(["handler", "tiaojieyuan"])
                found |= {"visitor": SECRETARY, "converser": converser, "present": present}
                found |= {"members": world.teams[team], "respondent": True}
            plans.append(found)
    return plans
