"""办理公开 and the open-data feed: published results only, no personal data anywhere public.

Acceptance point (1) of issue 5, second half: after a resident submits with name 田会平 and mobile
13912345678 (in the fields and in the text) and staff publish the result, no public page, feed or
JSON contains either.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from petitions import services
from petitions.models import (
    Case,
    CaseStatus,
    Category,
    Satisfaction,
    Triage,
)
from petitions.public.submission import new_form_token
from petitions.stats import public_result_totals
from portal.models import StaffProfile
from portal.roles import Role
from tests.factories import (
    make_case,
    make_category,
    make_deliberation,
    make_session,
    make_staff,
    make_talk,
    make_visit,
)

RESULTS = "/requests/results/"
OPEN311 = "/open311/v2/requests.json"
NAME, PHONE = "田会平", "13912345678"


@pytest.fixture(autouse=True)
def _no_fill_wait(settings):
    settings.PETITIONS_MIN_FILL_SECONDS = 0


def concluded(place_grid, staff, *, publish=True, result="楼道杂物已清理完毕", **overrides):
    """A case concluded on the spot by the secretary, optionally marked publishable."""
    case = make_case(
        place_grid,
        actor=staff[Role.SECRETARY],
        triage=Triage.ON_THE_SPOT,
        on_the_spot_result=result,
        **overrides,
    )
    if publish and not case.is_accusation:
        # Staff tick 可在办理公开中展示 in the admin (a plain field, not a status change).
        Case.objects.filter(pk=case.pk).update(is_publishable=True)
    case.refresh_from_db()
    return case


def handled(staff, case):
    """The full path for a case the grid worker (北苑第一网格) handles: it can be reopened."""
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    case = services.accept_case(case, actor=secretary)
    case = services.assign_case(
        case, actor=secretary, handler=StaffProfile.objects.get(user=worker)
    )
    case = services.sign_case(case, actor=worker)
    return services.conclude_case(
        case, actor=secretary, result="已办理", reply="已办理", is_publishable=True
    )


# --- Nothing personal on any public page ----------------------------------------------------------


@pytest.mark.django_db
def test_no_public_page_feed_or_json_ever_contains_the_phone_or_full_name(client, place, staff):
    resident = Client()
    compound = place.compounds[place.north_a.name]
    response = resident.post(
        "/requests/new/",
        {
            "form_token": new_form_token().value,
            "category": str(Category.objects.get(name="环境卫生").pk),
            "community": place.north.code,
            "compound": str(compound.pk),
            "address": f"{NAME}家门口",
            "title": f"{NAME}反映楼道堆物 {PHONE}",
            "content": f"我叫{NAME}，手机{PHONE}，３号楼楼道堆满杂物。",
            "name": NAME,
            "phone": PHONE,
            "consent": "on",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    secretary = staff[Role.SECRETARY]
    case = services.accept_case(case, actor=secretary)
    case = services.assign_case(
        case, actor=secretary, handler=StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
    )
    case = services.sign_case(case, actor=staff[Role.GRID_WORKER])
    services.conclude_case(
        case,
        actor=secretary,
        result=f"已电话联系{NAME}（{PHONE}，１３９１２３４５６７８），楼道杂物已清理",
        reply=f"{NAME}您好，杂物已清理。",
        is_publishable=True,
    )
    # Every kind of public activity page has something on it.
    grid = place.north_a
    make_talk(grid, title="民法典进社区")
    make_visit(grid, title="周五书记亲民走访日")
    make_session(grid, title="现场办公")
    make_deliberation(grid, title="停车位议事会")
    make_session(
        grid, title="下周现场办公", status="planned", starts_at=timezone.now() + timedelta(days=3)
    )
    from petitions.models import Reception, ReceptionKind

    Reception.objects.create(
        title="领导下访接待日",
        kind=ReceptionKind.LEADER_DAY,
        starts_at=timezone.now() - timedelta(days=1),
        community=place.north,
        grid=grid,
        venue="北苑社区党群服务中心",
        summary="接待群众",
        status="held",
        residents_served=12,
        is_published=True,
        created_by=secretary,
    )

    pages = {
        "/": None,
        "/activities/upcoming/": None,
        "/activities/upcoming.ics": None,
        RESULTS: None,
        f"{RESULTS}?community={place.north.code}": None,
        OPEN311: None,
        "/requests/new/": None,
        "/requests/track/": None,
        "/requests/receipt/": None,
    }
    for practice in ("talks", "research", "onsite", "deliberations", "receptions"):
        pages[f"/activities/{practice}/"] = None
    visitor = Client()
    bodies = {}
    for url in pages:
        response = visitor.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    # Activity details linked from the lists.
    import re

    for url in list(bodies):
        if url.startswith("/activities/") and url.endswith("/") and "upcoming" not in url:
            for detail in set(re.findall(rf'href="({url}\d+/)"', bodies[url])):
                bodies[detail] = visitor.get(detail).content.decode()
    # The resident's own tracking page and receipt.
    tracked = visitor.post(
        "/requests/track/", {"code": case.tracking_code, "last4": "5678"}, follow=True
    )
    bodies["track result"] = tracked.content.decode()
    bodies["receipt"] = resident.get("/requests/receipt/").content.decode()

    assert case.number in bodies[RESULTS] and case.number in bodies[OPEN311]
    assert "已清理" in bodies["track result"] and case.number in bodies["track result"]
    assert case.formatted_tracking_code in bodies["receipt"]
    assert len([u for u in bodies if u.startswith("/activities/") and u[-2].isdigit()]) >= 5
    # The resident's own words are shown back to them as typed (issue 9), on their receipt
    # and tracking page only; nothing else on those pages names them.
    for own in ("receipt", "track result"):
        assert case.title in bodies[own], own
        bodies[own] = bodies[own].replace(case.title, "").replace(case.address, "")
    for url, body in bodies.items():
        for secret in (NAME, PHONE, "１３９１２３４５６７８"):
            assert secret not in body, f"{secret} on {url}"
    # In public not even a masked number is left; the name becomes 田某.
    assert "田某" in bodies[RESULTS] and "5678" not in bodies[RESULTS]
    assert case.tracking_code not in bodies[OPEN311] and case.tracking_code not in bodies[RESULTS]


# --- 办理公开 -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_results_show_only_published_concluded_non_accusation_cases(client, place, staff):
    shown = concluded(place.north_a, staff, result="路灯已修复")
    hidden = concluded(place.north_a, staff, publish=False, result="内部处理完毕")
    accusation = concluded(place.north_a, staff, is_accusation=True, result="已查处")
    still_open = make_case(place.north_a)
    Case.objects.filter(pk=still_open.pk).update(is_publishable=True)
    html = client.get(RESULTS).content.decode()
    assert shown.number in html and "路灯已修复" in html
    assert "用时" in html or "当天办结" in html
    for case in (hidden, accusation, still_open):
        assert case.number not in html
    assert "内部处理完毕" not in html and "已查处" not in html


@pytest.mark.django_db
def test_results_filters_and_bad_values(client, place, staff):
    lamp = Category.objects.get(name="市政设施")
    north = concluded(place.north_a, staff, category=lamp, result="北苑路灯已修复")
    south = concluded(place.south_a, staff, result="南湖垃圾已清运")
    html = client.get(RESULTS, {"community": place.south.code}).content.decode()
    assert south.number in html and north.number not in html
    html = client.get(RESULTS, {"category": lamp.pk}).content.decode()
    assert north.number in html and south.number not in html
    today = timezone.localdate()
    html = client.get(RESULTS, {"month": f"{today:%Y-%m}"}).content.decode()
    assert north.number in html and south.number in html
    html = client.get(RESULTS, {"month": "2001-01"}).content.decode()
    assert north.number not in html and "2001年1月" in html

    response = client.get(
        RESULTS, {"community": "nowhere", "category": "abc", "month": "13/2026", "page": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "没有这个社区，已显示全部社区" in html
    assert "没有这个类别，已显示全部类别" in html
    assert "月份格式应为“2026-11”" in html
    assert north.number in html and south.number in html
    assert client.get(RESULTS, {"community": "bei\x00yuan", "month": "\x00"}).status_code == 200


@pytest.mark.django_db
def test_results_query_count_does_not_grow_with_rows(client, place, staff):
    concluded(place.north_a, staff)
    with CaptureQueriesContext(connection) as one:
        assert client.get(RESULTS).status_code == 200
    for _ in range(49):
        concluded(place.north_a, staff)
    with CaptureQueriesContext(connection) as fifty:
        html = client.get(RESULTS).content.decode()
    assert len(one) == len(fifty)
    assert "共公开 50 件" in html and "第 1 / 3 页" in html
    assert client.get(RESULTS, {"page": 3}).status_code == 200


@pytest.mark.django_db
def test_month_totals_are_computed_from_records(client, place, staff, freeze):
    # 回访 by someone who did not conclude the cases (nobody rates their own work).
    visitor = make_staff(Role.SECRETARY, username="visitor")
    now = timezone.now()

    def rate(case, satisfaction):
        return services.record_followup(
            case, actor=visitor, satisfaction=satisfaction, method="phone"
        )

    rate(concluded(place.north_a, staff, received_at=now - timedelta(days=2)), "satisfied")
    rate(concluded(place.north_a, staff, received_at=now - timedelta(days=4)), "basically")
    concluded(place.north_a, staff, received_at=now - timedelta(days=3))
    reopened = rate(
        handled(staff, make_case(place.north_a, received_at=now - timedelta(days=1))),
        Satisfaction.DISSATISFIED,
    )
    assert reopened.status == CaseStatus.IN_PROGRESS
    rate(concluded(place.north_a, staff, is_accusation=True), "satisfied")  # never counted
    concluded(place.south_a, staff, received_at=now - timedelta(days=10))  # another community
    with freeze(now - timedelta(days=70)):
        concluded(place.north_a, staff)  # another month

    month = (timezone.localdate().replace(day=1), timezone.localdate())
    totals = public_result_totals(start=month[0], end=month[1], community=place.north)
    assert (totals.concluded, totals.rated, totals.satisfied) == (3, 3, 2)
    assert totals.average_days == pytest.approx(3.0, abs=0.05)
    assert totals.satisfaction_rate == 66.7

    html = client.get(RESULTS, {"community": place.north.code}).content.decode()
    assert "已办结 3 件，平均 3 天，满意率 66.7%" in html
    assert "满意率 =（“满意”+“基本满意”）÷ 全部回访评价" in html
    everywhere = public_result_totals(start=month[0], end=month[1])
    assert everywhere.concluded == 4
    empty = public_result_totals(
        start=datetime(2001, 1, 1).date(), end=datetime(2001, 1, 31).date()
    )
    assert (empty.concluded, empty.average_days, empty.satisfaction_rate) == (0, None, None)
    assert "暂无回访评价" in client.get(RESULTS, {"month": "2001-01"}).content.decode()


@pytest.mark.django_db
def test_every_results_figure_says_which_days_it_counts(client, place, staff, freeze):
    """The totals count one month (the one shown); the list counts every published result
    unless a month is chosen. Each figure says which, and an earlier month's rule is not
    called "本月"."""
    from portal.templatetags.portal_tags import cn_date

    concluded(place.north_a, staff)
    before = timezone.now() - timedelta(days=70)
    with freeze(before):
        concluded(place.north_a, staff)
    today = timezone.localdate()

    html = client.get(RESULTS).content.decode()
    assert f"{today.year}年{today.month}月</h2>" in html
    assert f"截至{cn_date(today)}共公开 2 件" in html

    earlier = timezone.localdate(before)
    html = client.get(RESULTS, {"month": f"{earlier:%Y-%m}"}).content.decode()
    assert f"{earlier.year}年{earlier.month}月</h2>" in html
    assert f"{earlier.year}年{earlier.month}月办结的公开 1 件" in html
    assert "本月" not in html and "当月共 0 次评价" in html


# --- Open311 GeoReport v2 -------------------------------------------------------------------------


@pytest.mark.django_db
def test_open311_lists_published_cases_without_personal_data(client, place, staff):
    closed = concluded(place.north_a, staff, result=f"已联系{NAME}（{PHONE}）修复路灯")
    reopened = handled(staff, make_case(place.north_a))
    services.record_followup(
        reopened, actor=staff[Role.AREA_LEADER], satisfaction="dissatisfied", method="phone"
    )
    unpublished = concluded(place.north_a, staff, publish=False)
    accusation = concluded(place.north_a, staff, is_accusation=True)

    response = client.get(OPEN311)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.content.decode()
    rows = {row["service_request_id"]: row for row in json.loads(body)}
    assert set(rows) == {closed.number, reopened.number}
    row = rows[closed.number]
    assert row["status"] == "closed" and rows[reopened.number]["status"] == "open"
    assert row["service_name"] == "环境卫生"
    assert row["status_notes"] == "已联系田某修复路灯"
    assert row["requested_datetime"].endswith("+08:00")
    assert row["expected_datetime"] is None or row["expected_datetime"].endswith("+08:00")
    assert set(row) >= {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "agency_responsible",
    }
    for secret in (NAME, PHONE, closed.tracking_code, unpublished.number, accusation.number):
        assert secret not in body
    assert json.loads(client.get(OPEN311, {"status": "open"}).content) == [rows[reopened.number]]
    assert client.get(OPEN311, {"status": "nonsense"}).status_code == 400
    assert client.post(OPEN311).status_code == 405


@pytest.mark.django_db
def test_open311_is_paginated(client, place, staff):
    for _ in range(51):
        concluded(place.north_a, staff)
    first = client.get(OPEN311)
    assert len(json.loads(first.content)) == 50 and first["X-Total-Count"] == "51"
    assert 'page=2>; rel="next"' in first["Link"]
    assert len(json.loads(client.get(OPEN311, {"page": 2}).content)) == 1
    assert client.get(OPEN311, {"page": "x"}).status_code == 200


@pytest.mark.django_db
def test_open311_filters_as_the_georeport_spec_says_and_refuses_what_it_cannot_use(
    client, place, staff
):
    def ids(**query) -> set[str]:
        response = client.get(OPEN311, query)
        assert response.status_code == 200, response.content
        return {row["service_request_id"] for row in json.loads(response.content)}

    old = concluded(place.north_a, staff, received_at=timezone.now() - timedelta(days=40))
    new = concluded(place.north_a, staff)
    parking = concluded(place.north_a, staff, category=make_category("消防通道/停车"))
    assert ids() == {old.number, new.number, parking.number}
    assert ids(service_code=str(parking.category_id)) == {parking.number}
    assert ids(service_request_id=f"{old.number}, {parking.number}") == {old.number, parking.number}
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert ids(start_date=since) == {new.number, parking.number}
    assert ids(end_date=since) == {old.number}
    assert ids(start_date=f"{since}T00:00:00+08:00", service_code=str(old.category_id)) == {
        new.number
    }
    for bad in (
        {"start_date": "bad"},
        {"end_date": "2026-13-01"},
        {"start_date": "2026-11-20", "end_date": "2026-11-01"},
        {"service_code": "abc"},
        {"service_request_id": ","},
        {"status": "nonsense"},
    ):
        response = client.get(OPEN311, bad)
        assert response.status_code == 400, bad
        error = json.loads(response.content)[0]
        assert error["code"] == 400 and error["description"], bad


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        # NUL: PostgreSQL refuses it in a text parameter (it was a 500 there).
        {"service_request_id": "\x00"},
        {"service_request_id": "2026-000958\x00"},
        {"service_request_id": "2026-000958,\x00"},
        {"service_code": "\x00"},
        {"start_date": "2026-11-01\x00"},
        {"end_date": "\x00"},
        {"status": "open\x00"},
        # Huge or too many values.
        {"service_request_id": "2026-000958" * 10_000},
        {"service_request_id": ",".join(f"2026-{n:06d}" for n in range(51))},
        {"service_code": ",".join(["1"] * 1000)},
        {"service_code": "9" * 40},
        {"start_date": "1" * 5000},
        # Odd shapes Python's parsers would take, and years whose conversion to UTC overflows.
        {"service_request_id": "２０２６-000958"},
        {"service_request_id": "2026-000958; DROP TABLE"},
        {"start_date": "٢٠٢٦-١١-٠١"},
        {"start_date": "0001-01-01"},
        {"end_date": "9999-12-31T23:59:59-12:00"},
        {"end_date": "2026-W01"},
    ],
)
def test_open311_answers_nul_huge_and_odd_values_with_a_georeport_error(
    client, place, staff, query
):
    concluded(place.north_a, staff)
    response = client.get(OPEN311, query)
    assert response.status_code == 400, query
    assert response["Content-Type"] == "application/json; charset=utf-8"
    [error] = json.loads(response.content)
    assert error["code"] == 400 and error["description"], query


@pytest.mark.django_db
def test_open311_takes_an_unencoded_plus_and_any_page_value(client, place, staff):
    old = concluded(place.north_a, staff, received_at=timezone.now() - timedelta(days=40))
    new = concluded(place.north_a, staff)
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    # curl '...?start_date=2026-11-01T00:00:00+08:00': the "+" arrives as a space.
    response = client.get(f"{OPEN311}?start_date={since}T00:00:00+08:00")
    assert response.status_code == 200, response.content
    assert [row["service_request_id"] for row in json.loads(response.content)] == [new.number]
    for page in ("\x00", "-1", "9" * 40, "1e9", "２"):
        response = client.get(OPEN311, {"page": page})
        assert response.status_code == 200, page
        assert {row["service_request_id"] for row in json.loads(response.content)} == {
            old.number,
            new.number,
        }
