"""The portal's clock: the real time unless a block says otherwise, per thread."""

from __future__ import annotations

import ast
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from portal import clock

MOMENT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def test_the_clock_reads_the_real_time_by_default():
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()
    assert not clock.is_frozen()


def test_a_frozen_block_sees_its_moment_in_local_time_and_nests():
    with clock.frozen(MOMENT):
        assert clock.now() == MOMENT
        assert clock.localnow().hour == 9 and clock.today().isoformat() == "2026-03-02"
        with clock.frozen(MOMENT + timedelta(days=1)):
            assert clock.today().isoformat() == "2026-03-03"
        assert clock.now() == MOMENT
    assert not clock.is_frozen()


def test_another_thread_keeps_the_real_time():
    seen = []
    with clock.frozen(MOMENT):
        worker = threading.Thread(target=lambda: seen.append(clock.now()))
        worker.start()
        worker.join()
    assert seen[0] > MOMENT + timedelta(days=200)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError), clock.frozen(datetime(2026, 3, 2, 9, 30)):
        pass


# -- the guard: application code reads the time through portal.clock only -----------------------

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "outreach", "petitions")
# Reading the wall clock (called or handed on as a callable, e.g. ``default=timezone.now``).
READS_NOW = {
    "django.utils.timezone.now",
    "datetime.datetime.now",
    "datetime.datetime.today",
    "datetime.datetime.utcnow",
    "datetime.date.today",
    "time.time",
}
# Reading it only when called without a value to convert (``localtime(value)`` is fine).
READS_NOW_WITHOUT_ARGUMENT = {"django.utils.timezone.localtime", "django.utils.timezone.localdate"}


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name → the dotted name it stands for, from the module's imports."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    names[head] = head
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr, names: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in names:
        return None
    return ".".join([names[node.id], *reversed(parts)])


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def clock_reads(source: str, filename: str = "<source>") -> list[str]:
    """``file:line what`` for every read of the current time that bypasses portal.clock."""
    tree = ast.parse(source, filename)
    names = _imported_names(tree)
    calls = {id(node.func): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name | ast.Attribute) or isinstance(node.ctx, ast.Store):
            continue
        name = _dotted(node, names)
        call = calls.get(id(node))
        # ``localtime(value)`` converts, unless the value is ``None`` (a variable that may be
        # None cannot be seen from here: write ``clock.localnow() if value is None else …``).
        converts = call is not None and bool(call.args or call.keywords)
        if converts and call.args and _is_none(call.args[0]):
            converts = False
        if name in READS_NOW or (name in READS_NOW_WITHOUT_ARGUMENT and not converts):
            found.append((node.lineno, f"{filename}:{node.lineno} {name}"))
    return [read for _line, read in sorted(found)]


def test_the_guard_finds_each_way_of_reading_the_time():
    source = (
        "import datetime as dt, time\n"
        "from datetime import date, datetime\n"
        "from django.utils import timezone\n"
        "from django.utils.timezone import localdate, now\n"
        "a = timezone.now()\n"
        "b = timezone.localtime()\n"
        "c = timezone.localtime(a)\n"  # a conversion, not a read
        "d = localdate()\n"
        "e = datetime.now(tz=None)\n"
        "f = date.today()\n"
        "g = dt.datetime.today()\n"
        "h = time.time()\n"
        "field = Field(default=now)\n"
        "timezone.localdate(a)\n"  # a conversion too
        "timezone.localtime(None)\n"
    )
    assert [line.split(" ")[0] for line in clock_reads(source)] == [
        f"<source>:{n}" for n in (5, 6, 8, 9, 10, 11, 12, 13, 15)
    ]


def test_application_code_reads_the_time_through_the_clock_only():
    clock_module = ROOT / "portal" / "clock.py"
    found = [
        read
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and path != clock_module
        for read in clock_reads(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not found, "read the time through portal.clock (now/localnow/today):\n" + "\n".join(
        found
    )


def test_the_demo_tests_read_the_time_through_the_clock_only():
    """tests/demo runs at one frozen moment, another day under DEMO_TODAY: a test that read the
    real time there would pass today and fail on that day."""
    found = [
        read
        for path in sorted((ROOT / "tests" / "demo").rglob("*.py"))
        for read in clock_reads(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not found, "read the time through portal.clock in tests/demo:\n" + "\n".join(found)
