"""The rule book of article steps: for every step (修改, 送审, 签批, 退回, 发布, 撤回, 恢复,
刷新数据), one guard that says whether this person may take it on this article now, and if not,
why — in one Chinese sentence. The same shape as the activities' and the cases' rule books:
the change page draws a button only where its guard has no objection, the endpoint refuses what
it objects to, the service asks again inside the row lock, and the workbench's 待我审核 counts
the articles a guard offers the person a signature on.

送审 also waits for proofreading (``portal.news.proofread``): each finding of the office's list
of wrong forms fixed or dismissed with a reason (忽略, the ``dismiss`` step).

A guard is ``guard(article, user) -> str | None`` (None: the step may be taken). Reach: the
party secretary, the officials and the editors see every article; a community secretary those
of their own communities; the others none (``visible_to``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from portal.access import scope_of
from portal.actors import Viewer
from portal.news import proofread
from portal.news.models import (
    Article,
    ArticleEvent,
    ArticleStatus,
    FrozenFigure,
    ReviewStep,
    Signature,
    Submission,
    SubmissionOutcome,
)
from portal.people import display_name
from portal.roles import Reach, Role

Guard = Callable[[Article, Viewer], "str | None"]
RULES: dict[str, Guard] = {}

# Who reaches which articles: all of them, or those of the communities in their scope.
NEWS_REACH: dict[Role, Reach] = {
    Role.SECRETARY: Reach.ALL,
    Role.AREA_LEADER: Reach.ALL,
    Role.EDITOR: Reach.ALL,
    Role.OFFICIAL: Reach.ALL,
    Role.COMMUNITY_SECRETARY: Reach.COMMUNITIES,
}


def rule(name: str) -> Callable[[Guard], Guard]:
    def register(guard: Guard) -> Guard:
        if name in RULES:
            raise ValueError(f"step {name!r} already has a guard")
        RULES[name] = guard
        return guard

    return register


def visible_to(articles: QuerySet[Article], user: Viewer) -> QuerySet[Article]:
    """The articles ``user`` may see in the back office."""
    scope = scope_of(user)
    reach = NEWS_REACH.get(scope.role, Reach.NONE) if scope.role else Reach.NONE
    if reach is Reach.ALL:
        return articles
    if reach is Reach.COMMUNITIES:
        return articles.filter(Q(community_id__in=scope.community_ids))
    return articles.none()


def _reached(article: Article, user: Viewer) -> str | None:
    if article.pk is None or not visible_to(Article.objects.filter(pk=article.pk), user).exists():
        return _("您的范围内没有这篇稿件")
    return None


def _may_write(article: Article, user: Viewer) -> str | None:
    if not user.has_perm("news.change_article"):
        return _("您的角色不能撰写或修改新闻稿件")
    return _reached(article, user)


def chain_steps() -> list[ReviewStep]:
    return list(ReviewStep.objects.order_by("order"))


def open_submission(article: Article) -> Submission | None:
    return article.submissions.filter(outcome=SubmissionOutcome.OPEN).first()


def possible_signers(
    article: Article, step: ReviewStep, *, author_id: int | None, signed: Iterable[int] = ()
) -> list[Any]:
    """The accounts that could sign ``step`` of a revision ``author_id`` wrote: active and
    approved in the step's role, reaching the article, not the author, not the signer of
    another step (``may_sign``'s conditions, for everyone at once). Few: one role's accounts."""
    candidates = (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__role=step.role)
        .exclude(staff_profile__approved_at__isnull=True)
        .exclude(pk__in=[author_id, *signed])
        .select_related("staff_profile")
        .order_by("staff_profile__name", "pk")
    )
    return [u for u in candidates if scope_of(u).role == step.role and _reached(article, u) is None]


def unsignable_step(article: Article) -> ReviewStep | None:
    """The first chain step no one could sign if the current revision went into review now
    (its author may sign none; each step needs someone else)."""
    author = article.current.created_by_id if article.current is not None else None
    for step in chain_steps():
        if not possible_signers(article, step, author_id=author):
            return step
    return None


def next_step(submission: Submission) -> ReviewStep | None:
    """The first step of the chain the submission has no signature for (None: all signed)."""
    signed = submission.signatures.values_list("step_id", flat=True)
    return ReviewStep.objects.exclude(pk__in=list(signed)).order_by("order").first()


@rule("edit")
def may_edit(article: Article, user: Viewer) -> str | None:
    if article.status == ArticleStatus.WITHDRAWN:
        return _("稿件已撤回，不能再修改；如需重新发布请新建稿件")
    return _may_write(article, user)


@rule("submit")
def may_submit(article: Article, user: Viewer) -> str | None:
    # A published article edited since keeps its status (residents read the approved text)
    # and sends the new revision into review from there.
    if article.status not in (ArticleStatus.DRAFT, ArticleStatus.PUBLISHED):
        return _("只有草稿可以送审")
    if article.live_id is not None and article.live_id == article.current_id:
        return _("这一版已经发布，没有新的修改可送审")
    if refused := _may_write(article, user):
        return refused
    # Sent back: the reviewer asked for changes, so the same text does not go in again.
    back = (
        Submission.objects.filter(revision=article.current).order_by("-submitted_at", "-pk").first()
        if article.current_id is not None
        else None
    )
    if back is not None and back.outcome == SubmissionOutcome.SENT_BACK:
        return _("这一版已被退回（{reason}），请按意见修改并保存后再送审").format(
            reason=back.reason
        )
    # Proofreading: every finding fixed (a new revision) or dismissed with a reason.
    if article.current is not None and (
        waiting := proofread.pending(proofread.check_revision(article.current))
    ):
        return proofread.refusal_text(waiting)
    if (step := unsignable_step(article)) is not None:
        role = step.get_role_display()
        return _(
            "“{step}”须由{role}签批，但除这一版的作者外没有可签批的{role}账号，送审后无人能审。"
            "请联系系统管理员增设{role}账号，或请其他同事修改后送审。"
        ).format(step=step.name, role=role)
    return None


@rule("dismiss")
def may_dismiss(article: Article, user: Viewer) -> str | None:
    """Keep a wrong form on purpose (with a reason): whoever could send the revision into
    review, while the list finds something not yet dismissed in it."""
    if article.status not in (ArticleStatus.DRAFT, ArticleStatus.PUBLISHED):
        return _("只有送审前的稿件可以忽略校对提示")
    if article.live_id is not None and article.live_id == article.current_id:
        return _("这一版已经发布，没有新的修改可送审")
    if refused := _may_write(article, user):
        return refused
    if article.current is None or not proofread.pending(proofread.check_revision(article.current)):
        return _("这一版没有待处理的校对提示")
    return None


@rule("sign")
def may_sign(article: Article, user: Viewer) -> str | None:
    if (
        article.status != ArticleStatus.IN_REVIEW
        or (submission := open_submission(article)) is None
    ):
        return _("稿件不在审核中")
    step = next_step(submission)
    if step is None or scope_of(user).role != step.role:
        return _("这一环节（{step}）不由您签批").format(step=step.name if step else "")
    if reached := _reached(article, user):
        return reached
    if submission.revision.created_by_id == user.pk:
        return _("不能签批自己撰写或修改的版本")
    if Signature.objects.filter(submission=submission, signer_id=user.pk).exists():
        return _("您已签批这一版的另一环节，同一人不能签批两个环节")
    return None


@rule("send_back")
def may_send_back(article: Article, user: Viewer) -> str | None:
    # Whoever may sign the step it waits for may refuse it instead.
    return may_sign(article, user)


@rule("publish")
def may_publish(article: Article, user: Viewer) -> str | None:
    if article.status != ArticleStatus.APPROVED:
        return _("只有审发通过、尚未发布的稿件可以发布")
    if not user.has_perm("news.publish_article"):
        return _("您的角色不能发布新闻稿件")
    return _reached(article, user)


@rule("withdraw")
def may_withdraw(article: Article, user: Viewer) -> str | None:
    if article.live_id is None or article.status == ArticleStatus.WITHDRAWN:
        return _("稿件没有公开，无需撤回")
    if not user.has_perm("news.publish_article"):
        return _("您的角色不能撤回新闻稿件")
    return _reached(article, user)


@rule("restore")
def may_restore(article: Article, user: Viewer) -> str | None:
    return may_edit(article, user)


@rule("refresh_figures")
def may_refresh_figures(article: Article, user: Viewer) -> str | None:
    """刷新数据 is for a revision whose figures 审发 froze: any other revision's are live."""
    current = article.current_id
    if current is None or not FrozenFigure.objects.filter(revision_id=current).exists():
        return _("当前版本没有审发时固定的数据，预览中已是实时数据")
    return may_edit(article, user)


def refusal(step: str, article: Article, user: Viewer) -> str | None:
    return RULES[step](article, user)


def answers(article: Article, user: Viewer) -> dict[str, str | None]:
    """Every guard's answer for the person on the article now, in rule-book order (None: the
    step may be taken; else why not)."""
    return {name: guard(article, user) for name, guard in RULES.items()}


def offered(article: Article, user: Viewer) -> list[str]:
    """The steps the person may take on the article now, in rule-book order."""
    return [name for name, refusal in answers(article, user).items() if refusal is None]


# --- the same answers for many articles at once (the workbench and the admin list) ----------


def awaited_step(field: str = "name") -> Subquery:
    """For each article: ``field`` of the first chain step its open submission has no
    signature for (NULL when none is open): ``next_step`` as a subquery."""
    signed = Signature.objects.filter(
        submission__article=OuterRef(OuterRef("pk")),
        submission__outcome=SubmissionOutcome.OPEN,
    ).values("step_id")
    return Subquery(ReviewStep.objects.exclude(pk__in=signed).order_by("order").values(field)[:1])


def awaiting_signature(articles: QuerySet[Article], user: Viewer) -> QuerySet[Article]:
    """The articles ``may_sign`` offers ``user`` a signature on, in one query: in review, the
    step they wait for is the person's role, within reach, not a revision the person wrote,
    and no other step of it signed by them. tests/news check it against the guard."""
    role = scope_of(user).role
    if role is None:
        return articles.none()
    open_one = Submission.objects.filter(article=OuterRef("pk"), outcome=SubmissionOutcome.OPEN)
    return (
        visible_to(articles, user)
        .filter(status=ArticleStatus.IN_REVIEW)
        .annotate(awaited_role=awaited_step("role"))
        .filter(awaited_role=role)
        .exclude(Exists(open_one.filter(revision__created_by_id=user.pk)))
        .exclude(Exists(open_one.filter(signatures__signer_id=user.pk)))
    )


def last_submission(field: str) -> Subquery:
    """For each article: ``field`` of its latest submission (NULL when never submitted)."""
    return Subquery(
        Submission.objects.filter(article=OuterRef("pk"))
        .order_by("-submitted_at", "-pk")
        .values(field)[:1]
    )


def sent_back_to(articles: QuerySet[Article], user: Viewer) -> QuerySet[Article]:
    """退回待修改: drafts the person wrote or sent into review whose latest submission was
    sent back (until they send it in again), within the person's reach."""
    if not user.has_perm("news.change_article"):
        return articles.none()
    return (
        visible_to(articles, user)
        .filter(status=ArticleStatus.DRAFT)
        .annotate(
            last_outcome=last_submission("outcome"),
            last_submitter=last_submission("submitted_by_id"),
        )
        .filter(last_outcome=SubmissionOutcome.SENT_BACK)
        .filter(Q(created_by_id=user.pk) | Q(last_submitter=user.pk))
    )


def to_publish(articles: QuerySet[Article], user: Viewer) -> QuerySet[Article]:
    """待发布: approved, not yet public and not scheduled, for someone who may publish."""
    if not user.has_perm("news.publish_article"):
        return articles.none()
    return visible_to(articles, user).filter(status=ArticleStatus.APPROVED, publish_at__isnull=True)


def schedule_missed(
    articles: QuerySet[Article], user: Viewer, *, now: datetime
) -> QuerySet[Article]:
    """定时发布未执行: approved and scheduled for a time more than two minutes past (the
    scheduled job is not running), for someone who may publish."""
    if not user.has_perm("news.publish_article"):
        return articles.none()
    return visible_to(articles, user).filter(
        status=ArticleStatus.APPROVED, publish_at__lt=now - SCHEDULE_GRACE
    )


# The scheduled job runs every minute; later than this, someone should look.
SCHEDULE_GRACE = timedelta(minutes=2)


# --- what the page was drawn from -------------------------------------------------------------


def state_of(article: Article) -> str:
    """The article's last step on the record: every step and every saved revision writes one,
    so a form posted from a page drawn before someone else acted carries an older value."""
    latest = ArticleEvent.objects.filter(article_id=article.pk).aggregate(n=Max("pk"))["n"]
    return str(latest or 0)


def conflict_message(article: Article) -> str:
    """Someone else acted on the article since the page was drawn: who did what."""
    event = (
        ArticleEvent.objects.filter(article_id=article.pk)
        .select_related("actor__staff_profile")
        .order_by("-pk")
        .first()
    )
    if event is None:
        return _("稿件刚刚有了变化，请刷新后再操作")
    who = display_name(event.actor) or _("系统")
    return _("这篇稿件刚刚已由{who}{done}，请查看最新情况后再操作").format(
        who=who, done=event.get_kind_display()
    )
