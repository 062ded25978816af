"""The news forms of the back office: the article's content (saved as a new revision) and one
small form per review step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.actors import Viewer
from portal.forms import PortalForm, PortalModelForm
from portal.images import PhotoField
from portal.news import related, rules, services
from portal.news.editor import BodyField
from portal.news.models import (
    Article,
    Column,
)
from portal.news.services import Draft, NewsError
from portal.people import display_name

# Long enough for any article; the form says the limit when it is passed.
BODY_LIMIT = 50_000
CONTENT_FIELDS = ["title", "column", "source", "byline", "summary", "body", "tags"]


class ArticleForm(PortalModelForm):
    """The content of the article's next revision. Nothing here is written by the form: the
    admin hands ``draft`` to the services once the form has checked it as they would."""

    title = forms.CharField(
        label=_("标题"), max_length=80, error_messages={"required": _("请填写标题")}
    )
    column = forms.ModelChoiceField(
        label=_("栏目"),
        queryset=Column.objects.filter(is_active=True),
        error_messages={
            "required": _("请选择栏目"),
            "invalid_choice": _("请从列表中选择栏目"),
        },
    )
    source = forms.CharField(
        label=_("来源"),
        max_length=60,
        error_messages={"required": _("请填写来源")},
        help_text=_("发布单位，如街道办事处或社区居委会"),
    )
    byline = forms.CharField(label=_("作者"), max_length=60, required=False)
    summary = forms.CharField(
        label=_("摘要"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("列表和分享时显示，200字以内；不填则不显示摘要"),
    )
    body = BodyField(
        label=_("正文"),
        max_length=BODY_LIMIT,
        upload_url=reverse_lazy("admin:news_article_body_image"),
        error_messages={"required": _("请填写正文")},
        help_text=_(
            "用上方工具栏设置标题、加粗、列表、链接、表格和插入图片；从 Word 或微信复制粘贴时"
            "保留段落和文字，其余格式自动去除"
        ),
    )
    tags = forms.CharField(
        label=_("标签"),
        max_length=100,
        required=False,
        help_text=_("多个标签用顿号或逗号分开"),
    )
    cover_upload = PhotoField(
        label=_("封面图"),
        required=False,
        help_text=_(
            "JPEG、PNG 或 WebP，不超过 10 MB，横图为宜；上传时自动去除拍摄位置等信息。"
            "保存出错时需重新选择图片。不上传则保留原封面图。"
        ),
    )
    remove_cover = forms.BooleanField(label=_("去掉封面图"), required=False)
    related_activities = forms.MultipleChoiceField(
        label=_("相关活动"),
        required=False,
        widget=FilteredSelectMultiple(_("相关活动"), is_stacked=False),
        help_text=_("只列出已对居民公开的宣讲、调研、现场办公和议事活动（每类最近300场）"),
        error_messages={"invalid_choice": _("相关活动只能选择已公开的活动，请重新选择")},
    )
    related_results = forms.TypedMultipleChoiceField(
        label=_("相关成果"),
        coerce=int,
        required=False,
        widget=FilteredSelectMultiple(_("相关成果"), is_stacked=False),
        help_text=_("只列出“办理公开”中已公开的办理结果（最近300件）"),
        error_messages={"invalid_choice": _("相关成果只能选择办理公开中的结果，请重新选择")},
    )
    # The revision the page was drawn from: a save over someone else's newer one says so.
    revision_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    actor: Viewer | None = None  # set by ArticleAdmin.get_form

    class Meta:
        model = Article
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.current if self.instance.pk else None
        self.current_cover = current.cover if current is not None else None
        if self.current_cover is None:
            del self.fields["remove_cover"]
        # Only what residents may open now is offered, so it is also all a post may choose.
        self.fields["related_activities"].choices = related.activity_choices()
        self.fields["related_results"].choices = related.result_choices()
        if current is not None:
            self.initial.update(current.content())
            self.initial["revision_seen"] = current.number
            # A column stopped since stays selectable on its own article (saving says so).
            self.fields["column"].queryset = Column.objects.filter(
                is_active=True
            ) | Column.objects.filter(pk=current.column_id)
        self.draft: Draft | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        keep = None if cleaned.get("remove_cover") else self.current_cover
        draft = Draft(
            **{name: cleaned.get(name) or "" for name in CONTENT_FIELDS},
            cover=keep,
            new_cover=cleaned.get("cover_upload"),
            related_activities=tuple(cleaned.get("related_activities") or ()),
            related_results=tuple(cleaned.get("related_results") or ()),
        )
        try:
            self.draft = services.validate_draft(draft)
        except NewsError as exc:
            self.add_error(None, str(exc))
            return cleaned
        if self.instance.pk:
            self._check_current(cleaned)
        return cleaned

    def _check_current(self, cleaned: dict[str, Any]) -> None:
        live = Article.objects.select_related("current__created_by__staff_profile").get(
            pk=self.instance.pk
        )
        if self.actor is not None and (refusal := rules.refusal("edit", live, self.actor)):
            self.add_error(None, refusal)
            return
        seen = cleaned.get("revision_seen")
        current = live.current
        if current is not None and seen is not None and seen != current.number:
            # Shown once: saving again keeps what was typed as the next revision.
            self.data = self.data.copy()
            self.data[self.add_prefix("revision_seen")] = str(current.number)
            self.add_error(
                None,
                gettext(
                    "这篇稿件刚刚已由%(who)s保存为第%(n)d版。您填写的内容已保留：请先在下方"
                    "“版本”中对比，确认后再次保存即成为新的一版。"
                )
                % {"who": display_name(current.created_by), "n": current.number},
            )


# --- the steps' forms -------------------------------------------------------------------------


class StepForm(PortalForm):
    """Every step's form carries the state its page showed (the article's last recorded step):
    a step someone else has taken first is refused with a clear message."""

    state = forms.CharField(widget=forms.HiddenInput, max_length=20)


class SignForm(StepForm):
    comment = forms.CharField(
        label=_("签批意见（可不填）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SendBackForm(StepForm):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写退回原因")},
        help_text=_("作者会看到退回原因，修改后重新送审"),
    )


class WithdrawForm(StepForm):
    reason = forms.CharField(
        label=_("撤回原因"),
        max_length=200,
        error_messages={"required": _("请填写撤回原因")},
        help_text=_("撤回后居民不再看到这篇稿件，原因记入稿件记录"),
    )


class PublishForm(StepForm):
    """发布 now, or at a time entered in the portal's time zone (Asia/Shanghai)."""

    when = forms.ChoiceField(
        choices=[("now", _("立即发布")), ("at", _("定时发布"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("请选择立即发布或定时发布")},
    )
    publish_at = forms.DateTimeField(
        label=_("定时发布时间（北京时间）"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("请按“年-月-日 时:分”填写正确的日期和时间")},
        help_text=_("到时间后自动发布，无需有人在场"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("when") != "at" or "publish_at" in self.errors:
            return cleaned
        at = cleaned.get("publish_at")
        if at is None:
            self.add_error("publish_at", _("请填写定时发布的日期和时间"))
        elif at <= clock.now():
            self.add_error("publish_at", _("定时发布时间须晚于现在；立即发布请点“立即发布”"))
        return cleaned


class DismissForm(StepForm):
    """忽略 one proofreading finding of the current revision, with the reason it stays."""

    wrong = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reason = forms.CharField(
        label=_("不改的理由"),
        max_length=200,
        error_messages={
            "required": _("请填写忽略这条校对提示的理由"),
            "max_length": _("理由请写在200字以内"),
        },
        help_text=_("如：引用原文、专有名称。审核人会看到这条理由"),
    )


class RestoreForm(StepForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=10**6)


class DiffForm(PortalForm):
    old = forms.ChoiceField(label=_("旧版本"))
    new = forms.ChoiceField(label=_("新版本"))

    def __init__(self, *args: Any, numbers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("old", "new"):
            self.fields[name].choices = numbers
            self.fields[name].error_messages["invalid_choice"] = _("请从列表中选择版本")
            self.fields[name].error_messages["required"] = _("请选择版本")
