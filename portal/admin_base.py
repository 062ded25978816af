"""Admin building blocks every app uses: scope filtering and closed query strings."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.access import scope_of
from portal.forms import PortalModelForm
from portal.images import ACCEPT, PhotoField, save_renditions


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices show only rows the user may see."""

    @staticmethod
    def _scope_choices(db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        model = db_field.remote_field.model
        manager = model._default_manager
        if "queryset" not in kwargs and hasattr(manager, "visible_to"):
            kwargs["queryset"] = manager.visible_to(request.user)
        if model._meta.label == "portal.StaffProfile" and "queryset" not in kwargs:
            # People who go out to residents: approved roles only, never the configuration
            # account (a role awaiting approval is not yet anyone's role).
            kwargs["queryset"] = manager.pickable()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scope_choices(db_field, request, kwargs)
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if isinstance(widget, forms.SelectMultiple) and not db_field.help_text:
            # Django's hint is about Control and Command keys; staff use phones.
            field.help_text = (
                _("在左侧点选（可先搜索），按箭头加入右侧的已选列表。")
                if isinstance(widget, FilteredSelectMultiple)
                else _("可选择多项。")
            )
        return field


# The largest key PostgreSQL's bigint and SQLite's INTEGER hold has 19 digits; a longer number
# in a query string can only be a probe, and SQLite fails on it instead of finding nothing.
_LONGEST_NUMBER = 18
_DATE_PARTS = {"year": (1, 9998), "month": (1, 12), "day": (1, 31)}


def plausible_lookup_value(lookup: str, value: str) -> bool:
    """False for values no filter link produces and a database may fail on: NUL characters,
    numbers too long for a key, date-hierarchy parts outside the calendar."""
    if "\x00" in value or any(len(run) > _LONGEST_NUMBER for run in re.findall(r"\d+", value)):
        return False
    field, _, part = lookup.rpartition("__")
    if field and part in _DATE_PARTS:
        low, high = _DATE_PARTS[part]
        return value.isascii() and value.isdigit() and low <= int(value) <= high
    return True


def _valid_key(field: Any, value: Any) -> bool:
    try:
        key = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    if isinstance(key, int):
        return abs(key) < 10**_LONGEST_NUMBER
    return "\x00" not in str(key)


class PortalChangeList(ChangeList):
    """A list is headed with what it lists (诉求, 现场办公), not Django's "选择要修改的诉求",
    which reads like an instruction and is wrong for people who only read; a pop-up that picks
    a row says so."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plural = self.opts.verbose_name_plural
        self.title = _("选择%(name)s") % {"name": plural} if self.is_popup else plural


class PortalModelAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Base for every admin screen in the portal."""

    # Invisible characters never count as text; every text field has a length limit.
    form = PortalModelForm
    # A full COUNT(*) on every changelist is slow on big tables and tells staff little.
    show_full_result_count = False
    list_per_page = 50

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return PortalChangeList

    def _allowed_lookup_roots(self, request: HttpRequest) -> set[str]:
        roots = set()
        for item in self.get_list_filter(request):
            if isinstance(item, str):
                roots.add(item)
            elif isinstance(item, (tuple, list)) and isinstance(item[0], str):
                roots.add(item[0])
            elif isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                roots.add(item.parameter_name)
        if self.date_hierarchy:
            roots.add(self.date_hierarchy)
        return roots

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # Django allows filtering on any local field through the query string by default, which
        # lets anyone probe hidden values (?phone__startswith=139). Only the declared filters
        # and the date hierarchy may be used, with values a database can take.
        if not any(
            lookup == root or lookup.startswith(f"{root}__")
            for root in self._allowed_lookup_roots(request)
        ):
            return False
        if not plausible_lookup_value(lookup, value):
            return False
        return super().lookup_allowed(lookup, value, request)

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponseRedirect:
        # Django suggests the row was deleted; here it is as often outside the user's scope,
        # and the message must not tell which.
        self.message_user(
            request,
            _("找不到这条%(name)s：它可能不存在，或不在您的负责范围内。")
            % {"name": opts.verbose_name},
            messages.WARNING,
        )
        if self.has_view_or_change_permission(request):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        else:
            url = reverse("admin:index")
        return HttpResponseRedirect(url)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """`?grid=3` pre-fills the add form; a value that could never name a row is dropped
        instead of failing while the form is drawn."""
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            values = value if isinstance(value, list) else str(value).split(",")
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                field = None
            if field is not None and field.is_relation:
                target = field.target_field
                if not all(_valid_key(target, v) for v in values):
                    del initial[name]
            elif any("\x00" in str(v) for v in values):
                del initial[name]
        return initial


class ScopedAdmin(PortalModelAdmin):
    """Admin for a model whose manager has ``visible_to(user)``: every surface is scoped, and a
    row cannot be saved into a place outside the user's scope."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        rule = getattr(self.model, "scope_rule", None)
        if rule is None or "pk" in (rule.community, rule.grid):
            return form  # reference rows scoped by their own key: the choices already limit them
        scope = scope_of(request.user)

        class ScopeCheckedForm(form):
            def _post_clean(self) -> None:
                super()._post_clean()
                community_id = getattr(self.instance, f"{rule.community}_id", None)
                grid_id = getattr(self.instance, f"{rule.grid}_id", None) if rule.grid else None
                if not scope.allows(rule, community_id=community_id, grid_id=grid_id):
                    self.add_error(
                        None,
                        _("只能登记本人负责范围内的记录：请选择您负责的社区或网格。"),
                    )

        return ScopeCheckedForm


class PortalInlineFormSet(BaseInlineFormSet):
    """Duplicate rows are named by their field labels (类别), not by code names (category)."""

    def get_unique_error_message(self, unique_check: Any) -> str:
        labels = [
            str(self.model._meta.get_field(name).verbose_name)
            for name in unique_check
            if name != self.fk.name
        ]
        return _("%(fields)s有重复，请修改。") % {"fields": "、".join(labels)}


class PortalTabularInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0
    form = PortalModelForm
    formset = PortalInlineFormSet


class PortalStackedInline(ScopedChoicesMixin, admin.StackedInline):
    extra = 0
    form = PortalModelForm
    formset = PortalInlineFormSet
    # Django's own writes "调解记录:" with a Latin colon.
    template = "admin/portal/edit_inline/stacked.html"


class PhotoInput(forms.FileInput):
    """A photo file input. Phones offer the camera or the album for an image type; a "拍照"
    button (static/portal/js/photo-capture.js, on touch screens only) asks for the camera
    straight away: ``capture`` is only a hint, and on the plain input it would hide the album
    with the photos taken before logging."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(
            {
                "accept": ACCEPT,
                "data-camera-label": _("拍照"),
                "class": "photo-input",
                **(attrs or {}),
            }
        )


class PhotoForm(PortalModelForm):
    """Inline form for a PhotoBase subclass: the upload goes through portal.images."""

    upload = PhotoField(label=_("照片"), required=False, widget=PhotoInput)

    class Meta:
        fields = ["caption", "sort_order"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("upload") and "upload" not in self.errors:
            raise forms.ValidationError(_("请选择要上传的照片。"))
        return cleaned

    def save(self, commit: bool = True) -> Any:
        ingested = self.cleaned_data.get("upload")
        if ingested is not None:
            save_renditions(self.instance, ingested)
        return super().save(commit)


class PhotoInline(PortalStackedInline):
    """Photos of a record, one per row (stacked: a phone never scrolls sideways). Files cannot
    be re-filled by the browser after an error, so the heading says so. Adding a record starts
    with one empty photo row and asks only for the photo and its caption."""

    form = PhotoForm
    fields = ["preview", "upload", "caption", "sort_order"]
    readonly_fields = ["preview"]
    verbose_name = _("照片")
    verbose_name_plural = _("照片（保存出错时需重新选择照片）")
    classes = ["photo-inline"]

    class Media:
        js = ["portal/js/photo-capture.js"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["upload", "caption"] if obj is None else list(self.fields)

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 1 if obj is None else 0

    @admin.display(description=_("预览"))
    def preview(self, obj: Any) -> str:
        if not obj or not obj.pk or not obj.thumbnail:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" width="96"></a>',
            obj.display.url,
            obj.thumbnail.url,
        )
