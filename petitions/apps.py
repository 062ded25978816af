from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("诉求与信访")

    def ready(self) -> None:
        from outreach.stats import register_practice  # noqa: PLC0415 - models load only once the app registry is ready
        from petitions.models import Reception  # noqa: PLC0415 - models load only once the app registry is ready

        register_practice(Reception)
