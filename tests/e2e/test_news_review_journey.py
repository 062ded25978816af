"""三审 in a browser: a community secretary's article is signed 初审, 审核 and 审发 by three
different people, each on their own device; an edit after 审核 sends it back to the start; the
printed 审核单 shows the three signatures; once published, residents read it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model

from portal.demo import DEMO_PASSWORD, seed
from portal.news import services
from portal.news.models import Article, ArticleStatus
from portal.seeding import SeedContext
from tests.e2e.conftest import PHONE, admin_login, open_page, screenshot
from tests.news.pages import draft

DESKTOP = {"width": 1366, "height": 900}
TITLE = "凤凰C区邻里议事亭修缮完工"


@pytest.fixture
def article(transactional_db, django_db_serialized_rollback):
    seed(SeedContext(out=StringIO()))
    author = get_user_model().objects.get(username="sqshuji")
    body = "<p>议事亭的顶棚和座椅已经修好，居民又有了商量事的地方。</p>"
    return services.create_article(draft(title=TITLE, body=body), actor=author)


def take_step(browser, base: str, username: str, article: Article, step: str, viewport=DESKTOP):
    """Log in as ``username``, open the article and press the step's button."""
    context, page = open_page(browser, viewport)
    admin_login(page, base, username, DEMO_PASSWORD)
    page.goto(f"{base}/admin/news/article/{article.pk}/change/")
    form = page.locator(f"#article-step-{step}")
    assert form.is_visible(), f"{username} sees no {step}"
    if step == "sign":
        form.locator("textarea, input[type=text]").first.fill(f"{username} 同意")
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").is_visible(), page.content()[:2000]
    return context, page


def test_three_people_sign_an_edit_restarts_and_the_sheet_prints(live_server, browser, article):
    base = live_server.url
    context, page = take_step(browser, base, "sqshuji", article, "submit", PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
    take_step(browser, base, "bianji", article, "sign")[0].close()
    context, page = take_step(browser, base, "baopian", article, "sign")
    # Having signed 审核, the area leader has nothing more to sign on this revision.
    assert page.locator("#article-step-sign").count() == 0
    context.close()

    # The author changes the title after 审核: the review starts again from 初审.
    context, page = open_page(browser, DESKTOP)
    admin_login(page, base, "sqshuji", DEMO_PASSWORD)
    page.goto(f"{base}/admin/news/article/{article.pk}/change/")
    page.fill("#id_title", TITLE + "（更新）")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    page.goto(f"{base}/admin/news/article/{article.pk}/change/")
    assert "草稿" in page.locator("#article-steps-h").inner_text()
    assert page.locator("#article-step-submit").is_visible()
    context.close()
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.DRAFT

    take_step(browser, base, "sqshuji", article, "submit")[0].close()
    for signer in ("bianji", "baopian", "shuji"):
        take_step(browser, base, signer, article, "sign")[0].close()
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.APPROVED

    # The 审核单, as printed: the three signatures, each by a different person.
    context, page = open_page(browser, DESKTOP)
    admin_login(page, base, "bianji", DEMO_PASSWORD)
    page.goto(f"{base}/admin/news/article/{article.pk}/change/")
    page.get_by_role("link", name="打印审核单").click()
    page.emulate_media(media="print")
    rows = page.locator(".news-sheet-step")
    assert rows.count() == 3
    names = [rows.nth(i).locator("td").first.inner_text() for i in range(3)]
    assert names == ["高雅琴", "苏和", "王志刚"]
    assert page.locator(".news-sheet-table td").first.inner_text() == TITLE + "（更新）"
    assert not page.locator(".breadcrumbs").is_visible()  # printing shows the sheet only
    screenshot(page, "news-review-sheet-print")
    page.emulate_media(media="screen")

    # The editor publishes it; a resident reads the approved title.
    page.goto(f"{base}/admin/news/article/{article.pk}/change/")
    page.locator("#article-step-publish button[value=now]").click()
    page.wait_for_load_state()
    context.close()
    context, page = open_page(browser, PHONE)
    page.goto(f"{base}/news/")
    page.get_by_role("link", name=TITLE + "（更新）").first.click()
    assert page.locator("h1").inner_text() == TITLE + "（更新）"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
