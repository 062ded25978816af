"""Articles, their revisions and their review (三审).

An article is written as a sequence of revisions; every save of changed content is a new
revision, never an edit of an old one. A revision is reviewed in one *submission*: the steps of
the review chain (``ReviewStep``, data: 初审 → 审核 → 审发 by default) are signed in order, each
``Signature`` against that submission and so against that exact revision. A reviewer may send
the submission back with a reason; an edit while it is open closes it as superseded. When the
last step signs, the revision is approved; it becomes what residents read (``Article.live``)
when it is published, at once or at the time chosen. Every step is on the article's record
(``ArticleEvent``), written only by ``portal.news.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import clock
from portal.models import Community, PhotoBase
from portal.roles import Role


class Column(models.Model):
    """A 栏目 of the news (组织建设, 基层治理, 通知公告 …): editable data."""

    name = models.CharField(_("栏目名称"), max_length=20, unique=True)
    slug = models.SlugField(
        _("网址名"),
        max_length=40,
        unique=True,
        help_text=_("栏目网址 /news/网址名/ 中的部分：小写字母、数字和连字符，设定后不宜再改"),
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用的栏目不能再选用，已发布的稿件仍可访问")
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "栏目")
        verbose_name_plural = pgettext_lazy("model plural", "栏目")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class ReviewStep(models.Model):
    """One step of the review chain, signed by a person of ``role``; steps sign in ``order``.
    The last step (审发) approves the revision for publication."""

    order = models.PositiveSmallIntegerField(_("顺序"), unique=True)
    name = models.CharField(_("环节名称"), max_length=10, unique=True)
    role = models.CharField(_("签批角色"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = pgettext_lazy("model", "审核环节")
        verbose_name_plural = pgettext_lazy("model plural", "审核环节（三审）")
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="reviewstep_role_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("article status", "草稿")
    IN_REVIEW = "in_review", pgettext_lazy("article status", "审核中")
    APPROVED = "approved", pgettext_lazy("article status", "已审发待发布")
    PUBLISHED = "published", pgettext_lazy("article status", "已发布")
    WITHDRAWN = "withdrawn", pgettext_lazy("article status", "已撤回")


class ArticleQuerySet(models.QuerySet):
    def public(self) -> ArticleQuerySet:
        """What residents may read: a published revision, not withdrawn. A public article
        being revised stays public with its approved text until the new one is published."""
        return self.filter(live__isnull=False).exclude(status=ArticleStatus.WITHDRAWN)


class Article(models.Model):
    """A news article: its current revision (being written or reviewed) and the revision
    residents read (``live``, set only by publishing a revision the last step approved)."""

    # Sub-district-wide articles have no community; a community secretary's are their own.
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属社区"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    current = models.ForeignKey(
        "Revision",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("当前版本"),
    )
    live = models.ForeignKey(
        "Revision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公开版本"),
    )
    # When an approved revision is to go public (Asia/Shanghai on screen); None: at once.
    publish_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)
    # The live revision's characters and character pairs, for search on PostgreSQL (GIN index
    # ``article_search_gin``, made by migration on PostgreSQL only); empty when not public and
    # unused on SQLite. Written only by ``portal.news.search.refresh``.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "新闻稿件")
        verbose_name_plural = pgettext_lazy("model plural", "新闻稿件")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values), name="article_status_valid"
            ),
            # Public means a live revision and a publication time.
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.PUBLISHED)
                | Q(live__isnull=False, published_at__isnull=False),
                name="article_published_has_live_revision",
            ),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.WITHDRAWN) | ~Q(withdrawn_reason=""),
                name="article_withdrawn_has_reason",
            ),
        ]
        permissions = [
            ("publish_article", _("发布、定时发布和撤回新闻稿件")),
        ]

    def __str__(self) -> str:
        return self.current.title if self.current_id and self.current else _("（未命名稿件）")


class Cover(PhotoBase):
    """An article's cover image, ingested once through portal.images (re-encoded, no EXIF, three
    sizes). Revisions that keep the same cover share this row, so a restore or an unchanged
    save points at the same files; a revision never outlives its cover (PROTECT)."""

    class Meta(PhotoBase.Meta):
        verbose_name = pgettext_lazy("model", "封面图")
        verbose_name_plural = pgettext_lazy("model plural", "封面图")


class Revision(models.Model):
    """One version of an article's content, never changed once written."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("稿件")
    )
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=80)
    column = models.ForeignKey(
        Column, on_delete=models.PROTECT, related_name="+", verbose_name=_("栏目")
    )
    source = models.CharField(_("来源"), max_length=60)
    byline = models.CharField(_("作者"), max_length=60, blank=True)
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    body = models.TextField(_("正文"))
    tags = models.CharField(_("标签"), max_length=100, blank=True)
    cover = models.ForeignKey(
        Cover,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("封面图"),
    )
    # Links kept as references ("policytalk:12", a case's primary key) rather than foreign keys:
    # a revision is never changed, and an activity or result that stops being public must drop
    # off the article page without touching the revision (the page shows only public ones).
    related_activities = models.JSONField(_("相关活动"), default=list, blank=True)
    related_results = models.JSONField(_("相关成果"), default=list, blank=True)
    # A restore copies an earlier revision's content into a new one, which is reviewed again.
    restored_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("恢复自"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("修改人"),
    )
    created_at = models.DateTimeField(_("保存时间"), default=clock.now)

    CONTENT_FIELDS = (
        "title",
        "column",
        "source",
        "byline",
        "summary",
        "body",
        "tags",
        "cover",
        "related_activities",
        "related_results",
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "稿件版本")
        verbose_name_plural = pgettext_lazy("model plural", "稿件版本")
        ordering = ["article_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.number}版）"

    def content(self) -> dict[str, object]:
        """The content fields, as a new revision copies them (column and cover as their
        primary keys, the links as lists)."""
        values: dict[str, object] = {f: getattr(self, f) for f in self.CONTENT_FIELDS}
        values["column"] = self.column_id
        values["cover"] = self.cover_id
        values["related_activities"] = list(self.related_activities or [])
        values["related_results"] = list(self.related_results or [])
        return values


class SubmissionOutcome(models.TextChoices):
    OPEN = "open", pgettext_lazy("submission", "审核中")
    APPROVED = "approved", pgettext_lazy("submission", "审发通过")
    SENT_BACK = "sent_back", pgettext_lazy("submission", "退回修改")
    SUPERSEDED = "superseded", pgettext_lazy("submission", "已被新版本取代")


class Submission(models.Model):
    """One passage of a revision through the review chain. At most one is open per article."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("稿件")
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("送审版本")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("送审人"),
    )
    submitted_at = models.DateTimeField(_("送审时间"), default=clock.now)
    outcome = models.CharField(
        _("结果"),
        max_length=12,
        choices=SubmissionOutcome.choices,
        default=SubmissionOutcome.OPEN,
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    reason = models.CharField(_("退回原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "送审")
        verbose_name_plural = pgettext_lazy("model plural", "送审")
        ordering = ["article_id", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=Q(outcome=SubmissionOutcome.OPEN),
                name="submission_one_open_per_article",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=SubmissionOutcome.values), name="submission_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome=SubmissionOutcome.OPEN, closed_at__isnull=True)
                | (~Q(outcome=SubmissionOutcome.OPEN) & Q(closed_at__isnull=False)),
                name="submission_closed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=SubmissionOutcome.SENT_BACK) | ~Q(reason=""),
                name="submission_sent_back_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision}：{self.get_outcome_display()}"


class Signature(models.Model):
    """A reviewer's signature of one step of a submission: who, when, with what comment, on
    exactly which revision. Never changed afterwards."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("送审")
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("签批版本")
    )
    step = models.ForeignKey(
        ReviewStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核环节")
    )
    # The step's name as it was signed (the chain is data and may be renamed later).
    step_name = models.CharField(_("环节"), max_length=10)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签批人"),
    )
    signer_name = models.CharField(_("签批人姓名"), max_length=30)
    signer_title = models.CharField(_("职务"), max_length=60, blank=True)
    signed_at = models.DateTimeField(_("签批时间"), default=clock.now)
    comment = models.CharField(_("意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "审核签名")
        verbose_name_plural = pgettext_lazy("model plural", "审核签名")
        ordering = ["submission_id", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "step"], name="signature_one_per_step"),
            # Nobody signs two steps of one revision's review.
            models.UniqueConstraint(
                fields=["submission", "signer"], name="signature_one_step_per_signer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_name} · {self.signer_name}"


class FrozenFigure(models.Model):
    """A figure from the records quoted in a revision's body (``【数据:key】``), as it stood when
    the last step (审发) signed that revision: the sentence residents read and the day it counts
    to. Written with that signature, never changed afterwards."""

    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="frozen_figures", verbose_name=_("版本")
    )
    signature = models.ForeignKey(
        Signature,
        on_delete=models.PROTECT,
        related_name="frozen_figures",
        verbose_name=_("审发签名"),
    )
    key = models.CharField(_("数据标记"), max_length=40)
    # The figure's name and sentence as signed (the registry's wording may change later).
    label = models.CharField(_("数据名称"), max_length=60)
    text = models.CharField(_("数据内容"), max_length=200)
    as_of = models.DateField(_("数据截至"))

    class Meta:
        verbose_name = pgettext_lazy("model", "固定数据")
        verbose_name_plural = pgettext_lazy("model plural", "固定数据")
        ordering = ["revision_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "key"], name="frozenfigure_one_per_key"),
        ]

    def __str__(self) -> str:
        return self.text


class ArticleEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("article event", "新建")
    EDITED = "edited", pgettext_lazy("article event", "修改")
    RESTORED = "restored", pgettext_lazy("article event", "恢复旧版本")
    SUBMITTED = "submitted", pgettext_lazy("article event", "送审")
    SIGNED = "signed", pgettext_lazy("article event", "签批")
    SENT_BACK = "sent_back", pgettext_lazy("article event", "退回修改")
    SCHEDULED = "scheduled", pgettext_lazy("article event", "定时发布")
    PUBLISHED = "published", pgettext_lazy("article event", "发布")
    WITHDRAWN = "withdrawn", pgettext_lazy("article event", "撤回")
    FIGURES_REFRESHED = "figures", pgettext_lazy("article event", "刷新数据")
    PROOF_DISMISSED = "proof_ignore", pgettext_lazy("article event", "忽略校对提示")


class ArticleEvent(models.Model):
    """One step on an article's record: who, their unit, when, which revision, a note.
    Append-only (a database trigger refuses updates)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="events", verbose_name=_("稿件")
    )
    at = models.DateTimeField(_("时间"), default=clock.now)
    # None: the portal itself (the scheduled-publishing job).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_unit = models.CharField(_("操作单位"), max_length=60, blank=True)
    kind = models.CharField(_("事项"), max_length=12, choices=ArticleEventKind.choices)
    revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("版本"),
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "稿件记录")
        verbose_name_plural = pgettext_lazy("model plural", "稿件记录")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ArticleEventKind.values), name="articleevent_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["article", "at"], name="articleevent_article_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.article_id}）"


class ProofKind(models.TextChoices):
    TYPO = "typo", pgettext_lazy("proof kind", "易错词")
    STANDARD = "standard", pgettext_lazy("proof kind", "规范表述")
    TITLE = "title", pgettext_lazy("proof kind", "领导姓名职务")
    FORMAL_NAME = "formal_name", pgettext_lazy("proof kind", "会议文件名称")


class ProofTermQuerySet(models.QuerySet):
    def active(self) -> ProofTermQuerySet:
        return self.filter(is_active=True)


class ProofTerm(models.Model):
    """One entry of the proofreading list: a wrong form and the form to write instead
    (易错词、规范表述), checked in every revision sent into review. Editable data."""

    wrong = models.CharField(
        _("错误写法"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("这个错误写法已在校对词表中")},
    )
    right = models.CharField(_("规范写法"), max_length=60)
    kind = models.CharField(
        _("类别"), max_length=12, choices=ProofKind.choices, default=ProofKind.TYPO
    )
    note = models.CharField(
        _("说明"), max_length=200, blank=True, help_text=_("作者看到的提示，如出处或用法")
    )
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用的词条不再检查，已忽略的记录仍保留")
    )

    objects = ProofTermQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "校对词条")
        verbose_name_plural = pgettext_lazy("model plural", "校对词表（易错词、规范表述）")
        ordering = ["kind", "wrong"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProofKind.values), name="proofterm_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(wrong="") & ~Q(right=""), name="proofterm_forms_not_empty"
            ),
            models.CheckConstraint(
                condition=~Q(wrong=models.F("right")), name="proofterm_forms_differ"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wrong} → {self.right}"

    def clean(self) -> None:
        if self.wrong and self.wrong == self.right:
            raise ValidationError({"right": _("规范写法与错误写法相同，请改正")})


class ProofDismissal(models.Model):
    """A proofreading finding the author kept on purpose: on exactly this revision, this
    wrong form is not an error, for the reason given. Reviewers see it; never changed."""

    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="proof_dismissals", verbose_name=_("版本")
    )
    # The forms as they were when dismissed (the list is data and may change later).
    wrong = models.CharField(_("错误写法"), max_length=40)
    right = models.CharField(_("规范写法"), max_length=60)
    reason = models.CharField(_("理由"), max_length=200)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("忽略人"),
    )
    dismissed_at = models.DateTimeField(_("忽略时间"), default=clock.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "已忽略的校对提示")
        verbose_name_plural = pgettext_lazy("model plural", "已忽略的校对提示")
        ordering = ["revision_id", "dismissed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "wrong"], name="proofdismissal_one_per_form"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="proofdismissal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.wrong} → {self.right}（{self.revision}）"
