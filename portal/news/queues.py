"""What awaits a person among the news articles, for the workbench (工作台): 待我审核 (the
articles a guard offers them a signature on), 待发布 and 定时发布未执行 for those who publish,
退回待修改 for authors. One aggregate query; each links to the article list filtered to
exactly those rows (ArticleAdmin's 待办 filter, built from the same rule-book functions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.access import scope_of
from portal.actors import Viewer
from portal.news import rules
from portal.news.models import Article, ReviewStep
from portal.news.public import nav_columns
from portal.roles import Role
from portal.worklist import WorkQueue


def _url(queue: str) -> str:
    return reverse("admin:news_article_changelist") + f"?queue={queue}"


def workbench_queues(user: Viewer) -> list[WorkQueue]:
    if not (user.has_perm("news.view_article") or user.has_perm("news.change_article")):
        return []
    articles = Article.objects.all()
    signs = rules.awaiting_signature(articles, user).values("pk")
    writes = user.has_perm("news.add_article")
    publishes = user.has_perm("news.publish_article")
    filters = {"to_sign": Q(pk__in=signs)}
    if publishes:
        filters["to_publish"] = Q(pk__in=rules.to_publish(articles, user).values("pk"))
        missed = rules.schedule_missed(articles, user, now=clock.now())
        filters["schedule_missed"] = Q(pk__in=missed.values("pk"))
    if writes:
        filters["sent_back"] = Q(pk__in=rules.sent_back_to(articles, user).values("pk"))
    counts = articles.aggregate(**{k: Count("pk", filter=q) for k, q in filters.items()})
    signers = set(ReviewStep.objects.values_list("role", flat=True))
    queues = []
    role = scope_of(user).role
    if role in signers:
        queues.append(
            WorkQueue(
                key="news_to_sign",
                label=_("待我审核"),
                count=counts["to_sign"],
                url=_url("to_sign"),
                tone="warning",
                help=_("等待您签批的新闻稿件（三审中由您的角色签批的环节）。"),
            )
        )
    if publishes:
        queues.append(
            WorkQueue(
                key="news_to_publish",
                label=_("稿件待发布"),
                count=counts["to_publish"],
                url=_url("to_publish"),
                help=_("已审发通过、尚未发布也未定时的稿件。"),
            )
        )
        queues.append(
            WorkQueue(
                key="news_schedule_missed",
                label=_("定时发布未执行"),
                count=counts["schedule_missed"],
                url=_url("schedule_missed"),
                tone="danger",
                help=_("已过定时发布时间仍未公开：定时发布任务可能没有运行。"),
            )
        )
    if writes:
        queues.append(
            WorkQueue(
                key="news_sent_back",
                label=_("稿件退回待修改"),
                count=counts["sent_back"],
                url=_url("sent_back"),
                help=_("您撰写或送审的稿件被退回，修改后请重新送审。"),
            )
        )
    return queues


# A public 栏目 with nothing new for this many days is pointed out to those who fill it.
STALE_DAYS = 14
# Who is told: the 编辑 writes for the columns, the 书记 answers for the site.
STALE_ROLES = (Role.EDITOR, Role.SECRETARY)


@dataclass(frozen=True)
class StaleColumn:
    name: str
    days: int  # since something was last published in it
    write_url: str  # the article add page with this 栏目 chosen


def stale_columns(user: Viewer) -> list[StaleColumn]:
    """The active public 栏目 with nothing published for STALE_DAYS days, the stalest first
    (for the editor and the secretary). One query."""
    if scope_of(user).role not in STALE_ROLES:
        return []
    today = clock.today()
    add_url = reverse("admin:news_article_add")
    stale = []
    for column in nav_columns().filter(is_active=True):
        last_published = column.last_published  # type: ignore[attr-defined]  # annotated
        days = (today - timezone.localdate(last_published)).days
        if days >= STALE_DAYS:
            stale.append(StaleColumn(column.name, days, f"{add_url}?column={column.pk}"))
    return sorted(stale, key=lambda c: -c.days)
