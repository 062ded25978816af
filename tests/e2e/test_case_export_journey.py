"""A community secretary exports the filtered case list to Excel, on a phone and on a desktop:
the button is a form post (an export is a record in their name) and the file holds exactly the
rows the list shows."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from petitions import services
from petitions.models import ExportRecord
from portal.roles import Role
from tests.e2e.conftest import PHONE, admin_login, screenshot
from tests.factories import PASSWORD
from tests.petitions.factories_admin import new_case

DESKTOP = {"width": 1366, "height": 900}


def test_the_case_list_exports_its_filtered_rows_on_a_phone_and_a_desktop(
    live_server, browser, transactional_db, django_db_serialized_rollback, place, staff
):
    secretary = staff[Role.SECRETARY]
    kept = new_case(place.north_a, actor=secretary)
    services.accept_case(new_case(place.north_a, actor=secretary), actor=secretary)
    username = staff[Role.COMMUNITY_SECRETARY].username
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        admin_login(page, live_server.url, username, PASSWORD)
        page.goto(f"{live_server.url}/admin/petitions/case/?status__exact=registered")
        button = page.get_by_role("button", name="导出Excel（当前筛选结果）")
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box and box["width"] > 60 and box["height"] > 12, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        screenshot(page, f"case-export-{name}")
        with page.expect_download() as download:
            button.click()
        assert download.value.suggested_filename.endswith(".xlsx")
        content = BytesIO(download.value.path().read_bytes())
        sheet = load_workbook(content, read_only=True).active
        numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert numbers == [kept.number]
        context.close()
    assert list(ExportRecord.objects.values_list("filters", flat=True)) == ["状态：已登记"] * 2
