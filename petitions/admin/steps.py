"""The lifecycle steps on a case's page, as the page presents them: label, form, the message
when done, help, and which service each calls.

Whether a step is offered, and whether a post of it is carried out, is the rule book's answer
(petitions.services.rules): the page draws the steps ``rules.offered`` names, the step endpoint
refuses a post its guard objects to, and the service asks the same guard again inside the row
lock. Nothing here decides who may do what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from petitions import forms, services
from petitions.models import Case, EventKind
from petitions.services import CaseConflict, conflict_message, rules
from petitions.services.rules import Who
from petitions.wording import resident_wording


@dataclass(frozen=True)
class Step:
    name: str
    label: Any
    form: type[forms.StepForm]
    # Calls the step's service: (case, user, cleaned data) → the case after it.
    run: Callable[[Case, Any, dict], Case]
    done: Any
    help: Any = ""
    danger: bool = False
    # The inputs residents read word for word on the tracking page (the service writes them
    # into a public entry or a field the page shows); each says so under its label.
    resident_fields: tuple[str, ...] = ()
    # The entry's kind where residents read a fixed sentence instead of the note
    # (petitions.wording): its note input says what they read.
    fixed_kind: str = ""

    def make_form(self, *args: Any, **kwargs: Any) -> forms.StepForm:
        # Several step forms share the case page: ids carry the step (id_accept-note), so
        # every label points at its own field.
        form = self.form(*args, auto_id=f"id_{self.name}-%s", **kwargs)
        for name in self.resident_fields:
            if name in form.fields:
                field = form.fields[name]
                field.help_text = _join(RESIDENT_HELP, field.help_text)
        if self.fixed_kind and "note" in form.fields:
            form.fields["note"].help_text = _("仅内部：居民看到的是“%(text)s”。") % {
                "text": resident_wording(self.fixed_kind)
            }
        return form


RESIDENT_HELP = _("居民可见：居民在进度查询页看到这段文字（姓名、电话会被隐去）。")


def _join(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p)


def _v(data: dict) -> int:
    return data["version"]


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "accept",
            _("受理"),
            forms.AcceptForm,
            run=lambda c, u, d: services.accept_case(
                c,
                actor=u,
                note=d["note"].strip(),
                triage=d.get("triage") or "",
                followup_interval_days=d.get("followup_interval_days"),
                expected_version=_v(d),
            ),
            done=_("已受理。"),
            help=_("请确认分类办理方式：大多数诉求按一般办理，无需分类。"),
            resident_fields=("note",),
        ),
        Step(
            "reclassify",
            _("调整分类"),
            forms.ReclassifyForm,
            run=lambda c, u, d: services.reclassify_case(
                c,
                actor=u,
                triage=d.get("triage") or "",
                reason=d["reason"],
                followup_interval_days=d.get("followup_interval_days"),
                expected_version=_v(d),
            ),
            done=_("已调整分类，已写入办理记录。"),
            help=_("调整分类和理由写入办理记录。"),
        ),
        Step(
            "reject",
            _("不予受理"),
            forms.LongReasonForm,
            run=lambda c, u, d: services.reject_case(
                c, actor=u, reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已记为不予受理，理由将告知信访人。"),
            help=_("理由将告知信访人。"),
            danger=True,
            resident_fields=("reason",),
        ),
        Step(
            "assign",
            _("交办 / 改派"),
            forms.AssignForm,
            run=lambda c, u, d: services.assign_case(
                c,
                actor=u,
                handler=d["handler"],
                co_handlers=d["co_handlers"],
                mediators=d["mediators"],
                note=d["note"].strip(),
                expected_version=_v(d),
            ),
            done=_("已交办，等待承办人签收。"),
            fixed_kind=EventKind.ASSIGNED,
        ),
        Step(
            "sign",
            _("签收"),
            forms.StepForm,
            run=lambda c, u, d: services.sign_case(c, actor=u, expected_version=_v(d)),
            done=_("已签收。"),
        ),
        Step(
            "bounce",
            _("退单"),
            forms.ReasonForm,
            run=lambda c, u, d: services.bounce_case(
                c, actor=u, reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已退单，诉求退回交办环节。"),
            danger=True,
        ),
        Step(
            "progress",
            _("办理进展"),
            forms.ProgressForm,
            run=lambda c, u, d: services.add_progress(
                c,
                actor=u,
                note=d["note"],
                progress=d["progress"],
                public=d["public"],
                expected_version=_v(d),
            ),
            done=_("已记录办理进展。"),
        ),
        Step(
            "conversation",
            _("谈心谈话"),
            forms.RequiredNoteForm,
            run=lambda c, u, d: services.record_conversation(
                c, actor=u, note=d["note"], expected_version=_v(d)
            ),
            done=_("已记录谈心谈话。"),
        ),
        Step(
            "refer",
            _("提交议事协商会"),
            forms.ReferForm,
            run=lambda c, u, d: services.refer_to_deliberation(
                c, actor=u, deliberation=d["deliberation"], expected_version=_v(d)
            ),
            done=_("已提交议事协商会，会议举行后可关联该会的决定。"),
            help=_("本社区为本诉求召开（或将要召开）的议事协商会。"),
        ),
        Step(
            "decision",
            _("关联会议决定"),
            forms.DecisionForm,
            run=lambda c, u, d: services.link_decision(
                c,
                actor=u,
                deliberation_decision=d.get("deliberation_decision"),
                leadership_decision=d.get("leadership_decision"),
                expected_version=_v(d),
            ),
            done=_("已关联会议决定。"),
            help=_(
                "只能关联已举行、且本诉求已提交的议事协商会的决定，或列明本诉求的领导会议决定。"
            ),
        ),
        Step(
            "extend",
            _("延期"),
            forms.ExtendForm,
            run=lambda c, u, d: services.extend_deadline(
                c, actor=u, days=d["days"], reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已延期，办结期限已顺延。"),
            help=_("只能延期一次；延期理由将告知信访人。"),
            resident_fields=("reason",),
        ),
        Step(
            "pause",
            _("中止计时"),
            forms.ReasonForm,
            run=lambda c, u, d: services.pause_clock(
                c, actor=u, reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已中止计时。"),
            help=_("如听证、鉴定期间，办结期限相应顺延。"),
            resident_fields=("reason",),
        ),
        Step(
            "resume",
            _("恢复计时"),
            forms.StepForm,
            run=lambda c, u, d: services.resume_clock(c, actor=u, expected_version=_v(d)),
            done=_("已恢复计时。"),
        ),
        Step(
            "conclude",
            _("办结"),
            forms.ConcludeForm,
            run=lambda c, u, d: services.conclude_case(
                c,
                actor=u,
                result=d["result"],
                reply=d["reply"],
                dual_settlement=d["dual_settlement"],
                is_publishable=d.get("is_publishable", False),
                expected_version=_v(d),
            ),
            done=_("已办结，等待回访。"),
            resident_fields=("result", "reply"),
        ),
        Step(
            "followup",
            _("回访"),
            forms.FollowUpForm,
            run=lambda c, u, d: services.record_followup(
                c,
                actor=u,
                satisfaction=d["satisfaction"],
                method=d["method"],
                comment=d["comment"],
                expected_version=_v(d),
            ),
            done=_("已记录回访评价。"),
            help=_("“不满意”将转入重办。"),
        ),
        Step(
            "supervise",
            _("督办"),
            forms.NoteForm,
            run=lambda c, u, d: services.supervise_case(
                c, actor=u, note=d["note"].strip(), expected_version=_v(d)
            ),
            done=_("已列入督办。"),
        ),
        Step(
            "archive",
            _("归档"),
            forms.StepForm,
            run=lambda c, u, d: services.archive_case(c, actor=u, expected_version=_v(d)),
            done=_("已归档。"),
        ),
        Step(
            "recuse",
            _("设置回避"),
            forms.ExcludeForm,
            run=lambda c, u, d: services.recuse_staff(
                c, actor=u, user=d["user"], reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已设置回避：该人员将看不到这件诉求。"),
            help=_("被反映人或有利害关系的工作人员。"),
            danger=True,
        ),
    )
}


def refusal(name: str, case: Case, who: Who) -> str | None:
    """Why ``who`` may not take the page's step ``name`` now (None: they may)."""
    return rules.refusal(name, case, who)


def offered_steps(case: Case, who: Who) -> list[Step]:
    """The page's steps the rule book offers ``who`` now, in the page's order."""
    return [step for name, step in STEPS.items() if refusal(name, case, who) is None]


def error_field(exc: Exception, form: Any) -> str | None:
    """The form's input a service's refusal is about (a template blank left in a reply), or
    None: a refusal of the whole step."""
    field = getattr(exc, "field", None)
    return field if field in form.fields else None


def run_step(step: Step, case: Case, who: Who, data: dict) -> Case:
    """Runs the service; a stale page is refused before anything is written."""
    if data["version"] != case.version:
        raise CaseConflict(conflict_message(case))
    return step.run(case, who.user, data)
