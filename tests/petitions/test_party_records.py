"""A case's parties are what was typed for that case: no silent link to a resident on file
elsewhere, reveals logged on every case whose data they show, and in an accusation nothing of
the accuser reaches the handling unit through the timeline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from petitions import services
from petitions.models import CaseEvent, CaseParty, EventKind, PartyRole
from petitions.services import PartyData
from portal.roles import Role
from tests.petitions.factories_admin import ID_NUMBER, NAME, PHONE, new_case, profile

HOME = "南湖小区5号楼2单元602室"
OTHER_ID = "110105197708234617"


def change_page(client, case) -> str:
    return client.get(reverse("admin:petitions_case_change", args=[case.pk])).content.decode()


def reveal(client, case, reason="电话回访核对身份"):
    party = case.parties.get(role=PartyRole.PETITIONER)
    url = reverse("admin:petitions_case_reveal", args=[case.pk, party.pk])
    return client.post(url, {"reason": reason}).content.decode()


@pytest.fixture
def on_file(place, staff):
    """田会平 with phone, ID number and home address, on a case in 南湖 (outside the grid
    worker's scope)."""
    return new_case(
        place.south_a,
        actor=staff[Role.SECRETARY],
        parties=[PartyData(name=NAME, phone=PHONE, id_number=ID_NUMBER, address=HOME)],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        PartyData(name=NAME, phone=PHONE),  # the same name and phone
        PartyData(name="田慧萍", id_number=ID_NUMBER),  # the same ID number, another name
    ],
    ids=["name and phone", "id number"],
)
def test_a_grid_worker_matching_a_resident_elsewhere_sees_only_what_they_typed(
    client, place, staff, on_file, typed
):
    worker = staff[Role.GRID_WORKER]
    mine = new_case(place.north_a, actor=worker, parties=[typed])
    client.force_login(worker)

    page = change_page(client, mine)
    assert typed.name[0] + "**" in page
    assert "该当事人共有 1 件诉求" in page  # the other case is outside their scope
    if not typed.id_number:
        assert "1101**********4514" not in page  # the ID number on file elsewhere

    shown = reveal(client, mine)
    assert typed.name in shown
    assert HOME not in shown
    assert (ID_NUMBER in shown) == bool(typed.id_number)
    assert (PHONE in shown) == bool(typed.phone)
    # The record on file is untouched by what the grid worker typed.
    on_file_person = on_file.parties.get().person
    assert (on_file_person.name, on_file_person.address) == (NAME, HOME)
    assert mine.parties.get().person != on_file_person


@pytest.mark.django_db
def test_the_same_resident_is_counted_within_the_readers_scope(client, place, staff, on_file):
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    new_case(place.north_a, actor=worker, parties=[PartyData(name=NAME, phone=PHONE)])
    again = new_case(place.north_a, actor=secretary, parties=[PartyData(name="田某", phone=PHONE)])
    # An accusation the same resident brought: not counted for anyone it is hidden from.
    accusation = new_case(
        place.north_a,
        actor=secretary,
        is_accusation=True,
        parties=[PartyData(name=NAME, phone=PHONE)],
    )
    accusation = services.accept_case(accusation, actor=secretary)
    services.assign_case(accusation, actor=secretary, handler=profile(worker))

    client.force_login(secretary)
    assert "该当事人共有 3 件诉求" in change_page(client, on_file)
    assert "该当事人共有 1 件诉求" in change_page(client, again)  # another name: another person
    client.force_login(worker)
    mine = CaseParty.objects.filter(case__registered_by=worker).get().case
    assert "该当事人共有 1 件诉求" in change_page(client, mine)


@pytest.mark.django_db
def test_a_reveal_is_logged_on_every_case_sharing_the_party_record(client, place, staff):
    secretary = staff[Role.SECRETARY]
    first = new_case(place.north_a, actor=secretary)
    second = new_case(place.south_a, actor=secretary, parties=[])
    # A record shared by two cases, as records were kept before each case had its own.
    CaseParty.objects.create(
        case=second, person=first.parties.get().person, role=PartyRole.PETITIONER
    )
    client.force_login(secretary)
    assert ID_NUMBER in reveal(client, first, reason="核对身份证")
    logged = CaseEvent.objects.filter(kind=EventKind.REVEALED, actor=secretary)
    assert set(logged.values_list("case", flat=True)) == {first.pk, second.pk}
    page = change_page(client, second)
    assert f"的完整信息（查看诉求 {first.number} 时），理由：核对身份证" in page


@pytest.fixture
def accusation(place, staff):
    """检举控告 by 郑国强 (13812345679, 住北苑小区3号楼1单元202室), handled by the grid worker."""
    secretary = staff[Role.SECRETARY]
    case = new_case(
        place.north_a,
        actor=secretary,
        is_accusation=True,
        title="检举某工作人员",
        parties=[
            PartyData(
                name="郑国强",
                phone="13812345679",
                id_number=OTHER_ID,
                address="北苑小区3号楼1单元202室",
            )
        ],
    )
    case = services.accept_case(case, actor=secretary)
    return services.assign_case(case, actor=secretary, handler=profile(staff[Role.GRID_WORKER]))


ACCUSER = ("郑国强", "郑**", "13812345679", "138****5679", "5679", OTHER_ID, "4617", "202室")


@pytest.mark.django_db
def test_the_secretarys_look_at_the_accuser_tells_the_handling_unit_nothing(
    client, place, staff, accusation
):
    client.force_login(staff[Role.SECRETARY])
    assert "13812345679" in reveal(client, accusation, reason="核实郑国强的联系方式5679")
    assert "的完整信息，理由：核实***的联系方式" in change_page(client, accusation)
    # A note written before notes stopped naming the party (masked) reads the same.
    CaseEvent.objects.create(
        case=accusation,
        actor=staff[Role.SECRETARY],
        kind=EventKind.REVEALED,
        note="查看信访人 郑** 的完整信息，理由：核对",
    )

    client.force_login(staff[Role.GRID_WORKER])
    events = reverse("admin:petitions_caseevent_changelist")
    pages = {
        "case page": change_page(client, accusation),
        "办理记录": client.get(events).content.decode(),
        **{
            f"办理记录 {event.pk}": client.get(
                reverse("admin:petitions_caseevent_change", args=[event.pk])
            ).content.decode()
            for event in accusation.events.filter(kind=EventKind.REVEALED)
        },
    }
    for name, html in pages.items():
        assert "查看信访人的完整信息（信访人信息已保密）" in html, name
        assert "核实" not in html and "核对" not in html, name
        for secret in ACCUSER:
            assert secret not in html, f"{secret} on {name}"
