"""First journeys: a resident opens the home page on a phone; staff see their own scope."""

from io import StringIO

import pytest

from portal.demo import DEMO_PASSWORD, seed
from portal.models import Grid
from portal.seeding import SeedContext
from tests.e2e.conftest import PHONE, admin_login, screenshot


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback):
    """The demo sub-district: communities, grids, teams and one account per role."""
    seed(SeedContext(out=StringIO()))


def test_home_page_renders_in_chinese_on_a_phone(live_server, phone, demo):
    phone.goto(live_server.url + "/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    assert "凤凰岭街道" in phone.title()
    assert phone.get_by_role("heading", name="找到您的社区和网格").is_visible()
    assert phone.get_by_text("凤凰B区网格驿站").is_visible()
    # Nothing is wider than the phone: no sideways scrolling.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    # The menu folds away on a phone and opens on a tap.
    phone.get_by_text("菜单").click()
    assert phone.locator(".site-nav--mobile .site-nav__link").first.is_visible()
    screenshot(phone, "home-phone")


def test_large_type_toggle_enlarges_the_text(live_server, phone, demo):
    phone.goto(live_server.url + "/")
    before = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    phone.get_by_role("banner").get_by_role("button", name="大字版").click()
    phone.wait_for_load_state()
    after = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert after >= before * 1.2
    assert phone.get_by_role("banner").get_by_role("button", name="标准字号").is_visible()
    screenshot(phone, "home-phone-large-text")


def test_grid_worker_sees_only_own_grid_and_secretary_sees_all(live_server, phone, demo):
    grids_url = f"{live_server.url}/admin/portal/grid/"

    admin_login(phone, live_server.url, "wanggeyuan", DEMO_PASSWORD)
    phone.goto(grids_url)
    rows = phone.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "第二网格" in rows.first.inner_text()
    assert "凤凰岭社区" in rows.first.inner_text()
    screenshot(phone, "admin-grid-worker-grids")
    phone.context.clear_cookies()

    admin_login(phone, live_server.url, "shuji", DEMO_PASSWORD)
    phone.goto(grids_url)
    assert phone.locator("#result_list tbody tr").count() == Grid.objects.count()
    screenshot(phone, "admin-secretary-grids")
