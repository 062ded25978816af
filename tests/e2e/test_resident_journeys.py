"""A resident's journey on a phone: report a problem with a photo from a grid station's QR link,
keep the receipt, follow the case with code and phone ending, and send a poor result back."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from petitions import services
from petitions.models import Case, CaseAttachment, CaseStatus, LeadershipDecision, Triage
from portal.models import StaffProfile
from portal.roles import Role
from tests.e2e.conftest import PHONE, admin_login, screenshot
from tests.factories import PASSWORD, make_case
from tests.images import jpeg_with_gps


@pytest.fixture
def resident_site(transactional_db, django_db_serialized_rollback, place, staff, settings):
    # A person takes longer than the form's minimum fill time; the browser here does not.
    settings.PETITIONS_MIN_FILL_SECONDS = 0
    StaffProfile.objects.filter(user=staff[Role.GRID_WORKER]).update(unit="北苑社区居委会")
    return place, staff


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def conclude_as_staff(case: Case, staff) -> Case:
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    case = services.assign_case(
        case, actor=secretary, handler=StaffProfile.objects.get(user=worker)
    )
    case = services.sign_case(case, actor=worker)
    decision = LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=timezone.localdate(), text="物业限期清理楼道"
    )
    decision.cases.add(case)  # the decision names the matter it is about
    case = services.link_decision(case, actor=secretary, leadership_decision=decision)
    return services.conclude_case(
        case,
        actor=secretary,
        result="物业已清理3号楼2单元楼道杂物",
        reply="您反映的楼道堆物已清理，感谢您的监督。",
        is_publishable=True,
    )


def test_resident_reports_tracks_and_sends_a_poor_result_back(live_server, phone, resident_site):
    place, staff = resident_site
    base = live_server.url

    # The QR code at the grid station opens the form with the place chosen.
    phone.goto(f"{base}/requests/new/?grid={place.north_a.pk}")
    assert phone.locator("#id_community").input_value() == place.north.code
    assert phone.get_by_text(place.north_a.station).first.is_visible()
    phone.select_option("#id_category", label="环境卫生")
    phone.fill("#id_title", "楼道堆放杂物影响通行")
    phone.fill("#id_content", "3号楼2单元楼道堆满纸箱和旧家具，老人上下楼不方便。𠮷")
    phone.select_option("#id_compound", label=place.compounds[place.north_a.name].name)
    phone.fill("#id_address", "3号楼2单元")
    phone.set_input_files(
        'input[name="photos"]',
        {
            "name": "IMG_20261125_083000.jpg",
            "mimeType": "image/jpeg",
            "buffer": jpeg_with_gps(1600, 1200),
        },
    )
    phone.fill("#id_name", "田会平")
    phone.fill("#id_phone", "139 1234 5678")
    phone.check("#id_consent")
    assert no_sideways_scroll(phone)
    screenshot(phone, "resident-request-form-phone")
    phone.get_by_role("button", name="提交", exact=True).click()
    phone.wait_for_url(f"{base}/requests/receipt/")

    code = phone.locator("#tracking-code").inner_text().strip()
    case = Case.objects.get()
    assert code == case.formatted_tracking_code
    assert phone.locator(".receipt-qr svg").is_visible()
    assert phone.get_by_text("前办结").first.is_visible()
    assert CaseAttachment.objects.filter(case=case).count() == 1
    assert case.parties.get().person.phone == "13912345678"
    assert no_sideways_scroll(phone)
    screenshot(phone, "resident-receipt-phone")

    # Tracking with the code and the phone ending.
    phone.goto(f"{base}/requests/track/")
    phone.fill("#id_code", code)
    phone.fill("#id_last4", "5678")
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_load_state()
    assert phone.locator("#tracked-status").inner_text() == "已收到，等待受理"
    assert phone.get_by_text("田**").is_visible()

    # The community secretary accepts it from the case page on a phone, choosing how it is
    # handled (a request from the website has no class yet).
    office = phone.context.browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    desk = office.new_page()
    admin_login(desk, base, staff[Role.COMMUNITY_SECRETARY].username, PASSWORD)
    desk.goto(f"{base}/admin/petitions/case/{case.pk}/change/")
    assert desk.locator(".case-parties").get_by_text("田**").is_visible()
    assert "13912345678" not in desk.content()
    assert no_sideways_scroll(desk)
    screenshot(desk, "staff-case-page-phone")
    desk.locator("summary").filter(has_text=re.compile("^受理$")).click()
    accept = desk.locator('form[action$="/step/accept/"]')
    assert accept.get_by_text(re.compile("台账管理：须经会议研究")).is_visible()
    accept.locator('input[value="ledger"]').check()
    desk.get_by_role("button", name="受理", exact=True).click()
    desk.wait_for_load_state()
    assert desk.get_by_text("已受理。").first.is_visible()
    office.close()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.triage == Triage.LEDGER

    # Staff handle and conclude it; the resident looks again and is not satisfied.
    conclude_as_staff(case, staff)
    phone.goto(f"{base}/requests/track/")
    phone.fill("#id_code", code.replace("-", "").lower())
    phone.fill("#id_last4", "5678")
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_load_state()
    assert phone.locator("#tracked-status").inner_text() == "已办结，等待您的评价"
    assert phone.get_by_text("物业已清理3号楼2单元楼道杂物").is_visible()
    assert phone.get_by_text("北苑社区居委会").first.is_visible()
    screenshot(phone, "resident-track-concluded-phone")

    phone.get_by_label("不满意", exact=True).check()
    phone.fill("#id_comment", "一楼还堆着旧沙发，没有清完。")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state()
    assert "重办" in phone.locator("#rating-notice").inner_text()
    assert phone.locator("#tracked-status").inner_text().startswith("办理中")
    assert phone.get_by_text("（重办第 1 次）").is_visible()
    assert phone.locator('input[name="token"]').count() == 0
    assert no_sideways_scroll(phone)
    screenshot(phone, "resident-track-reopened-phone")

    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.redo_count == 1
    assert case in Case.objects.visible_to(staff[Role.SECRETARY]).filter(
        status=CaseStatus.IN_PROGRESS
    )


def test_back_after_tracking_and_rating_shows_the_page_without_resending(
    live_server, phone, resident_site
):
    """Results of a lookup and of a rating are pages of their own (POST-redirect-GET): tapping a
    link and pressing Back shows the case again, with no "confirm form resubmission"."""
    place, staff = resident_site
    base = live_server.url
    secretary = staff[Role.SECRETARY]
    case = services.accept_case(make_case(place.north_a, actor=secretary), actor=secretary)
    case = services.assign_case(
        case, actor=secretary, handler=StaffProfile.objects.get(user=secretary)
    )
    case = services.sign_case(case, actor=secretary)
    case = services.conclude_case(case, actor=secretary, result="已清理", reply="已清理楼道")
    phone.goto(f"{base}/requests/track/")
    phone.fill("#id_code", case.tracking_code)
    phone.fill("#id_last4", "5678")
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_load_state()
    assert phone.url == f"{base}/requests/track/result/"
    assert phone.locator("#tracked-status").inner_text() == "已办结，等待您的评价"

    phone.get_by_role("link", name="看看其他诉求的办理情况：办理公开").click()
    phone.wait_for_load_state()
    assert "/requests/results/" in phone.url
    phone.go_back()
    phone.wait_for_load_state()
    assert phone.url == f"{base}/requests/track/result/"
    assert phone.locator("#tracked-status").inner_text() == "已办结，等待您的评价"
    screenshot(phone, "resident-track-back-phone")

    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state()
    assert phone.url == f"{base}/requests/track/result/"
    assert "感谢您的评价" in phone.locator("#rating-notice").inner_text()
    phone.get_by_role("link", name="看看其他诉求的办理情况：办理公开").click()
    phone.wait_for_load_state()
    phone.go_back()
    phone.wait_for_load_state()
    assert phone.locator("#tracked-status").inner_text() == "已办结，已评价"
    assert phone.locator("#rating-notice").count() == 0  # the thanks are said once
