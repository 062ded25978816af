"""诉求 in the back office: queues, search that never unmasks, registration, the steps of the
lifecycle as buttons on the case page, reveal with a reason, bulk assignment and Excel export.

Scope is ``Case.objects.visible_to(user)`` on every surface (list, page, search, steps, reveal,
export); status changes only through petitions.services.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters, get_content_type_for_model
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from outreach.models import FieldVisit, OnsiteSession
from petitions import (
    exports,  # exports reads the admin's display helpers
    services,
)
from petitions.access import ACCUSATION_PLACEHOLDER, can_reveal, petitioner_hidden
from petitions.admin.display import CaseFieldsMixin
from petitions.admin.header import case_header, deadlines_of
from petitions.admin.inlines import (
    MediationAgreementInline,
    MediationRecordsMixin,
    MediationSessionInline,
)
from petitions.admin.panel import case_panel, case_timeline
from petitions.admin.search import (
    CaseSearchMixin,
    QueueFilter,
    RelatedOnlyFilter,
    TriageFilter,
    describe_filters,
    unknown_filters,
)
from petitions.admin.slip import CaseSlipMixin, slip_url
from petitions.admin.steps import STEPS, error_field, refusal, run_step
from petitions.display import staff_label
from petitions.forms import (
    SOURCE_FIELDS,
    BulkAssignForm,
    ConcludeForm,
    RegisterCaseForm,
    RevealForm,
)
from petitions.models import (
    Case,
    CaseParty,
    Channel,
    Reception,
    ReplyTemplate,
)
from petitions.privacy import case_label, original_texts, petitioner, safe_title
from petitions.services import CaseConflict, CaseError, conflict_message
from petitions.services.rules import Who
from portal.admin_base import PortalModelAdmin
from portal.privacy import scrub


@admin.register(Case)
class CaseAdmin(
    CaseSlipMixin, MediationRecordsMixin, CaseSearchMixin, CaseFieldsMixin, PortalModelAdmin
):
    # Fits a 1366-px screen without scrolling inside the list: 督办 and 重办 are badges in
    # the status cell, community and grid one place cell; the channel is on the case page and
    # in the filters.
    list_display = [
        "number",
        "title_safe",
        "status_label",
        "due_label",
        "handler_label",
        "triage_label",
        "category",
        "place_label",
        "petitioner_label",
    ]
    list_display_links = ["number"]
    list_filter = [
        QueueFilter,
        "status",
        ("triage", TriageFilter),
        "channel",
        ("category", RelatedOnlyFilter),
        ("community", RelatedOnlyFilter),
        ("grid", RelatedOnlyFilter),
        ("handler", RelatedOnlyFilter),
        "kind",
        "is_accusation",
    ]
    date_hierarchy = "received_at"
    # get_search_results does the searching; the field only switches the search box on.
    search_fields = ["number"]
    # As phone_lookup searches: a full number counts only by what its mask shows.
    search_help_text = _(
        "按编号、查询码、诉求摘要搜索；电话可输入后四位（如 5678）、脱敏号码（如 139****5678）"
        "或完整手机号，完整手机号只比对前三位和后四位"
    )
    actions = ["bulk_assign", "export_selected"]
    inlines = [MediationSessionInline, MediationAgreementInline]
    save_as = False
    fieldsets = [
        (
            _("诉求"),
            {
                "fields": [
                    "number",
                    "tracking",
                    "kind",
                    "accusation",
                    "channel",
                    "category",
                    "received",
                    "source",
                    "title_safe",
                    "content_safe",
                ]
            },
        ),
        (_("地点"), {"fields": ["community", "grid", "compound", "address_safe"]}),
        (
            _("办理"),
            {
                "fields": [
                    "status",
                    "triage_label",
                    "handler_label",
                    "co_workers",
                    "followup_interval_days",
                    "progress",
                    "next_followup_due",
                    "decision",
                ]
            },
        ),
        (
            _("结果与评价"),
            {
                "fields": [
                    "not_accepted_safe",
                    "result_safe",
                    "reply_safe",
                    "dual_settlement",
                    "is_publishable",
                    "satisfaction",
                    "redo_count",
                    "bounce_count",
                    "is_supervised",
                ]
            },
        ),
    ]

    class Media:
        css = {"all": ["petitions/css/admin.css"]}

    # --- scope and permissions ---------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).visible_to(request.user).for_admin_list()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Nothing on a case is edited freely: every change is a step calling a service.
        return [name for _title, opts in self.fieldsets for name in opts["fields"]]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases never vanish

    def has_transition_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("petitions.transition_case")

    def has_assign_permission(self, request: HttpRequest) -> bool:
        return self.has_transition_permission(request) and request.user.has_perm(
            "petitions.assign_case"
        )

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("petitions.export_case")

    # --- list columns ------------------------------------------------------------------------

    def action_checkbox(self, obj: Case) -> str:
        # Django labels the checkbox with str(case), the bare number; a screen reader hears the
        # case as the row shows it, number and masked title (case_label).
        attrs = {
            "class": "action-select",
            "aria-label": format_html(_("Select this object for an action - {}"), case_label(obj)),
        }
        return forms.CheckboxInput(attrs, lambda value: False).render(
            helpers.ACTION_CHECKBOX_NAME, str(obj.pk)
        )

    @admin.display(description=_("诉求摘要"))
    def title_safe(self, obj: Case) -> str:
        return safe_title(obj)

    @admin.display(description=_("状态"), ordering="status")
    def status_label(self, obj: Case) -> str:
        badges = []
        if obj.is_supervised:
            badges.append(gettext("督办"))
        if obj.redo_count:
            n = obj.redo_count
            badges.append(ngettext("重办 %(n)s 次", "重办 %(n)s 次", n) % {"n": n})
        return format_html(
            "{}{}",
            obj.get_status_display(),
            format_html_join("", ' <span class="case-badge">{}</span>', ((b,) for b in badges)),
        )

    @admin.display(description=_("社区 / 网格"), ordering="community__name")
    def place_label(self, obj: Case) -> str:
        if obj.grid_id is None:
            return obj.community.name
        return format_html(
            '{}<br><span class="case-grid">{}</span>', obj.community.name, obj.grid.name
        )

    @admin.display(description=_("承办人"), ordering="handler__unit")
    def handler_label(self, obj: Case) -> str:
        return staff_label(obj.handler) or "—"

    @admin.display(description=_("当前期限"), ordering="conclude_due")
    def due_label(self, obj: Case) -> str:
        # In the words of the case page's head (set per page below; one case: its own).
        due = obj._deadline if hasattr(obj, "_deadline") else deadlines_of([obj])[obj.pk]
        if due is None:
            return "—"
        return format_html('{}<br><span class="{}">{}</span>', due.day, due.tone, due.text)

    @admin.display(description=_("信访人"))
    def petitioner_label(self, obj: Case) -> str:
        party = petitioner(obj)
        if party is None:
            return "—"
        # Set per request on the row objects below; unset means hidden (fail closed).
        if getattr(obj, "_petitioner_hidden", True):
            return ACCUSATION_PLACEHOLDER
        return party.person.masked_name

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        deadlines = deadlines_of(list(changelist.result_list))
        for case in changelist.result_list:
            case._petitioner_hidden = petitioner_hidden(request.user, case)
            case._deadline = deadlines[case.pk]
        return changelist

    # --- the admin's own history: number and masked title (case_label), as on the page -------

    def _log(self, request: HttpRequest, obj: Case, flag: int, message: Any) -> LogEntry:
        if isinstance(message, list):
            message = json.dumps(message)
        return LogEntry.objects.create(
            user_id=request.user.pk,
            content_type_id=get_content_type_for_model(obj).pk,
            object_id=str(obj.pk),
            object_repr=case_label(obj)[:200],
            action_flag=flag,
            change_message=message,
        )

    def log_addition(self, request: HttpRequest, obj: Case, message: Any) -> LogEntry:
        return self._log(request, obj, ADDITION, message)

    def log_change(self, request: HttpRequest, obj: Case, message: Any) -> LogEntry:
        return self._log(request, obj, CHANGE, message)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """The 历史 button shows the case's own timeline (who did what, when, old → new), which
        the services write for every step; Django's log holds only saves of this form."""
        response = super().history_view(request, object_id, extra_context)
        if isinstance(response, TemplateResponse) and response.context_data.get("object"):
            case = response.context_data["object"]
            label = case_label(case)
            response.context_data["title"] = _("办理记录：%(case)s") % {"case": label}
            response.context_data["case_label"] = label
            response.context_data["case_header"] = case_header(case)
            response.context_data["case_timeline"] = case_timeline(case, request.user)
        return response

    # --- URLs --------------------------------------------------------------------------------

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("export/", wrap(self.export_view), name=f"{prefix}_export"),
            path(
                "<path:object_id>/step/<slug:step>/",
                wrap(self.step_view),
                name=f"{prefix}_step",
            ),
            path(
                "<path:object_id>/reveal/<int:party_id>/",
                wrap(self.reveal_view),
                name=f"{prefix}_reveal",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, case: Case) -> str:
        return reverse("admin:petitions_case_change", args=[case.pk])

    # --- changelist --------------------------------------------------------------------------

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        if unknown := unknown_filters(request.GET, request.user):
            # A filter value from an old bookmark or a typo: said, and left out, rather than
            # silently showing all cases (an unknown queue) or none (an unknown status).
            params = request.GET.copy()
            for pair in unknown:
                params.pop(pair.split("=", 1)[0], None)
            message = (
                _("未知的筛选条件（%(params)s），已忽略，按其余条件显示。")
                if params
                else _("未知的筛选条件（%(params)s），已显示全部诉求。")
            )
            shown = "、".join(pair[:40] for pair in unknown)
            self.message_user(request, message % {"params": shown}, messages.WARNING)
            return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")
        query = request.GET.urlencode()
        extra = {
            "can_export": self.has_export_permission(request),
            "export_url": reverse("admin:petitions_case_export") + (f"?{query}" if query else ""),
            "case_queues": self._queue_links(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    @staticmethod
    def _queue_links(request: HttpRequest) -> list[dict]:
        """The work queues as a row of links above the list (on a phone the filter column is
        below fifty rows), each keeping the other filters."""
        current = request.GET.get(QueueFilter.parameter_name)
        links = []
        for value, label in [(None, _("全部")), *QueueFilter.queues_for(request.user)]:
            params = request.GET.copy()
            params.pop("p", None)
            params.pop(QueueFilter.parameter_name, None)
            if value:
                params[QueueFilter.parameter_name] = value
            links.append({"label": label, "url": f"?{params.urlencode()}", "on": current == value})
        return links

    # --- 登记 ---------------------------------------------------------------------------------

    def _source(self, request: HttpRequest) -> tuple[dict, Any]:
        """Initial values from the activity the case was raised at (only one the user sees)."""
        for param, model, channel in (
            ("field_visit", FieldVisit, Channel.RESEARCH),
            ("onsite_session", OnsiteSession, Channel.ONSITE),
            ("reception", Reception, Channel.RECEPTION),
        ):
            value = request.GET.get(param, "")
            if not value:
                continue
            activity = (
                model.objects.visible_to(request.user).filter(pk=value).first()
                if value.isdigit()
                else None
            )
            if activity is None:
                if request.method == "GET":
                    self.message_user(
                        request, _("没有找到来源活动，或您无权查看；请手工填写。"), messages.WARNING
                    )
                continue
            return {
                param: activity.pk,
                "community": activity.community_id,
                "grid": activity.grid_id,
                "compound": activity.compound_id,
                "channel": channel,
            }, activity
        return {}, None

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial, source = self._source(request)
        if request.method == "POST":
            data = request.POST.copy()
            for param in SOURCE_FIELDS:
                if initial.get(param) and not data.get(param):
                    data[param] = str(initial[param])  # the link the form was opened from
            form = RegisterCaseForm(data, user=request.user, initial=initial)
            if form.is_valid():
                try:
                    case = services.register_case(form.intake(), actor=request.user)
                except CaseError as exc:
                    form.add_error(error_field(exc, form), str(exc))
                else:
                    self.log_addition(request, case, [{"added": {}}])
                    self.message_user(
                        request,
                        _(
                            "已登记诉求 %(number)s，查询码 %(code)s"
                            "（请告知居民凭查询码和手机号查询进度）。"
                        )
                        % {"number": case.number, "code": case.formatted_tracking_code},
                        messages.SUCCESS,
                    )
                    # On to the slip for the resident (回执), where the user may see the case.
                    if self.get_queryset(request).filter(pk=case.pk).exists():
                        return HttpResponseRedirect(slip_url(case))
                    return HttpResponseRedirect(reverse("admin:petitions_case_changelist"))
        else:
            form = RegisterCaseForm(user=request.user, initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "title": _("登记诉求"),
            "opts": self.opts,
            "form": form,
            "source": source,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/petitions/case/register.html", context)

    # --- the case page -----------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Case, form: Any, change: bool) -> None:
        # Every field is read-only: saving the page saves only its mediation records (through
        # their services, MediationRecordsMixin). Writing the case row back here would
        # silently undo a step someone took meanwhile.
        if not change:
            raise PermissionDenied

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        request._case_records_changed = any(formset.has_changed() for formset in formsets)
        super().save_related(request, form, formsets, change)

    def response_change(self, request: HttpRequest, obj: Case) -> HttpResponse:
        # Django's message would name the bare number and leave for the list; say whether the
        # mediation records changed and stay on the case page.
        if getattr(request, "_case_records_changed", True):
            message, level = _("已保存 %(case)s 的调解记录。"), messages.SUCCESS
        else:
            message, level = _("%(case)s 没有需要保存的修改。"), messages.INFO
        self.message_user(request, message % {"case": case_label(obj)}, level)
        return HttpResponseRedirect(self._change_url(obj))

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None:
            context.update(case_panel(request, obj, context.get("bound_step")))
            context["subtitle"] = context["case_label"]
        context["show_save_and_add_another"] = False
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- steps -------------------------------------------------------------------------------

    def step_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        """A step posted from the case page: refused (403, nothing written) when the rule book
        objects, else its form checked and its service run (which asks the rule book again,
        inside the row lock). A page drawn before someone else moved the case on gets the
        conflict message and the form as typed against the new state."""
        case = self._case_for_step(object_id)
        # Whether the user sees the case is the rule book's first question too: one query.
        who = Who.of(request.user, case) if case is not None else None
        if who is None or not who.visible:
            raise Http404(_("没有这件诉求，或您无权查看。"))
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(case))
        spec = STEPS.get(step)
        if spec is None:
            raise Http404
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        posted = request.POST.get("version", "")
        numeric = posted.isascii() and posted.isdigit() and len(posted) < 10
        if numeric and int(posted) != case.version:
            return self._conflict(request, object_id, spec, conflict_message(case))
        if problem := refusal(step, case, who):
            return self._refused(request, case, spec, problem)
        if spec.form is ConcludeForm and "apply_template" in request.POST:
            return self._apply_reply_template(request, object_id, case, spec)
        form = spec.make_form(request.POST, case=case, user=request.user)
        if not form.is_valid():
            self.message_user(
                request, _("请更正下面“%(s)s”中的错误。") % {"s": spec.label}, messages.ERROR
            )
            return self._redisplay(request, object_id, step, form)
        try:
            run_step(spec, case, who, form.cleaned_data)
        except CaseConflict as exc:
            return self._conflict(request, object_id, spec, str(exc))
        except CaseError as exc:
            if field := error_field(exc, form):
                # A fault of one input (a template blank left in): shown at that input.
                form.add_error(field, str(exc))
                message = _("请更正下面“%(s)s”中的错误。") % {"s": spec.label}
            else:
                message = str(exc)
            self.message_user(request, message, messages.ERROR)
            return self._redisplay(request, object_id, step, form)
        self.message_user(request, spec.done, messages.SUCCESS)
        if not self.get_queryset(request).filter(pk=case.pk).exists():
            return HttpResponseRedirect(reverse("admin:petitions_case_changelist"))
        return HttpResponseRedirect(self._change_url(case))

    @staticmethod
    def _case_for_step(object_id: str) -> Case | None:
        """The case a step is posted to (whether the user sees it is asked with the rule book's
        other questions, in ``Who.of``), without what only its page shows (its parties)."""
        pk = unquote(object_id)
        if not (pk.isascii() and pk.isdigit() and len(pk) < 19):
            return None
        return Case.objects.select_related("handler").filter(pk=int(pk)).first()

    def _refused(self, request: HttpRequest, case: Case, spec: Any, problem: str) -> Any:
        context = {
            **self.admin_site.each_context(request),
            "title": _("不能办理：%(step)s") % {"step": spec.label},
            "opts": self.opts,
            "case_label": case_label(case),
            "change_url": self._change_url(case),
            "refusal": problem,
        }
        return TemplateResponse(
            request, "admin/petitions/case/step_refused.html", context, status=403
        )

    def _conflict(self, request: HttpRequest, object_id: str, spec: Any, message: str) -> Any:
        """Someone else moved the case on: say so, and draw the form again as typed against the
        case as it is now (the user decides whether to post it again)."""
        self.message_user(request, message, messages.ERROR)
        fresh = self.get_object(request, unquote(object_id))
        if fresh is None:
            return HttpResponseRedirect(reverse("admin:petitions_case_changelist"))
        data = request.POST.copy()
        data["version"] = str(fresh.version)  # keep what was typed, against the new state
        form = spec.make_form(data, case=fresh, user=request.user)
        form.is_valid()
        return self._redisplay(request, object_id, spec.name, form)

    def _apply_reply_template(
        self, request: HttpRequest, object_id: str, case: Case, spec: Any
    ) -> Any:
        chosen = request.POST.get("reply_template", "")
        template = (
            ReplyTemplate.objects.filter(pk=chosen, is_active=True).first()
            if chosen.isascii() and chosen.isdigit() and len(chosen) < 10
            else None
        )
        form = ConcludeForm.with_template(
            request.POST,
            template,
            case=case,
            user=request.user,
            auto_id=f"id_{spec.name}-%s",
        )
        return self._redisplay(request, object_id, spec.name, form)

    def _redisplay(self, request: HttpRequest, object_id: str, step: str, form: Any) -> Any:
        """The case page again, with the step's form as typed (GET: nothing else is saved)."""
        request.method = "GET"
        return self.change_view(request, object_id, extra_context={"bound_step": (step, form)})

    # --- 查看完整信息 ---------------------------------------------------------------------------

    @method_decorator(never_cache)
    def reveal_view(self, request: HttpRequest, object_id: str, party_id: int) -> HttpResponse:
        case = self.get_object(request, unquote(object_id))
        if case is None or not self.has_view_or_change_permission(request, case):
            raise Http404(_("没有这件诉求，或您无权查看。"))
        party = get_object_or_404(
            CaseParty.objects.select_related("person", "case"), pk=party_id, case=case
        )
        if not can_reveal(request.user, case, party.role):
            raise PermissionDenied
        person = None
        form = RevealForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                person = services.reveal_party(
                    party, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except CaseError as exc:
                form.add_error(None, str(exc))
        context = {
            **self.admin_site.each_context(request),
            "original_texts": original_texts(case)
            if person and can_reveal(request.user, case)
            else [],
            "title": _("查看当事人完整信息"),
            "opts": self.opts,
            "original": case,
            "case_label": case_label(case),
            "party": party,
            "person": person,
            "form": form,
            "change_url": self._change_url(case),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/petitions/case/reveal.html", context)

    # --- bulk actions and export -------------------------------------------------------------

    @admin.action(description=_("批量交办"), permissions=["assign"])
    def bulk_assign(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = BulkAssignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, problems = services.bulk_assign(
                queryset.order_by("pk"),
                actor=request.user,
                handler=form.cleaned_data["handler"],
                note=form.cleaned_data["note"].strip(),
            )
            for problem in problems:
                self.message_user(request, problem, messages.WARNING)
            level = messages.SUCCESS if done else messages.WARNING
            self.message_user(
                request,
                _("已交办 %(done)d 件，未交办 %(failed)d 件。")
                % {"done": done, "failed": len(problems)},
                level,
            )
            return None
        cases = list(queryset[:51])
        context = {
            **self.admin_site.each_context(request),
            "title": _("批量交办"),
            "opts": self.opts,
            "form": form,
            "cases": [case_label(c) for c in cases[:50]],
            "more": queryset.count() - 50 if len(cases) > 50 else 0,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/petitions/case/bulk_assign.html", context)

    @admin.action(description=_("导出Excel"), permissions=["export"])
    def export_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:

        return exports.export_response(queryset, user=request.user, filters="所选诉求")

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """导出Excel: exactly the rows the list shows with its filters and search, all pages.

        The filters are the query string (the list's button posts to this address with the
        list's own query string). Only a POST with the CSRF token exports, because an export
        is a record in the exporter's name: a link from anywhere else (a GET) only shows what
        would be exported, with the button, and writes nothing.
        """
        if not (
            self.has_view_or_change_permission(request) and self.has_export_permission(request)
        ):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(gettext("筛选条件不正确，请回到列表重新筛选。"))
        filters = describe_filters(changelist)
        if request.method != "POST":
            query = request.GET.urlencode()
            context = {
                **self.admin_site.each_context(request),
                "title": _("导出Excel（当前筛选结果）"),
                "opts": self.opts,
                "filters": scrub(filters),  # as the export log will read
                "rows": changelist.queryset.count(),
                "export_url": request.path + (f"?{query}" if query else ""),
                "list_url": reverse("admin:petitions_case_changelist")
                + (f"?{query}" if query else ""),
            }
            return TemplateResponse(request, "admin/petitions/case/export.html", context)
        return exports.export_response(changelist.queryset, user=request.user, filters=filters)
