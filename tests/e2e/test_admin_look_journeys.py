"""The back office as staff see it in a browser: the case timeline is readable on a phone and a
desktop, and the index's section headers read across on a phone.

Measured in the browser (sizes, what is on top at a point), not read from the HTML: the timeline
was in the HTML all along, 0 px wide beside Django's floated main column.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model

from petitions import services
from portal.demo import DEMO_PASSWORD, seed
from portal.models import Grid, StaffProfile
from portal.seeding import SeedContext
from tests.e2e.conftest import PHONE, SCREENSHOTS, admin_login, screenshot
from tests.petitions.factories_admin import new_case

DESKTOP = {"width": 1366, "height": 900}
NOTE = "已与物业约定周五前清理三单元楼道，清理后由网格员现场查看。"


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback):
    seed(SeedContext(out=StringIO()))


@pytest.fixture
def handled_case(demo):
    """A case registered, accepted, assigned, signed for and with a progress note."""
    users = {u.username: u for u in get_user_model().objects.all()}
    grid = Grid.objects.get(community__name="凤凰岭社区", name="第二网格")
    secretary = users["shuji"]
    case = new_case(grid, actor=secretary)
    case = services.accept_case(case, actor=secretary)
    handler = StaffProfile.objects.get(user=users["wanggeyuan"])
    case = services.assign_case(case, actor=secretary, handler=handler)
    case = services.sign_case(case, actor=users["wanggeyuan"])
    return services.add_progress(case, actor=users["wanggeyuan"], note=NOTE)


def _context(browser, viewport: dict):
    mobile = viewport["width"] < 768
    return browser.new_context(
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=mobile,
        has_touch=mobile,
    )


READABLE = """(root) => {
  // Every step of the timeline: on screen, its text neither clipped nor covered by anything.
  const problems = [];
  for (const item of root.querySelectorAll('.case-event')) {
    const box = item.getBoundingClientRect();
    if (box.width < 200 || box.height < 20) problems.push('too small: ' + item.innerText);
    for (const part of item.querySelectorAll('p, span, time')) {
      if (part.scrollWidth > part.clientWidth + 1 && getComputedStyle(part).display !== 'inline')
        problems.push('clipped: ' + part.innerText);
      const r = part.getBoundingClientRect();
      if (!r.width || !r.height) { problems.push('empty box: ' + part.innerText); continue; }
      part.scrollIntoView({block: 'center'});
      const r2 = part.getBoundingClientRect();
      const x = r2.left + Math.min(8, r2.width / 2), y = r2.top + r2.height / 2;
      const hit = document.elementFromPoint(x, y);
      if (!hit || !(part === hit || part.contains(hit) || hit.contains(part)))
        problems.push('covered: ' + part.innerText);
    }
  }
  return problems;
}"""


@pytest.mark.parametrize(
    ("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")], ids=["375px", "1366px"]
)
def test_case_timeline_is_visible_and_readable(live_server, browser, handled_case, viewport, name):
    context = _context(browser, viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    admin_login(page, live_server.url, "shuji", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/admin/petitions/case/{handled_case.pk}/change/")

    timeline = page.locator(".case-timeline")
    assert timeline.is_visible()
    box = timeline.bounding_box()
    content = page.locator("#content").bounding_box()
    if name == "phone":
        assert box["width"] >= 0.9 * content["width"], (box, content)
    else:
        assert box["width"] >= 300, box
    # Staff see it right after the head and the row of step buttons (their forms closed), above
    # the record.
    steps = page.locator(".case-steps").bounding_box()
    record = page.locator("#content-main").bounding_box()
    assert steps["y"] + steps["height"] <= box["y"] < record["y"]
    assert page.locator(".case-step-form").first.is_hidden()

    events = timeline.locator(".case-event")
    assert events.count() == handled_case.events.count() >= 5
    text = timeline.inner_text()
    for shown in ("登记", "受理", "交办", "签收", "办理进展", NOTE, "刘倩", "王志刚"):
        assert shown in text, shown
    assert "已受理 → 已交办待签收" in text  # old → new
    assert "居民可见" in text and "仅内部" in text  # the public/internal marker
    assert "wanggeyuan" not in text and "shuji" not in text  # names, not logins
    assert page.get_by_text(NOTE).is_visible()
    assert timeline.evaluate(READABLE) == []
    # Nothing on the page is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"case-timeline-{name}")
    timeline.screenshot(path=str(SCREENSHOTS / f"case-timeline-{name}-block.png"))

    # The button above the record shows the same timeline, not Django's empty history.
    page.locator(".object-tools").get_by_role("link", name="办理记录").click()
    page.wait_for_url(f"**/admin/petitions/case/{handled_case.pk}/history/")
    assert "此对象没有修改历史" not in page.content()
    history = page.locator(".case-timeline")
    assert history.is_visible() and history.locator(".case-event").count() == events.count()
    assert history.bounding_box()["width"] >= min(300, 0.9 * content["width"])
    assert history.evaluate(READABLE) == []
    screenshot(page, f"case-history-{name}")
    context.close()


def test_admin_index_section_headers_read_across_on_a_phone(live_server, phone, demo):
    admin_login(phone, live_server.url, "shuji", DEMO_PASSWORD)
    # The workbench folds the model list on a phone; opened, it reads across.
    phone.locator("#wb-apps > summary").click()
    captions = phone.locator("#content-main .module caption")
    assert captions.count() >= 3
    line = phone.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 20")
    for i in range(captions.count()):
        box = captions.nth(i).bounding_box()
        # One line across the module, not a column one character wide.
        assert box["width"] >= 200 and box["height"] <= 3 * line, (
            captions.nth(i).inner_text(),
            box,
        )
    screenshot(phone, "admin-index-phone")
