"""What the demo reads once from the database: the demo accounts and who covers which grid,
categories, mediators and lawyers, the held activities of the year (outreach's seeder wrote
them: research visits with their 民情日志, on-site sessions, deliberation meetings and their
decisions) — and the invented residents who bring requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from outreach.models import ActivityStatus, Deliberation, FieldVisit, OnsiteSession
from petitions.models import Category
from petitions.services import PartyData
from portal import workdays
from portal.access import scope_of
from portal.demo import DEMO_USERS, TEAMS, texts
from portal.models import Community, Compound, Grid, StaffProfile, TeamMember
from portal.periods import year_back
from portal.roles import Role

SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER, MEDIATOR = (
    "shuji",
    "baopian",
    "sqshuji",
    "wanggeyuan",
    "tiaojieyuan",
)
DEMO_ACCOUNTS = (SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER, MEDIATOR, "lingdao")
NEAREST = {Role.GRID_WORKER: 0, Role.COMMUNITY_SECRETARY: 1, Role.AREA_LEADER: 2}
HELD = {"status": ActivityStatus.HELD, "grid__isnull": False}


def working(day: date) -> date:
    """``day``, or the next working day (portal.workdays: the office's calendar)."""
    while not workdays.is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_back(day: date, n: int) -> date:
    while n > 0:
        day -= timedelta(days=1)
        n -= workdays.is_working_day(day)
    return day


@dataclass
class World:
    today: date
    users: dict[str, Any]
    profiles: dict[str, StaffProfile]
    categories: dict[str, Category]
    communities: list[Community]
    grids: list[Grid]
    compounds: dict[int, list[Compound]]  # grid id -> compounds
    teams: dict[str, list[TeamMember]]  # team name -> active members (mediators: qualified)
    visits: list[FieldVisit]
    sessions: list[OnsiteSession]
    meetings: list[Deliberation]
    cover: dict[int, list[str]] = field(default_factory=dict)

    @property
    def start(self) -> date:
        return year_back(self.today)[0]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())

    def category(self, name: str) -> Category:
        return self.categories.get(name) or self.categories.get("其他") or [*self.categories.values()][0]

    def covering(self, grid: Grid) -> list[str]:
        """Demo accounts whose scope holds the grid, nearest first, ending with the secretary."""
        if grid.pk not in self.cover:
            found = []
            for username, user in self.users.items():
                scope = scope_of(user)
                if scope.role in NEAREST and (
                    grid.pk in scope.grid_ids or grid.community_id in scope.community_ids
                ):
                    found.append((NEAREST[scope.role], username))
            self.cover[grid.pk] = [u for _n, u in sorted(found)] + [SECRETARY]
        return self.cover[grid.pk]

    def registrar(self, grid: Grid, prefer: str | None = None) -> str:
        cover = self.covering(grid)
        return prefer if prefer in cover else cover[0]

    def manager(self, grid: Grid) -> str:
        """Who accepts and assigns here: the nearest cadre above the grid worker."""
        return [u for u in self.covering(grid) if u != GRID_WORKER][0]

    def handler(self, grid: Grid, *, grid_level: bool = True) -> str:
        return self.covering(grid)[0] if grid_level else self.manager(grid)

    def compound_in(self, grid: Grid, rng: Random) -> Compound | None:
        compounds = self.compounds.get(grid.pk) or []
        return rng.choice(compounds) if compounds else None


def load(today: date) -> World:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_ACCOUNTS)}
    profiles = {
        p.user.username: p
        for p in StaffProfile.objects.filter(user__in=users.values()).select_related("user")
    }
    if missing := set(DEMO_ACCOUNTS) - set(profiles):
        raise RuntimeError(f"petitions demo needs portal's demo accounts (missing {missing})")
    for user in users.values():  # the services read the scope from these very objects
        scope_of(user)
    compounds: dict[int, list[Compound]] = {}
    for compound in Compound.objects.filter(grid__isnull=False).order_by("pk"):
        compounds.setdefault(compound.grid_id, []).append(compound)
    teams: dict[str, list[TeamMember]] = {}
    for member in TeamMember.objects.filter(is_active=True).select_related("team", "user"):
        qualified = {q.name for q in member.qualifications.all()}
        if member.team.kind != "mediation" or "人民调解员" in qualified:
            teams.setdefault(member.team.name, []).append(member)
    start, end = year_back(today)
    window = {"starts_at__date__range": (start, end - timedelta(days=1)), **HELD}
    related = ("community", "grid", "compound")
    return World(
        today=today,
        users=users,
        profiles=profiles,
        categories={c.name: c for c in Category.objects.filter(is_active=True)},
        communities=list(Community.objects.order_by("sort_order", "pk")),
        grids=list(Grid.objects.select_related("community").order_by("community__sort_order", "pk")),
        compounds=compounds,
        teams={name: sorted(members, key=lambda m: m.pk) for name, members in teams.items()},
        visits=list(
            FieldVisit.objects.filter(**window)
            .select_related(*related, "lead_official__user")
            .order_by("starts_at", "pk")
        ),
        sessions=list(
            OnsiteSession.objects.filter(**window).select_related(*related).order_by("starts_at", "pk")
        ),
        meetings=[
            m
            for m in Deliberation.objects.filter(**window)
            .select_related(*related)
            .prefetch_related("decisions")
            .order_by("starts_at", "pk")
            if m.decisions.all()
        ],
    )


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2, as ``portal.privacy.canonical_id_number`` checks it."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


class People:
    """Invented residents (see data/people.toml); about one request in seven comes from
    someone of the compound who asked before (three requests at most)."""

    def __init__(self, rng: Random) -> None:
        self.rng, self.names = rng, texts("petitions.demo", "people")
        self.taken = {name for _u, name, *_rest in DEMO_USERS}
        self.taken |= {member[0] for *_team, members in TEAMS for member in members}
        self.used: set[str] = set()
        self.regulars: dict[int | None, list[list[Any]]] = {}

    def _unique(self, make: Any) -> str:
        while (value := make()) in self.used:
            pass
        self.used.add(value)
        return value

    def _name(self) -> str:
        rng, names = self.rng, self.names
        roll = rng.random()
        if roll < 0.12:
            return rng.choice(names["mongolian"])
        if roll < 0.2:
            return rng.choice(names["mongolian_surnames"]) + rng.choice(names["mongolian"])
        return rng.choice(names["surnames"]) + rng.choice(names["given"])

    def _id_number(self) -> str:
        rng = self.rng
        first17 = (
            f"{rng.choice(self.names['area_codes'])}{rng.randint(1942, 2001)}"
            f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        )
        return first17 + id_check_digit(first17)

    def new(self, compound: Compound | None, role: str = "petitioner") -> PartyData:
        rng = self.rng
        name = next((n for n in (self._name() for _ in range(50)) if n not in self.taken), "")
        address = compound and self.names["address"].format(
            c=compound.name, b=rng.randint(1, 18), u=rng.randint(1, 4), f=rng.randint(1, 6), r=rng.randint(1, 2)
        )
        return PartyData(
            name=name,
            phone=self._unique(lambda: f"{rng.choice(self.names['phone_prefixes'])}{rng.randint(0, 99999):05d}"),
            id_number=self._unique(self._id_number) if rng.random() < 0.4 else "",
            address=address or "",
            role=role,
        )

    def petitioner(self, compound: Compound | None) -> PartyData:
        regulars = self.regulars.setdefault(compound and compound.pk, [])
        ready = [r for r in regulars if r[1] < 3]
        if ready and self.rng.random() < 0.14:
            chosen = self.rng.choice(ready)
        else:
            chosen = [self.new(compound), 0]
            if self.rng.random() < 0.12:
                regulars.append(chosen)
        chosen[1] += 1
        return chosen[0]
