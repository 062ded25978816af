"""Deadlines from the rules table: calendar or working days, extensions and paused clocks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
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


@dataclass
class _Cache:
    """What ``rules_cache()`` remembers for its block."""

    rules: dict[tuple[str, int | None, str], DeadlineRule | None] = field(default_factory=dict)
    paused_cases: set[int] = field(default_factory=set)  # cases with at least one pause


_cache: ContextVar[_Cache | None] = ContextVar("petitions_deadlines_cache", default=None)


@contextmanager
def rules_cache() -> Iterator[None]:
    """Read the deadline rules once per (kind, category, stage) for the block, and the pauses
    only of cases that have one.

    For bulk work that recomputes many deadlines (the demo seeder writing its year) while nobody
    edits the ``DeadlineRule`` table: the answers are the same as without the cache. The cases
    with a pause are read when the block starts; a pause the block records is added by
    ``pause_recorded`` (``petitions.services.pause_clock`` calls it), so every other case counts
    no paused days without a query. The cache belongs to the current thread (and asyncio task)
    only; blocks nest (an inner block starts afresh).
    """
    paused = set(CasePause.objects.order_by().values_list("case_id", flat=True).distinct())
    token = _cache.set(_Cache(paused_cases=paused))
    try:
        yield
    finally:
        _cache.reset(token)


def pause_recorded(case: Case) -> None:
    """A pause of ``case`` was just written: its paused days are read from now on."""
    cache = _cache.get()
    if cache is not None and case.pk is not None:
        cache.paused_cases.add(case.pk)


def may_be_paused(case: Case) -> bool:
    """False when ``rules_cache`` knows that ``case`` has never been paused (no query asked);
    True when it may have been."""
    cache = _cache.get()
    return cache is None or case.pk in cache.paused_cases


def rule_for(case: Case, stage: str) -> DeadlineRule | None:
    """The category's own rule if there is one, else the general rule of the case's kind."""
    cache = _cache.get()
    if cache is None:
        return _read_rule(case, stage)
    key = (case.kind, case.category_id, stage)
    if key not in cache.rules:
        cache.rules[key] = _read_rule(case, stage)
    return cache.rules[key]


def _read_rule(case: Case, stage: str) -> DeadlineRule | None:
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
    cache = _cache.get()
    if cache is not None and case.pk not in cache.paused_cases:
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
    for name, value in values.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    return changed


def max_extension(case: Case) -> int:
    rule = rule_for(case, DeadlineStage.CONCLUDE)
    return rule.max_extension_days if rule else 0
