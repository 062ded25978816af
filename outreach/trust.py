"""The activity services' seam for a trusted caller writing many steps in a row: ``bulk_writing``.

A context manager that code outside a web request enters explicitly (the demo seeder,
``outreach.demo.rows``); it holds for the current thread (and asyncio task) only, so a request
served meanwhile by another thread is not affected, and it refuses to open while a request is
being served (``portal.middleware.serving_request``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from portal.middleware import serving_request

# Inside ``bulk_writing``: the unit recorded for each actor (user id; None: the portal itself).
_units: ContextVar[dict[int | None, str] | None] = ContextVar("outreach_units", default=None)


@contextmanager
def bulk_writing() -> Iterator[None]:
    """Many steps in a row inside one transaction of the caller's (the demo's year).

    Inside the block:

    - the unit recorded with each actor's steps is read once (the block must not change the
      staff's units meanwhile);
    - a step leaves the activity's named constraints (``Meta.constraints``) to the database,
      which checks them as the row is written, instead of asking each of them first: a step
      that breaks one still fails, but with an ``IntegrityError`` that leaves the caller's
      transaction unusable, not with a message for staff.

    Everything else a step checks is checked: its guard in the rule book (permission, scope,
    transition), the start time and results it needs, each field's own limits (the counted
    figures' ``FigureLimit``) and the model's ``clean``. Refuses to open while a web request is
    being served.
    """
    if serving_request():
        raise RuntimeError("outreach.services.bulk_writing() is not for web requests")
    token = _units.set({})
    try:
        yield
    finally:
        _units.reset(token)


def units() -> dict[int | None, str] | None:
    """The units read so far in ``bulk_writing`` (None outside it), for ``record.unit_of``."""
    return _units.get()


def asks_constraints() -> bool:
    """Whether a step asks the named constraints before writing (not in ``bulk_writing``)."""
    return _units.get() is None
