"""Back office for the outreach practices: log an activity in a minute, on a phone."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from outreach import services
from outreach.forms import ActivityAddForm, month_bounds
from outreach.models import (
    ActivityStatus,
    Deliberation,
    DeliberationAttendance,
    DeliberationDecision,
    DeliberationPhoto,
    FieldVisit,
    FieldVisitPhoto,
    OnsiteRota,
    OnsiteSession,
    OnsiteSessionPhoto,
    PolicyTalk,
    PolicyTalkPhoto,
    ResearchTheme,
    TalkSeries,
)
from portal.admin_base import PhotoInline, PortalModelAdmin, PortalTabularInline, ScopedAdmin
from portal.people import display_name


class MonthFilter(admin.SimpleListFilter):
    """月份: the next two months (planned sessions) and the last twelve, newest first."""

    title = _("月份")
    parameter_name = "month"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        today = timezone.localdate()
        months = []
        year, month = (
            (today.year, today.month + 2)
            if today.month <= 10
            else (today.year + 1, today.month - 10)
        )
        for _i in range(14):
            months.append(
                (f"{year}-{month:02d}", gettext("%(y)s年%(m)s月") % {"y": year, "m": month})
            )
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return months

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        period = month_bounds(self.value())
        return queryset.none() if period is None else queryset.in_period(*period)


class ActivityAdmin(ScopedAdmin):
    """Shared back-office behaviour of the four practices."""

    date_hierarchy = "starts_at"
    list_display = ["title", "local_start", "community", "grid", "status", "is_published"]
    list_filter = ["status", MonthFilter, "community", "is_published"]
    list_select_related = ["community", "grid__community"]
    search_fields = ["title", "venue", "summary"]
    actions = ["publish_selected", "unpublish_selected", "copy_selected"]
    autocomplete_fields = ["grid", "compound"]
    save_on_top = False
    # Fields shown on the form, after the shared ones; subclasses list their own.
    practice_fields: list[str] = []
    result_fields: list[str] = []

    shared_fields = ["title", "starts_at", "ends_at", "community", "grid", "compound", "venue"]

    def get_view_on_site_url(self, obj: Any = None) -> str | None:
        # 在站点上查看 only where residents can open the page (a cancelled one says so there).
        if obj is None or not obj.is_published:
            return None
        return super().get_view_on_site_url(obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        first = ["record_as", *self.shared_fields] if obj is None else self.shared_fields
        sets = [
            (None, {"fields": first}),
            (_("活动内容"), {"fields": [*self.practice_fields, "summary"]}),
        ]
        if self.result_fields:
            sets.append((_("举办情况"), {"fields": self.result_fields}))
        if obj is not None:
            sets.append(
                (
                    _("状态与登记"),
                    {
                        "fields": [
                            "status",
                            "cancel_reason",
                            "is_published",
                            "registered_by",
                            "created_at",
                        ]
                    },
                )
            )
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["status", "cancel_reason", "is_published", "registered_by", "created_at"]

    @admin.display(description=_("登记人"))
    def registered_by(self, obj: Any) -> str:
        # By name; an activity the onsite rota generated has nobody.
        return display_name(obj.created_by) or gettext("—（由现场办公排班自动生成）")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = ActivityAddForm  # adds "登记为" (held or planned)
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description=_("时间"), ordering="starts_at")
    def local_start(self, obj: Any) -> str:
        return timezone.localtime(obj.starts_at).strftime("%Y-%m-%d %H:%M")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            obj.save()
        else:
            services.record_activity(
                obj, actor=request.user, held=form.cleaned_data["record_as"] == "held"
            )

    # --- status buttons on the change page ---------------------------------------------------

    def render_change_form(self, request: HttpRequest, context: dict, *args: Any, **kwargs: Any):
        obj = kwargs.get("obj") or context.get("original")
        if obj is not None and obj.pk:
            context["status_actions"] = {
                "held": obj.status == ActivityStatus.PLANNED,
                "cancel": obj.status == ActivityStatus.PLANNED,
                "restore": obj.status == ActivityStatus.CANCELLED,
            }
            context["can_change_status"] = self.has_change_permission(request, obj)
        return super().render_change_form(request, context, *args, **kwargs)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        transition = None
        if "_mark_held" in request.POST:
            transition = lambda: services.mark_held(obj, actor=request.user)  # noqa: E731
            done = _("已记为已举办。")
        elif "_cancel" in request.POST:
            reason = request.POST.get("cancel_reason_input", "")
            transition = lambda: services.cancel_activity(obj, actor=request.user, reason=reason)  # noqa: E731
            done = _("活动已取消，已从近期安排和日历订阅中撤下。")
        elif "_restore" in request.POST:
            transition = lambda: services.restore_activity(obj, actor=request.user)  # noqa: E731
            done = _("活动已恢复为计划中。")
        if transition is None:
            return super().response_change(request, obj)
        try:
            transition()
        except services.ActivityError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    # --- bulk actions --------------------------------------------------------------------------

    def _publish(self, request: HttpRequest, queryset: QuerySet, published: bool) -> None:
        changed, problems = services.set_published(
            queryset, actor=request.user, published=published
        )
        for problem in problems:
            self.message_user(request, problem, messages.WARNING)
        if published:
            done = ngettext("已公开 %(n)d 条。", "已公开 %(n)d 条。", changed)
        else:
            done = ngettext("已撤回 %(n)d 条。", "已撤回 %(n)d 条。", changed)
        self.message_user(request, done % {"n": changed})

    @admin.action(description=_("公开所选活动"), permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._publish(request, queryset, True)

    @admin.action(description=_("撤回所选活动（不再对外显示）"), permissions=["publish"])
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._publish(request, queryset, False)

    @admin.action(description=_("复制为一周后的新活动"), permissions=["add"])
    def copy_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        copies = [services.copy_as_new(obj, actor=request.user) for obj in queryset]
        self.message_user(
            request,
            ngettext(
                "已复制 %(n)d 条为计划中的新活动（尚未公开），请核对时间后保存并公开。",
                "已复制 %(n)d 条为计划中的新活动（尚未公开），请核对时间后保存并公开。",
                len(copies),
            )
            % {"n": len(copies)},
            messages.SUCCESS,
        )
        if len(copies) == 1:
            meta = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[copies[0].pk])
            )
        return None

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return services.can_publish(request.user, self.model)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # records do not vanish: cancel instead


class AttendanceInline(PortalTabularInline):
    model = DeliberationAttendance
    fields = ["category", "count", "names"]
    extra = 1


class DecisionInline(PortalTabularInline):
    model = DeliberationDecision
    fields = ["sort_order", "text", "responsible", "due_date"]
    extra = 1


def photo_inline(photo_model: type) -> type[PhotoInline]:
    return type(f"{photo_model.__name__}Inline", (PhotoInline,), {"model": photo_model})


@admin.register(PolicyTalk)
class PolicyTalkAdmin(ActivityAdmin):
    list_display = [
        *ActivityAdmin.list_display[:2],
        "kind",
        "community",
        "audience",
        "status",
        "is_published",
    ]
    list_filter = ["status", MonthFilter, "kind", "community", "teams", "series", "is_published"]
    search_fields = [*ActivityAdmin.search_fields, "other_speakers", "series__name"]
    autocomplete_fields = [*ActivityAdmin.autocomplete_fields, "teams", "speakers", "series"]
    practice_fields = ["kind", "series", "teams", "speakers", "other_speakers"]
    result_fields = ["attendance_signed", "reach_estimated", "reach_method", "reach_note"]
    inlines = [photo_inline(PolicyTalkPhoto)]

    @admin.display(description=_("签到 / 惠及"))
    def audience(self, obj: PolicyTalk) -> str:
        if obj.status != ActivityStatus.HELD:
            return "—"
        signed = "—" if obj.attendance_signed is None else obj.attendance_signed
        return f"{signed} / {obj.reach}"


@admin.register(FieldVisit)
class FieldVisitAdmin(ActivityAdmin):
    list_display = [
        *ActivityAdmin.list_display[:2],
        "kind",
        "community",
        "lead_official",
        "households_visited",
        "status",
        "is_published",
    ]
    list_filter = ["status", MonthFilter, "kind", "community", "themes", "is_published"]
    list_select_related = [*ActivityAdmin.list_select_related, "lead_official"]
    search_fields = [*ActivityAdmin.search_fields, "diary", "lead_official__name"]
    autocomplete_fields = [
        *ActivityAdmin.autocomplete_fields,
        "lead_official",
        "participants",
        "themes",
    ]
    practice_fields = ["kind", "lead_official", "participants", "themes"]
    result_fields = ["households_visited", "diary"]
    inlines = [photo_inline(FieldVisitPhoto)]


@admin.register(OnsiteSession)
class OnsiteSessionAdmin(ActivityAdmin):
    list_display = [
        *ActivityAdmin.list_display[:2],
        "community",
        "venue",
        "venue_type",
        "residents_met",
        "status",
        "is_published",
    ]
    list_filter = ["status", MonthFilter, "community", "venue_type", "is_published"]
    autocomplete_fields = [*ActivityAdmin.autocomplete_fields, "officials"]
    practice_fields = ["venue_type", "officials"]
    result_fields = ["residents_met"]
    inlines = [photo_inline(OnsiteSessionPhoto)]


@admin.register(Deliberation)
class DeliberationAdmin(ActivityAdmin):
    autocomplete_fields = [*ActivityAdmin.autocomplete_fields, "officials"]
    practice_fields = ["officials"]
    result_fields = ["minutes"]
    inlines = [AttendanceInline, DecisionInline, photo_inline(DeliberationPhoto)]


@admin.register(TalkSeries)
class TalkSeriesAdmin(PortalModelAdmin):
    list_display = ["name", "kind", "description", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "description"]


@admin.register(ResearchTheme)
class ResearchThemeAdmin(PortalModelAdmin):
    list_display = ["name", "description", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]


@admin.register(OnsiteRota)
class OnsiteRotaAdmin(ScopedAdmin):
    list_display = ["community", "weekday", "start_time", "venue", "venue_type", "is_active"]
    list_filter = ["community", "weekday", "is_active"]
    list_select_related = ["community"]
    search_fields = ["venue", "community__name"]
    autocomplete_fields = ["grid", "compound", "officials"]
    actions = ["plan_four_weeks"]

    @admin.action(description=_("按所选排班生成未来四周的现场办公计划"), permissions=["change"])
    def plan_four_weeks(self, request: HttpRequest, queryset: QuerySet) -> None:
        total = 0
        for rota in queryset:
            try:
                total += len(services.plan_from_rota(rota, actor=request.user, weeks=4))
            except services.ActivityError as exc:
                self.message_user(
                    request,
                    gettext("%(rota)s：%(problem)s") % {"rota": rota, "problem": exc},
                    messages.WARNING,
                )
        self.message_user(
            request,
            ngettext(
                "已生成 %(n)d 场计划中的现场办公（已有的不重复生成），并在“近期安排”公开。",
                "已生成 %(n)d 场计划中的现场办公（已有的不重复生成），并在“近期安排”公开。",
                total,
            )
            % {"n": total},
            messages.SUCCESS,
        )
