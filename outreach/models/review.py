"""Review of changes to published activities: the live version stays public while a change
made by someone without the publish permission waits for a publisher (as Wagtail keeps a page's
live version beside its pending revision).

One table serves every practice (the petition-reception activity too, through its content
type), so the mechanism lives here once and the practices need no field of their own.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import clock
from portal.access import ScopedQuerySet, ScopeRule
from portal.models import Community, Grid


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准公开")
    REJECTED = "rejected", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")


class RevisionQuerySet(ScopedQuerySet):
    def pending(self) -> RevisionQuerySet:
        return self.filter(status=RevisionStatus.PENDING)

    def of(self, activity: Any) -> RevisionQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(activity)),
            object_id=activity.pk,
        )


class ActivityRevision(models.Model):
    """One change to a published activity, or one publication, and who approved it."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("活动类别")
    )
    object_id = models.PositiveBigIntegerField(_("活动编号"))
    # Where the activity was when the change was made: scopes who sees the change.
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("网格"),
    )
    title = models.CharField(_("活动标题"), max_length=120)
    # What changed against the live version: {"fields": {name: [live, proposed]},
    # "m2m": {name: [live ids, proposed ids]}, "children": {name: {"added": [...],
    # "removed": [...], "changed": {pk: {field: [live, proposed]}}}} (see outreach.review).
    changes = models.JSONField(_("修改内容"), default=dict)
    status = models.CharField(
        _("审核状态"),
        max_length=12,
        choices=RevisionStatus.choices,
        default=RevisionStatus.PENDING,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    note = models.CharField(_("审核意见"), max_length=200, blank=True)

    scope_rule = ScopeRule(community="community", grid="grid")
    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "活动修改审核")
        verbose_name_plural = pgettext_lazy("model plural", "活动修改审核")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RevisionStatus.values),
                name="activityrevision_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=RevisionStatus.PENDING)
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="activityrevision_decided_has_who_and_when",
            ),
            # One pending change per activity: a second edit is merged into it.
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(status=RevisionStatus.PENDING),
                name="activityrevision_one_pending_per_activity",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="activityrevision_obj_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def activity(self) -> Any:
        return self.content_type.get_object_for_this_type(pk=self.object_id)
