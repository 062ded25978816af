"""现场办公下基层: on-site office sessions, their photos and the rota that plans them."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, npgettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.access import ScopedQuerySet, ScopeRule
from portal.models import Community, Compound, Grid, PhotoBase, StaffProfile

from .base import Activity, ActivityStatus, counted_figure

# --- 现场办公下基层: on-site office sessions ----------------------------------------------------


class VenueType(models.TextChoices):
    GRID_STATION = "grid_station", _("网格驿站")
    COUNCIL_HALL = "council_hall", _("协商议事厅")
    VOICE_PAVILION = "voice_pavilion", _("民声议事亭")
    NEIGHBOUR_PAVILION = "neighbour_pavilion", _("邻里议事亭")
    OTHER = "other", _("其他")


class OnsiteSession(Activity):
    """One on-site office session: officials receiving residents in a compound or grid station."""

    venue_type = models.CharField(_("场所类型"), max_length=20, choices=VenueType.choices)
    officials = models.ManyToManyField(
        StaffProfile, blank=True, related_name="onsite_sessions", verbose_name=_("到场干部")
    )
    # Office hours of an afternoon meet a few dozen residents (3,000+ over 200 sessions a year);
    # 1,000 would be a queue all day long at one station.
    residents_met = counted_figure(_("接待居民人数"), 1000)
    rota = models.ForeignKey(
        "OnsiteRota",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("排班"),
        editable=False,
    )

    practice = "onsite"
    practice_label = _("现场办公")
    practice_unit = npgettext_lazy("unit of on-site sessions", "场", "场", "n")
    figure_fields = ("residents_met",)
    results_required = ("residents_met",)

    class Meta(Activity.Meta):
        verbose_name = pgettext_lazy("model", "现场办公")
        verbose_name_plural = pgettext_lazy("model plural", "现场办公")
        permissions = [("publish_onsitesession", _("发布现场办公"))]
        constraints = [
            *Activity.Meta.constraints,
            models.CheckConstraint(
                condition=Q(venue_type__in=VenueType.values), name="onsitesession_venue_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ActivityStatus.HELD) | Q(residents_met__isnull=False),
                name="onsitesession_held_has_residents",
            ),
            # A rota plans each slot once, however often it is run.
            models.UniqueConstraint(
                fields=["rota", "starts_at"], name="onsitesession_rota_slot_unique"
            ),
        ]

    def missing_results(self) -> str | None:
        return _("请填写接待居民人数。") if self.residents_met is None else None

    default_title_hint = _(
        "可不填：留空时按社区自动命名，如“凤凰岭社区现场办公”（与排班生成的一致）"
    )

    def default_title(self) -> str:
        # Stored and published as data, in Chinese (as outreach.services.plan_from_rota names
        # the sessions it plans).
        return f"{self.community.name}现场办公" if self.community_id else ""


class OnsiteSessionPhoto(PhotoBase):
    """A photo of an on-site office session."""

    activity = models.ForeignKey(
        OnsiteSession, on_delete=models.CASCADE, related_name="photos", verbose_name=_("现场办公")
    )

    class Meta(PhotoBase.Meta):
        verbose_name = pgettext_lazy("model", "现场办公照片")
        verbose_name_plural = pgettext_lazy("model plural", "现场办公照片")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("周一")
    TUESDAY = 1, _("周二")
    WEDNESDAY = 2, _("周三")
    THURSDAY = 3, _("周四")
    FRIDAY = 4, _("周五")
    SATURDAY = 5, _("周六")
    SUNDAY = 6, _("周日")


class OnsiteRota(models.Model):
    """A standing weekly slot (e.g. every Friday 14:30 at a grid station) that plans sessions."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="onsite_rotas", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        related_name="onsite_rotas",
        null=True,
        blank=True,
        verbose_name=_("网格"),
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        related_name="onsite_rotas",
        null=True,
        blank=True,
        verbose_name=_("小区"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("星期"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    start_time = models.TimeField(_("开始时间"), default=time(14, 30))
    duration_minutes = models.PositiveSmallIntegerField(
        _("时长（分钟）"),
        default=120,
        validators=[MinValueValidator(15), MaxValueValidator(720)],
        help_text=_("15 至 720 分钟"),
    )
    venue = models.CharField(_("地点"), max_length=120)
    venue_type = models.CharField(_("场所类型"), max_length=20, choices=VenueType.choices)
    officials = models.ManyToManyField(
        StaffProfile,
        blank=True,
        related_name="onsite_rotas",
        verbose_name=_("值班干部"),
        help_text=_("通常为包片领导和社区书记"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    scope_rule = ScopeRule(community="community", grid="grid")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "现场办公排班")
        verbose_name_plural = pgettext_lazy("model plural", "现场办公排班")
        ordering = ["community__sort_order", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="onsiterota_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(venue_type__in=VenueType.values), name="onsiterota_venue_valid"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=720),
                name="onsiterota_duration_sane",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(community)s 每%(weekday)s %(time)s %(venue)s") % {
            "community": self.community.name,
            "weekday": self.get_weekday_display(),
            "time": f"{self.start_time:%H:%M}",
            "venue": self.venue,
        }

    def clean(self) -> None:
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            raise ValidationError({"grid": _("所选网格不属于所选社区。")})
