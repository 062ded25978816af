"""The case page and the lists as staff see them on a 375-px phone and a 1366-px desktop.

The case page reads head → steps → timeline → details: after the head and a row of step buttons,
the timeline's first entry is on the first screen, with a real width, and nothing on the page
scrolls sideways although the case has a long timeline, long unbroken text and several steps.
On a phone the case list and the activity lists show each row as a card with what decides the
next action; on a desktop they stay tables. Measured in the browser, not read from the HTML.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from outreach.models import ActivityStatus
from petitions import services
from petitions.models import Case
from portal.roles import Role
from tests.e2e.conftest import PHONE, SCREENSHOTS, admin_login
from tests.factories import PASSWORD, make_session
from tests.petitions.factories_admin import in_progress_case, new_case

DESKTOP = {"width": 1366, "height": 900}
# No break opportunity for 200 characters: a pasted link or reference number.
UNBROKEN = "https://example.org/notice/" + "x7" * 90
LONG_NOTE = "已联系物业、城管和楼长三方现场查看，约定本周五前清理三单元楼道堆放的旧家具和纸箱。" * 3


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _context(browser, viewport: dict):
    mobile = viewport["width"] < 768
    return browser.new_context(
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=mobile,
        has_touch=mobile,
    )


@pytest.fixture
def busy_case(transactional_db, django_db_serialized_rollback, place, staff):
    """A case in progress with a long timeline, long unbroken text and a reason to be read."""
    worker = staff[Role.GRID_WORKER]
    case = in_progress_case(
        place, staff, title="楼道堆物" + "Z" * 60, content="三单元楼道堆物。" + UNBROKEN
    )
    for i in range(24):
        note = UNBROKEN if i == 3 else f"第{i + 1}次进展：{LONG_NOTE}"
        case = services.add_progress(case, actor=worker, note=note, public=i % 3 == 0)
    return case


NO_SIDEWAYS = "document.documentElement.scrollWidth"
# What sticks out of a 375-px screen, for the failure message.
WIDE = """() => [...document.querySelectorAll('body *')].filter((el) => {
  const r = el.getBoundingClientRect();
  return (r.width && r.right > 376) || (el.clientWidth && el.scrollWidth > el.clientWidth + 1
    && getComputedStyle(el).overflowX === 'visible' && el.tagName !== 'OPTION');
}).slice(0, 20).map((el) => `${el.tagName}.${el.className} ${el.scrollWidth}px`)"""


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "375"), (DESKTOP, "1366")])
def test_case_page_shows_the_timeline_on_the_first_screen(
    live_server, browser, busy_case, staff, viewport, name
):
    context = _context(browser, viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    admin_login(page, live_server.url, staff[Role.SECRETARY].username, PASSWORD)
    page.goto(f"{live_server.url}/admin/petitions/case/{busy_case.pk}/change/")

    header = page.locator(".case-header")
    head = header.inner_text()
    assert busy_case.number in head and "办理中" in head
    assert "办结期限" in head and "还剩" in head and "工作日" in head
    assert "承办人" in head and "一般办理" in head

    # Several steps, each one button; none open, so they take a row or two, not a screen.
    buttons = page.locator(".case-step > summary")
    assert buttons.count() >= 4
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 40 and box["x"] + box["width"] <= viewport["width"], box
    assert page.locator(".case-step-form").first.is_hidden()

    timeline = page.locator(".case-timeline")
    first = timeline.locator(".case-event").first
    top = first.bounding_box()
    header_box = header.bounding_box()
    assert header_box["y"] < top["y"] < viewport["height"], (header_box, top)
    width = timeline.bounding_box()["width"]
    assert width > (250 if name == "375" else 600), width
    assert timeline.locator(".case-event").count() == busy_case.events.count() >= 25
    # The details come after the timeline.
    assert page.locator(".case-details").bounding_box()["y"] > timeline.bounding_box()["y"]
    assert page.locator("#content-main").bounding_box()["y"] > timeline.bounding_box()["y"]
    assert page.evaluate(NO_SIDEWAYS) <= viewport["width"], page.evaluate(WIDE)
    _shot(page, f"case-page-{name}.png")

    # A step opens in place, across the width, and still nothing scrolls sideways.
    step = page.locator(".case-step > summary", has_text="办理进展")
    step.click()
    form = page.locator("#case-step-progress .case-step-form")
    assert form.is_visible()
    assert form.bounding_box()["width"] > (250 if name == "375" else 600)
    assert page.evaluate(NO_SIDEWAYS) <= viewport["width"], page.evaluate(WIDE)
    if name == "375":  # a thumb's targets: the button, and each checkbox with its label row
        assert form.locator("button[type=submit]").first.bounding_box()["height"] >= 44
        for i in range(form.locator("input[type=checkbox]").count()):
            box = form.locator("input[type=checkbox]").nth(i).bounding_box()
            assert box["height"] >= 24, box
        header = page.locator("#user-tools a").first.bounding_box()
        assert header["height"] >= 44, header
    page.screenshot(path=str(SCREENSHOTS / f"case-step-open-{name}.png"))

    # 办理记录 (Django's 历史) shows the same timeline under the same head.
    page.locator(".case-tools").get_by_role("link", name="办理记录").click()
    page.wait_for_url(f"**/admin/petitions/case/{busy_case.pk}/history/")
    history = page.locator(".case-timeline")
    assert history.locator(".case-event").count() == busy_case.events.count()
    assert busy_case.number in page.locator(".case-header").inner_text()
    assert history.bounding_box()["width"] > (250 if name == "375" else 600)
    assert page.evaluate(NO_SIDEWAYS) <= viewport["width"], page.evaluate(WIDE)
    page.screenshot(path=str(SCREENSHOTS / f"case-history-{name}.png"))
    context.close()


def _cards_fit(page, cells: list[str], viewport: dict) -> list[str]:
    """Every visible card's given cells: inside the screen, with a non-zero size."""
    problems = []
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 3
    for r in range(rows.count()):
        row = rows.nth(r)
        row_box = row.bounding_box()
        if row_box["height"] < 60:
            problems.append(f"row {r} is one line high: {row_box}")
        for cell in cells:
            box = row.locator(cell).bounding_box()
            if not box or not box["width"] or not box["height"]:
                problems.append(f"row {r} {cell}: no box {box}")
            elif box["x"] < 0 or box["x"] + box["width"] > viewport["width"] + 0.5:
                problems.append(f"row {r} {cell}: outside the screen {box}")
    return problems


def test_case_list_is_cards_on_a_phone_and_a_table_on_a_desktop(
    live_server, browser, transactional_db, django_db_serialized_rollback, place, staff
):
    secretary = staff[Role.SECRETARY]
    new_case(place.north_a, actor=secretary, title="楼道堆物" + "Y" * 70)
    in_progress_case(place, staff)
    late = new_case(place.north_a, actor=secretary)
    Case.objects.filter(pk=late.pk).update(  # time travel: a case overdue for acceptance
        accept_due=timezone.localdate() - timedelta(days=2),
        # Test data: a case redone twice and under supervision (its badges).
        redo_count=2,
        is_supervised=True,
    )
    context = _context(browser, PHONE)
    page = context.new_page()
    admin_login(page, live_server.url, secretary.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/petitions/case/")
    cells = [".field-number", ".field-status_label", ".field-due_label", ".field-handler_label"]
    assert _cards_fit(page, [*cells, ".field-title_safe"], PHONE) == []
    assert "已超期 2 天" in page.locator("#result_list").inner_text()
    # 督办 and 重办 are on the card, beside the status.
    badges = page.locator("#result_list tbody .field-status_label .case-badge")
    assert [badges.nth(i).inner_text() for i in range(badges.count())] == ["督办", "重办 2 次"]
    # The row's link and its checkbox are fingertip-sized.
    for target in ("tbody .field-number a", "tbody .action-select"):
        box = page.locator(f"#result_list {target}").first.bounding_box()
        assert box["height"] >= 40 and box["width"] >= 40, (target, box)
    checkbox = page.locator("#result_list tbody td.action-checkbox").first
    checkbox.click()
    assert page.locator("#result_list tbody .action-select").first.is_checked()
    # The queue links above the list wrap on the screen.
    for i in range(page.locator(".case-queues a").count()):
        box = page.locator(".case-queues a").nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert box["height"] >= 32, box
    assert page.evaluate(NO_SIDEWAYS) <= PHONE["width"], page.evaluate(WIDE)
    _shot(page, "case-list-375.png")
    page.locator("#result_list tbody .field-number a").first.click()
    page.wait_for_url("**/change/")
    context.close()

    context = _context(browser, DESKTOP)
    page = context.new_page()
    admin_login(page, live_server.url, secretary.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/petitions/case/")
    assert page.locator("#result_list thead").is_visible()
    row = "getComputedStyle(document.querySelector('#result_list tbody tr')).display"
    assert page.evaluate(row) == "table-row"
    assert page.locator("#result_list thead th.column-triage_label").is_visible()
    # Every column on the screen: nothing behind a sideways scroll inside the list.
    results = page.locator("#changelist .results")
    _shot(page, "case-list-1366.png")
    widths = page.evaluate("""() => [...document.querySelectorAll('#result_list thead th')].map(
      (th) => th.className + ':' + Math.round(th.getBoundingClientRect().width))""")
    inner = results.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert inner[0] <= inner[1] + 1, (inner, widths)
    for column in ("place_label", "petitioner_label", "status_label"):
        box = page.locator(f"#result_list thead th.column-{column}").bounding_box()
        assert box and box["x"] + box["width"] <= DESKTOP["width"], (column, box)
    assert page.locator("#result_list .case-badge").first.is_visible()
    assert page.evaluate(NO_SIDEWAYS) <= DESKTOP["width"]
    _shot(page, "case-list-1366.png")
    context.close()


def test_activity_list_is_cards_on_a_phone(
    live_server, browser, transactional_db, django_db_serialized_rollback, place, staff
):
    secretary = staff[Role.COMMUNITY_SECRETARY]
    make_session(place.north_a, title="北苑第一网格周五现场办公" + "W" * 40)
    make_session(place.north_b, is_published=False)
    make_session(
        place.north_a,
        status=ActivityStatus.PLANNED,
        is_published=False,
        starts_at=timezone.now() + timedelta(days=2),
    )
    context = _context(browser, PHONE)
    page = context.new_page()
    admin_login(page, live_server.url, secretary.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/outreach/onsitesession/")
    cells = [".field-title", ".field-local_start", ".field-community", ".field-status"]
    assert _cards_fit(page, [*cells, ".field-is_published"], PHONE) == []
    text = page.locator("#result_list").inner_text()
    assert "待公开" in text and "已公开" in text
    for target in ("tbody .field-title a", "tbody .action-select"):
        box = page.locator(f"#result_list {target}").first.bounding_box()
        assert box["height"] >= 40 and box["width"] >= 40, (target, box)
    assert page.evaluate(NO_SIDEWAYS) <= PHONE["width"], page.evaluate(WIDE)
    _shot(page, "activity-list-375.png")
    context.close()
