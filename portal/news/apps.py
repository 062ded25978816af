from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from portal import append_only

# Written once, never changed: a revision, a signature, a step on the record, a frozen figure,
# a dismissed proofreading finding.
APPEND_ONLY = {
    "news_revision": "稿件版本只能新增，不能修改",
    "news_signature": "审核签名只能追加，不能修改",
    "news_articleevent": "稿件记录只能追加，不能修改",
    "news_frozenfigure": "固定数据只能新增，不能修改",
    "news_proofdismissal": "已忽略的校对提示只能追加，不能修改",
}


class NewsConfig(AppConfig):
    name = "portal.news"
    label = "news"
    verbose_name = _("新闻动态")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        for table, message in APPEND_ONLY.items():
            append_only.declare(table, message)
        post_migrate.connect(
            append_only.restore_triggers, sender=self, dispatch_uid="news.append_only"
        )
