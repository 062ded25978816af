"""Mediation (调解): sessions and the written agreement under the People's Mediation Law."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.timezone import localdate
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.models import TeamMember

# 人民调解法 Art. 33: the parties may jointly apply for judicial confirmation within 30 days of
# the agreement taking effect.
JUDICIAL_CONFIRMATION_DAYS = 30


class MediationMethod(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("面对面调解")
    SEPARATE = "separate", _("背靠背调解")
    JOINT = "joint", _("联合调解（司法所、派出所等参与）")
    PHONE = "phone", _("电话调解")


class MediationOutcome(models.TextChoices):
    AGREEMENT = "agreement", _("达成调解协议")
    ORAL = "oral", _("达成口头协议")
    CONTINUE = "continue", _("继续调解")
    FAILED = "failed", _("调解不成，告知其他途径")


class MediationSession(models.Model):
    """One mediation session on a case: who mediated, how, and with what outcome."""

    case = models.ForeignKey(
        "petitions.Case",
        on_delete=models.PROTECT,
        related_name="mediation_sessions",
        verbose_name=_("诉求"),
    )
    held_at = models.DateTimeField(_("调解时间"), default=clock.now)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    mediators = models.ManyToManyField(
        TeamMember, related_name="mediation_sessions", verbose_name=_("调解员")
    )
    method = models.CharField(_("调解方式"), max_length=14, choices=MediationMethod.choices)
    parties_present = models.CharField(
        _("到场当事人"), max_length=200, blank=True, help_text=_("写身份，如 3楼住户、物业公司经理")
    )
    outcome = models.CharField(_("结果"), max_length=10, choices=MediationOutcome.choices)
    notes = models.TextField(_("调解经过"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "调解记录")
        verbose_name_plural = pgettext_lazy("model plural", "调解记录")
        ordering = ["case_id", "held_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=MediationMethod.values), name="mediationsession_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=MediationOutcome.values),
                name="mediationsession_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.held_at)
        return f"{when:%Y-%m-%d} {self.get_method_display()} {self.get_outcome_display()}"

    def clean(self) -> None:
        super().clean()
        if self.held_at and self.held_at > clock.now() + timedelta(minutes=5):
            raise ValidationError({"held_at": _("调解时间不能晚于现在：调解结束后再记录。")})
        received = self.case.received_at if self.case_id else None
        if self.held_at and received and localdate(self.held_at) < localdate(received):
            raise ValidationError({"held_at": _("调解时间不能早于收到诉求的时间。")})


class MediationAgreement(models.Model):
    """A written mediation agreement (调解协议书) with the contents 人民调解法 Art. 29 requires."""

    case = models.ForeignKey(
        "petitions.Case",
        on_delete=models.PROTECT,
        related_name="mediation_agreements",
        verbose_name=_("诉求"),
    )
    session = models.ForeignKey(
        MediationSession,
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
        verbose_name=_("调解记录"),
    )
    agreement_number = models.CharField(_("协议编号"), max_length=40, blank=True)
    signed_on = models.DateField(_("签订日期"))
    parties = models.TextField(_("当事人基本情况"), help_text=_("仅内部可见，对外一律脱敏"))
    facts = models.TextField(_("纠纷主要事实、争议事项"))
    responsibilities = models.TextField(_("各方当事人的责任"), blank=True)
    terms = models.TextField(_("协议内容"))
    performance = models.TextField(_("履行方式、期限"))
    mediators = models.ManyToManyField(
        TeamMember, related_name="mediation_agreements", verbose_name=_("调解员")
    )
    judicial_confirmation_applied_on = models.DateField(
        _("申请司法确认日期"), null=True, blank=True
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "调解协议")
        verbose_name_plural = pgettext_lazy("model plural", "调解协议")
        ordering = ["case_id", "signed_on"]

    def __str__(self) -> str:
        return self.agreement_number or gettext("%(date)s 调解协议") % {"date": self.signed_on}

    def clean(self) -> None:
        super().clean()
        today = clock.today()
        errors = {}
        if self.signed_on and self.signed_on > today:
            errors["signed_on"] = _("签订日期不能晚于今天。")
        applied = self.judicial_confirmation_applied_on
        if applied and applied > today:
            errors["judicial_confirmation_applied_on"] = _("申请司法确认日期不能晚于今天。")
        elif applied and self.signed_on and applied < self.signed_on:
            errors["judicial_confirmation_applied_on"] = _("申请司法确认日期不能早于协议签订日期。")
        if errors:
            raise ValidationError(errors)

    @property
    def judicial_confirmation_deadline(self) -> date:
        """Last day to apply jointly to the court for judicial confirmation (司法确认)."""
        return self.signed_on + timedelta(days=JUDICIAL_CONFIRMATION_DAYS)

    def judicial_confirmation_days_left(self, today: date | None = None) -> int:
        return (self.judicial_confirmation_deadline - (today or clock.today())).days
