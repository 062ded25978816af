"""A working day on phones (375 px), across three people.

The grid worker logs an on-site session held today with a photo, filling only what differs from
the defaults, registers a request raised there and hands the resident a slip with the tracking
code. The community secretary finds the session waiting on her workbench and publishes it, and
residents see it. The party secretary opens his workbench, follows a count to exactly its rows
and opens the request: its timeline is on the first screen after the header."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.utils import timezone

from outreach.models import ActivityStatus, OnsiteSession
from petitions.models import Case, Channel
from portal.demo import DEMO_PASSWORD, seed
from portal.models import Grid
from portal.seeding import SeedContext
from tests.e2e.conftest import PHONE, SCREENSHOTS, admin_login, open_page, screenshot
from tests.images import plain_jpeg

NO_SIDEWAYS = "() => document.documentElement.scrollWidth"


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback):
    seed(SeedContext(out=StringIO()))


def shot(page, name: str) -> None:
    screenshot(page, f"day-{name}")


def _count(page, queue: str) -> int:
    """A workbench queue's count as shown (an empty queue is a line of links under the tiles)."""
    return int(page.locator(f'.wb-queue[data-queue="{queue}"] .wb-count').inner_text())


def test_a_session_logged_on_a_phone_is_published_and_its_request_followed(
    live_server, browser, phone, demo
):
    base = live_server.url
    grid = Grid.objects.get(community__code="fenghuangling", name="第二网格")
    admin_login(phone, base, "wanggeyuan", DEMO_PASSWORD)

    phone.goto(base + "/admin/outreach/onsitesession/add/")
    # Already filled: held today, now rounded down to the half hour, the worker's grid.
    assert phone.locator("#id_record_as input[value=held]").is_checked()
    assert phone.input_value("#id_starts_at_0") == timezone.localdate().isoformat()
    assert re.fullmatch(r"[0-9]{2}:(00|30)", phone.input_value("#id_starts_at_1"))
    assert phone.locator("#id_starts_at_0").get_attribute("type") == "date"
    assert phone.locator("#id_starts_at_1").get_attribute("type") == "time"
    assert phone.input_value("#id_grid") == str(grid.pk)
    assert not phone.locator("#id_venue").is_visible()  # folded under 更多信息, filled in
    assert phone.get_by_text("更多信息（已填好：凤凰岭社区、第二网格").is_visible()
    assert phone.evaluate(NO_SIDEWAYS) <= PHONE["width"]

    # Only what differs: the summary, the residents met and a photo.
    phone.fill("#id_summary", "居民反映小区东门路灯不亮、楼道堆物，现场记录并登记诉求。")
    phone.fill("#id_residents_met", "9")
    phone.set_input_files(
        'input[name="photos-0-upload"]',
        {"name": "IMG_0412.jpg", "mimeType": "image/jpeg", "buffer": plain_jpeg(1200, 900)},
    )
    phone.fill("#id_photos-0-caption", "网格驿站现场办公")
    assert phone.evaluate(NO_SIDEWAYS) <= PHONE["width"]
    shot(phone, "add")
    phone.click('input[name="_save"]')
    phone.wait_for_url(base + "/admin/outreach/onsitesession/")
    message = phone.locator(".messagelist li").first
    assert "等待社区书记（或有发布权限的人员）审核公开" in message.inner_text()
    shot(phone, "saved")

    session = OnsiteSession.objects.get(summary__startswith="居民反映小区东门路灯")
    assert session.status == ActivityStatus.HELD and not session.is_published
    assert session.title == "凤凰岭社区现场办公" and session.grid == grid
    assert session.residents_met == 9 and session.photos.count() == 1
    assert timezone.localtime(session.starts_at).date() == timezone.localdate()

    # The session's page says it waits, and registers a request raised there.
    phone.goto(f"{base}/admin/outreach/onsitesession/{session.pk}/change/")
    assert phone.get_by_text("等待社区书记（或有发布权限的人员）审核公开").is_visible()
    shot(phone, "session")
    phone.get_by_role("link", name="登记居民诉求").click()
    phone.wait_for_url(re.compile(r".*/admin/petitions/case/add/\?onsite_session=\d+"))
    assert phone.input_value("#id_channel") == Channel.ONSITE
    assert phone.input_value("#id_grid") == str(grid.pk)
    assert phone.input_value("#id_community") == str(grid.community_id)
    phone.select_option("#id_category", label="市政设施")
    phone.fill("#id_title", "小区东门路灯不亮")
    phone.fill("#id_content", "东门两盏路灯一周未亮，夜间出行不便。")
    phone.fill("#id_petitioner_name", "田会平")
    phone.fill("#id_petitioner_phone", "13912345678")
    phone.click('input[name="_save"]')

    phone.wait_for_url(re.compile(r".*/admin/petitions/case/\d+/slip/"))
    case = Case.objects.get(onsite_session=session)
    assert phone.locator("#slip-code").inner_text() == case.formatted_tracking_code
    assert phone.locator("#slip-number").inner_text() == case.number
    assert phone.locator("#slip-track-url").inner_text() == base + "/requests/track/"
    sms = phone.locator("#slip-sms").inner_text()
    assert case.formatted_tracking_code in sms and len(sms) <= 70
    page_text = phone.locator("#content").inner_text()
    assert "田**" in page_text and "田会平" not in page_text and "13912345678" not in page_text
    assert phone.evaluate(NO_SIDEWAYS) <= PHONE["width"]
    shot(phone, "slip")

    # Printed, only the slip remains: no admin header, buttons or SMS text.
    phone.emulate_media(media="print")
    assert not phone.locator("#header").is_visible()
    assert not phone.locator(".case-slip-sms").is_visible()
    assert phone.locator("#slip-code").is_visible()
    shot(phone, "slip-print")
    phone.emulate_media(media="screen")

    # Later, from the case page.
    phone.goto(f"{base}/admin/petitions/case/{case.pk}/change/")
    phone.get_by_role("link", name="打印回执").click()
    phone.wait_for_url(f"{base}/admin/petitions/case/{case.pk}/slip/")

    # Residents do not see the session yet.
    public_url = base + session.get_absolute_url()
    assert phone.goto(public_url).status == 404

    # The community secretary finds it waiting on her workbench and publishes it.
    context, page = open_page(browser, PHONE)
    admin_login(page, base, "sqshuji", DEMO_PASSWORD)
    tile = page.locator('.wb-tiles .wb-queue[data-queue="onsitesession_unpublished"]')
    assert tile.is_visible()
    waiting = int(tile.locator(".wb-count").inner_text())
    assert waiting >= 1
    shot(page, "secretary-workbench")
    tile.tap()
    page.wait_for_url("**/admin/outreach/onsitesession/?*")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == waiting
    row = rows.filter(has_text="凤凰岭社区现场办公")
    assert row.count() == 1 and row.is_visible()
    shot(page, "secretary-waiting-list")
    row.get_by_role("link").first.tap()
    page.wait_for_url(f"**/admin/outreach/onsitesession/{session.pk}/change/**")
    with page.expect_navigation():
        page.locator("#activity-step-publish input[type=submit]").tap()
    assert "已公开" in page.locator(".messagelist").inner_text()
    assert "已公开" in page.locator("#activity-steps-h").inner_text()
    # The record says who published it, and when.
    latest = page.locator(".activity-events .activity-event").first.inner_text()
    assert "公开" in latest and "李慧敏" in latest, latest
    assert page.evaluate(NO_SIDEWAYS) <= PHONE["width"]
    shot(page, "secretary-published")
    page.goto(base + "/admin/")
    assert _count(page, "onsitesession_unpublished") == waiting - 1
    context.close()
    session.refresh_from_db()
    assert session.is_published
    assert phone.goto(public_url).status == 200
    assert phone.get_by_text("居民反映小区东门路灯不亮").first.is_visible()
    shot(phone, "resident-sees-the-session")

    # The party secretary follows 待受理 to exactly its rows and opens the new request.
    context, page = open_page(browser, PHONE)
    admin_login(page, base, "shuji", DEMO_PASSWORD)
    tile = page.locator('.wb-tiles .wb-queue[data-queue="to_accept"]')
    count = int(tile.locator(".wb-count").inner_text())
    assert count >= 1
    assert page.evaluate(NO_SIDEWAYS) <= PHONE["width"]
    shot(page, "party-secretary-workbench")
    tile.tap()
    page.wait_for_url("**/admin/petitions/case/?queue=to_accept*")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == count
    assert page.evaluate(NO_SIDEWAYS) <= PHONE["width"]
    shot(page, "party-secretary-to-accept")
    rows.filter(has_text=case.number).get_by_role("link").first.tap()
    page.wait_for_url(f"**/admin/petitions/case/{case.pk}/change/**")
    header = page.locator(".case-header")
    assert case.number in header.inner_text() and "已登记" in header.inner_text()
    first = page.locator(".case-timeline .case-event").first
    assert first.is_visible()
    assert header.bounding_box()["y"] < first.bounding_box()["y"] < PHONE["height"]
    assert "登记" in page.locator(".case-timeline").inner_text()
    assert page.evaluate(NO_SIDEWAYS) <= PHONE["width"]
    screenshot(page, "day-case-page")
    page.screenshot(path=str(SCREENSHOTS / "day-case-page-first-screen.png"))
    context.close()


ADD_PAGES = [
    "outreach/onsitesession",
    "outreach/policytalk",
    "outreach/fieldvisit",
    "outreach/deliberation",
    "petitions/reception",
]


def test_every_add_page_fits_a_phone_with_more_information_open(live_server, phone, demo):
    base = live_server.url
    admin_login(phone, base, "baopian", DEMO_PASSWORD)  # two communities: nothing pre-chosen
    for page in ADD_PAGES:
        phone.goto(f"{base}/admin/{page}/add/")
        assert phone.evaluate(NO_SIDEWAYS) <= PHONE["width"], page
        phone.locator("fieldset.collapse summary").click()
        assert phone.evaluate(NO_SIDEWAYS) <= PHONE["width"], f"{page} with 更多信息 open"
        shot(phone, "add-" + page.split("/")[1])
