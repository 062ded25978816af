"""The case list as staff read it: an unknown filter value is said and left out, the search help
says what a phone number finds, and 督办 / 重办 sit in the status cell."""

from __future__ import annotations

import re

import pytest
from django.utils.html import strip_tags

from petitions.models import Case, Triage
from portal.roles import Role
from tests.petitions.factories_admin import PHONE, new_case

CHANGELIST = "/admin/petitions/case/"


def text_of(html: str) -> str:
    return " ".join(strip_tags(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["queue=bogus", "status=bogus", "status__exact=bogus"])
def test_an_unknown_filter_value_is_said_and_all_cases_shown(client, place, staff, query):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.get(f"{CHANGELIST}?{query}", follow=True)
    html = text_of(response.content.decode())
    assert f"未知的筛选条件（{query}），已显示全部诉求。" in html
    assert case.number in html
    # Other filters stay; only the unknown one is left out.
    response = client.get(f"{CHANGELIST}?{query}&community__id__exact={place.north.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?community__id__exact={place.north.pk}"
    html = text_of(client.get(response["Location"]).content.decode())
    assert "已忽略，按其余条件显示" in html and case.number in html


@pytest.mark.django_db
def test_known_filter_values_are_not_questioned(client, place, staff):
    client.force_login(staff[Role.SECRETARY])
    for query in ("queue=overdue", "status__exact=registered", "triage__exact=", ""):
        response = client.get(f"{CHANGELIST}?{query}")
        assert response.status_code == 200, query
        assert "未知的筛选条件" not in response.content.decode()


@pytest.mark.django_db
def test_the_search_help_says_what_a_phone_number_finds(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.SECRETARY])
    html = text_of(client.get(CHANGELIST).content.decode())
    assert "或完整手机号，完整手机号只比对前三位和后四位" in html
    # As it says: the full number finds it, and so does one differing only in the hidden middle.
    for typed in ("5678", "139****5678", PHONE, "13900005678"):
        found = text_of(client.get(CHANGELIST, {"q": typed}).content.decode())
        assert case.number in found, typed
    assert case.number not in text_of(client.get(CHANGELIST, {"q": "13812345678"}).content.decode())


@pytest.mark.django_db
def test_supervision_and_redoing_are_badges_in_the_status_cell(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY])
    Case.objects.filter(pk=case.pk).update(redo_count=2, is_supervised=True)  # test data
    client.force_login(staff[Role.SECRETARY])
    html = client.get(CHANGELIST).content.decode()
    cell = re.search(r'<td[^>]*class="field-status_label"[^>]*>(.*?)</td>', html, re.S).group(1)
    assert text_of(cell) == "已登记 督办 重办 2 次"
    for gone in ("column-redo_count", "column-is_supervised", "column-community", "column-grid"):
        assert gone not in html
    assert "北苑第一网格" in text_of(html)


@pytest.mark.django_db
def test_the_class_filter_offers_ordinary_requests_too(client, place, staff):
    """一般办理 (no class) is a choice of 分类办理 like the others, and lists exactly those."""
    secretary = staff[Role.SECRETARY]
    ordinary = new_case(place.north_a, actor=secretary)
    ledger = new_case(place.north_a, actor=secretary, triage=Triage.LEDGER)
    client.force_login(secretary)
    html = client.get("/admin/petitions/case/").content.decode()
    assert re.search(r'<a href="\?triage__exact=">\s*一般办理\s*</a>', html)
    listed = client.get("/admin/petitions/case/", {"triage__exact": ""}).context["cl"]
    assert {c.pk for c in listed.result_list} == {ordinary.pk}
    assert ledger.pk not in {c.pk for c in listed.result_list}
