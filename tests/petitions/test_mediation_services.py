"""回避, 调解记录 and 调解协议 as services: each locks the case, checks the version, asks its guard,
writes, moves the version on and leaves an internal timeline entry; the case page saves its
mediation rows through them."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from petitions import services
from petitions.models import (
    Case,
    CaseEvent,
    CaseExclusion,
    CaseStatus,
    EventKind,
    MediationAgreement,
    MediationMethod,
    MediationOutcome,
    MediationSession,
    Satisfaction,
)
from petitions.services.rules import Who, refusal
from portal.models import StaffProfile, TeamKind, TeamMember
from portal.roles import Role
from tests.admin_forms import admin_form_data
from tests.factories import make_team
from tests.petitions.factories_admin import (
    ID_NUMBER,
    NAME,
    PHONE,
    assigned_case,
    in_progress_case,
    new_case,
    profile,
)
from tests.petitions.test_concurrency import THREADS, race

S = CaseStatus
CONFLICT = "刚刚已被他人处理"


@pytest.fixture
def member(db):
    return TeamMember.objects.create(team=make_team(kind=TeamKind.MEDIATION), name="郭凤琴")


def unit(user) -> str:
    staff_profile = StaffProfile.objects.get(user=user)
    return staff_profile.unit or staff_profile.get_role_display()


def latest(case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).latest("pk")


def version(case) -> int:
    return Case.objects.get(pk=case.pk).version


def snapshot(case) -> tuple:
    """Everything a refused step must leave as it was: the case row, its timeline, its
    mediation rows and its recusals."""
    return (
        Case.objects.filter(pk=case.pk).values().get(),
        list(CaseEvent.objects.filter(case=case).order_by("pk").values()),
        list(MediationSession.objects.filter(case=case).order_by("pk").values()),
        list(MediationAgreement.objects.filter(case=case).order_by("pk").values()),
        list(CaseExclusion.objects.filter(case=case).order_by("pk").values()),
        sorted(Case.objects.get(pk=case.pk).mediators.values_list("pk", flat=True)),
    )


def session_of(case, member, actor, **fields) -> MediationSession:
    values = {
        "method": MediationMethod.FACE_TO_FACE,
        "outcome": MediationOutcome.CONTINUE,
        "mediators": [member],
        "place": "调解室",
        "parties_present": f"{NAME}（{PHONE}）、物业公司经理",
        "notes": f"{NAME}身份证{ID_NUMBER}，双方各自陈述。",
    } | fields
    return services.record_mediation_session(
        case, actor=actor, expected_version=version(case), **values
    )


def agreement_of(case, member, actor, **fields) -> MediationAgreement:
    values = {
        "agreement_number": "凤调〔2026〕12号",
        "signed_on": timezone.localdate(),
        "parties": f"{NAME}，电话{PHONE}；物业公司",
        "facts": "楼上漏水",
        "terms": "物业十日内修复防水层",
        "performance": "十日内完成",
        "mediators": [member],
    } | fields
    return services.record_agreement(case, actor=actor, expected_version=version(case), **values)


# --- the services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recorded_session_is_on_the_timeline_without_what_the_parties_said(place, staff, member):
    case = in_progress_case(place, staff)
    mediator = staff[Role.MEDIATOR]
    before = version(case)
    session = session_of(case, member, mediator)
    assert session.recorded_by == mediator and list(session.mediators.all()) == [member]
    assert session.notes == f"{NAME}身份证{ID_NUMBER}，双方各自陈述。"  # kept as written
    case.refresh_from_db()
    assert case.version == before + 1 and case.status == S.IN_PROGRESS
    assert session.case.version == case.version
    event = latest(case)
    assert event.kind == EventKind.MEDIATION and event.actor == mediator
    assert event.actor_unit == unit(mediator) and not event.is_public
    assert event.changes["method"] == ["", "面对面调解"]
    assert event.changes["outcome"] == ["", "继续调解"]
    assert event.changes["mediators"] == ["", "郭凤琴"]
    assert event.changes["place"] == ["", "调解室"]
    assert event.changes["mediation_session"] == ["", session.pk]
    assert "notes" not in event.changes and "parties_present" not in event.changes
    written = event.note + json.dumps(event.changes, ensure_ascii=False)
    for secret in (NAME, PHONE, ID_NUMBER, "双方各自陈述"):
        assert secret not in written
    assert "面对面调解，继续调解" in event.note
    assert "已填写到场当事人、调解经过" in event.note


@pytest.mark.django_db
def test_a_changed_session_says_old_and_new(place, staff, member):
    case = in_progress_case(place, staff)
    mediator = staff[Role.MEDIATOR]
    session = session_of(case, member, mediator)
    other = TeamMember.objects.create(team=member.team, name="邻里凤姐")
    before = version(case)
    services.change_mediation_session(
        session,
        actor=staff[Role.GRID_WORKER],
        outcome=MediationOutcome.AGREEMENT,
        place="社区会议室",
        mediators=[member, other],
        notes="第二次调解，双方同意方案。",
        expected_version=before,
    )
    session.refresh_from_db()
    assert session.outcome == MediationOutcome.AGREEMENT and session.place == "社区会议室"
    assert session.notes == "第二次调解，双方同意方案。"
    assert set(session.mediators.all()) == {member, other}
    assert session.recorded_by == mediator  # who wrote it first stays
    assert version(case) == before + 1
    event = latest(case)
    assert event.kind == EventKind.MEDIATION and not event.is_public
    assert event.actor == staff[Role.GRID_WORKER]
    assert event.actor_unit == unit(staff[Role.GRID_WORKER])
    assert event.changes["outcome"] == ["继续调解", "达成调解协议"]
    assert event.changes["place"] == ["调解室", "社区会议室"]
    assert event.changes["mediators"] == ["郭凤琴", "郭凤琴、邻里凤姐"]
    assert "notes" not in event.changes and "双方同意方案" not in event.note
    assert "结果：继续调解 → 达成调解协议" in event.note and "调解经过已修改" in event.note

    # The same values again: nothing is written, the version stays.
    unchanged = snapshot(case)
    services.change_mediation_session(
        session,
        actor=mediator,
        outcome=MediationOutcome.AGREEMENT,
        place="社区会议室",
        expected_version=version(case),
    )
    assert snapshot(case) == unchanged


@pytest.mark.django_db
def test_the_agreement_and_its_judicial_confirmation_are_on_the_timeline(place, staff, member):
    case = in_progress_case(place, staff)
    mediator = staff[Role.MEDIATOR]
    session = session_of(case, member, mediator, outcome=MediationOutcome.AGREEMENT)
    before = version(case)
    agreement = agreement_of(case, member, mediator, session=session)
    assert agreement.parties == f"{NAME}，电话{PHONE}；物业公司"
    assert version(case) == before + 1
    event = latest(case)
    assert event.kind == EventKind.MEDIATION and not event.is_public
    assert event.actor == mediator and event.actor_unit == unit(mediator)
    assert event.changes["agreement_number"] == ["", "凤调〔2026〕12号"]
    assert event.changes["signed_on"] == ["", timezone.localdate().isoformat()]
    assert event.changes["session"] == ["", str(session)]
    assert not {"parties", "facts", "terms", "performance"} & set(event.changes)
    assert PHONE not in event.note + json.dumps(event.changes, ensure_ascii=False)
    assert "调解协议：凤调〔2026〕12号" in event.note

    # Concluded and visited: the parties apply for judicial confirmation a week on.
    case = services.conclude_case(
        case, actor=staff[Role.SECRETARY], result="已调解", reply="已调解"
    )
    case = services.record_followup(
        case, actor=staff[Role.AREA_LEADER], satisfaction=Satisfaction.SATISFIED, method="phone"
    )
    assert case.status == S.VISITED
    applied = timezone.localdate()
    services.change_agreement(
        agreement,
        actor=staff[Role.COMMUNITY_SECRETARY],
        judicial_confirmation_applied_on=applied,
        expected_version=case.version,
    )
    agreement.refresh_from_db()
    assert agreement.judicial_confirmation_applied_on == applied
    event = latest(case)
    assert event.actor == staff[Role.COMMUNITY_SECRETARY]
    assert event.changes["judicial_confirmation_applied_on"] == ["", applied.isoformat()]
    assert f"申请司法确认日期：— → {applied.isoformat()}" in event.note
    assert version(case) == case.version + 1


@pytest.mark.django_db
def test_an_agreement_names_only_a_session_of_its_own_case(place, staff, member):
    case = in_progress_case(place, staff)
    other = in_progress_case(place, staff)
    session = session_of(other, member, staff[Role.SECRETARY])
    before = snapshot(case)
    with pytest.raises(services.CaseError, match="所选调解记录不属于这件诉求"):
        agreement_of(case, member, staff[Role.SECRETARY], session=session)
    assert snapshot(case) == before


@pytest.mark.django_db
def test_recusal_is_a_step_of_its_own_on_the_timeline(place, staff):
    case = assigned_case(place, staff)  # the mediator is assigned
    mediator, secretary = staff[Role.MEDIATOR], staff[Role.COMMUNITY_SECRETARY]
    name = profile(mediator).name
    before = version(case)
    case = services.recuse_staff(
        case, actor=secretary, user=mediator, reason="与当事人系亲属", expected_version=before
    )
    assert case.version == before + 1 == version(case)
    assert CaseExclusion.objects.filter(case=case, user=mediator, reason="与当事人系亲属").exists()
    assert not case.mediators.exists()
    assert not Case.objects.visible_to(mediator).filter(pk=case.pk).exists()
    event = latest(case)
    assert event.kind == EventKind.EDITED and not event.is_public
    assert event.actor == secretary and event.actor_unit == unit(secretary)
    assert event.changes == {"excluded": ["", name], "mediators": [name, ""]}
    assert event.note == f"设置回避：{name}（与当事人系亲属）"

    # The handler cannot be recused before the case is reassigned; nor anyone twice.
    unchanged = snapshot(case)
    for user, message in (
        (staff[Role.GRID_WORKER], "请先改派再设置回避"),
        (mediator, "已在回避名单中"),
    ):
        with pytest.raises(services.CaseError, match=message):
            services.recuse_staff(
                case, actor=secretary, user=user, reason="x", expected_version=case.version
            )
        assert snapshot(case) == unchanged


# --- stale pages and refusals --------------------------------------------------------------------


STEPS = {
    "recuse": lambda case, staff, member, v: services.recuse_staff(
        case,
        actor=staff[Role.SECRETARY],
        user=staff[Role.COMMUNITY_SECRETARY],
        reason="被反映人",
        expected_version=v,
    ),
    "record session": lambda case, staff, member, v: services.record_mediation_session(
        case,
        actor=staff[Role.MEDIATOR],
        method=MediationMethod.PHONE,
        outcome=MediationOutcome.CONTINUE,
        mediators=[member],
        expected_version=v,
    ),
    "change session": lambda case, staff, member, v: services.change_mediation_session(
        case.mediation_sessions.get(),
        actor=staff[Role.MEDIATOR],
        outcome=MediationOutcome.FAILED,
        expected_version=v,
    ),
    "record agreement": lambda case, staff, member, v: services.record_agreement(
        case,
        actor=staff[Role.MEDIATOR],
        signed_on=timezone.localdate(),
        parties="双方",
        facts="漏水",
        terms="修复",
        performance="十日内",
        mediators=[member],
        expected_version=v,
    ),
    "change agreement": lambda case, staff, member, v: services.change_agreement(
        case.mediation_agreements.get(),
        actor=staff[Role.MEDIATOR],
        agreement_number="补号",
        expected_version=v,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("step", list(STEPS))
def test_a_stale_page_is_refused_and_nothing_is_written(place, staff, member, step):
    case = in_progress_case(place, staff)
    session_of(case, member, staff[Role.MEDIATOR])
    agreement_of(case, member, staff[Role.MEDIATOR])
    drawn = version(case)
    # Meanwhile someone else takes a step.
    services.add_progress(case, actor=staff[Role.GRID_WORKER], note="已联系物业")
    before = snapshot(case)
    with pytest.raises(services.CaseConflict, match=CONFLICT):
        STEPS[step](case, staff, member, drawn)
    assert snapshot(case) == before
    # Drawn afresh, the same step goes through.
    STEPS[step](case, staff, member, version(case))
    assert version(case) == drawn + 2


def refused(case, user, step: str) -> str | None:
    return refusal(step, Case.objects.get(pk=case.pk), Who.of(user, case))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status", "step", "message"),
    [
        (Role.OFFICIAL, S.IN_PROGRESS, "record session", "您只能查看调解记录"),
        (Role.OFFICIAL, S.IN_PROGRESS, "change agreement", "您只能查看调解记录"),
        (Role.OFFICIAL, S.IN_PROGRESS, "recuse", "只有街道党工委书记和社区书记可以设置回避"),
        (Role.AREA_LEADER, S.IN_PROGRESS, "change session", "您只能查看调解记录"),
        (Role.GRID_WORKER, S.IN_PROGRESS, "recuse", "只有街道党工委书记和社区书记可以设置回避"),
        (Role.MEDIATOR, "unassigned", "record session", "您无权处理这件诉求"),
        (Role.SECRETARY, S.REGISTERED, "record session", "尚未受理"),
        (Role.SECRETARY, S.REGISTERED, "record agreement", "尚未受理"),
        (Role.SECRETARY, S.VISITED, "record session", "调解协议在归档前仍可补录"),
        (Role.SECRETARY, S.VISITED, "change session", "调解协议在归档前仍可补录"),
        (Role.SECRETARY, S.ARCHIVED, "change session", "已归档，调解记录只能查看"),
        (Role.SECRETARY, S.ARCHIVED, "record agreement", "已归档，调解记录只能查看"),
        (Role.SECRETARY, S.ARCHIVED, "change agreement", "已归档，调解记录只能查看"),
        (Role.SECRETARY, S.ARCHIVED, "recuse", "已归档，不能再设置回避"),
    ],
)
def test_a_refused_step_leaves_the_case_and_its_timeline_as_they_were(
    place, staff, member, role, status, step, message
):
    secretary = staff[Role.SECRETARY]
    if status == S.REGISTERED:
        case = new_case(place.north_a, actor=secretary)
    elif status == "unassigned":  # in progress, handled without the mediator
        case = new_case(place.north_a, actor=secretary)
        case = services.accept_case(case, actor=secretary)
        case = services.assign_case(case, actor=secretary, handler=profile(staff[Role.GRID_WORKER]))
        case = services.sign_case(case, actor=staff[Role.GRID_WORKER])
    else:
        case = in_progress_case(place, staff)
        session_of(case, member, secretary)
        agreement_of(case, member, secretary)
        if status == S.VISITED:
            case = visited_case_from(case, staff)
        elif status == S.ARCHIVED:
            case = services.archive_case(visited_case_from(case, staff), actor=secretary)
    assert Case.objects.get(pk=case.pk).status == (
        S.IN_PROGRESS if status == "unassigned" else status
    )
    user = staff[role]
    guard = {"recuse": "recuse", "record session": "mediation", "change session": "mediation"}
    assert message in refused(case, user, guard.get(step, "agreement"))
    before = snapshot(case)
    actor_of = {
        "recuse": lambda: services.recuse_staff(
            case, actor=user, user=staff[Role.COMMUNITY_SECRETARY], reason="x"
        ),
        "record session": lambda: services.record_mediation_session(
            case,
            actor=user,
            method=MediationMethod.PHONE,
            outcome=MediationOutcome.CONTINUE,
            mediators=[member],
        ),
        "change session": lambda: services.change_mediation_session(
            case.mediation_sessions.get(), actor=user, outcome=MediationOutcome.FAILED
        ),
        "record agreement": lambda: services.record_agreement(
            case,
            actor=user,
            signed_on=timezone.localdate(),
            parties="双方",
            facts="漏水",
            terms="修复",
            performance="十日内",
            mediators=[member],
        ),
        "change agreement": lambda: services.change_agreement(
            case.mediation_agreements.get(), actor=user, agreement_number="补号"
        ),
    }
    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        message = "您无权处理这件诉求"  # a case out of scope is refused before its guard
    with pytest.raises(services.CaseError, match=re.escape(message)):
        actor_of[step]()
    assert snapshot(case) == before


def visited_case_from(case, staff):
    case = services.conclude_case(
        case, actor=staff[Role.SECRETARY], result="已调解", reply="已调解"
    )
    return services.record_followup(
        case, actor=staff[Role.AREA_LEADER], satisfaction=Satisfaction.SATISFIED, method="phone"
    )


@pytest.mark.django_db
def test_who_may_write_mediation_records(place, staff):
    """The guards' answers for an assigned case in progress, role by role."""
    case = in_progress_case(place, staff)
    allowed = {role for role in Role if refused(case, staff[role], "mediation") is None}
    assert allowed == {Role.SECRETARY, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.MEDIATOR}
    recusers = {role for role in Role if refused(case, staff[role], "recuse") is None}
    assert recusers == {Role.SECRETARY, Role.COMMUNITY_SECRETARY}
    # Visited: the agreement may still be written up, sessions no more.
    case = visited_case_from(case, staff)
    assert refused(case, staff[Role.MEDIATOR], "agreement") is None
    assert refused(case, staff[Role.MEDIATOR], "mediation") is not None


@pytest.mark.django_db
def test_an_accusation_takes_mediation_records_only_from_the_party_secretary(place, staff):
    case = in_progress_case(place, staff, is_accusation=True)
    assert refused(case, staff[Role.SECRETARY], "mediation") is None
    for role in (Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.MEDIATOR):
        user = staff[role]
        # Whoever sees the accusation is told why the record is not theirs to write; whoever
        # does not see it at all (检举控告 outside the handlers) is told only that.
        sees = Case.objects.visible_to(user).filter(pk=case.pk).exists()
        expected = "个人信息" if sees else "您无权处理这件诉求"
        assert expected in refused(case, user, "mediation"), role


# --- the case page ------------------------------------------------------------------------------


def change_url(case) -> str:
    return reverse("admin:petitions_case_change", args=[case.pk])


def page_data(client, case) -> dict:
    """The case page's form as the browser sends it back."""
    response = client.get(change_url(case))
    assert response.status_code == 200
    return admin_form_data(response.content.decode(), Case) | {"_continue": "1"}


def add_row(data: dict, prefix: str, **fields) -> dict:
    """What "add another" does in the browser: one more form in the inline."""
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data = dict(data)
    data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)
    data |= {f"{prefix}-{n}-{name}": value for name, value in fields.items()}
    return data


def new_session_fields(member) -> dict:
    now = timezone.localtime()
    return {
        "held_at_0": now.strftime("%Y-%m-%d"),
        "held_at_1": now.strftime("%H:%M:%S"),
        "place": "调解室",
        "method": MediationMethod.FACE_TO_FACE,
        "mediators": [member.pk],
        "outcome": MediationOutcome.CONTINUE,
        "parties_present": "3楼住户、4楼住户",
        "notes": "双方各自陈述",
    }


def new_agreement_fields(member) -> dict:
    return {
        "agreement_number": "凤调〔2026〕12号",
        "signed_on": timezone.localdate().isoformat(),
        "mediators": [member.pk],
        "parties": "3楼住户、4楼住户",
        "facts": "楼上漏水",
        "terms": "4楼修复防水层",
        "performance": "十日内完成",
    }


@pytest.mark.django_db
def test_the_case_page_records_sessions_and_the_agreement_through_the_services(
    client, place, staff, member
):
    case = in_progress_case(place, staff)
    mediator = staff[Role.MEDIATOR]
    client.force_login(mediator)

    # A new session.
    data = add_row(page_data(client, case), "mediation_sessions", **new_session_fields(member))
    assert data["version"] == str(version(case))  # the page carries the version it was drawn at
    response = client.post(change_url(case), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session = MediationSession.objects.get(case=case)
    assert session.recorded_by == mediator and session.notes == "双方各自陈述"
    event = latest(case)
    assert event.kind == EventKind.MEDIATION and event.actor == mediator
    assert event.actor_unit == unit(mediator) and not event.is_public
    assert event.changes["outcome"] == ["", "继续调解"]
    assert version(case) == case.version + 1

    # The saved session changed: its outcome, and a second mediator.
    other = TeamMember.objects.create(team=member.team, name="邻里凤姐")
    data = page_data(client, case)
    data["mediation_sessions-0-outcome"] = MediationOutcome.AGREEMENT
    data["mediation_sessions-0-mediators"] = [member.pk, other.pk]
    response = client.post(change_url(case), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.outcome == MediationOutcome.AGREEMENT
    assert session.notes == "双方各自陈述"  # the masked text posted back changed nothing
    event = latest(case)
    assert event.note.startswith("修改调解记录")
    assert event.changes["outcome"] == ["继续调解", "达成调解协议"]
    assert event.changes["mediators"] == ["郭凤琴", "郭凤琴、邻里凤姐"]
    assert version(case) == case.version + 2

    # The agreement, then the day the parties applied for judicial confirmation.
    data = add_row(
        page_data(client, case),
        "mediation_agreements",
        session=str(session.pk),
        **new_agreement_fields(member),
    )
    assert client.post(change_url(case), data).status_code == 302
    agreement = MediationAgreement.objects.get(case=case)
    assert agreement.session == session and agreement.terms == "4楼修复防水层"
    assert latest(case).changes["agreement_number"] == ["", "凤调〔2026〕12号"]
    data = page_data(client, case)
    today = timezone.localdate().isoformat()
    data["mediation_agreements-0-judicial_confirmation_applied_on"] = today
    assert client.post(change_url(case), data).status_code == 302
    event = latest(case)
    assert event.changes["judicial_confirmation_applied_on"] == ["", today]
    assert event.actor == mediator
    assert version(case) == case.version + 4
    assert CaseEvent.objects.filter(case=case, kind=EventKind.MEDIATION).count() == 4

    # Saving the page untouched writes nothing.
    before = snapshot(case)
    response = client.post(change_url(case), page_data(client, case), follow=True)
    assert "没有需要保存的修改" in response.content.decode()
    assert snapshot(case) == before


@pytest.mark.django_db
def test_two_staff_saving_the_same_page_one_wins_the_other_is_told(client, place, staff, member):
    case = in_progress_case(place, staff)
    session_of(case, member, staff[Role.MEDIATOR])
    mediator, worker = Client(), Client()
    mediator.force_login(staff[Role.MEDIATOR])
    worker.force_login(staff[Role.GRID_WORKER])
    first, second = page_data(mediator, case), page_data(worker, case)
    assert first["version"] == second["version"]

    first["mediation_sessions-0-outcome"] = MediationOutcome.AGREEMENT
    assert mediator.post(change_url(case), first).status_code == 302
    after_first = snapshot(case)

    second["mediation_sessions-0-place"] = "社区会议室"
    second = add_row(second, "mediation_sessions", **new_session_fields(member))
    response = worker.post(change_url(case), second)
    html = response.content.decode()
    assert response.status_code == 200
    assert CONFLICT in html
    assert snapshot(case) == after_first  # as the first left them: nothing of the second
    session = MediationSession.objects.get(case=case)
    assert session.outcome == MediationOutcome.AGREEMENT and session.place == "调解室"
    # What was typed is still there, now against the case as it is.
    assert 'value="社区会议室"' in html
    assert admin_form_data(html, Case)["version"] == str(version(case))


@pytest.mark.django_db
def test_a_page_without_its_version_saves_nothing(client, place, staff, member):
    case = in_progress_case(place, staff)
    client.force_login(staff[Role.MEDIATOR])
    data = add_row(page_data(client, case), "mediation_sessions", **new_session_fields(member))
    del data["version"]
    before = snapshot(case)
    response = client.post(change_url(case), data)
    assert response.status_code == 200 and "页面缺少版本信息" in response.content.decode()
    assert snapshot(case) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status", "sessions", "agreements"),
    [
        (Role.MEDIATOR, S.IN_PROGRESS, True, True),
        (Role.GRID_WORKER, S.IN_PROGRESS, True, True),
        (Role.AREA_LEADER, S.IN_PROGRESS, False, False),
        (Role.OFFICIAL, S.IN_PROGRESS, False, False),
        (Role.MEDIATOR, S.VISITED, False, True),
        (Role.SECRETARY, S.ARCHIVED, False, False),
    ],
)
def test_the_inlines_offer_rows_exactly_where_the_guards_allow(
    client, place, staff, member, role, status, sessions, agreements
):
    case = in_progress_case(place, staff)
    if status in (S.VISITED, S.ARCHIVED):
        case = visited_case_from(case, staff)
    if status == S.ARCHIVED:
        case = services.archive_case(case, actor=staff[Role.SECRETARY])
    user = staff[role]
    assert (refused(case, user, "mediation") is None) is sessions
    assert (refused(case, user, "agreement") is None) is agreements
    client.force_login(user)
    page = client.get(change_url(case)).content.decode()
    assert ('name="mediation_sessions-__prefix__-method"' in page) is sessions
    assert ('name="mediation_agreements-__prefix__-signed_on"' in page) is agreements
    # A row posted where none is offered is not written.
    before = snapshot(case)
    data = add_row(
        add_row(page_data(client, case), "mediation_sessions", **new_session_fields(member)),
        "mediation_agreements",
        **new_agreement_fields(member),
    )
    client.post(change_url(case), data)
    assert MediationSession.objects.filter(case=case).exists() is sessions
    assert MediationAgreement.objects.filter(case=case).exists() is agreements
    if not (sessions or agreements):
        assert snapshot(case) == before


@pytest.mark.django_db
def test_the_recuse_step_on_the_case_page_runs_the_service(client, place, staff):
    case = assigned_case(place, staff)
    client.force_login(staff[Role.SECRETARY])
    page = client.get(change_url(case)).content.decode()
    step = reverse("admin:petitions_case_step", args=[case.pk, "recuse"])
    assert step in page
    stale = version(case)
    services.supervise_case(case, actor=staff[Role.SECRETARY], note="")  # meanwhile
    before = snapshot(case)
    response = client.post(
        step, {"version": stale, "user": staff[Role.MEDIATOR].pk, "reason": "被反映人"}
    )
    assert response.status_code == 200 and CONFLICT in response.content.decode()
    assert snapshot(case) == before
    response = client.post(
        step, {"version": version(case), "user": staff[Role.MEDIATOR].pk, "reason": "被反映人"}
    )
    assert response.status_code == 302
    assert latest(case).note.startswith("设置回避：")
    assert not Case.objects.get(pk=case.pk).mediators.exists()


# --- PostgreSQL: a real row lock ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_saves_of_one_drawn_page_have_one_winner(place, staff, member):
    case = in_progress_case(place, staff)
    session = session_of(case, member, staff[Role.MEDIATOR])
    drawn = version(case)
    outcomes = [MediationOutcome.AGREEMENT, MediationOutcome.ORAL, MediationOutcome.FAILED]
    wins, losses = race(
        lambda i: services.change_mediation_session(
            session,
            actor=staff[Role.MEDIATOR],
            outcome=outcomes[i % 3],
            place=f"调解室{i}",
            expected_version=drawn,
        )
    )
    assert len(wins) == 1 and len(losses) == THREADS - 1
    assert all(CONFLICT in message for message in losses)
    session.refresh_from_db()
    assert session.place == wins[0].place
    assert version(case) == drawn + 1
    changes = CaseEvent.objects.filter(case=case, kind=EventKind.MEDIATION, note__startswith="修改")
    assert changes.count() == 1
