"""Registering a request raised at an activity, from the activity's page, ends on a printable
slip (回执) with the tracking code; the slip is for staff who may see the case, and names nobody
beyond the petitioner's masked name."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from petitions.models import Case, CaseKind, Channel, PartyRole
from petitions.receipt import SMS_LIMIT, sms_text
from petitions.services import PartyData
from portal.roles import Role
from tests.factories import make_reception, make_session, make_staff, make_visit
from tests.petitions.factories_admin import ID_NUMBER, MASKED_PHONE, NAME, PHONE, new_case
from tests.petitions.test_admin import register_data

ADD = reverse("admin:petitions_case_add")
TRACK_URL = "http://testserver/requests/track/"
SOURCES = {
    "onsite_session": (make_session, "outreach_onsitesession", Channel.ONSITE),
    "field_visit": (make_visit, "outreach_fieldvisit", Channel.RESEARCH),
    "reception": (make_reception, "petitions_reception", Channel.RECEPTION),
}


def slip(case: Case) -> str:
    return reverse("admin:petitions_case_slip", args=[case.pk])


def text(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def register_link(client, activity, admin_name: str) -> str:
    page = client.get(reverse(f"admin:{admin_name}_change", args=[activity.pk])).content.decode()
    found = re.search(r'href="([^"]*/petitions/case/add/\?[a-z_]+=\d+)"[^>]*>登记居民诉求<', page)
    assert found, "the activity page has no 登记居民诉求 button"
    return unescape(found.group(1))


@pytest.mark.django_db
@pytest.mark.parametrize("param", list(SOURCES))
def test_a_request_raised_at_an_activity_is_registered_from_its_page_and_ends_on_the_slip(
    client, place, staff, param
):
    make, admin_name, channel = SOURCES[param]
    activity = make(place.north_a, compound=place.compounds["北苑第一网格"])
    client.force_login(staff[Role.GRID_WORKER])
    url = register_link(client, activity, admin_name)
    assert url == f"{ADD}?{param}={activity.pk}"

    form = client.get(url).context["form"]
    assert form.initial[param] == activity.pk and form.initial["channel"] == channel
    assert form.initial["community"] == place.north.pk
    assert form.initial["grid"] == place.north_a.pk
    assert form.initial["compound"] == place.compounds["北苑第一网格"].pk
    assert timezone.localtime(form.initial["received_at"]).date() == timezone.localdate()

    response = client.post(url, register_data(place, channel=channel, triage=""))
    case = Case.objects.get()
    assert getattr(case, f"{param}_id") == activity.pk
    assert response.status_code == 302 and response["Location"] == slip(case)

    page = client.get(slip(case))
    assert page.status_code == 200
    shown = text(page)
    assert case.number in shown and case.formatted_tracking_code in shown
    assert TRACK_URL in shown
    assert "按规定应在" in shown and "前办结" in shown  # the limit, as the tracking page says it
    assert "打印回执" in shown and "接下来" in shown
    sms = page.context["sms_text"]
    assert len(sms) <= SMS_LIMIT and sms.startswith("【凤凰岭街道】")
    # What the slip says: the code and the phone's last 4 digits, at the page's short address.
    assert case.formatted_tracking_code in sms and "手机号后 4 位" in shown
    assert sms.endswith("凭查询码和手机号后4位在testserver/t查询。")
    assert client.get("/t/")["Location"] == "/requests/track/"
    # No personal data beyond the masked name.
    assert "田**" in shown
    for personal in (NAME, PHONE, MASKED_PHONE, ID_NUMBER, "北苑小区3号楼"):
        assert personal not in shown


@pytest.mark.django_db
def test_the_slip_is_for_staff_who_may_see_the_case(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.GRID_WORKER])
    for role in (Role.GRID_WORKER, Role.COMMUNITY_SECRETARY, Role.AREA_LEADER, Role.SECRETARY):
        client.force_login(staff[role])
        assert client.get(slip(case)).status_code == 200, role
        change = client.get(reverse("admin:petitions_case_change", args=[case.pk]))
        assert slip(case) in change.content.decode() and "打印回执" in change.content.decode()
    outsider = make_staff(Role.GRID_WORKER, grids=[place.south_a])
    for user in (outsider, staff[Role.MEDIATOR], staff[Role.SYSADMIN]):
        client.force_login(user)
        assert client.get(slip(case)).status_code in (403, 404), user
    anonymous = Client().get(slip(case))
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_an_accusation_slip_names_nobody(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY], is_accusation=True)
    client.force_login(staff[Role.SECRETARY])
    shown = text(client.get(slip(case)))
    assert case.formatted_tracking_code in shown
    assert "反映人" not in shown and "田**" not in shown and NAME not in shown


@pytest.mark.django_db
def test_the_slip_warns_when_the_resident_could_not_track_it(client, place, staff):
    case = new_case(
        place.north_a,
        actor=staff[Role.GRID_WORKER],
        parties=[PartyData(name=NAME, phone="", id_number="", role=PartyRole.PETITIONER)],
    )
    client.force_login(staff[Role.GRID_WORKER])
    assert "居民无法凭查询码在网上查询进度" in text(client.get(slip(case)))


@pytest.mark.django_db
def test_a_formal_petition_promises_an_answer_on_acceptance(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY], kind=CaseKind.PETITION)
    client.force_login(staff[Role.SECRETARY])
    assert "前告知您是否受理" in text(client.get(slip(case)))


@pytest.mark.django_db
def test_a_request_solved_on_the_spot_says_so(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.GRID_WORKER], on_the_spot_result="已协调清理")
    client.force_login(staff[Role.GRID_WORKER])
    shown = text(client.get(slip(case)))
    assert "已当场解决" in shown and "前办结" not in shown


@pytest.mark.django_db
def test_the_sms_text_fits_one_message_whatever_the_address(place, staff, settings):
    case = new_case(place.north_a, actor=staff[Role.GRID_WORKER])
    code = case.formatted_tracking_code
    short = sms_text(case, track_url="http://fhl.cn/requests/track/")
    assert short == (
        f"【凤凰岭街道】您的诉求已登记，编号{case.number}，查询码{code}，"
        "凭查询码和手机号后4位在fhl.cn/t查询。"
    )
    assert len(short) <= SMS_LIMIT
    # A longer address keeps its place; the case number gives way first.
    medium = sms_text(case, track_url="https://sixiajiceng.gov.cn/requests/track/")
    assert medium.endswith("在sixiajiceng.gov.cn/t查询。") and len(medium) <= SMS_LIMIT
    assert code in medium and case.number not in medium
    long = sms_text(
        case, track_url="https://sixiajiceng.fenghuangling.example.gov.cn/requests/track/"
    )
    assert len(long) <= SMS_LIMIT and code in long and "进度查询" in long
    settings.PORTAL_SUBDISTRICT = "呼和浩特市赛罕区敕勒川路街道"
    longest = sms_text(case, track_url="https://sixiajiceng.example.gov.cn/requests/track/")
    assert len(longest) <= SMS_LIMIT and code in longest
