"""Personal data and exports: every reveal and export leaves a record."""

from __future__ import annotations

from typing import Any

from django.db import transaction
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
    _event,
    _text,
    _unit_of,
    records_language,
)


@transaction.atomic
def reveal_party(party: CaseParty, *, actor: Any, reason: str) -> Person:
    """查看完整个人信息: only with a reason, only where the role allows it, always logged."""
    reason = _text(reason)
    if len(reason) < 2:
        raise CaseError(_("请填写查看完整个人信息的理由。"))
    case = party.case
    if not can_reveal(actor, case, party.role):
        raise CaseError(_("您无权查看这位当事人的完整个人信息。"))
    with records_language():
        note = (
            f"查看{party.get_role_display()} {party.person.masked_name} 的完整信息，"
            f"理由：{reason[:200]}"
        )
    _event(case, actor=actor, kind=EventKind.REVEALED, note=note)
    return party.person


@transaction.atomic
def record_export(
    actor: Any, *, what: str, filters: str, case_ids: list[int], masked: bool
) -> ExportRecord:
    """One export record, and an internal 导出 entry on the timeline of every case exported."""
    record = ExportRecord.objects.create(
        actor=actor, what=what, filters=filters[:2000], rows=len(case_ids), masked=masked
    )
    unit = _unit_of(actor)
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
