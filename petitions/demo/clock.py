"""Writing history through the case services: a frozen clock and the office's working days.

The services stamp ``portal.clock.now()`` and count deadlines from ``portal.clock.today()``.
To record a case received last March as it happened, the demo sets ``Clock.moment`` before
each step, which freezes the portal's clock at that moment (``portal.clock.frozen``), so the
timeline, the timestamps and the deadlines are written with the historical moment (the
timeline is append-only in the database, so nothing could be corrected afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from unittest import mock

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from petitions import deadlines
from petitions.models import Case
from petitions.services import base, mediation
from petitions.services import rules as rule_book
from portal import clock as portal_clock
from portal import workdays
from portal.models import CalendarDay, DayKind

OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 30)


class Clock:
    """The moment the case services believe it is; the real time when none is set.

    Inside ``frozen(clock)``, setting ``moment`` holds ``portal.clock.frozen(moment)`` until the
    next setting (``None`` lets the real time through); outside it the moment is only noted.
    """

    def __init__(self) -> None:
        self._moment: datetime | None = None
        self._active = False
        self._held: AbstractContextManager[datetime] | None = None

    @property
    def moment(self) -> datetime | None:
        return self._moment

    @moment.setter
    def moment(self, value: datetime | None) -> None:
        self._moment = value
        self._hold()

    def _hold(self) -> None:
        if self._held is not None:
            self._held.__exit__(None, None, None)
            self._held = None
        if self._active and self._moment is not None:
            self._held = portal_clock.frozen(self._moment)
            self._held.__enter__()

    def real_now(self) -> datetime:
        """The time outside any moment this clock holds."""
        if self._held is not None:
            raise RuntimeError("Clock.real_now while a demo moment is held")
        return portal_clock.now()


@contextmanager
def frozen(clock: Clock) -> Iterator[Clock]:
    """Let the steps in the block move the portal's clock; at the end it runs free again."""
    clock._active = True
    clock._hold()
    try:
        yield clock
    finally:
        clock._active = False
        clock.moment = None


class WorkCalendar:
    """Working days from the ``CalendarDay`` table, loaded once (same rules as portal.workdays:
    holidays off, make-up days on, otherwise Monday to Friday)."""

    def __init__(self, start: date, end: date, tz: tzinfo) -> None:
        self.tz, self.start, self.end = tz, start, end
        self.overrides = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
        )

    def is_working(self, day: date) -> bool:
        kind = self.overrides.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``portal.workdays.add_working_days``)."""
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_working(day)
        return day

    def working_days_back(self, end: date, days: int) -> date:
        """The working day ``days`` working days before ``end``."""
        day, counted = end, 0
        while counted < days:
            day -= timedelta(days=1)
            counted += self.is_working(day)
        return day

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def office(self, moment: datetime) -> datetime:
        """The same moment if the office is open then, else the next opening (8:30 on the
        next working day)."""
        local = timezone.localtime(moment, self.tz)
        day = local.date()
        if self.is_working(day) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES:
            return local
        if self.is_working(day) and local.time() < OFFICE_OPENS:
            return self.at(day, 8, 30)
        day += timedelta(days=1)
        while not self.is_working(day):
            day += timedelta(days=1)
        return self.at(day, 8, 30)


@contextmanager
def fast_services(cal: WorkCalendar, paused: set[int]) -> Iterator[None]:
    """Spare the services their repeated reads while the demo writes its year (~3x faster).

    - Lookups: each step reruns the deadline arithmetic, which reads the same deadline rules,
      the same holiday calendar and the same staff units; those tables do not change during
      the run, so their answers are cached (the demo's ``WorkCalendar`` serves the holidays;
      cases never paused skip the pause query).
    - Scope: the per-step "may this account see the case" query is skipped — the demo only
      lets an account act where its scope (or its assignment) reaches.
    - Savepoints: each service opens one inside the seeder's transaction. The demo never
      recovers from an error inside a service (any error aborts the whole seed), so they are
      switched off for the run — half the round trips on PostgreSQL.

    The arithmetic, the transition checks and every write stay the services' own. The tests
    (tests/petitions/test_demo.py) check the result: ``petitions.deadlines.refresh`` finds
    nothing to change, and every timeline entry's actor can see its case.
    """
    rule_for, paused_days, unit_of = deadlines.rule_for, deadlines.paused_days, base._unit_of
    overrides = workdays._overrides
    rules: dict[tuple, Any] = {}
    units: dict[int | None, str] = {}

    def cached_rule(case: Any, stage: str) -> Any:
        key = (case.kind, case.category_id, stage)
        if key not in rules:
            rules[key] = rule_for(case, stage)
        return rules[key]

    def cached_pauses(case: Any, unit: str, today: date | None = None) -> int:
        return paused_days(case, unit, today) if case.pk in paused else 0

    def cached_unit(actor: Any) -> str:
        key = actor.pk if actor is not None else None
        if key not in units:
            units[key] = unit_of(actor)
        return units[key]

    def cached_overrides(start: date, end: date) -> dict[date, str]:
        if start < cal.start or end > cal.end:
            return overrides(start, end)
        return {d: k for d, k in cal.overrides.items() if start <= d <= end}

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(deadlines, "rule_for", cached_rule))
        stack.enter_context(mock.patch.object(deadlines, "paused_days", cached_pauses))
        stack.enter_context(mock.patch.object(base, "_unit_of", cached_unit))
        stack.enter_context(mock.patch.object(workdays, "_overrides", cached_overrides))
        stack.enter_context(mock.patch.object(mediation, "_ensure_visible", _in_scope))
        stack.enter_context(mock.patch.object(rule_book, "_cases_for", _all_cases))
        wrapper = connections[DEFAULT_DB_ALIAS]
        stack.enter_context(mock.patch.object(wrapper, "_savepoint_allowed", lambda: False))
        yield


def _all_cases(user: Any) -> Any:
    """The rule book reads the case's facts without the scope filter (see ``fast_services``)."""
    return Case.objects.all()


def _in_scope(case: Any, actor: Any) -> None:
    """The demo's actors act within their scope by construction (see ``fast_services``)."""
