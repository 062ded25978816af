"""Publish the news articles whose scheduled time has come (run every minute by cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from portal.news.services import publish_due


class Command(BaseCommand):
    help = (
        "发布定时时间已到的新闻稿件（审发通过且定时发布的）。请由 cron 每分钟运行一次，例如："
        "* * * * * cd /srv/portal && .venv/bin/python manage.py publish_scheduled -v 0"
    )

    def handle(self, *args: object, **options: object) -> None:
        published = publish_due()
        if int(options["verbosity"]) >= 1:
            titles = "、".join(str(article) for article in published)
            self.stdout.write(f"已发布 {len(published)} 篇" + (f"：{titles}" if titles else ""))
