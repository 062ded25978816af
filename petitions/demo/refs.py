"""What the case generators read, loaded once: demo accounts and who covers which grid,
categories, mediators, and the outreach demo's held activities and meeting decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from outreach.models import (
    ActivityStatus,
    Deliberation,
    DeliberationDecision,
    FieldVisit,
    OnsiteSession,
)
from petitions.demo.clock import WorkCalendar
from petitions.models import Category
from portal.access import scope_of
from portal.models import Community, Compound, Grid, StaffProfile, TeamMember
from portal.roles import Role

# The demo accounts (portal.demo.DEMO_USERS) that take part in cases.
SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER, MEDIATOR, OFFICIAL = (
    "shuji",
    "baopian",
    "sqshuji",
    "wanggeyuan",
    "tiaojieyuan",
    "lingdao",
)
DEMO_ACCOUNTS = (SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER, MEDIATOR, OFFICIAL)
MEDIATION_TEAMS = ("和为贵", "邻里凤姐")
MEDIATOR_QUALIFICATION = "人民调解员"
# Held on-site sessions in one demo year (Fridays at five communities, less holidays): how many
# years' worth of activities the outreach demo wrote.
SESSIONS_A_YEAR = 240


@dataclass
class Meeting:
    """A held deliberation meeting and its numbered decisions."""

    meeting: Deliberation
    decisions: list[DeliberationDecision]

    @property
    def day(self) -> date:
        return timezone.localtime(self.meeting.starts_at).date()


@dataclass
class Refs:
    today: date
    tz: tzinfo
    cal: WorkCalendar
    users: dict[str, Any]
    profiles: dict[str, StaffProfile]
    categories: dict[str, Category]
    communities: list[Community]
    grids: list[Grid]
    compounds_of_grid: dict[int, list[Compound]]
    mediators: dict[str, list[TeamMember]]  # team name -> members qualified as 人民调解员
    visits: list[FieldVisit]
    sessions: list[OnsiteSession]
    meetings: list[Meeting]
    _cover: dict[int, list[str]] = field(default_factory=dict)  # grid id -> usernames

    @property
    def start(self) -> date:
        """The first day of the demo year (the 365 days ending yesterday)."""
        return self.today - timedelta(days=365)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return self.cal.at(day, hour, minute)

    def category(self, name: str) -> Category:
        """The seeded category of that name; if staff renamed or retired it, 其他 (or any)."""
        found = self.categories.get(name) or self.categories.get("其他")
        return found or next(iter(self.categories.values()))

    def user(self, username: str) -> Any:
        return self.users[username]

    def profile(self, username: str) -> StaffProfile:
        return self.profiles[username]

    def username_of(self, profile_id: int) -> str:
        return next(u for u, p in self.profiles.items() if p.pk == profile_id)

    def covering(self, grid: Grid) -> list[str]:
        """Demo accounts whose scope holds the grid, nearest first (grid worker, community
        secretary, area leader), always ending with the party secretary."""
        if grid.pk not in self._cover:
            order = {Role.GRID_WORKER: 0, Role.COMMUNITY_SECRETARY: 1, Role.AREA_LEADER: 2}
            found = []
            for username, user in self.users.items():
                scope = scope_of(user)
                if scope.role in order and (
                    grid.pk in scope.grid_ids or grid.community_id in scope.community_ids
                ):
                    found.append((order[scope.role], username))
            self._cover[grid.pk] = [u for _o, u in sorted(found)] + [SECRETARY]
        return self._cover[grid.pk]

    def registrar(self, grid: Grid, prefer: str | None = None) -> str:
        """Who logs a request in this grid: ``prefer`` if the grid is theirs, else the nearest."""
        cover = self.covering(grid)
        return prefer if prefer in cover else cover[0]

    def manager(self, grid: Grid) -> str:
        """Who accepts and assigns ordinary requests here: the nearest cadre above the grid."""
        cover = [u for u in self.covering(grid) if u != GRID_WORKER]
        return cover[0]

    def handler(self, grid: Grid, *, grid_level: bool = True) -> str:
        """Who handles a request here: the grid worker for matters of the grid itself."""
        cover = self.covering(grid)
        if not grid_level:
            cover = [u for u in cover if u != GRID_WORKER]
        return cover[0]

    def compound_in(self, grid: Grid, rng: Any) -> Compound | None:
        compounds = self.compounds_of_grid.get(grid.pk) or []
        return rng.choice(compounds) if compounds else None


def load(today: date) -> Refs:
    """Everything the generators read."""
    tz = timezone.get_current_timezone()
    start = today - timedelta(days=366)
    cal = WorkCalendar(start - timedelta(days=30), today + timedelta(days=200), tz)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_ACCOUNTS)}
    profiles = {
        p.user.username: p
        for p in StaffProfile.objects.filter(user__username__in=DEMO_ACCOUNTS).select_related(
            "user"
        )
    }
    missing = set(DEMO_ACCOUNTS) - set(profiles)
    if missing:
        raise RuntimeError(f"petitions demo needs portal's demo accounts (missing {missing})")
    for username in users:  # the services read the scope from these very objects: load once
        scope_of(users[username])
    grids = list(Grid.objects.select_related("community").order_by("community__sort_order", "pk"))
    compounds: dict[int, list[Compound]] = {}
    for compound in Compound.objects.filter(grid__isnull=False).order_by("pk"):
        compounds.setdefault(compound.grid_id, []).append(compound)
    mediators: dict[str, list[TeamMember]] = {}
    for member in (
        TeamMember.objects.filter(
            team__name__in=MEDIATION_TEAMS,
            is_active=True,
            qualifications__name=MEDIATOR_QUALIFICATION,
        )
        .select_related("team", "user")
        .order_by("pk")
    ):
        mediators.setdefault(member.team.name, []).append(member)
    window = (
        datetime.combine(start, datetime.min.time(), tzinfo=tz),
        datetime.combine(today, datetime.min.time(), tzinfo=tz),
    )
    held = {"status": ActivityStatus.HELD, "starts_at__range": window}
    visits = list(
        FieldVisit.objects.filter(**held, grid__isnull=False)
        .select_related("community", "grid", "compound", "lead_official__user")
        .order_by("starts_at", "pk")
    )
    sessions = list(
        OnsiteSession.objects.filter(**held, grid__isnull=False)
        .select_related("community", "grid", "compound")
        .order_by("starts_at", "pk")
    )
    meetings = []
    for meeting in (
        Deliberation.objects.filter(**held, grid__isnull=False)
        .select_related("community", "grid", "compound")
        .prefetch_related("decisions")
        .order_by("starts_at", "pk")
    ):
        decisions = sorted(meeting.decisions.all(), key=lambda d: (d.sort_order, d.pk))
        if decisions:
            meetings.append(Meeting(meeting, decisions))
    years = max(1, round(len(sessions) / SESSIONS_A_YEAR))
    return Refs(
        today=today,
        tz=tz,
        cal=cal,
        users=users,
        profiles=profiles,
        categories={c.name: c for c in Category.objects.filter(is_active=True)},
        communities=list(Community.objects.order_by("sort_order", "pk")),
        grids=grids,
        compounds_of_grid=compounds,
        mediators=mediators,
        visits=visits[::years],
        sessions=sessions[::years],
        meetings=meetings[::years],
    )
