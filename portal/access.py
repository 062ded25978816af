"""Who sees which rows: a user's scope, and the one QuerySet method every surface filters with.

Every admin list, detail page, search, autocomplete, export and dashboard filters a scoped model
through ``Model.objects.visible_to(user)``; nothing else decides scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

from portal.actors import Viewer
from portal.roles import RECORD_REACH, REFERENCE_REACH, Reach, Role

if TYPE_CHECKING:
    from portal.models import Community


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
_CACHE_ATTR = "_portal_scope"


def scope_of(user: Viewer | None) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from portal.models import StaffProfile

    profile = (
        StaffProfile.objects.filter(user=user).prefetch_related("communities", "grids").first()
    )
    if profile is None:
        scope = NO_SCOPE
    elif profile.approved_at is None:
        scope = Scope(awaiting_approval=True, name=profile.name)
    else:
        grids = list(profile.grids.all())
        scope = Scope(
            role=Role(profile.role),
            profile_id=profile.pk,
            community_ids=frozenset(c.pk for c in profile.communities.all()),
            grid_ids=frozenset(g.pk for g in grids),
            grid_community_ids=frozenset(g.community_id for g in grids),
            name=profile.name,
        )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: Viewer) -> None:
    """Drop the cached scope (after the user's role or scope changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


class ScopedQuerySet(models.QuerySet):
    """QuerySet of a model that declares ``scope_rule``."""

    def visible_to(self, user: Viewer) -> Self:
        q = scope_of(user).q(self.model.scope_rule)
        return self if q is None else self.filter(q)

    def in_community(self, community: Community | int) -> Self:
        return self.filter(**{self.model.scope_rule.community: community})
