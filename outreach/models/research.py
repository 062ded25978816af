"""调查研究下基层: field research visits, themes and photos."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext_lazy, pgettext_lazy

from portal.models import PhotoBase, StaffProfile

from .base import Activity, counted_figure

# --- 调查研究下基层: field research -------------------------------------------------------------


class VisitKind(models.TextChoices):
    DAILY = "daily", _("日常调研")
    FOCUSED = "focused", _("集中调研")
    SECRETARY_DAY = "secretary_day", _("书记亲民走访日")


class ResearchTheme(models.Model):
    """A research theme the office is working on (老旧小区改造, 一刻钟社区生活圈, 智慧社区 …)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "调研主题")
        verbose_name_plural = pgettext_lazy("model plural", "调研主题")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FieldVisit(Activity):
    """One research visit: officials walking a community, calling on households, noting problems."""

    kind = models.CharField(_("类别"), max_length=16, choices=VisitKind.choices)
    lead_official = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="led_visits",
        verbose_name=_("带队领导"),
    )
    participants = models.ManyToManyField(
        StaffProfile,
        blank=True,
        related_name="field_visits",
        verbose_name=_("参加人员"),
        help_text=_("包片领导、社区书记、网格员等"),
    )
    themes = models.ManyToManyField(
        ResearchTheme, blank=True, related_name="visits", verbose_name=_("调研主题")
    )
    # A visiting team calls on tens of households in a day (954 in a year's 62 visits); a whole
    # large compound (about 1,000 households) is the most one concentrated visit covers.
    households_visited = counted_figure(_("走访户数"), 1000)
    diary = models.TextField(
        _("民情日志"), blank=True, help_text=_("内部记录，不对外公开；发现的问题请登记为诉求")
    )

    practice = "research"
    practice_label = _("调查研究")
    practice_unit = npgettext_lazy("unit of research visits", "次", "次", "n")
    figure_fields = ("households_visited",)
    results_required = ("households_visited",)

    class Meta(Activity.Meta):
        verbose_name = pgettext_lazy("model", "调查研究")
        verbose_name_plural = pgettext_lazy("model plural", "调查研究")
        permissions = [("publish_fieldvisit", _("发布调查研究"))]
        constraints = [
            *Activity.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=VisitKind.values), name="fieldvisit_kind_valid"
            ),
        ]

    def missing_results(self) -> str | None:
        return _("请填写走访户数。") if self.households_visited is None else None


class FieldVisitPhoto(PhotoBase):
    """A photo of a research visit."""

    activity = models.ForeignKey(
        FieldVisit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("调查研究")
    )

    class Meta(PhotoBase.Meta):
        verbose_name = pgettext_lazy("model", "调研照片")
        verbose_name_plural = pgettext_lazy("model plural", "调研照片")
