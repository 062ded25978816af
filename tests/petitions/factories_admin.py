"""Cases for the back-office tests, made the real way (petitions.services)."""

from __future__ import annotations

import itertools
from typing import Any

from petitions import services
from petitions.models import CaseKind, Category, Channel, PartyRole, Triage
from petitions.services import PartyData
from portal.models import Grid, StaffProfile
from portal.roles import Role

PHONE = "13912345678"
MASKED_PHONE = "139****5678"
# 110101 19900307 451 + check digit 4 (the valid one; ...4518 fails the check digit).
ID_NUMBER = "110101199003074514"
BAD_ID_NUMBER = "110101199003074518"
NAME = "田会平"

_seq = itertools.count(1)


def category() -> Category:
    return Category.objects.get(name="环境卫生")  # seeded by the migrations


def profile(user: Any) -> StaffProfile:
    return StaffProfile.objects.get(user=user)


def new_case(grid: Grid, *, actor: Any = None, parties: Any = None, **overrides: Any):
    """A registered case in `grid`; petitioner 田会平, 13912345678, ID 110101199003074514."""
    fields = {
        "kind": CaseKind.ORDINARY,
        "channel": Channel.VISIT if actor else Channel.ONLINE,
        "category": category(),
        "community": grid.community,
        "grid": grid,
        "title": f"楼道堆物{next(_seq)}",
        "content": "三单元楼道堆放杂物，影响通行。",
        # An ordinary request has no class; one solved on the spot is classed so.
        "triage": Triage.ON_THE_SPOT if overrides.get("on_the_spot_result") else "",
        "parties": parties
        if parties is not None
        else [PartyData(name=NAME, phone=PHONE, id_number=ID_NUMBER, role=PartyRole.PETITIONER)],
    } | overrides
    if fields["triage"] == Triage.LONG_TERM:
        fields.setdefault("followup_interval_days", 14)
    return services.register_case(services.CaseIntake(**fields), actor=actor)


def assigned_case(place: Any, staff: dict, **overrides: Any):
    """A case in 北苑第一网格, accepted and assigned to the grid worker with the mediator."""
    secretary = staff[Role.SECRETARY]
    case = new_case(place.north_a, actor=secretary, **overrides)
    case = services.accept_case(case, actor=secretary)
    return services.assign_case(
        case,
        actor=secretary,
        handler=profile(staff[Role.GRID_WORKER]),
        mediators=[profile(staff[Role.MEDIATOR])],
    )


def in_progress_case(place: Any, staff: dict, **overrides: Any):
    case = assigned_case(place, staff, **overrides)
    return services.sign_case(case, actor=staff[Role.GRID_WORKER])
