"""The case back office: steps as buttons calling the services, conflicts, registration, search,
queues, bulk assignment, export and the configuration screens."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from io import BytesIO
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from outreach.models import DeliberationDecision, FieldVisit, OnsiteSession
from petitions import services
from petitions.models import (
    Case,
    CaseEvent,
    CaseExclusion,
    CaseStatus,
    Channel,
    EventKind,
    ExportRecord,
    LeadershipDecision,
    MediationSession,
    Person,
    ReplyTemplate,
    Satisfaction,
    Triage,
)
from portal.roles import Role
from tests.admin_forms import admin_form_data
from tests.factories import make_deliberation, make_session, make_visit
from tests.petitions.factories_admin import (
    MASKED_PHONE,
    PHONE,
    assigned_case,
    in_progress_case,
    new_case,
    profile,
)

S = CaseStatus
CHANGELIST = reverse("admin:petitions_case_changelist")
ADD = reverse("admin:petitions_case_add")
EXPORT = reverse("admin:petitions_case_export")


def export(client, filters: dict | None = None):
    """导出Excel as the list's button sends it: a POST (with the CSRF token in a browser), the
    list's filters in the query string."""
    return client.post(f"{EXPORT}?{urlencode(filters)}" if filters else EXPORT)


def change_url(case) -> str:
    return reverse("admin:petitions_case_change", args=[case.pk])


def step_url(case, step: str) -> str:
    return reverse("admin:petitions_case_step", args=[case.pk, step])


def page_version(client, case, step: str) -> int:
    """The version the step's form carries on the page as the user sees it."""
    html = client.get(change_url(case)).content.decode()
    match = re.search(
        rf'action="{re.escape(step_url(case, step))}".*?name="version" value="(\d+)"', html, re.S
    )
    assert match, f"step {step} is not offered on the page"
    return int(match.group(1))


def post_step(client, case, step: str, **data):
    data.setdefault("version", page_version(client, case, step))
    return client.post(step_url(case, step), data)


def events(case, kind: str) -> int:
    return CaseEvent.objects.filter(case=case, kind=kind).count()


# --- the steps, each through its button --------------------------------------------------------


@pytest.mark.django_db
def test_accept_button_calls_the_service_and_the_timeline_gets_it(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.GRID_WORKER])
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = post_step(client, case, "accept", note="属于本社区职责")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.ACCEPTED
    event = CaseEvent.objects.get(case=case, kind=EventKind.ACCEPTED)
    assert event.actor == staff[Role.COMMUNITY_SECRETARY] and event.note == "属于本社区职责"
    page = client.get(change_url(case)).content.decode()
    assert "已受理。" in page and "属于本社区职责" in page


@pytest.mark.django_db
def test_accept_explains_each_class_and_an_ordinary_request_needs_none(client, place, staff):
    case = new_case(place.north_a, triage="")
    assert case.registered_by is None and case.triage == ""
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    page = client.get(change_url(case)).content.decode()
    accept = page[page.index(step_url(case, "accept")) :]
    accept = accept[: accept.index("</form>")]
    # Each class is explained in one line where it is chosen; none is forced on the case.
    assert re.search(r'value="" [^>]*checked', accept)
    for explained in (
        "一般办理（大多数诉求）",
        "台账管理：须经会议研究",
        "长期跟踪：短期内难以解决",
    ):
        assert explained in accept
    assert "当场解决" not in accept  # only at registration, with its result

    response = post_step(
        client, case, "accept", triage=Triage.LONG_TERM, followup_interval_days="0", note=""
    )
    html = response.content.decode()
    assert "大于或等于" in html and "请填写跟踪间隔天数" not in html  # one message per mistake

    response = post_step(client, case, "accept", triage=Triage.LONG_TERM, note="需要持续关注")
    assert response.status_code == 200
    assert "长期跟踪类诉求请填写跟踪间隔天数" in response.content.decode()
    assert "需要持续关注" in response.content.decode()  # what was typed is kept
    case.refresh_from_db()
    assert case.status == S.REGISTERED

    assert post_step(client, case, "accept", triage="", note="").status_code == 302
    case.refresh_from_db()
    assert case.status == S.ACCEPTED and case.triage == ""
    page = client.get(change_url(case)).content.decode()
    assert "已受理（一般办理）" in page


@pytest.mark.django_db
def test_accept_shows_the_class_chosen_at_registration_and_records_a_change(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.GRID_WORKER], triage=Triage.LEDGER)
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    page = client.get(change_url(case)).content.decode()
    assert re.search(r'value="ledger" [^>]*checked', page)
    response = post_step(
        client, case, "accept", triage=Triage.LONG_TERM, followup_interval_days="14", note=""
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.ACCEPTED and case.triage == Triage.LONG_TERM
    assert case.next_followup_due == timezone.localdate() + timedelta(days=14)
    accepted = case.events.get(kind=EventKind.ACCEPTED)
    assert accepted.changes["triage"] == [Triage.LEDGER, Triage.LONG_TERM]
    assert accepted.note == "已受理（长期跟踪）"


@pytest.mark.django_db
def test_reject_needs_a_reason_and_keeps_the_case_unchanged_without_one(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.SECRETARY])
    response = post_step(client, case, "reject", reason="")
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.REGISTERED
    response = post_step(client, case, "reject", reason="不属于本街道职责范围")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.NOT_ACCEPTED and events(case, EventKind.NOT_ACCEPTED) == 1


@pytest.mark.django_db
def test_assign_sign_progress_conversation_conclude_followup_archive(client, place, staff):
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    case = services.accept_case(new_case(place.north_a, actor=secretary), actor=secretary)
    client.force_login(secretary)
    response = post_step(
        client,
        case,
        "assign",
        handler=profile(worker).pk,
        mediators=[profile(staff[Role.MEDIATOR]).pk],
        note="请尽快处理",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.ASSIGNED and case.handler == profile(worker)
    assert events(case, EventKind.ASSIGNED) == 1

    client.force_login(worker)
    assert post_step(client, case, "sign").status_code == 302
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS and events(case, EventKind.SIGNED) == 1

    assert post_step(client, case, "progress", note="已联系物业", progress=60).status_code == 302
    case.refresh_from_db()
    assert case.progress == 60 and events(case, EventKind.PROGRESS) == 1

    mediator = staff[Role.MEDIATOR]
    client.force_login(mediator)
    assert post_step(client, case, "conversation", note="与居民谈心").status_code == 302
    assert events(case, EventKind.CONVERSATION) == 1

    client.force_login(worker)
    response = post_step(
        client,
        case,
        "conclude",
        result="杂物已清理",
        reply="您反映的问题已解决",
        dual_settlement="on",
        is_publishable="on",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.CONCLUDED and case.dual_settlement and case.is_publishable

    # The handler does not rate their own work; someone else calls the resident.
    assert step_url(case, "followup") not in client.get(change_url(case)).content.decode()
    version = {"version": case.version, "satisfaction": "satisfied", "method": "phone"}
    assert client.post(step_url(case, "followup"), version).status_code == 403
    client.force_login(secretary)
    page = client.get(change_url(case)).content.decode()
    assert "居民网上评价" not in page  # the resident's own rating is not staff's to record
    response = post_step(
        client,
        case,
        "followup",
        satisfaction=Satisfaction.SATISFIED,
        method="phone",
        comment="居民表示清理及时😀",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.VISITED and events(case, EventKind.FOLLOWED_UP) == 1
    # What the resident said is kept where staff read the case.
    assert "评价意见：居民表示清理及时😀" in client.get(change_url(case)).content.decode()

    assert post_step(client, case, "archive").status_code == 302
    case.refresh_from_db()
    assert case.status == S.ARCHIVED and events(case, EventKind.ARCHIVED) == 1


@pytest.mark.django_db
def test_bounce_returns_the_case_with_the_reason(client, place, staff):
    case = assigned_case(place, staff)
    client.force_login(staff[Role.GRID_WORKER])
    assert post_step(client, case, "bounce", reason="不属于本网格").status_code == 302
    case.refresh_from_db()
    assert case.status == S.ACCEPTED and case.bounce_count == 1
    assert CaseEvent.objects.get(case=case, kind=EventKind.BOUNCED).note == "不属于本网格"
    assert case.sign_due is None  # nothing to sign for now; reassigning sets a new date
    case = services.assign_case(
        case, actor=staff[Role.SECRETARY], handler=profile(staff[Role.COMMUNITY_SECRETARY])
    )
    assert case.sign_due is not None


@pytest.mark.django_db
def test_decision_extension_pause_resume_and_supervision(client, place, staff):
    secretary = staff[Role.SECRETARY]
    case = in_progress_case(place, staff, triage=Triage.LEDGER, kind="petition")
    decision = LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=timezone.localdate(), text="统一清理楼道"
    )
    decision.cases.add(case)
    client.force_login(secretary)
    assert post_step(client, case, "decision", leadership_decision=decision.pk).status_code == 302
    case.refresh_from_db()
    assert case.leadership_decision == decision and events(case, EventKind.DECISION) == 1

    due = case.conclude_due
    assert post_step(client, case, "extend", days=10, reason="需协调多个部门").status_code == 302
    case.refresh_from_db()
    assert case.extension_days == 10 and case.conclude_due == due + timedelta(days=10)
    page = client.get(change_url(case)).content.decode()
    assert "需协调多个部门" in page and "批准人" in page

    assert post_step(client, case, "pause", reason="组织听证").status_code == 302
    assert post_step(client, case, "resume").status_code == 302
    assert events(case, EventKind.PAUSED) == 1 and events(case, EventKind.RESUMED) == 1

    assert post_step(client, case, "supervise", note="重点督办").status_code == 302
    case.refresh_from_db()
    assert case.is_supervised and events(case, EventKind.SUPERVISED) == 1


@pytest.mark.django_db
def test_only_approvers_are_offered_the_extension(client, place, staff):
    case = in_progress_case(place, staff, kind="petition")
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    page = client.get(change_url(case)).content.decode()
    assert step_url(case, "extend") not in page
    response = client.post(
        step_url(case, "extend"), {"version": case.version, "days": 5, "reason": "x"}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.extension_days == 0


@pytest.mark.django_db
def test_a_refused_step_shows_the_reason_in_chinese_and_changes_nothing(client, place, staff):
    case = in_progress_case(place, staff, triage=Triage.LEDGER)
    before = (case.version, CaseEvent.objects.filter(case=case).count())
    client.force_login(staff[Role.SECRETARY])
    # Not offered until the decision is linked; posted anyway, refused with the reason.
    assert step_url(case, "conclude") not in client.get(change_url(case)).content.decode()
    response = client.post(
        step_url(case, "conclude"), {"version": case.version, "result": "已清理", "reply": "好"}
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "台账类诉求须先关联为本诉求作出的议事协商会或领导会议决定，才能办结。" in html
    assert "没有保存任何内容" in html and change_url(case) in html
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS
    assert (case.version, CaseEvent.objects.filter(case=case).count()) == before
    # What the step's form adds is checked by the service: the page again, as typed.
    case = in_progress_case(place, staff)
    response = post_step(
        client, case, "conclude", result="已清理", reply="已答复居民", dual_settlement="on"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“事心双解”须先记录与当事人的谈心谈话。" in html
    assert "已答复居民" in html  # what was typed is kept
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS and events(case, EventKind.CONCLUDED) == 0


@pytest.mark.django_db
def test_two_staff_on_one_case_get_one_success_and_one_clear_conflict(client, place, staff):
    from django.test import Client

    case = new_case(place.north_a, actor=staff[Role.GRID_WORKER])
    first, second = Client(), Client()
    first.force_login(staff[Role.COMMUNITY_SECRETARY])
    second.force_login(staff[Role.SECRETARY])
    v1 = page_version(first, case, "accept")
    v2 = page_version(second, case, "reject")
    assert first.post(step_url(case, "accept"), {"version": v1, "note": ""}).status_code == 302
    response = second.post(step_url(case, "reject"), {"version": v2, "reason": "重复信访"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "刚刚已被他人处理" in html and "请刷新" in html
    assert '<span class="case-status case-status-accepted">已受理</span>' in html  # new state
    case.refresh_from_db()
    assert case.status == S.ACCEPTED
    moves = CaseEvent.objects.filter(case=case).exclude(kind=EventKind.REGISTERED)
    assert moves.count() == 1


@pytest.mark.django_db
def test_after_a_conflict_the_typed_note_is_kept_for_a_deliberate_retry(client, place, staff):
    from django.test import Client

    case = in_progress_case(place, staff)
    worker, other = Client(), Client()
    worker.force_login(staff[Role.GRID_WORKER])
    other.force_login(staff[Role.SECRETARY])
    stale = page_version(worker, case, "progress")
    assert post_step(other, case, "progress", note="书记批示：尽快办理").status_code == 302
    response = worker.post(
        step_url(case, "progress"), {"version": stale, "note": "已联系物业𠮷", "progress": 40}
    )
    html = response.content.decode()
    assert "刚刚已被他人处理" in html and "已联系物业𠮷</textarea>" in html
    assert events(case, EventKind.PROGRESS) == 1
    case.refresh_from_db()
    retry = re.search(
        rf'action="{re.escape(step_url(case, "progress"))}".*?name="version" value="(\d+)"',
        html,
        re.S,
    )
    assert int(retry.group(1)) == case.version
    response = worker.post(
        step_url(case, "progress"),
        {"version": case.version, "note": "已联系物业𠮷", "progress": 40},
    )
    assert response.status_code == 302 and events(case, EventKind.PROGRESS) == 2


@pytest.mark.django_db
def test_stale_page_for_a_step_without_service_versioning_is_refused_too(client, place, staff):
    case = in_progress_case(place, staff)
    client.force_login(staff[Role.SECRETARY])
    stale = page_version(client, case, "supervise")
    services.add_progress(case, actor=staff[Role.GRID_WORKER], note="进展")
    response = client.post(step_url(case, "supervise"), {"version": stale, "note": "督办"})
    assert "刚刚已被他人处理" in response.content.decode()
    case.refresh_from_db()
    assert not case.is_supervised


@pytest.mark.django_db
def test_steps_offered_follow_status_and_role(client, place, staff):
    case = assigned_case(place, staff)
    client.force_login(staff[Role.GRID_WORKER])  # the handler
    page = client.get(change_url(case)).content.decode()
    assert step_url(case, "sign") in page and step_url(case, "bounce") in page
    assert step_url(case, "assign") not in page and step_url(case, "accept") not in page
    client.force_login(staff[Role.COMMUNITY_SECRETARY])  # not the handler
    page = client.get(change_url(case)).content.decode()
    assert step_url(case, "sign") not in page and step_url(case, "assign") in page
    response = client.post(step_url(case, "sign"), {"version": case.version})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == S.ASSIGNED


@pytest.mark.django_db
def test_the_official_sees_the_case_but_every_step_is_refused(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY])
    official = staff[Role.OFFICIAL]
    client.force_login(official)
    page = client.get(change_url(case))
    assert page.status_code == 200 and "您只能查看这件诉求" in page.content.decode()
    before = (case.version, CaseEvent.objects.count())
    for step in ("accept", "reject", "assign", "supervise", "recuse", "conversation"):
        response = client.post(
            step_url(case, step), {"version": case.version, "reason": "x", "note": "x"}
        )
        assert response.status_code == 403, step
    case.refresh_from_db()
    assert case.status == S.REGISTERED
    assert (case.version, CaseEvent.objects.count()) == before


@pytest.mark.django_db
def test_recusal_from_the_case_page_hides_the_case_from_that_person(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY])
    worker = staff[Role.GRID_WORKER]
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = post_step(client, case, "recuse", user=worker.pk, reason="被反映人")
    assert response.status_code == 302
    assert CaseExclusion.objects.filter(case=case, user=worker).exists()
    assert events(case, EventKind.EDITED) == 1
    client.force_login(worker)
    assert client.get(change_url(case)).status_code in (302, 404)
    assert case.number not in client.get(CHANGELIST).content.decode()
    assert client.post(step_url(case, "accept"), {"version": case.version}).status_code == 404


@pytest.mark.django_db
def test_reply_template_fills_the_reply_and_keeps_what_was_typed(client, place, staff):
    case = in_progress_case(place, staff)
    template = ReplyTemplate.objects.create(
        title="已清理", text="您好，您反映的楼道杂物已清理完毕。"
    )
    client.force_login(staff[Role.SECRETARY])
    response = post_step(
        client,
        case,
        "conclude",
        result="物业已清运三单元杂物𠮷",
        reply="",
        is_publishable="on",
        reply_template=str(template.pk),
        apply_template="1",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "您好，您反映的楼道杂物已清理完毕。</textarea>" in page
    assert "物业已清运三单元杂物𠮷</textarea>" in page  # the typed result is kept
    assert re.search(r'<input[^>]*id="id_conclude-is_publishable" checked', page)
    assert "这个字段是必填项" not in page  # nothing was submitted yet
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS
    # A reply already begun is kept, with the template after it.
    response = post_step(
        client,
        case,
        "conclude",
        result="已清运",
        reply="田女士：",
        reply_template=str(template.pk),
        apply_template="1",
    )
    assert "田女士：\n您好，您反映的楼道杂物已清理完毕。</textarea>" in response.content.decode()
    # A forged template number just redraws the form as typed.
    response = post_step(
        client, case, "conclude", result="x", apply_template="1", reply_template="9" * 30
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_mediation_session_on_the_case_page_enters_the_timeline(client, place, staff):
    from portal.models import TeamKind, TeamMember
    from tests.factories import make_team

    case = in_progress_case(place, staff)
    member = TeamMember.objects.create(team=make_team(kind=TeamKind.MEDIATION), name="郭凤琴")
    TeamMember.objects.create(team=make_team(kind=TeamKind.TALK), name="宣讲员")
    client.force_login(staff[Role.MEDIATOR])
    page = client.get(change_url(case)).content.decode()
    assert "郭凤琴" in page and "宣讲员" not in page  # mediators only
    # Staff use phones: the mediators as checkboxes, the phone's own date and time pickers.
    assert "Control" not in page and "右侧" not in page
    assert '<input type="checkbox" name="mediation_sessions-__prefix__-mediators"' in page
    assert 'type="date" name="mediation_sessions-__prefix__-held_at_0"' in page
    assert 'type="time" name="mediation_sessions-__prefix__-held_at_1"' in page
    assert "vDateField" not in page and "vTimeField" not in page  # no 今天| nor clock warning
    now = timezone.localtime()
    data = {
        "mediation_sessions-TOTAL_FORMS": "1",
        "mediation_sessions-INITIAL_FORMS": "0",
        "mediation_sessions-MIN_NUM_FORMS": "0",
        "mediation_sessions-MAX_NUM_FORMS": "1000",
        "mediation_sessions-0-held_at_0": now.strftime("%Y-%m-%d"),
        "mediation_sessions-0-held_at_1": now.strftime("%H:%M:%S"),
        "mediation_sessions-0-place": "调解室",
        "mediation_sessions-0-method": "face_to_face",
        "mediation_sessions-0-mediators": [member.pk],
        "mediation_sessions-0-outcome": "agreement",
        "mediation_sessions-0-parties_present": "3楼住户",
        "mediation_sessions-0-notes": "双方同意",
        "mediation_agreements-TOTAL_FORMS": "0",
        "mediation_agreements-INITIAL_FORMS": "0",
        "mediation_agreements-MIN_NUM_FORMS": "0",
        "mediation_agreements-MAX_NUM_FORMS": "1000",
        "version": str(case.version),  # the version the page was drawn from
        "_save": "保存",
    }
    status_before = case.status
    response = client.post(change_url(case), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    session = MediationSession.objects.get(case=case)
    assert session.recorded_by == staff[Role.MEDIATOR]
    assert events(case, EventKind.MEDIATION) == 1
    case.refresh_from_db()
    assert case.status == status_before
    assert "的调解记录" in client.get(response.url).content.decode()

    # Saving the page again without touching anything says so, and records nothing.
    unchanged = {
        f"{prefix}-{key}": value
        for prefix, initial in (("mediation_sessions", "0"), ("mediation_agreements", "0"))
        for key, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", initial),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }
    response = client.post(change_url(case), {**unchanged, "_continue": "1"}, follow=True)
    html = response.content.decode()
    assert "没有需要保存的修改" in html and "的调解记录。" not in html
    assert events(case, EventKind.MEDIATION) == 1


def agreement_rows(member, case, **fields) -> dict:
    data = {
        "version": str(Case.objects.get(pk=case.pk).version),
        "mediation_sessions-TOTAL_FORMS": "0",
        "mediation_sessions-INITIAL_FORMS": "0",
        "mediation_sessions-MIN_NUM_FORMS": "0",
        "mediation_sessions-MAX_NUM_FORMS": "1000",
        "mediation_agreements-TOTAL_FORMS": "1",
        "mediation_agreements-INITIAL_FORMS": "0",
        "mediation_agreements-MIN_NUM_FORMS": "0",
        "mediation_agreements-MAX_NUM_FORMS": "1000",
        "mediation_agreements-0-agreement_number": "凤调〔2026〕12号",
        "mediation_agreements-0-signed_on": timezone.localdate().isoformat(),
        "mediation_agreements-0-mediators": [member.pk],
        "mediation_agreements-0-parties": "3楼住户、4楼住户",
        "mediation_agreements-0-facts": "楼上漏水",
        "mediation_agreements-0-terms": "4楼修复防水层",
        "mediation_agreements-0-performance": "十日内完成",
        "_continue": "1",
    }
    return data | {f"mediation_agreements-0-{k}": v for k, v in fields.items()}


@pytest.mark.django_db
def test_mediation_dates_must_have_happened_and_an_archived_case_takes_no_more(
    client, place, staff
):
    from petitions.models import MediationAgreement
    from portal.models import TeamKind, TeamMember
    from tests.factories import make_team

    case = in_progress_case(place, staff)
    member = TeamMember.objects.create(team=make_team(kind=TeamKind.MEDIATION), name="郭凤琴")
    client.force_login(staff[Role.MEDIATOR])
    today = timezone.localdate()
    refused = {
        "签订日期不能晚于今天": {"signed_on": (today + timedelta(days=30)).isoformat()},
        "申请司法确认日期不能早于协议签订日期": {
            "judicial_confirmation_applied_on": (today - timedelta(days=10)).isoformat()
        },
        "申请司法确认日期不能晚于今天": {
            "judicial_confirmation_applied_on": (today + timedelta(days=1)).isoformat()
        },
    }
    for message, fields in refused.items():
        response = client.post(change_url(case), agreement_rows(member, case, **fields))
        html = response.content.decode()
        assert response.status_code == 200 and message in html, message
        assert "楼上漏水" in html  # what was typed stays
    assert not MediationAgreement.objects.exists()
    response = client.post(change_url(case), agreement_rows(member, case))
    assert response.status_code == 302 and MediationAgreement.objects.count() == 1

    case = services.conclude_case(
        case, actor=staff[Role.SECRETARY], result="已调解", reply="已调解"
    )
    case = services.record_followup(
        case, actor=staff[Role.AREA_LEADER], satisfaction="satisfied", method="phone"
    )
    services.archive_case(case, actor=staff[Role.SECRETARY])
    page = client.get(change_url(case)).content.decode()
    assert "mediation_agreements-0-signed_on" not in page
    client.post(change_url(case), agreement_rows(member, case, agreement_number="补录"))
    assert MediationAgreement.objects.count() == 1


@pytest.mark.django_db
def test_agreement_shows_the_thirty_day_judicial_confirmation_reminder(client, place, staff):
    from petitions.models import MediationAgreement

    case = in_progress_case(place, staff)
    signed = timezone.localdate()
    MediationAgreement.objects.create(
        case=case,
        signed_on=signed,
        parties="双方",
        facts="漏水",
        terms="赔偿",
        performance="一周内",
    )
    deadline = signed + timedelta(days=30)
    client.force_login(staff[Role.SECRETARY])
    page = client.get(change_url(case)).content.decode()
    day = f"{deadline.year}年{deadline.month}月{deadline.day}日"
    expected = f"请提醒当事人于 {day} 前共同向人民法院申请司法确认"
    assert expected in page


# --- registration -------------------------------------------------------------------------------


def register_data(place, **overrides) -> dict:
    data = {
        "kind": "ordinary",
        "channel": Channel.VISIT,
        "category": str(_category_pk()),
        "community": str(place.north.pk),
        "grid": str(place.north_a.pk),
        "compound": "",
        "address": "北苑小区3号楼",
        "title": "楼道堆物影响通行",
        "content": "三单元楼道堆放杂物。",
        "triage": Triage.LEDGER,
        "followup_interval_days": "",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "reviews_number": "",
        "petitioner_name": "田会平",
        "petitioner_phone": PHONE,
        "petitioner_id_number": "",
        "petitioner_address": "",
        "other_role": "respondent",
        "other_name": "",
        "other_phone": "",
        "other_id_number": "",
        "other_address": "",
        "on_the_spot_result": "",
        "on_the_spot_reply": "",
    }
    return data | overrides


def _category_pk() -> int:
    from petitions.models import Category

    return Category.objects.get(name="环境卫生").pk


@pytest.mark.django_db
def test_registering_a_case_calls_the_service(client, place, staff):
    worker = staff[Role.GRID_WORKER]
    client.force_login(worker)
    response = client.post(ADD, register_data(place))
    assert response.status_code == 302
    case = Case.objects.get()
    # On to the resident's slip (回执), with the tracking code.
    assert response["Location"] == reverse("admin:petitions_case_slip", args=[case.pk])
    assert case.registered_by == worker and case.status == S.REGISTERED
    assert case.parties.get().person.phone == PHONE
    assert events(case, EventKind.REGISTERED) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "message"),
    [("1990-01-01T09:00", "不能早于一年前"), ("2099-01-01T09:00", "不能晚于现在")],
)
def test_a_received_time_with_a_wrong_year_is_refused(client, place, staff, received, message):
    client.force_login(staff[Role.GRID_WORKER])
    response = client.post(ADD, register_data(place, received_at=received))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_registration_shows_every_mistake_at_once_and_knows_a_grid_workers_grid(
    client, place, staff
):
    client.force_login(staff[Role.GRID_WORKER])
    form = client.get(ADD).context["form"]
    assert form.initial["grid"] == place.north_a.pk  # the only grid: already chosen
    data = register_data(
        place,
        grid="",
        petitioner_name="",
        petitioner_phone="12345",
        triage=Triage.LONG_TERM,
        followup_interval_days="",
    )
    errors = client.post(ADD, data).context["form"].errors
    assert {"grid", "petitioner_name", "petitioner_phone", "followup_interval_days"} <= set(errors)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_rare_characters_and_full_width_digits_are_kept_and_normalised(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    response = client.post(
        ADD,
        register_data(place, petitioner_name="𠮷田", petitioner_phone="１３９１２３４５６７８"),
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.name == "𠮷田" and person.phone == PHONE


@pytest.mark.django_db
def test_invalid_id_number_is_refused_in_chinese_and_input_is_kept(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    response = client.post(
        ADD,
        register_data(
            place,
            petitioner_name="𠮷祥",
            petitioner_id_number="110101199003074518",
            content="𠮷祥反映：楼道堆物😀",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "身份证号码校验位不正确，请核对。" in html
    assert "𠮷祥反映：楼道堆物😀" in html and 'value="𠮷祥"' in html
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_service_refusal_appears_as_a_form_error_and_input_is_kept(client, place, staff):
    client.force_login(staff[Role.SECRETARY])
    response = client.post(ADD, register_data(place, grid=str(place.south_a.pk)))
    html = response.content.decode()
    assert response.status_code == 200
    assert "所选网格不属于所选社区。" in html and "楼道堆物影响通行" in html
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_grid_worker_cannot_register_outside_their_grid(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    response = client.post(
        ADD, register_data(place, community=str(place.south.pk), grid=str(place.south_a.pk))
    )
    assert response.status_code == 200
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_on_the_spot_registration_concludes_and_named_staff_are_recused(client, place, staff):
    named = staff[Role.GRID_WORKER]
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.post(
        ADD,
        register_data(
            place,
            triage=Triage.ON_THE_SPOT,
            on_the_spot_result="当场协调物业清理",
            named_staff=[named.pk],
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == S.CONCLUDED
    assert CaseExclusion.objects.filter(case=case, user=named).exists()
    assert not Case.objects.visible_to(named).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["field_visit", "onsite_session"])
def test_registration_is_prefilled_from_a_visible_activity(client, place, staff, kind):
    activity = (make_visit if kind == "field_visit" else make_session)(place.north_a)
    client.force_login(staff[Role.GRID_WORKER])
    html = client.get(f"{ADD}?{kind}={activity.pk}").content.decode()
    assert activity.title in html
    channel = Channel.RESEARCH if kind == "field_visit" else Channel.ONSITE
    assert f'<option value="{channel}" selected>' in html
    response = client.post(f"{ADD}?{kind}={activity.pk}", register_data(place, channel=channel))
    assert response.status_code == 302
    assert getattr(Case.objects.get(), f"{kind}_id") == activity.pk


@pytest.mark.django_db
def test_an_activity_outside_scope_does_not_prefill(client, place, staff):
    visit = make_visit(place.south_a)
    client.force_login(staff[Role.GRID_WORKER])
    html = client.get(f"{ADD}?field_visit={visit.pk}").content.decode()
    assert visit.title not in html
    client.post(f"{ADD}?field_visit={visit.pk}", register_data(place, field_visit=visit.pk))
    assert not Case.objects.filter(field_visit=visit).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "param"), [(FieldVisit, "field_visit"), (OnsiteSession, "onsite_session")]
)
def test_activity_pages_link_to_registration(client, place, staff, model, param):
    activity = (make_visit if model is FieldVisit else make_session)(place.north_a)
    client.force_login(staff[Role.GRID_WORKER])
    url = reverse(f"admin:outreach_{model._meta.model_name}_change", args=[activity.pk])
    html = client.get(url).content.decode()
    assert f"{ADD}?{param}={activity.pk}" in html and "登记居民诉求" in html
    assert "activity-steps" in html  # the shared outreach template still applies


# --- search and closed query strings ------------------------------------------------------------


def search(client, term: str) -> str:
    """The result table only: the search box and export link echo what was typed."""
    html = client.get(CHANGELIST, {"q": term}).content.decode()
    start = html.find('<table id="result_list"')
    return html[start : html.find("</table>", start)] if start >= 0 else ""


@pytest.mark.django_db
def test_search_by_tracking_code_with_dashes_and_lower_case(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY])
    other = new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    html = search(client, case.formatted_tracking_code.lower())
    assert case.number in html and other.number not in html


@pytest.mark.django_db
def test_search_by_last_four_and_by_masked_phone(client, place, staff):
    from petitions.services import PartyData

    mine = new_case(place.north_a, actor=staff[Role.SECRETARY])
    other = new_case(
        place.north_a,
        actor=staff[Role.SECRETARY],
        parties=[PartyData(name="李四", phone="13800001111")],
    )
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    for term in ("5678", MASKED_PHONE, "139＊＊＊＊5678"):
        html = search(client, term)
        assert mine.number in html and other.number not in html, term
    assert mine.number not in search(client, "138****5678")


@pytest.mark.django_db
def test_search_never_confirms_a_hidden_number_or_name(client, place, staff):
    from petitions.services import PartyData

    same_mask = new_case(
        place.north_a,
        actor=staff[Role.SECRETARY],
        parties=[PartyData(name="王五", phone="13900005678")],
    )
    mine = new_case(
        place.north_a, actor=staff[Role.SECRETARY], title=f"田会平 {PHONE} 反映楼道堆物"
    )
    client.force_login(staff[Role.GRID_WORKER])
    # A full number is searched as its masked form: both 139****5678 come back.
    html = search(client, PHONE)
    assert mine.number in html and same_mask.number in html
    # The middle digits and the name, masked on screen, find nothing through the title.
    for probe in ("1234", "91234", "田会平", "会平", "11010119900307"):
        assert mine.number not in search(client, probe), probe
    assert mine.number in search(client, "反映楼道")


@pytest.mark.django_db
def test_search_results_stay_within_scope(client, place, staff):
    inside = new_case(place.north_a, actor=staff[Role.SECRETARY])
    outside = new_case(place.south_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.GRID_WORKER])
    html = search(client, "5678")
    assert inside.number in html and outside.number not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "parties__person__phone__startswith=139",
        "parties__person__id_number__contains=1101",
        "parties__person__name=田会平",
        "content__contains=杂物",
        "tracking_code__startswith=A",
    ],
)
def test_probing_lookups_in_the_query_string_are_refused(client, place, staff, query):
    new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.SECRETARY])
    assert client.get(f"{CHANGELIST}?{query}").status_code == 400
    assert client.get(f"{EXPORT}?{query}").status_code == 400
    assert client.post(f"{EXPORT}?{query}").status_code == 400


# --- the list, its queues and their cost --------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_masked_petitioner_scrubbed_title_and_overdue_flag(client, place, staff):
    late = new_case(
        place.north_a,
        actor=staff[Role.SECRETARY],
        title=f"{PHONE}反映问题",
        received_at=timezone.now() - timedelta(days=30),
    )
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    html = client.get(CHANGELIST).content.decode()
    assert late.number in html
    assert f"{MASKED_PHONE}反映问题" in html and PHONE not in html
    assert "田**" in html and "田会平" not in html
    assert re.search(r'class="case-overdue">已超期 \d+ 天', html)
    assert "petitions/css/admin.css" in html


def grow(place, staff, n: int, *, signed: bool = False) -> None:
    secretary, handler = staff[Role.SECRETARY], profile(staff[Role.COMMUNITY_SECRETARY])
    for _i in range(n):
        case = new_case(place.north_a, actor=secretary, triage=Triage.LONG_TERM)
        case = services.accept_case(case, actor=secretary)
        case = services.assign_case(case, actor=secretary, handler=handler, mediators=[handler])
        if signed:  # 长期跟踪到期 asks for 办理进展, on a case signed for
            services.sign_case(case, actor=staff[Role.COMMUNITY_SECRETARY])
    past = timezone.localdate() - timedelta(days=2)
    Case.objects.update(  # time travel for the queues; not a lifecycle change
        conclude_due=past, next_followup_due=past, is_supervised=True
    )


def list_queries(client, query: str = "") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{CHANGELIST}{query}")
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["cl"].result_list)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?queue=to_sign",
        "?queue=overdue",
        "?queue=supervised",
        "?queue=followup_due",
        "?status__exact=assigned",
        "?q=5678",
    ],
)
def test_changelist_costs_the_same_for_1_and_50_rows(client, place, staff, query):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    signed = query == "?queue=followup_due"
    grow(place, staff, 1, signed=signed)
    few, few_rows = list_queries(client, query)
    grow(place, staff, 49, signed=signed)
    many, many_rows = list_queries(client, query)
    assert (few_rows, many_rows) == (1, 50)
    assert many == few, f"{query}: {few} queries for 1 row, {many} for 50"


@pytest.mark.django_db
def test_queues_pick_the_right_cases(client, place, staff):
    secretary = staff[Role.SECRETARY]
    registered = new_case(place.north_a, actor=secretary)
    concluded = new_case(place.north_a, actor=secretary, on_the_spot_result="当场解决")
    to_sign = assigned_case(place, staff)
    client.force_login(staff[Role.GRID_WORKER])
    html = client.get(f"{CHANGELIST}?queue=to_sign").content.decode()
    assert to_sign.number in html and registered.number not in html
    html = client.get(f"{CHANGELIST}?queue=awaiting_visit").content.decode()
    assert concluded.number in html and to_sign.number not in html


# --- bulk assignment and export -----------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_assign_reports_each_failure(client, place, staff):
    secretary = staff[Role.SECRETARY]
    ready = [services.accept_case(new_case(place.north_a, actor=secretary), actor=secretary)]
    ready.append(services.accept_case(new_case(place.north_b, actor=secretary), actor=secretary))
    not_ready = new_case(place.north_a, actor=secretary)  # not accepted yet
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    selected = [str(c.pk) for c in (*ready, not_ready)]
    page = client.post(CHANGELIST, {"action": "bulk_assign", "_selected_action": selected})
    assert page.status_code == 200 and "承办人" in page.content.decode()
    handler = profile(staff[Role.GRID_WORKER])
    response = client.post(
        CHANGELIST,
        {
            "action": "bulk_assign",
            "_selected_action": selected,
            "apply": "1",
            "handler": handler.pk,
            "note": "",
            "index": "0",
            "select_across": "0",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "已交办 2 件，未交办 1 件。" in html
    assert f"诉求 {not_ready.number} 当前为“已登记”，不能交办。" in html
    assert Case.objects.filter(status=S.ASSIGNED, handler=handler).count() == 2


def read_xlsx(response) -> list[list]:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_export_is_exactly_the_filtered_rows_masked_and_logged(client, place, staff):
    secretary = staff[Role.SECRETARY]
    kept = new_case(place.north_a, actor=secretary, title='=HYPERLINK("http://x","点我")')
    services.accept_case(new_case(place.north_a, actor=secretary), actor=secretary)
    new_case(place.south_a, actor=secretary)  # outside the community secretary's scope
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = export(client, {"status__exact": "registered"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response)
    assert rows[0][:3] == ["编号", "收到时间", "事项类型"]
    assert [r[0] for r in rows[1:]] == [kept.number]
    title = rows[1][rows[0].index("诉求摘要")]
    assert title == '=HYPERLINK("http://x","点我")'  # text, not a formula
    assert rows[1][rows[0].index("联系电话")] == MASKED_PHONE
    assert rows[1][rows[0].index("信访人")] == "田**"
    record = ExportRecord.objects.get()
    assert record.actor == staff[Role.COMMUNITY_SECRETARY] and record.rows == 1 and record.masked
    assert record.filters == "状态：已登记"


def export_form(html: str) -> tuple[str, str]:
    """The action and CSRF token of the page's 导出Excel form (a post, never a link)."""
    match = re.search(
        r'<form method="post" action="([^"]+)" class="case-export-form">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
        html,
    )
    assert match, "no export form on the page"
    assert not re.search(rf'<a [^>]*href="{re.escape(EXPORT)}', html)
    return unescape(match.group(1)), match.group(2)


@pytest.mark.django_db
def test_the_list_button_posts_exactly_the_lists_filters_with_the_csrf_token(place, staff):
    secretary = staff[Role.SECRETARY]
    kept = new_case(place.north_a, actor=secretary)
    services.accept_case(new_case(place.north_a, actor=secretary), actor=secretary)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff[Role.COMMUNITY_SECRETARY])
    html = browser.get(CHANGELIST, {"status__exact": "registered"}).content.decode()
    action, token = export_form(html)
    assert action == f"{EXPORT}?status__exact=registered"

    assert browser.post(action).status_code == 403  # a post from elsewhere has no token
    assert not ExportRecord.objects.exists()
    response = browser.post(action, {"csrfmiddlewaretoken": token})
    assert [r[0] for r in read_xlsx(response)[1:]] == [kept.number]
    assert ExportRecord.objects.get().filters == "状态：已登记"


@pytest.mark.django_db
def test_a_link_to_the_export_only_asks_and_writes_nothing(client, place, staff):
    secretary = staff[Role.SECRETARY]
    new_case(place.north_a, actor=secretary)
    services.accept_case(new_case(place.north_a, actor=secretary), actor=secretary)
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.get(EXPORT, {"status__exact": "registered"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "状态：已登记" in html and re.search(r"<dd>1</dd>", html)
    action, _token = export_form(html)
    assert action == f"{EXPORT}?status__exact=registered"
    assert not ExportRecord.objects.exists()
    assert not CaseEvent.objects.filter(kind=EventKind.EXPORTED).exists()
    for method in (client.put, client.delete, client.patch):
        assert method(EXPORT).status_code == 405
    assert not ExportRecord.objects.exists()


@pytest.mark.django_db
def test_the_export_log_reads_its_filters_in_words_with_a_searched_phone_masked(
    client, place, staff
):
    new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    full_width = "１３９１２３４５６７８"
    read_xlsx(export(client, {"q": full_width, "queue": "overdue"}))
    read_xlsx(export(client, {"q": "139 1234 5678"}))
    logged = list(ExportRecord.objects.order_by("pk").values_list("filters", flat=True))
    assert logged == ["队列：已超期；搜索：139****5678", "搜索：139****5678"]


@pytest.mark.django_db
def test_export_is_on_the_timeline_of_each_exported_case_only(client, place, staff):
    exported = new_case(place.north_a, actor=staff[Role.SECRETARY])
    other = new_case(place.south_a, actor=staff[Role.SECRETARY])  # outside the secretary's scope
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    read_xlsx(export(client))
    event = CaseEvent.objects.get(case=exported, kind=EventKind.EXPORTED)
    assert event.actor == staff[Role.COMMUNITY_SECRETARY] and not event.is_public
    assert "个人信息已脱敏" in event.note
    assert not CaseEvent.objects.filter(case=other, kind=EventKind.EXPORTED).exists()
    response = client.get(reverse("admin:petitions_case_change", args=[exported.pk]))
    assert "导出" in response.content.decode()


@pytest.mark.django_db
def test_export_of_a_reopened_case_shows_it_as_not_concluded(client, place, staff):
    secretary = staff[Role.SECRETARY]
    case = in_progress_case(place, staff)
    case = services.conclude_case(case, actor=secretary, result="已清理", reply="已清理完毕")
    client.force_login(secretary)
    rows = read_xlsx(export(client))
    column = rows[0].index
    assert rows[1][column("办结时间")] is not None and rows[1][column("按时办结")] == "是"
    assert rows[1][column("收到时间")].microsecond == 0  # to the second, as on the page

    visitor = staff[Role.AREA_LEADER]
    services.record_followup(case, actor=visitor, satisfaction="dissatisfied", method="phone")
    rows = read_xlsx(export(client))
    assert rows[1][column("状态")] == "办理中" and rows[1][column("重办次数")] == 1
    assert rows[1][column("办结时间")] is None and rows[1][column("按时办结")] is None


@pytest.mark.django_db
def test_export_formula_cell_is_stored_as_a_string(client, place, staff):
    new_case(place.north_a, actor=staff[Role.SECRETARY], title="=1+2")
    client.force_login(staff[Role.SECRETARY])
    content = b"".join(export(client).streaming_content)
    sheet = load_workbook(BytesIO(content)).active
    cell = sheet.cell(row=2, column=9)
    assert cell.value == "=1+2" and cell.data_type == "s"


@pytest.mark.django_db
def test_export_has_no_row_cap(client, place, staff):
    first = new_case(place.north_a, actor=staff[Role.SECRETARY])
    copies = []
    for i in range(1199):
        copy = Case.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"2026-9{i:05d}"
        copy.tracking_code = f"C{i:011d}"
        copies.append(copy)
    Case.objects.bulk_create(copies)  # bulk test data; the export path is what is tested
    client.force_login(staff[Role.SECRETARY])
    with CaptureQueriesContext(connection) as ctx:
        response = export(client)
        rows = read_xlsx(response)
    assert len(rows) == 1201
    assert ExportRecord.objects.get().rows == 1200
    assert len(ctx.captured_queries) < 60  # chunked, not one query per row


@pytest.mark.django_db
def test_export_action_on_selected_rows(client, place, staff):
    a = new_case(place.north_a, actor=staff[Role.SECRETARY])
    new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.AREA_LEADER])
    response = client.post(
        CHANGELIST, {"action": "export_selected", "_selected_action": [str(a.pk)]}
    )
    rows = read_xlsx(response)
    assert [r[0] for r in rows[1:]] == [a.number]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.MEDIATOR, Role.OFFICIAL, Role.SYSADMIN])
def test_export_needs_the_export_permission(client, place, staff, role):
    new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[role])
    assert client.get(EXPORT).status_code == 403
    assert export(client).status_code == 403
    assert not ExportRecord.objects.exists()


# --- configuration and logs ---------------------------------------------------------------------


@pytest.mark.django_db
def test_timeline_admin_is_read_only_and_scoped(client, place, staff):
    inside = new_case(place.north_a, actor=staff[Role.SECRETARY])
    outside = new_case(place.south_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.GRID_WORKER])
    html = client.get(reverse("admin:petitions_caseevent_changelist")).content.decode()
    assert inside.number in html and outside.number not in html
    event = CaseEvent.objects.filter(case=outside).first()
    url = reverse("admin:petitions_caseevent_change", args=[event.pk])
    assert client.get(url).status_code == 302  # not found for this user
    client.force_login(staff[Role.SECRETARY])
    own = CaseEvent.objects.filter(case=inside).first()
    page = client.get(reverse("admin:petitions_caseevent_change", args=[own.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(reverse("admin:petitions_caseevent_add")).status_code == 403
    # The latest entry comes first.
    services.accept_case(inside, actor=staff[Role.SECRETARY], note="最新的一条")
    rows = client.get(reverse("admin:petitions_caseevent_changelist")).context["cl"].result_list
    assert rows[0].note == "最新的一条"


@pytest.mark.django_db
def test_category_page_lists_its_deadline_rules(client, staff):
    client.force_login(staff[Role.SECRETARY])
    html = client.get(reverse("admin:petitions_category_changelist")).content.decode()
    assert "一般诉求 3 个工作日" in html  # 环境卫生, seeded


@pytest.mark.django_db
def test_calendar_admin_lists_days_by_year(client, staff):
    from datetime import date

    from portal.models import CalendarDay

    CalendarDay.objects.get_or_create(date=date(2027, 10, 1), defaults={"kind": "holiday"})
    client.force_login(staff[Role.SYSADMIN])
    response = client.get(
        reverse("admin:portal_calendarday_changelist"),
        {"date__year": 2027, "kind__exact": "holiday"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "2027" in html and "星期五" in html


def grow_rows(label: str, n: int, place, staff) -> None:
    from datetime import date

    from petitions.models import Category
    from portal.models import CalendarDay

    secretary = staff[Role.SECRETARY]
    for _i in range(n):
        i = next(_counter)
        if label == "petitions.caseevent":
            new_case(place.north_a, actor=secretary)
        elif label == "petitions.exportrecord":
            ExportRecord.objects.create(actor=secretary, what="诉求", rows=i)
        elif label == "petitions.category":
            category = Category.objects.create(name=f"分类{i}")
            category.deadline_rules.create(
                kind="ordinary", stage="conclude", unit="working", length=3, start_event="received"
            )
        elif label == "petitions.replytemplate":
            ReplyTemplate.objects.create(
                title=f"模板{i}", text="答复", category=Category.objects.first()
            )
        elif label == "petitions.leadershipdecision":
            decision = LeadershipDecision.objects.create(
                meeting="主任办公会", held_on=date(2026, 1, 1), text=f"决定{i}"
            )
            decision.recorded_by = secretary
            decision.save()
        elif label == "portal.calendarday":
            CalendarDay.objects.create(date=date(2030, 1, 1) + timedelta(days=i), kind="holiday")


_counter = iter(range(10**6))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "label",
    [
        "petitions.caseevent",
        "petitions.exportrecord",
        "petitions.category",
        "petitions.replytemplate",
        "petitions.leadershipdecision",
        "portal.calendarday",
    ],
)
def test_other_changelists_cost_the_same_for_few_and_many_rows(client, place, staff, label):
    app_label, model = label.split(".")
    url = reverse(f"admin:{app_label}_{model}_changelist")
    if label == "portal.calendarday":
        url += "?date__year=2030"  # the seeded official calendar fills other years
    client.force_login(staff[Role.SECRETARY])

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["cl"].result_list)

    grow_rows(label, 1, place, staff)
    few, few_rows = count()
    grow_rows(label, 30, place, staff)
    many, many_rows = count()
    assert many_rows >= few_rows + 25
    assert many == few, f"{label}: {few} queries for {few_rows} rows, {many} for {many_rows}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_clicks_on_postgresql_have_one_winner(place, staff):
    import threading

    from django.test import Client

    case = new_case(place.north_a, actor=staff[Role.GRID_WORKER])
    users = [staff[Role.SECRETARY], staff[Role.AREA_LEADER], staff[Role.COMMUNITY_SECRETARY]] * 2
    clients = []
    for user in users:
        c = Client()
        c.force_login(user)
        clients.append(c)
    version = case.version
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []
    lock = threading.Lock()

    def click(c) -> None:
        try:
            barrier.wait()
            response = c.post(step_url(case, "accept"), {"version": version, "note": ""})
            with lock:
                codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] * (len(clients) - 1) + [302]
    assert events(case, EventKind.ACCEPTED) == 1


@pytest.mark.django_db
def test_every_step_form_survives_hostile_values(client, place, staff):
    """Whatever arrives in a step's POST, the case page answers (a message, the form as typed)
    and nothing is half-saved: never a 500."""
    from petitions.admin.steps import STEPS, refusal
    from petitions.services.rules import Who

    cases = [
        new_case(place.north_a, actor=staff[Role.SECRETARY]),
        assigned_case(place, staff),
        in_progress_case(place, staff),
    ]
    hostile = ["99999999999999999999", "1\x00", "𠮷" * 3000]
    versions = {case.pk: case.version for case in cases}
    for user in (staff[Role.SECRETARY], staff[Role.GRID_WORKER]):
        client.force_login(user)
        for name, spec in STEPS.items():
            # The case on which the step is offered to this user, if any.
            case = next(
                (c for c in cases if refusal(name, c, Who.of(user, c)) is None),
                cases[0],
            )
            fields = spec.form(case=case, user=user).fields
            for value in hostile:
                response = client.post(step_url(case, name), dict.fromkeys(fields, value))
                assert response.status_code in (200, 302, 400, 403), (name, value)
                if response.status_code == 400:  # SQLite cannot bind the 20-digit key
                    assert "请求有误" in response.content.decode()
    assert {c.pk: c.version for c in Case.objects.filter(pk__in=versions)} == versions


@pytest.mark.django_db
def test_only_decisions_about_the_case_of_held_meetings_are_offered(client, place, staff):
    from outreach.models import ActivityStatus

    case = in_progress_case(place, staff, triage=Triage.LEDGER)
    held = make_deliberation(place.north_a, title="三单元楼道治理议事会", starts_at=timezone.now())
    DeliberationDecision.objects.create(deliberation=held, text="物业两周内清理楼道")
    planned = make_deliberation(
        place.north_a,
        title="车棚议事会",
        status=ActivityStatus.PLANNED,
        starts_at=timezone.now() + timedelta(days=5),
    )
    DeliberationDecision.objects.create(deliberation=planned, text="拟改造车棚")
    other = make_deliberation(place.north_a, title="停车议事会", starts_at=timezone.now())
    DeliberationDecision.objects.create(deliberation=other, text="划定临时停车区")
    unrelated = LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=timezone.localdate(), text="列入年度民生实事"
    )
    client.force_login(staff[Role.SECRETARY])
    for meeting in (held, planned):  # put to the meetings convened for it, on the case page
        assert post_step(client, case, "refer", deliberation=meeting.pk).status_code == 302
    assert events(case, EventKind.REFERRED) == 2
    page = client.get(change_url(case)).content.decode()
    decision = page[page.index(step_url(case, "decision")) :]
    decision = decision[: decision.index("</form>")]
    day = timezone.localtime(held.starts_at).strftime("%Y-%m-%d")
    assert f"{day} 三单元楼道治理议事会：物业两周内清理楼道" in decision
    for not_offered in ("拟改造车棚", "划定临时停车区", "列入年度民生实事"):
        assert not_offered not in decision
    # Posted anyway: refused, with the reason.
    response = post_step(client, case, "decision", leadership_decision=unrelated.pk)
    assert response.status_code == 200 and events(case, EventKind.DECISION) == 0


@pytest.mark.django_db
def test_reclassifying_is_a_step_on_the_case_page(client, place, staff):
    case = in_progress_case(place, staff, triage=Triage.LEDGER)
    client.force_login(staff[Role.GRID_WORKER])  # the handler does not reclassify
    assert step_url(case, "reclassify") not in client.get(change_url(case)).content.decode()
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    page = client.get(change_url(case)).content.decode()
    form = page[page.index(step_url(case, "reclassify")) :]
    form = form[: form.index("</form>")]
    assert "一般办理（大多数诉求）" in form and "长期跟踪：短期内难以解决" in form
    response = post_step(client, case, "reclassify", triage="", reason="")
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    response = post_step(client, case, "reclassify", triage="", reason="物业可直接处理")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.triage == "" and events(case, EventKind.RECLASSIFIED) == 1
    page = client.get(change_url(case)).content.decode()
    assert "分类由“台账管理”调整为“一般办理”：物业可直接处理" in page
    assert step_url(case, "decision") not in page  # no longer a ledger case


@pytest.mark.django_db
def test_registering_on_the_spot_needs_its_result(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    page = client.get(ADD).content.decode()
    for explained in ("一般办理（大多数诉求）", "当场解决：登记时已经当场解决", "台账管理："):
        assert explained in page
    response = client.post(ADD, register_data(place, triage=Triage.ON_THE_SPOT))
    assert response.status_code == 200
    assert "选择“当场解决”须填写当场解决的结果" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_work_queues_sit_above_the_list_and_keep_the_other_filters(client, place, staff):
    new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    html = client.get(CHANGELIST, {"status__exact": "registered", "p": "2"}).content.decode()
    queues = html.index('class="case-queues"')
    assert queues < html.index('id="result_list"')
    assert 'href="?status__exact=registered&amp;queue=overdue"' in html[queues:]
    html = client.get(CHANGELIST, {"queue": "overdue"}).content.decode()
    assert re.search(r'<a href="\?queue=overdue" class="selected" aria-current="true">', html)


@pytest.mark.django_db
def test_the_visit_queue_holds_only_cases_the_user_may_follow_up(client, place, staff):
    worker, secretary = staff[Role.GRID_WORKER], staff[Role.SECRETARY]
    own = in_progress_case(place, staff)
    own = services.conclude_case(own, actor=worker, result="已清理", reply="已清理")
    theirs = new_case(place.north_a, actor=worker, title="路灯不亮")
    theirs = services.accept_case(theirs, actor=secretary)
    theirs = services.assign_case(
        theirs, actor=secretary, handler=profile(staff[Role.COMMUNITY_SECRETARY])
    )
    theirs = services.sign_case(theirs, actor=staff[Role.COMMUNITY_SECRETARY])
    services.conclude_case(
        theirs, actor=staff[Role.COMMUNITY_SECRETARY], result="已修复", reply="已修复"
    )
    client.force_login(worker)
    listed = client.get(CHANGELIST, {"queue": "awaiting_visit"}).context["cl"].result_list
    assert [c.pk for c in listed] == [theirs.pk]

    client.force_login(staff[Role.OFFICIAL])
    html = client.get(CHANGELIST).content.decode()
    assert "?queue=overdue" in html and "?queue=followup_due" in html
    assert "?queue=awaiting_visit" not in html and "?queue=to_sign" not in html


@pytest.mark.django_db
def test_a_decision_of_a_meeting_not_yet_held_is_refused_with_what_typed_kept(client, staff):
    client.force_login(staff[Role.SECRETARY])
    ahead = timezone.localdate() + timedelta(days=18)
    response = client.post(
        "/admin/petitions/leadershipdecision/add/",
        {"meeting": "街道党工委会议", "held_on": ahead.isoformat(), "text": "拆除违建车棚"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "会议尚未召开" in page
    assert "拆除违建车棚" in page
    assert not LeadershipDecision.objects.exists()


@pytest.mark.django_db
def test_a_leadership_decision_shows_only_the_cases_the_reader_may_see(client, place, staff):
    """A community secretary reads the decisions about matters of her community (or of none),
    and of the cases a decision names only those she may see; saving a decision never drops
    the cases the form does not offer the one saving it."""
    secretary, reader = staff[Role.SECRETARY], staff[Role.COMMUNITY_SECRETARY]
    here = in_progress_case(place, staff, triage=Triage.LEDGER)
    there = new_case(place.south_a, actor=secretary, triage=Triage.LEDGER)
    both = LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=timezone.localdate(), text="两个社区的楼道统一清理"
    )
    both.cases.add(here, there)
    elsewhere = LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=timezone.localdate(), text="南湖社区的停车问题"
    )
    elsewhere.cases.add(there)
    general = LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=timezone.localdate(), text="汛期值班安排"
    )

    client.force_login(reader)
    listed = client.get("/admin/petitions/leadershipdecision/").context["cl"].result_list
    assert {d.pk for d in listed} == {both.pk, general.pk}
    page = client.get(f"/admin/petitions/leadershipdecision/{both.pk}/change/").content.decode()
    assert here.number in page and there.number not in page
    assert "另有 1 件不在您的范围内" in page
    # The one about the other community alone is not hers to open (Django's "does not exist").
    assert (
        client.get(f"/admin/petitions/leadershipdecision/{elsewhere.pk}/change/").status_code == 302
    )

    # The party secretary saves the decision after one of its cases left the ledger.
    Case.objects.filter(pk=there.pk).update(triage="")
    client.force_login(secretary)
    data = admin_form_data(
        client.get(f"/admin/petitions/leadershipdecision/{both.pk}/change/").content.decode(),
        LeadershipDecision,
    )
    response = client.post(f"/admin/petitions/leadershipdecision/{both.pk}/change/", data)
    assert response.status_code == 302
    assert set(both.cases.values_list("pk", flat=True)) == {here.pk, there.pk}
