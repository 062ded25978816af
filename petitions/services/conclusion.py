"""Conclusion and after: 办结, 回访, 重办, 督办, 归档."""

from __future__ import annotations

from django.utils.translation import gettext as _

from petitions.models import (
    Case,
    CaseStatus,
    EventKind,
    FollowUp,
    Satisfaction,
    Triage,
)
from petitions.models.case import SUPERVISE_AFTER_REDOS
from petitions.services.base import (
    CaseConflict,
    CaseError,
    check_step,
    for_residents,
    lock_case,
    lock_for_step,
    move_case,
    record_event,
    records_language,
    save_case,
    typed_text,
)
from petitions.services.handling import end_open_pause
from petitions.services.trust import atomic_step
from portal import clock
from portal.actors import Actor


@atomic_step
def conclude_case(
    case: Case,
    *,
    actor: Actor,
    result: str,
    reply: str,
    dual_settlement: bool = False,
    is_publishable: bool = False,
    expected_version: int | None = None,
) -> Case:
    """办结: the result and the reply to the resident; the follow-up visit comes next."""
    result, reply = typed_text(result), typed_text(reply)
    if not result or not reply:
        raise CaseError(_("请填写办理结果和给居民的答复意见。"))
    # Both are on the resident's tracking page once concluded.
    for_residents(result, field="result", label=_("办理结果"))
    for_residents(reply, field="reply", label=_("答复意见"))
    case, who = lock_for_step("conclude", case, actor, expected_version)
    if dual_settlement and not case.events.filter(kind=EventKind.CONVERSATION).exists():
        raise CaseError(_("“事心双解”须先记录与当事人的谈心谈话。"))
    # A clock still paused stops today: it never runs on behind a concluded case, and the
    # conclusion is measured against a deadline that counts the days it stood still.
    if who.open_pause:
        end_open_pause(case, actor=actor, note="办结时结束中止计时，办结期限为 {due}")
    case.result, case.reply = result, reply
    case.dual_settlement = dual_settlement
    case.is_publishable = is_publishable and not case.is_accusation
    case.concluded_at = clock.now()
    # No pause is open any more: on time is on or before the (moved) conclusion date.
    case.concluded_on_time = case.conclude_due is None or clock.today() <= case.conclude_due
    case.conclusion_count += 1
    if case.triage == Triage.LONG_TERM:
        case.progress = 100
    old = move_case(
        case,
        CaseStatus.CONCLUDED,
        [
            "result",
            "reply",
            "dual_settlement",
            "is_publishable",
            "concluded_at",
            "concluded_on_time",
            "conclusion_count",
            "progress",
        ],
    )
    record_event(
        case,
        actor=actor,
        kind=EventKind.CONCLUDED,
        from_status=old,
        to_status=case.status,
        note=reply,
        public=True,
    )
    return case


@atomic_step
def record_followup(
    case: Case,
    *,
    actor: Actor | None,
    satisfaction: str,
    method: str,
    comment: str = "",
    expected_version: int | None = None,
    conclusion_number: int | None = None,
) -> Case:
    """回访: rates the latest conclusion, once. 不满意 reopens the case for redoing (重办).

    ``conclusion_number``: the conclusion the rater read (the resident's tracking page); a case
    concluded again since is refused with ``CaseConflict`` inside the lock."""
    if satisfaction not in Satisfaction.values:
        raise CaseError(_("请选择满意、基本满意或不满意。"))
    if actor is not None and method == FollowUp.Method.ONLINE:
        # Staff record what the resident said; the resident's own rating is online only.
        raise CaseError(_("“居民网上评价”只能由居民在进度查询页自己提交。"))
    comment = typed_text(comment)
    if actor is not None and satisfaction == Satisfaction.DISSATISFIED:
        # Staff's record of the resident's comment goes on the public 重办 entry.
        for_residents(comment, field="comment", label=_("意见"))
    case = lock_case(case, expected_version)
    if conclusion_number is not None and case.conclusion_count != conclusion_number:
        raise CaseConflict(_("办理情况已有更新，请查看最新进展。"))
    check_step("followup", case, actor)
    FollowUp.objects.create(
        case=case,
        conclusion_number=case.conclusion_count,
        method=method,
        satisfaction=satisfaction,
        comment=comment,
        recorded_by=actor,
    )
    case.satisfaction = satisfaction
    with records_language():
        label = str(Satisfaction(satisfaction).label)
    if satisfaction != Satisfaction.DISSATISFIED:
        case.visited_at = clock.now()
        old = move_case(case, CaseStatus.VISITED, ["satisfaction", "visited_at"])
        record_event(
            case,
            actor=actor,
            kind=EventKind.FOLLOWED_UP,
            from_status=old,
            to_status=case.status,
            note=f"回访评价：{label}",
            public=True,
            # What the resident said, for staff (the public note stays the rating alone).
            changes={"comment": comment} if comment else None,
        )
        return case
    case.redo_count += 1
    case.reopened_at = clock.now()
    # No longer concluded: the earlier conclusion stays on the timeline, and the next one
    # sets its own time and whether it was on time.
    # Whether it was signed for on time stays: the handler keeps the case, nothing is signed again.
    case.concluded_at = case.concluded_on_time = None
    fields = [
        "satisfaction",
        "redo_count",
        "reopened_at",
        "concluded_at",
        "concluded_on_time",
    ]
    if case.redo_count >= SUPERVISE_AFTER_REDOS and not case.is_supervised:
        case.is_supervised = True
        fields.append("is_supervised")
    # Back to the handler; a case solved on the spot has none, so it waits to be assigned: not
    # solved on the spot after all, it is handled as an ordinary request from now on.
    if case.triage == Triage.ON_THE_SPOT:
        case.triage = ""
        fields.append("triage")
    old = move_case(
        case, CaseStatus.IN_PROGRESS if case.handler_id else CaseStatus.ACCEPTED, fields
    )
    record_event(
        case,
        actor=actor,
        kind=EventKind.REOPENED,
        from_status=old,
        to_status=case.status,
        note=f"回访评价：{label}，转入重办（第 {case.redo_count} 次）"
        + (f"。意见：{comment}" if comment and actor is not None else ""),
        public=True,
        # What is still wrong, in the resident's words, for whoever redoes it; a resident's
        # own words online stay off the public note (staff's record of them is on it).
        changes={"comment": comment} if comment else None,
    )
    if "is_supervised" in fields:
        # Automatic: under whoever recorded the follow-up, or the system after a resident's rating.
        record_event(
            case,
            actor=actor,
            automatic=True,
            kind=EventKind.SUPERVISED,
            note=f"重办 {case.redo_count} 次，列入督办",
        )
    return case


@atomic_step
def supervise_case(
    case: Case, *, actor: Actor, note: str, expected_version: int | None = None
) -> Case:
    """督办: a leader puts the case under supervision."""
    case = lock_for_step("supervise", case, actor, expected_version)[0]
    case.is_supervised = True
    save_case(case, ["is_supervised"])
    record_event(case, actor=actor, kind=EventKind.SUPERVISED, note=typed_text(note) or "列入督办")
    return case


@atomic_step
def archive_case(case: Case, *, actor: Actor, expected_version: int | None = None) -> Case:
    """归档: a visited (or not accepted) case is filed."""
    case = lock_for_step("archive", case, actor, expected_version)[0]
    case.archived_at = clock.now()
    old = move_case(case, CaseStatus.ARCHIVED, ["archived_at"])
    record_event(case, actor=actor, kind=EventKind.ARCHIVED, from_status=old, to_status=case.status)
    return case
