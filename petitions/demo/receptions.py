"""信访接待下基层: a year of the office's reception routine (data/receptions.toml) in the
communities, a few cancelled, four planned in the next weeks, recorded through outreach's
activity services at the moment each was logged, with photos on about twenty."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from outreach.models import ActivityStatus
from outreach.services import cancel_activity, publish_activity, record_activity
from petitions.demo.world import SECRETARY, World, working
from petitions.models import Reception, ReceptionPhoto
from portal import clock
from portal.demo import texts
from portal.demo.photos import Album


def nth(year: int, month: int, weekday: int, n: int) -> date | None:
    """The month's ``n``-th ``weekday`` counting from 0 (-1: the last), or None."""
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if date(year, month, d).weekday() == weekday]
    return date(year, month, days[n]) if -len(days) <= n < len(days) else None


class Routine:
    """Turns the routine's rows into receptions (not yet written)."""

    def __init__(self, world: World, rng: Random) -> None:
        self.world, self.rng, self.data = world, rng, texts("petitions.demo", "receptions")
        self.stations = {c.pk: [g for g in world.grids if g.community_id == c.pk and g.station] for c in world.communities}
        self.communities = [c for c in world.communities if self.stations[c.pk]]
        self.home = next(c for c in self.communities if c.code == self.data["home"])
        self.area = [c for c in self.communities if c.code in self.data["area"]]
        self.legal = world.teams.get(self.data["legal_team"], [])

    def where(self, row: dict[str, Any], i: int, k: int, month: int) -> list[tuple[Any, int, int]]:
        """(community, weekday, week) for the ``k``-th date of month number ``i``."""
        weekday, week = row["weekday"][0], row["weeks"][k]
        if row["where"] == "rotate":
            return [(self.communities[(len(row["weeks"]) * i + k) % len(self.communities)], weekday, week)]
        if row["where"] in ("home", "area"):
            return [(self.home if row["where"] == "home" else self.area[(k + month) % len(self.area)], weekday, week)]
        found = []
        for j, community in enumerate(self.communities):
            if k == 0 and (i + j) % row.get("every", 1) == 0:
                if row.get("pick"):
                    found.append((community, self.rng.choice(row["weekday"]), self.rng.choice(row["weeks"])))
                else:
                    found += [(community, row["weekday"][j % len(row["weekday"])], w) for w in row["weeks"]]
        return found

    def year(self) -> list[Reception]:
        first, last = self.world.start, self.world.today - timedelta(days=1)
        months = sorted({(d.year, d.month) for d in (first + timedelta(days=n) for n in range((last - first).days + 1))})
        found = []
        for i, (y, m) in enumerate(months):
            for row in self.data["routine"]:
                for k in range(len(row["weeks"])):
                    for community, weekday, week in self.where(row, i, k, m):
                        day = nth(y, m, weekday, week)
                        if day is not None and first <= working(day) <= last:
                            found.append(self.reception(row, community, working(day)))
        for y in sorted({y for y, _m in months}):
            for themed in self.data["themed_day"]:
                day = date(y, *themed["day"])
                if first <= day <= last:  # held on the day itself, weekend or not
                    for community in self.rng.sample(self.communities, k=2):
                        found.append(self.reception(self.row("talk"), community, day, topic=themed, hour=9))
        found.sort(key=lambda r: (r.starts_at, r.community.sort_order))
        for reception in found:
            if self.rng.random() < self.data["cancel_rate"]:
                reception.status = ActivityStatus.CANCELLED
        return found

    def upcoming(self) -> list[Reception]:
        today, others = self.world.today, [c for c in self.communities if c != self.home]
        return [
            self.reception(self.row(name), self.rng.choice(others), working(today + timedelta(days=days + self.rng.randint(0, 2))), planned=True)
            for name, days in self.data["upcoming"]
        ]

    def row(self, name: str) -> dict[str, Any]:
        return next(r for r in self.data["routine"] if r["name"] == name)

    def reception(self, row: dict[str, Any], community: Any, day: date, *, topic: Any = None, hour: int | None = None, planned: bool = False) -> Reception:
        rng, world = self.rng, self.world
        if row["kind"] == "legal_outreach" and topic is None:
            topic = rng.choice([t for t in self.data["topic"] if day.month in t.get("months", [day.month])])
        grid = compound = None
        venue = row["venue"].format(community=community.name)
        if row["venue"] == "station":
            grid = rng.choice(self.stations[community.pk])
            compound, venue = world.compound_in(grid, rng), grid.station
        h, minute, minutes = row["at"]
        start = world.at(day, hour or h, minute)
        reception = Reception(
            kind=row["kind"],
            title=row["title"].format(community=community.name, venue=venue, topic=topic and topic["title"])[:120],
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            community=community,
            grid=grid,
            compound=compound,
            venue=venue,
            status=ActivityStatus.PLANNED if planned else ActivityStatus.HELD,
        )
        officials = list(row.get("officials", []))
        if row["kind"] == "leader_day" and community == self.home and "sqshuji" not in officials:
            officials.append("sqshuji")
        advisers = {
            "lawyer": [self.legal[(community.sort_order + day.month) % len(self.legal)]],
            "lawyers": rng.sample(self.legal, k=rng.randint(1, len(self.legal))),
            "hewei": rng.sample(world.teams["和为贵"], k=min(rng.randint(1, 2), len(world.teams["和为贵"]))),
            "fengjie": world.teams.get("邻里凤姐", []),
        }.get(row.get("advisers", ""), [])
        if rng.random() < row.get("lawyer", 0):
            advisers = [rng.choice(self.legal)]
        author = row.get("author") or ("sqshuji" if community == self.home else SECRETARY)
        reception.demo = {"officials": officials, "advisers": advisers, "author": author, "topic": topic, "cases": 0}
        return reception

    def summarise(self, reception: Reception) -> None:
        rng, data, demo, kind = self.rng, self.data, reception.demo, reception.kind
        names = [data["posts"][u] for u in demo["officials"]]
        teams = [] if kind == "leader_day" else [data["teams"][a.team.name] for a in demo["advisers"]]
        values = {"who": "、".join(dict.fromkeys([*names, *teams])) or "社区两委干部", "venue": reception.venue}
        values["topic"] = demo["topic"] and demo["topic"]["title"]
        if reception.status == ActivityStatus.PLANNED:
            reception.summary = data["planned"][kind].format(**values)
            return
        low, high = data["served"][kind]
        served = max(low, min(high, int(rng.gauss(42, 9)))) if kind == "legal_outreach" else max(rng.randint(low, high), demo["cases"] + 3)
        detail = demo["topic"]["detail"] if demo["topic"] else rng.choice(data["details"][kind])
        text = data["held"][kind].format(**values, served=served, detail=detail.format(m=rng.randint(1, 3)))
        if kind == "leader_day" and demo["advisers"]:
            text += data["endings"]["lawyer"]
        ending = data["endings"]["cases"].format(n=demo["cases"]) if demo["cases"] else data["endings"][kind]
        reception.summary, reception.residents_served = text + ending, served

    def cancel_reason(self, reception: Reception) -> str:
        cancel = self.data["cancel"]
        if reception.starts_at.month in (11, 12, 1, 2, 3) and self.rng.random() < 0.4:
            return cancel["snow"]
        return cancel[reception.demo["author"]] if reception.kind == "leader_day" else cancel[reception.kind]


def write(reception: Reception, world: World, reason: str) -> None:
    """登记 (held: an hour after it ended; planned: three days before), 取消, 公开."""
    author, status = world.users[reception.demo["author"]], reception.status
    held = status == ActivityStatus.HELD
    logged = reception.ends_at + timedelta(hours=1) if held else reception.starts_at - timedelta(days=3)
    logged = min(logged, clock.now() - timedelta(minutes=10))
    reception.status = ActivityStatus.PLANNED
    with clock.frozen(logged):
        record_activity(reception, actor=author, held=held)
    profiles = world.profiles
    reception.officials.set([profiles[u] for u in reception.demo["officials"]])
    reception.advisers.set(reception.demo["advisers"])
    if status == ActivityStatus.CANCELLED:
        with clock.frozen(min(reception.starts_at - timedelta(days=1), clock.now())):
            cancel_activity(reception, actor=author, reason=reason)
    elif not reception.is_published:
        with clock.frozen(logged + timedelta(minutes=5)):
            publish_activity(reception, actor=world.users[SECRETARY])


def write_year(world: World, rng: Random) -> tuple[list[tuple[Reception, int]], int]:
    """The year and the next weeks; returns the held receptions with how many requests each
    had (registered later through the case services), and how many photos were made."""
    routine = Routine(world, rng)
    year = routine.year()
    held = [r for r in year if r.status == ActivityStatus.HELD]
    requests = routine.data["requests"]
    for _ in range(requests["total"]):
        room = [r for r in held if r.demo["cases"] < requests[r.kind][1]]
        if room:
            rng.choices(room, weights=[requests[r.kind][0] for r in room])[0].demo["cases"] += 1
    for reception in [*year, *routine.upcoming()]:
        routine.summarise(reception)
        cancelled = reception.status == ActivityStatus.CANCELLED
        write(reception, world, routine.cancel_reason(reception) if cancelled else "")
    album, photos = Album(rng), 0
    for kind, (quota, scene) in routine.data["photos"].items():
        chosen = [r for r in held if r.kind == kind]
        for reception in rng.sample(chosen, k=min(quota, len(chosen))):
            for order in range(2 if rng.random() < 0.4 else 1):
                caption = rng.choice(routine.data["captions"][kind])
                album.photograph(ReceptionPhoto(activity=reception, caption=caption, sort_order=order), scene)
                photos += 1
    return [(r, r.demo["cases"]) for r in held if r.demo["cases"]], photos
