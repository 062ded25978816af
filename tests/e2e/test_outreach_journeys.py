"""Outreach journeys in a phone-sized browser: log a talk with a phone photo; plan and cancel."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from io import StringIO as _StringIO

import pytest
from django.utils import timezone
from PIL import Image

from outreach.models import ActivityStatus, OnsiteSession, PolicyTalk
from portal.demo import DEMO_PASSWORD, seed
from portal.models import Grid
from portal.seeding import SeedContext
from tests.e2e.conftest import admin_login, screenshot
from tests.factories import make_session
from tests.images import jpeg_with_gps


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback):
    seed(SeedContext(out=_StringIO()))


def home_talk_counter(page, base_url: str) -> tuple[int, int]:
    page.goto(base_url + "/")
    card = page.locator(".counter").first
    events = int(card.locator(".counter__value").inner_text().rstrip("场").strip())
    reach = int(card.locator(".counter__sub").inner_text().split()[1])
    return events, reach


def test_secretary_logs_a_talk_with_a_phone_photo_and_residents_see_it(live_server, phone, demo):
    base = live_server.url
    before = home_talk_counter(phone, base)

    admin_login(phone, base, "sqshuji", DEMO_PASSWORD)
    phone.goto(base + "/admin/outreach/policytalk/add/")
    when = timezone.localtime() - timedelta(hours=2)
    phone.fill("#id_title", "民法典进家庭普法宣讲")
    phone.fill("#id_starts_at_0", when.strftime("%Y-%m-%d"))
    phone.fill("#id_starts_at_1", when.strftime("%H:%M:%S"))
    # The community (and its venue) come filled in from the secretary's scope, folded away.
    phone.locator("fieldset.collapse summary").click()
    assert phone.input_value("#id_community") == str(
        Grid.objects.filter(community__name="凤凰岭社区").first().community_id
    )
    phone.select_option("#id_community", label="凤凰岭社区")
    phone.fill("#id_venue", "凤凰岭社区党群服务中心二楼")
    phone.select_option("#id_kind", value="law")
    phone.fill("#id_summary", "街道法律顾问结合身边案例讲解婚姻家庭编。")
    phone.fill("#id_attendance_signed", "57")
    phone.get_by_text("再添加一条照片").click()
    phone.set_input_files(
        'input[name="photos-0-upload"]',
        {
            "name": "IMG_20261125_101500.jpg",
            "mimeType": "image/jpeg",
            "buffer": jpeg_with_gps(2000, 1500),
        },
    )
    screenshot(phone, "admin-log-talk-phone")
    phone.click('input[name="_save"]')
    phone.wait_for_url(base + "/admin/outreach/policytalk/")
    assert phone.locator(".messagelist .success").count() == 1

    talk = PolicyTalk.objects.get(title="民法典进家庭普法宣讲")
    assert talk.status == ActivityStatus.HELD and talk.is_published

    # Residents see it on the list and the detail page, with the photo.
    phone.context.clear_cookies()
    phone.goto(base + "/activities/talks/")
    phone.get_by_role("link", name="民法典进家庭普法宣讲").first.click()
    phone.wait_for_load_state()
    assert phone.get_by_text("签到 57 人").is_visible()
    image = phone.locator(".gallery img").first
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(phone, "public-talk-detail-phone")

    # The photo as served carries no EXIF (no GPS) in any size.
    for url in (
        image.get_attribute("src"),
        phone.locator(".gallery a").first.get_attribute("href"),
    ):
        body = phone.request.get(base + url).body()
        assert not Image.open(BytesIO(body)).getexif()
        assert b"GPS" not in body

    after = home_talk_counter(phone, base)
    assert after == (before[0] + 1, before[1] + 57)
    screenshot(phone, "home-after-talk")


def test_planned_session_shows_until_cancelled(live_server, phone, demo):
    base = live_server.url
    grid = Grid.objects.get(community__code="fenghuangling", name="第二网格")
    session = make_session(
        grid,
        title="凤凰岭社区现场办公",
        venue="凤凰B区网格驿站",
        status=ActivityStatus.PLANNED,
        residents_met=None,
        starts_at=timezone.now() + timedelta(days=4),
    )
    phone.goto(base + "/activities/upcoming/")
    assert phone.get_by_text("在凤凰B区网格驿站").first.is_visible()
    ics = phone.request.get(base + "/activities/upcoming.ics").text()
    assert "凤凰B区网格驿站" in ics
    screenshot(phone, "upcoming-phone")

    admin_login(phone, base, "sqshuji", DEMO_PASSWORD)
    phone.goto(f"{base}/admin/outreach/onsitesession/{session.pk}/change/")
    phone.fill("#id_cancel-reason", "与防汛值班冲突，改至下周")
    phone.click("#activity-step-cancel input[type=submit]")
    phone.wait_for_load_state()
    assert phone.get_by_text("活动已取消").is_visible()
    assert OnsiteSession.objects.get(pk=session.pk).status == ActivityStatus.CANCELLED
    # The record says who cancelled it, when, from what to what and why — on a phone.
    record = phone.locator("#activity-record .activity-event").first
    assert record.locator(".activity-event-kind").inner_text() == "取消"
    assert record.locator(".activity-event-move").inner_text() == "计划中 → 已取消"
    assert "与防汛值班冲突" in record.inner_text()
    assert "李慧敏（" in record.locator(".activity-event-actor").inner_text()
    record.scroll_into_view_if_needed()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "activity-record-phone")

    phone.goto(base + "/activities/upcoming/")
    assert phone.get_by_text("在凤凰B区网格驿站").count() == 0
    assert "凤凰B区网格驿站" not in phone.request.get(base + "/activities/upcoming.ics").text()
