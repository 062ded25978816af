"""The site's front door and its site-wide parts: 新闻动态 and 通知公告 on the home page, the
large-type switch at the top of every page, the footer's identification only when configured,
the sitemap and robots.txt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from portal import clock
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
    def make(title: str, column: str = "jiceng-zhili", at=None):
        column_row = Column.objects.get(slug=column)
        article = services.create_article(
            draft(title=title, column=column_row), actor=people["community"]
        )
        approved(article, people)
        return services.publish(article, actor=people["editor"], at=at)

    return make


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_home_shows_news_and_notices_apart_and_only_public_ones(client, publish):
    publish("敕勒川社区议事会议定停车方案")
    publish("关于春节期间服务安排的通知", column="tongzhi-gonggao")
    publish("下周才发布的通知", column="tongzhi-gonggao", at=clock.now() + timedelta(days=1))
    page = client.get(reverse("portal:home")).content.decode()
    news, notices = section(page, "news-title"), section(page, "notices-title")
    assert "敕勒川社区议事会议定停车方案" in news and "关于春节期间服务安排的通知" not in news
    assert "关于春节期间服务安排的通知" in notices
    assert "下周才发布的通知" not in page
    assert reverse("portal:article-column", args=["tongzhi-gonggao"]) in notices


def test_home_without_news_says_so(client):
    page = client.get(reverse("portal:home")).content.decode()
    assert "还没有公开的新闻。" in section(page, "news-title")
    assert "暂无通知公告。" in section(page, "notices-title")


@pytest.mark.parametrize("count", [1, 50])
def test_home_costs_the_same_queries_with_1_and_50_articles(
    client, publish, count, django_assert_num_queries
):
    """Issue 12 point 8: the count is fixed (measured with 1, asserted with 50)."""
    for n in range(count):
        publish(f"第{n}篇新闻", column="tongzhi-gonggao" if n % 3 == 0 else "jiceng-zhili")
    client.get(reverse("portal:home"))  # warm the per-process caches (content types, etc.)
    with django_assert_num_queries(HOME_QUERIES):
        client.get(reverse("portal:home"))


HOME_QUERIES = 17


def test_large_type_switch_is_at_the_top_of_every_public_page(client, publish):
    article = publish("字号测试")
    for url in (
        reverse("portal:home"),
        reverse("portal:article-list"),
        reverse("portal:article-detail", args=[article.pk]),
        reverse("petitions:request-new"),
    ):
        page = client.get(url).content.decode()
        header = page[page.index("<header") : page.index("</header>")]
        assert 'value="large"' in header and "大字版" in header, url
    response = client.post(reverse("portal:text-size"), {"size": "large", "next": "/news/"})
    assert response.status_code == 302
    page = client.get(reverse("portal:article-list")).content.decode()
    assert 'class="large-text"' in page
    header = page[page.index("<header") : page.index("</header>")]
    assert "标准字号" in header


def test_footer_identification_only_when_configured(client, settings):
    page = client.get(reverse("portal:home")).content.decode()
    footer = page[page.index("<footer") :]
    for word in ("备案", "网站标识码", "联系方式", "beian.miit.gov.cn"):
        assert word not in footer
    assert "主办：凤凰岭街道党工委、办事处" in footer
    settings.PORTAL_SITE_ORGANIZER = "凤凰岭街道党工委、凤凰岭街道办事处"
    settings.PORTAL_SITE_CONTACT = "0471-0652180"
    settings.PORTAL_ICP_NUMBER = "蒙ICP备12345678号"
    settings.PORTAL_SITE_CODE = "1501000001"
    settings.PORTAL_PSB_NUMBER = "蒙公网安备 15010202000001号"
    footer = client.get(reverse("portal:home")).content.decode().split("<footer", 1)[1]
    assert "主办：凤凰岭街道党工委、凤凰岭街道办事处" in footer
    assert "联系方式：0471-0652180" in footer
    assert '<a href="https://beian.miit.gov.cn/"' in footer and "蒙ICP备12345678号" in footer
    assert "网站标识码：1501000001" in footer and "蒙公网安备 15010202000001号" in footer


def test_sitemap_lists_public_pages_only(client, publish, people, settings):
    settings.PORTAL_SITE_URL = "https://portal.example.gov.cn"
    shown = publish("公开的新闻")
    later = publish("定时的新闻", at=clock.now() + timedelta(days=1))
    gone = publish("撤回的新闻")
    services.withdraw(gone, actor=people["editor"], reason="信息有误")
    xml = client.get("/sitemap.xml").content.decode()
    base = "https://portal.example.gov.cn"
    assert f"<loc>{base}/news/{shown.pk}/</loc>" in xml
    assert f"/news/{later.pk}/<" not in xml and f"/news/{gone.pk}/<" not in xml
    assert f"<loc>{base}/news/jiceng-zhili/</loc>" in xml
    assert f"<loc>{base}/news/tongzhi-gonggao/</loc>" not in xml  # an empty 栏目 is not listed
    assert f"<loc>{base}/</loc>" in xml and f"<loc>{base}/requests/results/</loc>" in xml
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and f"Sitemap: {base}/sitemap.xml" in robots
