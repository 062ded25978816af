"""Who sees which rows: a user's scope, and the one QuerySet method every surface filters with.

Every admin list, detail page, search, autocomplete, export and dashboard filters a scoped model
through ``Model.objects.visible_to(user)``; nothing else decides scope.

This module is the name every surface imports scope by. The definitions sit where the import
order needs them, so that no two modules import each other: ``portal.scope`` says what a scope
is and how it filters (plain data, no model), and ``portal.models`` reads a user's scope from
their staff profile (``scope_of``) and gives the reference data its ``ScopedQuerySet``.
"""

from portal.models import ScopedQuerySet, forget_scope, scope_of
from portal.scope import NO_SCOPE, Scope, ScopeRule

__all__ = ["NO_SCOPE", "Scope", "ScopeRule", "ScopedQuerySet", "forget_scope", "scope_of"]
