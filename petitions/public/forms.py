"""Residents' forms: 我要反映, 网站纠错, 进度查询, 评价, and the filters of 办理公开.

Messages are plain Chinese, marked for translation, one per field. Text is kept as typed (rare
characters such as 𠮷 and 𰻞, emoji) except NUL and other control characters, which are removed:
PostgreSQL refuses NUL in text and nobody types them. Lengths are counted in characters, as
residents count them; the inputs carry no ``maxlength`` because browsers count UTF-16 units (𠮷
counts twice) and cut pasted text silently instead of saying why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outreach.forms import month_bounds
from petitions.models import Category, Satisfaction
from petitions.public import limits
from petitions.services import TRACKING_ALPHABET, TRACKING_LENGTH, normalise_tracking_code
from portal.forms import PortalForm
from portal.i18n import interpolate_lazy
from portal.images import ACCEPT, ImageRejected, IngestedImage, ingest_image
from portal.models import Community, Compound, Grid
from portal.pagetitles import Page, page_at
from portal.privacy import MOBILE, InvalidNumber, canonical_phone
from portal.text import clean_text
from portal.validators import validate_person_name

TITLE_MAX = 80
CONTENT_MAX = 2000
CONTENT_MIN = 5
ADDRESS_MAX = 100
NAME_MAX = 40
COMMENT_MAX = 500
HONEYPOT = "memo_extra"

_KEEP_CONTROLS = {"\n", "\t"}
_DIGITS = re.compile(r"[0-9]{4}")
_ID = re.compile(r"[0-9]{1,18}")


def plain_text(value: str) -> str:
    """Remove NUL and other control characters (keep line breaks and tabs); unify newlines;
    no invisible characters at the ends (portal.text.clean_text)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return clean_text(
        "".join(ch for ch in value if ch in _KEEP_CONTROLS or unicodedata.category(ch) != "Cc")
    )


class PlainTextField(forms.CharField):
    """Text a resident types, limited in characters with a message that says the limit."""

    def __init__(
        self,
        *,
        max_length: int,
        min_length: int | None = None,
        required_message: Any = "",
        **kwargs: Any,
    ) -> None:
        messages = {
            "max_length": _("最多 %(limit_value)d 字（现在 %(show_value)d 字），请精简后再提交。"),
            "min_length": _("请写得具体一些（至少 %(limit_value)d 个字）。"),
        }
        if required_message:
            messages["required"] = required_message
        kwargs["error_messages"] = messages | kwargs.get("error_messages", {})
        super().__init__(max_length=max_length, min_length=min_length, **kwargs)

    def to_python(self, value: Any) -> str:
        return plain_text(super().to_python(value))

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs.pop("minlength", None)
        return attrs


class MobileField(forms.CharField):
    """A mainland mobile number; full-width digits, spaces, dashes and +86 are accepted and
    normalised (13912345678). Anything else is refused, never stored half-valid."""

    message = _("请填写正确的 11 位手机号码（用于答复您和查询进度）。")
    checks_own_length = True  # a long value is a wrong number, said as such

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": _("请填写手机号码，以便答复您。")})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return plain_text(super().to_python(value))

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if len(text) > 40:
            raise ValidationError(self.message, code="invalid")
        try:
            phone = canonical_phone(text)
        except InvalidNumber as exc:
            raise ValidationError(self.message, code="invalid") from exc
        if not MOBILE.fullmatch(phone):
            raise ValidationError(self.message, code="invalid")
        return phone


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three photos, each through ``portal.images.ingest_image`` (GPS and EXIF removed)."""

    widget = MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[IngestedImage]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > limits.MAX_PHOTOS:
            raise ValidationError(
                gettext("最多上传 %(max)d 张照片（您选择了 %(n)d 张）。")
                % {"max": limits.MAX_PHOTOS, "n": len(uploads)},
                code="too_many",
            )
        photos, errors = [], []
        for number, upload in enumerate(uploads, start=1):
            try:
                photos.append(ingest_image(upload))
            except ImageRejected as exc:
                if len(uploads) > 1:
                    message = gettext("第 %(n)d 张照片：%(problem)s") % {
                        "n": number,
                        "problem": exc.message,
                    }
                else:
                    message = gettext("照片：%(problem)s") % {"problem": exc.message}
                errors.append(ValidationError(message, code=exc.code))
        if errors:
            raise ValidationError(errors)
        return photos


class ChoiceOfRows(forms.ModelChoiceField):
    """A model choice that refuses a NUL in the value before it reaches the database
    (PostgreSQL rejects NUL in text parameters with an error, which would be a 500)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def _param(value: Any, limit: int = 30) -> str:
    """A query-string value usable in a lookup: short, no NUL (otherwise nothing)."""
    text = str(value or "")[:limit]
    return "" if "\x00" in text else text


def _digits(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if _ID.fullmatch(text) else None


@dataclass(frozen=True)
class Prefill:
    """Where a QR code at a grid station says the resident is; anything invalid is dropped."""

    community: Community | None = None
    compound: Compound | None = None
    grid: Grid | None = None

    @classmethod
    def from_query(cls, query: Any) -> Prefill:
        grid = compound = community = None
        if (grid_id := _digits(query.get("grid"))) is not None:
            grid = (
                Grid.objects.filter(pk=grid_id, is_active=True, community__is_active=True)
                .select_related("community")
                .first()
            )
        code = _param(query.get("community"))
        if code:
            community = Community.objects.filter(code=code, is_active=True).first()
        if (compound_id := _digits(query.get("compound"))) is not None:
            compound = (
                Compound.objects.filter(pk=compound_id, is_active=True, community__is_active=True)
                .select_related("community", "grid")
                .first()
            )
        if grid is not None:
            if community is not None and community.pk != grid.community_id:
                community = None
            community = community or grid.community
        if compound is not None:
            other_community = community is not None and compound.community_id != community.pk
            other_grid = grid is not None and compound.grid_id not in (None, grid.pk)
            if other_community or other_grid:
                compound = None
            else:
                community = compound.community
                grid = grid or compound.grid
        return cls(community=community, compound=compound, grid=grid)

    def initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        if self.community is not None:
            initial["community"] = self.community.code
        if self.compound is not None:
            initial["compound"] = str(self.compound.pk)
        if self.grid is not None:
            initial["grid"] = str(self.grid.pk)
        return initial


class ErrorSummary:
    """The list of what to fix above a resident's form, each linking to its field."""

    SUMMARY_LABELS: dict[str, Any] = {}

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(field id, short label, first message) for each visible field to fix, in order."""
        rows = []
        for field in self.visible_fields():  # type: ignore[attr-defined]
            if not field.errors:
                continue
            label = str(self.SUMMARY_LABELS.get(field.name, field.label))
            message = str(field.errors[0]).removeprefix(f"{label}：")
            rows.append((field.id_for_label, label, message))
        return rows


class RequestForm(ErrorSummary, PortalForm):
    """我要反映: what happened, where, and how to reach the resident for the reply."""

    category = ChoiceOfRows(
        label=_("反映事项类别"),
        queryset=Category.objects.none(),
        empty_label=_("请选择"),
        error_messages={
            "required": _("请选择反映事项的类别。"),
            "invalid_choice": _("请从列表中选择事项类别。"),
        },
    )
    community = ChoiceOfRows(
        label=_("所在社区"),
        queryset=Community.objects.none(),
        to_field_name="code",
        empty_label=_("请选择社区"),
        error_messages={
            "required": _("请选择事情发生在哪个社区。"),
            "invalid_choice": _("请从列表中选择社区。"),
        },
    )
    compound = forms.ChoiceField(
        label=_("小区"),
        required=False,
        help_text=_("不在小区内或不清楚可以不选。"),
        error_messages={"invalid_choice": _("请重新选择小区（所选小区不在所选社区）。")},
    )
    grid = forms.CharField(required=False, widget=forms.HiddenInput)
    address = PlainTextField(
        label=_("具体位置"),
        max_length=ADDRESS_MAX,
        required=False,
        help_text=_("如：3号楼2单元门口、小区东门停车场。"),
    )
    title = PlainTextField(
        label=_("一句话说明"),
        max_length=TITLE_MAX,
        required_message=_("请用一句话说明是什么事。"),
        help_text=interpolate_lazy(
            _("如：楼道堆放杂物影响通行（最多 %(n)d 字）。"), {"n": TITLE_MAX}
        ),
    )
    content = PlainTextField(
        label=_("具体情况"),
        max_length=CONTENT_MAX,
        min_length=CONTENT_MIN,
        required_message=_("请写一写具体情况。"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=interpolate_lazy(
            _("什么时间、什么地方、发生了什么，希望怎样解决（%(min)d 至 %(n)d 字）。"),
            {"min": CONTENT_MIN, "n": CONTENT_MAX},
        ),
    )
    photos = PhotosField(
        label=_("照片（可不传）"),
        help_text=interpolate_lazy(
            _(
                "最多 %(n)d 张，JPEG、PNG 或 WebP，每张不超过 10 MB。"
                "上传时自动去除拍摄位置等信息；照片只有工作人员能看到，不会公开。"
            ),
            {"n": limits.MAX_PHOTOS},
        ),
    )
    name = PlainTextField(
        label=_("您的姓名"),
        max_length=NAME_MAX,
        required_message=_("请填写您的姓名，以便答复您。"),
        validators=[validate_person_name],
    )
    phone = MobileField(
        label=_("手机号码"),
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": _("11 位手机号码")}
        ),
        help_text=_("用于答复您；查询进度时需要输入后 4 位。"),
    )
    consent = forms.BooleanField(
        label=_("我已阅读上面的个人信息处理说明，同意按此处理我的个人信息。"),
        error_messages={"required": _("请阅读个人信息处理说明并勾选同意，才能提交。")},
    )

    def __init__(
        self,
        *args: Any,
        token_problem: str | None = None,
        prefill: Prefill | None = None,
        **kwargs: Any,
    ) -> None:
        if prefill is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = prefill.initial() | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        self.token_problem = token_problem
        self.prefill = prefill or Prefill()
        self.fields["category"].queryset = Category.objects.filter(is_active=True, is_public=True)
        self.fields["community"].queryset = Community.objects.filter(is_active=True)
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["title"].widget.attrs.update(autocomplete="off")
        self._compounds = self._compound_choices()

    # Shorter names for the error summary where the label is a sentence or repeats itself.
    SUMMARY_LABELS = {"consent": _("个人信息处理说明"), "photos": _("照片")}

    def _chosen_community_code(self) -> str:
        if self.is_bound:
            return _param(self.data.get(self.add_prefix("community")))
        return str(self.initial.get("community") or "")

    def _compound_choices(self) -> dict[str, Compound]:
        """Only the chosen community's compounds once it is known, else all, by community."""
        compounds = Compound.objects.filter(is_active=True, community__is_active=True)
        code = self._chosen_community_code()
        if code and Community.objects.filter(code=code, is_active=True).exists():
            compounds = compounds.filter(community__code=code)
        compounds = list(
            compounds.select_related("community", "grid").order_by(
                "community__sort_order", "community__name", "name"
            )
        )
        groups: dict[str, list[tuple[str, str]]] = {}
        for compound in compounds:
            groups.setdefault(compound.community.name, []).append((str(compound.pk), compound.name))
        choices: list[Any] = [("", gettext("不在小区内 / 不清楚"))]
        if len(groups) == 1:
            choices += next(iter(groups.values()))
        else:
            choices += list(groups.items())
        self.fields["compound"].choices = choices
        return {str(c.pk): c for c in compounds}

    def clean_compound(self) -> Compound | None:
        value = self.cleaned_data.get("compound") or ""
        return self._compounds.get(value)

    def clean_grid(self) -> Grid | None:
        grid_id = _digits(self.cleaned_data.get("grid"))
        if grid_id is None:
            return None
        # A hidden value from a QR code: a wrong one is dropped quietly, never an error.
        return Grid.objects.filter(pk=grid_id, is_active=True).first()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.data.get(HONEYPOT):
            raise ValidationError(
                gettext("提交未通过安全检查。如果您是居民本人，请确认内容后再次点击提交。"),
                code="bot",
            )
        if self.token_problem and not self.errors:
            # Only when nothing else is wrong: fixing the fields takes long enough anyway.
            raise ValidationError(self.token_problem, code="token")
        community = data.get("community")
        compound = data.get("compound")
        grid = data.get("grid")
        if community is not None and compound is not None and compound.community_id != community.pk:
            self.add_error("compound", gettext("所选小区不在所选社区，请重新选择。"))
            compound = None
        if community is not None and grid is not None and grid.community_id != community.pk:
            grid = None
        if compound is not None and compound.grid_id:
            grid = compound.grid
        data["grid"] = grid
        return data


class TrackForm(PortalForm):
    """进度查询: the tracking code on the receipt and the last four digits of the mobile."""

    code = forms.CharField(
        label=_("查询码"),
        max_length=64,
        error_messages={
            "required": _("请填写回执上的查询码。"),
            "max_length": interpolate_lazy(
                _("查询码为 %(n)d 位字母和数字，请核对回执。"), {"n": TRACKING_LENGTH}
            ),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": _("如 ACDE-FGHJ-KMNP"),
            }
        ),
        help_text=interpolate_lazy(
            _("回执上的 %(n)d 位查询码，可以不输入短横线，大小写均可。"), {"n": TRACKING_LENGTH}
        ),
    )
    last4 = forms.CharField(
        label=_("手机号码后 4 位"),
        max_length=16,
        error_messages={
            "required": _("请填写您登记的手机号码的后 4 位。"),
            "max_length": _("请填写手机号码的后 4 位数字。"),
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": _("如 5678")}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_tracking_code(plain_text(self.cleaned_data["code"]))
        if len(code) != TRACKING_LENGTH or any(ch not in TRACKING_ALPHABET for ch in code):
            raise ValidationError(
                gettext("查询码为 %(n)d 位字母和数字（不含 0、1、O、I 等易混字符），请核对回执。")
                % {"n": TRACKING_LENGTH},
                code="format",
            )
        return code

    def clean_last4(self) -> str:
        text = unicodedata.normalize("NFKC", plain_text(self.cleaned_data["last4"])).strip()
        if not _DIGITS.fullmatch(text):
            raise ValidationError(gettext("请填写手机号码的后 4 位数字。"), code="format")
        return text


class RatingForm(PortalForm):
    """回访评价 online: one rating of the latest conclusion."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果的评价"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择满意、基本满意或不满意。"),
            "invalid_choice": _("请选择满意、基本满意或不满意。"),
        },
    )
    comment = PlainTextField(
        label=_("意见和建议（可不填）"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选择“不满意”时，请说明哪里没有解决，我们会重新办理。"),
    )


class ResultsFilterForm(PortalForm):
    """办理公开 filters: community, category and month; a bad value is reported and ignored."""

    community = ChoiceOfRows(
        label=_("社区"),
        queryset=Community.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("全部社区"),
        error_messages={"invalid_choice": _("没有这个社区，已显示全部社区。")},
    )
    category = ChoiceOfRows(
        label=_("类别"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("全部类别"),
        error_messages={"invalid_choice": _("没有这个类别，已显示全部类别。")},
    )
    month = forms.CharField(
        label=_("办结月份"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.filter(is_active=True)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def clean_month(self) -> tuple[date, date] | None:
        value = plain_text(self.cleaned_data.get("month") or "")
        if not value:
            return None
        bounds = month_bounds(value) if len(value) <= 7 else None
        if bounds is None or not 2000 <= bounds[0].year <= 2100:
            raise ValidationError(gettext("月份格式应为“2026-11”，已忽略这个条件。"))
        return bounds

    def filters(self) -> dict[str, Any]:
        """The valid filters only (invalid ones were reported in ``errors``)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: self.cleaned_data.get(name)
            for name in ("community", "category", "month")
            if name not in self.errors and self.cleaned_data.get(name)
        }


PAGE_MAX = 300  # a pasted address, before it is checked (portal.pagetitles keeps paths to 200)
PROBLEM_MAX = 500
PROBLEM_MIN = 4
CORRECTION_MAX = 500


def site_hosts(request_host: str) -> set[str]:
    """The hosts whose addresses are this site's: the one the page was served from and the
    configured public address (PORTAL_SITE_URL)."""
    hosts = {request_host.lower()} if request_host else set()
    if settings.PORTAL_SITE_URL:
        hosts.add(urlsplit(settings.PORTAL_SITE_URL).netloc.lower())
    return hosts


class ErrorReportForm(ErrorSummary, PortalForm):
    """网站纠错: which page, what is wrong on it, what it should say, and whom to answer."""

    page = PlainTextField(
        label=_("有误的页面"),
        max_length=PAGE_MAX,
        required_message=_("请填写有误页面的地址（从页面上的“纠错”链接进入会自动填写）。"),
        help_text=_("本站页面的地址，如 /news/12/；从页面上的“纠错”链接进入会自动填写。"),
    )
    problem = PlainTextField(
        label=_("哪里有误"),
        max_length=PROBLEM_MAX,
        min_length=PROBLEM_MIN,
        required_message=_("请写明页面哪里有误。"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=interpolate_lazy(
            _("如：第二段“凤凰岭街到”应为“凤凰岭街道”（%(min)d 至 %(n)d 字）。"),
            {"min": PROBLEM_MIN, "n": PROBLEM_MAX},
        ),
    )
    correction = PlainTextField(
        label=_("建议改为（可不填）"),
        max_length=CORRECTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    name = PlainTextField(
        label=_("您的姓名"),
        max_length=NAME_MAX,
        required_message=_("请填写您的姓名，以便答复您。"),
        validators=[validate_person_name],
    )
    phone = MobileField(
        label=_("手机号码"),
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": _("11 位手机号码")}
        ),
        help_text=_("用于答复您；查询进度时需要输入后 4 位。"),
    )
    consent = forms.BooleanField(
        label=_("我已阅读上面的个人信息处理说明，同意按此处理我的个人信息。"),
        error_messages={"required": _("请阅读个人信息处理说明并勾选同意，才能提交。")},
    )

    SUMMARY_LABELS = {"consent": _("个人信息处理说明"), "correction": _("建议改为")}

    def __init__(
        self, *args: Any, host: str = "", token_problem: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hosts = site_hosts(host)
        self.token_problem = token_problem
        self.fields["page"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.fields["name"].widget.attrs.update(autocomplete="name")

    def clean_page(self) -> Page:
        value = self.cleaned_data["page"].strip()
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or value.startswith("//"):
            if parts.scheme.lower() not in ("http", "https") or (
                parts.netloc.lower() not in self.hosts
            ):
                raise ValidationError(
                    gettext("只能对本站的页面纠错：请填写本站页面的地址（如 /news/12/）。"),
                    code="other_site",
                )
            value = parts.path or "/"
        page = page_at(value) if value.startswith("/") else None
        if page is None:
            raise ValidationError(
                gettext("本站没有这个页面（或已撤下），请核对地址，如 /news/12/。"),
                code="no_page",
            )
        return page

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.data.get(HONEYPOT):
            raise ValidationError(
                gettext("提交未通过安全检查。如果您是居民本人，请确认内容后再次点击提交。"),
                code="bot",
            )
        if self.token_problem and not self.errors:
            raise ValidationError(self.token_problem, code="token")
        return data
