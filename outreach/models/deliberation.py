"""议事协商: residents' deliberation meetings, attendance by stakeholder and decisions."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, npgettext_lazy, pgettext_lazy

from portal.models import PhotoBase, StaffProfile

from .base import Activity, FigureLimit

# --- 议事协商: residents' deliberation meetings --------------------------------------------------


class StakeholderCategory(models.TextChoices):
    RESIDENTS = "residents", _("居民代表")
    PROPERTY = "property", _("物业公司")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    DEPUTIES = "deputies", _("人大代表、政协委员")
    ENFORCEMENT = "enforcement", _("综合执法")
    PARTY = "party", _("社区党委")
    UNITS = "units", _("驻区单位")
    OFFICE = "office", _("街道科室")
    OTHER = "other", _("其他")


class Deliberation(Activity):
    """One residents' deliberation meeting (人民议事协商会) on a hard matter."""

    minutes = models.TextField(_("会议纪要"), blank=True)
    officials = models.ManyToManyField(
        StaffProfile, blank=True, related_name="deliberations", verbose_name=_("主持及到会干部")
    )

    practice = "deliberations"
    practice_label = _("议事协商")
    practice_unit = npgettext_lazy("unit of deliberation meetings", "场", "场", "n")
    results_required = ("minutes",)
    figure_rows = ("attendance",)

    class Meta(Activity.Meta):
        verbose_name = pgettext_lazy("model", "议事协商会")
        verbose_name_plural = pgettext_lazy("model plural", "议事协商会")
        permissions = [("publish_deliberation", _("发布议事协商会"))]

    def missing_results(self) -> str | None:
        return _("请填写会议纪要。") if not self.minutes.strip() else None

    # The meeting's counted figure is its attendance, one number per stakeholder category
    # (rows of DeliberationAttendance): "attendance.residents" and so on.
    ATTENDANCE = "attendance."

    def figures(self) -> dict[str, int | None]:
        if self.pk is None:
            return {}
        rows = DeliberationAttendance.objects.filter(deliberation_id=self.pk)
        return {f"{self.ATTENDANCE}{c}": n for c, n in rows.values_list("category", "count")}

    @classmethod
    def figure_limit(cls, name: str) -> FigureLimit | None:
        validators = DeliberationAttendance._meta.get_field("count").validators
        return next((v for v in validators if isinstance(v, FigureLimit)), None)

    @classmethod
    def figure_label(cls, name: str) -> str:
        category = name.removeprefix(cls.ATTENDANCE)
        return _("参会人数（%(category)s）") % {
            "category": dict(StakeholderCategory.choices).get(category, category)
        }


class DeliberationPhoto(PhotoBase):
    """A photo of a deliberation meeting."""

    activity = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="photos", verbose_name=_("议事协商会")
    )

    class Meta(PhotoBase.Meta):
        verbose_name = pgettext_lazy("model", "议事照片")
        verbose_name_plural = pgettext_lazy("model plural", "议事照片")


class DeliberationAttendance(models.Model):
    """How many people of one stakeholder category attended a deliberation meeting."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("议事协商会"),
    )
    category = models.CharField(_("类别"), max_length=20, choices=StakeholderCategory.choices)
    # A deliberation hall seats tens (422 attended 24 meetings in a year); 500 of one kind of
    # stakeholder would fill a cinema.
    count = models.PositiveIntegerField(
        _("人数"), validators=[MinValueValidator(1), FigureLimit(500, _("参会人数"))]
    )
    names = models.CharField(
        _("单位或代表"),
        max_length=200,
        blank=True,
        help_text=_("如 物业公司名称；居民代表不填姓名"),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "参会人员")
        verbose_name_plural = pgettext_lazy("model plural", "参会人员")
        ordering = ["deliberation_id", "category"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=StakeholderCategory.values),
                name="deliberationattendance_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(count__gte=1), name="deliberationattendance_count_pos"
            ),
            models.UniqueConstraint(
                fields=["deliberation", "category"], name="deliberationattendance_unique_category"
            ),
        ]

    def __str__(self) -> str:
        return ngettext("%(category)s %(n)d人", "%(category)s %(n)d人", self.count) % {
            "category": self.get_category_display(),
            "n": self.count,
        }


class DeliberationDecision(models.Model):
    """One decision taken by a deliberation meeting; ledger cases can be settled by it."""

    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("议事协商会"),
    )
    text = models.TextField(_("决定事项"))
    responsible = models.CharField(_("责任单位"), max_length=100, blank=True)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("序号"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "议定事项")
        verbose_name_plural = pgettext_lazy("model plural", "议定事项")
        ordering = ["deliberation_id", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
