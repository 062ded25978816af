"""Plan the coming weeks' on-site office sessions from every active rota (run weekly from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from outreach import services
from outreach.models import OnsiteRota


class Command(BaseCommand):
    help = "按启用的现场办公排班生成未来几周的计划（已有的不重复生成）。建议每周一由 cron 运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=4, help="生成几周，默认 4")

    def handle(self, *args: object, **options: object) -> None:
        total = 0
        for rota in OnsiteRota.objects.filter(is_active=True).select_related("community"):
            try:
                created = services.plan_from_rota(rota, actor=None, weeks=int(options["weeks"]))
            except services.ActivityError as exc:
                self.stderr.write(f"{rota}：{exc}")
                continue
            total += len(created)
        self.stdout.write(f"已生成 {total} 场现场办公计划。")
