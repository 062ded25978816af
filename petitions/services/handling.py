"""Handling: 办理进展, 谈心谈话, 延期, 中止计时 (调解: petitions.services.mediation)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from petitions import deadlines
from petitions.models import (
    Case,
    CasePause,
    EventKind,
)
from petitions.services.base import (
    CaseError,
    for_residents,
    lock_for_step,
    record_event,
    save_case,
    schedule_followup,
    typed_text,
)
from petitions.services.trust import atomic_step
from portal import clock
from portal.actors import Actor


@atomic_step
def add_progress(
    case: Case,
    *,
    actor: Actor,
    note: str,
    progress: int | None = None,
    public: bool = False,
    expected_version: int | None = None,
) -> Case:
    """办理进展: a note on the timeline; for 长期跟踪 the progress and the next follow-up date."""
    note = typed_text(note)
    if not note:
        raise CaseError(_("请填写办理进展。"))
    if public:
        for_residents(note, field="note", label=_("办理进展"))
    case = lock_for_step("progress", case, actor, expected_version)[0]
    fields: list[str] = []
    changes = {}
    if progress is not None:
        if not 0 <= progress <= 100:
            raise CaseError(_("进度应在 0 到 100 之间。"))
        changes["progress"] = [case.progress, progress]
        case.progress = progress
        fields.append("progress")
    fields += schedule_followup(case)
    save_case(case, fields)
    record_event(
        case, actor=actor, kind=EventKind.PROGRESS, note=note, public=public, changes=changes
    )
    return case


@atomic_step
def record_conversation(
    case: Case, *, actor: Actor, note: str, expected_version: int | None = None
) -> Case:
    """谈心谈话: the conversation that settles feelings, needed for 事心双解."""
    note = typed_text(note)
    if not note:
        raise CaseError(_("请填写谈话情况。"))
    case = lock_for_step("conversation", case, actor, expected_version)[0]
    save_case(case, [])
    record_event(case, actor=actor, kind=EventKind.CONVERSATION, note=note)
    return case


@atomic_step
def extend_deadline(
    case: Case, *, actor: Actor, days: int, reason: str, expected_version: int | None = None
) -> Case:
    """延期: once, within the rule's limit, approved by a named person; the resident sees why."""
    reason = typed_text(reason)
    if not reason:
        raise CaseError(_("请填写延期理由（将告知信访人）。"))
    for_residents(reason, field="reason", label=_("延期理由"))
    case = lock_for_step("extend", case, actor, expected_version)[0]
    limit = deadlines.max_extension(case)
    if not 1 <= days <= limit:
        raise CaseError(
            ngettext("延期不能超过 %(n)d 日。", "延期不能超过 %(n)d 日。", limit) % {"n": limit}
        )
    old_due = case.conclude_due
    case.extension_days = days
    case.extension_reason = reason[:200]
    case.extension_approved_by = actor
    save_case(
        case,
        ["extension_days", "extension_reason", "extension_approved_by", *deadlines.refresh(case)],
    )
    record_event(
        case,
        actor=actor,
        kind=EventKind.EXTENDED,
        note=f"延期 {days} 日：{reason}",
        public=True,
        changes={"conclude_due": [str(old_due), str(case.conclude_due)]},
    )
    return case


@atomic_step
def pause_clock(
    case: Case, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Case:
    """中止计时 (e.g. a hearing): the deadline moves by the days paused."""
    reason = typed_text(reason)
    if not reason:
        raise CaseError(_("请填写中止计时的事由。"))
    for_residents(reason, field="reason", label=_("中止计时的事由"))
    case = lock_for_step("pause", case, actor, expected_version)[0]
    CasePause.objects.create(case=case, started_on=clock.today(), reason=reason[:200])
    deadlines.pause_recorded(case)
    save_case(case, [])
    record_event(case, actor=actor, kind=EventKind.PAUSED, note=reason, public=True)
    return case


@atomic_step
def resume_clock(case: Case, *, actor: Actor, expected_version: int | None = None) -> Case:
    """恢复计时: the clock runs again; the deadline moves by the days it stood still."""
    case = lock_for_step("resume", case, actor, expected_version)[0]
    end_open_pause(case, actor=actor, note="恢复计时，办结期限顺延至 {due}")
    return case


def end_open_pause(case: Case, *, actor: Actor, note: str) -> bool:
    """Ends the case's open pause today, moves its deadlines by the days it stood still and
    puts that on the timeline (`note` with {due}, the new conclusion date). False: none open."""
    pause = CasePause.objects.filter(case=case, ended_on__isnull=True).first()
    if pause is None:
        return False
    pause.ended_on = clock.today()
    pause.save(update_fields=["ended_on"])
    old_due = case.conclude_due
    save_case(case, deadlines.refresh(case))
    record_event(
        case,
        actor=actor,
        kind=EventKind.RESUMED,
        note=note.format(due=case.conclude_due),
        public=True,
        changes={"conclude_due": [str(old_due), str(case.conclude_due)]},
    )
    return True
