"""Writing history through the case services: a frozen clock and the office's working days.

The services stamp ``portal.clock.now()`` and count deadlines from ``portal.clock.today()``.
To record a case received last March as it happened, the demo sets ``Clock.moment`` before
each step, which freezes the portal's clock at that moment (``portal.clock.frozen``), so the
timeline, the timestamps and the deadlines are written with the historical moment (the
timeline is append-only in the database, so nothing could be corrected afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from petitions import services
from portal import clock as portal_clock
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
def fast_services() -> Iterator[None]:
    """The services as the demo calls them while it writes its year (~3x faster), through
    their public seams (``petitions.services.trust``):

    - ``bulk_writing``: each step reruns the deadline arithmetic, which reads the same deadline
      rules, holiday calendar and staff units; those tables do not change during the run, so
      they are read once. No step opens a savepoint of its own inside the seeder's transaction:
      the demo never recovers from an error inside a service (any error aborts the whole seed).
    - ``trusted_caller``: the per-step "may this account see the case" query is not asked —
      the demo only lets an account act where its scope (or its assignment) reaches.

    The arithmetic, the guards' role and transition checks and every write stay the services'
    own. The tests (tests/petitions/test_demo.py) check the result: ``petitions.deadlines.refresh``
    finds nothing to change, and every timeline entry's actor can see its case.
    """
    with services.bulk_writing(), services.trusted_caller():
        yield
