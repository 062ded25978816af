from django.apps import AppConfig, apps
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_delete, post_migrate
from django.utils.translation import gettext_lazy as _


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("基础数据")

    def ready(self) -> None:
        from portal.images import photo_deleted  # noqa: PLC0415 - models load only once the app registry is ready
        from portal.models import PhotoBase  # noqa: PLC0415 - models load only once the app registry is ready
        from portal.services import sync_roles_after_migrate  # noqa: PLC0415 - models load only once the app registry is ready

        # Groups follow the role matrix in portal.roles. Like Django's own permission creation,
        # this is configuration, not domain flow, so post_migrate is the right moment.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="portal.sync_roles")
        # Storage housekeeping, not domain flow: a deleted photo row (directly or by cascade from
        # its activity or case) takes its three files with it once the deletion commits.
        for model in apps.get_models():
            if issubclass(model, PhotoBase):
                post_delete.connect(
                    photo_deleted,
                    sender=model,
                    dispatch_uid=f"portal.photo_files.{model._meta.label}",
                )
