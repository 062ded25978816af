"""The case: one resident request or petition, whatever its channel, and its timeline."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outreach.models import local_day_bounds
from petitions.models.choices import (
    OPEN_STATUSES,
    CaseKind,
    CaseStatus,
    Channel,
    EventKind,
    PartyRole,
    Satisfaction,
    Triage,
)
from petitions.models.config import Category, LeadershipDecision
from petitions.models.people import CaseExclusion
from portal import clock
from portal.access import ScopeRule, scope_of
from portal.actors import Viewer
from portal.models import Community, Compound, Grid, StaffProfile
from portal.roles import Role

DUE_SOON_DAYS = 3
SUPERVISE_AFTER_REDOS = 3


def _step_due_q(lookup: str, value: Any) -> Q:
    """Cases whose deadline for the step they are at matches `lookup` (lt, range …).

    While the conclusion clock is paused its deadline stands still (resuming moves it by the
    days paused), so a paused case is neither late nor due soon for its conclusion."""
    paused = Exists(CasePause.objects.filter(case=OuterRef("pk"), ended_on__isnull=True))
    return (
        Q(status=CaseStatus.REGISTERED, **{f"accept_due__{lookup}": value})
        | Q(status=CaseStatus.ASSIGNED, **{f"sign_due__{lookup}": value})
        | (Q(status__in=OPEN_STATUSES, **{f"conclude_due__{lookup}": value}) & ~paused)
    )


def overdue_q(today: date) -> Q:
    """Open cases past any deadline that applies to their current step."""
    return _step_due_q("lt", today)


def due_soon_q(today: date, days: int = DUE_SOON_DAYS) -> Q:
    """Open cases not overdue whose current step's deadline (acceptance, sign-for or
    conclusion) falls within the next `days` days."""
    window = (today, today + timedelta(days=days))
    return Q(status__in=OPEN_STATUSES) & _step_due_q("range", window) & ~overdue_q(today)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer, *, one: bool = False) -> CaseQuerySet:
        """The only scope filter for cases (admin lists, detail, search, autocomplete, exports).

        Reach follows the role; anyone assigned to a case sees it; accusation cases (检举控告)
        are seen only by the party secretary, their handlers and whoever registered them; and a
        staff member a case names or who is recused never sees it at all.

        ``one``: for looking up one case (a step, the rule book): the assignment is asked inside
        the same query instead of by a query of its own.
        """
        scope = scope_of(user)
        if scope.role is None:
            return self.none()
        # Where the role reaches comes from the one definition (portal.scope.Scope.q, the same
        # as for activities and reference data): None for the whole sub-district, else the
        # user's communities or grids, else nothing; being assigned is what cases add to it.
        by_place = scope.q(self.model.scope_rule)
        assigned = (
            self._assigned_here(scope.profile_id) if one else self._assigned_to(scope.profile_id)
        )
        if by_place is None:
            visible = Q()
        else:
            # A category handled by a role of its own (网站纠错: the news editors) is that
            # role's across the sub-district, and no place's: it leaves the places' reach.
            # Subqueries, so the scope costs no query of its own.
            own = Category.objects.filter(handled_by=scope.role).values("pk")
            others = Category.objects.exclude(handled_by="").values("pk")
            visible = (by_place & ~Q(category_id__in=others)) | Q(category_id__in=own) | assigned
        if scope.role is not Role.SECRETARY:
            visible &= Q(is_accusation=False) | assigned | Q(registered_by=user)
        excluded = Exists(CaseExclusion.objects.filter(case=OuterRef("pk"), user=user))
        return self.filter(visible).exclude(excluded)

    def _assigned_to(self, profile_id: int | None) -> Q:
        if profile_id is None:
            return Q(pk__in=[])
        # The helper assignments are read first (one short query), so every branch of the OR is
        # an index lookup PostgreSQL can combine (BitmapOr); correlated EXISTS branches forced a
        # scan of the whole case table on every list.
        co_handled = Case.co_handlers.through.objects.filter(staffprofile=profile_id)
        mediated = Case.mediators.through.objects.filter(staffprofile=profile_id)
        helped = co_handled.values_list("case_id", flat=True).union(
            mediated.values_list("case_id", flat=True)
        )
        return Q(handler_id=profile_id) | Q(pk__in=sorted(helped))

    def _assigned_here(self, profile_id: int | None) -> Q:
        """The same as ``_assigned_to``, as correlated EXISTS: cheap for one row, not for lists."""
        if profile_id is None:
            return Q(pk__in=[])
        through = (Case.co_handlers.through, Case.mediators.through)
        helps = [
            Exists(t.objects.filter(case_id=OuterRef("pk"), staffprofile_id=profile_id))
            for t in through
        ]
        return Q(handler_id=profile_id) | Q(helps[0]) | Q(helps[1])

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: date | None = None) -> CaseQuerySet:
        """Open cases past any deadline that applies to their current step."""
        return self.filter(overdue_q(today or clock.today()))

    def due_soon(self, today: date | None = None, days: int = DUE_SOON_DAYS) -> CaseQuerySet:
        """Open cases not overdue whose current step's deadline (acceptance, sign-for or
        conclusion) falls within the next `days` days."""
        return self.filter(due_soon_q(today or clock.today(), days))

    def followup_due(self, today: date | None = None) -> CaseQuerySet:
        """长期跟踪 cases whose scheduled follow-up was missed."""
        today = today or clock.today()
        return self.open().filter(triage=Triage.LONG_TERM, next_followup_due__lt=today)

    def awaiting_visit(self) -> CaseQuerySet:
        return self.filter(status=CaseStatus.CONCLUDED)

    def supervised(self) -> CaseQuerySet:
        return self.filter(is_supervised=True)

    def to_sign_by(self, user: Viewer) -> CaseQuerySet:
        profile_id = scope_of(user).profile_id
        return self.filter(status=CaseStatus.ASSIGNED, handler_id=profile_id)

    def in_community(self, community: Any) -> CaseQuerySet:
        return self.filter(community=community)

    def in_period(self, start: date | None, end: date | None) -> CaseQuerySet:

        qs = self
        if start is not None:
            qs = qs.filter(received_at__gte=local_day_bounds(start, start)[0])
        if end is not None:
            qs = qs.filter(received_at__lt=local_day_bounds(end, end)[1])
        return qs

    def likely_duplicates(
        self, *, title: str, phone: str = "", name: str = "", since: datetime
    ) -> CaseQuerySet:
        """Cases registered at or after ``since`` with this summary and a petitioner of this
        phone number or this name: the same request entered twice (a 登记 form sent again
        after going back)."""
        if not (phone or name):
            return self.none()
        person = Q()
        if phone:
            person |= Q(parties__person__phone=phone)
        if name:
            person |= Q(parties__person__name=name)
        return self.filter(
            person,
            Q(parties__role=PartyRole.PETITIONER),
            title=title,
            events__kind=EventKind.REGISTERED,
            events__at__gte=since,
        ).distinct()

    def for_admin_list(self) -> CaseQuerySet:
        return self.select_related(
            "category", "community", "grid__community", "handler"
        ).prefetch_related("parties__person")


class Case(models.Model):
    """One resident request or petition, followed from intake to a satisfied resident."""

    number = models.CharField(_("编号"), max_length=12, unique=True, editable=False)
    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True, editable=False)
    kind = models.CharField(_("事项类型"), max_length=12, choices=CaseKind.choices)
    is_accusation = models.BooleanField(
        _("检举控告"), default=False, help_text=_("检举控告类：信访人信息对承办单位完全保密")
    )
    channel = models.CharField(_("来源渠道"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("诉求分类")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="cases", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("网格"),
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("小区"),
    )
    address = models.CharField(_("事发地点"), max_length=200, blank=True)
    title = models.CharField(_("诉求摘要"), max_length=80)
    content = models.TextField(_("诉求内容"))
    triage = models.CharField(
        _("分类办理"),
        max_length=12,
        choices=Triage.choices,
        blank=True,
        help_text=_("一般诉求不分类；当场解决、台账管理、长期跟踪须有意选择，调整分类记入办理记录"),
    )
    status = models.CharField(
        _("状态"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    # Bumped by every service that writes the case: a stale form is refused, never merged.
    version = models.PositiveIntegerField(default=0, editable=False)

    # Where it came from: the activity that raised it, or the case it asks to review.
    field_visit = models.ForeignKey(
        "outreach.FieldVisit",
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("来源调研"),
    )
    onsite_session = models.ForeignKey(
        "outreach.OnsiteSession",
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("来源现场办公"),
    )
    reception = models.ForeignKey(
        "petitions.Reception",
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("来源信访接待"),
    )
    reviews = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="review_requests",
        null=True,
        blank=True,
        verbose_name=_("原信访事项"),
        help_text=_("复查、复核请求所针对的事项"),
    )

    # Who: registered by, chief agent (首席代办员), handler and helpers.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("登记人"),
        help_text=_("空白表示居民网上提交"),
    )
    chief_agent = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("首席代办员"),
    )
    handler = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("承办人"),
    )
    co_handlers = models.ManyToManyField(
        StaffProfile, blank=True, related_name="co_handled_cases", verbose_name=_("协办人")
    )
    mediators = models.ManyToManyField(
        StaffProfile, blank=True, related_name="mediated_cases", verbose_name=_("调解员")
    )

    # When.
    received_at = models.DateTimeField(_("收到时间"), default=clock.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True, editable=False)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True, editable=False)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True, editable=False)
    # A redo (重办) restarts the conclusion clock from this moment.
    reopened_at = models.DateTimeField(_("重办时间"), null=True, blank=True, editable=False)

    # Deadlines, worked out by petitions.deadlines from the rules whenever the case moves.
    accept_due = models.DateField(_("受理告知期限"), null=True, blank=True, editable=False)
    sign_due = models.DateField(_("签收期限"), null=True, blank=True, editable=False)
    conclude_due = models.DateField(_("办结期限"), null=True, blank=True, editable=False)
    extension_days = models.PositiveSmallIntegerField(_("延期天数"), default=0, editable=False)
    extension_reason = models.CharField(_("延期理由"), max_length=200, blank=True, editable=False)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("延期批准人"),
    )

    # Outcome.
    not_accepted_reason = models.TextField(_("不予受理理由"), blank=True, editable=False)
    deliberation_decision = models.ForeignKey(
        "outreach.DeliberationDecision",
        on_delete=models.PROTECT,
        related_name="settled_cases",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("议事协商决定"),
    )
    # 台账: the deliberation meetings this case was put to (提交议事协商会), recorded by a step.
    # Only a decision of one of them, once held, is a decision about this matter.
    deliberations = models.ManyToManyField(
        "outreach.Deliberation",
        blank=True,
        related_name="referred_cases",
        verbose_name=_("提交议事协商会"),
    )
    leadership_decision = models.ForeignKey(
        LeadershipDecision,
        on_delete=models.PROTECT,
        related_name="settled_cases",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("领导会议决定"),
    )
    result = models.TextField(_("办理结果"), blank=True, editable=False)
    reply = models.TextField(_("答复意见"), blank=True, editable=False)
    dual_settlement = models.BooleanField(_("事心双解"), default=False, editable=False)
    signed_on_time = models.BooleanField(_("按时签收"), null=True, editable=False)
    concluded_on_time = models.BooleanField(_("按时办结"), null=True, editable=False)

    # Follow-up and quality measures.
    satisfaction = models.CharField(
        _("回访评价"), max_length=14, choices=Satisfaction.choices, blank=True, editable=False
    )
    conclusion_count = models.PositiveSmallIntegerField(_("办结次数"), default=0, editable=False)
    redo_count = models.PositiveSmallIntegerField(_("重办次数"), default=0, editable=False)
    bounce_count = models.PositiveSmallIntegerField(_("退单次数"), default=0, editable=False)
    is_supervised = models.BooleanField(_("督办"), default=False, editable=False)

    # 长期跟踪.
    followup_interval_days = models.PositiveSmallIntegerField(
        _("跟踪间隔（天）"), null=True, blank=True, help_text=_("长期跟踪类必填，如 14")
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0, editable=False)
    next_followup_due = models.DateField(_("下次跟踪"), null=True, blank=True, editable=False)

    is_publishable = models.BooleanField(
        _("可在办理公开中展示"),
        default=False,
        help_text=_("办结后在“办理公开”页面展示（不含任何个人信息）；检举控告类永不公开"),
    )

    # Where a case sits, for checking a place against a user's scope before the row exists.
    scope_rule = ScopeRule(community="community", grid="grid")
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "诉求")
        verbose_name_plural = pgettext_lazy("model plural", "诉求")
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("reveal_case", _("查看诉求当事人完整个人信息（须填写理由）")),
            ("approve_extension_case", _("批准延期")),
            ("export_case", _("导出诉求")),
            ("transition_case", _("办理诉求（受理、交办、签收、办结等）")),
            ("assign_case", _("统筹办理：受理、不予受理、交办改派、中止计时、归档")),
            ("supervise_case", _("督办")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="case_kind_valid"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="case_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(triage="") | Q(triage__in=Triage.values), name="case_triage_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction="") | Q(satisfaction__in=Satisfaction.values),
                name="case_satisfaction_valid",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="case_progress_percent"),
            models.CheckConstraint(
                condition=~Q(status__in=[CaseStatus.CONCLUDED, CaseStatus.VISITED]) | ~Q(result=""),
                name="case_concluded_has_result",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.NOT_ACCEPTED) | ~Q(not_accepted_reason=""),
                name="case_not_accepted_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS])
                | Q(handler__isnull=False),
                name="case_assigned_has_handler",
            ),
            models.CheckConstraint(
                condition=~Q(triage=Triage.LONG_TERM) | Q(followup_interval_days__gte=1),
                name="case_long_term_has_interval",
            ),
            models.CheckConstraint(
                condition=Q(extension_days=0)
                | (~Q(extension_reason="") & Q(extension_approved_by__isnull=False)),
                name="case_extension_reasoned_and_approved",
            ),
            models.CheckConstraint(
                condition=(
                    Q(field_visit__isnull=True, onsite_session__isnull=True)
                    | Q(field_visit__isnull=True, reception__isnull=True)
                    | Q(onsite_session__isnull=True, reception__isnull=True)
                ),
                name="case_one_source_activity",
            ),
            models.CheckConstraint(
                condition=Q(is_accusation=False) | Q(is_publishable=False),
                name="case_accusation_never_public",
            ),
        ]
        indexes = [
            # The lists' order (newest first): a backward index scan instead of a sort.
            models.Index(fields=["-received_at", "-id"], name="case_received_desc_idx"),
            models.Index(fields=["status", "conclude_due"], name="case_status_due_idx"),
            models.Index(fields=["community", "received_at"], name="case_community_recv_idx"),
            models.Index(fields=["grid", "status"], name="case_grid_status_idx"),
        ]

    def __str__(self) -> str:
        # The number only: Django shows __str__ in places (history, messages, breadcrumbs) that
        # do not know to mask a phone number or name someone typed into the title.
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def current_due(self) -> date | None:
        """The deadline of the step the case is at now."""
        if self.status == CaseStatus.REGISTERED and self.accept_due:
            return min(d for d in (self.accept_due, self.conclude_due) if d)
        if self.status == CaseStatus.ASSIGNED and self.sign_due:
            return min(d for d in (self.sign_due, self.conclude_due) if d)
        return self.conclude_due if self.is_open else None

    @property
    def is_paused(self) -> bool:
        """The conclusion clock stands still now (an open 中止计时); uses prefetched pauses."""
        return any(p.ended_on is None for p in self.pauses.all())

    def past_conclusion_due(self, today: date | None = None) -> bool:
        """The conclusion deadline has passed: from then on nothing may move it (an extension
        or a pause would turn days already late into days on time). A paused clock is not
        past it: the pause began on time and resuming moves the deadline."""
        if self.conclude_due is None or self.is_paused:
            return False
        return (today or clock.today()) > self.conclude_due

    def is_overdue(self, today: date | None = None) -> bool:
        due = self.current_due
        if due is None or (due == self.conclude_due and self.is_paused):
            return False
        return due < (today or clock.today())

    @property
    def formatted_tracking_code(self) -> str:
        code = self.tracking_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

    @property
    def has_meeting_decision(self) -> bool:
        return bool(self.deliberation_decision_id or self.leadership_decision_id)


class CaseEvent(models.Model):
    """One timeline entry: who did what, when, from which status to which. Append-only."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("诉求")
    )
    at = models.DateTimeField(_("时间"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("操作人"),
    )
    # What residents see instead of a name: the unit (凤凰岭社区) or "居民".
    actor_unit = models.CharField(_("操作单位"), max_length=60, blank=True)
    kind = models.CharField(_("事项"), max_length=14, choices=EventKind.choices)
    from_status = models.CharField(
        _("原状态"), max_length=14, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=14, choices=CaseStatus.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    is_public = models.BooleanField(_("居民可见"), default=False)
    changes = models.JSONField(_("变更"), default=dict, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "办理记录")
        verbose_name_plural = pgettext_lazy("model plural", "办理记录")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="caseevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.get_kind_display()}"


class CasePause(models.Model):
    """A stretch during which the deadline clock stood still (e.g. a hearing, 听证)."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="pauses", verbose_name=_("诉求")
    )
    started_on = models.DateField(_("中止日期"))
    ended_on = models.DateField(_("恢复日期"), null=True, blank=True)
    reason = models.CharField(_("事由"), max_length=200)

    class Meta:
        verbose_name = pgettext_lazy("model", "中止计时")
        verbose_name_plural = pgettext_lazy("model plural", "中止计时")
        ordering = ["case_id", "started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="casepause_ends_after_start",
                violation_error_message=_("恢复计时日期不能早于中止日期。"),
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="casepause_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_on} – {self.ended_on or '…'} {self.reason}"


class FollowUp(models.Model):
    """A follow-up visit (回访) rating one conclusion of a case; one per conclusion."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        VISIT = "visit", _("上门回访")
        ONLINE = "online", _("居民网上评价")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="followups", verbose_name=_("诉求")
    )
    conclusion_number = models.PositiveSmallIntegerField(_("第几次办结"))
    at = models.DateTimeField(_("时间"), default=clock.now)
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices)
    satisfaction = models.CharField(_("评价"), max_length=14, choices=Satisfaction.choices)
    comment = models.TextField(_("意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("回访人"),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "回访记录")
        verbose_name_plural = pgettext_lazy("model plural", "回访记录")
        ordering = ["case_id", "conclusion_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "conclusion_number"], name="followup_once_per_conclusion"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__in=Satisfaction.values),
                name="followup_satisfaction_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.conclusion_number} {self.get_satisfaction_display()}"


class CaseSequence(models.Model):
    """The last case number issued in a year (2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "编号序列")
        verbose_name_plural = pgettext_lazy("model plural", "编号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ExportRecord(models.Model):
    """One export of case data: who, when, which filter, how many rows, masked or not."""

    at = models.DateTimeField(_("时间"), default=clock.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("导出人"),
    )
    what = models.CharField(_("内容"), max_length=60)
    filters = models.TextField(_("筛选条件"), blank=True)
    rows = models.PositiveIntegerField(_("行数"))
    masked = models.BooleanField(_("个人信息已脱敏"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "导出记录")
        verbose_name_plural = pgettext_lazy("model plural", "导出记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.what} {self.rows}"
