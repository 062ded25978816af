"""The public article page at phone and desktop width: the cover stays inside the page, the
share QR code is large enough to scan, the related block is readable, nothing scrolls sideways."""

from __future__ import annotations

import pytest

from portal.news import services
from portal.roles import Role
from tests.e2e.conftest import SCREENSHOTS, open_page
from tests.factories import make_talk
from tests.news.pages import draft
from tests.news.test_article_page import cover, publish

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("width", [375, 1366])
def test_article_page_fits_and_the_qr_is_scannable(browser, live_server, staff, place, width):
    people = {
        "editor": staff[Role.EDITOR],
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
    }
    talk = make_talk(place.north_a, title="民法典进社区宣讲暨居民议事协商会")
    article = services.create_article(
        draft(
            summary="街道干部在网格驿站现场受理居民诉求",
            byline="李明",
            cover=cover(),
            related_activities=(f"policytalk:{talk.pk}",),
        ),
        actor=people["community"],
    )
    publish(article, people)
    context, page = open_page(browser, {"width": width, "height": 900})
    try:
        page.goto(f"{live_server.url}/news/{article.pk}/")
        assert page.get_by_role("heading", name="相关活动").is_visible()
        assert page.get_by_role("link", name="民法典进社区宣讲暨居民议事协商会").is_visible()
        qr = page.locator(".news-share__qr svg").bounding_box()
        assert qr is not None and qr["width"] >= 140
        img = page.locator(".news-article__cover img").bounding_box()
        article_box = page.locator(".news-article").bounding_box()
        assert img is not None and article_box is not None
        assert img["x"] + img["width"] <= article_box["x"] + article_box["width"] + 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"article-page-{width}.png"), full_page=True)
    finally:
        context.close()
