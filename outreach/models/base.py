"""What every outreach practice shares: status and its transitions, scoping, the base activity."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.access import ScopedQuerySet, ScopeRule
from portal.formats import cn_date
from portal.models import Community, Compound, Grid


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


# Which status may follow which. The rule book (outreach.rules) asks it for every step, and the
# steps of outreach.services (mark_held, cancel_activity, restore_activity) are the only way
# through it.
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


class FigureLimit(MaxValueValidator):
    """The most of a counted figure one activity can plausibly have, said with the figure's name:
    a typo (2000000000 residents met) must not reach the public totals. The limits are set
    beside each figure, generously above what a sub-district ever counts in one activity."""

    message = _("%(field)s不能超过 %(limit_value)s：一次活动不会有这么多，请核对是否多输了数字。")

    def __init__(self, limit_value: int, label: Any) -> None:
        super().__init__(limit_value)
        self.label = label

    def __call__(self, value: Any) -> None:
        if value is not None and value > self.limit_value:
            raise ValidationError(self.message, code="max_value", params=self.params(self.label))

    def params(self, label: Any) -> dict[str, Any]:
        return {"field": label, "limit_value": f"{self.limit_value:,}"}

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.label == getattr(other, "label", None)

    __hash__ = MaxValueValidator.__hash__


def counted_figure(label: Any, limit: int, **kwargs: Any) -> models.PositiveIntegerField:
    """A counted figure of an activity (签到人数, 走访户数 …): empty until it is known, at most
    ``limit``."""
    return models.PositiveIntegerField(
        label, null=True, blank=True, validators=[FigureLimit(limit, label)], **kwargs
    )


def earliest_start() -> date:
    """The earliest day an activity may be logged for: 1 January of last year. Activities are
    logged within days; the one reason to go further back is entering last year's activities
    for the annual summary (年度总结) when an office starts using the portal. A date before that
    is a typo (2001 for 2026), and it would put a record outside every period anyone reads."""
    return date(clock.today().year - 1, 1, 1)


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

    def awaiting_publication(self) -> ActivityQuerySet:
        """Not public yet and not cancelled: what a publisher in scope is offered to publish
        (outreach.rules.publish says the same for one activity)."""
        return self.filter(is_published=False).exclude(status=ActivityStatus.CANCELLED)

    def upcoming(self, now: datetime | None = None) -> ActivityQuerySet:
        return self.planned().filter(starts_at__gte=now or clock.now())

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
    # The measure word (量词) the practice is counted in, the same on every page and summary:
    # a lazy plural, so English gets "1 talk" / "2 talks" (see ``unit_for``).
    practice_unit: Any = ""
    # The counted figures of the practice (签到人数, 走访户数 …) that the statistics add up: once
    # the activity is held, every edit of one is on its record with the old and new value.
    figure_fields: tuple[str, ...] = ()
    # What must be filled in before the activity can be recorded as held (one of them, where
    # there are several): marked "已举办时必填" on the forms, checked by ``missing_results``.
    results_required: tuple[str, ...] = ()
    # Rows that hold counted figures (a meeting's attendance): on the record as figures.
    figure_rows: tuple[str, ...] = ()
    # Fields that explain the figures (how a reach was estimated): edited with them, not
    # recorded as content edits.
    figure_notes: tuple[str, ...] = ()

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
                violation_error_message=_("结束时间不能早于开始时间。"),
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

    @classmethod
    def unit_for(cls, count: int) -> str:
        """The practice's measure word for ``count`` of it: 场 / 次 (English: talk, talks)."""
        return str(cls.practice_unit % {"n": count})

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
        if (
            self.starts_at
            and self._start_moved()
            and (timezone.localtime(self.starts_at).date() < (earliest := earliest_start()))
        ):
            errors["starts_at"] = _(
                "开始时间不能早于%(date)s：平台登记上一年以来的活动，请核对年份。"
            ) % {"date": cn_date(earliest)}
        # Edits to a held record keep it a record of something that happened.
        if self.status == ActivityStatus.HELD and self.starts_at:  # noqa: SIM102
            if self.starts_at > clock.now():
                errors["starts_at"] = _("已举办的活动，开始时间不能晚于现在。")
        if errors:
            raise ValidationError(errors)

    def _start_moved(self) -> bool:
        """New, or its start time changed: a record logged long ago keeps its date when someone
        edits something else on it."""
        if self._state.adding or self.pk is None:
            return True
        stored = type(self)._default_manager.filter(pk=self.pk).values_list("starts_at", flat=True)
        return stored.first() != self.starts_at

    def clean_fields(self, exclude: Any = None) -> None:
        """The fields' own checks, then (once held) the results the practice needs: unless one
        of those fields was already refused, by the form (−5) or by its own checks (too many) —
        a figure that was typed is never reported as missing as well."""
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        refused = set(exclude or ()) | set(errors)
        if (
            self.status == ActivityStatus.HELD
            and not refused & set(self.results_required)
            and (problem := self.missing_results())
        ):
            errors.setdefault(NON_FIELD_ERRORS, []).append(problem)
        if errors:
            raise ValidationError(errors)

    def figures(self) -> dict[str, int | None]:
        """The counted figures as stored now, by name (see ``figure_label``)."""
        return {name: getattr(self, name) for name in self.figure_fields}

    @classmethod
    def figure_label(cls, name: str) -> str:
        """How a figure is named on the activity's record (签到人数)."""
        return str(cls._meta.get_field(name).verbose_name)

    def missing_results(self) -> str | None:
        """What must still be filled in before this can be recorded as held (None: nothing)."""
        return None

    @classmethod
    def figure_limit(cls, name: str) -> FigureLimit | None:
        """The plausibility limit of figure ``name`` (see FigureLimit)."""
        validators = cls._meta.get_field(name).validators
        return next((v for v in validators if isinstance(v, FigureLimit)), None)

    def implausible_figures(self) -> list[str]:
        """Each counted figure above its limit, as one sentence naming it and the limit."""
        problems = []
        for name, value in self.figures().items():
            limit = self.figure_limit(name)
            if value is not None and limit is not None and value > limit.limit_value:
                problems.append(str(limit.message % limit.params(self.figure_label(name))))
        return problems

    # How a practice whose activities are named after their place says so on the add form;
    # empty: every activity needs a title of its own (a talk, a meeting on one matter).
    default_title_hint: Any = ""

    def default_title(self) -> str:
        """The title given to one logged without a title ("" when the practice has none)."""
        return ""

    @property
    def is_upcoming(self) -> bool:
        return self.status == ActivityStatus.PLANNED and self.starts_at >= clock.now()
