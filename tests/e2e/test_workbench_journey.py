"""The workbench (工作台) in a browser: the party secretary opens /admin/ on a phone, sees what
waits for him, follows a count and lands on a list of exactly that many rows; the page reads
without sideways scrolling at 375 px and at 1366 px."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from outreach.models import ActivityStatus
from petitions import services
from petitions.models import Case
from portal.demo import DEMO_PASSWORD, seed
from portal.models import Grid
from portal.roles import Role
from portal.seeding import SeedContext
from tests.e2e.conftest import PHONE, SCREENSHOTS, admin_login, open_page
from tests.factories import make_session, make_staff
from tests.petitions.factories_admin import new_case

DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback):
    """The demo's people and places, with work waiting: three new requests (one already past
    its acceptance deadline), one accepted and not assigned yet, a session planned for today
    and not published, and a grid worker's role waiting for approval."""
    seed(SeedContext(out=StringIO()))
    users = {u.username: u for u in get_user_model().objects.all()}
    secretary = users["shuji"]
    second = Grid.objects.get(community__name="凤凰岭社区", name="第二网格")
    first = Grid.objects.filter(community=second.community).exclude(pk=second.pk).first()
    late = new_case(first)
    Case.objects.filter(pk=late.pk).update(accept_due=timezone.localdate() - timedelta(days=1))
    new_case(second, actor=users["wanggeyuan"])
    new_case(first, actor=secretary)
    services.accept_case(new_case(second, actor=secretary), actor=secretary)
    later = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    make_session(
        second,
        title="第二网格周五现场办公",
        starts_at=later,
        status=ActivityStatus.PLANNED,
        is_published=False,
        created_by=users["wanggeyuan"],
    )
    make_staff(Role.GRID_WORKER, grids=[first], approved=False, name="新网格员")


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_party_secretary_follows_a_count_to_exactly_its_rows_on_a_phone(live_server, browser, demo):
    context, page = open_page(browser, PHONE)
    base = live_server.url
    admin_login(page, base, "shuji", DEMO_PASSWORD)

    assert page.get_by_text("您好，王志刚。").is_visible()
    assert page.locator(".wb-role").inner_text().startswith("街道党工委书记")
    # What waits for him comes first; the model list is folded below on a phone.
    tiles = page.locator(".wb-queues .wb-tiles .wb-queue")
    assert tiles.count() >= 1
    assert not page.locator("#wb-apps").evaluate("el => el.open")
    assert page.locator(".wb-actions .wb-action").count() == 5
    for i in range(page.locator(".wb-action").count()):
        box = page.locator(".wb-action").nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 120, box  # a thumb's target
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shoot(page, "workbench-375")

    # 已超期 stands out; 待受理: the count shown is the number of rows the list holds for him.
    assert page.locator('.wb-tiles .wb-danger[data-queue="overdue"]').is_visible()
    tile = page.locator('.wb-tiles .wb-queue[data-queue="to_accept"]')
    count = int(tile.locator(".wb-count").inner_text())
    label = tile.locator(".wb-label").inner_text()
    assert count == 3, (label, count)
    tile.tap()
    page.wait_for_url("**/admin/petitions/case/?queue=*")
    assert page.locator("#result_list tbody tr").count() == count, label

    # The folded model list opens with a tap and keeps Django's links.
    page.goto(base + "/admin/")
    page.locator("#wb-apps > summary").tap()
    assert page.locator("#wb-apps").evaluate("el => el.open")
    assert page.locator("#wb-apps a[href='/admin/petitions/case/']").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_the_workbench_reads_across_a_desktop(live_server, browser, demo):
    context, page = open_page(browser, DESKTOP)
    admin_login(page, live_server.url, "sqshuji", DEMO_PASSWORD)
    assert page.get_by_text("您好，李慧敏。").is_visible()
    assert page.locator("#wb-apps").evaluate("el => el.open")  # open on a desktop
    main = page.locator("#content-main").bounding_box()
    assert main["width"] >= 700, main  # not Django's 600 px dashboard column
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    _shoot(page, "workbench-1366")
    context.close()
