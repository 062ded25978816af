"""Small factory helpers — the one way tests make rows. Each takes overrides as keywords."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model

from portal.models import Community, Compound, Grid, StaffProfile, Team, TeamKind
from portal.roles import Role
from portal.services import grant_role

_seq = itertools.count(1)
PASSWORD = "Test#pass2026"


def make_community(**overrides: Any) -> Community:
    n = next(_seq)
    fields = {"name": f"测试社区{n}", "code": f"c{n}"} | overrides
    return Community.objects.create(**fields)


def make_grid(community: Community | None = None, **overrides: Any) -> Grid:
    n = next(_seq)
    fields = {"name": f"第{n}网格", "station": f"第{n}网格驿站"} | overrides
    return Grid.objects.create(community=community or make_community(), **fields)


def make_compound(grid: Grid | None = None, **overrides: Any) -> Compound:
    n = next(_seq)
    grid = grid or make_grid()
    fields = {"name": f"测试小区{n}", "community": grid.community, "grid": grid} | overrides
    return Compound.objects.create(**fields)


def make_team(**overrides: Any) -> Team:
    n = next(_seq)
    fields = {"name": f"测试队伍{n}", "kind": TeamKind.TALK} | overrides
    return Team.objects.create(**fields)


def make_user(username: str | None = None, **overrides: Any):
    user_model = get_user_model()
    user = user_model.objects.create_user(
        username=username or f"user{next(_seq)}", password=PASSWORD, is_staff=True, **overrides
    )
    return user


def chinese_number(n: int) -> str:
    """12 → 一二: a distinct name part that a person's name may hold (digits it may not)."""
    return "".join("零一二三四五六七八九"[int(d)] for d in str(n))


def make_staff(
    role: Role,
    *,
    communities: list[Community] = (),
    grids: list[Grid] = (),
    username: str | None = None,
    name: str | None = None,
    approved: bool = True,
) -> Any:
    """A staff account holding `role` over the given scope (approved unless told otherwise)."""
    user = make_user(username)
    grant_role(
        user,
        actor=None,
        name=name or f"员工{chinese_number(user.pk)}",
        role=role,
        communities=list(communities),
        grids=list(grids),
    )
    if not approved:
        StaffProfile.objects.filter(user=user).update(
            approved_at=None, approved_by=None, approved_scope={}
        )
    return user


# --- outreach -----------------------------------------------------------------------------------


def _activity_fields(place_grid: Grid | None, overrides: dict[str, Any]) -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone

    from outreach.models import ActivityStatus

    grid = overrides.pop("grid", place_grid)
    community = overrides.pop("community", None) or (grid.community if grid else make_community())
    n = next(_seq)
    fields = {
        "title": f"测试活动{n}",
        "starts_at": timezone.now() - timedelta(days=3),
        "community": community,
        "grid": grid,
        "venue": f"{community.name}活动室",
        "summary": "测试摘要",
        "status": ActivityStatus.HELD,
        "is_published": True,
        "created_by": overrides.pop("created_by", None) or make_user(),
    }
    return fields | overrides


def make_talk(grid: Grid | None = None, **overrides: Any):
    from outreach.models import PolicyTalk, TalkKind

    fields = _activity_fields(grid, overrides)
    fields = {"kind": TalkKind.THEORY, "attendance_signed": 50} | fields
    return PolicyTalk.objects.create(**fields)


def make_visit(grid: Grid | None = None, **overrides: Any):
    from outreach.models import FieldVisit, VisitKind

    lead = overrides.pop("lead_official", None)
    fields = _activity_fields(grid, overrides)
    if lead is None:
        lead = StaffProfile.objects.get(user=make_staff(Role.AREA_LEADER))
    fields = {"kind": VisitKind.DAILY, "households_visited": 10, "lead_official": lead} | fields
    return FieldVisit.objects.create(**fields)


def make_session(grid: Grid | None = None, **overrides: Any):
    from outreach.models import OnsiteSession, VenueType

    fields = _activity_fields(grid, overrides)
    fields = {"venue_type": VenueType.GRID_STATION, "residents_met": 12} | fields
    return OnsiteSession.objects.create(**fields)


def make_deliberation(grid: Grid | None = None, **overrides: Any):
    from outreach.models import Deliberation

    return Deliberation.objects.create(**_activity_fields(grid, overrides))


def make_rota(grid: Grid | None = None, **overrides: Any):
    from outreach.models import OnsiteRota, VenueType

    grid = grid or make_grid()
    fields = {
        "community": grid.community,
        "grid": grid,
        "venue": f"{grid.name}驿站",
        "venue_type": VenueType.GRID_STATION,
    } | overrides
    return OnsiteRota.objects.create(**fields)


# --- petitions ----------------------------------------------------------------------------------


def make_category(name: str | None = None, **overrides: Any):
    from petitions.models import Category

    return Category.objects.get_or_create(name=name or f"测试分类{next(_seq)}", defaults=overrides)[
        0
    ]


def make_case(grid: Grid | None = None, *, actor: Any = None, **overrides: Any):
    """A case registered the real way (petitions.services.register_case).

    `actor` None registers it as a resident's online submission. Petitioner: 田会平, 13912345678.
    """
    from petitions.models import CaseKind, Channel, Triage
    from petitions.services import CaseIntake, PartyData, register_case

    grid = overrides.pop("grid", grid) or make_grid()
    fields = {
        "kind": CaseKind.ORDINARY,
        "channel": Channel.VISIT if actor else Channel.ONLINE,
        "category": overrides.pop("category", None) or make_category("环境卫生"),
        "community": grid.community,
        "grid": grid,
        "title": f"测试诉求{next(_seq)}",
        "content": "楼道堆放杂物，影响通行。",
        # An ordinary request has no class; one solved on the spot is classed so.
        "triage": Triage.ON_THE_SPOT if overrides.get("on_the_spot_result") else "",
        "parties": [PartyData(name="田会平", phone="13912345678", id_number="")],
    } | overrides
    if fields["triage"] == "long_term":
        fields.setdefault("followup_interval_days", 14)
    return register_case(CaseIntake(**fields), actor=actor)


def make_reception(grid: Grid | None = None, **overrides: Any):
    from petitions.models import Reception, ReceptionKind

    fields = _activity_fields(grid, overrides)
    fields = {"kind": ReceptionKind.LEADER_DAY, "residents_served": 15} | fields
    return Reception.objects.create(**fields)
