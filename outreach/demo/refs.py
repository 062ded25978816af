"""What the generators read: the demo accounts, the communities with a grid station, staff,
teams and the editable lists, loaded once per run."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from outreach.demo.content_research import THEMES
from outreach.demo.content_talks import SERIES
from outreach.models import OnsiteRota, ResearchTheme, TalkSeries, VenueType
from portal.demo import SeedContext
from portal.models import Community, Compound, Grid, StaffProfile, Team, TeamMember

# Demo accounts that register activities (see portal.demo.DEMO_USERS).
SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER = (
    "shuji",
    "baopian",
    "sqshuji",
    "wanggeyuan",
)
DEMO_AUTHORS = (SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER)
HOME_COMMUNITY = "fenghuangling"  # the community secretary's and the grid worker's
HOME_GRID = "第二网格"  # the grid worker's grid in it
AREA_COMMUNITIES = ("fenghuangling", "chilechuan")  # the area leader's 包片


@dataclass
class Place:
    """A community the demo works in: its grids that have a station, and its compounds."""

    community: Community
    grids: list[Grid]  # with a station, in order
    compounds: list[Compound]
    compounds_of: dict[int, list[Compound]]  # grid id -> compounds


@dataclass
class Refs:
    """Everything the generators look up, loaded once per run by ``load_refs``."""

    today: date
    tz: tzinfo
    places: list[Place]
    by_code: dict[str, Place]
    compound_by_name: dict[str, Compound]
    users: dict[str, Any]
    profiles: dict[str, StaffProfile]
    teams: dict[str, Team]
    members: dict[str, list[TeamMember]]
    series: dict[str, TalkSeries]
    themes: dict[str, ResearchTheme]
    rotas: dict[int, OnsiteRota] = field(default_factory=dict)  # community id -> rota

    @property
    def days(self) -> list[date]:
        """The 365 days ending yesterday."""
        return [self.today - timedelta(days=n) for n in range(365, 0, -1)]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def author(self, community: Community, grid: Grid | None) -> Any:
        """Who registered an activity: the grid worker in her grid, the community secretary in
        her community, otherwise the party secretary."""
        if community.code == HOME_COMMUNITY:
            if grid is not None and grid.name == HOME_GRID:
                return self.users[GRID_WORKER]
            return self.users[COMMUNITY_SECRETARY]
        return self.users[SECRETARY]


def venue_type(station: str) -> str:
    for suffix, kind in (
        ("网格驿站", VenueType.GRID_STATION),
        ("协商议事厅", VenueType.COUNCIL_HALL),
        ("民声议事亭", VenueType.VOICE_PAVILION),
        ("邻里议事亭", VenueType.NEIGHBOUR_PAVILION),
    ):
        if station.endswith(suffix):
            return kind
    return VenueType.OTHER


def load_refs(ctx: SeedContext) -> Refs:
    communities = list(Community.objects.order_by("sort_order", "pk"))
    grids = defaultdict(list)
    for grid in Grid.objects.exclude(station="").order_by("sort_order", "pk"):
        grids[grid.community_id].append(grid)
    compounds = defaultdict(list)
    by_grid = defaultdict(list)
    compound_by_name = {}
    for compound in Compound.objects.select_related("grid").order_by("pk"):
        compounds[compound.community_id].append(compound)
        if compound.grid_id:
            by_grid[compound.grid_id].append(compound)
        compound_by_name[compound.name] = compound
    places = [
        Place(
            c,
            grids[c.pk],
            compounds[c.pk],
            {g.pk: by_grid[g.pk] or compounds[c.pk] for g in grids[c.pk]},
        )
        for c in communities
        if grids[c.pk] and compounds[c.pk]
    ]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_AUTHORS)}
    profiles = {
        p.user.username: p
        for p in StaffProfile.objects.filter(user__username__in=DEMO_AUTHORS).select_related("user")
    }
    missing = set(DEMO_AUTHORS) - set(profiles)
    if missing or not places:
        raise RuntimeError(
            f"outreach demo needs portal's demo data first (missing: {sorted(missing)})"
        )
    teams = {t.name: t for t in Team.objects.all()}
    members = defaultdict(list)
    for member in TeamMember.objects.filter(is_active=True).select_related("team"):
        members[member.team.name].append(member)
    series = {}
    for name, kind, description in SERIES:
        series[name], _ = TalkSeries.objects.get_or_create(
            name=name, defaults={"kind": kind, "description": description}
        )
    themes = {}
    for name, description in THEMES:
        themes[name], _ = ResearchTheme.objects.get_or_create(
            name=name, defaults={"description": description}
        )
    return Refs(
        today=ctx.today,
        tz=timezone.get_current_timezone(),
        places=places,
        by_code={p.community.code: p for p in places},
        compound_by_name=compound_by_name,
        users=users,
        profiles=profiles,
        teams=teams,
        members=dict(members),
        series=series,
        themes=themes,
    )


def who(profiles: list[StaffProfile], refs: Refs) -> str:
    """How a summary names the officials who came, by post rather than by name."""
    labels = {
        SECRETARY: "街道党工委书记",
        AREA_LEADER: "包片领导",
        COMMUNITY_SECRETARY: "社区党委书记",
        GRID_WORKER: "网格员",
    }
    names = [labels[p.user.username] for p in profiles if p.user.username in labels]
    return "、".join(names) if names else "社区两委干部和网格员"
