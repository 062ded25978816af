"""Outreach activities: policy talks, field research, on-site office sessions and deliberation
meetings — one model per practice, sharing an abstract base."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.access import ScopedQuerySet, ScopeRule
from portal.models import Community, Compound, Grid, PhotoBase, StaffProfile, Team, TeamMember


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


# Which status may follow which; services.change_status is the only way through it.
TRANSITIONS: dict[str, frozenset[str]] = {
    ActivityStatus.PLANNED: frozenset({ActivityStatus.HELD, ActivityStatus.CANCELLED}),
    ActivityStatus.CANCELLED: frozenset({ActivityStatus.PLANNED}),
    ActivityStatus.HELD: frozenset(),
}


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the portal's time zone, for index-friendly range filters."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


class ActivityQuerySet(ScopedQuerySet):
    def held(self) -> ActivityQuerySet:
        return self.filter(status=ActivityStatus.HELD)

    def planned(self) -> ActivityQuerySet:
        return self.filter(status=ActivityStatus.PLANNED)

    def published(self) -> ActivityQuerySet:
        return self.filter(is_published=True)

    def public(self) -> ActivityQuerySet:
        """What residents may open: published and not cancelled."""
        return self.published().exclude(status=ActivityStatus.CANCELLED)

    def upcoming(self, now: datetime | None = None) -> ActivityQuerySet:
        return self.planned().filter(starts_at__gte=now or timezone.now())

    def in_period(self, start: date | None, end: date | None) -> ActivityQuerySet:
        qs = self
        if start is not None:
            qs = qs.filter(starts_at__gte=local_day_bounds(start, start)[0])
        if end is not None:
            qs = qs.filter(starts_at__lt=local_day_bounds(end, end)[1])
        return qs

    def in_grid(self, grid: Any) -> ActivityQuerySet:
        return self.filter(grid=grid)

    def for_public_list(self) -> ActivityQuerySet:
        return self.select_related("community", "grid", "compound").prefetch_related("photos")


class Activity(models.Model):
    """Shared fields of every practice's activity (abstract)."""

    title = models.CharField(_("标题"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
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
        help_text=_("网格员登记时必填本人网格"),
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("小区"),
    )
    venue = models.CharField(_("地点"), max_length=120)
    summary = models.TextField(
        _("内容摘要"), blank=True, help_text=_("对居民公开，不要写居民个人信息")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    is_published = models.BooleanField(_("对外公开"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("登记人"),
        editable=False,
        help_text=_("空白表示由现场办公排班自动生成"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ScopeRule(community="community", grid="grid")
    objects = ActivityQuerySet.as_manager()

    # Set by subclasses: the public URL segment and how residents name the practice.
    practice: str = ""
    practice_label: Any = ""

    class Meta:
        abstract = True
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActivityStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="%(app_label)s_%(class)s_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="%(class)s_status_idx"),
            models.Index(fields=["community", "starts_at"], name="%(class)s_comm_idx"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(f"{self._meta.app_label}:{self._meta.model_name}-detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            errors["grid"] = _("所选网格不属于所选社区。")
        if (
            self.compound_id
            and self.community_id
            and self.compound.community_id != self.community_id
        ):
            errors["compound"] = _("所选小区不属于所选社区。")
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("结束时间不能早于开始时间。")
        if self.status == ActivityStatus.HELD and self.starts_at:
            # Edits to a held record keep it a record of something that happened, with results.
            if self.starts_at > timezone.now():
                errors["starts_at"] = _("已举办的活动，开始时间不能晚于现在。")
            elif problem := self.missing_results():
                errors[NON_FIELD_ERRORS] = problem
        if errors:
            raise ValidationError(errors)

    def missing_results(self) -> str | None:
        """What must still be filled in before this can be recorded as held (None: nothing)."""
        return None

    @property
    def is_upcoming(self) -> bool:
        return self.status == ActivityStatus.PLANNED and self.starts_at >= timezone.now()


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
    attendance_signed = models.PositiveIntegerField(
        _("签到人数"), null=True, blank=True, help_text=_("签到表上的实际人数")
    )
    reach_estimated = models.PositiveIntegerField(
        _("估算惠及人数"),
        null=True,
        blank=True,
        help_text=_("含未签到的观众、线上观看等；不少于签到人数"),
    )
    reach_method = models.CharField(
        _("估算方法"), max_length=12, choices=ReachMethod.choices, blank=True
    )
    reach_note = models.CharField(_("估算说明"), max_length=200, blank=True)

    practice = "talks"
    practice_label = _("政策宣讲")

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
    households_visited = models.PositiveIntegerField(_("走访户数"), null=True, blank=True)
    diary = models.TextField(
        _("民情日志"), blank=True, help_text=_("内部记录，不对外公开；发现的问题请登记为诉求")
    )

    practice = "research"
    practice_label = _("调查研究")

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
    residents_met = models.PositiveIntegerField(_("接待居民人数"), null=True, blank=True)
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
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=120)
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

    class Meta(Activity.Meta):
        verbose_name = pgettext_lazy("model", "议事协商会")
        verbose_name_plural = pgettext_lazy("model plural", "议事协商会")
        permissions = [("publish_deliberation", _("发布议事协商会"))]

    def missing_results(self) -> str | None:
        return _("请填写会议纪要。") if not self.minutes.strip() else None


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
    count = models.PositiveIntegerField(_("人数"))
    names = models.CharField(
        _("单位或代表"),
        max_length=200,
        blank=True,
        help_text=_("如 物业公司名称；居民代表不填姓名"),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "参会人员")
        verbose_name_plural = pgettext_lazy("model plural", "参会人员")
        ordering = ["deliberation", "category"]
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
        ordering = ["deliberation", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


PRACTICE_MODELS: tuple[type[Activity], ...] = (PolicyTalk, FieldVisit, OnsiteSession, Deliberation)
