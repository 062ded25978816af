"""Mediation on the case page: sessions and written agreements (人民调解法), scrubbed for those
who may not see the parties' personal data, written only where the rule book allows and saved
through petitions.services.mediation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from petitions import services
from petitions.access import can_reveal
from petitions.display import chinese_date
from petitions.models import Case, MediationAgreement, MediationSession
from petitions.privacy import safe_text
from petitions.services import CaseConflict, CaseError
from petitions.services.mediation import AGREEMENT_FIELDS, SESSION_FIELDS
from petitions.services.rules import Who, refusal
from portal import clock
from portal.admin_base import PortalStackedInline
from portal.forms import PortalModelForm
from portal.models import TeamKind, TeamMember
from portal.pickers import (
    DATE_FORMATS,
    PickerDateInput,
    PickerSplitDateTimeField,
    PickerSplitDateTimeWidget,
)


def judicial_reminder(agreement: MediationAgreement, today: Any = None) -> str:
    """The 30-day 司法确认 window of 人民调解法 Art. 33, as staff should tell the parties."""
    if agreement.judicial_confirmation_applied_on:
        return gettext("已于 %(date)s 申请司法确认") % {
            "date": chinese_date(agreement.judicial_confirmation_applied_on)
        }
    deadline = agreement.judicial_confirmation_deadline
    left = agreement.judicial_confirmation_days_left(today or clock.today())
    if left < 0:
        return gettext("申请司法确认的期限（%(date)s）已过") % {"date": chinese_date(deadline)}
    return ngettext(
        "请提醒当事人于 %(date)s 前共同向人民法院申请司法确认（剩 %(n)d 天）",
        "请提醒当事人于 %(date)s 前共同向人民法院申请司法确认（剩 %(n)d 天）",
        left,
    ) % {"date": chinese_date(deadline), "n": left}


class CaseTextInline(PortalStackedInline):
    """An inline whose free-text fields are shown scrubbed, read-only, to users who may not
    unmask the case's parties. Rows are added and changed only where the guard of ``step``
    allows it (which needs the parties in full), and are saved through its services
    (CaseAdmin.save_formset)."""

    text_fields: tuple[str, ...] = ()
    plain_fields: tuple[str, ...] = ()
    extra_readonly: tuple[str, ...] = ()
    # The rule book's step that adds and changes these rows (petitions.services.mediation).
    step = ""

    def _may_see(self, request: HttpRequest, obj: Case | None) -> bool:
        if obj is None:
            return False
        # Asked several times per page (fields, read-only fields, permissions): once per case.
        answers = request.__dict__.setdefault("_petitions_may_see", {})
        if obj.pk not in answers:
            answers[obj.pk] = can_reveal(request.user, obj)
        return answers[obj.pk]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if self._may_see(request, obj):
            return [*self.plain_fields, *self.text_fields, *self.extra_readonly]
        return [*self.plain_fields, *(f"{f}_safe" for f in self.text_fields), *self.extra_readonly]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if self._may_see(request, obj):
            return list(self.extra_readonly)
        return self.get_fields(request, obj)

    def _writable(self, request: HttpRequest, obj: Case | None) -> bool:
        # The rule book says (the service asks the same guard again when the page is saved).
        if obj is None or not self.step:
            return False
        # Asked several times per page too: once per case, version and step.
        answers = request.__dict__.setdefault("_petitions_writable", {})
        key = (obj.pk, obj.version, self.step)
        if key not in answers:
            people = request.__dict__.setdefault("_petitions_who", {})
            if key[:2] not in people:
                people[key[:2]] = Who.of(request.user, obj)
            answers[key] = refusal(self.step, obj, people[key[:2]]) is None
        return answers[key]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._writable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._writable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # mediation records do not vanish

    # The phone's own date and time pickers (portal.pickers, as on the activity add page), not
    # the admin's text boxes with 今天| and a time-zone warning about the device's clock.
    formfield_overrides = {
        models.DateTimeField: {
            "form_class": PickerSplitDateTimeField,
            "widget": PickerSplitDateTimeWidget,
            # A hidden copy of "now" (the default) in minutes would make a saved row's time,
            # in seconds, look changed on every save of an untouched page.
            "show_hidden_initial": False,
        },
        models.DateField: {"widget": PickerDateInput, "input_formats": DATE_FORMATS},
    }

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if self._may_see(request, obj):
            formset.form = _masked_once_saved(formset.form, self.text_fields)
        return formset

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "mediators":
            # Members of mediation and legal teams, and anyone qualified as a mediator.
            kwargs["queryset"] = (
                TeamMember.objects.filter(is_active=True)
                .filter(
                    Q(team__kind__in=[TeamKind.MEDIATION, TeamKind.LEGAL])
                    | Q(qualifications__name="人民调解员")
                )
                .select_related("team")
                .distinct()
            )
            # A few names: plain checkboxes, which read the same on a phone (two lists side by
            # side stack there, and "left" and "right" mean nothing).
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _masked_once_saved(form_class: Any, text_fields: tuple[str, ...]) -> Any:
    """Saved rows show their free text masked and fixed, like everything else on the case page
    (the text as written is on the logged reveal page); new rows are written as usual."""

    class MaskedOnceSaved(form_class):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if not self.instance.pk:
                return
            for name in text_fields:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.initial[name] = safe_text(self.instance.case, getattr(self.instance, name))

        def clean(self) -> Any:
            cleaned = super().clean()
            if self.instance.pk:
                for name in text_fields:  # never write the masked text back over the original
                    cleaned.pop(name, None)
            return cleaned

    return MaskedOnceSaved


def _safe(field: str, label: Any):
    @admin.display(description=label)
    def show(self: Any, obj: Any) -> str:
        return safe_text(obj.case, getattr(obj, field)) if obj and obj.pk else ""

    return show


class MediationSessionInline(CaseTextInline):
    model = MediationSession
    step = "mediation"
    plain_fields = ("held_at", "place", "method", "mediators", "outcome")
    text_fields = ("parties_present", "notes")
    verbose_name_plural = _("调解记录（新增后写入办理记录）")

    parties_present_safe = _safe("parties_present", _("到场当事人"))
    notes_safe = _safe("notes", _("调解经过"))

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("mediators", "case__parties__person")


class MediationAgreementInline(CaseTextInline):
    model = MediationAgreement
    step = "agreement"
    plain_fields = ("agreement_number", "signed_on", "session", "mediators")
    text_fields = ("parties", "facts", "responsibilities", "terms", "performance")
    extra_readonly = ("judicial",)
    verbose_name_plural = _("调解协议")

    parties_safe = _safe("parties", _("当事人基本情况"))
    facts_safe = _safe("facts", _("纠纷主要事实、争议事项"))
    responsibilities_safe = _safe("responsibilities", _("各方当事人的责任"))
    terms_safe = _safe("terms", _("协议内容"))
    performance_safe = _safe("performance", _("履行方式、期限"))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = super().get_fields(request, obj)
        fields.insert(fields.index("judicial"), "judicial_confirmation_applied_on")
        return fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("mediators", "case__parties__person")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("session")
        if field is not None and obj is not None:
            field.queryset = MediationSession.objects.filter(case=obj)
        return formset

    @admin.display(description=_("司法确认提醒"))
    def judicial(self, obj: MediationAgreement) -> str:
        if not obj or not obj.pk:
            return _("签订后 30 日内，当事人可共同向人民法院申请司法确认")
        return judicial_reminder(obj)


# --- saving the case page: its mediation rows, through the services -----------------------------


class CasePageForm(PortalModelForm):
    """The case page's own form. Every field of the case is read-only; it carries the version
    of the case the page was drawn from, which each mediation row saved with it must still
    match (someone who took a step meanwhile made the page stale)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    # Why saving was refused (the page drawn again, as typed, says it).
    refusal = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["version"] = self.instance.version

    def clean(self) -> Any:
        cleaned = super().clean()
        if self.refusal:
            raise forms.ValidationError(self.refusal)
        return cleaned


# Each inline's rows: the record and change service, and the fields they take.
_WRITERS = {
    MediationSession: (
        services.record_mediation_session,
        services.change_mediation_session,
        SESSION_FIELDS,
    ),
    MediationAgreement: (services.record_agreement, services.change_agreement, AGREEMENT_FIELDS),
}


class MediationRecordsMixin:
    """CaseAdmin's saving of the mediation inlines: each new or changed row through its service
    (lock, version, guard, write, timeline entry), all of the page's rows in one transaction.
    A refused save (the case moved on, or the rule book says no) writes nothing and draws the
    page again as typed, with the reason, against the case as it is now."""

    form = CasePageForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any):
        form = super().get_form(request, obj, change, **kw)
        refusal = getattr(request, "_case_page_refusal", "")
        if refusal:
            form = type(form.__name__, (form,), {"refusal": refusal})
        return form

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CaseError as exc:
            # Raised inside Django's transaction: everything this save wrote is rolled back.
            if request.method != "POST" or object_id is None:
                raise
            if getattr(request, "_case_page_refusal", ""):
                raise
            fresh = self.get_object(request, unquote(object_id))
            if fresh is None:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:petitions_case_changelist"))
            data = request.POST.copy()
            data["version"] = str(fresh.version)  # keep what was typed, against the new state
            request.POST = data
            request._case_page_refusal = str(exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        writer = _WRITERS.get(formset.model)
        if writer is None:
            return super().save_formset(request, form, formset, change)
        record, amend, fields = writer
        case = form.instance
        # The version the page was drawn from, then each row's save moves it on.
        version = request.__dict__.get("_case_version", form.cleaned_data.get("version"))
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed():
                continue
            if version is None:
                raise CaseConflict(gettext("页面缺少版本信息，请刷新页面后再保存。"))
            new = row.instance.pk is None
            values = {
                name: row.cleaned_data[name]
                for name in fields
                if name in row.cleaned_data and (new or name in row.changed_data)
            }
            if new:
                saved = record(case, actor=request.user, expected_version=version, **values)
                formset.new_objects.append(saved)
            else:
                saved = amend(row.instance, actor=request.user, expected_version=version, **values)
                formset.changed_objects.append((saved, row.changed_data))
            version = saved.case.version
        request._case_version = version
        return None
