"""The whole demo, seeded once per test run for every module of this package.

Seeding takes about 25 s, so the modules here share one: the package fixture ``demo`` writes
the demo inside a transaction that is rolled back when the package is done, and each test runs
in a savepoint on top of it (pytest-django's ``db``). The package's tests all run on one xdist
worker (they carry ``xdist_group("demo")`` and the suite runs with ``--dist loadgroup``), so
the demo is seeded once per run, not once per worker or module.

The package runs at one frozen moment, the one it was seeded at (``portal.clock.frozen``), so
"today" cannot move on between seeding and a test when a run crosses midnight in Shanghai.
``DEMO_TODAY=YYYY-MM-DD`` runs the package as if it were that day at 10:00 in Shanghai: the
demo's year, its deadlines and every queue follow. ``.ci/run`` does so for a second, awkward
date too, so the demo's figures hold on any day, not only on the day they were written.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from portal import clock

GROUP = pytest.mark.xdist_group("demo")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(GROUP)


@dataclass
class Demo:
    output: str  # what seed_demo printed
    media: Path  # where its photos are


def demo_moment() -> datetime:
    """The moment DEMO_TODAY names (10:00 that day in the portal's time zone), else now."""
    if not (value := os.environ.get("DEMO_TODAY")):
        return clock.now()
    day = date.fromisoformat(value)
    return datetime.combine(day, time(10), tzinfo=timezone.get_default_timezone())


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once (see the module docstring); rolled back when the package is done."""
    media = tmp_path_factory.mktemp("demo-media")
    with ExitStack() as stack:
        stack.enter_context(django_db_blocker.unblock())
        stack.enter_context(override_settings(MEDIA_ROOT=media))
        stack.enter_context(clock.frozen(demo_moment()))
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", allow_production=True, quiet_logins=True, stdout=out)
            yield Demo(out.getvalue(), media)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
