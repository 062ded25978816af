"""Figures from the records, frozen as approved: a 【数据:…】 marker previews the figure counted
now; when 审发 signs, the figure as it stands that moment is kept with the revision and residents
read exactly that, with its date, however many talks are recorded afterwards; 刷新数据 makes a new
revision that goes through review again; an unknown marker is refused, naming it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import clock
from portal.news import figures, render, rules, services
from portal.news.models import (
    Article,
    ArticleEventKind,
    ArticleStatus,
    FrozenFigure,
    SubmissionOutcome,
)
from portal.news.services import NewsError
from portal.roles import Role
from tests.admin_forms import admin_form_data
from tests.factories import make_talk
from tests.news.pages import approved, change_url, draft, post_step, text

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIGNED_ON = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
BODY = "<p>今年以来，街道持续开展政策宣讲。【数据:talks_year】</p><p>宣讲走进每个网格。</p>"


@pytest.fixture
def people(staff):
    return {
        "editor": staff[Role.EDITOR],
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
        "grid": staff[Role.GRID_WORKER],
    }


@pytest.fixture
def on_25_november():
    with clock.frozen(SIGNED_ON):
        yield


@pytest.fixture
def talks(place, on_25_november):
    """Two talks held this year: 惠及 50 (signed in) + 3000 (estimated)."""
    held = SIGNED_ON - timedelta(days=5)
    make_talk(place.north_a, starts_at=held, attendance_signed=50)
    make_talk(
        place.south_a,
        starts_at=held,
        attendance_signed=80,
        reach_estimated=3000,
        reach_method="venue",
    )


def new_talk(place, reach: int = 100) -> None:
    make_talk(place.north_b, starts_at=clock.now() - timedelta(days=1), attendance_signed=reach)


def published(people, body: str = BODY) -> Article:
    article = approved(services.create_article(draft(body=body), actor=people["community"]), people)
    services.publish(article, actor=people["editor"])
    article.refresh_from_db()
    return article


def public_page(client, article: Article) -> str:
    response = client.get(reverse("portal:article-detail", args=[article.pk]))
    assert response.status_code == 200
    return text(response.content.decode())


def preview(client, article: Article) -> str:
    page = client.get(change_url(article)).content.decode()
    start = page.index('id="article-preview"')
    return text(page[start : page.index("</section>", start)])


def test_the_preview_shows_the_figure_counted_now_and_follows_new_records(
    client, people, talks, place
):
    article = services.create_article(draft(body=BODY), actor=people["community"])
    client.force_login(people["community"])
    shown = preview(client, article)
    assert "截至2026年11月25日：宣讲2场，惠及3050人" in shown
    assert "【数据" not in shown
    assert "实时统计" in shown

    new_talk(place, reach=100)
    assert "截至2026年11月25日：宣讲3场，惠及3150人" in preview(client, article)


def test_the_figures_list_offers_every_marker_with_its_value_now(client, people, talks):
    client.force_login(people["community"])
    page = text(client.get(reverse("admin:news_article_add")).content.decode())
    assert "可插入的数据" in page
    for figure in figures.FIGURES.values():
        assert figure.marker in page and str(figure.label) in page
    assert "宣讲2场，惠及3050人" in page


def test_residents_read_the_figure_as_shenfa_signed_it_with_its_date(client, people, talks, place):
    article = published(people)
    assert "截至2026年11月25日：宣讲2场，惠及3050人" in public_page(client, article)

    # A talk recorded afterwards, even days later: the live preview moves, the article does not.
    new_talk(place)
    with clock.frozen(SIGNED_ON + timedelta(days=3)):
        client.force_login(people["community"])
        assert "截至2026年11月28日：宣讲3场，惠及3150人" not in preview(client, article)
        assert "截至2026年11月25日：宣讲2场，惠及3050人" in preview(client, article)
        client.logout()
        page = public_page(client, article)
    assert "截至2026年11月25日：宣讲2场，惠及3050人" in page
    assert "宣讲3场" not in page


def test_what_is_frozen_is_the_figure_at_the_moment_of_the_last_signature(people, talks, place):
    article = services.create_article(draft(body=BODY), actor=people["community"])
    services.submit(article, actor=people["community"])
    services.sign(article, actor=people["editor"])
    services.sign(article, actor=people["area"])
    assert not FrozenFigure.objects.exists()  # 初审 and 审核 freeze nothing
    new_talk(place, reach=100)  # recorded before 审发 signs
    signature = services.sign(article, actor=people["secretary"])

    frozen = FrozenFigure.objects.get()
    assert frozen.revision == signature.revision == article.current
    assert frozen.signature == signature
    assert frozen.text == "截至2026年11月25日：宣讲3场，惠及3150人"
    assert frozen.as_of == SIGNED_ON.date()
    # The record says what 审发 fixed.
    note = article.events.filter(kind=ArticleEventKind.SIGNED).order_by("-pk").first().note
    assert "数据随审发固定：截至2026年11月25日：宣讲3场，惠及3150人" in note


def test_refresh_makes_a_new_revision_and_residents_keep_the_frozen_figure_until_it_is_published(
    client, people, talks, place
):
    article = published(people)
    new_talk(place)
    client.force_login(people["community"])
    response = post_step(client, article, "refresh_figures")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.current.number == 2 and article.live.number == 1
    assert article.current.body == article.live.body  # the content is copied as it was
    assert article.status == ArticleStatus.PUBLISHED  # still public, with the approved text
    event = article.events.order_by("-pk").first()
    assert event.kind == ArticleEventKind.FIGURES_REFRESHED
    assert event.revision == article.current and "需重新送审" in event.note

    # The new revision is live again in the preview and needs the whole review …
    assert "宣讲3场，惠及3150人" in preview(client, article)
    assert rules.refusal("submit", article, people["community"]) is None
    assert rules.refusal("publish", article, people["editor"]) is not None
    # … while residents still read what was signed.
    client.logout()
    assert "截至2026年11月25日：宣讲2场，惠及3050人" in public_page(client, article)

    services.submit(article, actor=people["community"])
    services.sign(article, actor=people["editor"])
    services.sign(article, actor=people["area"])
    assert "宣讲2场，惠及3050人" in public_page(client, article)
    services.sign(article, actor=people["secretary"])
    assert "宣讲2场，惠及3050人" in public_page(client, article)  # approved, not yet published
    services.publish(article, actor=people["editor"])
    page = public_page(client, article)
    assert "截至2026年11月25日：宣讲3场，惠及3150人" in page
    assert "宣讲2场" not in page
    # Each revision keeps its own frozen figure.
    assert list(
        FrozenFigure.objects.order_by("revision__number").values_list("text", flat=True)
    ) == [
        "截至2026年11月25日：宣讲2场，惠及3050人",
        "截至2026年11月25日：宣讲3场，惠及3150人",
    ]


def test_refresh_while_approved_sends_the_article_back_to_draft(people, talks):
    article = approved(services.create_article(draft(body=BODY), actor=people["community"]), people)
    services.refresh_figures(article, actor=people["community"])
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT and article.live is None
    assert rules.refusal("publish", article, people["editor"]) is not None


def test_refresh_is_offered_only_for_a_revision_with_frozen_figures(client, people, talks):
    article = services.create_article(draft(body=BODY), actor=people["community"])
    refusal = rules.refusal("refresh_figures", article, people["community"])
    assert refusal == "当前版本没有审发时固定的数据，预览中已是实时数据"
    with pytest.raises(NewsError, match="实时数据"):
        services.refresh_figures(article, actor=people["community"])
    client.force_login(people["community"])
    assert (
        'id="article-step-refresh_figures"' not in client.get(change_url(article)).content.decode()
    )

    plain = published(people, body="<p>没有数据的稿件。</p>")
    assert rules.refusal("refresh_figures", plain, people["community"]) is not None

    article = published(people)
    page = client.get(change_url(article)).content.decode()
    assert 'id="article-step-refresh_figures"' in page
    assert "已于审发签批时固定（截至2026年11月25日）" in text(page)
    # Only someone who may edit the article may refresh it.
    assert rules.refusal("refresh_figures", article, people["grid"]) is not None


def test_an_unknown_marker_is_refused_naming_it_and_the_text_is_kept(client, people, talks):
    client.force_login(people["community"])
    add_url = reverse("admin:news_article_add")
    page = client.get(add_url).content.decode()
    body = "<p>今年宣讲【数据:talks_year】，走访【数据：visits_all】。</p>"
    data = admin_form_data(page, Article) | {
        "title": "宣讲进网格",
        "column": str(draft().column.pk),
        "source": "凤凰岭街道办事处",
        "body": body,
    }
    response = client.post(add_url, data)
    assert response.status_code == 200
    shown = text(response.content.decode())
    assert "正文中的数据标记“【数据:visits_all】”不存在" in shown
    assert "talks_year】”不存在" not in shown
    assert "今年宣讲【数据:talks_year】，走访【数据：visits_all】。" in shown  # kept as typed
    assert not Article.objects.exists()

    with pytest.raises(NewsError, match="visits_all"):
        services.create_article(draft(body=body), actor=people["community"])


def test_a_full_width_colon_and_a_half_formatted_marker_are_understood():
    assert figures.asked("【数据：talks_year】【数据:<b>onsite_year</b>】") == [
        "talks_year",
        "onsite_year",
    ]
    assert figures.unknown("【数据:talks_year】【数据:】【数据:多少】") == ["", "多少"]


def test_the_public_page_never_counts_and_costs_one_query_more_at_most(
    client, people, talks, monkeypatch
):
    plain = published(people, body="<p>今年以来，街道持续开展政策宣讲。</p>")
    with_figures = published(people)

    def refuse(**kwargs):
        raise AssertionError("a public page called a read function")

    monkeypatch.setattr(figures.outreach_stats, "practice_totals", refuse)
    monkeypatch.setattr(figures.petitions_stats, "reception_totals", refuse)
    monkeypatch.setattr(figures.petitions_stats, "public_result_totals", refuse)

    url = reverse("portal:article-detail", args=[plain.pk])
    with CaptureQueriesContext(connection) as without:
        assert client.get(url).status_code == 200
    url = reverse("portal:article-detail", args=[with_figures.pk])
    with CaptureQueriesContext(connection) as counted:
        response = client.get(url)
    assert "宣讲2场，惠及3050人" in text(response.content.decode())
    assert len(counted) <= len(without) + 1

    # The feeds load every article's frozen figures in one query.
    for name in ("portal:news-rss", "portal:news-json"):
        response = client.get(reverse(name))
        assert "宣讲2场，惠及3050人" in response.content.decode(), name


def test_a_marker_never_frozen_is_not_shown_to_residents_raw(people, talks, monkeypatch):
    # The public renderer given a revision 审发 never froze (there is none on a public page:
    # every approved revision is frozen): it leaves the figure out, and counts nothing.
    monkeypatch.setattr(figures, "live_values", None)
    article = services.create_article(draft(body=BODY), actor=people["community"])
    shown = text(str(render.body_html(article.current)))
    assert "【数据" not in shown and "截至" not in shown
    assert "今年以来，街道持续开展政策宣讲。" in shown


def test_frozen_figures_cannot_be_changed(people, talks):
    published(people)
    with pytest.raises(DatabaseError), transaction.atomic():
        FrozenFigure.objects.update(text="截至2026年11月25日：宣讲99场，惠及99999人")


def test_the_review_sheet_lists_the_frozen_figures(client, people, talks):
    article = published(people)
    client.force_login(people["secretary"])
    page = text(client.get(reverse("admin:news_article_sheet", args=[article.pk])).content.decode())
    assert "审发固定的数据" in page and "截至2026年11月25日：宣讲2场，惠及3050人" in page


def test_sent_back_and_superseded_reviews_freeze_nothing(people, talks):
    article = services.create_article(draft(body=BODY), actor=people["community"])
    services.submit(article, actor=people["community"])
    services.sign(article, actor=people["editor"])
    services.send_back(article, actor=people["area"], reason="数据请核对")
    assert article.submissions.get().outcome == SubmissionOutcome.SENT_BACK
    assert not FrozenFigure.objects.exists()
