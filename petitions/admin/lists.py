"""The lists that configure cases, the meeting decisions that settle them, and the two logs
(timeline entries and exports), which are read-only for everyone."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin
from django.db.models import BooleanField, Count, Prefetch, Q, QuerySet, Value
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from petitions.access import sees_accusers
from petitions.display import event_actor, event_unit, local
from petitions.models import (
    Case,
    CaseEvent,
    Category,
    DeadlineRule,
    DeadlineStage,
    ExportRecord,
    LeadershipDecision,
    ReplyTemplate,
    Triage,
)
from petitions.privacy import case_label, event_note
from portal.admin_base import PortalModelAdmin, PortalTabularInline
from portal.people import display_name


class ReadOnlyAdmin(PortalModelAdmin):
    """An append-only log: rows are written by the services, never through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """办理记录 across cases, scoped through the cases the user can see."""

    list_display = ["when", "case_link", "kind", "move", "actor_name", "unit", "note_safe"]
    list_filter = ["kind", "is_public"]
    date_hierarchy = "at"
    ordering = ["-at", "-pk"]  # the latest first: what staff come here to check
    search_fields = ["case__number"]
    search_help_text = _("按诉求编号搜索")
    fields = [
        "case_link",
        "when",
        "kind",
        "move",
        "actor_name",
        "unit",
        "note_safe",
        "is_public",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .filter(case__in=Case.objects.visible_to(request.user))
            .select_related("case", "actor__staff_profile")
            .prefetch_related("case__parties__person")
            # Who reads the list, for each row's note (see event_note); fail closed without it.
            .annotate(
                reader_sees_accusers=Value(sees_accusers(request.user), output_field=BooleanField())
            )
        )

    @admin.display(description=_("时间"), ordering="at")
    def when(self, obj: CaseEvent) -> str:
        return local(obj.at)

    @admin.display(description=_("诉求"))
    def case_link(self, obj: CaseEvent) -> str:
        url = reverse("admin:petitions_case_change", args=[obj.case_id])
        return format_html('<a href="{}">{}</a>', url, case_label(obj.case))

    @admin.display(description=_("状态变化"))
    def move(self, obj: CaseEvent) -> str:
        if not obj.to_status:
            return "—"
        return f"{obj.get_from_status_display() or '—'} → {obj.get_to_status_display()}"

    @admin.display(description=_("操作人"))
    def actor_name(self, obj: CaseEvent) -> str:
        return event_actor(obj)

    @admin.display(description=_("操作单位"), ordering="actor_unit")
    def unit(self, obj: CaseEvent) -> str:
        # A resident's entry is "居民" once, under 操作人.
        return event_unit(obj) or "—"

    @admin.display(description=_("说明"))
    def note_safe(self, obj: CaseEvent) -> str:
        hidden = obj.case.is_accusation and not getattr(obj, "reader_sees_accusers", False)
        return event_note(obj.case, obj, accuser_hidden=hidden) or "—"


# The search part of a recorded export filter (describe_filters writes "搜索：…" last).
_SEARCH_PART = re.compile(r"((?:^|；)搜索：).*$")


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    """导出记录: who exported what, when, how many rows, masked or not."""

    list_display = ["when", "exported_by", "filters_shown", "rows", "masked", "what"]
    list_filter = ["masked", "what"]
    list_select_related = ["actor__staff_profile"]
    date_hierarchy = "at"
    fields = ["when", "exported_by", "what", "filters_shown", "rows", "masked"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Who reads the log, for each row's filters (see filters_shown); fail closed without it.
        return (
            super()
            .get_queryset(request)
            .annotate(
                reader_id=Value(request.user.pk),
                reader_sees_accusers=Value(
                    sees_accusers(request.user), output_field=BooleanField()
                ),
            )
        )

    @admin.display(description=_("筛选条件"))
    def filters_shown(self, obj: ExportRecord) -> str:
        """What another member of staff searched for may be an accuser's name or phone (the
        party secretary's search): only they and the exporter read the search itself."""
        if getattr(obj, "reader_sees_accusers", False) or obj.actor_id == getattr(
            obj, "reader_id", None
        ):
            return obj.filters
        return _SEARCH_PART.sub(r"\1***", obj.filters)

    @admin.display(description=_("时间"), ordering="at")
    def when(self, obj: ExportRecord) -> str:
        return local(obj.at)

    @admin.display(description=_("导出人"), ordering="actor__staff_profile__name")
    def exported_by(self, obj: ExportRecord) -> str:
        return display_name(obj.actor)


class DeadlineRuleInline(PortalTabularInline):
    model = DeadlineRule
    fields = ["kind", "stage", "unit", "length", "start_event", "max_extension_days", "legal_basis"]
    verbose_name_plural = _("本分类的办理时限（优先于通用规则）")


@admin.register(Category)
class CategoryAdmin(PortalModelAdmin):
    list_display = [
        "name",
        "conclude_limit",
        "description",
        "sort_order",
        "is_public",
        "handled_by",
        "is_active",
    ]
    list_filter = ["is_active", "is_public"]
    search_fields = ["name", "description"]
    inlines = [DeadlineRuleInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rules = DeadlineRule.objects.filter(stage=DeadlineStage.CONCLUDE)
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("deadline_rules", queryset=rules, to_attr="_conclude"))
        )

    @admin.display(description=_("办结时限"))
    def conclude_limit(self, obj: Category) -> str:
        rules = getattr(obj, "_conclude", None) or []
        if not rules:
            return str(_("按事项类型的通用规则"))
        return pgettext("separator between messages", "；").join(
            gettext("%(kind)s %(length)d 个%(unit)s")
            % {"kind": r.get_kind_display(), "length": r.length, "unit": r.get_unit_display()}
            for r in rules
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases point to categories: switch one off instead


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(PortalModelAdmin):
    list_display = [
        "kind",
        "category",
        "stage",
        "length",
        "unit",
        "start_event",
        "max_extension_days",
        "legal_basis",
    ]
    list_filter = ["kind", "stage", "unit", "category"]
    list_select_related = ["category"]
    search_fields = ["legal_basis", "category__name"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(PortalModelAdmin):
    list_display = ["title", "category", "is_active"]
    list_filter = ["is_active", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "text"]


@admin.register(LeadershipDecision)
class LeadershipDecisionAdmin(PortalModelAdmin):
    list_display = ["held_on", "meeting", "short_text", "settled", "recorded_by_name"]
    list_filter = ["meeting"]
    list_select_related = ["recorded_by__staff_profile"]
    date_hierarchy = "held_on"
    search_fields = ["meeting", "text"]
    readonly_fields = ["recorded_by_name"]

    @admin.display(description=_("登记人"), ordering="recorded_by__staff_profile__name")
    def recorded_by_name(self, obj: LeadershipDecision) -> str:
        return display_name(obj.recorded_by) or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A decision about matters: those naming a case this user sees, or naming none.
        visible = Case.objects.visible_to(request.user)
        named_here = LeadershipDecision.objects.filter(cases__in=visible).values("pk")
        return (
            super()
            .get_queryset(request)
            .filter(Q(pk__in=named_here) | Q(cases__isnull=True))
            .distinct()
            .annotate(_settled=Count("settled_cases", distinct=True))
        )

    def _offered_cases(self, request: HttpRequest) -> QuerySet:
        """The ledger cases this user may name, as the form offers them."""
        return Case.objects.visible_to(request.user).filter(triage=Triage.LEDGER)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only: the cases named, as far as this user may see them.
            return ["meeting", "held_on", "text", "cases_shown", "recorded_by_name"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "cases_shown"]

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.viewer = request.user  # for cases_shown (the admin is shared across requests)
        return obj

    @admin.display(description=_("涉及诉求"))
    def cases_shown(self, obj: LeadershipDecision) -> str:
        visible = Case.objects.visible_to(obj.viewer).filter(naming_decisions=obj)
        names = [case_label(c) for c in visible.prefetch_related("parties__person")]
        hidden = obj.cases.count() - len(names)
        if hidden:
            names.append(
                ngettext("另有 %(n)d 件不在您的范围内", "另有 %(n)d 件不在您的范围内", hidden)
                % {"n": hidden}
            )
        return "；".join(names) or "—"

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Cases the decision names that this user is not offered (outside their scope, or no
        # longer 台账) stay named: saving the form must not unsettle them unseen.
        kept = (
            list(form.instance.cases.exclude(pk__in=self._offered_cases(request))) if change else []
        )
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.cases.add(*kept)

    @admin.display(description=_("决定事项"))
    def short_text(self, obj: LeadershipDecision) -> str:
        return obj.text if len(obj.text) <= 40 else f"{obj.text[:40]}…"

    @admin.display(description=_("关联诉求数"), ordering="_settled")
    def settled(self, obj: LeadershipDecision) -> int:
        return obj._settled

    fields = ["meeting", "held_on", "text", "cases", "recorded_by_name"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "cases":
            # The ledger cases this user may see, named as on every staff screen (number and
            # masked title): the decision says which matters it is about.
            kwargs["queryset"] = (
                self._offered_cases(request)
                .prefetch_related("parties__person")
                .order_by("-received_at", "-pk")
            )
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            field.label_from_instance = case_label
            field.widget.attrs["size"] = 8
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
