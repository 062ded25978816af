"""The portal's clock: the one place where "now" and "today" are read.

Services, read functions, deadlines and model defaults ask this module, never
``django.utils.timezone.now`` or ``datetime.now`` directly. Code that must act as if it were
another moment — the demo writing a year of history step by step, a test about a deadline —
says so explicitly with ``frozen``::

    with clock.frozen(datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)):
        services.accept_case(case, actor=secretary)   # stamped 2026-03-02 09:30

The frozen moment belongs to the current thread (and asyncio task) only, so a request served
by another thread meanwhile still sees the real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("portal_clock_frozen", default=None)


def now() -> datetime:
    """The current moment, timezone-aware (UTC on the way to the database)."""
    moment = _frozen.get()
    return moment if moment is not None else timezone.now()


def localnow() -> datetime:
    """The current moment in the portal's time zone (Asia/Shanghai)."""
    return timezone.localtime(now())


def today() -> date:
    """Today's date in the portal's time zone."""
    return localnow().date()


def is_frozen() -> bool:
    return _frozen.get() is not None


@contextmanager
def frozen(moment: datetime) -> Iterator[datetime]:
    """Run the block as if it were ``moment`` (timezone-aware); nests, and restores on exit."""
    if timezone.is_naive(moment):
        raise ValueError("clock.frozen needs a timezone-aware moment")
    token = _frozen.set(moment)
    try:
        yield moment
    finally:
        _frozen.reset(token)
