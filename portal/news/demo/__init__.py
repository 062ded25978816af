"""Demo news of 凤凰岭街道: the articles of ``data/news.toml``, each taken through the 三审
chain by the demo accounts with the clock set for each step, so the review record, the
signatures and the publication times read as they would on a real site.

Once only (an article by the demo author exists): later runs change nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal import clock
from portal.demo import texts
from portal.demo.photos import Album
from portal.news import services
from portal.news.models import Article, Column, Cover
from portal.seeding import SeedContext

__all__ = ["seed"]

STAGES = 1
DATA = texts("portal.news.demo", "news")
AUTHOR, CHAIN, PUBLISHER = "sqshuji", ("bianji", "baopian", "shuji"), "bianji"
COMMENTS = ("内容属实，同意送审。", "数据已核对，同意。", "同意发布。")
# A generated cover photo per 栏目 (notices go without one, as on most government sites).
SCENES = {"zuzhi-jianshe": "talk", "dangjian-yinling": "stage", "jiceng-zhili": "meeting"}
SCENES["weimin-fuwu"] = "onsite"


def seed(ctx: SeedContext) -> None:
    with ctx.stage("新闻稿件（三审后发布）") as stage:
        if Article.objects.filter(created_by__username=AUTHOR).exists():
            stage.done("已有演示稿件，未重复生成")
            return
        counts = write(ctx)
        stage.done("，".join(f"{state} {n} 篇" for state, n in counts.items()))


@transaction.atomic
def write(ctx: SeedContext) -> dict[str, int]:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[AUTHOR, *CHAIN])}
    columns = {c.slug: c for c in Column.objects.all()}
    counts = {"已发布": 0, "定时发布": 0, "待审核": 0, "草稿": 0, "配封面图": 0}
    album = Album(ctx.rng, variants=1)
    today_morning = timezone.make_aware(datetime.combine(ctx.today, time(9, 30)))
    ctx_now = clock.now()
    for row in DATA["article"]:
        state = row.get("state", "published")
        # Written five days before it went out; a pending one three days ago.
        out = today_morning - timedelta(days=row.get("days_ago", 0))
        moment = out - timedelta(days=5) if state == "published" else ctx_now - timedelta(days=3)
        moment = office_hours(moment)
        with clock.frozen(moment):
            cover = None
            if scene := SCENES.get(row["column"]):
                album.photograph(cover := Cover(), scene)
                counts["配封面图"] += 1
            article = services.create_article(draft(row, columns, cover), actor=users[AUTHOR])
        if state == "draft":
            counts["草稿"] += 1
            continue
        moment = office_hours(moment + timedelta(hours=2))
        with clock.frozen(moment):
            services.submit(article, actor=users[AUTHOR])
        steps = CHAIN[:1] if state == "reviewing" else CHAIN
        for signer, comment in zip(steps, COMMENTS, strict=False):
            moment = office_hours(moment + timedelta(hours=4))
            with clock.frozen(moment):
                services.sign(article, actor=users[signer], comment=comment)
        if state == "reviewing":
            counts["待审核"] += 1
        elif state == "scheduled":
            with clock.frozen(moment + timedelta(hours=1)):
                at = today_morning + timedelta(days=2)
                services.publish(article, actor=users[PUBLISHER], at=at)
            counts["定时发布"] += 1
        else:
            with clock.frozen(out):
                services.publish(article, actor=users[PUBLISHER])
            counts["已发布"] += 1
    return counts


def office_hours(moment: datetime) -> datetime:
    """``moment``, or the next 9:00 when it falls outside 9:00–18:00 (Shanghai): people sign
    at work, not at two in the morning."""
    local = timezone.localtime(moment)
    if local.hour < 9:
        return local.replace(hour=9, minute=local.minute)
    if local.hour >= 18:
        return (local + timedelta(days=1)).replace(hour=9, minute=local.minute)
    return moment


def draft(row: dict[str, Any], columns: dict[str, Column], cover: Cover | None) -> services.Draft:
    bylines = DATA["bylines"]
    return services.Draft(
        title=row["title"],
        column=columns[row["column"]],
        body="".join(f"<p>{paragraph}</p>" for paragraph in row["body"]),
        source=DATA["source"],
        byline=bylines[DATA["article"].index(row) % len(bylines)],
        summary=row["summary"],
        tags=row["tags"],
        cover=cover,
    )
