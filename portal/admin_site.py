"""The staff back office: Django's admin, titled with the sub-district's name, opening on the
person's workbench (工作台, portal.workbench)."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from portal.access import scope_of
from portal.workbench import workbench_for


class PortalAdminSite(admin.AdminSite):
    index_title = _("工作台")
    index_template = "admin/portal/workbench.html"

    @property
    def site_header(self) -> str:  # type: ignore[override]
        return settings.PORTAL_SITE_NAME

    @property
    def site_title(self) -> str:  # type: ignore[override]
        return settings.PORTAL_SITE_NAME

    site_url = "/"

    def each_context(self, request: HttpRequest) -> dict[str, Any]:

        context = super().each_context(request)
        scope = scope_of(request.user)
        context["role_awaiting_approval"] = scope.awaiting_approval
        context["staff_name"] = scope.name
        return context

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:

        context = {"workbench": workbench_for(request, self), **(extra_context or {})}
        return super().index(request, context)
