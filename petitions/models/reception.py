"""信访接待下基层: the petition-reception practice itself, as activities like the other three."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext_lazy, pgettext_lazy

from outreach.models import Activity, counted_figure
from portal.models import PhotoBase, StaffProfile, TeamMember


class ReceptionKind(models.TextChoices):
    LEADER_DAY = "leader_day", _("领导下访接待")
    LEGAL_OUTREACH = "legal_outreach", _("普法宣传")
    LEGAL_ADVICE = "legal_advice", _("法律咨询")
    MEDIATION = "mediation", _("调解进社区")


class Reception(Activity):
    """One petition-reception activity held in a community: a leaders' reception day, legal
    outreach, legal consultation or mediation outreach."""

    kind = models.CharField(_("类别"), max_length=16, choices=ReceptionKind.choices)
    officials = models.ManyToManyField(
        StaffProfile, blank=True, related_name="receptions", verbose_name=_("接待干部")
    )
    advisers = models.ManyToManyField(
        TeamMember,
        blank=True,
        related_name="receptions",
        verbose_name=_("法律顾问、调解员"),
        help_text=_("来自调解队、法律顾问团的成员"),
    )
    # A reception day meets tens of residents (4,300 in 200 receptions a year); legal outreach
    # on a square (普法宣传) draws more, 5,000 is beyond any community's square.
    residents_served = counted_figure(_("接待群众人数"), 5000)

    practice = "receptions"
    practice_label = _("信访接待")
    practice_unit = npgettext_lazy("unit of petition receptions", "次", "次", "n")
    figure_fields = ("residents_served",)
    results_required = ("residents_served",)

    class Meta(Activity.Meta):
        verbose_name = pgettext_lazy("model", "信访接待")
        verbose_name_plural = pgettext_lazy("model plural", "信访接待")
        permissions = [("publish_reception", _("发布信访接待"))]
        constraints = [
            *Activity.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=ReceptionKind.values), name="reception_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(residents_served__isnull=False),
                name="reception_held_has_residents",
            ),
        ]

    def missing_results(self) -> str | None:
        return _("请填写接待群众人数。") if self.residents_served is None else None

    default_title_hint = _("可不填：留空时按社区和类别自动命名，如“凤凰岭社区领导下访接待”")

    def default_title(self) -> str:
        if not (self.community_id and self.kind in ReceptionKind.values):
            return ""
        # Stored and published as data: in Chinese whatever language the page is read in.
        with translation.override(settings.LANGUAGE_CODE):
            return f"{self.community.name}{ReceptionKind(self.kind).label}"


class ReceptionPhoto(PhotoBase):
    """A photo of a petition-reception activity."""

    activity = models.ForeignKey(
        Reception, on_delete=models.CASCADE, related_name="photos", verbose_name=_("信访接待")
    )

    class Meta(PhotoBase.Meta):
        verbose_name = pgettext_lazy("model", "信访接待照片")
        verbose_name_plural = pgettext_lazy("model plural", "信访接待照片")
