"""The article change page's parts: how each step looks, the review's progress, the revisions,
the record and the printable 审核单; and ``run_step``, which takes a step through its service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.actors import Actor
from portal.news import diff, figures, proofread, related, render, rules, services
from portal.news.forms import (
    DismissForm,
    PublishForm,
    RestoreForm,
    SendBackForm,
    SignForm,
    StepForm,
    WithdrawForm,
)
from portal.news.models import (
    Article,
    ArticleEvent,
    ArticleStatus,
    ProofDismissal,
    Revision,
    Signature,
    Submission,
    SubmissionOutcome,
)
from portal.news.services import NewsError
from portal.people import display_name
from portal.templatetags.portal_tags import cn_datetime


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
        Step(
            "dismiss",
            _("忽略"),
            _("已忽略这条校对提示，理由已记入稿件记录。"),
            DismissForm,
            help=_("确属正确的写法（如引用原文）可以不改，写明理由后忽略；审核人会看到理由。"),
        ),
        Step("restore", _("恢复此版本"), _("已恢复为新的一版，需重新送审。"), RestoreForm),
        Step(
            "refresh_figures",
            _("刷新数据"),
            _("已按最新记录刷新数据，成为新的一版，需重新送审。"),
            help=_(
                "正文中的数据已在审发时固定。刷新后成为新的一版，显示实时数据，需重新送审；"
                "新版发布前，居民看到的仍是已固定的数据。"
            ),
        ),
    )
}
# Drawn in the panel; 修改 is the form itself, 恢复 a button on each revision and 忽略 one on
# each proofreading finding.
PANEL_STEPS = ("submit", "sign", "send_back", "publish", "withdraw", "refresh_figures")
if set(STEPS) | {"edit"} != set(rules.RULES):
    raise ImproperlyConfigured("every step of portal.news.rules needs its presentation here")


def shanghai_time(moment: Any) -> str:
    return cn_datetime(moment) if moment else ""


def progress_text(article: Article, awaited_step: str | None, last_outcome: str | None) -> str:
    if article.status == ArticleStatus.IN_REVIEW and awaited_step:
        return gettext("待审核（%(step)s）") % {"step": awaited_step}
    if article.status == ArticleStatus.APPROVED and article.publish_at:
        return gettext("定时发布：%(at)s") % {"at": shanghai_time(article.publish_at)}
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


def run_step(step: str, article: Article, actor: Actor, data: dict[str, Any]) -> str:
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
            return gettext("已定时：%(at)s 自动发布。") % {"at": shanghai_time(at)}
    elif step == "withdraw":
        services.withdraw(article, actor=actor, reason=data["reason"])
    elif step == "refresh_figures":
        refreshed = services.refresh_figures(article, actor=actor)
        return gettext("已按最新记录刷新数据，成为第%(n)d版，需重新送审。") % {
            "n": refreshed.number
        }
    elif step == "dismiss":
        services.dismiss_finding(article, actor=actor, wrong=data["wrong"], reason=data["reason"])
        return gettext("已忽略“%(wrong)s”这条校对提示，理由已记入稿件记录。") % {
            "wrong": data["wrong"]
        }
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
    signed = [s.signer_id for s in signatures.values()]
    rows = []
    for step in steps:
        signature = signatures.pop(step.pk, None)
        row = {
            "name": signature.step_name if signature else step.name,
            "role": step.get_role_display(),
            "signature": signature,
            "at": shanghai_time(signature.signed_at) if signature else "",
            "waiting": waiting and signature is None,
            "signers": [],
        }
        if row["waiting"] and submission is not None:
            # Who may sign it: so an author knows whom to ask, and a step no one can sign
            # says so instead of waiting forever.
            row["signers"] = [
                display_name(u)
                for u in rules.possible_signers(
                    submission.article,
                    step,
                    author_id=submission.revision.created_by_id,
                    signed=signed,
                )
            ]
        rows.append(row)
        if signature is None:
            waiting = False  # only the first unsigned step waits
    # Steps signed before the chain was changed stay on the record.
    for signature in sorted(signatures.values(), key=lambda s: s.signed_at):
        rows.append(
            {
                "name": signature.step_name,
                "role": "",
                "signature": signature,
                "at": shanghai_time(signature.signed_at),
                "waiting": False,
                "signers": [],
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
                "at": shanghai_time(revision.created_at),
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
            "at": shanghai_time(event.at),
            "at_iso": timezone.localtime(event.at).isoformat(),
            "actor": display_name(event.actor) or gettext("系统"),
            "unit": event.actor_unit if event.actor is not None else "",
            "revision": event.revision.number if event.revision else None,
            "note": event.note,
        }
        for event in events
    ]


def proofreading(article: Article, may_dismiss: bool, bound: Any = None) -> dict[str, Any]:
    """The current revision's proofreading: each finding (where, the suggested form) waiting
    for the author, with its 忽略 form when the person may dismiss; the dismissed ones with
    who, when and why (what reviewers see of the revision they sign)."""
    revision = article.current
    if revision is None:
        return {"findings": [], "pending": 0}
    findings = proofread.check_revision(revision)
    seen = {f.wrong for f in findings}
    # A dismissal stays on the revision even if its entry was changed or switched off since.
    for dismissal in (
        ProofDismissal.objects.filter(revision=revision)
        .exclude(wrong__in=seen)
        .select_related("dismissed_by__staff_profile")
    ):
        findings.append(
            proofread.Finding(wrong=dismissal.wrong, right=dismissal.right, dismissal=dismissal)
        )
    state = rules.state_of(article)
    bound_wrong = bound[1].data.get("dismiss-wrong") if bound and bound[0] == "dismiss" else None
    rows = []
    for number, finding in enumerate(findings, start=1):
        form = None
        if finding.dismissal is None and may_dismiss:
            if bound_wrong == finding.wrong:
                form = bound[1]
            else:
                form = DismissForm(
                    initial={"state": state, "wrong": finding.wrong},
                    prefix="dismiss",
                    auto_id=f"id_%s_{number}",  # one form per finding: ids of their own
                )
        dismissal = finding.dismissal
        rows.append(
            {
                "number": number,
                "finding": finding,
                "form": form,
                "dismissed_by": display_name(dismissal.dismissed_by) if dismissal else "",
                "dismissed_at": shanghai_time(dismissal.dismissed_at) if dismissal else "",
            }
        )
    return {
        "revision": revision,
        "findings": rows,
        "pending": sum(1 for f in findings if f.dismissal is None),
        "url": reverse("admin:news_article_step", args=[article.pk, "dismiss"]),
        "help": STEPS["dismiss"].help,
    }


def article_panel(request: HttpRequest, obj: Article, bound: Any = None) -> dict[str, Any]:
    """The change page's status, the steps this person may take now (the form as typed after
    an error), the review's progress, the revisions and the record."""
    live = Article.objects.select_related(
        "current__column", "live", "community", "created_by__staff_profile"
    ).get(pk=obj.pk)
    user = request.user
    said = rules.answers(live, user)  # each guard asked once (送审's asks about every signer)
    offered = [name for name, refusal in said.items() if refusal is None]
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
    # Why 送审 is not offered to someone who may write the article, when it is theirs to fix
    # (proofreading to settle, no one else to sign a step), rather than "nothing for you".
    submit_waits = None
    unsent = live.status in (ArticleStatus.DRAFT, ArticleStatus.PUBLISHED) and (
        live.live_id != live.current_id
    )
    if "submit" not in offered and "edit" in offered and unsent:
        submit_waits = said["submit"]
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
        "article_submit_waits": submit_waits,
        "article_submission": submission,
        "article_chain": chain_progress(submission),
        "article_revisions": revision_rows(live, "restore" in offered),
        "article_restore_url": reverse("admin:news_article_step", args=[live.pk, "restore"]),
        "article_restore_error": restore_error,
        "article_record": record_rows(live),
        "article_proofreading": proofreading(live, "dismiss" in offered, bound),
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
    fields += _link_changes(old, new)
    body = diff.body_diff(old.body, new.body)
    return {
        "title": diff.render_pieces(diff.text_pieces(old.title, new.title)),
        "summary": diff.render_pieces(diff.text_pieces(old.summary, new.summary)),
        "fields": fields,
        "body": diff.render_body(body),
        "same": old.content() == new.content(),
    }


def _cover_text(revision: Revision) -> str:
    cover = revision.cover
    if cover is None:
        return "—"
    return gettext("%(w)d×%(h)d 图片，%(at)s上传") % {
        "w": cover.width,
        "h": cover.height,
        "at": cn_datetime(cover.uploaded_at),
    }


def _link_titles(activities: list, results: list) -> str:
    """The linked items by title (those no longer public are counted, not named)."""
    shown = [link.title for link in related.activity_links(activities)]
    shown += [link.title for link in related.result_links(results)]
    hidden = len(activities) + len(results) - len(shown)
    if hidden:
        shown.append(gettext("另有%(n)d项已不公开") % {"n": hidden})
    return "、".join(shown) or "—"


def _link_changes(old: Revision, new: Revision) -> list[dict[str, Any]]:
    """The cover and the related links, old → new, when they differ."""
    changes = []
    if old.cover_id != new.cover_id:
        changes.append({"label": _("封面图"), "old": _cover_text(old), "new": _cover_text(new)})
    if old.related_activities != new.related_activities:
        changes.append(
            {
                "label": _("相关活动"),
                "old": _link_titles(old.related_activities, []),
                "new": _link_titles(new.related_activities, []),
            }
        )
    if old.related_results != new.related_results:
        changes.append(
            {
                "label": _("相关成果"),
                "old": _link_titles([], old.related_results),
                "new": _link_titles([], new.related_results),
            }
        )
    return changes


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
        "sheet_submitted_at": shanghai_time(submission.submitted_at) if submission else "",
        "sheet_chain": chain_progress(submission),
        "sheet_done_at": shanghai_time(last_signed) if approved else "",
        "sheet_published_at": shanghai_time(article.published_at),
        "sheet_figures": list(revision.frozen_figures.all()) if approved else [],
        "sheet_body": render.body_html(revision),
        # The proofreading kept on purpose in this revision, with why, and the review's whole
        # record in order (every 送审, 签批, 退回 with its reason, 忽略, 发布).
        "sheet_dismissed": [f for f in proofread.check_revision(revision) if f.dismissal],
        "sheet_record": list(reversed(record_rows(article))),
    }


def figures_panel(revision: Revision | None) -> dict[str, Any]:
    """The figures an editor may insert, each with its marker and its value counted now; and,
    for a saved revision, its body as previewed: with the figures 审发 froze, else live."""
    live = figures.live_values(figures.FIGURES, clock.today())
    context: dict[str, Any] = {
        "figures_available": [
            {"marker": figure.marker, "label": figure.label, "now": live[key].text}
            for key, figure in figures.FIGURES.items()
        ],
    }
    if revision is not None:
        frozen = render.frozen_values(revision)
        asked = figures.asked(revision.body)
        values = frozen or {key: live[key] for key in asked if key in live}
        context |= {
            "figures_revision": revision,
            "figures_preview": render.filled_body(revision, values),
            "figures_asked": bool(asked),
            "figures_frozen": list(frozen.values()),
        }
    return context
