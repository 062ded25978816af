"""The public news pages: only what is published shows, in publication order; search finds
2- and 4-character substrings; feeds list published articles with absolute links."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal import clock, pagecache
from portal.news import services
from portal.news.models import Column
from portal.roles import Role
from tests.news.pages import approved, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(staff):
    return {
        "editor": staff[Role.EDITOR],
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
    }


@pytest.fixture
def publish(people):
    def make(title: str, body: str = "<p>居民议事。</p>", at=None):
        article = services.create_article(draft(title=title, body=body), actor=people["community"])
        approved(article, people)
        return services.publish(article, actor=people["editor"], at=at)

    return make


def test_published_article_is_listed_and_readable(client, publish):
    article = publish("北苑社区议事会召开")
    page = client.get(reverse("portal:article-list")).content.decode()
    assert "北苑社区议事会召开" in page
    detail = client.get(reverse("portal:article-detail", args=[article.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "<svg" in text and "og:title" in text and "来源：" in text
    column = Column.objects.get(slug="jiceng-zhili")
    assert (
        "最近更新"
        in client.get(reverse("portal:article-column", args=[column.slug])).content.decode()
    )


def test_scheduled_article_is_404_until_due(client, publish):
    article = publish("定时发布的通知", at=clock.now() + timedelta(hours=1))
    assert client.get(reverse("portal:article-detail", args=[article.pk])).status_code == 404
    assert "定时发布的通知" not in client.get(reverse("portal:article-list")).content.decode()
    assert "定时发布的通知" not in client.get(reverse("portal:news-rss")).content.decode()
    with clock.frozen(clock.now() + timedelta(hours=2)):
        services.publish_due()
    assert client.get(reverse("portal:article-detail", args=[article.pk])).status_code == 200
    assert "定时发布的通知" in client.get(reverse("portal:news-rss")).content.decode()


def test_previous_and_next_in_publication_order(client, publish):
    with clock.frozen(clock.now() - timedelta(minutes=5)):
        first = publish("第一篇")
    second = publish("第二篇")
    page = client.get(reverse("portal:article-detail", args=[second.pk])).content.decode()
    assert 'rel="prev">第一篇' in page
    page = client.get(reverse("portal:article-detail", args=[first.pk])).content.decode()
    assert 'rel="next">第二篇' in page


@pytest.mark.parametrize("q", ["物业", "物业服务", "<script>", "x" * 500, ""])
def test_search_finds_mid_body_substrings_and_survives_bad_input(client, publish, q):
    publish("社区通知", body="<p>本周起小区物业服务中心延长办公时间。</p>")
    response = client.get(reverse("portal:search"), {"q": q})
    assert response.status_code == 200
    if q in ("物业", "物业服务"):
        assert "社区通知" in response.content.decode()


def test_json_feed_has_absolute_links(client, publish):
    article = publish("公告一则")
    data = client.get(reverse("portal:news-json")).json()
    assert data["items"][0]["url"].endswith(f"/news/{article.pk}/")
    assert data["items"][0]["url"].startswith("http")


def test_cached_news_pages_show_a_new_article_and_lose_a_withdrawn_one(
    client, publish, people, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_PAGE_CACHE = True
    cache.clear()
    pagecache.forget_local_generations()
    with django_capture_on_commit_callbacks(execute=True):
        first = publish("第一篇稿件")
    url = reverse("portal:article-list")
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        publish("第二篇稿件")
    page = client.get(url)
    assert page.get("X-Page-Cache") is None and "第二篇稿件" in page.content.decode()
    feed = reverse("portal:news-rss")
    client.get(feed)
    assert client.get(feed)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(first, actor=people["editor"], reason="内容有误")
    assert "第一篇稿件" not in client.get(feed).content.decode()
    assert client.get(reverse("portal:article-detail", args=[first.pk])).status_code == 404


def test_months_are_listed_and_each_month_page_holds_its_articles(client, publish):
    shanghai = ZoneInfo("Asia/Shanghai")
    # 23:30 on 31 October in Shanghai is still October there (15:30 UTC).
    with clock.frozen(datetime(2026, 10, 31, 23, 30, tzinfo=shanghai)):
        publish("十月最后一晚的稿件")
    with clock.frozen(datetime(2026, 11, 3, 9, 0, tzinfo=shanghai)):
        publish("十一月的稿件")
    page = client.get(reverse("portal:article-list")).content.decode()
    assert "按月份浏览" in page
    assert "2026年11月（1篇）" in page and "2026年10月（1篇）" in page
    october = client.get(reverse("portal:article-month", args=[2026, 10]))
    shown = october.content.decode()
    assert "十月最后一晚的稿件" in shown and "十一月的稿件" not in shown
    assert "<title>2026年10月新闻 - " in shown
    assert 'aria-current="page">2026年10月（1篇）' in shown
    for empty in ((2026, 9), (1999, 1), (9999, 12), (2026, 13)):
        assert client.get(reverse("portal:article-month", args=empty)).status_code == 404, empty
