"""Admin screens for reference data, teams and staff accounts."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import queues, services
from portal.admin_base import (
    PortalModelAdmin,
    PortalStackedInline,
    PortalTabularInline,
    ScopedAdmin,
)
from portal.formats import join_names_text
from portal.forms import CleanTextMixin, PortalModelForm
from portal.models import (
    Community,
    Compound,
    Grid,
    LoginFailure,
    LoginLockout,
    LoginRecord,
    Qualification,
    StaffProfile,
    Team,
    TeamMember,
    accounts_without_role,
)
from portal.people import display_name

User = get_user_model()


class GridInline(PortalTabularInline):
    model = Grid
    fields = ["name", "station", "sort_order", "is_active"]


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ["name", "code", "address", "phone", "grid_count", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "address"]
    inlines = [GridInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_grid_count=Count("grids", distinct=True))

    @admin.display(description=_("网格数"), ordering="_grid_count")
    def grid_count(self, obj: Community) -> int:
        return obj._grid_count


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    list_display = ["name", "community", "station", "is_active"]
    list_filter = ["community", "is_active"]
    list_select_related = ["community"]
    search_fields = ["name", "station", "community__name"]


@admin.register(Compound)
class CompoundAdmin(ScopedAdmin):
    list_display = ["name", "community", "grid", "households", "is_active"]
    list_filter = ["community", "is_active"]
    list_select_related = ["community", "grid__community"]
    search_fields = ["name", "address", "community__name"]
    autocomplete_fields = ["grid"]


@admin.register(Qualification)
class QualificationAdmin(PortalModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


class TeamMemberInline(PortalTabularInline):
    model = TeamMember
    fields = ["name", "position", "work_unit", "qualifications", "user", "is_active"]
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(PortalModelAdmin):
    list_display = ["name", "kind", "community", "member_count", "is_active"]
    list_filter = ["kind", "community", "is_active"]
    list_select_related = ["community"]
    search_fields = ["name", "description", "members__name"]
    inlines = [TeamMemberInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_member_count=Count("members", distinct=True))

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, _dupes = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description=_("队员数"), ordering="_member_count")
    def member_count(self, obj: Team) -> int:
        return obj._member_count


@admin.register(TeamMember)
class TeamMemberAdmin(PortalModelAdmin):
    list_display = ["name", "team", "position", "work_unit", "qualification_list", "is_active"]
    list_filter = ["team__kind", "team", "qualifications", "is_active"]
    list_select_related = ["team"]
    search_fields = ["name", "work_unit", "team__name"]
    autocomplete_fields = ["team", "user"]
    filter_horizontal = ["qualifications"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("qualifications")

    @admin.display(description=_("资质"))
    def qualification_list(self, obj: TeamMember) -> str:
        return join_names_text(q.name for q in obj.qualifications.all()) or "—"


ROLE_FIELDS = {"role", "communities", "grids"}


def _keys(values: Any) -> list[int]:
    return sorted(getattr(v, "pk", v) for v in (values or ()))


def role_edit_lines(form: Any) -> list[services.ScopeChange]:
    """What a saved profile form changed in role and scope, old → new (the form's initial
    values are what the page was drawn with)."""
    if not (ROLE_FIELDS & set(form.changed_data)):
        return []
    old = {
        "role": form.initial.get("role"),
        "communities": _keys(form.initial.get("communities")),
        "grids": _keys(form.initial.get("grids")),
    }
    new = {
        "role": form.cleaned_data.get("role"),
        "communities": _keys(form.cleaned_data.get("communities")),
        "grids": _keys(form.cleaned_data.get("grids")),
    }
    return services.describe_change(old, new)


def stock_change_text(message: Any) -> str:
    """Django's structured change message as its history page words it."""
    return LogEntry(change_message=message).get_change_message() if message else ""


def role_saved_message(profile: StaffProfile) -> str:
    """What the person who saved a role change is told: whether it is in effect, and if not,
    whose approval it waits for."""
    if profile.is_approved:
        return _("%(name)s 的角色与负责范围已生效。") % {"name": profile.name}
    approvers = services.approver_names(profile)
    if not approvers:
        return _(
            "%(name)s 的角色与负责范围已保存，但须经街道党工委书记批准后才生效，"
            "而目前没有已生效的街道党工委书记账号可以批准。批准前，该账号看不到任何记录。"
        ) % {"name": profile.name}
    return _(
        "%(name)s 的角色与负责范围已保存，须经街道党工委书记批准后才生效（可批准的人："
        "%(approvers)s）。批准前，该账号看不到任何记录。"
    ) % {"name": profile.name, "approvers": join_names_text(approvers)}


class StaffProfileForm(PortalModelForm):
    """A role must come with the scope it works in (see portal.services.scope_problem), and
    the only approver's role is not changed by someone whose change would wait for them."""

    actor: Any = None  # set per request by the admin (get_form, get_formset)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if ROLE_FIELDS & set(self.changed_data) and (
            problem := services.last_approver_problem(self.instance, self.actor)
        ):
            raise forms.ValidationError(problem)
        role = cleaned.get("role")
        if role and "communities" in cleaned and "grids" in cleaned:
            problem = services.scope_problem(role, cleaned["communities"], cleaned["grids"])
            if problem:
                raise forms.ValidationError(problem)
        return cleaned


class ApproverMixin:
    @admin.display(description=_("批准人"))
    def approver(self, obj: StaffProfile) -> str:
        return display_name(obj.approved_by) or "—"


class StaffProfileInline(ApproverMixin, PortalStackedInline):
    model = StaffProfile
    form = StaffProfileForm
    fk_name = "user"
    can_delete = False
    max_num = 1
    fields = ["name", "role", "title", "unit", "communities", "grids", "approver", "approved_at"]
    readonly_fields = ["approver", "approved_at"]
    filter_horizontal = ["communities", "grids"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nobody edits their own role or scope.
        if obj is not None and obj.pk == request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.pk == request.user.pk:
            return False
        return super().has_add_permission(request, obj)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["form"] = type("StaffProfileForm", (self.form,), {"actor": request.user})
        formset = super().get_formset(request, obj, **kwargs)
        if obj is None or obj.pk != request.user.pk:
            return formset

        class OwnAccountFormSet(formset):
            """One's own account shows the role read-only; a role or scope posted for it anyway
            is refused with the reason, and nothing on the page is saved."""

            def clean(self) -> None:
                super().clean()
                if any(ROLE_FIELDS & set(form.changed_data) for form in self.forms):
                    raise forms.ValidationError(
                        _("不能修改自己的角色或负责范围。"), code="own_role"
                    )

        return OwnAccountFormSet


class ApprovalFilter(admin.SimpleListFilter):
    """批准状态: the roles waiting for the viewer's approval (the workbench links here)."""

    title = _("批准状态")
    parameter_name = "approval"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        choices = []
        if request.user.has_perm("portal.approve_staffprofile"):
            choices.append(("pending", _("待我批准")))
        if request.user.has_perm("portal.change_staffprofile"):
            choices.append(("submitted", _("我提交、待批准")))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "pending":
            return queryset.awaiting_approval_by(request.user)
        if self.value() == "submitted":
            return queryset.submitted_by(request.user)
        return queryset


@admin.register(StaffProfile)
class StaffProfileAdmin(ApproverMixin, PortalModelAdmin):
    """The list of who holds which role; roles are edited on the account page."""

    form = StaffProfileForm
    list_display = ["name", "user", "role", "title", "scope_summary", "approval"]
    list_filter = [ApprovalFilter, "role", "communities"]
    list_select_related = ["user", "approved_by"]
    search_fields = ["name", "user__username", "title", "unit"]
    actions = ["approve_roles"]
    change_form_template = "admin/portal/staffprofile/change_form.html"
    readonly_fields = ["user", "approver", "approved_at"]
    fields = [
        "user",
        "name",
        "title",
        "unit",
        "role",
        "communities",
        "grids",
        "approver",
        "approved_at",
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        kwargs["form"] = type("StaffProfileForm", (self.form,), {"actor": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "communities", Prefetch("grids", queryset=Grid.objects.select_related("community"))
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created with the account (用户 → 增加)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path == reverse("admin:autocomplete"):
            # Choosing people for a record (officials, participants): approved roles only, not
            # the configuration account, which never goes out to residents.
            results = results & StaffProfile.objects.pickable()
        return results, may_have_duplicates

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.user_id == request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("负责范围"))
    def scope_summary(self, obj: StaffProfile) -> str:
        return services.scope_summary(obj)

    @admin.display(description=_("批准状态"), boolean=False)
    def approval(self, obj: StaffProfile) -> str:
        if obj.is_approved:
            return str(_("已生效"))
        return str(_("已退回，未生效")) if obj.returned_at else str(_("待书记批准"))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if ROLE_FIELDS & set(form.changed_data):
            profile = services.role_changed(form.instance, actor=request.user)
            form.instance.approved_at = profile.approved_at  # for the change message
            level = messages.SUCCESS if profile.is_approved else messages.WARNING
            self.message_user(request, role_saved_message(profile), level)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        # 修改记录 says what the role and scope were and became, not only which fields moved.
        message = super().construct_change_message(request, form, formsets, add)
        lines = role_edit_lines(form)
        if not lines:
            return message
        text = services.change_text(lines)
        if not form.instance.is_approved:
            text = _("%(change)s（待书记批准）") % {"change": text}
        return text

    def get_urls(self) -> list:
        opts = self.opts
        own = [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name=f"{opts.app_label}_{opts.model_name}_approve",
            ),
            path(
                "<path:object_id>/return/",
                self.admin_site.admin_view(self.return_view),
                name=f"{opts.app_label}_{opts.model_name}_return",
            ),
        ]
        return own + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        profile = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if profile is not None:
            pending = services.pending_change(profile)
            context["role_change"] = pending
            context["may_decide"] = (
                pending is not None
                and profile.returned_at is None
                and self.has_approve_permission(request)
                and profile.user_id != request.user.pk
            )
        return super().change_view(request, object_id, form_url, context)

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """批准 on the profile's page (POST): the change takes effect and is logged."""
        return self._decide(request, object_id, services.approve_staff_role, _("批准"))

    def return_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """退回 on the profile's page (POST): the role in effect before comes back."""
        return self._decide(request, object_id, services.return_staff_role, _("退回"))

    def _decide(self, request: HttpRequest, object_id: str, step: Any, verb: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_approve_permission(request):
            raise PermissionDenied
        profile = self.get_object(request, unquote(object_id))
        if profile is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = reverse("admin:portal_staffprofile_change", args=[profile.pk])
        pending = services.pending_change(profile)
        try:
            decided = step(profile, actor=request.user)
        except services.RoleError as exc:
            self.message_user(request, str(exc), messages.WARNING)
            return HttpResponseRedirect(change_url)
        self._log_decision(request, decided, verb, pending)
        if decided.is_approved:
            done = _("已%(verb)s：%(name)s 的角色与负责范围现为 %(role)s · %(scope)s。")
        else:
            done = _("已%(verb)s：%(name)s 的角色修改未生效，该账号仍看不到任何记录。")
        self.message_user(
            request,
            done
            % {
                "verb": verb,
                "name": decided.name,
                "role": decided.get_role_display(),
                "scope": services.scope_summary(decided),
            },
            messages.SUCCESS,
        )
        if StaffProfile.objects.awaiting_approval_by(request.user).exists():
            return HttpResponseRedirect(
                reverse("admin:portal_staffprofile_changelist") + "?approval=pending"
            )
        return HttpResponseRedirect(change_url)

    def _log_decision(
        self,
        request: HttpRequest,
        profile: StaffProfile,
        verb: Any,
        pending: services.PendingChange | None,
    ) -> None:
        detail = services.change_text(pending.lines) if pending and pending.lines else ""
        if pending and pending.suspended and not pending.lines:
            detail = _("恢复因他人重设密码而暂停的角色")
        message = _("%(verb)s角色与范围的修改") % {"verb": verb}
        if detail:
            message = _("%(what)s：%(detail)s") % {"what": message, "detail": detail}
        self.log_change(request, profile, message)

    @admin.action(description=_("批准所选角色与范围"), permissions=["approve"])
    def approve_roles(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for profile in queryset:
            pending = services.pending_change(profile)
            try:
                decided = services.approve_staff_role(profile, actor=request.user)
                done += 1
            except services.RoleError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                self._log_decision(request, decided, _("批准"), pending)
        if done:
            self.message_user(
                request,
                ngettext("已批准 %(n)d 个角色。", "已批准 %(n)d 个角色。", done) % {"n": done},
                messages.SUCCESS,
            )

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("portal.approve_staffprofile")


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin, PortalModelAdmin):
    """The role groups, read-only: their permissions come from portal/roles.py (sync_roles)."""

    fields = ["name", "permission_list"]
    readonly_fields = ["name", "permission_list"]

    @admin.display(description=_("权限"))
    def permission_list(self, obj: Group) -> str:
        permissions = obj.permissions.select_related("content_type").order_by(
            "content_type__app_label", "content_type__model", "codename"
        )
        return format_html_join(
            mark_safe("<br>"), "{}", ((permission_label(p),) for p in permissions)
        )


# Django stores the default permissions' names in English ("Can view 诉求").
_DEFAULT_ACTIONS = {
    "add": _("增加%(model)s"),
    "change": _("修改%(model)s"),
    "delete": _("删除%(model)s"),
    "view": _("查看%(model)s"),
}


def permission_label(permission: Any) -> str:
    action, _sep, model = permission.codename.partition("_")
    model_class = permission.content_type.model_class()
    if (
        action in _DEFAULT_ACTIONS
        and model_class is not None
        and model == model_class._meta.model_name
    ):
        return _DEFAULT_ACTIONS[action] % {"model": model_class._meta.verbose_name}
    return permission.name


class UserAccountForm(CleanTextMixin, UserChangeForm):
    pass


class NewUserAccountForm(CleanTextMixin, AdminUserCreationForm):
    pass


class PortalPasswordChangeForm(CleanTextMixin, AdminPasswordChangeForm):
    """Django builds this help text by joining strings, so its catalogue never translates the
    warning ("If disabled, …"): say both in Chinese, keeping the id its script shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:
            self.fields["usable_password"].help_text = format_html(
                '{}<ul id="id_unusable_warning" class="messagelist">'
                '<li class="warning">{}</li></ul>',
                _("停用后，该账号不能再用密码登录。"),
                _("停用后，该账号现有的密码将失效。"),
            )


class RoleSetFilter(admin.SimpleListFilter):
    """角色设置: accounts with no role at all (the workbench links here)."""

    title = _("角色设置")
    parameter_name = "role_set"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(queues.NO_ROLE, _("未设置角色"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == queues.NO_ROLE:
            return queryset & accounts_without_role()
        return queryset


@admin.register(User)
class PortalUserAdmin(UserAdmin, PortalModelAdmin):
    """Staff accounts. Superuser flags and raw permissions stay out of reach: roles grant access."""

    form = UserAccountForm
    add_form = NewUserAccountForm
    inlines = [StaffProfileInline]
    change_user_password_template = "admin/auth/user/portal_change_password.html"  # noqa: S105
    change_password_form = PortalPasswordChangeForm
    list_display = ["username", "profile_name", "profile_role", "is_active", "last_login"]
    list_filter = [RoleSetFilter, "is_active", "staff_profile__role"]
    list_select_related = ["staff_profile"]
    search_fields = ["username", "staff_profile__name", "email"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return self.add_fieldsets
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return (
            (None, {"fields": ("username", "password")}),
            (_("联系方式"), {"fields": ("email",)}),
            (_("状态"), {"fields": ("is_active", "last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        fields = ["last_login", "date_joined"]
        if obj is not None and obj.pk == request.user.pk:
            fields.append("is_active")  # nobody locks themselves out by accident
        return fields

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        # One's own password is changed on the page that asks for the old one first.
        if str(id) == str(request.user.pk):
            return redirect("admin:password_change")
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            done = request.method == "POST" and response.status_code == 302
            if done and services.password_set_by_other(User.objects.get(pk=id), actor=request.user):
                self.message_user(
                    request,
                    _("该账号的角色已暂停，须由街道党工委书记核实本人后重新批准才能恢复。"),
                    messages.WARNING,
                )
        return response

    @admin.display(description=_("姓名"), ordering="staff_profile__name")
    def profile_name(self, obj: Any) -> str:
        profile = getattr(obj, "staff_profile", None)
        return profile.name if profile else "—"

    @admin.display(description=_("角色"), ordering="staff_profile__role")
    def profile_role(self, obj: Any) -> str:
        profile = getattr(obj, "staff_profile", None)
        return profile.get_role_display() if profile else "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.is_staff = True  # every account here is a staff account for the back office
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            if formset.model is not StaffProfile:
                continue
            for inline_form in formset.forms:
                saved = inline_form.instance.pk and inline_form.has_changed()
                if saved and ROLE_FIELDS & set(inline_form.changed_data):
                    lines = role_edit_lines(inline_form)
                    profile = services.role_changed(inline_form.instance, actor=request.user)
                    level = messages.SUCCESS if profile.is_approved else messages.WARNING
                    self.message_user(request, role_saved_message(profile), level)
                    if change and lines:
                        # The profile's own 修改记录 shows the change made on the account page.
                        text = services.change_text(lines)
                        if not profile.is_approved:
                            text = _("%(change)s（待书记批准）") % {"change": text}
                        self.log_change(request, profile, text)


# django-axes' own screens, under Chinese names and with closed query strings.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    admin.site.unregister(_model)


class LockFilter(admin.SimpleListFilter):
    """锁定状态: the counts that lock a user name now (the workbench links here)."""

    title = _("锁定状态")
    parameter_name = "lock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(queues.LOCKED, _("当前锁定"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == queues.LOCKED:
            return queryset & LoginLockout.objects.in_force()
        return queryset


@admin.register(LoginLockout)
class LoginLockoutAdmin(AccessAttemptAdmin, PortalModelAdmin):
    list_filter = [LockFilter, *AccessAttemptAdmin.list_filter]


@admin.register(LoginRecord)
class LoginRecordAdmin(AccessLogAdmin, PortalModelAdmin):
    pass


@admin.register(LoginFailure)
class LoginFailureAdmin(AccessFailureLogAdmin, PortalModelAdmin):
    pass


from portal import admin_calendar  # noqa: E402,F401  节假日与调休
