"""The steps on an activity's page and its record (活动记录), for every practice.

Which buttons the page shows is decided by the rule book (outreach.rules): one guard per step.
Each button is a form of its own that posts to ``<id>/step/<name>/``; that endpoint asks the
guard again before anything else and the service asks it once more inside the row lock. This
module keeps only presentation: each step's label, form and message, and the record as it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.forms.models import modelform_factory
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from outreach import rules, services
from outreach.forms import mark_results_required
from outreach.models import Activity, ActivityEvent, ActivityRevision
from outreach.record import SYSTEM_UNIT
from portal.actors import Actor
from portal.forms import PortalForm, PortalModelForm
from portal.people import display_name
from portal.roles import Role
from portal.templatetags.portal_tags import cn_datetime

# What the editor is told when a change waits for review (the admin's message and the panel).
SUBMITTED = _("已提交，待有发布权限的人员审核后公开。审核前，居民看到的仍是原来的内容。")


class StepForm(PortalForm):
    """Every step's form carries the state its page showed: a step someone else has taken
    first is refused with a clear message instead of being applied to what nobody saw."""

    state = forms.CharField(widget=forms.HiddenInput, max_length=40)


class CancelForm(StepForm):
    reason = forms.CharField(
        label=_("取消原因"),
        max_length=200,
        help_text=_("居民在活动页面上会看到取消原因。"),
        error_messages={"required": _("请填写取消原因。")},
    )


class HeldForm(PortalModelForm):
    """记为已举办 with the results (audience, residents met, households, minutes): the
    practice's own result fields, checked by the model as the change form checks them."""

    state = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mark_results_required(self, now=True)


@dataclass(frozen=True)
class Step:
    """How one step looks on the page; whether it is offered is rules.RULES[name]'s answer."""

    name: str
    label: Any
    done: Any
    help: Any = ""
    danger: bool = False


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "held",
            _("记为已举办"),
            _("已记为已举办。"),
            _("活动举办后，填写举办情况，再点击“记为已举办”。"),
        ),
        Step(
            "cancel",
            _("取消活动"),
            _("活动已取消，已从近期安排和日历订阅中撤下。"),
            _("取消后，该活动从近期安排和日历订阅中撤下，不计入统计。"),
            danger=True,
        ),
        Step("restore", _("恢复为计划中"), _("活动已恢复为计划中。")),
        Step(
            "publish",
            _("公开"),
            _("已公开，居民可以在网站上看到这项活动。"),
            _("公开后，居民可以在网站上看到这项活动，统计也计入它。"),
        ),
        Step(
            "unpublish",
            _("撤回公开"),
            _("已撤回，居民不再看到这项活动。"),
            _("撤回后，居民不再看到这项活动。"),
            danger=True,
        ),
    )
}
if set(STEPS) != set(rules.RULES):
    raise ImproperlyConfigured("every step of outreach.rules needs its presentation here")


# --- the record as it reads ------------------------------------------------------------------


def unit_label(unit: str) -> str:
    """A recorded unit in the reader's language: the portal and role names translated, a unit's
    own name as it was written."""
    if unit == SYSTEM_UNIT:
        return gettext("系统")
    with override(settings.LANGUAGE_CODE):
        recorded_roles = {str(label): label for label in Role.labels}
    return str(recorded_roles.get(unit, unit))


def _figure_label(model: type[Activity], name: str) -> str:
    try:
        return model.figure_label(name)
    except FieldDoesNotExist:  # a figure the practice no longer counts
        return name


def _edited_label(model: type[Activity], name: str) -> str:
    """How an edited field, list or set of rows is named on the record (标题, 照片)."""
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field the practice no longer has
        return name
    if found.is_relation and found.one_to_many:  # rows: photos, decisions
        return str(found.related_model._meta.verbose_name_plural)
    return str(found.verbose_name)


def _figure_changes(changes: dict) -> list[tuple[str, list]]:
    """The figures' [old, new] of an entry (an edit of the content names fields instead)."""
    return [(name, pair) for name, pair in changes.items() if name != "edited"]


def _shown(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def activity_history(activity: Activity) -> list[dict[str, Any]]:
    """The activity's record as the page shows it, newest first: when, who (with their unit),
    what, from → to, the figures old → new (or which fields an edit changed), and the note."""
    model = type(activity)
    entries = []
    for event in ActivityEvent.objects.of(activity).for_history():
        move = ""
        if event.from_status and event.to_status:
            move = f"{event.get_from_status_display()} → {event.get_to_status_display()}"
        elif event.to_status:
            move = event.get_to_status_display()
        entries.append(
            {
                "at": cn_datetime(event.at),
                "at_iso": timezone.localtime(event.at).isoformat(),
                "actor": display_name(event.actor) or unit_label(SYSTEM_UNIT),
                "unit": unit_label(event.actor_unit) if event.actor is not None else "",
                "kind": event.get_kind_display(),
                "move": move,
                "figures": [
                    {
                        "label": _figure_label(model, name),
                        "old": _shown(old),
                        "new": _shown(new),
                        "changed": old != new,
                    }
                    for name, (old, new) in _figure_changes(event.changes)
                ],
                "edited": [_edited_label(model, name) for name in event.changes.get("edited", [])],
                "note": event.note,
            }
        )
    return entries


# --- the admin's part: buttons on the change page, their endpoints, the 历史 page ----------


class ActivityStepsMixin:
    """For ActivityAdmin: the step buttons and their endpoints, the record on the change page
    and behind the 历史 link, and the record of figure edits made through the change form."""

    object_history_template = "admin/outreach/object_history.html"
    result_fields: list[str] = []

    def _change_url(self, activity: Activity) -> str:
        opts = self.opts
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[activity.pk])

    def step_urls(self) -> list:
        return [
            path(
                "<path:object_id>/step/<slug:step>/",
                self.admin_site.admin_view(self.step_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_step",
            )
        ]

    def step_form(self, name: str, activity: Activity, data: Any = None) -> forms.Form:
        """The form of step ``name`` for the activity as stored (``data``: as posted)."""
        initial = {"state": rules.state_of(activity)}
        if name == "held":
            form_class = modelform_factory(type(activity), form=HeldForm, fields=self.result_fields)
            # A copy: the form's checks set the typed results on it, never on the page's object.
            instance = type(activity)._default_manager.get(pk=activity.pk)
            return form_class(data, instance=instance, initial=initial, prefix=name)
        form_class = CancelForm if name == "cancel" else StepForm
        return form_class(data, initial=initial, prefix=name)

    def activity_panel(self, request: HttpRequest, obj: Activity, bound: Any = None) -> dict:
        """The change page's status, the steps this person may take now (with the form as
        typed after an error) and the activity's record."""
        live = self.model._default_manager.get(pk=obj.pk)
        who = rules.Who.of(request.user, live)
        steps = []
        for name in rules.offered(live, who):
            form = bound[1] if bound and bound[0] == name else self.step_form(name, live)
            steps.append(
                {
                    "step": STEPS[name],
                    "form": form,
                    "url": reverse(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_step",
                        args=[live.pk, name],
                    ),
                }
            )
        return {
            "activity_live": live,
            "activity_steps": steps,
            "activity_steps_reviewed": live.is_published and not who.may_publish,
            "activity_history": activity_history(live),
        }

    def step_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        """One step, posted from its button: refused (nothing written) unless its guard allows
        it, and refused with a clear message when someone else acted first."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("没有这项活动，或您无权查看。"))
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(obj))
        spec = STEPS.get(step)
        if spec is None:
            raise Http404
        live = self.model._default_manager.get(pk=obj.pk)
        seen = request.POST.get(f"{step}-state", "")
        if problem := rules.refusal(step, live, request.user):
            if seen and seen != rules.state_of(live):
                problem = rules.conflict_message(live, seen)
            self.message_user(request, problem, messages.ERROR)
            return HttpResponseRedirect(self._change_url(live))
        form = self.step_form(step, live, request.POST)
        if not form.is_valid():
            self.message_user(
                request, gettext("请更正下面“%(s)s”中的错误。") % {"s": spec.label}, messages.ERROR
            )
            return self._redisplay(request, object_id, step, form)
        try:
            result = self._run(step, live, request.user, form.cleaned_data)
        except services.ActivityConflict as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(self._change_url(live))
        except services.ActivityError as exc:
            form.add_error(None, str(exc))
            self.message_user(request, str(exc), messages.ERROR)
            return self._redisplay(request, object_id, step, form)
        if isinstance(result, ActivityRevision):  # on the record once approved
            self.log_change(request, live, gettext("提交修改，待审核后公开。"))
            self.message_user(request, SUBMITTED, messages.WARNING)
        else:  # on the record (services): not in Django's log of form saves as well
            self.message_user(request, spec.done, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(live))

    def _run(self, step: str, activity: Activity, actor: Actor, data: dict) -> Any:
        seen = data["state"]
        if step == "held":
            results = {name: data[name] for name in self.result_fields if name in data}
            return services.mark_held(activity, actor=actor, seen=seen, **results)
        if step == "cancel":
            return services.cancel_activity(activity, actor=actor, reason=data["reason"], seen=seen)
        service = {
            "restore": services.restore_activity,
            "publish": services.publish_activity,
            "unpublish": services.unpublish_activity,
        }[step]
        return service(activity, actor=actor, seen=seen)

    def _redisplay(self, request: HttpRequest, object_id: str, step: str, form: Any) -> Any:
        """The change page again, with the step's form as typed (GET: nothing else is saved)."""
        request.method = "GET"
        return self.change_view(request, object_id, extra_context={"bound_step": (step, form)})

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """The 历史 link shows the activity's record (who changed its status, publication or
        figures, when, from → to), which the services write; Django's log of form saves
        follows when there is any."""
        response = super().history_view(request, object_id, extra_context)
        if isinstance(response, TemplateResponse) and response.context_data.get("object"):
            activity = response.context_data["object"]
            response.context_data["title"] = gettext("活动记录：%(title)s") % {
                "title": activity.title
            }
            response.context_data["activity_history"] = activity_history(activity)
        return response

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """An edit of a held activity's counted figures (its rows too: a meeting's attendance)
        goes on its record once everything is saved (services.begin_edit in save_model)."""
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_activity_before", None)
        if before is not None:
            services.record_edit(form.instance, actor=request.user, before=before)
