"""Check that the records hold together: constraints, append-only tables, and a random sample
of cases and activities against their timelines (each app's ``consistency`` module)."""

from __future__ import annotations

import importlib
import random
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.consistency import PROJECT_APPS, Check

SHOWN = 10  # problems printed per check


class Command(BaseCommand):
    help = (
        "检查数据是否自洽：重算所有 CHECK 约束（全表）、确认办理记录和活动记录只能追加，"
        "并抽查诉求（办理记录与状态、时间、期限、次数、公开标记）和活动（记录与状态、公开、"
        "举办数据）。发现问题时列出并以非零状态退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sample", type=int, default=1000, help="抽查的诉求件数（活动同数），默认 1000"
        )
        parser.add_argument("--seed", type=int, default=None, help="抽样的随机种子（默认每次不同）")

    def handle(self, *args: object, **options: object) -> None:
        sample = int(options["sample"])
        if sample < 1:
            raise CommandError("--sample 必须是正整数")
        seed = options["seed"] if options["seed"] is not None else random.randrange(10**6)
        rng = random.Random(seed)
        self.stdout.write(f"检查数据（抽样 {sample}，种子 {seed}）…")
        failed = 0
        for module in self.modules():
            started = time.monotonic()
            for check in module.checks(sample, rng):
                self.report(check, time.monotonic() - started)
                started = time.monotonic()
                failed += not check.ok
        if failed:
            raise CommandError(f"{failed} 项检查发现问题")
        self.stdout.write(self.style.SUCCESS("全部通过"))

    def modules(self) -> list:
        found = []
        for config in apps.get_app_configs():
            if config.name not in PROJECT_APPS:
                continue
            try:
                found.append(importlib.import_module(f"{config.name}.consistency"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.consistency":
                    raise
        return found

    def report(self, check: Check, seconds: float) -> None:
        if check.ok:
            line = f"  通过  {check.name}：查了 {check.checked:,} 项，{seconds:.1f} s"
            self.stdout.write(line)
            return
        self.stdout.write(
            self.style.ERROR(
                f"  问题  {check.name}：查了 {check.checked:,} 项，{len(check.problems):,} 处问题"
            )
        )
        for problem in check.problems[:SHOWN]:
            self.stdout.write(f"        {problem}")
        if len(check.problems) > SHOWN:
            self.stdout.write(f"        …另有 {len(check.problems) - SHOWN:,} 处")
