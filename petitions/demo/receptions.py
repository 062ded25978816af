"""信访接待下基层: a year of the reception routine (data/receptions.toml), recorded through
outreach's activity services at the moment each was logged, with photos on about twenty."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from outreach.models import ActivityStatus
from outreach.services import cancel_activity, publish_activity, record_activity
from petitions.demo.world import SECRETARY, World, data, working
from petitions.models import Reception, ReceptionPhoto
from portal import clock
from portal.demo.photos import Album

HELD, PLANNED, CANCELLED = ActivityStatus.HELD, ActivityStatus.PLANNED, ActivityStatus.CANCELLED
Slot = dict[str, Any]  # a reception not yet written, who comes, and the requests it gets


class Routine:
    def __init__(self, world: World) -> None:
        self.world, self.rng, self.data = world, world.rng, data("receptions")
        stations = [g for g in world.grids if g.station]
        self.stations = {c: [g for g in stations if g.community == c] for c in world.communities}
        self.communities = [c for c in world.communities if self.stations[c]]
        self.home = next(c for c in self.communities if c.code == self.data["home"])
        self.area = [c for c in self.communities if c.code in self.data["area"]]

    def year(self) -> list[Slot]:
        """Each routine row's days, month by month, in its communities (see the data)."""
        first, last = self.world.start, self.world.today - timedelta(days=1)
        months = sorted({(first + timedelta(days=n)).timetuple()[:2] for n in range(366)})
        pools = {"rotate": self.communities, "home": [self.home], "area": self.area}
        slots = []
        for i, (y, m) in enumerate(months):
            days = [d for d in calendar.Calendar().itermonthdates(y, m) if d.month == m]
            for row in self.data["routine"]:
                for k, week in enumerate(row["weeks"]):
                    pool = pools.get(row["where"], self.communities)
                    targets = [(0, pool[(len(row["weeks"]) * i + k) % len(pool)])]
                    if row["where"] == "each":  # every community, every ``every`` months
                        every = row["every"]
                        targets = [(n, c) for n, c in enumerate(pool) if (i + n) % every == 0]
                    for n, community in targets:
                        weekday = (row["weekday"] + n * row.get("stagger", 0)) % 5
                        day = working([d for d in days if d.weekday() == weekday][week])
                        if first <= day <= last:
                            slots.append(self.slot(row, community, day))
        for slot in slots:
            if self.rng.random() < self.data["cancel_rate"]:
                slot["reception"].status = CANCELLED
        return sorted(slots, key=lambda s: s["reception"].starts_at)

    def slot(self, row: dict[str, Any], community: Any, day: date, status: str = HELD) -> Slot:
        rng, world, month = self.rng, self.world, day.month
        topic = rng.choice([t for t in self.data["topic"] if month in t.get("months", [month])])
        reception = Reception(kind=row["kind"], community=community, status=status)
        reception.venue = row["venue"].format(community=community.name)
        if row["venue"] == "station":
            reception.grid = rng.choice(self.stations[community])
            reception.compound = world.compound_in(reception.grid)
            reception.venue = reception.grid.station
        names = {"community": community.name, "venue": reception.venue, "topic": topic["title"]}
        reception.title = row["title"].format(**names)[:120]
        reception.starts_at = world.at(day, row["at"][0], row["at"][1])
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
        slot = {"reception": reception, "officials": officials, "advisers": advisers}
        return slot | {"author": author, "topic": topic, "cases": 0}

    def write(self, slot: Slot) -> None:
        """The public summary (who came — posts and teams, never names —, what came up, the
        requests registered there); then 登记 (held: an hour after it ended; else three days
        ahead), 公开 by the secretary when the author may not publish, or 取消 with a reason."""
        rng, words, reception, world = self.rng, self.data, slot["reception"], self.world
        kind, author, cases = reception.kind, world.users[slot["author"]], slot["cases"]
        who = [words["posts"][u] for u in slot["officials"]]
        if kind != "leader_day":
            who += [words["teams"][a.team.name] for a in slot["advisers"]]
        values = {"venue": reception.venue, "topic": slot["topic"]["title"]}
        values["who"] = "、".join(dict.fromkeys(who)) or "社区两委干部"
        reception.summary = words["planned"][kind].format(**values)
        status, reception.status = reception.status, PLANNED
        logged = reception.starts_at - timedelta(days=3)
        if status == HELD:
            logged = reception.ends_at + timedelta(hours=1)
            low, high = words["served"][kind]
            served = max(rng.randint(low, high), cases + 3)
            detail = rng.choice(words["details"].get(kind, [slot["topic"]["detail"]]))
            values |= {"served": served, "detail": detail.format(m=rng.randint(1, 3))}
            text = words["held"][kind].format(**values)
            if kind == "leader_day" and slot["advisers"]:
                text += words["endings"]["lawyer"]
            text += words["endings"]["cases"].format(n=cases) if cases else words["endings"][kind]
            reception.summary, reception.residents_served = text, served
        with clock.frozen(min(logged, clock.now() - timedelta(minutes=10))):
            record_activity(reception, actor=author, held=status == HELD)
            reception.officials.set([world.profiles[u] for u in slot["officials"]])
            reception.advisers.set(slot["advisers"])
            if not reception.is_published and status != CANCELLED:
                publish_activity(reception, actor=world.users[SECRETARY])
        if status == CANCELLED:
            reason = words["cancel"][slot["author"] if kind == "leader_day" else kind]
            with clock.frozen(reception.starts_at - timedelta(days=1)):
                cancel_activity(reception, actor=author, reason=reason)


def write_year(world: World) -> tuple[list[tuple[Reception, int]], int]:
    """The year and the next weeks; returns the held receptions with the number of requests
    each had (registered later through the case services) and the number of photos."""
    routine, rng, words = Routine(world), world.rng, data("receptions")
    year, requests = routine.year(), words["requests"]
    held = [s for s in year if s["reception"].status == HELD]
    for _ in range(requests["total"]):
        room = [s for s in held if s["cases"] < requests[s["reception"].kind][1]]
        weights = [requests[s["reception"].kind][0] for s in room]
        rng.choices(room, weights=weights)[0]["cases"] += 1
    others, rows = [c for c in routine.communities if c != routine.home], words["routine"]
    for name, days in words["upcoming"]:
        day = working(world.today + timedelta(days=days + rng.randint(0, 2)))
        row = next(r for r in rows if r["name"] == name)
        year.append(routine.slot(row, rng.choice(others), day, PLANNED))
    for slot in year:
        routine.write(slot)
    album, photos = Album(rng), 0
    for kind, (quota, scene) in words["photos"].items():
        chosen = [s["reception"] for s in held if s["reception"].kind == kind]
        for reception in rng.sample(chosen, k=min(quota, len(chosen))):
            for order in range(2 if rng.random() < 0.4 else 1):
                caption = rng.choice(words["captions"][kind])
                photo = ReceptionPhoto(activity=reception, caption=caption, sort_order=order)
                album.photograph(photo, scene)
                photos += 1
    return [(s["reception"], s["cases"]) for s in held if s["cases"]], photos
