"""Proofreading before review: a revision with a wrong form from the office's list cannot be sent
into review until the form is fixed (a new revision, checked again) or dismissed with a reason;
the findings show on the article's page with the suggested form, the dismissals with their
reason to the reviewers; the list is edited in the admin, and inactive entries are not checked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.news import proofread, services
from portal.news.models import (
    ArticleEventKind,
    ArticleStatus,
    ProofDismissal,
    ProofKind,
    ProofTerm,
)
from portal.news.proofread import Term, check_texts
from portal.news.services import NewsError
from portal.roles import Role
from tests.admin_forms import admin_form_data
from tests.news.pages import (
    change_url,
    draft,
    messages_of,
    post_step,
    shown_steps,
    step_url,
    text,
)

pytestmark = pytest.mark.django_db

TERMS_URL = reverse("admin:news_proofterm_changelist")
WRONG_BODY = "<p>社区把网格驿站做为现场办公点。</p><p>当天收到诉求12件。</p>"


def with_typo(staff):
    return services.create_article(draft(body=WRONG_BODY), actor=staff[Role.COMMUNITY_SECRETARY])


# --- the checker --------------------------------------------------------------------------------


def test_the_checker_says_where_and_what_to_write_instead():
    findings = check_texts(
        [("标题", "再接再励"), ("正文", "街道把驿站做为办公点，做为试点")],
        [Term("做为", "作为"), Term("再接再励", "再接再厉"), Term("既使", "即使")],
    )
    assert [(f.wrong, f.right, f.count) for f in findings] == [
        ("做为", "作为", 2),
        ("再接再励", "再接再厉", 1),
    ]
    first = findings[0].places[0]
    assert (first.field, first.context) == ("正文", "街道把驿站做为办公点，做为试点")
    assert findings[1].places[0].field == "标题"


def test_text_already_in_the_correct_form_is_not_flagged():
    term = Term("一带一路", "“一带一路”")
    assert check_texts([("正文", "共建“一带一路”")], [term]) == []
    findings = check_texts([("正文", "共建“一带一路”，一带一路沿线")], [term])
    assert [p.context for p in findings[0].places] == ["共建“一带一路”，一带一路沿线"]
    assert findings[0].count == 1
    # The correct form not containing the wrong one: nothing special.
    assert check_texts([("正文", "“十四五”规划")], [Term("十四五规划", "“十四五”规划")]) == []


def test_the_body_is_checked_as_text_not_markup(staff):
    article = services.create_article(
        draft(body="<p>既<strong>使</strong>下雨</p>"), actor=staff[Role.EDITOR]
    )
    found = proofread.check_revision(article.current)
    assert [f.wrong for f in found] == ["既使"]


# --- the gate -----------------------------------------------------------------------------------


def test_a_revision_with_a_wrong_form_cannot_be_submitted_and_the_page_says_why(client, staff):
    article = with_typo(staff)
    author = staff[Role.COMMUNITY_SECRETARY]
    with pytest.raises(NewsError, match="“做为”应为“作为”"):
        services.submit(article, actor=author)

    client.force_login(author)
    page = client.get(change_url(article)).content.decode()
    shown = text(page)
    assert "做为 → 作为" in shown
    assert "正文：……社区把网格驿站做为现场办公点。" in shown.replace(" ", "")
    assert "处理完才能送审" in shown
    assert "submit" not in shown_steps(page)
    assert "dismiss" in shown_steps(page)

    # Posting 送审 anyway is refused with the findings listed; nothing is written.
    state = page.split('name="dismiss-state" value="')[1].split('"')[0]
    response = client.post(step_url(article, "submit"), {"submit-state": state}, follow=True)
    said = " ".join(messages_of(response))
    assert "送审前请先处理1条校对提示" in said and "“做为”应为“作为”" in said
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_fixing_the_text_allows_submission(client, staff):
    article = with_typo(staff)
    author = staff[Role.COMMUNITY_SECRETARY]
    services.save_revision(article, draft(body=WRONG_BODY.replace("做为", "作为")), actor=author)
    client.force_login(author)
    page = client.get(change_url(article)).content.decode()
    assert "做为 → 作为" not in text(page)
    assert post_step(client, article, "submit").status_code == 302
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW


def test_dismissing_with_a_reason_allows_submission_and_the_reviewer_sees_it(client, staff):
    article = with_typo(staff)
    author = staff[Role.COMMUNITY_SECRETARY]
    client.force_login(author)
    response = post_step(client, article, "dismiss", reason="引用居民原话，保留原文")
    assert response.status_code == 302
    dismissal = ProofDismissal.objects.get(revision=article.current)
    assert (dismissal.wrong, dismissal.reason, dismissal.dismissed_by) == (
        "做为",
        "引用居民原话，保留原文",
        author,
    )
    event = article.events.order_by("-pk").first()
    assert event.kind == ArticleEventKind.PROOF_DISMISSED
    assert "引用居民原话，保留原文" in event.note

    assert post_step(client, article, "submit").status_code == 302
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW

    # The editor signs 初审: the finding, its suggestion and the author's reason are on the page.
    client.force_login(staff[Role.EDITOR])
    page = client.get(change_url(article)).content.decode()
    shown = text(page)
    assert "做为 → 作为" in shown and "已忽略" in shown
    assert "理由：引用居民原话，保留原文" in shown
    assert "忽略校对提示" in shown  # on the record
    assert "dismiss" not in shown_steps(page)
    assert "sign" in shown_steps(page)


def test_an_empty_reason_is_refused_in_chinese(client, staff):
    article = with_typo(staff)
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = post_step(client, article, "dismiss", reason="   ")
    assert response.status_code == 200
    assert "请填写忽略这条校对提示的理由" in text(response.content.decode())
    assert not ProofDismissal.objects.exists()
    with pytest.raises(NewsError, match="请填写忽略这条校对提示的理由"):
        services.dismiss_finding(
            article, actor=staff[Role.COMMUNITY_SECRETARY], wrong="做为", reason=""
        )


def test_a_dismissal_holds_while_the_text_around_it_is_unchanged(staff):
    article = with_typo(staff)
    author = staff[Role.COMMUNITY_SECRETARY]
    services.dismiss_finding(article, actor=author, wrong="做为", reason="原文引用")
    # An edit elsewhere: the kept form is not asked about again.
    services.save_revision(article, draft(body=WRONG_BODY + "<p>补一段。</p>"), actor=author)
    article.refresh_from_db()
    (finding,) = proofread.check_revision(article.current)
    assert finding.dismissal is not None and finding.dismissal.reason == "原文引用"
    # The sentence around it rewritten: asked again.
    body = "<p>街道把网格驿站做为办公点。</p><p>补一段。</p>"
    services.save_revision(article, draft(body=body), actor=author)
    article.refresh_from_db()
    with pytest.raises(NewsError, match="“做为”应为“作为”"):
        services.submit(article, actor=author)


# --- the list -----------------------------------------------------------------------------------


def test_the_editor_adds_an_entry_in_the_admin_and_it_is_caught(client, staff):
    editor = staff[Role.EDITOR]
    client.force_login(editor)
    add_url = reverse("admin:news_proofterm_add")
    data = admin_form_data(client.get(add_url).content.decode(), ProofTerm) | {
        "wrong": "凤凰岭街道办",
        "right": "凤凰岭街道办事处",
        "kind": ProofKind.FORMAL_NAME,
        "note": "写全称",
        "is_active": "on",
    }
    assert client.post(add_url, data).status_code == 302
    assert "凤凰岭街道办 → 凤凰岭街道办事处" in text(client.get(TERMS_URL).content.decode())

    article = services.create_article(
        draft(body="<p>凤凰岭街道办组织干部下沉。</p><p>凤凰岭街道办事处牵头。</p>"),
        actor=editor,
    )
    found = proofread.check_revision(article.current)
    assert [(f.wrong, f.count) for f in found] == [("凤凰岭街道办", 1)]


def test_a_duplicate_wrong_form_is_refused_in_chinese(client, staff):
    client.force_login(staff[Role.SECRETARY])
    add_url = reverse("admin:news_proofterm_add")
    data = admin_form_data(client.get(add_url).content.decode(), ProofTerm) | {
        "wrong": "做为",
        "right": "作为",
        "kind": ProofKind.TYPO,
        "is_active": "on",
    }
    response = client.post(add_url, data)
    assert response.status_code == 200
    assert "这个错误写法已在校对词表中" in text(response.content.decode())


def test_an_inactive_entry_is_not_checked(client, staff):
    article = with_typo(staff)
    client.force_login(staff[Role.SECRETARY])
    term = ProofTerm.objects.get(wrong="做为")
    url = reverse("admin:news_proofterm_change", args=[term.pk])
    data = admin_form_data(client.get(url).content.decode(), ProofTerm)
    data.pop("is_active", None)  # the box unticked
    assert client.post(url, data).status_code == 302
    term.refresh_from_db()
    assert term.is_active is False
    assert proofread.check_revision(article.current) == []
    services.submit(article, actor=staff[Role.COMMUNITY_SECRETARY])
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW


def test_only_the_editor_and_the_secretary_edit_the_list(client, staff):
    for role in Role:
        user = staff[role]
        assert user.has_perm("news.change_proofterm") == (role in (Role.EDITOR, Role.SECRETARY))
