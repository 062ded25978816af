"""Demo reference data: a fictional sub-district in Hohhot, its communities, teams and staff.

Every function here is idempotent: rows are found by their natural key and created only when
missing, so `seed_demo` can run on every `make run`.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from portal.models import (
    Community,
    Compound,
    Grid,
    Qualification,
    StaffProfile,
    Team,
    TeamKind,
    TeamMember,
)
from portal.roles import Role
from portal.seeding import SeedContext
from portal.services import grant_role


@functools.cache
def texts(package: str, name: str) -> dict[str, Any]:
    """The demo data file ``<package>/data/<name>.toml``: texts and tables, not code.

    ``texts("outreach.demo", "talks")`` reads ``outreach/demo/data/talks.toml``. Cached: the
    result is shared, so callers must not change it.
    """
    source = resources.files(package).joinpath("data", f"{name}.toml")
    return tomllib.loads(source.read_text(encoding="utf-8"))


# Printed by `make run`; never use demo data on a real installation (seed_demo refuses when
# DJANGO_DEBUG is off).
DEMO_PASSWORD = "Demo#2026fhl"  # noqa: S105 - public on purpose


# The sub-district's reference data and demo accounts (data/portal.toml).
DATA = texts("portal.demo", "portal")
ACCOUNTS: list[dict[str, Any]] = DATA["account"]  # username, name, role, title, unit, scope
TEAMS: list[dict[str, Any]] = DATA["team"]  # name, kind, community?, description, members


# Progress stages this module reports (seed_demo adds them up for "[n/total]").
STAGES = 1


def seed(ctx: SeedContext) -> None:
    with ctx.stage("基础数据") as stage:
        _seed_reference_data()
        stage.done(
            f"{Community.objects.count()} 个社区，{Grid.objects.count()} 个网格，"
            f"{Compound.objects.count()} 个小区，{Team.objects.count()} 支队伍，"
            f"{StaffProfile.objects.count()} 个账号"
        )


@transaction.atomic
def _seed_reference_data() -> None:
    communities = {}
    for order, row in enumerate(DATA["community"]):
        community, _ = Community.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "address": row["address"],
                "phone": row["phone"],
                "sort_order": order,
            },
        )
        communities[community.code] = community
        for grid_order, grid_row in enumerate(row["grids"]):
            grid, _ = Grid.objects.get_or_create(
                community=community,
                name=grid_row["name"],
                defaults={"station": grid_row["station"], "sort_order": grid_order},
            )
            for compound_name, households in grid_row["compounds"]:
                Compound.objects.get_or_create(
                    community=community,
                    name=compound_name,
                    defaults={"grid": grid, "households": households},
                )

    qualifications = {
        row["name"]: Qualification.objects.get_or_create(
            name=row["name"], defaults={"description": row["description"]}
        )[0]
        for row in DATA["qualification"]
    }
    for row in TEAMS:
        team, _ = Team.objects.get_or_create(
            name=row["name"],
            defaults={
                "kind": TeamKind(row["kind"]),
                "community": communities[row["community"]] if "community" in row else None,
                "description": row["description"],
            },
        )
        for member_row in row["members"]:
            member, created = team.members.get_or_create(
                name=member_row["name"],
                defaults={"position": member_row["position"], "work_unit": member_row["unit"]},
            )
            if created:
                member.qualifications.set([qualifications[q] for q in member_row["qualifications"]])

    _seed_users(communities)


def _seed_users(communities: dict[str, Community]) -> None:
    user_model = get_user_model()
    # One hash for the one published password (a hash costs about 0.1 s by design).
    password = make_password(DEMO_PASSWORD)
    for row in ACCOUNTS:
        user, _ = user_model.objects.get_or_create(
            username=row["username"], defaults={"is_staff": True, "password": password}
        )
        if StaffProfile.objects.filter(user=user).exists():
            continue
        grant_role(
            user,
            actor=None,
            name=row["name"],
            role=Role(row["role"]),
            communities=[communities[code] for code in row["communities"]],
            grids=[
                Grid.objects.get(community=communities[code], name=grid_name)
                for code, grid_name in row["grids"]
            ],
            title=row["title"],
            unit=row["unit"],
        )
        link_team_member(user, row["name"])


def link_team_member(user: Any, name: str) -> None:
    """A demo account that is also a team member (the mediator) is linked to that membership."""
    TeamMember.objects.filter(name=name, user__isnull=True).update(user=user)


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role) for every demo account, in role order."""
    return [(row["username"], DEMO_PASSWORD, str(Role(row["role"]).label)) for row in ACCOUNTS]
