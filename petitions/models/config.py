"""Editable lists behind cases: categories, deadline rules, reply templates, decisions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from petitions.models.choices import CaseKind, DeadlineStage, DeadlineUnit, StartEvent
from portal import clock
from portal.roles import Role

# Roles a category can be handed to (Category.handled_by): never the system administrator or
# the read-only officials, who handle no case — setting one must not open cases to them.
CATEGORY_HANDLERS = [role for role in Role if role not in (Role.SYSADMIN, Role.OFFICIAL)]


class Category(models.Model):
    """A category of matter residents raise (环境卫生, 物业纠纷, 邻里纠纷 …)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    is_public = models.BooleanField(
        _("居民可选"), default=True, help_text=_("居民“我要反映”表单中是否列出")
    )
    # Matters that belong to one role rather than to a place: 网站纠错 is the news editors'
    # (the 纠错 form files its reports under the category the editors handle).
    handled_by = models.CharField(
        _("专门办理角色"),
        max_length=30,
        choices=[(role.value, role.label) for role in CATEGORY_HANDLERS],
        blank=True,
        help_text=_(
            "留空按社区、网格办理；设定后本类诉求由该角色在全街道范围受理和办理，"
            "社区和网格不再按地点看到（如网站纠错由宣传编辑办理）"
        ),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "诉求分类")
        verbose_name_plural = pgettext_lazy("model plural", "诉求分类")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handled_by="") | Q(handled_by__in=[r.value for r in CATEGORY_HANDLERS]),
                name="category_handled_by_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeadlineRule(models.Model):
    """How long one stage of one kind of matter may take, counted from which event.

    A rule for a specific category wins over the general rule of the same kind and stage.
    """

    kind = models.CharField(_("事项类型"), max_length=12, choices=CaseKind.choices)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        related_name="deadline_rules",
        null=True,
        blank=True,
        verbose_name=_("诉求分类"),
        help_text=_("留空表示该类型的通用规则"),
    )
    stage = models.CharField(_("环节"), max_length=12, choices=DeadlineStage.choices)
    unit = models.CharField(_("计算方式"), max_length=10, choices=DeadlineUnit.choices)
    length = models.PositiveSmallIntegerField(_("期限"), validators=[MinValueValidator(1)])
    start_event = models.CharField(_("起算"), max_length=10, choices=StartEvent.choices)
    max_extension_days = models.PositiveSmallIntegerField(
        _("最多可延期（日）"), default=0, help_text=_("0 表示不可延期；延期只能一次")
    )
    legal_basis = models.CharField(_("依据"), max_length=100, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "办理时限规则")
        verbose_name_plural = pgettext_lazy("model plural", "办理时限规则")
        ordering = ["kind", "stage", "category"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CaseKind.values), name="deadlinerule_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=DeadlineStage.values), name="deadlinerule_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=DeadlineUnit.values), name="deadlinerule_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_event__in=StartEvent.values), name="deadlinerule_start_valid"
            ),
            models.CheckConstraint(condition=Q(length__gte=1), name="deadlinerule_length_positive"),
            models.UniqueConstraint(
                fields=["kind", "stage", "category"], name="deadlinerule_unique_per_category"
            ),
            models.UniqueConstraint(
                fields=["kind", "stage"],
                condition=Q(category__isnull=True),
                name="deadlinerule_unique_general",
            ),
        ]

    def __str__(self) -> str:
        values = {
            "kind": self.get_kind_display(),
            "category": self.category,
            "stage": self.get_stage_display(),
            "start": self.get_start_event_display(),
            "length": self.length,
            "unit": self.get_unit_display(),
        }
        if self.category_id:
            return (
                gettext("%(kind)s（%(category)s）·%(stage)s：%(start)s起 %(length)d 个%(unit)s")
                % values
            )
        return gettext("%(kind)s·%(stage)s：%(start)s起 %(length)d 个%(unit)s") % values


class LeadershipDecision(models.Model):
    """A decision of a leadership meeting (党工委会议、主任办公会) that can settle ledger cases."""

    meeting = models.CharField(_("会议"), max_length=60, help_text=_("如 街道党工委会议"))
    held_on = models.DateField(_("会议日期"))
    text = models.TextField(_("决定事项"))
    # The matters the decision is about, named by whoever records it: only these cases can be
    # settled by it.
    cases = models.ManyToManyField(
        "petitions.Case",
        blank=True,
        related_name="naming_decisions",
        verbose_name=_("涉及诉求"),
        help_text=_("本决定针对的台账诉求；只有列在这里的诉求可以依据本决定办结"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "领导会议决定")
        verbose_name_plural = pgettext_lazy("model plural", "领导会议决定")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.meeting}：{self.text[:30]}"

    def clean(self) -> None:
        # A decision exists once its meeting was held; one dated ahead could never settle a
        # case, and would sit on the list as if it had been decided.
        if self.held_on and self.held_on > clock.today():
            raise ValidationError({"held_on": _("会议尚未召开：请在会议举行后再登记它的决定。")})


class ReplyTemplate(models.Model):
    """A reusable reply to residents, with placeholders filled in by staff."""

    title = models.CharField(_("标题"), max_length=60, unique=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        related_name="reply_templates",
        null=True,
        blank=True,
        verbose_name=_("适用分类"),
    )
    text = models.TextField(_("答复内容"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "答复模板")
        verbose_name_plural = pgettext_lazy("model plural", "答复模板")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
