"""Admin building blocks every app uses: scope filtering and closed query strings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices show only rows the user may see."""

    @staticmethod
    def _scope_choices(db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        manager = db_field.remote_field.model._default_manager
        if "queryset" not in kwargs and hasattr(manager, "visible_to"):
            kwargs["queryset"] = manager.visible_to(request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PortalModelAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Base for every admin screen in the portal."""

    # A full COUNT(*) on every changelist is slow on big tables and tells staff little.
    show_full_result_count = False
    list_per_page = 50

    def _allowed_lookup_roots(self, request: HttpRequest) -> set[str]:
        roots = set()
        for item in self.get_list_filter(request):
            if isinstance(item, str):
                roots.add(item)
            elif isinstance(item, (tuple, list)) and isinstance(item[0], str):
                roots.add(item[0])
        if self.date_hierarchy:
            roots.add(self.date_hierarchy)
        return roots

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # Django allows filtering on any local field through the query string by default, which
        # lets anyone probe hidden values (?phone__startswith=139). Only the declared filters
        # and the date hierarchy may be used.
        if not any(
            lookup == root or lookup.startswith(f"{root}__")
            for root in self._allowed_lookup_roots(request)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)


class ScopedAdmin(PortalModelAdmin):
    """Admin for a model whose manager has ``visible_to(user)``: every surface is scoped."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).visible_to(request.user)


class PortalTabularInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0


class PortalStackedInline(ScopedChoicesMixin, admin.StackedInline):
    extra = 0
