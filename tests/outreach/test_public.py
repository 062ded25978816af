"""Public outreach pages: lists, details, the upcoming page and the calendar feed."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from outreach.models import ActivityStatus, PolicyTalkPhoto
from portal.images import ingest_image, save_renditions
from tests.factories import make_deliberation, make_session, make_talk, make_visit
from tests.images import as_upload, plain_jpeg

MAKERS = {
    "policytalk": make_talk,
    "fieldvisit": make_visit,
    "onsitesession": make_session,
    "deliberation": make_deliberation,
}


def add_photo(talk) -> PolicyTalkPhoto:
    photo = PolicyTalkPhoto(activity=talk, caption="现场")
    save_renditions(photo, ingest_image(as_upload(plain_jpeg(), "a.jpg", "image/jpeg")))
    photo.save()
    return photo


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MAKERS))
def test_list_costs_the_same_queries_for_1_and_50_rows(client, place, name):
    make = MAKERS[name]
    url = reverse(f"outreach:{name}-list")
    first = make(place.north_a)
    if name == "policytalk":
        add_photo(first)
    one = queries(client, url)
    for _ in range(19):
        make(place.north_a)
    twenty = queries(client, url)
    for _ in range(30):
        make(place.north_b)
    fifty = queries(client, url + "?page=2")
    assert one == twenty == fifty


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MAKERS))
def test_detail_shows_published_records_and_hides_the_rest(client, place, name):
    make = MAKERS[name]
    shown = make(place.north_a, title="公开的活动")
    hidden = make(place.north_a, title="未公开的活动", is_published=False)
    response = client.get(shown.get_absolute_url())
    assert response.status_code == 200 and "公开的活动" in response.content.decode()
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert "未公开的活动" not in client.get(reverse(f"outreach:{name}-list")).content.decode()


@pytest.mark.django_db
def test_research_diary_and_participant_names_stay_internal(client, place, staff):
    visit = make_visit(place.north_a, diary="3号楼张某反映化粪池外溢", summary="走访凤凰B区")
    html = client.get(visit.get_absolute_url()).content.decode()
    assert "走访凤凰B区" in html
    assert "化粪池" not in html
    assert visit.lead_official.name not in html
    assert visit.lead_official.public_label in html


@pytest.mark.django_db
def test_talk_detail_reports_attendance_and_estimate_separately(client, place):
    talk = make_talk(
        place.north_a, attendance_signed=150, reach_estimated=300, reach_method="venue"
    )
    add_photo(talk)
    html = client.get(talk.get_absolute_url()).content.decode()
    assert "签到 150 人" in html and "惠及约 300 人" in html and "按场地容量估算" in html
    assert talk.photos.get().thumbnail.url in html


@pytest.mark.django_db
def test_list_filters_by_community_and_month(client, place):
    now = timezone.localtime()
    make_talk(place.north_a, title="北苑本月", starts_at=now - timedelta(hours=1))
    make_talk(place.south_a, title="南湖本月", starts_at=now - timedelta(hours=1))
    make_talk(place.north_a, title="北苑去年", starts_at=now - timedelta(days=400))
    url = reverse("outreach:policytalk-list")
    html = client.get(url, {"community": "beiyuan", "month": f"{now:%Y-%m}"}).content.decode()
    assert "北苑本月" in html and "南湖本月" not in html and "北苑去年" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "2026-13"}, "月份格式"),
        ({"month": "<script>alert(1)</script>"}, "月份格式"),
        ({"community": "no-such"}, "没有这个社区"),
        ({"page": "abc"}, None),
        ({"page": "99999"}, None),
        ({"month": "𠮷𰻞", "community": "\x00"}, "月份格式"),
    ],
)
def test_bad_filters_get_a_chinese_message_not_an_error(client, place, params, message):
    make_talk(place.north_a, title="照常显示")
    response = client.get(reverse("outreach:policytalk-list"), params)
    html = response.content.decode()
    assert response.status_code == 200
    assert "照常显示" in html
    assert "<script>alert" not in html
    if message:
        assert message in html


@pytest.mark.django_db
def test_planned_session_is_upcoming_and_in_the_feed_until_cancelled(client, place, staff):
    from outreach import services
    from portal.roles import Role

    session = make_session(
        place.north_b,
        title="北苑现场办公",
        venue="北苑第二网格驿站",
        status=ActivityStatus.PLANNED,
        residents_met=None,
        starts_at=(timezone.now() + timedelta(days=3)).replace(microsecond=0),
    )
    upcoming = client.get(reverse("outreach:upcoming")).content.decode()
    assert "北苑第二网格驿站" in upcoming
    feed = Calendar.from_ical(client.get(reverse("outreach:upcoming-ics")).content)
    events = list(feed.walk("VEVENT"))
    assert [str(e["location"]) for e in events] == ["北苑社区 北苑第二网格驿站"]
    assert events[0].decoded("dtstart") == session.starts_at
    home = client.get("/").content.decode()
    assert "北苑第二网格驿站" in home

    services.cancel_activity(session, actor=staff[Role.COMMUNITY_SECRETARY], reason="防汛值班")
    assert "北苑第二网格驿站" not in client.get(reverse("outreach:upcoming")).content.decode()
    feed = Calendar.from_ical(client.get(reverse("outreach:upcoming-ics")).content)
    assert list(feed.walk("VEVENT")) == []
    assert "北苑第二网格驿站" not in client.get("/").content.decode()
    # A bookmarked page says what happened instead of vanishing.
    detail = client.get(session.get_absolute_url()).content.decode()
    assert "已取消" in detail and "防汛值班" in detail


@pytest.mark.django_db
def test_upcoming_sentence_names_the_day_time_place_and_role(client, place, staff):
    from portal.models import StaffProfile
    from portal.roles import Role

    leader = StaffProfile.objects.get(user=staff[Role.AREA_LEADER])
    leader.title = ""
    leader.save()
    session = make_session(
        place.north_b,
        venue="凤凰B区网格驿站",
        status=ActivityStatus.PLANNED,
        residents_met=None,
        starts_at=timezone.now() + timedelta(days=8),
    )
    session.officials.set([leader])
    html = client.get(reverse("outreach:upcoming")).content.decode()
    assert "在凤凰B区网格驿站，包片领导现场办公" in html
    assert timezone.localtime(session.starts_at).strftime("%H:%M") in html


@pytest.mark.django_db
def test_feed_can_be_limited_to_one_community(client, place):
    for grid in (place.north_a, place.south_a):
        make_session(
            grid,
            status=ActivityStatus.PLANNED,
            residents_met=None,
            starts_at=timezone.now() + timedelta(days=2),
        )
    feed = Calendar.from_ical(
        client.get(reverse("outreach:upcoming-ics"), {"community": "nanhu"}).content
    )
    assert [str(e["location"]).split()[0] for e in feed.walk("VEVENT")] == ["南湖社区"]


def planned_in(*grids):
    for grid in grids:
        make_session(
            grid,
            venue=f"{grid.name}驿站",
            status=ActivityStatus.PLANNED,
            residents_met=None,
            starts_at=timezone.now() + timedelta(days=2),
        )


def feed_places(response) -> list[str]:
    return sorted(
        str(e["location"]).split()[0] for e in Calendar.from_ical(response.content).walk("VEVENT")
    )


@pytest.mark.django_db
def test_upcoming_ignores_a_month_it_has_no_filter_for_and_keeps_the_community(client, place):
    planned_in(place.north_a, place.south_a)
    query = {"community": place.north.code, "month": "2026-13"}
    html = client.get(reverse("outreach:upcoming"), query).content.decode()
    assert "月份格式" not in html and "notice--error" not in html
    assert "北苑第一网格驿站" in html and "南湖第一网格驿站" not in html
    assert feed_places(client.get(reverse("outreach:upcoming-ics"), query)) == ["北苑社区"]
    # A bad community is still reported, and everything is shown.
    html = client.get(reverse("outreach:upcoming"), {"community": "no-such"}).content.decode()
    assert "没有这个社区，已显示全部社区" in html
    assert "北苑第一网格驿站" in html and "南湖第一网格驿站" in html


@pytest.mark.django_db
def test_practice_list_applies_the_valid_filter_when_the_other_is_bad(client, place):
    make_talk(place.north_a, title="北苑宣讲")
    make_talk(place.south_a, title="南湖宣讲")
    url = reverse("outreach:policytalk-list")
    html = client.get(url, {"community": place.north.code, "month": "2026-13"}).content.decode()
    assert "月份格式" in html and "北苑宣讲" in html and "南湖宣讲" not in html
    html = client.get(url, {"community": "no-such", "month": "2000-01"}).content.decode()
    assert "没有这个社区" in html and "北苑宣讲" not in html and "南湖宣讲" not in html


@pytest.mark.django_db
def test_upcoming_prints_the_feed_address_to_copy_and_offers_webcal(client, place):
    planned_in(place.north_a, place.south_a)
    html = client.get(reverse("outreach:upcoming")).content.decode()
    feed = "http://testserver/activities/upcoming.ics"
    assert re.search(rf'<code class="feed-url__text" id="feed-url">{re.escape(feed)}</code>', html)
    assert 'href="webcal://testserver/activities/upcoming.ics"' in html
    # The copy button appears only with the script (hidden until then) and copies that text.
    button = re.search(r"<button[^>]*data-copy=\"feed-url\"[^>]*>", html).group(0)
    assert " hidden" in button
    assert 'src="/static/portal/js/copy.js" defer' in html
    script = Path(finders.find("portal/js/copy.js")).read_text(encoding="utf-8")
    assert "://" not in script  # nothing loaded from anywhere else

    html = client.get(reverse("outreach:upcoming"), {"community": "nanhu"}).content.decode()
    feed = "http://testserver/activities/upcoming.ics?community=nanhu"
    assert f">{feed}</code>" in html
    assert 'href="webcal://testserver/activities/upcoming.ics?community=nanhu"' in html
    assert feed_places(client.get(feed)) == ["南湖社区"]


@pytest.mark.django_db
def test_home_counters_rise_with_a_published_held_talk(client, place):
    def counters():
        response = client.get("/")
        return response.context["totals"]["talks"]

    before = counters()
    make_talk(place.north_a, attendance_signed=64)
    after = counters()
    assert (after.events, after.reach) == (before.events + 1, before.reach + 64)
    assert f"惠及 {after.reach} 人" in client.get("/").content.decode()


@pytest.mark.django_db
def test_every_count_of_a_practice_says_its_period_and_one_unit(client, place):
    """The home page said 场 where the list said 次 for the same talks, and neither said which
    days it counted. Each practice now has one measure word (its model's practice_unit) on
    the home page and its public list, and every count names its days."""
    from petitions.models import Reception
    from portal.templatetags.portal_tags import cn_date, cn_period
    from tests.factories import make_reception

    just_now = timezone.now() - timedelta(minutes=1)
    made = [
        make(place.north_a, starts_at=just_now)
        for make in (make_talk, make_visit, make_session, make_deliberation, make_reception)
    ]
    today = timezone.localdate()
    home = client.get("/").content.decode()
    assert f"{cn_period(today.replace(month=1, day=1), today)}，根据公开的活动记录实时统计" in home
    expected = {"policytalk": "场", "fieldvisit": "次", "onsitesession": "场"}
    expected |= {"deliberation": "场", "reception": "次"}
    for activity in made:
        model = type(activity)
        unit = expected[model._meta.model_name]
        assert model.unit_for(1) == unit
        label = model.practice_label
        assert f'{label}</span><span class="counter__value">1<small>{unit}</small>' in home
        url = reverse(f"{model._meta.app_label}:{model._meta.model_name}-list")
        assert f"截至{cn_date(today)}共 1 {unit}" in client.get(url).content.decode()
        month = client.get(url, {"month": f"{today:%Y-%m}"}).content.decode()
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        assert f"{cn_period(first, last)}共 1 {unit}" in month
    assert Reception in {type(a) for a in made}
    # The people received are summed over sessions: person-visits, on the home page too.
    assert "接待居民 12 人次" in home and "接待群众 15 人次" in home


@pytest.mark.django_db
def test_home_costs_a_fixed_number_of_queries(client, place):
    def planned(grid):
        return make_session(
            grid,
            status=ActivityStatus.PLANNED,
            residents_met=None,
            starts_at=timezone.now() + timedelta(days=2),
        )

    planned(place.north_a)
    one = queries(client, "/")
    for _ in range(10):
        planned(place.south_a)
        make_talk(place.south_a)
    assert queries(client, "/") == one
