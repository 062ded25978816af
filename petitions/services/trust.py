"""The case services' two seams for trusted callers: ``trusted_caller`` and ``bulk_writing``.

Both are context managers that code outside a web request enters explicitly (the demo seeder,
``petitions.demo``); each holds for the current thread (and asyncio task) only, so a request
served meanwhile by another thread is not affected, and each refuses to open while a request is
being served (``portal.middleware.serving_request``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from django.db import transaction

from petitions import deadlines
from petitions.models import Case
from portal import workdays
from portal.middleware import serving_request

P = ParamSpec("P")
R = TypeVar("R")

_trusted: ContextVar[bool] = ContextVar("petitions_services_trusted", default=False)
# Inside ``bulk_writing``: the unit recorded for each actor (user id; None: a resident).
_units: ContextVar[dict[int | None, str] | None] = ContextVar(
    "petitions_services_units", default=None
)
# Inside ``bulk_writing``: the cases that have (or had) a co-handler or mediator.
_helped: ContextVar[set[int] | None] = ContextVar("petitions_services_helped", default=None)


def _refuse_in_request(seam: str) -> None:
    if serving_request():
        raise RuntimeError(f"petitions.services.{seam}() is not for web requests")


@contextmanager
def trusted_caller() -> Iterator[None]:
    """The caller vouches that every actor it names acts within their scope.

    Skipped inside the block — and nothing else:

    - the scope check of each step: "does the case lie within what this account may see"
      (``Case.objects.visible_to``), asked by the rule book when it works out who is asking
      (``rules.Who.of``: the case then counts as visible) and by the mediation steps before
      they write.

    Still checked inside the block, exactly as for a member of staff at the admin: each step's
    guard in the rule book (the role and permissions of the actor, whether they handle the case,
    the status transitions of ``TRANSITIONS``), the deadlines and their limits, the expected
    version (``CaseConflict``), what each step's input must hold, and recusals.

    Refuses to open while a web request is being served.
    """
    _refuse_in_request("trusted_caller")
    token = _trusted.set(True)
    try:
        yield
    finally:
        _trusted.reset(token)


def is_trusted() -> bool:
    """Whether the current step runs inside ``trusted_caller`` (never during a request)."""
    return _trusted.get() and not serving_request()


@contextmanager
def bulk_writing() -> Iterator[None]:
    """Many steps in a row inside one transaction of the caller's (the demo's year of cases).

    Inside the block:

    - the deadline rules, the holiday calendar and the unit of each actor are read once
      (``petitions.deadlines.rules_cache``, ``portal.workdays.calendar_cache``): the block must
      not edit those tables, and the answers are then the same as without it;
    - so are the cases that have co-handlers or mediators (``may_have_helpers``; ``assign_case``
      adds those it gives them), so the rule book asks no one else whether they help on a case
      that has no helpers;
    - a step's transaction opens no savepoint of its own (``atomic_step``, ``savepoints``; the
      ORM's own, e.g. when a model validates its constraints, stay): an error inside a step
      leaves the enclosing transaction unusable, so the caller must let any error abort the
      whole block (it cannot catch a step's error and carry on).

    Nothing a step checks is skipped. Refuses to open while a web request is being served.
    """
    _refuse_in_request("bulk_writing")
    with ExitStack() as stack:
        stack.enter_context(deadlines.rules_cache())
        stack.enter_context(workdays.calendar_cache())
        token = _units.set({})
        stack.callback(_units.reset, token)
        helped = Case.co_handlers.through.objects.values_list("case_id", flat=True)
        helped = helped.union(Case.mediators.through.objects.values_list("case_id", flat=True))
        stack.callback(_helped.reset, _helped.set(set(helped)))
        yield


def may_have_helpers(case_id: int) -> bool:
    """False when ``bulk_writing`` knows the case has no co-handler or mediator; else True."""
    helped = _helped.get()
    return helped is None or case_id in helped


def helpers_given(case_id: int) -> None:
    """``assign_case`` gave the case co-handlers or mediators (for ``may_have_helpers``)."""
    if (helped := _helped.get()) is not None:
        helped.add(case_id)


def units() -> dict[int | None, str] | None:
    """The units read so far in ``bulk_writing`` (None outside it), for ``base.unit_of``."""
    return _units.get()


def savepoints() -> bool:
    """Whether a step's transaction opens a savepoint of its own (not in ``bulk_writing``)."""
    return _units.get() is None


def atomic_step(step: Callable[P, R]) -> Callable[P, R]:
    """``transaction.atomic`` for a service step: its own savepoint, except in ``bulk_writing``."""

    @functools.wraps(step)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(savepoint=savepoints()):
            return step(*args, **kwargs)

    return run
