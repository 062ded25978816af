"""宣传党的政策下基层: policy talks, their series and photos."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext_lazy, pgettext_lazy

from portal.models import PhotoBase, Team, TeamMember

from .base import Activity, ActivityStatus, counted_figure

# --- 宣传党的政策下基层: policy talks -----------------------------------------------------------


class TalkKind(models.TextChoices):
    THEORY = "theory", _("理论宣讲")
    CULTURE = "culture", _("文化惠民")
    LAW = "law", _("普法宣传")


class ReachMethod(models.TextChoices):
    HEADCOUNT = "headcount", _("现场清点")
    VENUE = "venue", _("按场地容量估算")
    ONLINE = "online", _("线上观看统计")
    HOUSEHOLDS = "households", _("入户覆盖户数×户均人口")
    OTHER = "other", _("其他（见说明）")


class TalkSeries(models.Model):
    """A named series of talks or events (感党恩·听党话·跟党走, 文化进万家, 曲艺周末乐 …)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    kind = models.CharField(_("类别"), max_length=12, choices=TalkKind.choices, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "宣讲系列")
        verbose_name_plural = pgettext_lazy("model plural", "宣讲系列")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="") | Q(kind__in=TalkKind.values), name="talkseries_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PolicyTalk(Activity):
    """One policy talk, cultural event or legal-outreach session held for residents."""

    kind = models.CharField(_("类别"), max_length=12, choices=TalkKind.choices)
    series = models.ForeignKey(
        TalkSeries,
        on_delete=models.PROTECT,
        related_name="talks",
        null=True,
        blank=True,
        verbose_name=_("系列"),
    )
    teams = models.ManyToManyField(
        Team, blank=True, related_name="policy_talks", verbose_name=_("组织队伍")
    )
    speakers = models.ManyToManyField(
        TeamMember, blank=True, related_name="policy_talks", verbose_name=_("宣讲人")
    )
    other_speakers = models.CharField(
        _("其他宣讲人"),
        max_length=120,
        blank=True,
        help_text=_("不在队伍名单中的宣讲人，如 区委宣讲团成员"),
    )
    # People sign a sheet at the door: the largest square event of a sub-district (a 文化进万家
    # evening) signs in hundreds, 5,000 is beyond any venue a community has.
    attendance_signed = counted_figure(_("签到人数"), 5000, help_text=_("签到表上的实际人数"))
    # Includes online viewing of a streamed talk; 100,000 is about everyone living in a
    # sub-district (6,000+ were reached by 80 talks in a year).
    reach_estimated = counted_figure(
        _("估算惠及人数"), 100_000, help_text=_("含未签到的观众、线上观看等；不少于签到人数")
    )
    reach_method = models.CharField(
        _("估算方法"), max_length=12, choices=ReachMethod.choices, blank=True
    )
    reach_note = models.CharField(_("估算说明"), max_length=200, blank=True)

    practice = "talks"
    practice_label = _("政策宣讲")
    practice_unit = npgettext_lazy("unit of policy talks", "场", "场", "n")
    figure_fields = ("attendance_signed", "reach_estimated")
    results_required = ("attendance_signed", "reach_estimated")
    figure_notes = ("reach_method", "reach_note")

    class Meta(Activity.Meta):
        verbose_name = pgettext_lazy("model", "政策宣讲")
        verbose_name_plural = pgettext_lazy("model plural", "政策宣讲")
        permissions = [("publish_policytalk", _("发布政策宣讲"))]
        constraints = [
            *Activity.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=TalkKind.values), name="policytalk_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(reach_method="") | Q(reach_method__in=ReachMethod.values),
                name="policytalk_reach_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(reach_estimated__isnull=True)
                | Q(attendance_signed__isnull=True)
                | Q(reach_estimated__gte=F("attendance_signed")),
                name="policytalk_reach_not_below_attendance",
            ),
            models.CheckConstraint(
                condition=Q(reach_estimated__isnull=True) | ~Q(reach_method=""),
                name="policytalk_estimate_has_method",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActivityStatus.HELD)
                | Q(attendance_signed__isnull=False)
                | Q(reach_estimated__isnull=False),
                name="policytalk_held_has_audience",
            ),
        ]

    def missing_results(self) -> str | None:
        if self.attendance_signed is None and self.reach_estimated is None:
            return _("请填写签到人数或估算惠及人数。")
        return None

    @property
    def reach(self) -> int:
        """惠及人数: the estimate where one was made, otherwise the signed-in attendance."""
        if self.reach_estimated is not None:
            return self.reach_estimated
        return self.attendance_signed or 0

    def clean(self) -> None:
        super().clean()
        errors = {}
        if (
            self.reach_estimated is not None
            and self.attendance_signed is not None
            and self.reach_estimated < self.attendance_signed
        ):
            errors["reach_estimated"] = _("估算惠及人数不能少于签到人数。")
        if self.reach_estimated is not None and not self.reach_method:
            errors["reach_method"] = _("填写估算人数时请选择估算方法。")
        if errors:
            raise ValidationError(errors)


class PolicyTalkPhoto(PhotoBase):
    """A photo of a policy talk."""

    activity = models.ForeignKey(
        PolicyTalk, on_delete=models.CASCADE, related_name="photos", verbose_name=_("政策宣讲")
    )

    class Meta(PhotoBase.Meta):
        verbose_name = pgettext_lazy("model", "宣讲照片")
        verbose_name_plural = pgettext_lazy("model plural", "宣讲照片")
