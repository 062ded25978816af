"""Back office for the outreach practices: log an activity in a minute, on a phone."""

from __future__ import annotations

import mimetypes
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from outreach import review, rules, services
from outreach.admin.add import ActivityAddMixin
from outreach.admin.steps import SUBMITTED, ActivityStepsMixin
from outreach.forms import ActivityAddForm, ActivityForm, month_bounds
from outreach.models import (
    ActivityRevision,
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
from portal.actors import User
from portal.admin_base import PhotoInline, PortalModelAdmin, PortalTabularInline, ScopedAdmin
from portal.people import display_name


class MonthFilter(admin.SimpleListFilter):
    """月份: the months that hold activities this person sees, newest first (planned ones
    included), in the portal's time zone; one query."""

    title = _("月份")
    parameter_name = "month"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        months = model_admin.get_queryset(request).datetimes("starts_at", "month", order="DESC")
        return [
            (f"{m.year}-{m.month:02d}", gettext("%(y)s年%(m)s月") % {"y": m.year, "m": m.month})
            for m in months
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        period = month_bounds(self.value())
        return queryset.none() if period is None else queryset.in_period(*period)


class ReviewFilter(admin.SimpleListFilter):
    """审核: activities with a change that waits for someone who may publish it."""

    title = _("审核")
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("pending", _("有待审核的修改"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "pending":
            return queryset.filter(has_pending_revision=True)
        return queryset


class ActivityAdmin(ActivityAddMixin, ActivityStepsMixin, ScopedAdmin):
    """Shared back-office behaviour of the five practices (信访接待 too, in petitions)."""

    form = ActivityForm
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

    def get_queryset(self, request: HttpRequest) -> Any:
        pending = ActivityRevision.objects.pending().filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=OuterRef("pk"),
        )
        return super().get_queryset(request).annotate(has_pending_revision=Exists(pending))

    def get_list_display(self, request: HttpRequest) -> list[str]:
        return [*super().get_list_display(request), "review_state"]

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return [*super().get_list_filter(request), ReviewFilter]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        # Publishers learn on the list that changes wait for them, with the filter to find them.
        if request.method == "GET" and services.can_publish(request.user, self.model):
            waiting = (
                self.get_queryset(request).filter(has_pending_revision=True).count()
                if "review" not in request.GET
                else 0
            )
            if waiting:
                self.message_user(
                    request,
                    format_html(
                        '{} <a href="?review=pending">{}</a>',
                        ngettext(
                            "有 %(n)d 项已公开活动的修改待您审核。",
                            "有 %(n)d 项已公开活动的修改待您审核。",
                            waiting,
                        )
                        % {"n": waiting},
                        gettext("查看"),
                    ),
                    messages.WARNING,
                )
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("审核"))
    def review_state(self, obj: Any) -> str:
        if getattr(obj, "has_pending_revision", False):
            return gettext("待审核")
        if not obj.is_published and obj.status != ActivityStatus.CANCELLED:
            return gettext("等待公开")
        return ""

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        # Someone who may not publish continues from the change waiting for review (as they
        # left it); a publisher sees the live version and the waiting change beside it.
        if obj is not None and not services.can_publish(request.user, self.model):
            pending = services.pending_revision(obj)
            if pending is not None:
                review.overlay(obj, pending.changes)
                obj._pending_overlay = True
                obj._pending_m2m = {k: v[1] for k, v in pending.changes.get("m2m", {}).items()}
        return obj

    def get_view_on_site_url(self, obj: Any = None) -> str | None:
        # 在站点上查看 only where residents can open the page (a cancelled one says so there).
        if obj is None or not obj.is_published:
            return None
        return super().get_view_on_site_url(obj)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        if obj is None:
            return self.add_fieldsets(request)
        sets = [
            (None, {"fields": self.shared_fields}),
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
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and obj.pk:
            form = _seen_state_form(form, rules.state_of(obj))
        pending_m2m = getattr(obj, "_pending_m2m", None)
        if not pending_m2m:
            return form

        class PendingForm(form):
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                for name, ids in pending_m2m.items():
                    if name in self.fields:
                        self.initial[name] = ids

        return PendingForm

    @admin.display(description=_("时间"), ordering="starts_at")
    def local_start(self, obj: Any) -> str:
        return timezone.localtime(obj.starts_at).strftime("%Y-%m-%d %H:%M")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and services.needs_review(obj, request.user):
            # Saved as usual so every form, list and photo row is checked and written, then
            # kept as a pending change and rolled back (response_change): residents never see it.
            request._held_edit = services.hold_edit(obj)
        elif change:  # an edit of a held activity's figures goes on its record (save_related)
            request._activity_before = services.begin_edit(obj)
        if change:
            obj.save()
        else:
            services.record_activity(
                obj, actor=request.user, held=form.cleaned_data["record_as"] == "held"
            )

    # --- the change page: steps and record (outreach.admin.steps), review of changes --------

    def render_change_form(self, request: HttpRequest, context: dict, *args: Any, **kwargs: Any):
        obj = kwargs.get("obj") or context.get("original")
        if obj is not None and obj.pk:
            context.update(self.activity_panel(request, obj, context.get("bound_step")))
            context.update(self._review_context(request, obj))
        return super().render_change_form(request, context, *args, **kwargs)

    def _review_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        can_publish = services.can_publish(request.user, self.model)
        pending = services.pending_revision(obj)
        context: dict[str, Any] = {
            "review_needed": not can_publish
            and obj.is_published
            and self.has_change_permission(request, obj),
            "can_review": can_publish,
        }
        if pending is not None:
            live = self.model.objects.get(pk=obj.pk)
            context |= {
                "pending_revision": pending,
                "pending_summary": review.summary(
                    self.model,
                    pending.changes,
                    live,
                    staged_url=lambda name: reverse(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_review_photo",
                        args=[obj.pk, name],
                    ),
                ),
                "review_url": reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_review", args=[obj.pk]
                ),
                "submitted_by_name": _staff_name(pending.submitted_by),
                "may_withdraw": pending.submitted_by_id == request.user.pk,
            }
        return context

    def get_urls(self) -> list:
        name = f"{self.opts.app_label}_{self.opts.model_name}_review"
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=name,
            ),
            path(
                "<int:object_id>/review/photo/<path:name>",
                self.admin_site.admin_view(self.review_photo_view),
                name=f"{name}_photo",
            ),
            *self.step_urls(),
            *super().get_urls(),
        ]

    def review_photo_view(self, request: HttpRequest, object_id: int, name: str) -> Any:
        """A photo of the change waiting on this activity, for staff who may see the activity;
        nothing else in the pending storage is reachable here."""
        obj = self.get_object(request, str(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        revision = services.pending_revision(obj)
        if revision is None or name not in review.proposed_files(revision.changes):
            raise Http404
        if not review.pending_storage.exists(name):
            raise Http404
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = FileResponse(review.pending_storage.open(name, "rb"), content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        return response

    @method_decorator(require_POST)
    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """批准公开 / 退回 / 撤回 the change waiting on this activity."""
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        revision = get_object_or_404(ActivityRevision.objects.of(obj).pending())
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
        )
        try:
            if "_approve" in request.POST:
                services.approve_revision(revision, actor=request.user)
                done = _("已批准，修改后的内容已对居民公开。")
            elif "_reject" in request.POST:
                services.reject_revision(
                    revision, actor=request.user, note=request.POST.get("note", "")
                )
                done = _("已退回，居民看到的仍是原来的内容。")
            elif "_withdraw" in request.POST:
                services.withdraw_revision(revision, actor=request.user)
                done = _("已撤回待审核的修改。")
            else:
                return HttpResponseRedirect(change_url)
        except services.ActivityError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.log_change(request, obj, str(done))
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        held = getattr(request, "_held_edit", None)
        if held is None:
            return super().response_change(request, obj)
        revision = services.submit_held_edit(held, actor=request.user)
        if revision is None:
            self.message_user(request, _("没有需要审核的修改。"), messages.INFO)
        else:
            self.log_change(request, obj, gettext("提交修改，待审核后公开。"))
            self.message_user(request, SUBMITTED, messages.WARNING)
        return HttpResponseRedirect(request.path)

    # --- bulk actions --------------------------------------------------------------------------

    def _publish(self, request: HttpRequest, queryset: QuerySet, published: bool) -> None:
        """公开 / 撤回 each selected activity through its step (locked, guarded, recorded);
        those already so are left alone, each one refused is reported with the reason."""
        step = services.publish_activity if published else services.unpublish_activity
        changed = 0
        for activity in queryset:
            if activity.is_published == published:
                continue
            try:
                step(activity, actor=request.user)
            except services.ActivityError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                changed += 1
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


def _staff_name(user: User) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.name if profile is not None else user.get_username()


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
    first_fields = ["attendance_signed"]
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
    first_fields = ["households_visited", "diary"]
    case_source_param = "field_visit"
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
    first_fields = ["residents_met"]
    case_source_param = "onsite_session"
    inlines = [photo_inline(OnsiteSessionPhoto)]


@admin.register(Deliberation)
class DeliberationAdmin(ActivityAdmin):
    autocomplete_fields = [*ActivityAdmin.autocomplete_fields, "officials"]
    practice_fields = ["officials"]
    result_fields = ["minutes"]
    first_fields = ["minutes"]
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


def _seen_state_form(form: type[forms.ModelForm], drawn: str) -> type[forms.ModelForm]:
    """The change form remembers the state (status, published) its page was drawn in. Saved
    after someone else took a step on the activity, it is shown again with the step named and
    what was typed kept; saving once more then goes ahead (the steps' fields are never written
    by the form, see services.begin_edit)."""

    class SeenStateForm(form):  # type: ignore[misc, valid-type]
        activity_state = forms.CharField(widget=forms.HiddenInput, required=False, initial=drawn)

        def clean(self) -> dict[str, Any]:
            cleaned = super().clean()
            seen = self.data.get(self.add_prefix("activity_state"), "")
            live = type(self.instance).objects.filter(pk=self.instance.pk).first()
            if seen and live is not None and rules.state_of(live) != seen:
                self.data = self.data.copy()
                self.data[self.add_prefix("activity_state")] = rules.state_of(live)
                self.add_error(
                    None,
                    gettext(
                        "“%(title)s”刚刚已被他人%(done)s。您填写的内容已保留，请核对后再次保存。"
                    )
                    % {"title": live.title, "done": rules.step_taken(live, seen)},
                )
            return cleaned

    return SeenStateForm
