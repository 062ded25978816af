"""信访接待下基层: a year of the office's reception routine (data/receptions.toml), a few
cancelled, four planned in the next weeks, recorded through outreach's activity services at
the moment each was logged, with photos on about twenty."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any

from outreach.models import ActivityStatus
from outreach.services import cancel_activity, publish_activity, record_activity
from petitions.demo.world import SECRETARY, World, working
from petitions.models import Reception, ReceptionPhoto
from portal import clock
from portal.demo import texts
from portal.demo.photos import Album


@dataclass
class Slot:
    """A reception not yet written, and who comes."""

    reception: Reception
    officials: list[str]
    advisers: list[Any]
    author: str
    topic: dict[str, Any] | None
    cases: int = 0  # requests registered there
    kind: str = field(init=False)

    def __post_init__(self) -> None:
        self.kind = self.reception.kind


def nth(year: int, month: int, weekday: int, n: int) -> date | None:
    """The month's ``n``-th ``weekday`` counting from 0 (-1: the last), or None."""
    days = list(range(1, calendar.monthrange(year, month)[1] + 1))
    days = [d for d in days if date(year, month, d).weekday() == weekday]
    return date(year, month, days[n]) if -len(days) <= n < len(days) else None


class Routine:
    def __init__(self, world: World, rng: Random) -> None:
        self.world, self.rng, self.data = world, rng, texts("petitions.demo", "receptions")
        grids = world.grids
        self.stations = {
            c.pk: [g for g in grids if g.community_id == c.pk and g.station]
            for c in world.communities
        }
        self.communities = [c for c in world.communities if self.stations[c.pk]]
        self.home = next(c for c in self.communities if c.code == self.data["home"])
        self.area = [c for c in self.communities if c.code in self.data["area"]]
        self.legal = world.teams[self.data["legal_team"]]

    def row(self, name: str) -> dict[str, Any]:
        return next(r for r in self.data["routine"] if r["name"] == name)

    def where(self, row: dict[str, Any], i: int, k: int, month: int) -> list[tuple[Any, int, int]]:
        """(community, weekday, week) of the row's ``k``-th date in month number ``i``."""
        weekday, week, weeks = row["weekday"][0], row["weeks"][k], row["weeks"]
        if row["where"] == "rotate":
            return [(self.communities[(len(weeks) * i + k) % len(self.communities)], weekday, week)]
        if row["where"] != "each":
            home = row["where"] == "home"
            return [(self.home if home else self.area[(k + month) % len(self.area)], weekday, week)]
        found = []
        for j, community in enumerate(self.communities):
            if k == 0 and (i + j) % row.get("every", 1) == 0 and row.get("pick"):
                found.append((community, self.rng.choice(row["weekday"]), self.rng.choice(weeks)))
            elif k == 0 and (i + j) % row.get("every", 1) == 0:
                found += [(community, row["weekday"][j % len(row["weekday"])], w) for w in weeks]
        return found

    def year(self) -> list[Slot]:
        first, last = self.world.start, self.world.today - timedelta(days=1)
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        months, slots = sorted({(d.year, d.month) for d in days}), []
        for i, (y, m) in enumerate(months):
            for row in self.data["routine"]:
                for k in range(len(row["weeks"])):
                    for community, weekday, week in self.where(row, i, k, m):
                        day = nth(y, m, weekday, week)
                        if day is not None and first <= working(day) <= last:
                            slots.append(self.slot(row, community, working(day)))
        for y in sorted({y for y, _m in months}):
            for themed in self.data["themed_day"]:
                day = date(y, *themed["day"])
                if first <= day <= last:  # held on the day itself, weekend or not
                    for community in self.rng.sample(self.communities, k=2):
                        slots.append(self.slot(self.row("talk"), community, day, themed, hour=9))
        slots.sort(key=lambda s: (s.reception.starts_at, s.reception.community.sort_order))
        for slot in slots:
            if self.rng.random() < self.data["cancel_rate"]:
                slot.reception.status = ActivityStatus.CANCELLED
        return slots

    def upcoming(self) -> list[Slot]:
        others, slots = [c for c in self.communities if c != self.home], []
        for name, days in self.data["upcoming"]:
            day = working(self.world.today + timedelta(days=days + self.rng.randint(0, 2)))
            slots.append(self.slot(self.row(name), self.rng.choice(others), day))
            slots[-1].reception.status = ActivityStatus.PLANNED
        return slots

    def slot(
        self, row: dict[str, Any], community: Any, day: date, topic: Any = None, hour: int = 0
    ) -> Slot:
        rng, world, kind = self.rng, self.world, row["kind"]
        if kind == "legal_outreach" and topic is None:
            topic = rng.choice(
                [t for t in self.data["topic"] if day.month in t.get("months", [day.month])]
            )
        grid = compound = None
        venue = row["venue"].format(community=community.name)
        if row["venue"] == "station":
            grid = rng.choice(self.stations[community.pk])
            compound, venue = world.compound_in(grid, rng), grid.station
        h, minute, minutes = row["at"]
        start = world.at(day, hour or h, minute)
        title = row["title"].format(
            community=community.name, venue=venue, topic=topic and topic["title"]
        )
        reception = Reception(
            kind=kind, title=title[:120], starts_at=start, venue=venue, status=ActivityStatus.HELD
        )
        reception.ends_at = start + timedelta(minutes=minutes)
        reception.community, reception.grid, reception.compound = community, grid, compound
        officials = list(row.get("officials", []))
        if kind == "leader_day" and community == self.home and "sqshuji" not in officials:
            officials.append("sqshuji")
        advisers = []
        if row.get("advisers") == "lawyer":
            advisers = [self.legal[(community.sort_order + day.month) % len(self.legal)]]
        elif row.get("advisers") == "lawyers":
            advisers = rng.sample(self.legal, k=rng.randint(1, len(self.legal)))
        elif row.get("advisers") in ("hewei", "fengjie"):
            team = world.teams["和为贵" if row["advisers"] == "hewei" else "邻里凤姐"]
            advisers = (
                team
                if row["advisers"] == "fengjie"
                else rng.sample(team, k=min(len(team), rng.randint(1, 2)))
            )
        if rng.random() < row.get("lawyer", 0):
            advisers = [rng.choice(self.legal)]
        author = row.get("author") or ("sqshuji" if community == self.home else SECRETARY)
        return Slot(reception, officials, advisers, author, topic)

    def summarise(self, slot: Slot) -> None:
        rng, data, reception, kind = self.rng, self.data, slot.reception, slot.kind
        names = [data["posts"][u] for u in slot.officials]
        teams = [] if kind == "leader_day" else [data["teams"][a.team.name] for a in slot.advisers]
        who = "、".join(dict.fromkeys([*names, *teams])) or "社区两委干部"
        values = {"who": who, "venue": reception.venue, "topic": slot.topic and slot.topic["title"]}
        if reception.status == ActivityStatus.PLANNED:
            reception.summary = data["planned"][kind].format(**values)
            return
        low, high = data["served"][kind]
        served = max(rng.randint(low, high), slot.cases + 3)
        if kind == "legal_outreach":
            served = max(low, min(high, int(rng.gauss(42, 9))))
        detail = slot.topic["detail"] if slot.topic else rng.choice(data["details"][kind])
        text = data["held"][kind].format(
            **values, served=served, detail=detail.format(m=rng.randint(1, 3))
        )
        if kind == "leader_day" and slot.advisers:
            text += data["endings"]["lawyer"]
        ending = (
            data["endings"]["cases"].format(n=slot.cases) if slot.cases else data["endings"][kind]
        )
        reception.summary, reception.residents_served = text + ending, served

    def write(self, slot: Slot) -> None:
        """登记 (when held: an hour after it ended; else three days ahead), 取消 with its
        reason, and 公开 by the secretary when the author may not publish."""
        world, reception = self.world, slot.reception
        status, author = reception.status, world.users[slot.author]
        held = status == ActivityStatus.HELD
        logged = (
            reception.ends_at + timedelta(hours=1)
            if held
            else reception.starts_at - timedelta(days=3)
        )
        reception.status = ActivityStatus.PLANNED
        with clock.frozen(min(logged, clock.now() - timedelta(minutes=10))):
            record_activity(reception, actor=author, held=held)
        reception.officials.set([world.profiles[u] for u in slot.officials])
        reception.advisers.set(slot.advisers)
        if status == ActivityStatus.CANCELLED:
            cancel = self.data["cancel"]
            reason = cancel[slot.author] if slot.kind == "leader_day" else cancel[slot.kind]
            if reception.starts_at.month in (11, 12, 1, 2, 3) and self.rng.random() < 0.4:
                reason = cancel["snow"]
            with clock.frozen(reception.starts_at - timedelta(days=1)):
                cancel_activity(reception, actor=author, reason=reason)
        elif not reception.is_published:
            with clock.frozen(min(logged, clock.now()) + timedelta(minutes=5)):
                publish_activity(reception, actor=world.users[SECRETARY])


def write_year(world: World, rng: Random) -> tuple[list[tuple[Reception, int]], int]:
    """The year and the next weeks; returns the held receptions with the number of requests
    each had (registered later through the case services) and the number of photos."""
    routine = Routine(world, rng)
    year = routine.year()
    held = [s for s in year if s.reception.status == ActivityStatus.HELD]
    requests = routine.data["requests"]
    for _ in range(requests["total"]):
        room = [s for s in held if s.cases < requests[s.kind][1]]
        rng.choices(room, weights=[requests[s.kind][0] for s in room])[0].cases += 1
    for slot in [*year, *routine.upcoming()]:
        routine.summarise(slot)
        routine.write(slot)
    album, photos = Album(rng), 0
    for kind, (quota, scene) in routine.data["photos"].items():
        chosen = [s.reception for s in held if s.kind == kind]
        for reception in rng.sample(chosen, k=min(quota, len(chosen))):
            for order in range(2 if rng.random() < 0.4 else 1):
                caption = rng.choice(routine.data["captions"][kind])
                album.photograph(
                    ReceptionPhoto(activity=reception, caption=caption, sort_order=order), scene
                )
                photos += 1
    return [(s.reception, s.cases) for s in held if s.cases], photos
