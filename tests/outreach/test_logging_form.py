"""Logging an activity in one screen: the add form starts from the person's scope and today,
asks first for what differs, reads typed dates, and publishes at save only for publishers."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import ActivityStatus, OnsiteSession, PolicyTalk
from petitions.models import Reception
from portal.models import StaffProfile
from portal.roles import Role
from tests.admin_forms import admin_form_data
from tests.factories import make_staff
from tests.images import as_upload, plain_jpeg

ADD = reverse("admin:outreach_onsitesession_add")
TZ = timezone.get_current_timezone()
WAITS = "已保存，等待社区书记（或有发布权限的人员）审核公开"


def add_form(client):
    response = client.get(ADD)
    assert response.status_code == 200
    return response


def first_fields(response) -> list[str]:
    """The fields asked before 更多信息 (the unfolded fieldsets of the add page)."""
    return [
        name
        for fieldset in response.context["adminform"]
        if "collapse" not in fieldset.classes
        for name in fieldset.fields
    ]


def only_what_differs(client, **typed) -> dict:
    """The add page as the browser sends it back, with just ``typed`` filled in."""
    response = add_form(client)
    data = admin_form_data(response.content.decode(), OnsiteSession)
    return data | typed


# --- where the form starts --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_grid_worker_starts_from_their_grid_its_community_and_its_station(client, place, staff):
    worker = staff[Role.GRID_WORKER]
    client.force_login(worker)
    response = add_form(client)
    initial = response.context["adminform"].form.initial
    assert initial["grid"] == place.north_a.pk and initial["community"] == place.north.pk
    assert initial["venue"] == place.north_a.station and initial["venue_type"] == "grid_station"
    assert initial["officials"] == [StaffProfile.objects.get(user=worker).pk]
    # All of that is folded away, and says what it filled in.
    assert not {"community", "grid", "venue", "venue_type", "officials"} & set(
        first_fields(response)
    )
    assert f"更多信息（已填好：北苑社区、北苑第一网格、{place.north_a.station}" in unescape(
        response.content.decode()
    )


@pytest.mark.django_db
def test_a_community_secretary_starts_from_their_community(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = add_form(client)
    initial = response.context["adminform"].form.initial
    assert initial["community"] == place.north.pk and "grid" not in initial
    assert "community" not in first_fields(response)
    # No station to go by: the venue is asked first (a required field without a default).
    assert {"venue", "venue_type"} <= set(first_fields(response))


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AREA_LEADER, Role.SECRETARY])
def test_with_several_places_nothing_is_chosen_and_the_choices_are_the_scope(
    client, place, staff, role
):
    client.force_login(staff[role])
    response = add_form(client)
    form = response.context["adminform"].form
    assert "community" not in form.initial and "grid" not in form.initial
    assert "community" in first_fields(response)
    choices = set(form.fields["community"].queryset)
    if role is Role.AREA_LEADER:
        assert choices == {place.north, place.south}
    else:
        assert {place.north, place.south, place.west} <= choices


@pytest.mark.django_db
def test_a_grid_worker_with_two_grids_is_asked_which(client, place):
    worker = make_staff(Role.GRID_WORKER, grids=[place.north_a, place.north_b])
    client.force_login(worker)
    response = add_form(client)
    assert "grid" not in response.context["adminform"].form.initial
    assert "grid" in first_fields(response)


@pytest.mark.django_db
def test_held_today_from_the_last_half_hour_is_the_default(client, place, staff, freeze):
    client.force_login(staff[Role.GRID_WORKER])
    with freeze(datetime(2026, 11, 25, 10, 47, 12, tzinfo=TZ)):
        response = add_form(client)
    initial = response.context["adminform"].form.initial
    assert initial["record_as"] == "held"
    assert initial["starts_at"] == datetime(2026, 11, 25, 10, 30, tzinfo=TZ)
    html = response.content.decode()
    # The phone's own pickers, not Django's text boxes and calendar.
    assert '<input type="date" name="starts_at_0" value="2026-11-25"' in html
    assert '<input type="time" name="starts_at_1" value="10:30"' in html
    assert "DateTimeShortcuts.js" not in html and "calendar.js" not in html
    assert first_fields(response)[:5] == [
        "record_as",
        "starts_at",
        "title",
        "summary",
        "residents_met",
    ]


@pytest.mark.django_db
def test_photos_are_one_per_row_with_one_row_ready(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    html = add_form(client).content.decode()
    assert 'id="photos-group"' in html and 'data-inline-type="stacked"' in html
    assert 'name="photos-0-upload"' in html and 'name="photos-1-upload"' not in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html and 'data-camera-label="拍照"' in html
    assert "photo-capture.js" in html


# --- saving -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_fields_that_differ_save_a_held_session(client, place, staff):
    worker = staff[Role.GRID_WORKER]
    client.force_login(worker)
    data = only_what_differs(
        client,
        summary="居民反映东门路灯不亮，现场登记。",
        residents_met="9",
        **{"photos-0-upload": as_upload(plain_jpeg(), "IMG_0412.jpg")},
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session = OnsiteSession.objects.get()
    assert session.status == ActivityStatus.HELD and session.residents_met == 9
    assert session.title == "北苑社区现场办公"  # named as the rota names the sessions it plans
    assert (session.community, session.grid) == (place.north, place.north_a)
    assert session.venue == place.north_a.station
    assert list(session.officials.all()) == [StaffProfile.objects.get(user=worker)]
    local = timezone.localtime(session.starts_at)
    assert local.date() == timezone.localdate() and session.starts_at <= timezone.now()
    assert local.minute in (0, 30) and session.photos.count() == 1
    assert session.created_by == worker


@pytest.mark.django_db
def test_a_title_typed_is_kept_and_a_talk_still_needs_one(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    data = only_what_differs(client, title="东门路灯专题现场办公", residents_met="3")
    assert client.post(ADD, data).status_code == 302
    assert OnsiteSession.objects.get().title == "东门路灯专题现场办公"
    talk_add = reverse("admin:outreach_policytalk_add")
    html = client.get(talk_add).content.decode()
    talk = admin_form_data(html, PolicyTalk) | {"kind": "law", "attendance_signed": "20"}
    response = client.post(talk_add, talk)
    assert response.status_code == 200 and "title" in response.context["adminform"].form.errors
    assert not PolicyTalk.objects.exists()


@pytest.mark.django_db
def test_a_reception_day_is_named_from_its_community_and_kind(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    add = reverse("admin:petitions_reception_add")
    data = admin_form_data(client.get(add).content.decode(), Reception) | {
        "kind": "legal_advice",
        "venue": "北苑社区党群服务中心",
        "residents_served": "11",
    }
    assert client.post(add, data).status_code == 302
    assert Reception.objects.get().title == "北苑社区法律咨询"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "moment"),
    [("%Y/%m/%d", "09:05"), ("%Y年%m月%d日", "９点０５分"), ("%Y.%m.%d", "09:05:00")],
)
def test_dates_typed_the_usual_ways_are_read(client, place, staff, day, moment):
    client.force_login(staff[Role.GRID_WORKER])
    yesterday = timezone.localdate() - timedelta(days=1)
    data = only_what_differs(
        client, starts_at_0=yesterday.strftime(day), starts_at_1=moment, residents_met="4"
    )
    assert client.post(ADD, data).status_code == 302
    start = timezone.localtime(OnsiteSession.objects.get().starts_at)
    assert (start.date(), start.hour, start.minute) == (yesterday, 9, 5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("date_typed", "time_typed", "message"),
    [
        ("2026-13-45", "09:00", "请输入正确的日期，如 2026-11-25。"),
        ("明天", "09:00", "请输入正确的日期，如 2026-11-25。"),
        ("1926-11-25", "09:00", "年份不正确，请检查日期。"),
        ("2026-11-25", "25:99", "请输入正确的时间，如 14:30。"),
        ("2026-11-25", "", "请同时填写日期和时间。"),
    ],
)
def test_a_bad_date_is_refused_in_chinese_and_what_was_typed_stays(
    client, place, staff, date_typed, time_typed, message
):
    client.force_login(staff[Role.GRID_WORKER])
    data = only_what_differs(
        client,
        starts_at_0=date_typed,
        starts_at_1=time_typed,
        summary="东门路灯不亮",
        residents_met="4",
    )
    response = client.post(ADD, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"] == [message]
    assert "东门路灯不亮" in html
    assert f'name="starts_at_0" value="{date_typed}"' in html
    if date_typed in ("2026-13-45", "明天"):
        # In a text box: a date input would show a value it cannot read as empty.
        assert f'<input type="text" name="starts_at_0" value="{date_typed}"' in html
    if time_typed == "25:99":
        assert '<input type="text" name="starts_at_1" value="25:99"' in html
    assert not OnsiteSession.objects.exists()


# --- publishing at save -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_grid_workers_session_waits_for_a_publisher_and_says_so(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    data = only_what_differs(client, residents_met="6")
    response = client.post(ADD, data, follow=True)
    session = OnsiteSession.objects.get()
    assert not session.is_published and session.status == ActivityStatus.HELD
    page = unescape(response.content.decode())
    assert WAITS in page and "等待公开" in page  # the message, and the list's column
    change = client.get(reverse("admin:outreach_onsitesession_change", args=[session.pk]))
    assert "等待社区书记（或有发布权限的人员）审核公开" in change.content.decode()
    register = f"{reverse('admin:petitions_case_add')}?onsite_session={session.pk}"
    assert register in page and register in change.content.decode()
    # Residents do not see it.
    assert session.title not in client.get(reverse("outreach:onsitesession-list")).content.decode()


@pytest.mark.django_db
def test_a_community_secretarys_session_is_published_at_save(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    data = only_what_differs(client, venue="北苑社区党群服务中心", venue_type="council_hall")
    data |= {"residents_met": "14"}
    response = client.post(ADD, data, follow=True)
    session = OnsiteSession.objects.get()
    assert session.is_published and session.status == ActivityStatus.HELD
    page = unescape(response.content.decode())
    assert "已对居民公开" in page and WAITS not in page
    change = client.get(reverse("admin:outreach_onsitesession_change", args=[session.pk]))
    assert "审核公开" not in change.content.decode()


@pytest.mark.django_db
def test_a_planned_session_needs_a_time_to_come(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    data = only_what_differs(client, record_as="planned", venue="北苑社区党群服务中心")
    data |= {"venue_type": "council_hall"}
    response = client.post(ADD, data)
    assert "这个时间已经过去" in response.content.decode()
    later = timezone.localtime() + timedelta(days=3)
    data |= {"starts_at_0": later.strftime("%Y-%m-%d"), "starts_at_1": "14:30"}
    assert client.post(ADD, data).status_code == 302
    assert OnsiteSession.objects.get().status == ActivityStatus.PLANNED
