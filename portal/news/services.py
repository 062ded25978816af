"""Every step of an article, as one named function: lock the article, ask the rule book, write,
put the step on the record — in one transaction. The admin, the scheduled-publishing command and
the demo all call these; nothing else writes an article's state.

Content is never edited in place: ``save_revision`` writes a new revision when something
changed, which closes an open submission (the review restarts on the new text). What residents
read is the revision the last step approved, set as ``live`` by ``publish`` (at once, or at the
chosen time by ``publish_due``, which the scheduled job runs every minute).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import clock, pagecache
from portal.actors import Actor
from portal.images import IngestedImage, save_renditions
from portal.models import Community, StaffProfile
from portal.news import figures, proofread, related, rules, search
from portal.news.html import clean_body
from portal.news.models import (
    Article,
    ArticleEvent,
    ArticleEventKind,
    ArticleStatus,
    Column,
    Cover,
    FrozenFigure,
    ProofDismissal,
    ReviewStep,
    Revision,
    Signature,
    Submission,
    SubmissionOutcome,
)
from portal.people import display_name
from portal.roles import Reach
from portal.text import clean_text


class NewsError(Exception):
    """A step the rule book refuses, or bad input: the message is for the person (Chinese)."""


@dataclass(frozen=True)
class Draft:
    """The content of one revision, as the author wrote it. ``cover`` is the cover kept from
    the revision before; ``new_cover`` a freshly ingested upload that replaces it."""

    title: str
    column: Column
    body: str
    source: str
    byline: str = ""
    summary: str = ""
    tags: str = ""
    cover: Cover | None = None
    new_cover: IngestedImage | None = None
    related_activities: tuple[str, ...] = ()
    related_results: tuple[int, ...] = ()

    def cleaned(self) -> Draft:
        texts: dict[str, Any] = {name: clean_text(getattr(self, name)) for name in TEXT_FIELDS}
        return replace(self, body=clean_body(self.body), **texts)

    def fields(self) -> dict[str, object]:
        """The draft as ``Revision.content()`` reads (a new upload never equals a stored cover)."""
        values: dict[str, object] = {f: getattr(self, f) for f in Revision.CONTENT_FIELDS}
        values["column"] = self.column.pk
        values["cover"] = NEW_COVER if self.new_cover else (self.cover.pk if self.cover else None)
        values["related_activities"] = list(self.related_activities)
        values["related_results"] = list(self.related_results)
        return values


TEXT_FIELDS = ("title", "source", "byline", "summary", "tags")
NEW_COVER = "new"


def _unit(actor: Actor | None) -> str:
    if actor is None:
        return _("系统")
    profile = StaffProfile.objects.filter(user=actor).only("unit", "role").first()
    return (profile.unit or str(profile.get_role_display())) if profile else ""


def _record(
    article: Article,
    kind: str,
    *,
    actor: Actor | None,
    revision: Revision | None = None,
    note: str = "",
) -> ArticleEvent:
    return ArticleEvent.objects.create(
        article=article,
        kind=kind,
        actor=actor,
        actor_unit=_unit(actor),
        revision=revision,
        note=note,
    )


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _check(step: str, article: Article, actor: Actor) -> None:
    if refusal := rules.refusal(step, article, actor):
        raise NewsError(refusal)


def validate_draft(draft: Draft) -> Draft:
    """The draft as it would be kept, or NewsError saying what is missing (the admin's form
    asks this before saving, so its messages are the services' own)."""
    draft = draft.cleaned()
    if not draft.title:
        raise NewsError(_("请填写标题"))
    if not draft.body:
        raise NewsError(_("请填写正文"))
    if not draft.source:
        raise NewsError(_("请填写来源"))
    if not draft.column.is_active:
        raise NewsError(_("栏目“{column}”已停用，请另选栏目").format(column=draft.column))
    if unknown := figures.unknown(draft.body):
        raise NewsError(
            _("正文中的数据标记{markers}不存在，请按正文下方“可插入的数据”列表填写").format(
                markers="、".join(f"“【数据:{key}】”" for key in unknown)
            )
        )
    if set(draft.related_activities) - related.public_activity_keys(draft.related_activities):
        raise NewsError(_("相关活动只能选择已公开的活动，请重新选择"))
    if set(draft.related_results) - related.public_result_ids(draft.related_results):
        raise NewsError(_("相关成果只能选择办理公开中的结果，请重新选择"))
    return draft


def _new_revision(
    article: Article, draft: Draft, *, actor: Actor, restored_from: Revision | None = None
) -> Revision:
    number = (article.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    cover = draft.cover
    if draft.new_cover is not None:
        cover = Cover()
        save_renditions(cover, draft.new_cover)
        cover.save()
    revision = Revision.objects.create(
        article=article,
        number=number,
        title=draft.title,
        column=draft.column,
        source=draft.source,
        byline=draft.byline,
        summary=draft.summary,
        body=clean_body(draft.body),
        tags=draft.tags,
        cover=cover,
        related_activities=list(draft.related_activities),
        related_results=list(draft.related_results),
        restored_from=restored_from,
        created_by=actor,
    )
    article.current = revision
    return revision


def _close_open(article: Article, outcome: str, reason: str = "") -> Submission | None:
    submission = rules.open_submission(article)
    if submission is not None:
        submission.outcome, submission.reason = outcome, reason
        submission.closed_at = clock.now()
        submission.save(update_fields=["outcome", "reason", "closed_at"])
    return submission


@transaction.atomic
def create_article(draft: Draft, *, actor: Actor, community: Community | None = None) -> Article:
    """A new article with its first revision, as a draft. A community secretary's articles
    belong to their community; others' to the whole sub-district unless one is named."""
    if not actor.has_perm("news.add_article"):
        raise NewsError(_("您的角色不能撰写新闻稿件"))
    draft = validate_draft(draft)
    scope = rules.scope_of(actor)
    if scope.role is not None and rules.NEWS_REACH.get(scope.role) is Reach.COMMUNITIES:
        if community is None and len(scope.community_ids) == 1:
            community = Community.objects.get(pk=next(iter(scope.community_ids)))
        if community is None or community.pk not in scope.community_ids:
            raise NewsError(_("请选择您所在的社区"))
    article = Article.objects.create(created_by=actor, community=community)
    revision = _new_revision(article, draft, actor=actor)
    article.save(update_fields=["current"])
    _record(article, ArticleEventKind.CREATED, actor=actor, revision=revision)
    return article


@transaction.atomic
def save_revision(article: Article, draft: Draft, *, actor: Actor) -> Revision | None:
    """Keep the edited content as a new revision (None when nothing changed). An edit during
    review closes the submission: the review starts again on the new revision. A published
    article stays public with its approved text until the new one is approved and published."""
    article = _locked(article)
    _check("edit", article, actor)
    draft = validate_draft(draft)
    current = article.current
    if current is not None and current.content() == draft.fields():
        return None
    revision = _new_revision(article, draft, actor=actor)
    restarted = _close_open(article, SubmissionOutcome.SUPERSEDED)
    was = article.status
    if article.status in (ArticleStatus.IN_REVIEW, ArticleStatus.APPROVED):
        article.status = ArticleStatus.DRAFT
        article.publish_at = None
    article.save(update_fields=["current", "status", "publish_at"])
    note = ""
    if restarted is not None or was == ArticleStatus.APPROVED:
        note = _("审核中的版本已修改，需重新送审")
    _record(article, ArticleEventKind.EDITED, actor=actor, revision=revision, note=note)
    return revision


@transaction.atomic
def restore_revision(article: Article, revision: Revision, *, actor: Actor) -> Revision:
    """Copy an earlier revision's content into a new revision (recorded; reviewed again)."""
    article = _locked(article)
    _check("restore", article, actor)
    if revision.article_id != article.pk:
        raise NewsError(_("这一版本不属于这篇稿件"))
    if revision.pk == article.current_id:
        raise NewsError(_("这已经是当前版本"))
    draft = Draft(
        title=revision.title,
        column=revision.column,
        body=revision.body,
        source=revision.source,
        byline=revision.byline,
        summary=revision.summary,
        tags=revision.tags,
        cover=revision.cover,
        related_activities=tuple(revision.related_activities),
        related_results=tuple(revision.related_results),
    )
    restored = _new_revision(article, draft, actor=actor, restored_from=revision)
    _close_open(article, SubmissionOutcome.SUPERSEDED)
    if article.status in (ArticleStatus.IN_REVIEW, ArticleStatus.APPROVED):
        article.status = ArticleStatus.DRAFT
        article.publish_at = None
    article.save(update_fields=["current", "status", "publish_at"])
    note = _("恢复第{number}版的内容，需重新送审").format(number=revision.number)
    _record(article, ArticleEventKind.RESTORED, actor=actor, revision=restored, note=note)
    return restored


@transaction.atomic
def refresh_figures(article: Article, *, actor: Actor) -> Revision:
    """刷新数据: the current revision's content as a new revision whose figures are counted
    live again (its own figures stay frozen with it). Residents keep reading the published
    figures until the new revision is reviewed, signed and published like any edit."""
    article = _locked(article)
    _check("refresh_figures", article, actor)
    current = Revision.objects.select_related("column").get(
        article=article, pk=article.current_id or 0
    )
    draft = Draft(
        title=current.title,
        column=current.column,
        body=current.body,
        source=current.source,
        byline=current.byline,
        summary=current.summary,
        tags=current.tags,
    )
    revision = _new_revision(article, draft, actor=actor)
    _close_open(article, SubmissionOutcome.SUPERSEDED)
    if article.status in (ArticleStatus.IN_REVIEW, ArticleStatus.APPROVED):
        article.status = ArticleStatus.DRAFT
        article.publish_at = None
    article.save(update_fields=["current", "status", "publish_at"])
    note = _("第{old}版审发时固定的数据改为实时数据，成为第{new}版，需重新送审").format(
        old=current.number, new=revision.number
    )
    _record(article, ArticleEventKind.FIGURES_REFRESHED, actor=actor, revision=revision, note=note)
    return revision


@transaction.atomic
def submit(article: Article, *, actor: Actor) -> Submission:
    """Send the current revision into review (the chain's first step signs next)."""
    article = _locked(article)
    _check("submit", article, actor)
    if not rules.chain_steps():
        raise NewsError(_("还没有设置审核环节，请先在“审核环节（三审）”中设置"))
    revision = article.current  # every article has one (create_article writes it)
    if revision is None:
        raise NewsError(_("稿件还没有内容，不能送审"))
    submission = Submission.objects.create(article=article, revision=revision, submitted_by=actor)
    article.status = ArticleStatus.IN_REVIEW
    article.save(update_fields=["status"])
    _record(article, ArticleEventKind.SUBMITTED, actor=actor, revision=revision)
    return submission


@transaction.atomic
def dismiss_finding(article: Article, *, actor: Actor, wrong: str, reason: str) -> ProofDismissal:
    """Keep a wrong form the proofreading list found in the current revision, with a reason
    (reviewers see it; a new revision is checked afresh)."""
    article = _locked(article)
    _check("dismiss", article, actor)
    if not (reason := clean_text(reason)):
        raise NewsError(_("请填写忽略这条校对提示的理由"))
    revision = article.current
    waiting = proofread.pending(proofread.check_revision(revision)) if revision else []
    finding = next((f for f in waiting if f.wrong == wrong), None)
    if revision is None or finding is None:
        raise NewsError(_("这一版没有“{wrong}”这条待处理的校对提示").format(wrong=wrong))
    dismissal = ProofDismissal.objects.create(
        revision=revision,
        wrong=finding.wrong,
        right=finding.right,
        reason=reason,
        dismissed_by=actor,
    )
    note = _("“{wrong}”（建议“{right}”）不改：{reason}").format(
        wrong=finding.wrong, right=finding.right, reason=reason
    )
    _record(article, ArticleEventKind.PROOF_DISMISSED, actor=actor, revision=revision, note=note)
    return dismissal


def _awaited(article: Article) -> tuple[Submission, ReviewStep]:
    """The open submission and the step it waits for (the guard has seen both)."""
    submission = rules.open_submission(article)
    step = rules.next_step(submission) if submission is not None else None
    if submission is None or step is None:
        raise NewsError(_("稿件不在审核中"))
    return submission, step


@transaction.atomic
def sign(article: Article, *, actor: Actor, comment: str = "") -> Signature:
    """Sign the step the submission waits for; the last step approves the revision."""
    article = _locked(article)
    _check("sign", article, actor)
    submission, step = _awaited(article)
    profile = StaffProfile.objects.filter(user=actor).only("title").first()
    signature = Signature.objects.create(
        submission=submission,
        revision=submission.revision,
        step=step,
        step_name=step.name,
        signer=actor,
        signer_name=display_name(actor),
        signer_title=profile.title if profile else "",
        comment=clean_text(comment),
    )
    note = step.name + (f"：{signature.comment}" if signature.comment else "")
    last = rules.next_step(submission) is None
    if last and (frozen := _freeze_figures(signature)):
        note += "\n" + _("数据随审发固定：{texts}").format(texts="；".join(f.text for f in frozen))
    _record(article, ArticleEventKind.SIGNED, actor=actor, revision=submission.revision, note=note)
    if last:
        _close_open(article, SubmissionOutcome.APPROVED)
        article.status = ArticleStatus.APPROVED
        article.save(update_fields=["status"])
    return signature


def _freeze_figures(signature: Signature) -> list[FrozenFigure]:
    """审发 approves the figures too: each one the body quotes is counted now and kept with
    the revision, which residents will read exactly so."""
    revision = signature.revision
    values = figures.live_values(figures.asked(revision.body), clock.today())
    return [
        FrozenFigure.objects.create(
            revision=revision,
            signature=signature,
            key=value.key,
            label=value.label,
            text=value.text,
            as_of=value.as_of,
        )
        for value in values.values()
    ]


@transaction.atomic
def send_back(article: Article, *, actor: Actor, reason: str) -> Submission:
    """Refuse the step the submission waits for, with a reason; the article is a draft again."""
    article = _locked(article)
    _check("send_back", article, actor)
    if not (reason := clean_text(reason)):
        raise NewsError(_("请填写退回原因"))
    submission, _step = _awaited(article)
    submission = _close_open(article, SubmissionOutcome.SENT_BACK, reason) or submission
    article.status = ArticleStatus.DRAFT
    article.save(update_fields=["status"])
    _record(
        article, ArticleEventKind.SENT_BACK, actor=actor, revision=submission.revision, note=reason
    )
    return submission


def approved_revision(article: Article) -> Revision:
    """The revision the last step signed in the article's latest approved submission."""
    submission = (
        article.submissions.filter(outcome=SubmissionOutcome.APPROVED)
        .select_related("revision")
        .order_by("-closed_at", "-pk")
        .first()
    )
    if submission is None:
        raise NewsError(_("稿件还没有审发通过"))
    return submission.revision


@transaction.atomic
def publish(article: Article, *, actor: Actor, at: datetime | None = None) -> Article:
    """Publish the approved revision now, or at ``at`` (the scheduled job publishes it then)."""
    article = _locked(article)
    _check("publish", article, actor)
    revision = approved_revision(article)
    if at is not None and at > clock.now():
        article.publish_at = at
        article.save(update_fields=["publish_at"])
        note = _("定于 {at:%Y-%m-%d %H:%M} 发布").format(at=timezone.localtime(at))
        _record(article, ArticleEventKind.SCHEDULED, actor=actor, revision=revision, note=note)
        return article
    return _go_live(article, revision, actor=actor)


def _go_live(article: Article, revision: Revision, *, actor: Actor | None) -> Article:
    article.live = revision
    article.status = ArticleStatus.PUBLISHED
    article.publish_at = None
    article.published_at = article.published_at or clock.now()
    article.withdrawn_reason = ""
    article.save(update_fields=["live", "status", "publish_at", "published_at", "withdrawn_reason"])
    search.refresh(article)
    _record(article, ArticleEventKind.PUBLISHED, actor=actor, revision=revision)
    pagecache.bump("news")
    return article


def publish_due() -> list[Article]:
    """Publish every approved article whose chosen time has come (the scheduled job, with no
    one at the keys); each in its own transaction, skipping rows another run holds."""
    published = []
    due = Article.objects.filter(status=ArticleStatus.APPROVED, publish_at__lte=clock.now())
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            article = (
                Article.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=ArticleStatus.APPROVED, publish_at__lte=clock.now())
                .first()
            )
            if article is not None:
                published.append(_go_live(article, approved_revision(article), actor=None))
    return published


@transaction.atomic
def withdraw(article: Article, *, actor: Actor, reason: str) -> Article:
    """Take a public article off the public pages, with a reason (kept on the record)."""
    article = _locked(article)
    _check("withdraw", article, actor)
    if not (reason := clean_text(reason)):
        raise NewsError(_("请填写撤回原因"))
    _close_open(article, SubmissionOutcome.SUPERSEDED)
    article.status = ArticleStatus.WITHDRAWN
    article.withdrawn_reason = reason
    article.publish_at = None
    article.save(update_fields=["status", "withdrawn_reason", "publish_at"])
    search.refresh(article)
    _record(article, ArticleEventKind.WITHDRAWN, actor=actor, revision=article.live, note=reason)
    pagecache.bump("news")
    return article
