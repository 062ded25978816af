"""Deadlines from the rules table: calendar or working days, extensions and paused clocks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from petitions.models import (
    Case,
    CaseKind,
    CasePause,
    DeadlineRule,
    DeadlineStage,
    DeadlineUnit,
    StartEvent,
    Triage,
)
from portal import clock
from portal.workdays import add_working_days, working_days_between


def rule_for(case: Case, stage: str) -> DeadlineRule | None:
    """The category's own rule if there is one, else the general rule of the case's kind."""
    rules = {
        r.category_id: r
        for r in DeadlineRule.objects.filter(kind=case.kind, stage=stage).filter(
            Q(category_id=case.category_id) | Q(category__isnull=True)
        )
    }
    return rules.get(case.category_id) or rules.get(None)


def add_days(start: date, length: int, unit: str) -> date:
    if unit == DeadlineUnit.WORKING:
        return add_working_days(start, length)
    return start + timedelta(days=length)


def _local_date(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def _start(case: Case, event: str) -> date | None:
    starts: dict[str, date | None] = {
        StartEvent.RECEIVED: _local_date(case.received_at),
        StartEvent.ACCEPTED: _local_date(case.accepted_at),
        StartEvent.ASSIGNED: _local_date(case.assigned_at),
        StartEvent.SIGNED: _local_date(case.signed_at),
    }
    return starts[event]


def paused_days(case: Case, unit: str, today: date | None = None) -> int:
    """Days the clock stood still; an open pause counts up to today."""
    if case.pk is None:
        return 0
    today = today or clock.today()
    total = 0
    for pause in CasePause.objects.filter(case=case):
        end = pause.ended_on or today
        if unit == DeadlineUnit.WORKING:
            total += working_days_between(pause.started_on, end)
        else:
            total += (end - pause.started_on).days
    return total


def due_for(case: Case, stage: str) -> date | None:
    if (
        stage == DeadlineStage.CONCLUDE
        and case.kind == CaseKind.ORDINARY
        and case.triage == Triage.LONG_TERM
    ):
        # An ordinary request followed for the long term has no conclusion limit: its clock is
        # the follow-up interval (Case.next_followup_due, the "due for follow-up" queue).
        return None
    if stage == DeadlineStage.SIGN and case.handler_id is None:
        return None  # nobody to sign for it (not assigned yet, or bounced back)
    rule = rule_for(case, stage)
    if rule is None:
        return None
    start = _start(case, rule.start_event)
    if stage == DeadlineStage.CONCLUDE and case.reopened_at:
        start = _local_date(case.reopened_at)
    if start is None:
        return None
    due = add_days(start, rule.length, rule.unit)
    if stage == DeadlineStage.CONCLUDE:
        due = (
            add_days(due, case.extension_days, DeadlineUnit.CALENDAR)
            if case.extension_days
            else due
        )
        pause = paused_days(case, rule.unit)
        if pause:
            due = add_days(due, pause, rule.unit)
    return due


def refresh(case: Case) -> list[str]:
    """Recompute the case's deadline fields in place; returns the names of those that changed.

    A redo (重办) runs the conclusion clock again from the moment it was reopened.
    """
    changed = []
    values = {
        "accept_due": due_for(case, DeadlineStage.ACCEPT),
        "sign_due": due_for(case, DeadlineStage.SIGN),
        "conclude_due": due_for(case, DeadlineStage.CONCLUDE),
    }
    for field, value in values.items():
        if getattr(case, field) != value:
            setattr(case, field, value)
            changed.append(field)
    return changed


def max_extension(case: Case) -> int:
    rule = rule_for(case, DeadlineStage.CONCLUDE)
    return rule.max_extension_days if rule else 0
