"""Seeding: what every app's seeder (its demo, and the volume for benchmarks) receives, and the
progress line each stage of ``seed_demo`` prints."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from portal import clock


@dataclass
class Stage:
    """What one stage of the seeding says it wrote, for its progress line."""

    result: str = ""

    def done(self, result: str) -> None:
        self.result = result


@dataclass
class SeedContext:
    """What every app's demo seeder receives."""

    out: TextIO
    scale: int = 1
    rng: random.Random = field(default_factory=lambda: random.Random(20260101))  # noqa: S311 - demo data
    today: date = field(default_factory=clock.today)  # Shanghai's date, not UTC's
    reports: list[Callable[[], None]] = field(default_factory=list)
    # Progress: one line per stage ("[3/7] 诉求 … 1,102 件，58 s"); verbosity 0 prints none.
    # `stages` is the total the command announces (each demo module's STAGES, added up).
    verbosity: int = 1
    stages: int = 0
    _stages_done: int = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Name a stage before it runs and finish its line with what it wrote and how long it
        took, so a long first run is never silent:

            with ctx.stage("信访接待") as stage:
                ...
                stage.done(f"{n} 次")
        """
        self._stages_done += 1
        stage = Stage()
        if self.verbosity < 1:
            yield stage
            return
        number = f"{self._stages_done}/{self.stages}" if self.stages else str(self._stages_done)
        self._write(f"  [{number}] {name} …")
        started = time.monotonic()
        try:
            yield stage
        except BaseException:
            self._write(f" 中断，{time.monotonic() - started:.0f} s\n")  # the error follows
            raise
        self._write(f" {stage.result or '完成'}，{time.monotonic() - started:.0f} s\n")

    def _write(self, text: str) -> None:
        # Django's OutputWrapper ends every write with a newline unless told otherwise.
        if hasattr(self.out, "style_func"):
            self.out.write(text, ending="")
        else:
            self.out.write(text)
        self.out.flush()

    def report_at_end(self, report: Callable[[], None]) -> None:
        """Print a summary once every app has been seeded, not when this app is done.

        A figure that later apps change must be counted on the finished data: 近期安排 counts
        every practice, and petitions adds its 信访接待 after outreach has run, so counted
        early the first run prints fewer than the second.
        """
        self.reports.append(report)
