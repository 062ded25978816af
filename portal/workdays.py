"""Working days on China's official calendar, including 调休 make-up working days.

The calendar is the admin-editable ``CalendarDay`` table: holidays are off even on weekdays,
make-up days are on even on weekends, and every other day follows the plain week. A year with no
rows therefore still works (weekends off), so a deadline never fails for lack of data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from portal.models import CalendarDay, DayKind

# Enough slack for the longest run of holidays (Spring Festival) plus weekends.
_SLACK_DAYS = 30

# Inside ``calendar_cache()``: the whole CalendarDay table, read once.
_cached: ContextVar[dict[date, str] | None] = ContextVar("portal_workdays_cache", default=None)


@contextmanager
def calendar_cache() -> Iterator[None]:
    """Read the calendar once for the block instead of once per deadline computed in it.

    For bulk work that computes many deadlines while nobody edits the calendar (the demo
    seeder writing its year): the answers are the same as without the cache, provided the block
    itself does not change ``CalendarDay`` rows. The table holds a few dozen rows a year. The
    cache belongs to the current thread (and asyncio task) only; blocks nest.
    """
    token = _cached.set(dict(CalendarDay.objects.values_list("date", "kind")))
    try:
        yield
    finally:
        _cached.reset(token)


def _overrides(start: date, end: date) -> dict[date, str]:
    cached = _cached.get()
    if cached is not None:
        if start == end:  # one day, asked for every day a deadline counts
            return {start: cached[start]} if start in cached else {}
        return {day: kind for day, kind in cached.items() if start <= day <= end}
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
    return dict(rows)


def is_working_day(day: date, overrides: dict[date, str] | None = None) -> bool:
    if overrides is None:
        overrides = _overrides(day, day)
    kind = overrides.get(day)
    if kind == DayKind.HOLIDAY:
        return False
    if kind == DayKind.WORKDAY:
        return True
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the start day itself does not count)."""
    if days <= 0:
        return start
    window_end = start + timedelta(days=days * 2 + _SLACK_DAYS)
    overrides = _overrides(start, window_end)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day > window_end:  # a very long holiday run: widen the window
            window_end = day + timedelta(days=days * 2 + _SLACK_DAYS)
            overrides |= _overrides(day, window_end)
        if is_working_day(day, overrides):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]: how many working days after `start` end by `end`."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    return sum(
        is_working_day(start + timedelta(days=i), overrides)
        for i in range(1, (end - start).days + 1)
    )
