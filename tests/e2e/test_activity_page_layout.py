"""An activity's page in a real browser, at 375 px (phone) and 1366 px: the help under 登记居民诉求
is dark text on a light background (contrast measured from the computed colours of what is
really behind it), the record does not spread its dark heading behind the form, every radio
button, checkbox and step or review button is a 44 px target on a phone, and the 历史 page reads
Django's log as cards naming who."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone

from outreach import services
from outreach.models import ActivityStatus, OnsiteSession
from portal.roles import Role
from tests.e2e.conftest import admin_login, open_page, screenshot
from tests.factories import PASSWORD, make_grid, make_session, make_staff

VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1366, "height": 768}}

# WCAG relative luminance and contrast of the element's text against the first opaque
# background at its centre (walking up from what is on top there).
CONTRAST = """(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  el.scrollIntoView({block: 'center'});
  const box = el.getBoundingClientRect();
  let at = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  let bg = null;
  for (; at; at = at.parentElement) {
    const c = getComputedStyle(at).backgroundColor;
    if (!c.startsWith('rgba') || rgb(c)[3] > 0.9) { bg = c; break; }
  }
  // A floated or positioned ancestor's sibling painted behind: take what covers the point.
  const behind = document.elementsFromPoint(box.left + box.width / 2, box.top + box.height / 2)
    .map((e) => getComputedStyle(e).backgroundColor)
    .find((c) => !c.startsWith('rgba') || rgb(c)[3] > 0.9) || 'rgb(255, 255, 255)';
  const fg = lum(rgb(getComputedStyle(el).color)), back = lum(rgb(behind));
  return {ratio: (Math.max(fg, back) + 0.05) / (Math.min(fg, back) + 0.05), bg: behind, own: bg};
}"""

SMALL_TARGETS = """() => {
  const small = [];
  const box = (e) => e.getBoundingClientRect();
  for (const e of document.querySelectorAll(
      '#content-main input[type=radio], #content-main input[type=checkbox], ' +
      '.activity-step-button, .pending-revision input[type=submit], .object-tools a')) {
    if (!e.offsetParent) continue;
    const own = box(e);
    const label = e.closest('label') || (e.id && document.querySelector(`label[for="${e.id}"]`));
    const area = label ? box(label) : own;
    const h = Math.max(own.height, area.height), w = Math.max(own.width, area.width);
    const name = e.name || e.value || e.textContent.trim();
    if (h < 44 || w < 44) small.push(`${name} ${Math.round(w)}×${Math.round(h)}`);
  }
  return small;
}"""


@pytest.fixture
def published_session(transactional_db, django_db_serialized_rollback):
    grid = make_grid()
    secretary = make_staff(
        Role.COMMUNITY_SECRETARY, communities=[grid.community], username="sqshuji", name="王志刚"
    )
    make_staff(Role.GRID_WORKER, grids=[grid], username="wanggy", name="李网格")
    start = (timezone.now() - timedelta(days=2)).replace(second=0, microsecond=0)
    session = make_session(
        grid, status=ActivityStatus.HELD, is_published=True, starts_at=start, created_by=secretary
    )
    LogEntry.objects.log_actions(
        user_id=secretary.pk,
        queryset=OnsiteSession.objects.filter(pk=session.pk),
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["标题", "内容摘要"]}}],
        single_object=True,
    )
    return session, secretary


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_activity_page_reads_and_taps_well(live_server, browser, published_session, size):
    session, secretary = published_session
    context, page = open_page(browser, VIEWPORTS[size])
    base = live_server.url
    admin_login(page, base, "sqshuji", PASSWORD)
    page.goto(f"{base}/admin/outreach/onsitesession/{session.pk}/change/")

    help_ = page.locator(".activity-register-case .help")
    assert "社区、网格和来源已填好" in help_.inner_text()
    measured = help_.evaluate(CONTRAST)
    assert measured["ratio"] >= 4.5, measured

    # The record begins below the form: its dark heading is not painted behind it.
    form = page.locator("#content-main > form").bounding_box()
    record = page.locator("#activity-record").bounding_box()
    assert record["y"] >= form["y"] + form["height"] - 1
    tools = page.locator("ul.object-tools").bounding_box()
    case_button = page.locator(".activity-register-case").bounding_box()
    assert tools["y"] + tools["height"] <= case_button["y"] + 1  # nothing overlaps the tools
    screenshot(page, f"activity-page-{size}")

    if size == "phone":
        assert page.evaluate(SMALL_TARGETS) == []
        page.goto(f"{base}/admin/outreach/onsitesession/add/")
        assert page.evaluate(SMALL_TARGETS) == []
        # The result the held activity needs says so while 已举办 is chosen, and not otherwise.
        mark = page.locator('label[for="id_residents_met"] .held-required')
        assert mark.is_visible() and "已举办时必填" in mark.inner_text()
        page.locator('input[name="record_as"][value="planned"]').check()
        assert not mark.is_visible()
        screenshot(page, "activity-add-planned-phone")

        # A change waiting for review: 批准并公开 and 退回 are fingertip-sized.
        worker = type(secretary).objects.get(username="wanggy")
        services.submit_revision(
            session, actor=worker, changes={"fields": {"summary": [session.summary, "补充"]}}
        )
        page.goto(f"{base}/admin/outreach/onsitesession/{session.pk}/change/")
        assert page.locator(".pending-revision input[name=_approve]").is_visible()
        assert page.evaluate(SMALL_TARGETS) == []

    # 历史: Django's log as cards, the name on one line.
    page.goto(f"{base}/admin/outreach/onsitesession/{session.pk}/history/")
    user = page.locator(".log-entry-user").first
    assert user.inner_text() == "王志刚"
    box = user.bounding_box()
    assert box["height"] < 40 and box["width"] > 30  # not one character per line
    assert page.locator("#change-history table").count() == 0
    screenshot(page, f"activity-history-{size}")
    context.close()
