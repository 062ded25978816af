"""What the demo reads once from the database (the demo accounts and who covers which grid,
categories, teams, the year's held activities outreach's seeder wrote) and the residents it
invents."""

from __future__ import annotations

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
from portal.demo import ACCOUNTS, TEAMS, texts
from portal.models import Community, Compound, Grid, StaffProfile, TeamMember
from portal.periods import year_back
from portal.privacy import id_check_digit
from portal.roles import Role

SECRETARY, GRID_WORKER, MEDIATOR = "shuji", "wanggeyuan", "tiaojieyuan"
DEMO_ACCOUNTS = (SECRETARY, "baopian", "sqshuji", GRID_WORKER, MEDIATOR, "lingdao")
NEAREST = {Role.GRID_WORKER: 0, Role.COMMUNITY_SECRETARY: 1, Role.AREA_LEADER: 2}


def data(name: str) -> dict[str, Any]:
    """One of this demo's data files (data/<name>.toml)."""
    return texts("petitions.demo", name)


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


class World:
    """Everything the plans and the player read, loaded once."""

    def __init__(self, today: date, rng: Random, horizon: datetime) -> None:
        self.today, self.start, self.rng, self.horizon = today, year_back(today)[0], rng, horizon
        self.people, self.agreements = People(rng), 0
        accounts = get_user_model().objects.filter(username__in=DEMO_ACCOUNTS)
        self.users = {u.username: u for u in accounts}
        profiles = StaffProfile.objects.filter(user__in=accounts).select_related("user")
        self.profiles = {p.user.username: p for p in profiles}
        if missing := set(DEMO_ACCOUNTS) - set(self.profiles):
            raise RuntimeError(f"petitions demo needs portal's demo accounts (missing {missing})")
        self.usernames = {p.pk: u for u, p in self.profiles.items()}
        scopes = {u: scope_of(user) for u, user in self.users.items()}  # cached on the users
        self.categories = {c.name: c for c in Category.objects.filter(is_active=True)}
        self.communities = list(Community.objects.order_by("sort_order", "pk"))
        grids = Grid.objects.select_related("community")
        self.grids = list(grids.order_by("community__sort_order", "pk"))
        self.cover = {}  # grid id -> accounts whose scope holds it, nearest first, the secretary
        for g in self.grids:
            holds = {u for u, sc in scopes.items() if g.pk in sc.grid_ids}
            holds |= {u for u, sc in scopes.items() if g.community_id in sc.community_ids}
            near = sorted((NEAREST[scopes[u].role], u) for u in holds if scopes[u].role in NEAREST)
            self.cover[g.pk] = [u for _n, u in near] + [SECRETARY]
        self.compounds: dict[int, list[Compound]] = {}
        for compound in Compound.objects.filter(grid__isnull=False).order_by("pk"):
            self.compounds.setdefault(compound.grid_id, []).append(compound)
        self.teams: dict[str, list[TeamMember]] = {}  # of a mediation team: 人民调解员 only
        members = TeamMember.objects.filter(is_active=True).select_related("team").order_by("pk")
        for member in members.prefetch_related("qualifications"):
            qualified = "人民调解员" in {q.name for q in member.qualifications.all()}
            if member.team.kind != "mediation" or qualified:
                self.teams.setdefault(member.team.name, []).append(member)
        held = {"status": ActivityStatus.HELD, "grid__isnull": False}
        held["starts_at__date__range"] = (self.start, today - timedelta(days=1))

        def held_rows(model: Any) -> list[Any]:
            rows = model.objects.filter(**held).select_related("community", "grid", "compound")
            return list(rows.order_by("starts_at", "pk"))

        self.visits, self.sessions = held_rows(FieldVisit), held_rows(OnsiteSession)
        self.meetings = [m for m in held_rows(Deliberation) if m.decisions.all()]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())

    def registrar(self, grid: Grid, prefer: str | None = None) -> str:
        return prefer if prefer in self.cover[grid.pk] else self.cover[grid.pk][0]

    def manager(self, grid: Grid) -> str:
        """Who accepts and assigns here (and handles what is above the grid worker)."""
        return next(u for u in self.cover[grid.pk] if u != GRID_WORKER)

    def handler(self, grid: Grid) -> str:
        return self.cover[grid.pk][0]

    def compound_in(self, grid: Grid) -> Compound | None:
        compounds = self.compounds.get(grid.pk)
        return self.rng.choice(compounds) if compounds else None


class People:
    """Invented residents; about one request in seven comes from someone of the compound who
    asked before (three requests at most)."""

    def __init__(self, rng: Random) -> None:
        self.rng, self.names = rng, data("people")
        staff = [*ACCOUNTS, *(m for team in TEAMS for m in team["members"])]
        self.taken, self.regulars = {a["name"] for a in staff}, dict[Any, list[list[Any]]]()

    def name(self) -> str:
        rng, names, roll = self.rng, self.names, self.rng.random()
        given = rng.choice(names["mongolian"] if roll < 0.2 else names["given"])
        surnames = names["mongolian_surnames" if roll < 0.2 else "surnames"]
        name = ("" if roll < 0.12 else rng.choice(surnames)) + given
        return self.name() if name in self.taken else name

    def new(self, compound: Compound | None, role: str = "petitioner") -> PartyData:
        rng, names = self.rng, self.names
        born = date(rng.randint(1942, 2001), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"{rng.choice(names['area_codes'])}{born:%Y%m%d}{rng.randint(0, 999):03d}"
        number = first17 + id_check_digit(first17) if rng.random() < 0.4 else ""
        phone = f"{rng.choice(names['phone_prefixes'])}{rng.randint(0, 99999):05d}"
        b, u, f, r = (rng.randint(1, n) for n in (18, 4, 6, 2))
        address = names["address"].format(c=compound.name, b=b, u=u, f=f, r=r) if compound else ""
        return PartyData(self.name(), phone, number, address, role)

    def petitioner(self, compound: Compound | None) -> PartyData:
        regulars = self.regulars.setdefault(compound, [])
        ready = [r for r in regulars if r[1] < 3]
        back = ready and self.rng.random() < 0.14
        chosen = self.rng.choice(ready) if back else [self.new(compound), 0]
        if chosen[1] == 0 and self.rng.random() < 0.12:
            regulars.append(chosen)
        chosen[1] += 1
        return chosen[0]
