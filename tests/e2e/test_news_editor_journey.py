"""An editor writes an article body in the browser without typing HTML: a heading, bold text, a
list and a picture from the image button, on a phone and on a desktop, under the site's real
Content-Security-Policy. The saved body holds what was made; the browser reports no violation."""

from __future__ import annotations

import re

import pytest

from portal.news.models import Article, Column
from portal.roles import Role
from tests.e2e.conftest import PHONE, admin_login, open_page, screenshot
from tests.factories import PASSWORD
from tests.images import plain_jpeg

DESKTOP = {"width": 1366, "height": 900}

# Every CSP violation and console error the page reports, collected before any script runs.
WATCH = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__problems.push('CSP ' + e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def editor_account(transactional_db, django_db_serialized_rollback, staff):
    if not Column.objects.exists():
        Column.objects.create(name="基层治理", slug="jiceng-zhili")
    return staff[Role.EDITOR]


@pytest.mark.parametrize(
    ("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")], ids=["375px", "1366px"]
)
def test_a_body_is_written_with_the_toolbar_and_saved(
    live_server, browser, editor_account, tmp_path, viewport, name
):
    context, page = open_page(browser, viewport)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: console.append(str(e)))
    page.add_init_script(WATCH)
    try:
        admin_login(page, live_server.url, editor_account.username, PASSWORD)
        page.goto(f"{live_server.url}/admin/news/article/add/")
        page.fill("#id_title", "北苑社区现场办公解决12件诉求")
        page.select_option("#id_column", label="基层治理")

        body = page.locator(".news-body-editor > .ProseMirror")
        body.wait_for()
        assert page.locator("textarea#id_body").is_hidden()  # the editor replaced it
        bold = page.locator(".prose-menubar button[data-name=bold]")
        assert bold.get_attribute("title") == "加粗"

        body.click()
        page.keyboard.type("一、基本情况")
        page.locator(".prose-menubar__selected").first.click()
        page.locator(".prose-menubar__option[data-name=heading2]").click()
        page.keyboard.press("End")
        page.keyboard.press("Enter")
        page.keyboard.type("街道干部")
        bold.click()
        page.keyboard.type("现场办公")
        bold.click()
        page.keyboard.type("，解决居民诉求。")
        page.keyboard.press("Enter")
        page.locator(".prose-menubar button[data-name=bulletList]").click()
        page.keyboard.type("走访居民120户")
        page.keyboard.press("Enter")
        page.keyboard.type("解决问题12件")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")  # out of the list

        # Something that is not a picture is refused in Chinese, nothing is inserted.
        fake = tmp_path / "通知.jpg"
        fake.write_bytes(b"<html><script>alert(1)</script></html>")
        with page.expect_file_chooser() as chooser:
            page.locator(".prose-menubar button[data-name=newsImage]").click()
        chooser.value.set_files(str(fake))
        status = page.locator(".news-body-editor__status")
        status.filter(has_text="只能上传 JPEG、PNG 或 WebP 格式的照片").wait_for()
        assert body.locator("img").count() == 0

        photo = tmp_path / "现场.jpg"
        photo.write_bytes(plain_jpeg(800, 400))
        with page.expect_file_chooser() as chooser:
            page.locator(".prose-menubar button[data-name=newsImage]").click()
        chooser.value.set_files(str(photo))
        dialog = page.locator("dialog.prose-editor-dialog")
        dialog.locator("input[name=alt]").fill("网格驿站现场")
        dialog.locator("button[type=submit]").click()
        body.locator("img").wait_for()

        # A table, through a dialog and tools in Chinese (none of the bundle's English shows).
        page.keyboard.press("ArrowRight")  # past the picture, which stays selected
        page.keyboard.press("Enter")
        page.locator(".prose-menubar button[data-name=table]").click()
        asked = page.locator("dialog.prose-editor-dialog[open]")
        shown = asked.inner_text()
        assert "行数" in shown and "包含表头行" in shown and "插入表格" in shown, shown
        assert asked.locator("option").all_inner_texts() == ["是", "否"]
        asked.locator("select").select_option(label="是")  # a header row
        asked.locator("button[type=submit]").click()
        body.locator("th").first.wait_for()
        body.locator("td").first.click()
        page.keyboard.type("门牌号")
        titles = page.eval_on_selector_all(
            ".prose-menubar [title]", "els => els.filter(e => e.offsetParent).map(e => e.title)"
        )
        assert "合并单元格" in titles and "删除表格" in titles, titles
        assert not [t for t in titles if re.search("[A-Za-z]{3}", t)], titles
        screenshot(page, f"news-body-editor-{name}")

        # Usable on this screen: the toolbar and the text area fit its width.
        width = page.evaluate("document.documentElement.clientWidth")
        for part in (".news-body-editor .prose-menubar", ".news-body-editor > .ProseMirror"):
            box = page.locator(part).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (part, box, width)
        assert bold.bounding_box()["width"] >= 32  # a finger can hit it

        page.locator("input[name=_save]").click()
        page.wait_for_url("**/change/")
        assert "稿件已保存为草稿（第1版）" in page.inner_text("body")
        problems = page.evaluate("window.__problems")
    finally:
        context.close()

    saved = Article.objects.get().current.body
    assert "<h2>一、基本情况</h2>" in saved
    assert "<strong>现场办公</strong>" in saved
    assert "<ul><li><p>走访居民120户</p></li><li><p>解决问题12件</p></li></ul>" in saved
    assert '<img src="/media/photos/news/body/' in saved and 'alt="网格驿站现场"' in saved
    assert "<table>" in saved and "<th" in saved and "门牌号" in saved
    assert not problems, problems
    csp = [m for m in console if "Content Security Policy" in m or "Refused" in m]
    assert not csp, csp
    # The refused upload's 400 is the only error the console may show.
    others = [m for m in console if m not in csp and "400" not in m]
    assert not others, others
