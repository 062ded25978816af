from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from portal import append_only


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("诉求与信访")

    def ready(self) -> None:
        from outreach.stats import register_practice  # noqa: PLC0415 - models load only once the app registry is ready
        from petitions.models import Reception  # noqa: PLC0415 - models load only once the app registry is ready

        register_practice(Reception)
        # The timeline is append-only; on SQLite a table rebuild drops its trigger.
        append_only.declare("petitions_caseevent", "办理记录只能追加，不能修改")
        post_migrate.connect(
            append_only.restore_triggers, sender=self, dispatch_uid="petitions.append_only"
        )
