"""Public text never carries a home's door; a resident's own words come back to them as typed."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from petitions import services
from petitions.models import Case
from portal.privacy import public_text
from portal.roles import Role
from tests.petitions.test_public_results import OPEN311, RESULTS, concluded
from tests.petitions.test_public_track import handle, submitted_case, track


@pytest.fixture(autouse=True)
def _no_fill_wait(settings):
    settings.PETITIONS_MIN_FILL_SECONDS = 0


DOOR_RESULT = "已上门为住凤凰商住楼4号楼3单元301室的居民更换水管，凤凰路18号门前坑洼已填平。"


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("住凤凰商住楼4号楼3单元301室", "住凤凰商住楼4号楼"),
        ("5栋2单元502漏水已处理", "5栋漏水已处理"),
        ("12号楼301的住户", "12号楼的住户"),
        ("4号楼3层301室", "4号楼"),
        ("北苑小区十二号楼三单元五零一", "北苑小区十二号楼"),
        ("４号楼３单元３０１室", "４号楼"),
        ("4-3-301住户", "住户"),
        ("凤凰路18号门前", "凤凰路门前"),
        # Found by a tester: a floor and room without a building, other ways of writing them.
        ("邻居住5层502", "邻居住"),
        ("楼上3楼301漏水", "楼上漏水"),
        ("住五层五〇二的老人", "住的老人"),
        ("住６层６０２的老人", "住的老人"),
        ("12幢2门301的住户", "12幢的住户"),
        ("301房间的住户", "的住户"),
        ("4#3-301的住户", "4#的住户"),
        ("住 4 - 3 - 301 的老人", "住  的老人"),
        # Where the problem is stays.
        ("凤凰商住楼4号楼前路灯已修复", "凤凰商住楼4号楼前路灯已修复"),
        ("凤凰路已修，3号院垃圾已清运", "凤凰路已修，3号院垃圾已清运"),
        ("物业已清理3号楼2单元楼道杂物", "物业已清理3号楼2单元楼道杂物"),
        ("2026-12-02 处理了3个问题", "2026-12-02 处理了3个问题"),
        ("5栋120户、12户居民", "5栋120户、12户居民"),
        ("3楼楼道灯坏了", "3楼楼道灯坏了"),
        ("小区2门前垃圾已清理", "小区2门前垃圾已清理"),
        ("在3楼开会解决了2个问题", "在3楼开会解决了2个问题"),
    ],
)
def test_public_text_keeps_the_building_and_drops_the_door(written, published):
    assert public_text(written) == published


@pytest.mark.django_db
def test_results_and_open311_publish_no_door(client, place, staff):
    case = concluded(place.north_a, staff, result=DOOR_RESULT)
    page = client.get(RESULTS).content.decode()
    feed = client.get(OPEN311).content.decode()
    notes = next(r for r in json.loads(feed) if r["service_request_id"] == case.number)
    assert "已上门为住凤凰商住楼4号楼的居民更换水管，凤凰路门前坑洼已填平。" in page
    assert (
        notes["status_notes"] == "已上门为住凤凰商住楼4号楼的居民更换水管，凤凰路门前坑洼已填平。"
    )
    for body in (page, feed):
        assert "3单元" not in body and "301" not in body and "18号" not in body


@pytest.mark.django_db
def test_the_tracking_page_shows_the_residents_words_as_typed_and_staff_text_without_doors(
    client, place, staff
):
    case = submitted_case(client, place)
    handle(case, staff, result=DOOR_RESULT, reply="已处理，4号楼3单元301室的水管已更换。")
    html = track(Client(), case.tracking_code, "5678").content.decode()
    assert Case.objects.get(pk=case.pk).title in html  # typed by the resident, as typed
    assert "已上门为住凤凰商住楼4号楼的居民更换水管" in html
    assert "已处理，4号楼的水管已更换。" in html
    assert "3单元301室" not in html and "301" not in html


@pytest.mark.django_db
def test_staff_titles_on_the_tracking_page_lose_the_door(place, staff):
    from tests.factories import make_case

    case = make_case(place.north_a, actor=staff[Role.SECRETARY], title="4号楼3单元301室楼上漏水")
    services.accept_case(case, actor=staff[Role.SECRETARY])
    html = track(Client(), case.tracking_code, "5678").content.decode()
    assert "4号楼楼上漏水" in html and "301" not in html
