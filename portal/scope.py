"""The one definition of reach: where a scoped row keeps its place, and what one staff member
reaches.

``ScopeRule`` names a model's lookup paths to its community and grid; ``Scope`` is what one user
reaches, worked out from their staff profile (``portal.models.scope_of``), and turns a rule into
the filter every list applies. Every scoped QuerySet — the reference data's ``ScopedQuerySet``,
activities', cases' (``petitions.models.CaseQuerySet``) — filters through ``Scope.q``, so who
reaches which communities and grids is decided here and nowhere else. Plain data: this module
imports no model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from portal.roles import RECORD_REACH, REFERENCE_REACH, Reach, Role


@dataclass(frozen=True)
class ScopeRule:
    """Where a scoped model keeps its place: lookup paths to its community and grid.

    ``records`` tells whether rows are records (activities, cases: the system administrator sees
    none) or reference data (communities, grids: the system administrator manages them).
    """

    community: str
    grid: str | None
    records: bool = True


@dataclass(frozen=True)
class Scope:
    """What one user reaches, computed once per request from their staff profile."""

    role: Role | None = None
    profile_id: int | None = None
    community_ids: frozenset[int] = frozenset()
    grid_ids: frozenset[int] = frozenset()
    # Communities that contain the user's grids (a grid worker sees their community's name).
    grid_community_ids: frozenset[int] = field(default_factory=frozenset)
    # A role set (or suspended) that the party secretary has not approved yet: reaches nothing.
    awaiting_approval: bool = False
    # The staff member's own name, as the back office greets them.
    name: str = ""

    def reach(self, *, records: bool) -> Reach:
        if self.role is None:
            return Reach.NONE
        return (RECORD_REACH if records else REFERENCE_REACH)[self.role]

    def q(self, rule: ScopeRule) -> Q | None:
        """A filter for the rows in scope; None means everything."""
        reach = self.reach(records=rule.records)
        if reach is Reach.ALL:
            return None
        if reach is Reach.COMMUNITIES:
            return Q(**{f"{rule.community}__in": self.community_ids})
        if reach is Reach.GRIDS:
            if rule.grid is None:
                return Q(**{f"{rule.community}__in": self.grid_community_ids})
            return Q(**{f"{rule.grid}__in": self.grid_ids})
        # ASSIGNED is decided by the model's own queryset (cases); elsewhere it reaches nothing.
        return Q(pk__in=[])

    def single_place(self) -> tuple[int | None, int | None]:
        """(community id, grid id) when the scope is one place, for forms to start from: a
        grid worker's only grid and its community, or the only community of a community-wide
        role; (None, None) when there is a choice to make (or nothing to choose from)."""
        reach = self.reach(records=True)
        if reach is Reach.GRIDS and len(self.grid_ids) == 1:
            (grid_id,) = self.grid_ids
            (community_id,) = self.grid_community_ids
            return community_id, grid_id
        if reach is Reach.COMMUNITIES and len(self.community_ids) == 1:
            (community_id,) = self.community_ids
            return community_id, None
        return None, None

    def allows(self, rule: ScopeRule, *, community_id: int | None, grid_id: int | None) -> bool:
        """Whether a row placed in this community and grid would be in scope (before saving)."""
        reach = self.reach(records=rule.records)
        if reach is Reach.ALL:
            return True
        if reach is Reach.COMMUNITIES:
            return community_id in self.community_ids
        if reach is Reach.GRIDS:
            return grid_id in self.grid_ids
        return False


NO_SCOPE = Scope()
