"""Adding an activity in one screen on a phone (ActivityAdmin's add page and what follows it).

The add page asks first for what differs from one activity to the next (when, the title, the
summary, the practice's results, the photos); everything else is folded under 更多信息, filled in
from the person's scope (portal.access.Scope.single_place): a grid worker's only grid, its
community and station, a community secretary's community, themselves as the official present.
Any required field without a default is asked first too. Moments use the phone's date and time
pickers (portal.pickers), on the change page as well. Saving publishes at once for whoever may
publish (outreach.services.record_activity); anyone else is told that it waits for a publisher,
and the activity's page says so until it is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outreach import services
from outreach.forms import half_hour_before
from outreach.models import ActivityStatus, VenueType
from portal.access import scope_of
from portal.models import Community, Grid, StaffProfile
from portal.pickers import PickerSplitDateTimeField, PickerSplitDateTimeWidget
from portal.roles import Reach, Role

# What someone who may not publish is told when they have logged an activity.
WAITS_FOR_PUBLISHER = _("已保存，等待社区书记（或有发布权限的人员）审核公开。")
# Roles that lead a field visit themselves (带队领导); a grid worker takes part in one.
VISIT_LEADERS = (Role.SECRETARY, Role.AREA_LEADER, Role.COMMUNITY_SECRETARY)


@dataclass(frozen=True)
class AddDefaults:
    """What the add page starts from for one member of staff: their place (when their scope is
    one place), its venue, themselves as the official present; and what it says it filled."""

    initial: dict[str, Any]
    filled: list[str]


class ActivityAddMixin:
    """The add page of a practice's admin (and the page state and links that follow saving)."""

    add_form_template = "admin/outreach/add_form.html"
    formfield_overrides = {
        models.DateTimeField: {
            "form_class": PickerSplitDateTimeField,
            "widget": PickerSplitDateTimeWidget,
        },
    }
    # The results asked first on the add page (the rest of result_fields is folded).
    first_fields: list[str] = []
    # The query parameter of the case register form that links a case to this practice.
    case_source_param = ""

    def add_defaults(self, request: HttpRequest) -> AddDefaults:
        """Computed once per request (the form and its fieldsets both ask)."""
        key = f"_add_defaults_{self.opts.label_lower}"
        cached = getattr(request, key, None)
        if cached is None:
            cached = self._add_defaults(request)
            setattr(request, key, cached)
        return cached

    def _add_defaults(self, request: HttpRequest) -> AddDefaults:
        initial: dict[str, Any] = {"record_as": "held", "starts_at": half_hour_before()}
        filled: list[str] = []
        community_id, grid_id = scope_of(request.user).single_place()
        grid = (
            Grid.objects.select_related("community").filter(pk=grid_id, is_active=True).first()
            if grid_id
            else None
        )
        community = (
            grid.community
            if grid is not None
            else Community.objects.filter(pk=community_id, is_active=True).first()
            if community_id
            else None
        )
        if community is not None:
            initial["community"] = community.pk
            filled.append(community.name)
        if grid is not None:
            initial["grid"] = grid.pk
            filled.append(grid.name)
        venue = (grid.station if grid else "") or (community.address if community else "")
        if venue:
            initial["venue"] = venue
            filled.append(venue)
            if grid is not None and grid.station and self._has_field("venue_type"):
                initial["venue_type"] = VenueType.GRID_STATION
        me = StaffProfile.objects.pickable().filter(user=request.user).first()
        if me is not None:
            named = False
            for name in ("officials", "participants"):
                if self._has_field(name):
                    initial[name] = [me.pk]
                    named = True
            if self._has_field("lead_official") and me.role in VISIT_LEADERS:
                initial["lead_official"] = me.pk
                named = True
            if named:
                filled.append(me.name)
        return AddDefaults(initial, filled)

    def _has_field(self, name: str) -> bool:
        try:
            self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return True

    def _asked_first(self, request: HttpRequest, name: str, initial: dict[str, Any]) -> bool:
        """A field the form cannot fill in: required, without a default."""
        if name in initial:
            return False
        if name == "grid":  # a grid worker with several grids says which
            return scope_of(request.user).reach(records=True) is Reach.GRIDS
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return not field.many_to_many and not field.blank and not field.has_default()

    def add_fieldsets(self, request: HttpRequest) -> list:
        defaults = self.add_defaults(request)
        rest = [
            "ends_at",
            "community",
            "grid",
            "compound",
            "venue",
            *self.practice_fields,
            *[f for f in self.result_fields if f not in self.first_fields],
        ]
        asked = [f for f in rest if self._asked_first(request, f, defaults.initial)]
        first = ["record_as", "starts_at", "title", *asked, "summary", *self.first_fields]
        more = [f for f in rest if f not in asked]
        if defaults.filled:
            title = gettext("更多信息（已填好：%(filled)s）") % {
                "filled": "、".join(dict.fromkeys(defaults.filled))
            }
        else:
            title = gettext("更多信息")
        return [(None, {"fields": first}), (title, {"fields": more, "classes": ["collapse"]})]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # The query string (?grid=3) wins over the person's defaults.
        given = super().get_changeform_initial_data(request)
        return {**self.add_defaults(request).initial, **given}

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        if any(k in request.POST for k in (IS_POPUP_VAR, "_continue", "_addanother")):
            return super().response_add(request, obj, post_url_continue)
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
        )
        done = format_html(
            '{} <a href="{}">{}</a>',
            gettext("已登记“%(title)s”，已对居民公开。") % {"title": obj.title}
            if obj.is_published
            else WAITS_FOR_PUBLISHER,
            change_url,
            gettext("查看这条记录"),
        )
        if register_url := self._register_case_url(request, obj):
            done = format_html(
                '{} · <a href="{}" class="register-case-link">{}</a>',
                done,
                register_url,
                gettext("登记在这里收到的居民诉求"),
            )
        self.message_user(request, done, messages.SUCCESS if obj.is_published else messages.WARNING)
        return self.response_post_save_add(request, obj)

    def _register_case_url(self, request: HttpRequest, obj: Any) -> str:
        if not self.case_source_param or not request.user.has_perm("petitions.add_case"):
            return ""
        if obj.status == ActivityStatus.CANCELLED:
            return ""
        return f"{reverse('admin:petitions_case_add')}?{self.case_source_param}={obj.pk}"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # For the page's publication state and its 登记居民诉求 button (no queries of its own).
        extra = {
            "may_publish": services.can_publish(request.user, self.model),
            "case_source_param": self.case_source_param,
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})
