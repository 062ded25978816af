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

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.access import scope_of
from portal.admin_base import PortalModelAdmin
from portal.images import ImageRejected
from portal.models import Community
from portal.news import diff, rules, services
from portal.news.editor import store_body_image
from portal.news.forms import ArticleForm, DiffForm
from portal.news.models import (
    Article,
    ArticleEvent,
    ArticleStatus,
    Column,
    ProofTerm,
    ReviewStep,
)
from portal.news.panel import (
    STEPS,
    article_panel,
    figures_panel,
    progress_text,
    review_sheet,
    revision_comparison,
    run_step,
    shanghai_time,
    step_form,
)
from portal.news.services import NewsError
from portal.people import display_name
from portal.roles import Reach

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


@admin.register(ProofTerm)
class ProofTermAdmin(PortalModelAdmin):
    """The proofreading list (易错词、规范表述), checked in every revision before 送审."""

    list_display = ["wrong", "right", "kind", "note", "is_active"]
    list_display_links = ["wrong"]
    list_editable = ["is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["wrong", "right", "note"]
    fields = ["wrong", "right", "kind", "note", "is_active"]


# --- the content form -------------------------------------------------------------------------


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
        return shanghai_time(getattr(obj, "last_change_at", None))

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
            (_("封面图"), {"fields": self._cover_fields(obj)}),
            (_("相关活动和成果"), {"fields": ["related_activities", "related_results"]}),
        ]

    @staticmethod
    def _cover_fields(obj: Article | None) -> list[str]:
        if obj is not None and obj.current is not None and obj.current.cover_id:
            return ["cover_preview", "cover_upload", "remove_cover"]
        return ["cover_upload"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and not self.has_change_permission(request, obj):
            return list(READ_ONLY_FIELDS)
        return ["cover_preview"]

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
        ready = gettext("写好后点击“送审”。")
        done = gettext("稿件已保存为草稿（第1版）。") + self._next_hint(request, obj, ready)
        self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    def _next_hint(self, request: HttpRequest, obj: Article, ready: str) -> str:
        # Never "click 送审" when the page offers no such button.
        if rules.refusal("submit", obj, request.user) is None:
            return ready
        return gettext("送审前请先处理页面上“暂时不能送审”所说的问题。")

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
                done += self._next_hint(request, obj, gettext("修改完成后请点击“送审”。"))
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

    @admin.display(description=_("当前封面图"))
    def cover_preview(self, obj: Article) -> str:
        cover = obj.current.cover if obj.current else None
        if cover is None:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="200" class="news-cover-preview">',
            cover.thumbnail.url,
            obj.current.title,
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
            context.update(figures_panel(context["article_live"].current))
        else:
            context.update(figures_panel(None))
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
            path("body-image/", view(self.body_image_view), name="news_article_body_image"),
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
                    done = run_step(step, live, request.user, form.cleaned_data)
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
            obj.revisions.select_related("column", "cover", "created_by__staff_profile").order_by(
                "number"
            )
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

    def body_image_view(self, request: HttpRequest) -> HttpResponse:
        """A picture for an article's body, from the editor's image button: through the
        image-ingestion gate, stored among the public photos; answers its URL (or why not)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("news.change_article"):
            raise PermissionDenied
        upload = request.FILES.get("image")
        if upload is None:
            return JsonResponse({"error": gettext("请选择要上传的图片。")}, status=400)
        try:
            url = store_body_image(upload)
        except ImageRejected as exc:
            return JsonResponse({"error": exc.messages[0]}, status=400)
        return JsonResponse({"url": url})

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
