"""When and where the petition-reception demo's activities happen, and who comes.

The office's routine, month after month:

- 领导下访接待: the party secretary on the second and fourth Wednesday morning, each time in
  another community (now and then at the sub-district's 信访接待室 for that community's
  residents), a lawyer of the 街道法律顾问团 beside him half the time; the area leader on the
  first and third Tuesday in his two communities; the community secretary on the last
  Thursday afternoon at one of her grid stations;
- 法律咨询: a lawyer's office hours in every community once a month;
- 普法宣传: every other month in each community, and on the days the country marks (宪法日,
  禁毒日 …) in two of them;
- 调解进社区: 和为贵 on the first and third Thursday afternoon, community by community, and
  邻里凤姐 at a grid station of 凤凰岭 on the second and fourth Monday.

Days falling on a holiday move to the next working day. A few are cancelled; four more are
planned in the next three weeks.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any

from outreach.models import ActivityStatus
from petitions.demo.content_reception import (
    ADVICE_DETAILS,
    LEADER_DETAILS,
    LEGAL_TEAM,
    MEDIATION_DETAILS,
    OUTREACH_TOPICS,
    RECEPTION_ROOM,
    THEMED_DAYS,
)
from petitions.demo.refs import AREA_LEADER, COMMUNITY_SECRETARY, SECRETARY, Refs
from petitions.models import ReceptionKind
from portal.models import Community, Compound, Grid, StaffProfile, TeamMember

HOME = "fenghuangling"  # the community secretary's community, where 邻里凤姐 works
AREA = ("fenghuangling", "chilechuan")  # the area leader's 包片
CANCEL_RATE = 0.03
MON, TUE, WED, THU = 0, 1, 2, 3


@dataclass
class Places:
    """Where receptions happen, who can come, loaded once from the case demo's ``Refs``."""

    refs: Refs
    communities: list[Community]
    grids: dict[int, list[Grid]]  # community id -> grids with a station
    legal: list[TeamMember]  # 街道法律顾问团

    @classmethod
    def load(cls, refs: Refs) -> Places:
        grids = defaultdict(list)
        for grid in refs.grids:
            if grid.station:
                grids[grid.community_id].append(grid)
        legal = list(
            TeamMember.objects.filter(team__name=LEGAL_TEAM, is_active=True)
            .select_related("team")
            .order_by("pk")
        )
        communities = [c for c in refs.communities if grids[c.pk]]
        return cls(refs, communities, dict(grids), legal)

    def by_code(self, code: str) -> Community | None:
        return next((c for c in self.communities if c.code == code), None)

    def compounds(self, grid: Grid) -> list[Compound]:
        return self.refs.compounds_of_grid.get(grid.pk, [])

    def profile(self, username: str) -> StaffProfile:
        return self.refs.profile(username)


@dataclass
class Slot:
    """One reception before it is built: what, when, where and who comes."""

    kind: str
    day: date
    hour: int
    minute: int
    minutes: int  # how long
    community: Community
    venue: str
    title: str
    detail: str
    author: str  # the demo account that registered it
    grid: Grid | None = None
    compound: Compound | None = None
    officials: list[StaffProfile] = field(default_factory=list)
    advisers: list[TeamMember] = field(default_factory=list)
    status: str = ActivityStatus.HELD
    cases: int = 0  # requests registered there (set by receptions.assign_counts)


# -- the calendar --------------------------------------------------------------------------


def _months(first: date, last: date) -> list[tuple[int, int]]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _nth(year: int, month: int, weekday: int, n: int) -> date | None:
    """The month's ``weekday`` number ``n`` counting from 0 (-1: the last), or None."""
    days = [
        d
        for d in (date(year, month, i) for i in range(1, calendar.monthrange(year, month)[1] + 1))
        if d.weekday() == weekday
    ]
    return days[n] if -len(days) <= n < len(days) else None


class Year:
    """The days of the demo year (the 365 ending yesterday), moved off holidays."""

    def __init__(self, refs: Refs) -> None:
        self.cal = refs.cal
        self.first = refs.today - timedelta(days=365)
        self.last = refs.today - timedelta(days=1)
        self.months = _months(self.first, self.last)

    def working(self, day: date | None) -> date | None:
        """``day`` or the next working day, if that falls within the year."""
        if day is None:
            return None
        while not self.cal.is_working(day):
            day += timedelta(days=1)
        return day if self.first <= day <= self.last else None


# -- who comes -----------------------------------------------------------------------------


def _station(places: Places, community: Community, rng: Random) -> tuple[Grid, Compound | None]:
    grid = rng.choice(places.grids[community.pk])
    compounds = places.compounds(grid)
    return grid, rng.choice(compounds) if compounds else None


def _author(community: Community) -> str:
    return COMMUNITY_SECRETARY if community.code == HOME else SECRETARY


# -- one reception of each kind -------------------------------------------------------------


def _shuji_day(places: Places, rng: Random, community: Community, day: date) -> Slot:
    """The party secretary's reception day, in the community or at the 信访接待室."""
    officials = [places.profile(SECRETARY)]
    if community.code in AREA and rng.random() < 0.5:
        officials.append(places.profile(AREA_LEADER))
    if community.code == HOME:
        officials.append(places.profile(COMMUNITY_SECRETARY))
    lawyer = places.legal and rng.random() < 0.5
    if rng.random() < 0.35:
        venue, title = RECEPTION_ROOM, f"街道领导接访日（{community.name}专场）"
    else:
        venue, title = f"{community.name}党群服务中心", f"街道党工委书记接访日·{community.name}"
    return Slot(
        ReceptionKind.LEADER_DAY,
        day,
        9,
        0,
        150,
        community,
        venue,
        title,
        rng.choice(LEADER_DETAILS),
        SECRETARY,
        officials=officials,
        advisers=[rng.choice(places.legal)] if lawyer else [],
    )


def _area_day(places: Places, rng: Random, community: Community, day: date) -> Slot:
    grid, compound = _station(places, community, rng)
    officials = [places.profile(AREA_LEADER)]
    if community.code == HOME:
        officials.append(places.profile(COMMUNITY_SECRETARY))
    return Slot(
        ReceptionKind.LEADER_DAY,
        day,
        9,
        30,
        120,
        community,
        grid.station,
        f"包片领导下访接待·{community.name}",
        rng.choice(LEADER_DETAILS),
        AREA_LEADER,
        grid=grid,
        compound=compound,
        officials=officials,
    )


def _secretary_day(places: Places, rng: Random, community: Community, day: date) -> Slot:
    grid, compound = _station(places, community, rng)
    return Slot(
        ReceptionKind.LEADER_DAY,
        day,
        15,
        0,
        120,
        community,
        grid.station,
        f"社区书记接待日·{grid.station}",
        rng.choice(LEADER_DETAILS),
        COMMUNITY_SECRETARY,
        grid=grid,
        compound=compound,
        officials=[places.profile(COMMUNITY_SECRETARY)],
    )


def _advice_hours(places: Places, rng: Random, community: Community, day: date) -> Slot:
    """A lawyer's office hours, the two lawyers taking turns (now and then both)."""
    grid = compound = None
    venue = f"{community.name}党群服务中心法律服务室"
    if rng.random() < 0.3:
        grid, compound = _station(places, community, rng)
        venue = grid.station
    advisers = []
    if places.legal:
        advisers = [places.legal[(community.sort_order + day.month) % len(places.legal)]]
        if rng.random() < 0.15:
            advisers = list(places.legal)
    return Slot(
        ReceptionKind.LEGAL_ADVICE,
        day,
        9,
        30,
        120,
        community,
        venue,
        f"律师进社区法律咨询·{community.name}",
        rng.choice(ADVICE_DETAILS),
        _author(community),
        grid=grid,
        compound=compound,
        advisers=advisers,
    )


def _legal_talk(
    places: Places, rng: Random, community: Community, day: date, topic: tuple[str, str], hour: int
) -> Slot:
    """普法宣传 on a compound's square, at a grid station or in the community hall."""
    title, detail = topic
    grid, compound = _station(places, community, rng)
    roll = rng.random()
    if roll < 0.4 and compound is not None:
        venue = f"{compound.name}休闲广场"
    elif roll < 0.7:
        venue, compound = grid.station, None
    else:
        venue, grid, compound = f"{community.name}党群服务中心多功能厅", None, None
    advisers = []
    if places.legal:
        advisers = rng.sample(places.legal, k=rng.randint(1, len(places.legal)))
    mediators = places.refs.mediators.get("和为贵", [])
    if mediators and rng.random() < 0.2:
        advisers.append(rng.choice(mediators))
    officials = []
    if community.code == HOME and rng.random() < 0.3:
        officials.append(places.profile(COMMUNITY_SECRETARY))
    return Slot(
        ReceptionKind.LEGAL_OUTREACH,
        day,
        hour,
        30 if hour < 12 else 0,
        90,
        community,
        venue,
        f"{title}·{community.name}",
        detail,
        _author(community),
        grid=grid,
        compound=compound,
        officials=officials,
        advisers=advisers,
    )


def _hewei(places: Places, rng: Random, community: Community, day: date) -> Slot:
    """和为贵 in a community's mediation room or at a grid station."""
    grid = compound = None
    venue = f"{community.name}党群服务中心调解室"
    if rng.random() < 0.5:
        grid, compound = _station(places, community, rng)
        venue = grid.station
    officials = []
    if community.code == HOME and rng.random() < 0.4:
        officials.append(places.profile(COMMUNITY_SECRETARY))
    members = places.refs.mediators.get("和为贵", [])
    return Slot(
        ReceptionKind.MEDIATION,
        day,
        14,
        30,
        150,
        community,
        venue,
        f"“和为贵”调解进社区·{community.name}",
        rng.choice(MEDIATION_DETAILS),
        _author(community),
        grid=grid,
        compound=compound,
        officials=officials,
        advisers=rng.sample(members, k=min(len(members), rng.randint(1, 2))),
    )


def _fengjie(places: Places, rng: Random, community: Community, day: date) -> Slot:
    grid, compound = _station(places, community, rng)
    return Slot(
        ReceptionKind.MEDIATION,
        day,
        14,
        30,
        120,
        community,
        grid.station,
        f"“邻里凤姐”调解服务日·{grid.station}",
        rng.choice(MEDIATION_DETAILS),
        COMMUNITY_SECRETARY,
        grid=grid,
        compound=compound,
        advisers=list(places.refs.mediators.get("邻里凤姐", [])),
    )


# -- the routine ---------------------------------------------------------------------------


def _topic(rng: Random, month: int) -> tuple[str, str]:
    title, detail, _months = rng.choice([t for t in OUTREACH_TOPICS if not t[2] or month in t[2]])
    return title, detail


def year_slots(places: Places, rng: Random, *, base: bool) -> list[Slot]:
    """The year's receptions in time order (see the module docstring); ``base`` cancels a few."""
    year = Year(places.refs)
    communities = places.communities
    home = places.by_code(HOME)
    area = [c for c in map(places.by_code, AREA) if c]
    slots: list[Slot] = []

    def add(build, community: Community | None, day: date | None, *args: Any) -> None:
        day = year.working(day)
        if day is not None and community is not None:
            slots.append(build(places, rng, community, day, *args))

    for i, (y, m) in enumerate(year.months):
        for n in (1, 3):  # second and fourth Wednesday, each time another community
            add(_shuji_day, communities[(2 * i + n // 2) % len(communities)], _nth(y, m, WED, n))
        for k, n in enumerate((0, 2)):  # first and third Tuesday
            add(_area_day, area[(k + m) % len(area)] if area else None, _nth(y, m, TUE, n))
        add(_secretary_day, home, _nth(y, m, THU, -1))
        for n, community in enumerate(communities):
            add(_advice_hours, community, _nth(y, m, n % 5, 2))
            if (i + n) % 2 == 0:
                day = _nth(y, m, rng.choice([TUE, WED, THU]), rng.randint(0, 3))
                add(_legal_talk, community, day, _topic(rng, m), 15)
        if places.refs.mediators.get("和为贵"):
            for n in (0, 2):  # first and third Thursday
                community = communities[(2 * i + n // 2 + 2) % len(communities)]
                add(_hewei, community, _nth(y, m, THU, n))
        if places.refs.mediators.get("邻里凤姐"):
            for n in (1, 3):  # second and fourth Monday
                add(_fengjie, home, _nth(y, m, MON, n))
    for y in sorted({y for y, _m in year.months}):
        for month, mday, title, detail in THEMED_DAYS:
            day = date(y, month, mday)
            if year.first <= day <= year.last:  # held on the day itself, weekend or not
                for community in rng.sample(communities, k=min(2, len(communities))):
                    slots.append(_legal_talk(places, rng, community, day, (title, detail), 9))
    slots.sort(key=lambda s: (s.day, s.hour, s.minute, s.community.sort_order))
    if base:
        for slot in slots:
            if rng.random() < CANCEL_RATE:
                slot.status = ActivityStatus.CANCELLED
    return slots


def upcoming_slots(places: Places, rng: Random) -> list[Slot]:
    """Four receptions in the next three weeks, planned and published: a lawyer's office hours
    within days, the party secretary's reception day, 和为贵, and a legal talk."""
    today, cal = places.refs.today, places.refs.cal

    def ahead(days: int) -> date:
        day = today + timedelta(days=days + rng.randint(0, 2))
        while not cal.is_working(day):
            day += timedelta(days=1)
        return day

    communities = places.communities
    others = [c for c in communities if c.code != HOME] or communities
    slots = [
        _advice_hours(places, rng, rng.choice(communities), ahead(3)),
        _shuji_day(places, rng, rng.choice(others), ahead(7)),
    ]
    if places.refs.mediators.get("和为贵"):
        slots.append(_hewei(places, rng, rng.choice(others), ahead(11)))
    day = ahead(16)
    slots.append(_legal_talk(places, rng, rng.choice(others), day, _topic(rng, day.month), 15))
    for slot in slots:
        slot.status = ActivityStatus.PLANNED
    return slots
