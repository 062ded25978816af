"""The head of the case page: number, status, the deadline that applies now, handler, class.

Plain data for templates/admin/petitions/case/_header.html (the case page and its 办理记录 page).
The deadline is the one of the step the case is at (``Case.current_due``); how far off it is is
counted in the unit its rule is written in (petitions.deadlines: 信访 in calendar days, ordinary
requests in working days), and a paused conclusion clock is shown as paused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from petitions.deadlines import rule_for
from petitions.display import staff_label, triage_shown
from petitions.models import (
    Case,
    CasePause,
    CaseStatus,
    DeadlineRule,
    DeadlineStage,
    DeadlineUnit,
    Triage,
)
from petitions.models.case import DUE_SOON_DAYS
from petitions.privacy import safe_title
from portal import clock
from portal.models import CalendarDay
from portal.workdays import is_working_day, working_days_between

STAGE_LABELS = {
    DeadlineStage.ACCEPT: _("受理告知期限"),
    DeadlineStage.SIGN: _("签收期限"),
    DeadlineStage.CONCLUDE: _("办结期限"),
}
UNIT_NOTES = {
    DeadlineUnit.WORKING: _("按工作日计算"),
    DeadlineUnit.CALENDAR: _("按自然日计算"),
}


@dataclass(frozen=True)
class Deadline:
    """The deadline the case's current step has, and how it stands today."""

    label: str
    day: date
    text: str  # 还剩 3 个工作日 / 今天到期 / 已超期 2 天 / 计时已中止
    unit_note: str  # 按工作日计算 / 按自然日计算
    tone: str  # css class: case-overdue / case-due-soon / case-due / case-paused
    paused_since: date | None = None


def current_stage(case: Case) -> str | None:
    """Which deadline ``Case.current_due`` is: the step's own, or the conclusion deadline when
    that comes first (a case registered late in its 60 days)."""
    day = case.current_due
    if day is None:
        return None
    if case.status == CaseStatus.REGISTERED and case.accept_due == day:
        return DeadlineStage.ACCEPT
    if case.status == CaseStatus.ASSIGNED and case.sign_due == day:
        return DeadlineStage.SIGN
    return DeadlineStage.CONCLUDE


def current_deadline(
    case: Case, pauses: list[CasePause], today: date | None = None
) -> Deadline | None:
    """The deadline that applies now, with days left or days overdue in words.

    Days left are counted in the rule's unit (a working-day rule says 个工作日); days overdue are
    calendar days since the deadline, whatever the unit (a deadline missed on Friday is three
    days late on Monday). An open pause stops the conclusion clock: no count is given then.
    """
    stage = current_stage(case)
    if stage is None:
        return None
    rule = rule_for(case, stage)
    open_pause = next((p.started_on for p in pauses if p.ended_on is None), None)
    return _deadline(
        case,
        stage,
        rule.unit if rule is not None else DeadlineUnit.CALENDAR,
        open_pause,
        today or clock.today(),
        working_days_between,
    )


def deadlines_of(cases: list[Case], today: date | None = None) -> dict[int, Deadline | None]:
    """``current_deadline`` for a page of cases (the case list) in at most three queries."""
    today = today or clock.today()
    stages = {case.pk: current_stage(case) for case in cases}
    due = [case for case in cases if stages[case.pk]]
    if not due:
        return dict.fromkeys(stages)
    units = {
        (r.kind, r.stage, r.category_id): r.unit
        for r in DeadlineRule.objects.filter(
            kind__in={c.kind for c in due}, stage__in=set(stages.values()) - {None}
        ).filter(Q(category_id__in={c.category_id for c in due}) | Q(category__isnull=True))
    }
    paused = dict(
        CasePause.objects.filter(case__in=due, ended_on__isnull=True).values_list(
            "case_id", "started_on"
        )
    )
    last = max(c.current_due for c in due)
    overrides = (
        dict(CalendarDay.objects.filter(date__gt=today, date__lte=last).values_list("date", "kind"))
        if last > today
        else {}
    )

    def working_days(start: date, end: date) -> int:
        days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
        return sum(is_working_day(day, overrides) for day in days)

    result: dict[int, Deadline | None] = dict.fromkeys(stages)
    for case in due:
        stage = stages[case.pk]
        unit = units.get((case.kind, stage, case.category_id)) or units.get(
            (case.kind, stage, None), DeadlineUnit.CALENDAR
        )
        result[case.pk] = _deadline(case, stage, unit, paused.get(case.pk), today, working_days)
    return result


def _deadline(
    case: Case,
    stage: str,
    unit: str,
    paused_since: date | None,
    today: date,
    working_days: Callable[[date, date], int],
) -> Deadline:
    day = case.current_due
    base = {"label": str(STAGE_LABELS[stage]), "day": day, "unit_note": str(UNIT_NOTES[unit])}
    if stage == DeadlineStage.CONCLUDE and paused_since is not None:
        return Deadline(
            **base,
            text=gettext("计时已中止，恢复后顺延"),
            tone="case-paused",
            paused_since=paused_since,
        )
    if day < today:
        late = (today - day).days
        text = ngettext("已超期 %(n)d 天", "已超期 %(n)d 天", late) % {"n": late}
        if unit == DeadlineUnit.WORKING:  # the count is in calendar days: say so
            base["unit_note"] = gettext("期限按工作日计算，超期按自然日计")
        return Deadline(**base, text=text, tone="case-overdue")
    if day == today:
        return Deadline(**base, text=gettext("今天到期"), tone="case-due-soon")
    left = working_days(today, day) if unit == DeadlineUnit.WORKING else 0
    if left:
        text = ngettext("还剩 %(n)d 个工作日", "还剩 %(n)d 个工作日", left) % {"n": left}
    else:
        # A calendar rule, or a working-day deadline moved onto a weekend by an extension.
        left = (day - today).days
        text = ngettext("还剩 %(n)d 天", "还剩 %(n)d 天", left) % {"n": left}
    # "Due soon" in calendar days, as the 即将超期 queue counts it (CaseQuerySet.due_soon).
    tone = "case-due-soon" if (day - today).days <= DUE_SOON_DAYS else "case-due"
    return Deadline(**base, text=text, tone=tone)


def case_header(case: Case, pauses: list[CasePause] | None = None) -> dict[str, Any]:
    """What the head of the case page says: everything staff decide their next move by."""
    if pauses is None:
        pauses = list(case.pauses.all())
    return {
        "number": case.number,
        "title": safe_title(case),
        "status": case.get_status_display(),
        "status_code": case.status,
        "deadline": current_deadline(case, pauses),
        "handler": staff_label(case.handler) if case.handler_id else "",
        "triage": triage_shown(case),
        "followup_due": case.next_followup_due if case.triage == Triage.LONG_TERM else None,
        "supervised": case.is_supervised,
        "redo_count": case.redo_count,
        "kind": case.get_kind_display(),
    }
