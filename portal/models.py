"""Shared reference data: the sub-district's communities, grids and compounds, its teams and the
people in them, and each staff account's role and scope."""

from __future__ import annotations

from typing import Self

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.actors import Viewer
from portal.roles import PERMISSIONS, RECORD_REACH, Reach, Role
from portal.scope import NO_SCOPE, Scope, ScopeRule
from portal.validators import validate_person_name

# A user's scope is read from their staff profile here, beside StaffProfile, because every
# scoped QuerySet below needs it; portal.access is the name the rest of the portal imports it by.
_CACHE_ATTR = "_portal_scope"


def scope_of(user: Viewer | None) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    profile = (
        StaffProfile.objects.filter(user=user).prefetch_related("communities", "grids").first()
    )
    if profile is None:
        scope = NO_SCOPE
    elif profile.approved_at is None:
        scope = Scope(awaiting_approval=True, name=profile.name)
    else:
        grids = list(profile.grids.all())
        scope = Scope(
            role=Role(profile.role),
            profile_id=profile.pk,
            community_ids=frozenset(c.pk for c in profile.communities.all()),
            grid_ids=frozenset(g.pk for g in grids),
            grid_community_ids=frozenset(g.community_id for g in grids),
            name=profile.name,
        )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: Viewer) -> None:
    """Drop the cached scope (after the user's role or scope changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


class ScopedQuerySet(models.QuerySet):
    """QuerySet of a model that declares ``scope_rule``."""

    def visible_to(self, user: Viewer) -> Self:
        q = scope_of(user).q(self.model.scope_rule)
        return self if q is None else self.filter(q)

    def in_community(self, community: Community | int) -> Self:
        return self.filter(**{self.model.scope_rule.community: community})


class Community(models.Model):
    """A residents' community (社区) of the sub-district."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.SlugField(
        _("编号"), max_length=30, unique=True, help_text=_("用于链接和二维码，如 fenghuangling")
    )
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_rule = ScopeRule(community="pk", grid=None, records=False)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "社区")
        verbose_name_plural = pgettext_lazy("model plural", "社区")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    """A grid (网格): the patch of a community one grid worker looks after."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="grids", verbose_name=_("所属社区")
    )
    name = models.CharField(_("网格名称"), max_length=50)
    station = models.CharField(
        _("网格驿站"), max_length=100, blank=True, help_text=_("居民找网格员的固定地点")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_rule = ScopeRule(community="community", grid="pk", records=False)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "网格")
        verbose_name_plural = pgettext_lazy("model plural", "网格")
        ordering = ["community__sort_order", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="grid_unique_name_in_community"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community.name}·{self.name}"


class Compound(models.Model):
    """A residential compound (小区) inside a community, usually within one grid."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("所属社区")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        related_name="compounds",
        null=True,
        blank=True,
        verbose_name=_("所属网格"),
    )
    name = models.CharField(_("小区名称"), max_length=50)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_rule = ScopeRule(community="community", grid="grid", records=False)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "小区")
        verbose_name_plural = pgettext_lazy("model plural", "小区")
        ordering = ["community__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="compound_unique_name_in_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            raise ValidationError({"grid": _("所选网格不属于所选社区。")})


class Qualification(models.Model):
    """A qualification a team member can hold (法律工作者, 人民调解员, 心理咨询师 …)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "资质")
        verbose_name_plural = pgettext_lazy("model plural", "资质")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    TALK = "talk", _("宣讲团")
    VOLUNTEER = "volunteer", _("志愿服务队")
    MEDIATION = "mediation", _("调解队")
    LEGAL = "legal", _("法律顾问")
    OTHER = "other", _("其他")


class Team(models.Model):
    """A team that goes out to residents: a talk team, volunteers, mediators, legal advisers."""

    name = models.CharField(_("队伍名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=TeamKind.choices)
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="teams",
        null=True,
        blank=True,
        verbose_name=_("所属社区"),
        help_text=_("留空表示街道级队伍"),
    )
    description = models.TextField(_("简介"), blank=True)
    founded = models.DateField(_("成立日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "队伍")
        verbose_name_plural = pgettext_lazy("model plural", "队伍")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TeamKind.values), name="team_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A person's membership of a team, with the qualifications they bring to it."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("队伍")
    )
    name = models.CharField(_("姓名"), max_length=30, validators=[validate_person_name])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_memberships",
        verbose_name=_("平台账号"),
        help_text=_("队员是工作人员时关联其账号"),
    )
    position = models.CharField(
        _("队内职务"), max_length=30, blank=True, help_text=_("如 队长、队员")
    )
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    qualifications = models.ManyToManyField(
        Qualification, blank=True, related_name="members", verbose_name=_("资质")
    )
    is_active = models.BooleanField(_("在队"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "队员")
        verbose_name_plural = pgettext_lazy("model plural", "队员")
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="teammember_unique_in_team"),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s（%(team)s）") % {"name": self.name, "team": self.team.name}


class StaffProfileQuerySet(models.QuerySet):
    def approved(self) -> StaffProfileQuerySet:
        """Roles in effect: approved, on an active account (a role awaiting approval counts
        for nothing, so it is offered nowhere)."""
        return self.filter(approved_at__isnull=False, user__is_active=True)

    def awaiting_approval(self) -> StaffProfileQuerySet:
        """待批准: roles set or suspended on an active account that no approver has confirmed
        yet (they reach nothing until then), and that no approver has sent back (退回)."""
        return self.filter(approved_at__isnull=True, returned_at__isnull=True, user__is_active=True)

    def submitted_by(self, user: Viewer) -> StaffProfileQuerySet:
        """Role changes this person made that still wait for an approver."""
        return self.awaiting_approval().filter(submitted_by=user)

    def awaiting_approval_by(self, user: Viewer) -> StaffProfileQuerySet:
        """The roles waiting for this approver: anyone's but their own (nobody approves their
        own role)."""
        return self.awaiting_approval().exclude(user=user)

    def pickable(self) -> StaffProfileQuerySet:
        """The people a record can name (officials present, handlers, mediators): approved
        roles, never the configuration account."""
        return self.approved().exclude(role=Role.SYSADMIN)


class StaffProfile(models.Model):
    """One staff account's role and the part of the sub-district it covers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("账号"),
    )
    name = models.CharField(_("姓名"), max_length=30, validators=[validate_person_name])
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    title = models.CharField(
        _("职务"), max_length=60, blank=True, help_text=_("如 凤凰岭社区党委书记")
    )
    unit = models.CharField(
        _("所在单位"), max_length=60, blank=True, help_text=_("对居民公开时只显示单位，不显示姓名")
    )
    communities = models.ManyToManyField(
        Community,
        blank=True,
        related_name="staff_scopes",
        verbose_name=_("负责社区"),
        help_text=_("社区书记选一个社区；包片领导选其包联的全部社区"),
    )
    grids = models.ManyToManyField(
        Grid,
        blank=True,
        related_name="staff_scopes",
        verbose_name=_("负责网格"),
        help_text=_("网格员选其负责的网格"),
    )
    # A role or scope set by the system administrator takes effect only once the party
    # secretary approves it, so configuration access is never a way into case records.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("批准人"),
    )
    approved_at = models.DateTimeField(
        _("批准时间"),
        null=True,
        blank=True,
        help_text=_(
            "街道党工委书记批准后，角色与负责范围才生效。只有批准时间而没有批准人的，"
            "是系统运维人员在服务器上直接设定的。"
        ),
    )
    # What the last approval put in effect ({"role", "communities", "grids"} as keys), so the
    # approver sees old → new and 退回 can put it back; "suspended" marks a role paused
    # because someone else set the password.
    approved_scope = models.JSONField(
        _("生效的角色与范围"), default=dict, blank=True, editable=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("退回人"),
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True, editable=False)

    objects = StaffProfileQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "工作人员角色与范围")
        verbose_name_plural = pgettext_lazy("model plural", "工作人员角色与范围")
        ordering = ["role", "name"]
        permissions = [("approve_staffprofile", _("批准角色与范围"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="staffprofile_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s（%(role)s）") % {
            "name": self.name,
            "role": self.get_role_display(),
        }

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def reaches_records(self) -> bool:
        """Whether the role opens activity or case records (everything but configuration)."""
        return RECORD_REACH[Role(self.role)] is not Reach.NONE

    @property
    def is_sole_approver(self) -> bool:
        """The only approved account whose role approves others' roles (党工委书记)."""
        approvers = [r for r in Role if "approve" in PERMISSIONS[r].get("portal.staffprofile", ())]
        if not (self.is_approved and self.role in approvers):
            return False
        others = StaffProfile.objects.filter(role__in=approvers, approved_at__isnull=False)
        return not others.exclude(pk=self.pk).exists()

    @property
    def public_label(self) -> str:
        """How residents see this person on public pages: the title, never more."""
        return self.title or self.get_role_display()


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休）")
    WORKDAY = "workday", _("调休上班（班）")


class CalendarDay(models.Model):
    """A date that differs from the plain week: a public holiday, or a weekend made a working day.

    Every other Monday–Friday is a working day and every other Saturday–Sunday is not, so a year
    that has no rows here still works.
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=30, blank=True, help_text=_("如 国庆节"))

    class Meta:
        verbose_name = pgettext_lazy("model", "节假日与调休")
        verbose_name_plural = pgettext_lazy("model plural", "节假日与调休")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DayKind.values), name="calendarday_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


def photo_path(instance: models.Model, filename: str) -> str:
    # Names are random (see portal.images) so published photo URLs cannot be guessed.
    return f"photos/{instance._meta.app_label}/{filename}"


class PhotoBase(models.Model):
    """A photo that went through portal.images.ingest_image: re-encoded, no EXIF, three sizes.

    Concrete subclasses add the foreign key to what the photo shows.
    """

    image = models.ImageField(
        _("照片"), upload_to=photo_path, width_field="width", height_field="height"
    )
    display = models.ImageField(_("展示图"), upload_to=photo_path, editable=False)
    thumbnail = models.ImageField(_("缩略图"), upload_to=photo_path, editable=False)
    width = models.PositiveIntegerField(_("宽"), editable=False, default=0)
    height = models.PositiveIntegerField(_("高"), editable=False, default=0)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name.rsplit("/", 1)[-1]


# Login records kept by django-axes, shown in the back office under Chinese names (等保: security
# audit). Proxies add no tables; deleting a lock-out record unlocks the account.
class LoginLockoutQuerySet(models.QuerySet):
    def in_force(self) -> LoginLockoutQuerySet:
        """Counts that lock their user name now: enough failures, the last one within the
        lock's length (an older one no longer locks; django-axes clears it at the next try)."""
        return self.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=clock.now() - settings.AXES_COOLOFF_TIME,
        )


class LoginLockout(AccessAttempt):
    """Failed logins counted per user name and address; enough of them lock the user name."""

    objects = LoginLockoutQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = pgettext_lazy("model", "登录失败计数（锁定）")
        verbose_name_plural = pgettext_lazy("model plural", "登录失败计数（锁定）")

    def __str__(self) -> str:
        return gettext("%(username)s 的登录失败计数") % {"username": self.username}


class LoginRecord(AccessLog):
    """A successful staff login (and its logout time)."""

    class Meta:
        proxy = True
        verbose_name = pgettext_lazy("model", "登录日志")
        verbose_name_plural = pgettext_lazy("model plural", "登录日志")

    def __str__(self) -> str:
        return gettext("%(username)s %(time)s 登录") % {
            "username": self.username,
            "time": f"{timezone.localtime(self.attempt_time):%Y-%m-%d %H:%M}",
        }


class LoginFailure(AccessFailureLog):
    """One failed login attempt."""

    class Meta:
        proxy = True
        verbose_name = pgettext_lazy("model", "登录失败日志")
        verbose_name_plural = pgettext_lazy("model plural", "登录失败日志")

    def __str__(self) -> str:
        return gettext("%(username)s %(time)s 登录失败") % {
            "username": self.username,
            "time": f"{timezone.localtime(self.attempt_time):%Y-%m-%d %H:%M}",
        }


# --- Rate limits of the public forms (portal.ratelimit) --------------------------------------


class RateLimitCounter(models.Model):
    """How often one client (or one tracking code) used one public action in one time window.

    Kept in the database because the default cache is per process (django-ratelimit refuses it
    too); keys are keyed hashes, so the table holds no addresses or codes.
    """

    scope = models.CharField(_("动作"), max_length=40)
    key = models.CharField(_("来源（摘要）"), max_length=64)
    window_start = models.DateTimeField(_("时段开始"))
    hits = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "访问频率计数")
        verbose_name_plural = pgettext_lazy("model plural", "访问频率计数")
        ordering = ["-window_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="ratelimitcounter_unique_window"
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}… {self.hits}"


def accounts_without_role() -> models.QuerySet:
    """Active staff accounts with no role at all: they open the back office and see nothing.
    Superusers (the server operator's) need none."""
    return get_user_model().objects.filter(
        is_active=True, is_staff=True, is_superuser=False, staff_profile__isnull=True
    )


class PageGeneration(models.Model):
    """One counter per public-page topic; bumping it makes every cached page of that topic
    stale (portal.pagecache). In the database so that it survives a cache flush."""

    topic = models.CharField(_("主题"), max_length=40, primary_key=True)
    value = models.BigIntegerField(_("代数"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "页面缓存版本")
        verbose_name_plural = pgettext_lazy("model plural", "页面缓存版本")

    def __str__(self) -> str:
        return f"{self.topic} {self.value}"
