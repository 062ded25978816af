"""The staff side of the news (新闻动态) in the back office.

An article's form edits the content of its current revision and saves only through
``services.create_article`` / ``services.save_revision``: a save writes a new revision, never
changes an old one. Its steps (送审, 签批, 退回, 发布, 撤回, 恢复) are buttons drawn where the rule
book (``portal.news.rules``) offers them; each is a form of its own posting to
``<id>/step/<name>/``, which asks the guard again, refuses a form drawn before someone else
acted (the hidden state is the article's last step on the record), and calls the service, which
asks once more inside the row lock. Beside them: the review's progress, the revisions with a
character-level diff and restore, the article's record and a printable 审核单.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.access import scope_of
from portal.actors import Actor, Viewer
from portal.admin_base import PortalModelAdmin
from portal.forms import PortalForm, PortalModelForm
from portal.models import Community
from portal.news import diff, rules, services
from portal.news.models import (
    Article,
    ArticleEvent,
    ArticleStatus,
    Column,
    ReviewStep,
    Revision,
    Signature,
    Submission,
    SubmissionOutcome,
)
from portal.news.services import Draft, NewsError
from portal.people import display_name
from portal.roles import Reach
from portal.templatetags.portal_tags import cn_datetime

# Long enough for any article; the form says the limit when it is passed.
BODY_LIMIT = 50_000
CONTENT_FIELDS = ["title", "column", "source", "byline", "summary", "body", "tags"]


# --- lists the office keeps -------------------------------------------------------------------


@admin.register(Column)
class ColumnAdmin(PortalModelAdmin):
    list_display = ["name", "slug", "description", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]


@admin.register(ReviewStep)
class ReviewStepAdmin(PortalModelAdmin):
    """The review chain (三审) as data; the role matrix lets the party secretary change it."""

    list_display = ["order", "name", "role"]


# --- the content form -------------------------------------------------------------------------


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
    body = forms.CharField(
        label=_("正文"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 16}),
        error_messages={"required": _("请填写正文")},
        help_text=_(
            "暂按网页格式保存：每段写在 &lt;p&gt; 与 &lt;/p&gt; 之间；可视化编辑器将在后续版本提供"
        ),
    )
    tags = forms.CharField(
        label=_("标签"),
        max_length=100,
        required=False,
        help_text=_("多个标签用顿号或逗号分开"),
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
        draft = Draft(**{name: cleaned.get(name) or "" for name in CONTENT_FIELDS})
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


class RestoreForm(StepForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=10**6)


@dataclass(frozen=True)
class Step:
    """How one step looks on the page; whether it is offered is rules.RULES[name]'s answer."""

    name: str
    label: Any
    done: Any
    form: type[StepForm] = StepForm
    help: Any = ""
    danger: bool = False


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "submit",
            _("送审"),
            _("已送审，等待第一环节签批。"),
            help=_("送审后，审核人签批的是这一版；再修改会使审核重新开始。"),
        ),
        Step("sign", _("签批"), _("已签批。"), SignForm),
        Step(
            "send_back",
            _("退回"),
            _("已退回作者修改。"),
            SendBackForm,
            help=_("不同意这一版时退回，写明原因。"),
            danger=True,
        ),
        Step("publish", _("发布"), _("已发布，居民可以看到这篇稿件。"), PublishForm),
        Step(
            "withdraw",
            _("撤回"),
            _("已撤回，居民不再看到这篇稿件。"),
            WithdrawForm,
            danger=True,
        ),
        Step("restore", _("恢复此版本"), _("已恢复为新的一版，需重新送审。"), RestoreForm),
    )
}
# Drawn in the panel; 修改 is the form itself and 恢复 a button on each revision.
PANEL_STEPS = ("submit", "sign", "send_back", "publish", "withdraw")
if set(STEPS) | {"edit"} != set(rules.RULES):
    raise ImproperlyConfigured("every step of portal.news.rules needs its presentation here")


# --- the list ---------------------------------------------------------------------------------


class QueueFilter(admin.SimpleListFilter):
    """待办: exactly the articles each workbench queue counts (portal.news.queues)."""

    title = _("待办")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("to_sign", _("待我审核")),
            ("to_publish", _("待发布")),
            ("sent_back", _("退回待修改")),
            ("schedule_missed", _("定时发布未执行")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        user = request.user
        value = self.value()
        if value == "to_sign":
            return queryset.filter(pk__in=rules.awaiting_signature(Article.objects, user))
        if value == "to_publish":
            return queryset.filter(pk__in=rules.to_publish(Article.objects, user))
        if value == "sent_back":
            return queryset.filter(pk__in=rules.sent_back_to(Article.objects, user))
        if value == "schedule_missed":
            missed = rules.schedule_missed(Article.objects, user, now=clock.now())
            return queryset.filter(pk__in=missed)
        return queryset


def _shanghai(moment: Any) -> str:
    return cn_datetime(moment) if moment else ""


@admin.register(Article)
class ArticleAdmin(PortalModelAdmin):
    form = ArticleForm
    change_form_template = "admin/news/article/change_form.html"
    list_display = [
        "list_title",
        "list_column",
        "status",
        "progress",
        "list_version",
        "last_change",
    ]
    list_display_links = ["list_title"]
    list_filter = [QueueFilter, "status", "current__column"]
    search_fields = ["current__title"]
    actions: list[Any] = []
    save_on_top = False

    # --- scope and the list ----------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        latest = ArticleEvent.objects.filter(article=OuterRef("pk")).order_by("-at", "-pk")
        return (
            rules.visible_to(super().get_queryset(request), request.user)
            .select_related("current__column", "community")
            .annotate(
                awaited_step=rules.awaited_step(),
                last_outcome=rules.last_submission("outcome"),
                last_change_at=Subquery(latest.values("at")[:1]),
            )
        )

    @admin.display(description=_("标题"), ordering="current__title")
    def list_title(self, obj: Article) -> str:
        return obj.current.title if obj.current else str(obj)

    @admin.display(description=_("栏目"), ordering="current__column__sort_order")
    def list_column(self, obj: Article) -> str:
        return obj.current.column.name if obj.current else ""

    @admin.display(description=_("版本"), ordering="current__number")
    def list_version(self, obj: Article) -> str:
        return gettext("第%(n)d版") % {"n": obj.current.number} if obj.current else ""

    @admin.display(description=_("最后变动"), ordering="last_change_at")
    def last_change(self, obj: Article) -> str:
        return _shanghai(getattr(obj, "last_change_at", None))

    @admin.display(description=_("进度"))
    def progress(self, obj: Article) -> str:
        """What the article waits for: 待审核（审核）, 待发布, 定时发布, 退回待修改 …"""
        return progress_text(obj, getattr(obj, "awaited_step", None), obj.last_outcome)

    # --- the form --------------------------------------------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # articles, revisions and their record never vanish: withdraw instead

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or rules.refusal("edit", obj, request.user) is None

    def _community_choice(self, request: HttpRequest) -> QuerySet[Community] | None:
        """The communities a new article may belong to, when the person has a choice."""
        scope = scope_of(request.user)
        reach = rules.NEWS_REACH.get(scope.role) if scope.role else None
        if reach is Reach.ALL:
            return Community.objects.all()
        if reach is Reach.COMMUNITIES and len(scope.community_ids) > 1:
            return Community.objects.filter(pk__in=scope.community_ids)
        return None

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        if obj is not None and not self.has_change_permission(request, obj):
            return [(None, {"fields": READ_ONLY_FIELDS})]
        first = ["title", "column"]
        if obj is None and self._community_choice(request) is not None:
            first.append("community")
        return [
            (None, {"fields": first}),
            (_("署名与来源"), {"fields": ["source", "byline"]}),
            (_("内容"), {"fields": ["summary", "body", "tags", "revision_seen"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and not self.has_change_permission(request, obj):
            return list(READ_ONLY_FIELDS)
        return []

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        choice = self._community_choice(request) if obj is None else None
        actor = request.user
        attrs: dict[str, Any] = {"actor": actor}
        if choice is not None:
            everyone = rules.NEWS_REACH.get(scope_of(actor).role) is Reach.ALL
            attrs["community"] = forms.ModelChoiceField(
                label=_("所属社区"),
                queryset=choice,
                required=not everyone,
                empty_label=_("全街道（不属于某个社区）") if everyone else "---------",
                error_messages={
                    "required": _("请选择稿件所属的社区"),
                    "invalid_choice": _("请从列表中选择社区"),
                },
            )
        return type("ArticleFormFor", (form,), attrs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("source", settings.PORTAL_SUBDISTRICT)
        initial.setdefault("byline", display_name(request.user))
        return initial

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Through the services only; the form has checked what they check (a refusal here
        means someone acted in between, see changeform_view)."""
        draft = form.draft
        if change:
            request._news_was = obj.status  # type: ignore[attr-defined]
            request._news_revision = services.save_revision(obj, draft, actor=request.user)  # type: ignore[attr-defined]
            return
        article = services.create_article(
            draft, actor=request.user, community=form.cleaned_data.get("community")
        )
        obj.pk = article.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # no relations are written by the form

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except NewsError as exc:
            # The form agreed, then someone acted before the save: nothing was written.
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_news_revision", True) is None:
            return None  # nothing changed, nothing saved
        return super().log_change(request, obj, message)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None):
        self.message_user(
            request,
            gettext("稿件已保存为草稿（第1版）。写好后点击“送审”。"),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._change_url(obj))

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        revision = getattr(request, "_news_revision", None)
        if revision is None:
            self.message_user(request, gettext("内容没有变化，没有保存新版本。"), messages.INFO)
        else:
            obj.refresh_from_db()
            was = getattr(request, "_news_was", "")
            done = gettext("已保存为第%(n)d版。") % {"n": revision.number}
            if was in (ArticleStatus.IN_REVIEW, ArticleStatus.APPROVED):
                done += gettext("审核中的版本已修改，需重新送审。")
            elif obj.live_id is not None:
                done += gettext("居民看到的仍是已发布的版本；新版本送审、审发并发布后才替换。")
            else:
                done += gettext("修改完成后请点击“送审”。")
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    # --- read-only content (withdrawn articles, roles that only read) ----------------------

    @admin.display(description=_("标题"))
    def content_title(self, obj: Article) -> str:
        return obj.current.title if obj.current else ""

    @admin.display(description=_("栏目"))
    def content_column(self, obj: Article) -> str:
        return obj.current.column.name if obj.current else ""

    @admin.display(description=_("来源"))
    def content_source(self, obj: Article) -> str:
        return obj.current.source if obj.current else ""

    @admin.display(description=_("作者"))
    def content_byline(self, obj: Article) -> str:
        return obj.current.byline if obj.current else ""

    @admin.display(description=_("摘要"))
    def content_summary(self, obj: Article) -> str:
        return obj.current.summary if obj.current else ""

    @admin.display(description=_("正文"))
    def content_body(self, obj: Article) -> str:
        if not obj.current:
            return ""
        # The text of each paragraph, escaped: the stored markup is never drawn here.
        return format_html(
            "{}", linebreaks("\n\n".join(diff.paragraphs(obj.current.body)), autoescape=True)
        )

    @admin.display(description=_("标签"))
    def content_tags(self, obj: Article) -> str:
        return obj.current.tags if obj.current else ""

    # --- the change page: status, steps, progress, revisions, record -----------------------

    def _change_url(self, article: Article) -> str:
        return reverse("admin:news_article_change", args=[article.pk])

    def render_change_form(self, request: HttpRequest, context: dict, *args: Any, **kwargs: Any):
        obj = kwargs.get("obj") or context.get("original")
        context["show_save_and_add_another"] = False
        context["show_save_and_continue"] = False
        if obj is not None and obj.pk:
            context.update(article_panel(request, obj, context.get("bound_step")))
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/step/<slug:step>/",
                view(self.step_view),
                name="news_article_step",
            ),
            path("<path:object_id>/diff/", view(self.diff_view), name="news_article_diff"),
            path("<path:object_id>/sheet/", view(self.sheet_view), name="news_article_sheet"),
            *super().get_urls(),
        ]

    def _article(self, request: HttpRequest, object_id: str) -> Article:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("找不到这篇稿件：它可能不存在，或不在您的负责范围内。"))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def step_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        """One step, posted from its button: refused (nothing written) when the page was drawn
        before someone else acted, or when its guard objects; the form's errors are shown on
        the change page with what was typed."""
        obj = self._article(request, object_id)
        spec = STEPS.get(step)
        if spec is None:
            raise Http404
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(obj))
        with transaction.atomic():
            live = Article.objects.select_for_update().get(pk=obj.pk)
            seen = request.POST.get(f"{step}-state", "")
            if seen != rules.state_of(live):
                problem: str | None = rules.conflict_message(live)
            else:
                problem = rules.refusal(step, live, request.user)
            if problem:
                self.message_user(request, problem, messages.ERROR)
                return HttpResponseRedirect(self._change_url(live))
            form = step_form(step, live, request.POST)
            failed = not form.is_valid()
            if not failed:
                try:
                    done = _run(step, live, request.user, form.cleaned_data)
                except NewsError as exc:
                    form.add_error(None, str(exc))
                    failed = True
        if failed:
            self.message_user(
                request, gettext("请更正下面“%(s)s”中的错误。") % {"s": spec.label}, messages.ERROR
            )
            request.method = "GET"  # the change page again, with the form as typed
            return self.change_view(request, object_id, extra_context={"bound_step": (step, form)})
        self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(live))

    def diff_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """对比: two revisions' title, summary and body, character by character."""
        obj = self._article(request, object_id)
        revisions = list(
            obj.revisions.select_related("column", "created_by__staff_profile").order_by("number")
        )
        by_number = {r.number: r for r in revisions}
        numbers = [(str(r.number), gettext("第%(n)d版") % {"n": r.number}) for r in revisions]
        current = obj.current.number if obj.current else revisions[-1].number
        default_old = max((n for n in by_number if n < current), default=current)
        form = DiffForm(
            request.GET or None,
            numbers=numbers,
            initial={"old": str(default_old), "new": str(current)},
        )
        old_number, new_number = default_old, current
        if form.is_bound and form.is_valid():
            old_number, new_number = int(form.cleaned_data["old"]), int(form.cleaned_data["new"])
        old, new = by_number[old_number], by_number[new_number]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": gettext("版本对比：%(title)s") % {"title": str(obj)},
            "form": form,
            "old": old,
            "new": new,
            "comparison": revision_comparison(old, new),
        }
        return TemplateResponse(request, "admin/news/article/diff.html", context)

    def sheet_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """审核单: the approved (or current) revision and each step's signature, to print."""
        obj = self._article(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": gettext("新闻稿件审核单"),
            **review_sheet(obj),
        }
        return TemplateResponse(request, "admin/news/article/review_sheet.html", context)


READ_ONLY_FIELDS = (
    "content_title",
    "content_column",
    "content_source",
    "content_byline",
    "content_summary",
    "content_body",
    "content_tags",
)


class DiffForm(PortalForm):
    old = forms.ChoiceField(label=_("旧版本"))
    new = forms.ChoiceField(label=_("新版本"))

    def __init__(self, *args: Any, numbers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("old", "new"):
            self.fields[name].choices = numbers
            self.fields[name].error_messages["invalid_choice"] = _("请从列表中选择版本")
            self.fields[name].error_messages["required"] = _("请选择版本")


def progress_text(article: Article, awaited_step: str | None, last_outcome: str | None) -> str:
    if article.status == ArticleStatus.IN_REVIEW and awaited_step:
        return gettext("待审核（%(step)s）") % {"step": awaited_step}
    if article.status == ArticleStatus.APPROVED and article.publish_at:
        return gettext("定时发布：%(at)s") % {"at": _shanghai(article.publish_at)}
    if article.status == ArticleStatus.APPROVED:
        return gettext("待发布")
    if article.status == ArticleStatus.DRAFT and last_outcome == SubmissionOutcome.SENT_BACK:
        return gettext("退回待修改")
    if article.status == ArticleStatus.DRAFT:
        return gettext("待送审")
    if article.status == ArticleStatus.PUBLISHED and article.current_id != article.live_id:
        return gettext("有未送审的修改")
    return ""


# --- the change page's parts ------------------------------------------------------------------


def step_form(name: str, article: Article, data: Any = None) -> StepForm:
    return STEPS[name].form(data, initial={"state": rules.state_of(article)}, prefix=name)


def _run(step: str, article: Article, actor: Actor, data: dict[str, Any]) -> str:
    """Take the step through its service; the message to show."""
    spec = STEPS[step]
    if step == "submit":
        services.submit(article, actor=actor)
    elif step == "sign":
        signature = services.sign(article, actor=actor, comment=data.get("comment", ""))
        article.refresh_from_db()
        if article.status == ArticleStatus.APPROVED:
            return gettext("已签批（%(step)s），审核完成，可以发布。") % {
                "step": signature.step_name
            }
        return gettext("已签批（%(step)s），等待下一环节。") % {"step": signature.step_name}
    elif step == "send_back":
        services.send_back(article, actor=actor, reason=data["reason"])
    elif step == "publish":
        at = data.get("publish_at") if data.get("when") == "at" else None
        services.publish(article, actor=actor, at=at)
        if at is not None:
            return gettext("已定时：%(at)s 自动发布。") % {"at": _shanghai(at)}
    elif step == "withdraw":
        services.withdraw(article, actor=actor, reason=data["reason"])
    elif step == "restore":
        revision = article.revisions.filter(number=data["revision"]).first()
        if revision is None:
            raise NewsError(gettext("没有这一版本"))
        restored = services.restore_revision(article, revision, actor=actor)
        return gettext("已把第%(old)d版的内容恢复为第%(new)d版，需重新送审。") % {
            "old": revision.number,
            "new": restored.number,
        }
    return str(spec.done)


def shown_submission(article: Article) -> Submission | None:
    """The submission the progress shows: the open one, else the latest."""
    return (
        article.submissions.select_related("revision", "submitted_by__staff_profile")
        .order_by("-submitted_at", "-pk")
        .first()
    )


def chain_progress(submission: Submission | None) -> list[dict[str, Any]]:
    """Each step of the chain: its signature in the submission, or whether it waits now."""
    steps = rules.chain_steps()
    signatures: dict[int, Signature] = {}
    if submission is not None:
        signatures = {s.step_id: s for s in submission.signatures.all()}
    waiting = submission is not None and submission.outcome == SubmissionOutcome.OPEN
    rows = []
    for step in steps:
        signature = signatures.pop(step.pk, None)
        rows.append(
            {
                "name": signature.step_name if signature else step.name,
                "role": step.get_role_display(),
                "signature": signature,
                "at": _shanghai(signature.signed_at) if signature else "",
                "waiting": waiting and signature is None,
            }
        )
        if signature is None:
            waiting = False  # only the first unsigned step waits
    # Steps signed before the chain was changed stay on the record.
    for signature in sorted(signatures.values(), key=lambda s: s.signed_at):
        rows.append(
            {
                "name": signature.step_name,
                "role": "",
                "signature": signature,
                "at": _shanghai(signature.signed_at),
                "waiting": False,
            }
        )
    return rows


def revision_rows(article: Article, may_restore: bool) -> list[dict[str, Any]]:
    approved = set(
        article.submissions.filter(outcome=SubmissionOutcome.APPROVED).values_list(
            "revision_id", flat=True
        )
    )
    revisions = article.revisions.select_related(
        "created_by__staff_profile", "restored_from"
    ).order_by("-number")
    diff_url = reverse("admin:news_article_diff", args=[article.pk])
    rows = []
    for revision in revisions:
        rows.append(
            {
                "revision": revision,
                "who": display_name(revision.created_by),
                "at": _shanghai(revision.created_at),
                "restored_from": revision.restored_from.number if revision.restored_from else None,
                "current": revision.pk == article.current_id,
                "live": revision.pk == article.live_id,
                "approved": revision.pk in approved,
                "diff_url": (
                    f"{diff_url}?old={revision.number - 1}&new={revision.number}"
                    if revision.number > 1
                    else ""
                ),
                "restore": may_restore and revision.pk != article.current_id,
            }
        )
    return rows


def record_rows(article: Article) -> list[dict[str, Any]]:
    """The article's record, newest first."""
    events = (
        ArticleEvent.objects.filter(article=article)
        .select_related("actor__staff_profile", "revision")
        .order_by("-at", "-pk")
    )
    return [
        {
            "kind": event.get_kind_display(),
            "at": _shanghai(event.at),
            "at_iso": timezone.localtime(event.at).isoformat(),
            "actor": display_name(event.actor) or gettext("系统"),
            "unit": event.actor_unit if event.actor is not None else "",
            "revision": event.revision.number if event.revision else None,
            "note": event.note,
        }
        for event in events
    ]


def article_panel(request: HttpRequest, obj: Article, bound: Any = None) -> dict[str, Any]:
    """The change page's status, the steps this person may take now (the form as typed after
    an error), the review's progress, the revisions and the record."""
    live = Article.objects.select_related(
        "current__column", "live", "community", "created_by__staff_profile"
    ).get(pk=obj.pk)
    user = request.user
    offered = rules.offered(live, user)
    state = rules.state_of(live)
    steps = []
    for name in PANEL_STEPS:
        if name not in offered:
            continue
        if bound and bound[0] == name:
            form = bound[1]
        else:
            form = STEPS[name].form(initial={"state": state}, prefix=name)
        steps.append(
            {
                "step": STEPS[name],
                "form": form,
                "url": reverse("admin:news_article_step", args=[live.pk, name]),
            }
        )
    submission = shown_submission(live)
    awaited = None
    if submission is not None and submission.outcome == SubmissionOutcome.OPEN:
        awaited = rules.next_step(submission)
    restore_error = bound[1] if bound and bound[0] == "restore" else None
    return {
        "article_live": live,
        "article_state": state,
        "article_progress_text": progress_text(
            live, awaited.name if awaited else None, submission.outcome if submission else None
        ),
        "article_steps": steps,
        "article_submission": submission,
        "article_chain": chain_progress(submission),
        "article_revisions": revision_rows(live, "restore" in offered),
        "article_restore_url": reverse("admin:news_article_step", args=[live.pk, "restore"]),
        "article_restore_error": restore_error,
        "article_record": record_rows(live),
        "article_sheet_url": reverse("admin:news_article_sheet", args=[live.pk]),
        "article_diff_url": reverse("admin:news_article_diff", args=[live.pk]),
    }


def revision_comparison(old: Revision, new: Revision) -> dict[str, Any]:
    """Title, summary and body of two revisions as a diff; the other fields old → new."""
    fields = []
    for name in ("column", "source", "byline", "tags"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            fields.append(
                {
                    "label": Revision._meta.get_field(name).verbose_name,
                    "old": str(before or "—"),
                    "new": str(after or "—"),
                }
            )
    body = diff.body_diff(old.body, new.body)
    return {
        "title": diff.render_pieces(diff.text_pieces(old.title, new.title)),
        "summary": diff.render_pieces(diff.text_pieces(old.summary, new.summary)),
        "fields": fields,
        "body": diff.render_body(body),
        "same": old.content() == new.content(),
    }


def review_sheet(article: Article) -> dict[str, Any]:
    """What the 审核单 shows: the revision approved last (or the current one, with the
    review as far as it went) and each step's signature."""
    approved = (
        article.submissions.filter(outcome=SubmissionOutcome.APPROVED)
        .select_related("revision__column", "revision__created_by__staff_profile")
        .order_by("-closed_at", "-pk")
        .first()
    )
    submission = approved or shown_submission(article)
    revision = (
        approved.revision
        if approved
        else Revision.objects.select_related("column", "created_by__staff_profile").get(
            pk=article.current_id
        )
    )
    if submission is not None and not approved and submission.revision_id != revision.pk:
        submission = None  # the current revision has not been sent into review
    last_signed = (
        Signature.objects.filter(submission=submission).aggregate(at=Max("signed_at"))["at"]
        if submission
        else None
    )
    return {
        "sheet_revision": revision,
        "sheet_approved": approved is not None,
        "sheet_author": display_name(revision.created_by),
        "sheet_submission": submission,
        "sheet_submitted_at": _shanghai(submission.submitted_at) if submission else "",
        "sheet_chain": chain_progress(submission),
        "sheet_done_at": _shanghai(last_signed) if approved else "",
        "sheet_published_at": _shanghai(article.published_at),
    }
