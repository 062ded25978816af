"""Personal data in the case back office: masked on every surface, in full only on the reveal
page after a reason (and logged); accusations hide the petitioner; recused staff see nothing."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from petitions import services
from petitions.access import ACCUSATION_PLACEHOLDER, can_reveal
from petitions.models import (
    CaseEvent,
    CaseExclusion,
    CaseKind,
    EventKind,
    MediationSession,
    PartyRole,
)
from petitions.services import PartyData
from portal.models import TeamKind, TeamMember
from portal.roles import PERMISSIONS, Role
from tests.factories import make_team
from tests.petitions.factories_admin import (
    ID_NUMBER,
    MASKED_PHONE,
    NAME,
    PHONE,
    assigned_case,
    in_progress_case,
    new_case,
    profile,
)

CHANGELIST = reverse("admin:petitions_case_changelist")
EXPORT = reverse("admin:petitions_case_export")
SECRETS = (PHONE, ID_NUMBER, NAME)


def may(role: Role, action: str) -> bool:
    return action in PERMISSIONS[role].get("petitions.case", frozenset())


def xlsx_text(response) -> str:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content), read_only=True).active
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row)
        for row in sheet.iter_rows(values_only=True)
    )


def results(client, **query) -> str:
    """The changelist's result table only (the search box echoes what was typed)."""
    html = client.get(CHANGELIST, query).content.decode()
    start = html.find('<table id="result_list"')
    return html[start : html.find("</table>", start)] if start >= 0 else ""


def surfaces(client, case) -> dict[str, str]:
    """Every place a case shows up for the logged-in user, as text."""
    pages = {
        "changelist": client.get(CHANGELIST),
        "search last4": client.get(CHANGELIST, {"q": "5678"}),
        "search masked": client.get(CHANGELIST, {"q": MASKED_PHONE}),
        "change page": client.get(reverse("admin:petitions_case_change", args=[case.pk])),
        "history": client.get(reverse("admin:petitions_case_history", args=[case.pk])),
        "timeline list": client.get(reverse("admin:petitions_caseevent_changelist")),
        "admin index": client.get(reverse("admin:index")),
        "autocomplete": client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "petitions",
                "model_name": "mediationsession",
                "field_name": "case",
                "term": "5678",
            },
        ),
    }
    texts = {name: r.content.decode() for name, r in pages.items()}
    export = client.post(EXPORT)
    texts["export"] = xlsx_text(export) if export.status_code == 200 else ""
    texts["_export_status"] = str(export.status_code)
    return texts


@pytest.fixture
def case(place, staff):
    """Petitioner 田会平, 13912345678, ID 110101199003074514; the title and the content repeat
    the number, as staff often write them."""
    case = assigned_case(
        place,
        staff,
        title=f"{PHONE}反映楼道堆物",
        content=f"{NAME}（电话{PHONE}）反映三单元楼道堆物，身份证{ID_NUMBER}。",
        address=f"3号楼2单元 联系{PHONE}",
    )
    client_data = {  # one save of the page, so the admin's history has an entry
        f"{prefix}-{key}": value
        for prefix in ("mediation_sessions", "mediation_agreements")
        for key, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }
    from django.test import Client

    secretary = Client()
    secretary.force_login(staff[Role.SECRETARY])
    response = secretary.post(
        reverse("admin:petitions_case_change", args=[case.pk]), {**client_data, "_save": "1"}
    )
    assert response.status_code == 302
    return case


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_full_numbers_never_leave_the_reveal_page(client, place, staff, case, role):
    user = staff[role]
    client.force_login(user)
    texts = surfaces(client, case)
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, f"{role}: {secret} on {name}"
    assert texts["_export_status"] == ("200" if may(role, "export") else "403")
    # 系统管理员: no case records at all; 宣传编辑: 网站纠错 reports only, never this case.
    if not may(role, "view") or role is Role.EDITOR:
        assert case.number not in texts["changelist"]
        assert case.number not in texts["search last4"]
        return
    assert case.number in texts["changelist"] and case.number in texts["search last4"]
    assert MASKED_PHONE in texts["change page"] and "田**" in texts["change page"]
    if may(role, "export"):
        assert MASKED_PHONE in texts["export"] and "田**" in texts["export"]

    party = case.parties.get(role=PartyRole.PETITIONER)
    reveal = reverse("admin:petitions_case_reveal", args=[case.pk, party.pk])
    allowed = can_reveal(user, case, party.role)
    assert allowed == (role in {r for r in Role if may(r, "reveal")})
    assert (reveal in texts["change page"]) == allowed
    form = client.get(reveal)
    if not allowed:
        assert form.status_code == 403
        assert client.post(reveal, {"reason": "核对"}).status_code == 403
        assert not CaseEvent.objects.filter(case=case, kind=EventKind.REVEALED).exists()
        return
    assert form.status_code == 200 and PHONE not in form.content.decode()
    refused = client.post(reveal, {"reason": ""})
    assert PHONE not in refused.content.decode()
    assert "至少 2 个字" in client.post(reveal, {"reason": "看"}).content.decode()
    response = client.post(reveal, {"reason": "电话回访需要核对号码"})
    html = response.content.decode()
    assert PHONE in html and ID_NUMBER in html and NAME in html
    # The free text as written is on the reveal page too, and only there.
    assert "含个人信息的原文" in html and f"{NAME}（电话{PHONE}）反映三单元楼道堆物" in html
    assert "no-store" in response["Cache-Control"]
    event = CaseEvent.objects.get(case=case, kind=EventKind.REVEALED)
    assert event.actor == user and "电话回访需要核对号码" in event.note and PHONE not in event.note
    assert PHONE not in str(dict(client.session))
    # Back on the case page the data is masked again.
    page = client.get(reverse("admin:petitions_case_change", args=[case.pk])).content.decode()
    assert PHONE not in page and ID_NUMBER not in page


@pytest.mark.django_db
def test_accusation_petitioner_is_a_placeholder_for_the_handling_unit(client, place, staff):
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    case = new_case(place.north_a, actor=secretary, is_accusation=True, title="检举某单位")
    case = services.accept_case(case, actor=secretary)
    case = services.assign_case(case, actor=secretary, handler=profile(worker))

    client.force_login(worker)
    listing = results(client)
    page = client.get(reverse("admin:petitions_case_change", args=[case.pk])).content.decode()
    for text in (listing, page):
        assert case.number in text and str(ACCUSATION_PLACEHOLDER) in text
        assert "田**" not in text and MASKED_PHONE not in text and NAME not in text
    assert "该当事人共有" not in page
    # Not even the phone's last four digits lead to it.
    assert case.number not in results(client, q="5678")
    party = case.parties.get()
    reveal = reverse("admin:petitions_case_reveal", args=[case.pk, party.pk])
    assert reveal not in page
    refused = client.post(reveal, {"reason": "核对"})
    assert refused.status_code == 403
    assert "无权访问" in refused.content.decode()
    assert f'href="{reverse("admin:index")}">返回工作台' in refused.content.decode()

    client.force_login(secretary)
    page = client.get(reverse("admin:petitions_case_change", args=[case.pk])).content.decode()
    assert "田**" in page and reveal in page


@pytest.mark.django_db
def test_extension_and_pause_reasons_are_masked_on_the_case_page(client, place, staff):
    secretary = staff[Role.SECRETARY]
    case = in_progress_case(place, staff, kind=CaseKind.PETITION)
    case = services.extend_deadline(
        case, actor=secretary, days=10, reason=f"{NAME}（{PHONE}）申请鉴定，身份证{ID_NUMBER}"
    )
    services.pause_clock(case, actor=secretary, reason=f"等待{NAME}补充材料，电话{PHONE}")
    for role in (Role.OFFICIAL, Role.GRID_WORKER, Role.MEDIATOR, Role.SECRETARY):
        client.force_login(staff[role])
        page = client.get(reverse("admin:petitions_case_change", args=[case.pk])).content.decode()
        assert "申请鉴定" in page and "补充材料" in page, role
        assert not any(secret in page for secret in SECRETS), role


@pytest.mark.django_db
def test_in_an_accusation_nothing_of_the_accusers_name_or_number_is_left(client, place, staff):
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    case = new_case(
        place.north_a,
        actor=secretary,
        is_accusation=True,
        title=f"{NAME}检举",
        content=f"举报人{NAME}，电话{PHONE}，检举某工作人员",
    )
    case = services.accept_case(case, actor=secretary)
    services.assign_case(case, actor=secretary, handler=profile(worker))
    client.force_login(worker)
    page = client.get(reverse("admin:petitions_case_change", args=[case.pk])).content.decode()
    assert "举报人***，电话***，检举某工作人员" in page
    assert NAME not in page and NAME[0] + "**" not in page and PHONE[-4:] not in page
    assert case.number not in results(client, q=NAME[0])


@pytest.mark.django_db
def test_a_recused_staff_member_finds_the_case_nowhere(client, place, staff):
    recused = staff[Role.COMMUNITY_SECRETARY]
    case = new_case(
        place.north_a,
        actor=staff[Role.SECRETARY],
        parties=[PartyData(name=NAME, phone=PHONE)],
        named_staff=[recused],
    )
    assert CaseExclusion.objects.filter(case=case, user=recused).exists()
    other = new_case(place.north_a, actor=staff[Role.SECRETARY])  # same phone, not recused
    client.force_login(recused)
    assert other.number in results(client, q="5678")
    assert client.get(reverse("admin:petitions_case_change", args=[case.pk])).status_code in (
        302,
        404,
    )
    assert client.get(reverse("admin:petitions_case_history", args=[case.pk])).status_code in (
        302,
        404,
    )
    party = case.parties.get()
    reveal = reverse("admin:petitions_case_reveal", args=[case.pk, party.pk])
    assert client.get(reveal).status_code == 404
    for query in ({}, {"q": "5678"}, {"q": case.number}, {"q": case.tracking_code}):
        assert case.number not in results(client, **query)
    events = client.get(reverse("admin:petitions_caseevent_changelist")).content.decode()
    assert case.number not in events
    export = client.post(EXPORT)
    assert export.status_code == 200
    exported = xlsx_text(export)
    assert other.number in exported and case.number not in exported


@pytest.mark.django_db
def test_a_case_outside_scope_reads_exactly_like_one_that_does_not_exist(client, place, staff):
    outside = new_case(place.south_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.GRID_WORKER])
    answers = []
    for pk in (outside.pk, outside.pk + 1000):
        response = client.get(reverse("admin:petitions_case_change", args=[pk]), follow=True)
        assert response.redirect_chain[-1][0] == CHANGELIST
        answers.append([str(m) for m in response.context["messages"]])
    assert answers[0] == answers[1] == ["找不到这条诉求：它可能不存在，或不在您的负责范围内。"]


@pytest.mark.django_db
def test_saved_mediation_records_are_masked_and_saving_the_page_keeps_what_was_written(
    client, place, staff
):
    case = assigned_case(place, staff)
    member = TeamMember.objects.create(team=make_team(kind=TeamKind.MEDIATION), name="郭凤琴")
    session = MediationSession.objects.create(
        case=case,
        method="face_to_face",
        outcome="agreement",
        parties_present=f"{NAME}（{PHONE}）",
        notes=f"双方当面沟通，{NAME}身份证{ID_NUMBER}。",
        recorded_by=staff[Role.MEDIATOR],
    )
    change = reverse("admin:petitions_case_change", args=[case.pk])
    for role in (Role.SECRETARY, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.MEDIATOR):
        client.force_login(staff[role])
        page = client.get(change).content.decode()
        assert PHONE not in page and ID_NUMBER not in page, role
        assert MASKED_PHONE in page, role

    # Saving the page posts the masked text of the saved row back: the original stays.
    local = timezone.localtime(session.held_at)
    data = {
        "mediation_sessions-TOTAL_FORMS": "1",
        "mediation_sessions-INITIAL_FORMS": "1",
        "mediation_sessions-MIN_NUM_FORMS": "0",
        "mediation_sessions-MAX_NUM_FORMS": "1000",
        "mediation_sessions-0-id": str(session.pk),
        "mediation_sessions-0-case": str(case.pk),
        "mediation_sessions-0-held_at_0": local.strftime("%Y-%m-%d"),
        "mediation_sessions-0-held_at_1": local.strftime("%H:%M:%S"),
        "mediation_sessions-0-place": "调解室",
        "mediation_sessions-0-method": "face_to_face",
        "mediation_sessions-0-outcome": "agreement",
        "mediation_sessions-0-mediators": [member.pk],
        "mediation_sessions-0-parties_present": f"田**（{MASKED_PHONE}）",
        "mediation_sessions-0-notes": "改写",
        "mediation_agreements-TOTAL_FORMS": "0",
        "mediation_agreements-INITIAL_FORMS": "0",
        "mediation_agreements-MIN_NUM_FORMS": "0",
        "mediation_agreements-MAX_NUM_FORMS": "1000",
        "version": str(case.version),
        "_continue": "1",
    }
    response = client.post(change, data)
    assert response.status_code == 302, [
        [f.errors for f in x.formset.forms] for x in response.context["inline_admin_formsets"]
    ]
    session.refresh_from_db()
    assert session.place == "调解室"  # the plain fields are still edited
    assert session.parties_present == f"{NAME}（{PHONE}）" and ID_NUMBER in session.notes

    # The text as written is on the logged reveal page.
    party = case.parties.get(role=PartyRole.PETITIONER)
    reveal = reverse("admin:petitions_case_reveal", args=[case.pk, party.pk])
    html = client.post(reveal, {"reason": "调解回访核对"}).content.decode()
    assert f"双方当面沟通，{NAME}身份证{ID_NUMBER}。" in html
