from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from portal import append_only


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("下基层活动")

    def ready(self) -> None:
        # The activity record is append-only; on SQLite a table rebuild drops its trigger.
        append_only.declare("outreach_activityevent", "活动记录只能追加，不能修改")
        post_migrate.connect(
            append_only.restore_triggers, sender=self, dispatch_uid="outreach.append_only"
        )
