"""What a resident's online submission leaves besides the case: photos, and the form's one-time
token that makes a double click return the first receipt instead of a second case.

Residents' photos are case material, not publicity: they may show homes, faces and licence
plates. They live under a private storage root (``MEDIA_ROOT/private``) that has no URL at all;
``portal.views.public_media`` and any web server in front serve only ``MEDIA_ROOT/photos``. Staff
open them through ``petitions:attachment-file``, which checks login, permission and
``Case.objects.visible_to``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from petitions.models.case import Case
from portal import clock
from portal.models import PhotoBase

PRIVATE_DIR = "private"
RENDITIONS = ("image", "display", "thumbnail")


class PrivateMediaStorage(FileSystemStorage):
    """Files under ``MEDIA_ROOT/private`` that have no URL (``.url`` raises ``ValueError``).

    The location follows ``MEDIA_ROOT`` (also when tests change it), like the default storage.
    """

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / PRIVATE_DIR)

    @cached_property
    def base_url(self) -> None:
        return None


private_storage = PrivateMediaStorage()


def attachment_path(instance: models.Model, filename: str) -> str:
    # Names come from portal.images (random uuid4), so one file's name says nothing of another.
    return f"cases/{filename}"


class CaseAttachment(PhotoBase):
    """A photo a resident attached to a request; only staff who can see the case may open it."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("诉求")
    )
    image = models.ImageField(
        _("照片"),
        storage=private_storage,
        upload_to=attachment_path,
        width_field="width",
        height_field="height",
    )
    display = models.ImageField(
        _("展示图"), storage=private_storage, upload_to=attachment_path, editable=False
    )
    thumbnail = models.ImageField(
        _("缩略图"), storage=private_storage, upload_to=attachment_path, editable=False
    )

    class Meta(PhotoBase.Meta):
        verbose_name = pgettext_lazy("model", "诉求照片")
        verbose_name_plural = pgettext_lazy("model plural", "诉求照片")

    def staff_url(self, rendition: str = "display") -> str:
        """Where staff open this photo (login, permission and case scope are checked there)."""
        return reverse("petitions:attachment-file", args=[self.pk, rendition])


class OnlineSubmission(models.Model):
    """One submitted 我要反映 form: the hash of its one-time token and the case it created.

    The unique token makes a double click (two POSTs of the same form) create one case: the
    second insert waits for the first transaction and then finds its case.
    """

    token_hash = models.CharField(_("表单令牌（摘要）"), max_length=64, unique=True)
    case = models.OneToOneField(
        Case,
        on_delete=models.CASCADE,
        related_name="online_submission",
        null=True,
        blank=True,
        verbose_name=_("诉求"),
    )
    created_at = models.DateTimeField(_("提交时间"), default=clock.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "网上提交记录")
        verbose_name_plural = pgettext_lazy("model plural", "网上提交记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.case_id or ''}"
