"""信访接待下基层: a year of the office's reception routine (data/receptions.toml), a few
cancelled, four planned in the next weeks, recorded through outreach's activity services at
the moment each was logged, with photos on about twenty."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
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

HELD, PLANNED, CANCELLED = ActivityStatus.HELD, ActivityStatus.PLANNED, ActivityStatus.CANCELLED


@dataclass
class Slot:
    """A reception not yet written, and who comes."""

    reception: Reception
    officials: list[str]
    advisers: list[Any]
    author: str
    topic: dict[str, Any]
    cases: int = 0  # requests registered there


class Routine:
    def __init__(self, world: World, rng: Random) -> None:
        self.world, self.rng, self.data = world, rng, texts("petitions.demo", "receptions")
        self.stations = {
            c: [g for g in world.grids if g.community == c and g.station] for c in world.communities
        }
        self.communities = [c for c in world.communities if self.stations[c]]
        self.home = next(c for c in self.communities if c.code == self.data["home"])
        self.area = [c for c in self.communities if c.code in self.data["area"]]

    def targets(self, row: dict[str, Any], i: int, k: int) -> list[tuple[int, Any]]:
        """(n, community) of the row's ``k``-th date in month ``i`` of the year."""
        if row["where"] == "each":
            every = row.get("every", 1)
            return [(n, c) for n, c in enumerate(self.communities) if (i + n) % every == 0]
        pool = {"rotate": self.communities, "home": [self.home], "area": self.area}[row["where"]]
        return [(0, pool[(len(row["weeks"]) * i + k) % len(pool)])]

    def year(self) -> list[Slot]:
        first, last = self.world.start, self.world.today - timedelta(days=1)
        months = sorted({(first + timedelta(days=n)).timetuple()[:2] for n in range(366)})
        slots = []
        for i, (y, m) in enumerate(months):
            for row in self.data["routine"]:
                for k, week in enumerate(row["weeks"]):
                    for n, community in self.targets(row, i, k):
                        weekday = (row["weekday"] + n * row.get("stagger", 0)) % 5
                        days = [d for d in calendar.Calendar().itermonthdates(y, m) if d.month == m]
                        day = working([d for d in days if d.weekday() == weekday][week])
                        if first <= day <= last:
                            slots.append(self.slot(row, community, day))
            for themed in self.data["themed_day"]:  # held on the day itself, weekend or not
                if themed["day"][0] == m and first <= (day := date(y, *themed["day"])) <= last:
                    for community in self.rng.sample(self.communities, k=2):
                        slots.append(self.slot(self.row("talk"), community, day, themed, 9))
        slots.sort(key=lambda s: (s.reception.starts_at, s.reception.community.sort_order))
        for slot in slots:
            if self.rng.random() < self.data["cancel_rate"]:
                slot.reception.status = CANCELLED
        return slots

    def row(self, name: str) -> dict[str, Any]:
        return next(r for r in self.data["routine"] if r["name"] == name)

    def slot(
        self, row: dict[str, Any], community: Any, day: date, topic: Any = None, hour: int = 0
    ) -> Slot:
        rng, world = self.rng, self.world
        topics = [t for t in self.data["topic"] if day.month in t.get("months", [day.month])]
        topic = topic or rng.choice(topics)
        reception = Reception(kind=row["kind"], community=community, status=HELD)
        reception.venue = row["venue"].format(community=community.name)
        if row["venue"] == "station":
            reception.grid = rng.choice(self.stations[community])
            reception.compound = world.compound_in(reception.grid, rng)
            reception.venue = reception.grid.station
        names = {"community": community.name, "venue": reception.venue, "topic": topic["title"]}
        reception.title = row["title"].format(**names)[:120]
        reception.starts_at = world.at(day, hour or row["at"][0], row["at"][1])
        reception.ends_at = reception.starts_at + timedelta(minutes=row["at"][2])
        officials = row.get("officials", [])
        if row["kind"] == "leader_day" and community == self.home:
            officials = list(dict.fromkeys([*officials, "sqshuji"]))
        team, fewest, most = row.get("advisers", ["", 0, 0])
        members = world.teams.get(team, [])
        advisers = rng.sample(members, k=min(len(members), rng.randint(fewest, most)))
        if rng.random() < row.get("lawyer", 0):
            advisers = [rng.choice(world.teams[self.data["legal_team"]])]
        author = row.get("author") or ("sqshuji" if community == self.home else SECRETARY)
        return Slot(reception, officials, advisers, author, topic)

    def summarise(self, slot: Slot) -> None:
        """The public summary: who came (posts and teams, never names), what came up, and how
        many requests were registered there."""
        rng, data, reception = self.rng, self.data, slot.reception
        kind, posts = reception.kind, [data["posts"][u] for u in slot.officials]
        teams = [] if kind == "leader_day" else [data["teams"][a.team.name] for a in slot.advisers]
        values = {"venue": reception.venue, "topic": slot.topic["title"]}
        values["who"] = "、".join(dict.fromkeys([*posts, *teams])) or "社区两委干部"
        if reception.status == PLANNED:
            reception.summary = data["planned"][kind].format(**values)
            return
        low, high = data["served"][kind]
        served = max(rng.randint(low, high), slot.cases + 3)
        if kind == "legal_outreach":
            served = max(low, min(high, int(rng.gauss(42, 9))))
        detail = (
            slot.topic["detail"] if kind == "legal_outreach" else rng.choice(data["details"][kind])
        )
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
        """登记 (held: an hour after it ended; else three days ahead), 取消 with its reason, and
        公开 by the secretary when the author may not publish."""
        world, reception, author = self.world, slot.reception, self.world.users[slot.author]
        status, reception.status = reception.status, PLANNED
        logged = reception.starts_at - timedelta(days=3)
        if status == HELD:
            logged = reception.ends_at + timedelta(hours=1)
        with clock.frozen(min(logged, clock.now() - timedelta(minutes=10))):
            record_activity(reception, actor=author, held=status == HELD)
            reception.officials.set([world.profiles[u] for u in slot.officials])
            reception.advisers.set(slot.advisers)
            if not reception.is_published and status != CANCELLED:
                publish_activity(reception, actor=world.users[SECRETARY])
        if status == CANCELLED:
            cancel = self.data["cancel"]
            reason = cancel[slot.author if reception.kind == "leader_day" else reception.kind]
            if reception.starts_at.month in (11, 12, 1, 2, 3) and self.rng.random() < 0.4:
                reason = cancel["snow"]
            with clock.frozen(reception.starts_at - timedelta(days=1)):
                cancel_activity(reception, actor=author, reason=reason)


def write_year(world: World, rng: Random) -> tuple[list[tuple[Reception, int]], int]:
    """The year and the next weeks; returns the held receptions with the number of requests
    each had (registered later through the case services) and the number of photos."""
    routine, requests = Routine(world, rng), texts("petitions.demo", "receptions")["requests"]
    year = routine.year()
    held = [s for s in year if s.reception.status == HELD]
    for _ in range(requests["total"]):
        room = [s for s in held if s.cases < requests[s.reception.kind][1]]
        rng.choices(room, weights=[requests[s.reception.kind][0] for s in room])[0].cases += 1
    upcoming = []
    for name, days in routine.data["upcoming"]:
        day = working(world.today + timedelta(days=days + rng.randint(0, 2)))
        upcoming.append(
            routine.slot(
                routine.row(name),
                rng.choice([c for c in routine.communities if c != routine.home]),
                day,
            )
        )
        upcoming[-1].reception.status = PLANNED
    for slot in [*year, *upcoming]:
        routine.summarise(slot)
        routine.write(slot)
    album, photos = Album(rng), 0
    for kind, (quota, scene) in routine.data["photos"].items():
        chosen = [s.reception for s in held if s.reception.kind == kind]
        for reception in rng.sample(chosen, k=min(quota, len(chosen))):
            for order in range(2 if rng.random() < 0.4 else 1):
                caption = rng.choice(routine.data["captions"][kind])
                album.photograph(
                    ReceptionPhoto(activity=reception, caption=caption, sort_order=order), scene
                )
                photos += 1
    return [(s.reception, s.cases) for s in held if s.cases], photos
