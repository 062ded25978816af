"""The record of an activity (活动记录): every change of its status or publication, every edit
of its counted figures and every edit of a public activity's content (which fields), with who
made it, their unit, when, from → to (or old → new) and a note.

One table serves every practice (the petition-reception activity too, through its content type),
written only by outreach.services and never changed afterwards: a database trigger refuses
updates (and deletions on PostgreSQL), as it does for the case timeline.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import clock

from .base import ActivityStatus


class ActivityEventKind(models.TextChoices):
    RECORDED = "recorded", pgettext_lazy("activity event", "登记")
    HELD = "held", pgettext_lazy("activity event", "记为已举办")
    CANCELLED = "cancelled", pgettext_lazy("activity event", "取消")
    RESTORED = "restored", pgettext_lazy("activity event", "恢复为计划中")
    PUBLISHED = "published", pgettext_lazy("activity event", "公开")
    UNPUBLISHED = "unpublished", pgettext_lazy("activity event", "撤回公开")
    FIGURES_CHANGED = "figures_changed", pgettext_lazy("activity event", "修改举办数据")
    # An edit of a public activity's content (title, summary, photos …): which fields, by
    # name, not the text (the page and Django's log of saves show the text).
    CONTENT_CHANGED = "content_changed", pgettext_lazy("activity event", "修改内容")


# The kinds that move the status: they always say to which.
STATUS_KINDS = (ActivityEventKind.HELD, ActivityEventKind.CANCELLED, ActivityEventKind.RESTORED)
_STATUS_OR_NONE = ["", *ActivityStatus.values]


class ActivityEventQuerySet(models.QuerySet):
    def of(self, activity: Any) -> ActivityEventQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(activity)),
            object_id=activity.pk,
        )

    def for_history(self) -> ActivityEventQuerySet:
        """Newest first, with who made each change and their name."""
        return self.select_related("actor__staff_profile").order_by("-at", "-pk")


class ActivityEvent(models.Model):
    """One change to an activity on its record: who, their unit, when, what. Append-only."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("活动类别")
    )
    object_id = models.PositiveBigIntegerField(_("活动编号"))
    at = models.DateTimeField(_("时间"), default=clock.now)
    # None: the portal itself (the weekly rota command plans sessions with nobody at the keys).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("操作人"),
    )
    # The unit as it was when the change was made (凤凰岭社区, or the role of staff without one).
    actor_unit = models.CharField(_("操作单位"), max_length=60, blank=True)
    kind = models.CharField(_("事项"), max_length=16, choices=ActivityEventKind.choices)
    from_status = models.CharField(
        _("原状态"), max_length=12, choices=ActivityStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("新状态"), max_length=12, choices=ActivityStatus.choices, blank=True
    )
    # Counted figures as {name: [old, new]} (names as Activity.figures() gives them); for an
    # edit of the public content, {"edited": [field names]}.
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)

    objects = ActivityEventQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "活动记录")
        verbose_name_plural = pgettext_lazy("model plural", "活动记录")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActivityEventKind.values), name="activityevent_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(from_status__in=_STATUS_OR_NONE) & Q(to_status__in=_STATUS_OR_NONE),
                name="activityevent_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=STATUS_KINDS) | ~Q(to_status=""),
                name="activityevent_status_change_has_status",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="activityevent_obj_idx"),
            models.Index(fields=["actor", "at"], name="activityevent_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.get_kind_display()}"
