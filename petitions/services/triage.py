"""Triage and the ledger: 调整分类, 提交议事协商会, 关联会议决定.

An ordinary request has no class. 当场解决 is chosen at registration only, with its result (the
case is concluded there and then); 台账 and 长期跟踪 are chosen on acceptance or later, and every
later change is its own recorded step. A 台账 case is settled only by a decision about it: one
of a deliberation meeting it was put to, once the meeting was held, or a leadership decision that
names it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from outreach.models import ActivityStatus, Deliberation
from petitions import deadlines
from petitions.models import Case, EventKind, Triage
from petitions.services.base import (
    CaseError,
    lock_for_step,
    record_event,
    records_language,
    save_case,
    schedule_followup,
)
from petitions.services.rules import decision_problem
from petitions.services.trust import atomic_step
from portal import clock
from portal.actors import Actor


def triage_label(triage: str) -> str:
    """The class as the timeline records it (一般办理 for none)."""
    with records_language():
        return str(Triage(triage).label) if triage else "一般办理"


def triage_problem(case: Case, triage: str, interval: int | None) -> str | None:
    """Why ``triage`` cannot be the class of this accepted case now (None: it can)."""
    if triage and triage not in Triage.values:
        return _("分类办理方式不正确。")
    if triage == Triage.ON_THE_SPOT:
        return _("“当场解决”只能在登记时选择并填写解决结果；未当场解决的诉求请按一般办理。")
    if triage == Triage.LONG_TERM and not (interval or case.followup_interval_days):
        return _("长期跟踪类诉求请填写跟踪间隔天数。")
    return None


def apply_triage(case: Case, triage: str, interval: int | None) -> list[str]:
    """Sets the class (checked by ``triage_problem``); returns the fields written."""
    case.triage = triage
    if interval:
        case.followup_interval_days = interval
    fields = ["triage", "followup_interval_days"]
    if triage == Triage.LONG_TERM:
        fields += schedule_followup(case)
    elif case.next_followup_due is not None:
        case.next_followup_due = None
        fields.append("next_followup_due")
    return fields


@atomic_step
def reclassify_case(
    case: Case,
    *,
    actor: Actor,
    triage: str,
    reason: str,
    followup_interval_days: int | None = None,
    expected_version: int | None = None,
) -> Case:
    """调整分类: an accepted case changes class, with the reason, on the timeline."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("请填写调整分类的理由。"))
    case = lock_for_step("reclassify", case, actor, expected_version)[0]
    if triage == case.triage:
        raise CaseError(_("分类没有变化。"))
    if problem := triage_problem(case, triage, followup_interval_days):
        raise CaseError(problem)
    today = clock.today()
    if triage == Triage.LONG_TERM and case.conclude_due and case.conclude_due < today:
        # An ordinary request followed for the long term has no conclusion limit: the change
        # would erase a lateness that has already happened.
        raise CaseError(_("已超过办结期限的诉求不能改为长期跟踪：超期不因调整分类而消除。"))
    old = case.triage
    old_due = case.conclude_due
    fields = apply_triage(case, triage, followup_interval_days)
    save_case(case, [*fields, *deadlines.refresh(case)])
    record_event(
        case,
        actor=actor,
        kind=EventKind.RECLASSIFIED,
        note=f"分类由“{triage_label(old)}”调整为“{triage_label(triage)}”：{reason}",
        changes={
            "triage": [old, triage],
            "conclude_due": [str(old_due or ""), str(case.conclude_due or "")],
        },
    )
    return case


@atomic_step
def refer_to_deliberation(
    case: Case, *, actor: Actor, deliberation: Any, expected_version: int | None = None
) -> Case:
    """提交议事协商会: a ledger case is put to a deliberation meeting of its community."""
    case = lock_for_step("refer", case, actor, expected_version)[0]
    if not Deliberation.objects.visible_to(actor).filter(pk=deliberation.pk).exists():
        raise CaseError(_("没有找到这次议事协商会，或您无权查看。"))
    if deliberation.community_id != case.community_id:
        raise CaseError(_("只能提交本诉求所在社区的议事协商会。"))
    if deliberation.status == ActivityStatus.CANCELLED:
        raise CaseError(_("这次议事协商会已取消，请选择另一次会议。"))
    if deliberation.starts_at < case.received_at:
        raise CaseError(_("这次议事协商会在本诉求收到之前召开，不是为本诉求召开的。"))
    if case.deliberations.filter(pk=deliberation.pk).exists():
        raise CaseError(_("本诉求已提交这次议事协商会。"))
    case.deliberations.add(deliberation)
    save_case(case, [])
    record_event(
        case, actor=actor, kind=EventKind.REFERRED, note=f"提交议事协商会研究：{deliberation}"
    )
    return case


@atomic_step
def link_decision(
    case: Case,
    *,
    actor: Actor,
    deliberation_decision: Any = None,
    leadership_decision: Any = None,
    expected_version: int | None = None,
) -> Case:
    """台账: the meeting decision about this case that settles it."""
    if (deliberation_decision is None) == (leadership_decision is None):
        raise CaseError(_("请选择一项议事协商决定或领导会议决定。"))
    case = lock_for_step("decision", case, actor, expected_version)[0]
    if problem := decision_problem(
        case, deliberation_decision=deliberation_decision, leadership_decision=leadership_decision
    ):
        raise CaseError(problem)
    case.deliberation_decision = deliberation_decision
    case.leadership_decision = leadership_decision
    save_case(case, ["deliberation_decision", "leadership_decision"])
    decision = deliberation_decision or leadership_decision
    record_event(case, actor=actor, kind=EventKind.DECISION, note=str(decision), public=True)
    return case
