"""Which cases the year brings, as plans for the player: requests raised at research visits,
on-site sessions and receptions, the other channels, ledger requests settled by meeting
decisions, long-term follow-ups, and the cases data/scripts.toml lists one by one."""

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
    """A decision a ledger request can wait for; ``pattern``: the matters it settles ("": any,
    the monthly review of the ledger)."""

    day: date
    meeting: str
    text: str
    pattern: str
    deliberation: Any = None
    leadership: Any = None


def weighted(world: World, weights: dict[str, int]) -> str:
    return world.rng.choices(list(weights), weights=list(weights.values()))[0]


def moment(world: World, day: date, channel: str = "") -> datetime:
    """In office hours on ``day`` (or the next working day); online at any waking hour."""
    if channel == "online":
        return world.at(day, *divmod(world.rng.randint(6 * 60, 23 * 60 + 50), 60))
    return world.at(working(day), *divmod(world.rng.randint(9 * 60, 17 * 60 - 1), 60))


def plan(world: World, when: datetime, script: str, channel: str, words: Any, **given: Any) -> Plan:
    """A plan with the grid's staff (the one-stop window's are the secretary's; online ones
    come in without a staff actor), ``given`` overriding them. Without a grid: one, leaning to
    the communities the demo accounts cover."""
    weights = [1 + (len(world.covering(g)) > 1) for g in world.grids]
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
            when = reception.starts_at + timedelta(minutes=rng.randint(10, 100))
            category, odds = weighted(world, words["categories"][kind]), words["on_the_spot"][kind]
            lead = next((u for u in (SECRETARY, "baopian") if u in leaders), None)
            lead = lead if lead in world.covering(grid) else None
            staff = {"registrar": world.registrar(grid, prefer="sqshuji")}
            if lead:
                staff = {"registrar": lead, "manager": lead, "handler": world.manager(grid)}
            given = {"grid": grid, "compound": reception.compound or ..., "odds": odds, **staff}
            found = request(
                world, when, "reception", category, register={"reception": reception}, **given
            )
            members = (
                there
                or world.teams["邻里凤姐" if grid.community.code == "fenghuangling" else "和为贵"]
            )
            disputed = category in ("邻里纠纷", "婚姻家庭") and found["script"] != "spot"
            if disputed and (kind == "mediation" or rng.random() < 0.5):
                talks = [rng.choice(pools["mediation_talks"]) for _ in range(rng.choice([0, 1, 1]))]
                sessions = [*talks, rng.choice(pools["mediation_settled"])]
                present = data("petitions")["parties_present"][category]
                found |= {"script": "mediated", "members": members, "present": present}
                found |= {"words": {**found["words"], "sessions": sessions}}
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
                found["words"] = {**found["words"], "content": referral + found["words"]["content"]}
            if channel == "online" and rng.random() < 0.6:
                found["visitor"] = None  # the resident rates it online
            plans.append(found)
    return plans


def decisions(world: World) -> list[Decision]:
    """The outreach demo's deliberation decisions, and the sub-district's meetings written
    here: themed decisions about every six weeks and a monthly review of the ledger."""
    rng, ledger, found = world.rng, data("ledger"), []
    words, start = ledger["words"], world.start
    for meeting in world.meetings:
        day, community = timezone.localtime(meeting.starts_at).date(), meeting.community.name
        label = words["meeting_label"].format(month=day.month, day=day.day, community=community)
        for d in sorted(meeting.decisions.all(), key=lambda d: (d.sort_order, d.pk)):
            found.append(Decision(day, label, d.text, meeting.title + d.text, d))
    themes = {t["text"]: t["pattern"] for t in ledger["theme"]}
    rows = [
        (start + timedelta(days=20 + 42 * n), t["meeting"], t["text"])
        for n, t in enumerate(ledger["theme"])
    ]
    for n in range(13):
        month = (start.replace(day=1) + timedelta(days=31 * n)).replace(day=1)
        review = words["monthly_review"].format(month=month.month)
        rows.append((month + timedelta(days=rng.randint(3, 9)), words["monthly_meeting"], review))
    rows = sorted((working(d), m, t) for d, m, t in rows if start < working(d) < world.today)
    by = world.users[SECRETARY]
    made = [LeadershipDecision(meeting=m, held_on=d, text=t, recorded_by=by) for d, m, t in rows]
    for row in LeadershipDecision.objects.bulk_create(made):
        theme, day = themes.get(row.text, ""), row.held_on
        text = row.text if theme else row.text.split("：", 1)[-1]
        found.append(
            Decision(day, f"{day.month}月{day.day}日{row.meeting}", text, theme, None, row)
        )
    return found


def ledger(world: World, found: list[Decision]) -> list[Plan]:
    """Requests put to a deliberation meeting in their compound (its first decision settles
    them), those the sub-district's themed meetings settled, and those followed for months."""
    rng, ledger, plans, seen = world.rng, data("ledger"), [], set()
    words, matters = ledger["words"], ledger["matter"]
    for d in found:
        fits = [m for m in matters if re.search(m["pattern"], d.pattern)] or [rng.choice(matters)]
        meeting = d.deliberation and d.deliberation.deliberation
        times = (
            rng.randint(1, 2)
            if meeting and meeting not in seen
            else int(bool(d.pattern and not meeting))
        )
        seen.add(meeting)
        for _ in range(times):
            day = d.day - timedelta(days=rng.randint(6, 40) if meeting else rng.randint(5, 25))
            channel = rng.choice(["visit", "phone", "patrol", "letter"]) if meeting else "patrol"
            review = "review_" if d.leadership and not d.pattern else ""
            said = {**fits[0], "result": words[review + "result"], "reply": words[review + "reply"]}
            where = {"grid": meeting.grid, "compound": meeting.compound} if meeting else {}
            if day > world.start:
                plans.append(
                    plan(
                        world,
                        moment(world, day, channel),
                        "ledger",
                        channel,
                        said,
                        decision=d,
                        **where,
                    )
                )
                plans[-1]["handler"] = world.manager(plans[-1]["grid"])
    for n in range(data("intake")["long_term"]):
        item = ledger["long_term"][n % len(ledger["long_term"])]
        day = world.start + timedelta(days=rng.randint(1, 270))
        miss = len(item["steps"]) // 2 + 1 if n % 3 == 0 else None
        if miss is not None:  # notes on time, the last about 1.6 intervals ago
            back = (miss - 1) * (item["interval"] + 2) + 7 + int(1.6 * item["interval"]) + n % 4
            day = max(world.today - timedelta(days=back), world.start + timedelta(days=1))
        given = {"register": {"followup_interval_days": item["interval"]}, "miss_after": miss}
        plans.append(plan(world, moment(world, day), "long_term", "visit", item, **given))
        plans[-1]["handler"] = world.manager(plans[-1]["grid"])
    return plans


def listed(world: World) -> list[Plan]:
    """The cases data/scripts.toml lists one by one (see there)."""
    rng, words, plans = world.rng, data("petitions"), []
    for row in data("scripts")["case"]:
        handler, named, channels = (
            row.get("handler"),
            row.get("named"),
            row.get("channels", ["phone"]),
        )
        grids = [g for g in world.grids if world.handler(g) == handler]
        for n in range(row.get("count", 1)):
            grid = (
                world.profiles[named].grids.first()
                if named
                else (rng.choice(grids) if grids else None)
            )
            day = world.today - timedelta(days=rng.randint(*row.get("days", [0, 0])))
            if "back" in row:
                day = working_days_back(world.today, rng.randint(*row["back"]))
            channel, pool = channels[n % len(channels)], words.get(row.get("words", ""))
            said = pool[(row.get("item", 0) + n) % len(pool)] if isinstance(pool, list) else pool
            given = {k: row[k] for k in ("kind", "reassign") if k in row}
            given |= {"grid": grid, "register": dict(row.get("register", {}))}
            staff = row.get("staff") or (world.manager(grid) if named else None)
            given |= (
                dict.fromkeys(("registrar", "manager", "handler", "visitor"), staff)
                if staff
                else {}
            )
            given |= {"handler": handler} if handler else {}
            if said is None:
                category = rng.choice(row.get("categories", ["环境卫生", "市政设施"]))
                keyword = row.get("keyword", "")
                found = request(
                    world,
                    moment(world, day, channel),
                    channel,
                    category,
                    odds=0,
                    keyword=keyword,
                    **given,
                )
            else:
                found = plan(
                    world, moment(world, day, channel), row["script"], channel, said, **given
                )
            found["script"] = row["script"]
            if named:
                found["register"]["named_staff"] = [world.users[named]]
            if row.get("mediation"):
                home = found["grid"].community.code == "fenghuangling" and rng.random() < 0.6
                present = words["notes"]["mediation_parties"].format(respondent=said["respondent"])
                found |= {"visitor": SECRETARY, "converser": rng.choice(["handler", "tiaojieyuan"])}
                found |= {
                    "members": world.teams["邻里凤姐" if home else "和为贵"],
                    "present": present,
                }
                found["respondent"] = True
            plans.append(found)
    return plans
