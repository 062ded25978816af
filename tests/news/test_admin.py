"""The news back office: each role sees on an article's page exactly the steps the rule book
offers, a posted step is carried out exactly when its guard allows it (a refused one changes
nothing), the content form saves only through the services and answers bad input in Chinese
with what was typed kept, and the pages cost the same queries for 1 and 20 rows."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import clock
from portal.news import rules, services
from portal.news.models import (
    Article,
    ArticleEventKind,
    ArticleStatus,
    Column,
    Revision,
)
from portal.roles import Role
from tests.admin_forms import admin_form_data
from tests.factories import make_staff
from tests.news.pages import (
    PANEL_STEPS,
    approved,
    change_url,
    draft,
    messages_of,
    post_step,
    shown_steps,
    step_data,
    step_url,
    text,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:news_article_add")
LIST_URL = reverse("admin:news_article_changelist")
STEP_FIELDS = {
    "submit": {},
    "sign": {"comment": "同意"},
    "send_back": {"reason": "数字请与台账核对"},
    "publish": {"when": "now"},
    "withdraw": {"reason": "时间有误"},
    "restore": {"revision": "1"},
    "refresh_figures": {},
}


@pytest.fixture
def people(staff):
    return {
        "editor": staff[Role.EDITOR],
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
        "grid": staff[Role.GRID_WORKER],
        "official": staff[Role.OFFICIAL],
    }


def written(people, **changes) -> Article:
    """A community secretary's draft with two revisions (so there is one to restore)."""
    article = services.create_article(draft(**changes), actor=people["community"])
    services.save_revision(
        article,
        draft(**{"title": "北苑社区现场办公解决12件诉求", **changes}),
        actor=people["community"],
    )
    article.refresh_from_db()
    return article


@pytest.fixture
def articles(people):
    """One article in each state an article's page can show."""
    at_first = written(people)
    services.submit(at_first, actor=people["community"])
    at_last = written(people)
    services.submit(at_last, actor=people["community"])
    services.sign(at_last, actor=people["editor"])
    services.sign(at_last, actor=people["area"])
    published = approved(written(people), people)
    services.publish(published, actor=people["editor"])
    withdrawn = approved(written(people), people)
    services.publish(withdrawn, actor=people["editor"])
    services.withdraw(withdrawn, actor=people["secretary"], reason="活动改期")
    found = {
        "draft": written(people),
        "at 初审": at_first,
        "at 审发": at_last,
        "approved": approved(written(people), people),
        "published": published,
        "withdrawn": withdrawn,
    }
    for article in found.values():
        article.refresh_from_db()
    return found


def offered(article: Article, user) -> set[str]:
    fresh = Article.objects.get(pk=article.pk)
    return set(rules.offered(fresh, user)) - {"edit"}


@pytest.mark.parametrize("role", list(Role))
def test_the_page_shows_the_offered_steps_and_a_post_is_carried_out_exactly_then(
    client, staff, articles, role
):
    user = staff[role]
    client.force_login(user)
    for name, article in articles.items():
        response = client.get(change_url(article))
        if not rules.visible_to(Article.objects.filter(pk=article.pk), user).exists():
            assert response.status_code in (302, 403), (role, name)
            continue
        assert response.status_code == 200, (role, name)
        allowed = offered(article, user)
        assert shown_steps(response.content.decode()) == allowed, (role, name)
        for step in (*PANEL_STEPS, "restore"):
            before = rules.state_of(article)
            data = {f"{step}-state": before} | {
                f"{step}-{k}": v for k, v in STEP_FIELDS[step].items()
            }
            with transaction.atomic():
                response = client.post(step_url(article, step), data)
                after = rules.state_of(article)
                assert (after != before) == (step in allowed), (role, name, step)
                transaction.set_rollback(True)


def test_an_article_goes_through_three_people_from_the_buttons(client, people):
    article = written(people)
    client.force_login(people["community"])
    response = post_step(client, article, "submit")
    assert response.status_code == 302
    for who, comment in (("editor", "文字已核"), ("area", ""), ("secretary", "同意发布")):
        client.force_login(people[who])
        response = post_step(client, article, "sign", comment=comment)
        assert response.status_code == 302, who
    article.refresh_from_db()
    assert article.status == ArticleStatus.APPROVED
    page = text(client.get(change_url(article)).content.decode())
    # The progress names each signer with title, time and comment.
    for who in ("editor", "area", "secretary"):
        assert people[who].staff_profile.name in page
    assert "意见：文字已核" in page and "意见：同意发布" in page

    client.force_login(people["editor"])
    post_step(client, article, "publish", when="now")
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert list(Article.objects.public()) == [article]


def test_a_step_someone_else_took_first_is_refused_and_names_them(client, people):
    article = written(people)
    services.submit(article, actor=people["community"])
    client.force_login(people["editor"])
    data = step_data(client, article, "send_back", reason="请补充时间")
    # Meanwhile the community secretary edits the article: the review starts again.
    services.save_revision(article, draft(title="改过的标题"), actor=people["community"])
    response = client.post(step_url(article, "send_back"), data, follow=True)
    said = " ".join(messages_of(response))
    assert "刚刚已由" in said and people["community"].staff_profile.name in said
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert article.events.last().kind == ArticleEventKind.EDITED


def test_send_back_needs_a_reason_and_keeps_the_page(client, people):
    article = written(people)
    services.submit(article, actor=people["community"])
    client.force_login(people["editor"])
    response = post_step(client, article, "send_back", reason="   ")
    assert response.status_code == 200
    page = text(response.content.decode())
    assert "请填写退回原因" in page
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW


def test_scheduled_publishing_takes_a_shanghai_time_and_refuses_bad_ones(client, people):
    article = approved(written(people), people)
    client.force_login(people["editor"])

    response = post_step(client, article, "publish", when="at", publish_at="2026-13-45T99:00")
    assert response.status_code == 200
    page = response.content.decode()
    assert "请按“年-月-日 时:分”填写正确的日期和时间" in text(page)
    assert 'value="2026-13-45T99:00"' in page  # what was typed is kept

    past = timezone.localtime(clock.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = post_step(client, article, "publish", when="at", publish_at=past)
    assert "定时发布时间须晚于现在" in text(response.content.decode())
    response = post_step(client, article, "publish", when="at", publish_at="")
    assert "请填写定时发布的日期和时间" in text(response.content.decode())
    article.refresh_from_db()
    assert article.publish_at is None and article.status == ArticleStatus.APPROVED

    later = timezone.localtime(clock.now() + timedelta(days=2)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    response = post_step(
        client, article, "publish", when="at", publish_at=later.strftime("%Y-%m-%dT%H:%M")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.publish_at == later
    assert str(later.tzinfo) == settings.TIME_ZONE == "Asia/Shanghai"
    page = text(client.get(change_url(article)).content.decode())
    assert f"定时发布：{later.year}年{later.month}月{later.day}日 09:30" in page
    assert not Article.objects.public().exists()


def test_restore_from_a_revision_row_is_recorded_and_reviewed_again(client, people):
    article = written(people)
    client.force_login(people["community"])
    response = post_step(client, article, "restore", revision="1")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.current.number == 3
    assert article.current.restored_from.number == 1
    page = text(client.get(change_url(article)).content.decode())
    assert "恢复自第1版" in page
    assert "恢复第1版的内容，需重新送审" in page  # on the record


# --- the content form -----------------------------------------------------------------------


def content(**changes) -> dict:
    values = {
        "title": "北苑社区开展垃圾分类宣传",
        "column": str(Column.objects.get(slug="weimin-fuwu").pk),
        "source": "北苑社区居委会",
        "byline": "北苑社区",
        "summary": "",
        "body": "<p>志愿者走进小区讲解垃圾分类。</p>",
        "tags": "垃圾分类",
        "revision_seen": "",
    }
    return values | changes


def test_adding_goes_through_the_service_with_the_subdistrict_as_source(client, people, place):
    client.force_login(people["community"])
    page = client.get(ADD_URL).content.decode()
    assert f'value="{settings.PORTAL_SUBDISTRICT}"' in page
    assert 'name="community"' not in page  # one community: no choice
    response = client.post(ADD_URL, content())
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(article)
    assert article.community == place.north
    assert article.current.number == 1 and article.current.created_by == people["community"]
    assert [e.kind for e in article.events.all()] == [ArticleEventKind.CREATED]


def test_the_editor_chooses_a_community_or_the_whole_subdistrict(client, people, place):
    client.force_login(people["editor"])
    page = client.get(ADD_URL).content.decode()
    assert 'name="community"' in page and "全街道（不属于某个社区）" in page
    client.post(ADD_URL, content(community=str(place.south.pk)))
    client.post(ADD_URL, content(title="街道新闻", community=""))
    assert set(Article.objects.values_list("community", flat=True)) == {place.south.pk, None}


@pytest.mark.parametrize(
    ("changes", "said", "kept"),
    [
        ({"title": "长" * 81}, "最多 80 字（现在 81 字）", "长" * 81),
        ({"body": "  \u200b "}, "请填写正文", "北苑社区开展垃圾分类宣传"),
        ({"title": ""}, "请填写标题", "志愿者走进小区讲解垃圾分类。"),
        ({"column": "999999"}, "请从列表中选择栏目", "北苑社区开展垃圾分类宣传"),
        ({"source": "x" * 61}, "最多 60 字", "x" * 61),
    ],
)
def test_bad_content_is_answered_in_chinese_and_kept(client, people, changes, said, kept):
    client.force_login(people["community"])
    response = client.post(ADD_URL, content(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert said in text(page)
    assert kept in text(page) or kept in page
    assert not Article.objects.exists()


def test_a_stopped_column_is_refused_with_the_services_words(client, people):
    column = Column.objects.get(slug="weimin-fuwu")
    article = services.create_article(draft(column=column), actor=people["community"])
    Column.objects.filter(pk=column.pk).update(is_active=False)
    client.force_login(people["community"])
    data = admin_form_data(client.get(change_url(article)).content.decode(), Article)
    response = client.post(change_url(article), data | {"title": "新标题"})
    assert "栏目“为民服务”已停用，请另选栏目" in text(response.content.decode())
    assert article.revisions.count() == 1


def test_editing_writes_a_new_revision_and_restarts_the_review(client, people):
    article = written(people)
    services.submit(article, actor=people["community"])
    services.sign(article, actor=people["editor"])
    client.force_login(people["community"])
    data = admin_form_data(client.get(change_url(article)).content.decode(), Article)
    assert data["title"] == "北苑社区现场办公解决12件诉求" and data["revision_seen"] == "2"

    response = client.post(change_url(article), data, follow=True)
    assert "内容没有变化" in " ".join(messages_of(response))
    assert article.revisions.count() == 2

    response = client.post(change_url(article), data | {"title": "改过的标题"}, follow=True)
    assert "已保存为第3版。审核中的版本已修改，需重新送审。" in " ".join(messages_of(response))
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT and article.current.title == "改过的标题"
    # The old revisions are untouched.
    assert Revision.objects.get(article=article, number=2).title == "北苑社区现场办公解决12件诉求"


def test_a_save_over_someone_elses_newer_revision_says_so_and_keeps_the_text(client, people):
    article = written(people)
    client.force_login(people["community"])
    data = admin_form_data(client.get(change_url(article)).content.decode(), Article)
    services.save_revision(article, draft(title="编辑改的标题"), actor=people["editor"])

    response = client.post(change_url(article), data | {"body": "<p>我改的正文</p>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "刚刚已由" in text(page) and "保存为第3版" in text(page)
    assert "我改的正文" in html.unescape(page)
    assert article.revisions.count() == 3
    # Saving again (the page now knows revision 3) keeps the text as revision 4.
    again = admin_form_data(page, Article)
    client.post(change_url(article), again)
    article.refresh_from_db()
    assert article.current.number == 4 and article.current.body == "<p>我改的正文</p>"


def test_a_withdrawn_article_and_a_reading_role_see_the_text_without_a_form(client, people):
    article = written(people, body="<p>第一段<script>alert(1)</script></p>")
    client.force_login(people["official"])
    page = client.get(change_url(article)).content.decode()
    assert 'name="_save"' not in page and "第一段" in page
    assert "<script>alert(1)" not in page
    response = client.post(change_url(article), content())
    assert response.status_code == 403
    assert article.revisions.count() == 2


def test_nothing_of_an_article_can_be_deleted(client, people):
    article = written(people)
    client.force_login(people["secretary"])
    assert client.get(reverse("admin:news_article_delete", args=[article.pk])).status_code == 403
    page = client.get(LIST_URL).content.decode()
    assert "delete_selected" not in page


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_title_column_status_progress_and_version(client, people, articles):
    client.force_login(people["secretary"])
    page = text(client.get(LIST_URL).content.decode())
    assert "待审核（初审）" in page and "待审核（审发）" in page and "待发布" in page
    assert "基层治理" in page and "第2版" in page
    found = client.get(LIST_URL, {"q": "现场办公解决"}).context["cl"].result_count
    assert found == len(articles)
    in_review = client.get(LIST_URL, {"status__exact": "in_review"}).context["cl"]
    assert in_review.result_count == 2


def test_the_community_secretary_lists_only_their_communitys_articles(client, people, place):
    own = written(people)
    other = services.create_article(draft(), actor=people["editor"], community=place.south)
    client.force_login(people["community"])
    listed = {a.pk for a in client.get(LIST_URL).context["cl"].result_list}
    assert listed == {own.pk}
    response = client.get(change_url(other))
    assert response.status_code == 302  # not found in their scope, no hint which


def grow(people, n: int) -> None:
    for i in range(n):
        article = written(people, body=f"<p>第{i}篇稿件的正文。</p>")
        if i % 3 == 1:
            services.submit(article, actor=people["community"])
            services.sign(article, actor=people["editor"])
        if i % 3 == 2:
            approved(article, people)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["secretary", "community"])
def test_the_list_costs_the_same_for_1_and_20_articles(client, people, who):
    client.force_login(people[who])
    grow(people, 1)
    queries(client, LIST_URL)
    few = queries(client, LIST_URL)
    grow(people, 19)
    assert client.get(LIST_URL).context["cl"].result_count == 20
    assert queries(client, LIST_URL) == few


def test_the_change_page_costs_the_same_for_1_and_20_revisions(client, people):
    one = services.create_article(draft(), actor=people["community"])
    many = services.create_article(draft(), actor=people["community"])
    for i in range(19):
        services.save_revision(many, draft(title=f"第{i}次修改"), actor=people["community"])
    for article in (one, many):
        services.submit(article, actor=people["community"])
        services.sign(article, actor=people["editor"])
    client.force_login(people["area"])
    queries(client, change_url(one))
    assert queries(client, change_url(one)) == queries(client, change_url(many))


def test_the_review_sheet_prints_the_three_signatures(client, people):
    article = written(people)
    services.submit(article, actor=people["community"])
    services.sign(article, actor=people["editor"], comment="文字已核")
    services.sign(article, actor=people["area"], comment="情况属实")
    services.sign(article, actor=people["secretary"], comment="同意发布")
    client.force_login(people["editor"])
    change = client.get(change_url(article)).content.decode()
    sheet_url = reverse("admin:news_article_sheet", args=[article.pk])
    assert f'href="{sheet_url}"' in change
    response = client.get(sheet_url)
    page = text(response.content.decode())
    assert "新闻稿件审核单" in page and "北苑社区现场办公解决12件诉求" in page
    for who, comment in (("editor", "文字已核"), ("area", "情况属实"), ("secretary", "同意发布")):
        signature = article.current.signatures.get(signer=people[who])
        assert signature.signer_name in page and comment in page
    for step in ("初审", "审核", "审发"):
        assert step in page
    assert "news/css/admin.css" in response.content.decode()  # the print styles
    assert "尚未审发通过" not in page


def test_the_review_sheet_keeps_the_send_back_the_kept_wording_and_the_text(client, people):
    article = written(people)
    services.submit(article, actor=people["community"])
    services.send_back(article, actor=people["editor"], reason="第二段数字请与台账核对")
    services.save_revision(
        article, draft(body="<p>经核对，现场解决诉求12件。</p>"), actor=people["community"]
    )
    services.submit(article, actor=people["community"])
    for who in ("editor", "area", "secretary"):
        services.sign(article, actor=people[who])
    client.force_login(people["secretary"])
    page = text(client.get(reverse("admin:news_article_sheet", args=[article.pk])).content.decode())
    assert "审核记录" in page and "第二段数字请与台账核对" in page
    assert page.index("退回") < page.index("经核对，现场解决诉求12件。")  # record, then the text
    article.refresh_from_db()
    assert f"稿件正文（第{article.current.number}版）" in page


def test_the_review_sheet_of_a_revision_in_review_says_how_far_it_went(client, people):
    article = written(people)
    services.submit(article, actor=people["community"])
    services.sign(article, actor=people["editor"])
    client.force_login(people["area"])
    page = text(client.get(reverse("admin:news_article_sheet", args=[article.pk])).content.decode())
    assert "尚未审发通过" in page and "等待签批" in page and "未签批" in page


# --- the diff -------------------------------------------------------------------------------


def test_the_diff_marks_characters_and_escapes_everything(client, people):
    article = services.create_article(
        draft(body="<p>11月25日，街道在网格驿站召开议事协商会。</p><p>居民代表12人参加。</p>"),
        actor=people["community"],
    )
    services.save_revision(
        article,
        draft(
            title="北苑社区开展“四下基层”现场办公<b>",
            body=(
                "<p>11月25日上午，街道在邻里议事亭举行议事协商会。</p><p>居民代表15人参加。</p>"
                "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
            ),
        ),
        actor=people["community"],
    )
    client.force_login(people["community"])
    change = client.get(change_url(article)).content.decode()
    url = reverse("admin:news_article_diff", args=[article.pk])
    assert f'href="{url}?old=1&amp;new=2"' in change
    page = client.get(url, {"old": "1", "new": "2"}).content.decode()
    assert '<ins class="news-ins">上午</ins>' in page
    assert (
        '<del class="news-del">网格驿站召开</del><ins class="news-ins">邻里议事亭举行</ins>' in page
    )
    assert '1<del class="news-del">2</del><ins class="news-ins">5</ins>人参加' in page
    assert '<ins class="news-ins">&lt;b&gt;</ins>' in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "新增段落" in page and "删除的文字" in page and "新增的文字" in page  # the legend


@pytest.mark.parametrize(
    "query", [{"old": "abc"}, {"old": "99999999999999999999"}, {"new": "\x00"}]
)
def test_the_diff_answers_hostile_choices_in_chinese(client, people, query):
    article = written(people)
    client.force_login(people["community"])
    response = client.get(reverse("admin:news_article_diff", args=[article.pk]), query)
    assert response.status_code == 200
    assert "请从列表中选择版本" in text(response.content.decode())


def test_steps_and_pages_of_an_article_out_of_scope_are_refused(client, people, place):
    other = services.create_article(draft(), actor=people["editor"], community=place.south)
    client.force_login(people["community"])
    for url in (
        reverse("admin:news_article_diff", args=[other.pk]),
        reverse("admin:news_article_sheet", args=[other.pk]),
    ):
        assert client.get(url).status_code == 404
    state = rules.state_of(other)
    response = client.post(step_url(other, "submit"), {"submit-state": state})
    assert response.status_code == 404
    assert rules.state_of(other) == state


def test_the_editors_second_account_cannot_sign_its_own_revision(client, people):
    other_editor = make_staff(Role.EDITOR, username="editor_b", name="宣传编辑乙")
    article = services.create_article(draft(), actor=other_editor)
    services.submit(article, actor=other_editor)
    client.force_login(other_editor)
    page = client.get(change_url(article)).content.decode()
    assert "sign" not in shown_steps(page)
    response = client.post(
        step_url(article, "sign"), {"sign-state": rules.state_of(article)}, follow=True
    )
    assert "不能签批自己撰写或修改的版本" in " ".join(messages_of(response))
    assert not article.current.signatures.exists()


def test_times_on_the_page_are_shanghai_times(client, people, freeze):
    moment = datetime(2026, 11, 25, 2, 5, tzinfo=UTC)  # 10:05 in Shanghai
    with freeze(moment):
        article = services.create_article(draft(), actor=people["community"])
    client.force_login(people["community"])
    page = text(client.get(change_url(article)).content.decode())
    assert "2026年11月25日 10:05" in page


def test_a_published_article_edited_goes_through_review_again_while_residents_read_the_old(
    client, people
):
    article = approved(written(people), people)
    services.publish(article, actor=people["editor"])
    article.refresh_from_db()
    live = article.live_id
    services.save_revision(article, draft(title="更正后的标题"), actor=people["community"])
    client.force_login(people["community"])
    page = client.get(change_url(article)).content.decode()
    assert "submit" in shown_steps(page) and "有未送审的修改" in text(page)

    post_step(client, article, "submit")
    for who in ("editor", "area", "secretary"):
        client.force_login(people[who])
        post_step(client, article, "sign")
    assert Article.objects.public().get().live_id == live  # until it is published
    client.force_login(people["editor"])
    post_step(client, article, "publish", when="now")
    article.refresh_from_db()
    assert article.live.title == "更正后的标题" and article.live_id != live


def test_the_only_editor_is_told_why_their_own_article_cannot_go_into_review(client, people):
    editor = people["editor"]  # the only 宣传编辑 account: 初审 needs someone else
    article = services.create_article(draft(), actor=editor)
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert "submit" not in shown_steps(page)
    shown = text(page)
    assert "暂时不能送审" in shown and "除这一版的作者外没有可签批的宣传编辑账号" in shown
    assert "目前没有需要您在这篇稿件上办理的步骤" not in shown
    response = client.post(
        step_url(article, "submit"), {"submit-state": rules.state_of(article)}, follow=True
    )
    assert "没有可签批的宣传编辑账号" in " ".join(messages_of(response))
    assert Article.objects.get(pk=article.pk).status == "draft"
    # With a second editor it goes in, and the progress names who may sign.
    make_staff(Role.EDITOR, username="editor_c", name="宣传编辑丙")
    post_step(client, article, "submit")
    shown = text(client.get(change_url(article)).content.decode())
    assert "等待签批（宣传编辑）" in shown and "可签批：宣传编辑丙" in shown


def test_an_edit_that_leaves_no_one_to_sign_says_so(client, people):
    article = services.create_article(draft(), actor=people["community"])
    services.submit(article, actor=people["community"])
    # The one editor edits the revision under review: the new revision is theirs, and no
    # other editor could sign its 初审.
    services.save_revision(article, draft(title="编辑改过的标题"), actor=people["editor"])
    client.force_login(people["editor"])
    page = client.get(change_url(article)).content.decode()
    assert "submit" not in shown_steps(page)
    assert "请其他同事修改后送审" in text(page)
    # The community secretary's own edit makes it theirs again: it can go in.
    services.save_revision(article, draft(title="社区再改的标题"), actor=people["community"])
    client.force_login(people["community"])
    assert "submit" in shown_steps(client.get(change_url(article)).content.decode())


def test_a_review_step_whose_signers_are_gone_says_so(client, people):
    article = services.create_article(draft(), actor=people["community"])
    services.submit(article, actor=people["community"])
    client.force_login(people["community"])
    assert "可签批：" in text(client.get(change_url(article)).content.decode())
    type(people["editor"]).objects.filter(pk=people["editor"].pk).update(is_active=False)
    shown = text(client.get(change_url(article)).content.decode())
    assert "目前没有可签批的宣传编辑账号" in shown and "可签批：" not in shown
