"""Personal data and exports: every reveal and export leaves a record."""

from __future__ import annotations

from django.utils.translation import gettext as _

from petitions.access import can_reveal
from petitions.models import (
    CaseEvent,
    CaseParty,
    EventKind,
    ExportRecord,
    Person,
)
from petitions.services.base import (
    CaseError,
    record_event,
    records_language,
    typed_text,
    unit_of,
)
from petitions.services.trust import atomic_step
from portal.actors import Actor


@atomic_step
def reveal_party(party: CaseParty, *, actor: Actor, reason: str) -> Person:
    """查看完整个人信息: only with a reason, only where the role allows it, always logged.

    Logged on every case whose party record this is (records kept from before each case had its
    own are shared), so each case's timeline says who read its data. The note names the party
    by their part in the case, never by name: timelines are read by people who may not see who
    the party is (the handling unit of an accusation); ``changes`` says which party it was.
    """
    reason = typed_text(reason)
    if len(reason) < 2:
        raise CaseError(_("请填写查看完整个人信息的理由。"))
    case = party.case
    if not can_reveal(actor, case, party.role):
        raise CaseError(_("您无权查看这位当事人的完整个人信息。"))
    sharing = CaseParty.objects.filter(person_id=party.person_id).select_related("case")
    for part in sharing.order_by("case_id", "pk"):
        with records_language():
            where = "" if part.case_id == case.pk else f"（查看诉求 {case.number} 时）"
            note = f"查看{part.get_role_display()}的完整信息{where}，理由：{reason[:200]}"
        record_event(
            part.case,
            actor=actor,
            kind=EventKind.REVEALED,
            note=note,
            changes={"party": part.pk, "role": part.role},
        )
    return party.person


@atomic_step
def record_export(
    actor: Actor, *, what: str, filters: str, case_ids: list[int], masked: bool
) -> ExportRecord:
    """One export record, and an internal 导出 entry on the timeline of every case exported."""
    record = ExportRecord.objects.create(
        actor=actor, what=what, filters=filters[:2000], rows=len(case_ids), masked=masked
    )
    unit = unit_of(actor)
    with records_language():
        note = (
            f"随{len(case_ids)}条记录导出为 Excel"
            f"（{'个人信息已脱敏' if masked else '含完整个人信息'}），筛选条件：{record.filters}"
        )
    CaseEvent.objects.bulk_create(
        (
            CaseEvent(
                case_id=case_id,
                actor=actor,
                actor_unit=unit,
                kind=EventKind.EXPORTED,
                at=record.at,
                note=note,
            )
            for case_id in case_ids
        ),
        batch_size=1000,
    )
    return record
