"""Back-office forms for cases: registration (登记) and one small form per lifecycle step.

Forms only parse and validate what staff typed; every change is made by petitions.services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outreach.models import (
    ActivityStatus,
    Deliberation,
    DeliberationDecision,
    FieldVisit,
    OnsiteSession,
)
from petitions.models import (
    Case,
    CaseKind,
    Category,
    Channel,
    FollowUp,
    LeadershipDecision,
    PartyRole,
    Reception,
    Satisfaction,
    Triage,
)
from petitions.models.choices import TRIAGE_EXPLAINED
from petitions.services import CaseIntake, PartyData, handling_staff
from portal import clock
from portal.access import scope_of
from portal.actors import Viewer
from portal.forms import PortalForm
from portal.models import Community, Compound, Grid, StaffProfile
from portal.people import staff_user_label
from portal.privacy import InvalidNumber, canonical_id_number, canonical_phone
from portal.roles import Reach, Role
from portal.text import clean_text
from portal.validators import validate_person_name

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
# The hidden fields that link a case to the activity it was raised at (one at most).
SOURCE_FIELDS = ("field_visit", "onsite_session", "reception")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StaffProfile) -> str:
        unit = obj.unit or obj.get_role_display()
        return f"{unit} · {obj.name}"


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: StaffProfile) -> str:
        unit = obj.unit or obj.get_role_display()
        return f"{unit} · {obj.name}"


class StaffUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return staff_user_label(obj)


class StaffUserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return staff_user_label(obj)


def staff_users() -> Any:
    return (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__approved_at__isnull=False)
        .exclude(staff_profile__role=Role.SYSADMIN)
        .select_related("staff_profile")
        .order_by("staff_profile__role", "staff_profile__name")
    )


def _phone(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return canonical_phone(value)
    except InvalidNumber as exc:
        raise forms.ValidationError(str(exc)) from exc


def _id_number(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return canonical_id_number(value)
    except InvalidNumber as exc:
        raise forms.ValidationError(str(exc)) from exc


def triage_field(*, on_the_spot: bool = True) -> forms.ChoiceField:
    """分类办理 as radio buttons, each saying in one line what the class means. Nothing but the
    ordinary request is preselected: a class is chosen on purpose. 当场解决 only at registration
    (it is concluded there and then)."""
    values = ["", Triage.ON_THE_SPOT, Triage.LEDGER, Triage.LONG_TERM]
    if not on_the_spot:
        values.remove(Triage.ON_THE_SPOT)
    return forms.ChoiceField(
        label=_("分类办理"),
        choices=[(value, TRIAGE_EXPLAINED[value]) for value in values],
        initial="",
        required=False,
        widget=forms.RadioSelect,
    )


def followup_interval_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("跟踪间隔（天）"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("长期跟踪类必填，如 14"),
    )


# --- 登记 ---------------------------------------------------------------------------------------


# A case registered again within this time, same summary and same petitioner (phone or name),
# is most likely the same request sent twice (back, then 登记 again): 30 minutes covers a
# registration interrupted and resumed, while a resident coming back the next day with the
# same matter is registered without a question.
DUPLICATE_WINDOW = timedelta(minutes=30)


class RegisterCaseForm(PortalForm):
    """登记诉求: everything register_case needs (a CaseIntake), in the order staff hear it."""

    duplicates: list[Case]

    kind = forms.ChoiceField(
        label=_("事项类型"), choices=CaseKind.choices, initial=CaseKind.ORDINARY
    )
    is_accusation = forms.BooleanField(
        label=_("检举控告"),
        required=False,
        help_text=_("检举控告类：信访人信息对承办单位完全保密，只有街道党工委书记可见"),
    )
    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices)
    category = forms.ModelChoiceField(label=_("诉求分类"), queryset=Category.objects.none())
    community = forms.ModelChoiceField(label=_("社区"), queryset=Community.objects.none())
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Grid.objects.none(), required=False)
    compound = forms.ModelChoiceField(
        label=_("小区"), queryset=Compound.objects.none(), required=False
    )
    address = forms.CharField(label=_("事发地点"), max_length=200, required=False)
    title = forms.CharField(
        label=_("诉求摘要"),
        max_length=80,
        help_text=_("一句话概括，不要写当事人姓名和电话"),
    )
    content = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 5}))
    triage = triage_field()
    followup_interval_days = followup_interval_field()
    received_at = forms.DateTimeField(
        label=_("收到时间"),
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reviews_number = forms.CharField(
        label=_("原信访事项编号"),
        max_length=12,
        required=False,
        help_text=_("复查、复核请求必填，如 2026-000123"),
    )

    petitioner_name = forms.CharField(
        label=_("信访人/诉求人姓名"),
        max_length=40,
        required=False,
        validators=[validate_person_name],
    )
    petitioner_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    petitioner_id_number = forms.CharField(label=_("身份证号码"), max_length=30, required=False)
    petitioner_address = forms.CharField(label=_("住址"), max_length=200, required=False)

    other_role = forms.ChoiceField(
        label=_("另一方身份"),
        choices=[
            (PartyRole.RESPONDENT, PartyRole.RESPONDENT.label),
            (PartyRole.OTHER, PartyRole.OTHER.label),
        ],
        initial=PartyRole.RESPONDENT,
        required=False,
    )
    other_name = forms.CharField(
        label=_("另一方姓名"), max_length=40, required=False, validators=[validate_person_name]
    )
    other_phone = forms.CharField(label=_("另一方电话"), max_length=30, required=False)
    other_id_number = forms.CharField(label=_("另一方身份证号码"), max_length=30, required=False)
    other_address = forms.CharField(label=_("另一方住址"), max_length=200, required=False)

    on_the_spot_result = forms.CharField(
        label=_("当场解决结果"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("“当场解决”类填写后，登记即受理并办结。居民可见：居民在进度查询页看到结果"),
    )
    on_the_spot_reply = forms.CharField(
        label=_("给居民的答复"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("居民可见：居民在进度查询页看到这段答复；留空则与结果相同"),
    )
    named_staff = StaffUserMultipleChoiceField(
        label=_("被反映的工作人员"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("所选人员依规回避：他们将看不到这件诉求"),
    )
    field_visit = forms.ModelChoiceField(
        queryset=FieldVisit.objects.none(), required=False, widget=forms.HiddenInput
    )
    onsite_session = forms.ModelChoiceField(
        queryset=OnsiteSession.objects.none(), required=False, widget=forms.HiddenInput
    )
    reception = forms.ModelChoiceField(
        queryset=Reception.objects.none(), required=False, widget=forms.HiddenInput
    )
    # Drawn only beside the duplicate warning (register.html), where it must be ticked.
    confirm_distinct = forms.BooleanField(label=_("确认这是另一件诉求"), required=False)

    FIELDSETS = (
        (
            _("诉求"),
            [
                "kind",
                "is_accusation",
                "channel",
                "category",
                "title",
                "content",
                "triage",
                "followup_interval_days",
                "received_at",
                "reviews_number",
            ],
        ),
        (_("地点"), ["community", "grid", "compound", "address"]),
        (
            _("信访人/诉求人（个人信息默认脱敏显示）"),
            ["petitioner_name", "petitioner_phone", "petitioner_id_number", "petitioner_address"],
        ),
        (
            _("另一方当事人（可不填）"),
            ["other_role", "other_name", "other_phone", "other_id_number", "other_address"],
        ),
        (_("当场解决（可不填）"), ["on_the_spot_result", "on_the_spot_reply"]),
        (_("回避"), ["named_staff"]),
    )

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.duplicates = []
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["community"].queryset = Community.objects.visible_to(user).filter(
            is_active=True
        )
        self.fields["grid"].queryset = Grid.objects.visible_to(user).select_related("community")
        self.fields["compound"].queryset = Compound.objects.visible_to(user)
        self.fields["named_staff"].queryset = staff_users()
        self.fields["field_visit"].queryset = FieldVisit.objects.visible_to(user)
        self.fields["onsite_session"].queryset = OnsiteSession.objects.visible_to(user)
        self.fields["reception"].queryset = Reception.objects.visible_to(user)
        if not self.is_bound and "received_at" not in self.initial:
            self.initial["received_at"] = clock.localnow().replace(second=0, microsecond=0)
        if not self.is_bound and scope_of(user).reach(records=True) is Reach.GRIDS:
            own = list(self.fields["grid"].queryset[:2])
            if len(own) == 1:  # a grid worker with one grid: the place is known
                self.initial.setdefault("grid", own[0].pk)
                self.initial.setdefault("community", own[0].community_id)

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.FIELDSETS]

    def clean_petitioner_phone(self) -> str:
        return _phone(self.cleaned_data.get("petitioner_phone", ""))

    def clean_other_phone(self) -> str:
        return _phone(self.cleaned_data.get("other_phone", ""))

    def clean_petitioner_id_number(self) -> str:
        return _id_number(self.cleaned_data.get("petitioner_id_number", ""))

    def clean_other_id_number(self) -> str:
        return _id_number(self.cleaned_data.get("other_id_number", ""))

    def clean_received_at(self) -> Any:
        received = self.cleaned_data["received_at"]
        if received > clock.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("收到时间不能晚于现在。"))
        # A slip of the year (1990 for 2026) would number the case 1990-… and put it on the
        # overdue list for decades; matters older than a year are not registered afresh.
        if received < clock.now() - timedelta(days=366):
            raise forms.ValidationError(_("收到时间不能早于一年前，请检查年份。"))
        return received

    def clean_reviews_number(self) -> Case | None:
        number = (self.cleaned_data.get("reviews_number") or "").strip()
        if not number:
            return None
        case = Case.objects.visible_to(self.user).filter(number=number).first()
        if case is None:
            raise forms.ValidationError(
                _("没有找到编号为 %(n)s 的诉求（或您无权查看）。") % {"n": number}
            )
        return case

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for prefix, message in (
            ("petitioner", _("请填写信访人/诉求人姓名。")),
            ("other", _("请填写另一方当事人姓名。")),
        ):
            # What was typed counts even where it is wrong, so every mistake shows at once.
            has_details = any(
                (self.data.get(self.add_prefix(f"{prefix}_{f}")) or "").strip()
                for f in ("phone", "id_number", "address")
            )
            name = f"{prefix}_name"
            if has_details and not (cleaned.get(name) or "").strip() and name not in self.errors:
                # (A name typed but refused already says what is wrong with it.)
                self.add_error(name, message)
        # The service checks these too; here they are said next to their fields, together.
        community, grid = cleaned.get("community"), cleaned.get("grid")
        if community and grid and grid.community_id != community.pk:
            self.add_error("grid", _("所选网格不属于所选社区。"))
        compound = cleaned.get("compound")
        if community and compound and compound.community_id != community.pk:
            self.add_error("compound", _("所选小区不属于所选社区。"))
        if scope_of(self.user).reach(records=True) is Reach.GRIDS and not grid:
            self.add_error("grid", _("请选择您负责的网格。"))
        if (
            cleaned.get("triage") == Triage.LONG_TERM
            and not cleaned.get("followup_interval_days")
            and "followup_interval_days" not in self.errors
        ):
            self.add_error("followup_interval_days", _("长期跟踪类诉求请填写跟踪间隔天数。"))
        spot_result = (cleaned.get("on_the_spot_result") or "").strip()
        if cleaned.get("triage") == Triage.ON_THE_SPOT and not spot_result:
            self.add_error(
                "on_the_spot_result",
                _("选择“当场解决”须填写当场解决的结果；未当场解决的诉求请按一般办理。"),
            )
        if spot_result and cleaned.get("triage") != Triage.ON_THE_SPOT:
            self.add_error("triage", _("填写了当场解决结果的诉求，请选择“当场解决”。"))
        if sum(bool(cleaned.get(name)) for name in SOURCE_FIELDS) > 1:
            raise forms.ValidationError(_("一件诉求只能关联一项来源活动。"))
        if not self.errors and not cleaned.get("confirm_distinct"):
            self._refuse_duplicate(cleaned)
        return cleaned

    def _refuse_duplicate(self, cleaned: dict[str, Any]) -> None:
        """The same request registered a moment ago (the form sent again after going back):
        say which case it is, and register anyway only when the box is ticked."""
        self.duplicates = list(
            Case.objects.visible_to(self.user)
            .likely_duplicates(
                title=clean_text(cleaned.get("title")),
                phone=cleaned.get("petitioner_phone") or "",
                name=clean_text(cleaned.get("petitioner_name")),
                since=clock.now() - DUPLICATE_WINDOW,
            )
            .order_by("-pk")[:3]
        )
        if not self.duplicates:
            return
        links = format_html_join(
            "、",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:petitions_case_change", args=[case.pk]), case.number)
                for case in self.duplicates
            ),
        )
        raise forms.ValidationError(
            format_html(
                gettext(
                    "可能重复登记：{minutes} 分钟内已登记过同一信访人（电话或姓名相同）、"
                    "同一诉求摘要的诉求 {links}。如确是另一件诉求，请勾选“确认这是另一件诉求”"
                    "后再登记。"
                ),
                minutes=int(DUPLICATE_WINDOW.total_seconds() // 60),
                links=links,
            ),
            code="duplicate",
        )

    def parties(self) -> list[PartyData]:
        data = self.cleaned_data
        parties = []
        if (data.get("petitioner_name") or "").strip():
            parties.append(
                PartyData(
                    name=data["petitioner_name"].strip(),
                    phone=data.get("petitioner_phone", ""),
                    id_number=data.get("petitioner_id_number", ""),
                    address=data.get("petitioner_address", "").strip(),
                    role=PartyRole.PETITIONER,
                )
            )
        if (data.get("other_name") or "").strip():
            parties.append(
                PartyData(
                    name=data["other_name"].strip(),
                    phone=data.get("other_phone", ""),
                    id_number=data.get("other_id_number", ""),
                    address=data.get("other_address", "").strip(),
                    role=data.get("other_role") or PartyRole.RESPONDENT,
                )
            )
        return parties

    def intake(self) -> CaseIntake:
        """The request as petitions.services.register_case takes it."""
        data = self.cleaned_data
        return CaseIntake(
            kind=data["kind"],
            channel=data["channel"],
            category=data["category"],
            community=data["community"],
            grid=data.get("grid"),
            compound=data.get("compound"),
            address=data.get("address", "").strip(),
            title=data["title"],
            content=data["content"],
            triage=data.get("triage") or "",
            followup_interval_days=data.get("followup_interval_days"),
            received_at=data["received_at"],
            reviews=data.get("reviews_number"),
            is_accusation=data.get("is_accusation", False),
            parties=self.parties(),
            named_staff=list(data.get("named_staff") or []),
            field_visit=data.get("field_visit"),
            onsite_session=data.get("onsite_session"),
            reception=data.get("reception"),
            on_the_spot_result=(data.get("on_the_spot_result") or "").strip(),
            on_the_spot_reply=(data.get("on_the_spot_reply") or "").strip(),
        )


# --- one form per step --------------------------------------------------------------------------


class StepForm(PortalForm):
    """A step on one case; `version` is the case's version when the page was drawn."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, case: Case, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("version", case.version)


class NoteForm(StepForm):
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class _TriageMixin:
    """The class chosen on a step, each option explained; 长期跟踪 needs its interval."""

    def _start_triage(self) -> None:
        if not self.is_bound:
            self.initial.setdefault("triage", self.case.triage)
            self.initial.setdefault("followup_interval_days", self.case.followup_interval_days)

    def _clean_triage(self, cleaned: dict[str, Any]) -> None:
        if (
            cleaned.get("triage") == Triage.LONG_TERM
            and not cleaned.get("followup_interval_days")
            and "followup_interval_days" not in self.errors  # a wrong value is said already
        ):
            self.add_error("followup_interval_days", _("长期跟踪类诉求请填写跟踪间隔天数。"))


class AcceptForm(_TriageMixin, NoteForm):
    """受理: says under which class the case is accepted (the one chosen at registration, or
    none: an ordinary request), and lets the coordinator choose another."""

    triage = triage_field(on_the_spot=False)
    followup_interval_days = followup_interval_field()

    field_order = ["triage", "followup_interval_days", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._start_triage()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._clean_triage(cleaned)
        return cleaned


class ReclassifyForm(_TriageMixin, StepForm):
    """调整分类: another class, with the reason (on the timeline)."""

    triage = triage_field(on_the_spot=False)
    followup_interval_days = followup_interval_field()
    reason = forms.CharField(
        label=_("调整理由"), max_length=200, widget=forms.TextInput(attrs={"size": 40})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._start_triage()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._clean_triage(cleaned)
        if "triage" in cleaned and (cleaned.get("triage") or "") == self.case.triage:
            self.add_error("triage", _("分类没有变化：请选择另一种分类办理方式。"))
        return cleaned


class ReferForm(StepForm):
    """提交议事协商会: a meeting of the case's community, planned or held since it came in."""

    deliberation = forms.ModelChoiceField(label=_("议事协商会"), queryset=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        field = self.fields["deliberation"]
        field.queryset = (
            Deliberation.objects.visible_to(self.user)
            .filter(community_id=self.case.community_id, starts_at__gte=self.case.received_at)
            .exclude(status=ActivityStatus.CANCELLED)
            .exclude(pk__in=self.case.deliberations.values("pk"))
            .order_by("starts_at", "pk")
        )
        field.label_from_instance = lambda d: (
            f"{timezone.localtime(d.starts_at):%Y-%m-%d} {d.title}（{d.get_status_display()}）"
        )


class ReasonForm(StepForm):
    reason = forms.CharField(
        label=_("理由"), max_length=200, widget=forms.TextInput(attrs={"size": 40})
    )


class LongReasonForm(StepForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(StepForm):
    note = forms.CharField(label=_("情况"), widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(StepForm):
    handler = StaffChoiceField(label=_("承办人"), queryset=StaffProfile.objects.none())
    co_handlers = StaffMultipleChoiceField(
        label=_("协办人"), queryset=StaffProfile.objects.none(), required=False
    )
    mediators = StaffMultipleChoiceField(
        label=_("调解员"), queryset=StaffProfile.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("交办意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = handling_staff().exclude(user__case_exclusions__case=self.case)
        for name in ("handler", "co_handlers", "mediators"):
            self.fields[name].queryset = staff
        if not self.is_bound and self.case.handler_id:  # 改派: the case's people as they are
            self.initial.setdefault("handler", self.case.handler_id)
            self.initial.setdefault("co_handlers", list(self.case.co_handlers.all()))
            self.initial.setdefault("mediators", list(self.case.mediators.all()))


class BulkAssignForm(PortalForm):
    handler = StaffChoiceField(label=_("承办人"), queryset=StaffProfile.objects.none())
    note = forms.CharField(
        label=_("交办意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handling_staff()


class ProgressForm(StepForm):
    note = forms.CharField(label=_("办理进展"), widget=forms.Textarea(attrs={"rows": 3}))
    progress = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100, required=False)
    public = forms.BooleanField(
        label=_("居民可见"),
        required=False,
        help_text=_("勾选后，居民在进度查询页看到这条进展（姓名、电话会被隐去）"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("progress", self.case.progress)


class DecisionForm(StepForm):
    deliberation_decision = forms.ModelChoiceField(
        label=_("议事协商会决定"), queryset=DeliberationDecision.objects.none(), required=False
    )
    leadership_decision = forms.ModelChoiceField(
        label=_("领导会议决定"), queryset=LeadershipDecision.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        # Decisions about this matter only (petitions.services.decision_problem): of meetings
        # the case was put to and that were held; leadership decisions that name it.
        meetings = Deliberation.objects.visible_to(self.user).filter(
            pk__in=self.case.deliberations.values("pk"), status=ActivityStatus.HELD
        )
        field = self.fields["deliberation_decision"]
        field.queryset = (
            DeliberationDecision.objects.filter(deliberation__in=meetings)
            .select_related("deliberation")
            .order_by("-deliberation__starts_at", "pk")
        )
        # Which meeting decided it, not just the decision's first words.
        field.label_from_instance = lambda d: (
            f"{timezone.localtime(d.deliberation.starts_at):%Y-%m-%d} "
            f"{d.deliberation.title}：{d.text[:40]}"
        )
        if self.user.has_perm("petitions.view_leadershipdecision"):
            self.fields["leadership_decision"].queryset = LeadershipDecision.objects.filter(
                cases=self.case, held_on__lte=clock.today()
            )
        else:  # the role matrix keeps leadership decisions from this role
            del self.fields["leadership_decision"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("deliberation_decision")) == bool(cleaned.get("leadership_decision")):
            raise forms.ValidationError(_("请选择一项议事协商会决定或领导会议决定（只选一项）。"))
        return cleaned


class ExtendForm(StepForm):
    days = forms.IntegerField(label=_("延期天数"), min_value=1, max_value=365)
    reason = forms.CharField(
        label=_("延期理由（将告知信访人）"),
        max_length=200,
        widget=forms.TextInput(attrs={"size": 40}),
    )


class ConcludeForm(StepForm):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}))
    reply = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 4}))
    dual_settlement = forms.BooleanField(
        label=_("事心双解"), required=False, help_text=_("须先记录谈心谈话")
    )
    is_publishable = forms.BooleanField(
        label=_("可在办理公开中展示"),
        required=False,
        help_text=_("不含任何个人信息；检举控告类不公开"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The reply template applied last (see with_template), to draw the step open.
        self.template_applied: int | None = None
        if self.case.is_accusation:
            del self.fields["is_publishable"]

    @classmethod
    def with_template(cls, data: Any, template: Any, **kwargs: Any) -> ConcludeForm:
        """The form as typed, unbound (no errors yet), with the template's text in the reply: the
        reply itself when nothing was written yet, after what was written otherwise."""
        typed = (data.get("reply") or "").rstrip()
        reply = typed
        if template and template.text not in typed:
            reply = f"{typed}\n{template.text}" if typed else template.text
        initial = {
            "result": data.get("result", ""),
            "reply": reply,
            "dual_settlement": bool(data.get("dual_settlement")),
            "is_publishable": bool(data.get("is_publishable")),
        }
        form = cls(initial=initial, **kwargs)
        form.template_applied = template.pk if template else None
        return form


class FollowUpForm(StepForm):
    satisfaction = forms.ChoiceField(
        label=_("评价"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    # 居民网上评价 is the resident's own, on the tracking page.
    method = forms.ChoiceField(
        label=_("方式"),
        choices=[(m.value, m.label) for m in FollowUp.Method if m != FollowUp.Method.ONLINE],
    )
    comment = forms.CharField(
        label=_("意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("选择“不满意”时居民可见：意见写入转入重办的记录"),
    )


class ExcludeForm(StepForm):
    user = StaffUserChoiceField(label=_("回避人员"), queryset=get_user_model().objects.none())
    reason = forms.CharField(label=_("原因"), max_length=100, initial="被反映人，依规回避")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_users().exclude(case_exclusions__case=self.case)


class RevealForm(PortalForm):
    reason = forms.CharField(
        label=_("查看理由"),
        max_length=200,
        min_length=2,
        widget=forms.TextInput(attrs={"size": 50}),
        help_text=_("如：电话回访需要核对号码。理由和查看记录会写入办理记录。"),
        error_messages={
            "required": _("请写明为什么要查看完整信息。"),
            "min_length": _("请把查看理由写具体一些（至少 2 个字）。"),
            "max_length": _("查看理由最多 200 字。"),
        },
    )
