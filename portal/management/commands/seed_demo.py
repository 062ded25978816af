"""Load demo data: reference data, a demo account per role, and each app's demo records."""

from __future__ import annotations

import importlib
import random
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.demo import demo_logins
from portal.figures import home_figures
from portal.formats import cn_period
from portal.seeding import SeedContext
from portal.volume import MAX_SCALE

# The apps that ship demo data, in the order they must run: each uses the earlier ones' rows.
# Named by app label: the news (portal.news, label "news") comes last, written by the demo
# accounts and citing the other apps' records.
DEMO_APPS = ("portal", "outreach", "petitions", "news")


class Command(BaseCommand):
    help = (
        "载入演示数据（可重复运行，不会重复创建）。--only 只载入指定应用（及其依赖）的演示数据。"
        "--scale N（2 至 100）在演示数据之外生成压测数据：共 N × 10,000 件诉求、N × 1,000 项"
        "下基层活动，社区 5 + ⌈0.45N⌉ 个、网格 10 + ⌈4.9N⌉ 个（N = 100 时 100 万件诉求、"
        "10 万项活动、50 个社区、500 个网格），都在新增的社区（编号 vol-001…）里，演示社区不变；"
        "PostgreSQL 上用 COPY 批量写入（N = 100 约需 10 分钟以内）。同一 N 再次运行不重复生成，"
        "在已有压测数据的库上改用别的 N 会被拒绝（请用新数据库）。"
        "写完可用 check_consistency 抽查。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=(
                "压测规模 N：1 只载入演示数据（默认）；2 至 100 另加压测数据，"
                "共 N × 10,000 件诉求、N × 1,000 项活动（见上）"
            ),
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="在 DJANGO_DEBUG=false 时也允许载入（演示账号密码是公开的，切勿用于正式环境）",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="不打印演示账号")
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            metavar="HOST:PORT",
            help="打印的后台地址的主机和端口（make run 传入 HOST:PORT），默认 127.0.0.1:8000",
        )
        parser.add_argument(
            "--only",
            nargs="+",
            choices=DEMO_APPS,
            metavar="APP",
            help=(
                f"只载入这些应用的演示数据（可选 {'、'.join(DEMO_APPS)}，默认全部）。"
                "后面的应用依赖前面的：例如 --only petitions 也会先载入 portal 和 outreach"
                "（已载入的不会重复创建）"
            ),
        )

    def handle(self, *args: object, **options: object) -> None:
        scale = int(options["scale"])
        if not 1 <= scale <= MAX_SCALE:
            raise CommandError(f"--scale 必须是 1 至 {MAX_SCALE} 的整数")
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DJANGO_DEBUG=false：拒绝载入演示数据（演示账号的密码是公开的）。"
                "确需在此环境载入请加 --allow-production。"
            )
        verbosity = int(options["verbosity"])
        ctx = SeedContext(
            out=self.stdout, scale=scale, rng=random.Random(20260101), verbosity=verbosity
        )
        if verbosity >= 1:
            self.stdout.write("载入演示数据…")
        wanted = self.apps_to_seed(options["only"])
        modules = self.app_modules(wanted, "demo")
        # The volume for benchmarks (each app's `volume` module) follows the whole demo.
        volume = self.app_modules(wanted, "volume") if scale > 1 else []
        ctx.stages = sum(getattr(module, "STAGES", 0) for module in [*modules, *volume])
        for module in [*modules, *volume]:
            module.seed(ctx)
        for report in ctx.reports:
            report()
        if wanted == set(DEMO_APPS):
            self.print_home_figures(ctx)
        if not options["quiet_logins"]:
            self.print_logins(str(options["address"]))

    def app_modules(self, wanted: set[str], name: str) -> list[ModuleType]:
        """Each wanted app's module `name` (`demo`, `volume`: with seed(ctx)) that exists, in
        INSTALLED_APPS order, so later apps can use earlier apps' data."""
        modules = []
        for config in apps.get_app_configs():
            if config.label not in wanted:
                continue
            try:
                modules.append(importlib.import_module(f"{config.name}.{name}"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.{name}":
                    raise
        return modules

    def print_home_figures(self, ctx: SeedContext) -> None:
        """The home page's counters as the home page counts them (same function, period and
        units), so what `make run` prints is what the first page shows."""
        figures = home_figures(ctx.today)
        counters = "，".join(f"{label} {n:,} {unit}" for label, n, unit in figures.counters())
        period = cn_period(figures.start, figures.end)
        self.stdout.write(f"  首页显示（{period}，已公开的）：{counters}")

    def apps_to_seed(self, only: list[str] | None) -> set[str]:
        """The apps asked for and every app they depend on (all those before them)."""
        if not only:
            return set(DEMO_APPS)
        if unknown := sorted(set(only) - set(DEMO_APPS)):
            raise CommandError(f"--only 不认识 {'、'.join(unknown)}：可选 {'、'.join(DEMO_APPS)}")
        last = max(DEMO_APPS.index(name) for name in only)
        wanted = set(DEMO_APPS[: last + 1])
        if added := [name for name in DEMO_APPS if name in wanted and name not in only]:
            self.stdout.write(f"  （{'、'.join(only)} 依赖 {'、'.join(added)}，一并载入）")
        return wanted

    def print_logins(self, address: str) -> None:
        self.stdout.write(self.style.SUCCESS("\n演示账号（仅用于试用）："))
        self.stdout.write(f"  {'用户名':<14}{'密码':<16}角色")
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<16}{password:<18}{role}")
        self.stdout.write(f"  后台地址：http://{address}/admin/\n")
