"""The lifecycle steps offered on a case's page: which, to whom, and which service each calls.

A step is offered when the transition table allows it from the case's status and the user's role
takes that part (网格员 registers and handles, 社区书记/包片领导/党工委书记 accept,
assign and conclude, only approvers extend, leaders supervise). The services check everything
again: this table only decides which buttons to draw and which posts to refuse outright.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from petitions import deadlines, forms, services
from petitions.models import (
    TRANSITIONS,
    Case,
    CasePause,
    CaseStatus,
    Triage,
)
from petitions.services import CaseConflict, conflict_message
from petitions.services.triage import HANDLING
from portal.access import scope_of
from portal.roles import Role

S = CaseStatus


@dataclass(frozen=True)
class Actor:
    """What the step table needs to know about the user, worked out once per page."""

    user: Any
    role: Role | None
    profile_id: int | None
    assigned: bool
    can_transition: bool
    can_approve_extension: bool
    # From the role matrix (portal.roles): who coordinates, supervises and records recusals.
    coordinates: bool
    supervises: bool
    recuses: bool

    @classmethod
    def of(cls, user: Any, case: Case) -> Actor:
        scope = scope_of(user)
        pid = scope.profile_id
        assigned = pid is not None and (
            case.handler_id == pid
            or case.co_handlers.filter(pk=pid).exists()
            or case.mediators.filter(pk=pid).exists()
        )
        return cls(
            user=user,
            role=scope.role,
            profile_id=pid,
            assigned=assigned,
            can_transition=user.has_perm("petitions.transition_case"),
            can_approve_extension=user.has_perm("petitions.approve_extension_case"),
            coordinates=user.has_perm("petitions.assign_case"),
            supervises=user.has_perm("petitions.supervise_case"),
            recuses=user.has_perm("petitions.add_caseexclusion"),
        )

    @property
    def leads(self) -> bool:
        return self.coordinates

    def is_handler(self, case: Case) -> bool:
        return self.profile_id is not None and case.handler_id == self.profile_id


def _open_pause(case: Case) -> bool:
    return CasePause.objects.filter(case=case, ended_on__isnull=True).exists()


@dataclass(frozen=True)
class Step:
    name: str
    label: Any
    form: type[forms.StepForm]
    # Whether the case's state allows the step now (to draw the button).
    offered: Callable[[Case, Actor], bool]
    # Whether the user takes part in this step at all (a post otherwise gets 403).
    who: Callable[[Case, Actor], bool]
    run: Callable[[Case, Actor, dict], Case]
    done: Any
    help: Any = ""
    danger: bool = False

    def make_form(self, *args: Any, **kwargs: Any) -> forms.StepForm:
        # Several step forms share the case page: ids carry the step (id_accept-note), so
        # every label points at its own field.
        return self.form(*args, auto_id=f"id_{self.name}-%s", **kwargs)


def _can_move(case: Case, to: str) -> bool:
    return to in TRANSITIONS[case.status]


def _anyone(case: Case, actor: Actor) -> bool:
    return True


def _leads(case: Case, actor: Actor) -> bool:
    return actor.leads


def _leads_or_assigned(case: Case, actor: Actor) -> bool:
    return actor.leads or actor.assigned


def _handler(case: Case, actor: Actor) -> bool:
    return actor.is_handler(case)


def _v(data: dict) -> int:
    return data["version"]


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "accept",
            _("受理"),
            forms.AcceptForm,
            offered=lambda c, a: c.status == S.REGISTERED,
            who=_leads,
            run=lambda c, a, d: services.accept_case(
                c,
                actor=a.user,
                note=d["note"].strip(),
                triage=d.get("triage") or "",
                followup_interval_days=d.get("followup_interval_days"),
                expected_version=_v(d),
            ),
            done=_("已受理。"),
            help=_("请确认分类办理方式：大多数诉求按一般办理，无需分类。"),
        ),
        Step(
            "reclassify",
            _("调整分类"),
            forms.ReclassifyForm,
            offered=lambda c, a: c.status in HANDLING,
            who=_leads,
            run=lambda c, a, d: services.reclassify_case(
                c,
                actor=a.user,
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
            offered=lambda c, a: c.status == S.REGISTERED,
            who=_leads,
            run=lambda c, a, d: services.reject_case(
                c, actor=a.user, reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已记为不予受理，理由将告知信访人。"),
            help=_("理由将告知信访人。"),
            danger=True,
        ),
        Step(
            "assign",
            _("交办 / 改派"),
            forms.AssignForm,
            offered=lambda c, a: _can_move(c, S.ASSIGNED),
            who=_leads,
            run=lambda c, a, d: services.assign_case(
                c,
                actor=a.user,
                handler=d["handler"],
                co_handlers=d["co_handlers"],
                mediators=d["mediators"],
                note=d["note"].strip(),
                expected_version=_v(d),
            ),
            done=_("已交办，等待承办人签收。"),
        ),
        Step(
            "sign",
            _("签收"),
            forms.StepForm,
            offered=lambda c, a: c.status == S.ASSIGNED and a.is_handler(c),
            who=_handler,
            run=lambda c, a, d: services.sign_case(c, actor=a.user, expected_version=_v(d)),
            done=_("已签收。"),
        ),
        Step(
            "bounce",
            _("退单"),
            forms.ReasonForm,
            offered=lambda c, a: c.status == S.ASSIGNED and a.is_handler(c),
            who=_handler,
            run=lambda c, a, d: services.bounce_case(
                c, actor=a.user, reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已退单，诉求退回交办环节。"),
            danger=True,
        ),
        Step(
            "progress",
            _("办理进展"),
            forms.ProgressForm,
            offered=lambda c, a: c.status == S.IN_PROGRESS,
            who=_anyone,
            run=lambda c, a, d: services.add_progress(
                c,
                actor=a.user,
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
            offered=lambda c, a: c.status in (S.ACCEPTED, S.IN_PROGRESS, S.CONCLUDED),
            who=_anyone,
            run=lambda c, a, d: services.record_conversation(
                c, actor=a.user, note=d["note"], expected_version=_v(d)
            ),
            done=_("已记录谈心谈话。"),
        ),
        Step(
            "refer",
            _("提交议事协商会"),
            forms.ReferForm,
            offered=lambda c, a: c.triage == Triage.LEDGER and c.status in HANDLING,
            who=_leads_or_assigned,
            run=lambda c, a, d: services.refer_to_deliberation(
                c, actor=a.user, deliberation=d["deliberation"], expected_version=_v(d)
            ),
            done=_("已提交议事协商会，会议举行后可关联该会的决定。"),
            help=_("本社区为本诉求召开（或将要召开）的议事协商会。"),
        ),
        Step(
            "decision",
            _("关联会议决定"),
            forms.DecisionForm,
            offered=lambda c, a: c.triage == Triage.LEDGER and c.status in HANDLING,
            who=_leads_or_assigned,
            run=lambda c, a, d: services.link_decision(
                c,
                actor=a.user,
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
            offered=lambda c, a: (
                c.is_open
                and c.conclude_due is not None
                # decided before the deadline it extends (the service says why otherwise)
                and not c.past_conclusion_due()
                and not c.extension_days
                and deadlines.max_extension(c) > 0
            ),
            who=lambda c, a: a.can_approve_extension,
            run=lambda c, a, d: services.extend_deadline(
                c, actor=a.user, days=d["days"], reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已延期，办结期限已顺延。"),
            help=_("只能延期一次；延期理由将告知信访人。"),
        ),
        Step(
            "pause",
            _("中止计时"),
            forms.ReasonForm,
            offered=lambda c, a: (
                c.is_open
                and not _open_pause(c)
                # a pause after the deadline would move it past days already late
                and not c.past_conclusion_due()
            ),
            who=_leads,
            run=lambda c, a, d: services.pause_clock(
                c, actor=a.user, reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已中止计时。"),
            help=_("如听证、鉴定期间，办结期限相应顺延。"),
        ),
        Step(
            "resume",
            _("恢复计时"),
            forms.StepForm,
            offered=lambda c, a: c.is_open and _open_pause(c),
            who=_leads,
            run=lambda c, a, d: services.resume_clock(c, actor=a.user, expected_version=_v(d)),
            done=_("已恢复计时。"),
        ),
        Step(
            "conclude",
            _("办结"),
            forms.ConcludeForm,
            offered=lambda c, a: (
                c.status == S.IN_PROGRESS
                or (c.status == S.ACCEPTED and c.triage == Triage.ON_THE_SPOT)
            ),
            who=lambda c, a: a.leads or a.is_handler(c),
            run=lambda c, a, d: services.conclude_case(
                c,
                actor=a.user,
                result=d["result"],
                reply=d["reply"],
                dual_settlement=d["dual_settlement"],
                is_publishable=d.get("is_publishable", False),
                expected_version=_v(d),
            ),
            done=_("已办结，等待回访。"),
        ),
        Step(
            "followup",
            _("回访"),
            forms.FollowUpForm,
            offered=lambda c, a: c.status == S.CONCLUDED and not services.worked_on(c, a.user),
            who=lambda c, a: not services.worked_on(c, a.user),  # nobody rates their own work
            run=lambda c, a, d: services.record_followup(
                c,
                actor=a.user,
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
            offered=lambda c, a: not c.is_supervised and c.status != S.ARCHIVED,
            who=lambda c, a: a.supervises,
            run=lambda c, a, d: services.supervise_case(
                c, actor=a.user, note=d["note"].strip(), expected_version=_v(d)
            ),
            done=_("已列入督办。"),
        ),
        Step(
            "archive",
            _("归档"),
            forms.StepForm,
            offered=lambda c, a: _can_move(c, S.ARCHIVED),
            who=_leads,
            run=lambda c, a, d: services.archive_case(c, actor=a.user, expected_version=_v(d)),
            done=_("已归档。"),
        ),
        Step(
            "recuse",
            _("设置回避"),
            forms.ExcludeForm,
            offered=lambda c, a: c.status != S.ARCHIVED,
            who=lambda c, a: a.recuses,
            run=lambda c, a, d: services.recuse_staff(
                c, actor=a.user, user=d["user"], reason=d["reason"], expected_version=_v(d)
            ),
            done=_("已设置回避：该人员将看不到这件诉求。"),
            help=_("被反映人或有利害关系的工作人员。"),
            danger=True,
        ),
    )
}


def offered_steps(case: Case, actor: Actor) -> list[Step]:
    if not actor.can_transition:
        return []
    return [s for s in STEPS.values() if s.who(case, actor) and s.offered(case, actor)]


def run_step(step: Step, case: Case, actor: Actor, data: dict) -> Case:
    """Runs the service; a stale page is refused before anything is written."""
    if data["version"] != case.version:
        raise CaseConflict(conflict_message(case))
    return step.run(case, actor, data)
