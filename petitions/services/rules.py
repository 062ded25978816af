"""The rule book: for every step of a case, one guard that says whether this person may take it on
this case now, and if not, why — in one Chinese sentence.

The case page draws a button only where its guard has no objection, the step endpoint refuses any
post it objects to, and the service asks it again inside the row lock; the workbench counts a
case for a person when a guard offers them a step on it. So a button, a refused post and a count
can never disagree.

A guard is ``guard(case, who) -> str | None``: None when the step may be taken, otherwise the
reason it may not. Guards are registered by step name with ``@rule("accept")``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from petitions.models import Case
from portal.access import scope_of
from portal.roles import Role

Guard = Callable[[Case, "Who"], "str | None"]
RULES: dict[str, Guard] = {}


def rule(name: str) -> Callable[[Guard], Guard]:
    """Registers the guard of step ``name`` (one per step)."""

    def register(guard: Guard) -> Guard:
        if name in RULES:
            raise ValueError(f"step {name!r} already has a guard")
        RULES[name] = guard
        return guard

    return register


@dataclass(frozen=True)
class Who:
    """What the guards need to know about the person, worked out once per case page."""

    user: Any
    role: Role | None
    profile_id: int | None
    assigned: bool  # handler, co-handler or mediator of this case (is_assigned)
    can_transition: bool
    coordinates: bool  # petitions.assign_case: 社区书记 / 包片领导 / 党工委书记
    supervises: bool
    approves_extension: bool
    recuses: bool

    @classmethod
    def of(cls, user: Any, case: Case) -> Who:
        scope = scope_of(user)
        return cls(
            user=user,
            role=scope.role,
            profile_id=scope.profile_id,
            assigned=is_assigned(case, scope.profile_id),
            can_transition=user.has_perm("petitions.transition_case"),
            coordinates=user.has_perm("petitions.assign_case"),
            supervises=user.has_perm("petitions.supervise_case"),
            approves_extension=user.has_perm("petitions.approve_extension_case"),
            recuses=user.has_perm("petitions.add_caseexclusion"),
        )


def is_assigned(case: Case, profile_id: int | None) -> bool:
    """The one answer to "is this member of staff working on this case": its handler, a
    co-handler or a mediator."""
    if profile_id is None:
        return False
    if case.handler_id == profile_id:
        return True
    return (
        case.co_handlers.filter(pk=profile_id).exists()
        or case.mediators.filter(pk=profile_id).exists()
    )


def refusal(name: str, case: Case, who: Who) -> str | None:
    """Why ``who`` may not take step ``name`` on ``case`` now (None: they may)."""
    return RULES[name](case, who)


def offered(case: Case, who: Who) -> list[str]:
    """The steps ``who`` may take on ``case`` now, in the rule book's order."""
    return [name for name, guard in RULES.items() if guard(case, who) is None]
