"""Activities on the record: every status, publication and figure change names who made it, their
unit, when, and from → to (old → new) — in the record's rows and on the activity's page, and
behind its 历史 link. Two staff acting at once: one succeeds, the other is told clearly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outreach import services
from outreach.models import (
    ActivityEvent,
    ActivityEventKind,
    ActivityRevision,
    ActivityStatus,
    Deliberation,
    OnsiteSession,
    PolicyTalk,
)
from portal.models import StaffProfile
from portal.roles import Role
from tests import races
from tests.factories import (
    make_deliberation,
    make_reception,
    make_rota,
    make_session,
    make_talk,
    make_visit,
)
from tests.outreach.steps import admin_url, change_data, post_step, shown_steps, step_data, step_url
from tests.outreach.test_admin import ADD_URL, talk_form

K = ActivityEventKind
S = ActivityStatus


def record_of(activity) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.of(activity).order_by("at", "pk"))


def page_record(client, activity) -> str:
    """The record as the change page shows it (its own section, below the form)."""
    html = client.get(admin_url(activity)).content.decode()
    return html[html.index('id="activity-record"') :]


def name_of(user) -> str:
    return StaffProfile.objects.get(user=user).name


@pytest.mark.django_db
def test_a_talk_from_logging_to_withdrawal_is_on_the_record(client, place, staff):
    secretary = staff[Role.COMMUNITY_SECRETARY]
    profile = StaffProfile.objects.get(user=secretary)
    client.force_login(secretary)
    before = timezone.now()
    assert (
        client.post(
            ADD_URL, talk_form(place, record_as="planned", attendance_signed="", **_later())
        ).status_code
        == 302
    )
    talk = PolicyTalk.objects.get()
    recorded, published = record_of(talk)
    assert (recorded.kind, recorded.to_status, recorded.actor) == (K.RECORDED, S.PLANNED, secretary)
    assert recorded.actor_unit == (profile.unit or profile.get_role_display())
    assert before <= recorded.at <= timezone.now()
    assert (published.kind, published.actor) == (K.PUBLISHED, secretary)

    # Held, with its audience; then the figures edited on the change form; then withdrawn.
    PolicyTalk.objects.filter(pk=talk.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    response = post_step(client, talk, "held", attendance_signed="57")
    assert "已记为已举办" in response.content.decode()
    data = change_data(client, talk, attendance_signed="61", reach_estimated="120")
    data["reach_method"] = "venue"
    assert client.post(admin_url(talk), data).status_code == 302
    post_step(client, talk, "unpublish")

    events = record_of(talk)
    assert [e.kind for e in events] == [
        K.RECORDED,
        K.PUBLISHED,
        K.HELD,
        K.FIGURES_CHANGED,
        K.UNPUBLISHED,
    ]
    held, edited = events[2], events[3]
    assert (held.from_status, held.to_status) == (S.PLANNED, S.HELD)
    assert held.changes == {"attendance_signed": [None, 57]}
    assert edited.changes == {"attendance_signed": [57, 61], "reach_estimated": [None, 120]}
    assert all(e.actor == secretary and e.actor_unit == recorded.actor_unit for e in events)

    # The page shows the same, newest first, with who and their unit.
    record = page_record(client, talk)
    kinds = ["撤回公开", "修改举办数据", "记为已举办", "公开", "登记"]
    positions = [record.index(f'activity-event-kind">{k}<') for k in kinds]
    assert positions == sorted(positions)
    assert "计划中 → 已举办" in record and "签到人数：— → 57" in record
    assert "签到人数：57 → 61" in record and "估算惠及人数：— → 120" in record
    assert f"{profile.name}（{recorded.actor_unit}）" in record


def _later() -> dict:
    later = timezone.localtime() + timedelta(days=2)
    return {"starts_at_0": later.strftime("%Y-%m-%d"), "starts_at_1": later.strftime("%H:%M:%S")}


@pytest.mark.django_db
def test_who_cancelled_a_talk_and_why_is_on_its_page_and_its_history(client, place, staff):
    talk = make_talk(place.north_a, status=S.PLANNED, attendance_signed=None)
    area_leader = staff[Role.AREA_LEADER]
    client.force_login(area_leader)
    response = post_step(client, talk, "cancel", reason="场地临时被占用")
    assert "活动已取消" in response.content.decode()
    (event,) = record_of(talk)
    assert (event.kind, event.from_status, event.to_status) == (K.CANCELLED, S.PLANNED, S.CANCELLED)
    assert event.actor == area_leader and event.note == "场地临时被占用"

    post_step(client, talk, "restore")
    restored = record_of(talk)[-1]
    assert (restored.kind, restored.from_status, restored.to_status) == (
        K.RESTORED,
        S.CANCELLED,
        S.PLANNED,
    )
    for html in (
        page_record(client, talk),
        client.get(admin_url(talk, "history")).content.decode(),
    ):
        assert html.index("恢复为计划中") < html.index("场地临时被占用")  # newest first
        assert "已取消 → 计划中" in html and "计划中 → 已取消" in html
        assert name_of(area_leader) in html


FIGURE_EDITS = [
    (make_talk, {"attendance_signed": "64"}, {"attendance_signed": [50, 64]}, "签到人数：50 → 64"),
    (make_visit, {"households_visited": "12"}, {"households_visited": [10, 12]}, "走访户数"),
    (make_session, {"residents_met": "15"}, {"residents_met": [12, 15]}, "接待居民人数：12 → 15"),
    (make_reception, {"residents_served": "9"}, {"residents_served": [15, 9]}, "接待群众人数"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "typed", "changes", "shown"), FIGURE_EDITS)
def test_an_edit_of_a_held_activitys_figures_is_recorded_old_to_new(
    client, place, staff, make, typed, changes, shown
):
    activity = make(place.north_a)
    secretary = staff[Role.SECRETARY]
    client.force_login(secretary)
    # Editing something else is not a figure change (on a public activity, it names the field).
    assert (
        client.post(admin_url(activity), change_data(client, activity, venue="新地点")).status_code
        == 302
    )
    assert [(e.kind, e.changes) for e in record_of(activity)] == [
        (K.CONTENT_CHANGED, {"edited": ["venue"]})
    ]
    assert (
        client.post(admin_url(activity), change_data(client, activity, **typed)).status_code == 302
    )
    (_venue, event) = record_of(activity)
    assert (event.kind, event.actor, event.changes) == (K.FIGURES_CHANGED, secretary, changes)
    assert shown in page_record(client, activity)
    history = client.get(admin_url(activity, "history")).content.decode()
    assert "活动记录" in history and shown in history and name_of(secretary) in history


@pytest.mark.django_db
def test_a_meetings_attendance_is_its_figure(client, place, staff):
    meeting = make_deliberation(place.north_a, minutes="纪要。")
    meeting.attendance.create(category="residents", count=9)
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    data = change_data(client, meeting)
    row = next(k for k, v in data.items() if k.startswith("attendance-") and k.endswith("-count"))
    data[row] = "11"
    assert client.post(admin_url(meeting), data).status_code == 302
    (event,) = record_of(meeting)
    assert event.changes == {"attendance.residents": [9, 11]}
    assert "参会人数（居民代表）：9 → 11" in page_record(client, meeting)


@pytest.mark.django_db
def test_figures_of_a_planned_activity_are_no_record_until_it_is_held(client, place, staff):
    session = make_session(place.north_a, status=S.PLANNED, residents_met=None)
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    data = change_data(client, session, residents_met="3")
    assert client.post(admin_url(session), data).status_code == 302
    assert record_of(session) == []
    post_step(client, session, "held", residents_met="21")
    (event,) = record_of(session)
    assert event.kind == K.HELD and event.changes == {"residents_met": [3, 21]}


@pytest.mark.django_db
def test_a_figure_edit_held_for_review_is_recorded_when_approved(client, place, staff):
    session = make_session(place.north_a, residents_met=12)
    client.force_login(staff[Role.GRID_WORKER])
    response = client.post(
        admin_url(session), change_data(client, session, residents_met="30"), follow=True
    )
    assert "已提交，待有发布权限的人员审核后公开" in response.content.decode()
    assert record_of(session) == []  # submitted, not in effect

    secretary = staff[Role.COMMUNITY_SECRETARY]
    services.approve_revision(ActivityRevision.objects.get(), actor=secretary)
    (event,) = record_of(session)
    assert (event.kind, event.actor, event.changes) == (
        K.FIGURES_CHANGED,
        secretary,
        {"residents_met": [12, 30]},
    )
    assert f"{name_of(staff[Role.GRID_WORKER])}提交" in event.note


@pytest.mark.django_db
def test_a_grid_workers_step_on_a_public_session_waits_and_is_recorded_when_approved(
    client, place, staff
):
    session = make_session(place.north_a, status=S.PLANNED, residents_met=None)
    grid_worker = staff[Role.GRID_WORKER]
    client.force_login(grid_worker)
    page = client.get(admin_url(session)).content.decode()
    assert shown_steps(page) == {"held", "cancel"}
    assert "审核后才生效" in page
    response = post_step(client, session, "held", residents_met="18")
    assert "已提交，待有发布权限的人员审核后公开" in response.content.decode()
    session.refresh_from_db()
    assert session.status == S.PLANNED and record_of(session) == []

    secretary = staff[Role.COMMUNITY_SECRETARY]
    services.approve_revision(ActivityRevision.objects.get(), actor=secretary)
    (event,) = record_of(session)
    assert (event.kind, event.from_status, event.to_status) == (K.HELD, S.PLANNED, S.HELD)
    assert event.actor == secretary and event.changes == {"residents_met": [None, 18]}


@pytest.mark.django_db
def test_a_page_someone_else_acted_on_first_gets_a_clear_message(client, place, staff):
    session = make_session(
        place.north_a, status=S.PLANNED, residents_met=None, title="周五现场办公"
    )
    first, second = Client(), Client()
    first.force_login(staff[Role.COMMUNITY_SECRETARY])
    second.force_login(staff[Role.AREA_LEADER])
    # Both have the page open with the same buttons.
    held = step_data(second, session, "held", residents_met="20")
    cancel = step_data(second, session, "cancel", reason="下雨")
    publish_later = step_data(first, session, "unpublish")

    post_step(first, session, "held", residents_met="16")
    snapshot = OnsiteSession.objects.filter(pk=session.pk).values().get()
    events = record_of(session)
    for data, step in ((held, "held"), (cancel, "cancel")):
        response = second.post(step_url(session, step), data, follow=True)
        assert "“周五现场办公”刚刚已被他人记为已举办，请刷新后再操作" in response.content.decode()
    assert OnsiteSession.objects.filter(pk=session.pk).values().get() == snapshot
    assert record_of(session) == events

    # A publication step from a page drawn before the status moved is refused the same way.
    response = first.post(step_url(session, "unpublish"), publish_later, follow=True)
    assert "刚刚已被他人记为已举办" in response.content.decode()
    assert OnsiteSession.objects.get(pk=session.pk).is_published


@pytest.mark.django_db
def test_bulk_publishing_reports_each_row_it_refuses_and_records_the_rest(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    drafts = [make_talk(place.north_a, is_published=False) for _ in range(2)]
    cancelled = make_talk(
        place.north_a,
        is_published=False,
        status=S.CANCELLED,
        cancel_reason="改期",
        title="改期的宣讲",
    )
    response = client.post(
        reverse("admin:outreach_policytalk_changelist"),
        {"action": "publish_selected", "_selected_action": [t.pk for t in [*drafts, cancelled]]},
        follow=True,
    )
    html = response.content.decode()
    assert "已公开 2 条" in html and "“改期的宣讲”已取消，不能公开" in html
    for talk in drafts:
        (event,) = record_of(talk)
        assert event.kind == K.PUBLISHED and event.actor == staff[Role.COMMUNITY_SECRETARY]
    assert record_of(cancelled) == []


@pytest.mark.django_db
def test_the_rota_and_copies_are_on_the_record_too(place, staff):
    from io import StringIO

    from django.core.management import call_command

    make_rota(place.north_a)
    call_command("plan_onsite_sessions", "--weeks", "1", stdout=StringIO())
    session = OnsiteSession.objects.get()
    recorded, published = record_of(session)
    assert (recorded.kind, recorded.actor, recorded.actor_unit) == (K.RECORDED, None, "系统")
    assert "现场办公排班" in recorded.note and published.kind == K.PUBLISHED

    copy = services.copy_as_new(make_talk(place.north_a), actor=staff[Role.GRID_WORKER])
    (event,) = record_of(copy)
    assert event.kind == K.RECORDED and event.to_status == S.PLANNED and "复制自" in event.note


@pytest.mark.django_db
def test_the_record_cannot_be_edited(place, staff):
    talk = make_talk(place.north_a, is_published=False)
    services.publish_activity(talk, actor=staff[Role.SECRETARY])
    event = ActivityEvent.objects.of(talk).get()
    with pytest.raises(DatabaseError), transaction.atomic():
        ActivityEvent.objects.filter(pk=event.pk).update(note="改过")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            ActivityEvent.objects.filter(pk=event.pk).delete()
    assert ActivityEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["change", "history"])
def test_the_record_costs_the_same_queries_for_1_and_30_entries(client, place, staff, view):
    talk = make_talk(place.north_a, is_published=False)
    secretary = staff[Role.SECRETARY]
    others = [staff[Role.AREA_LEADER], staff[Role.COMMUNITY_SECRETARY]]
    services.publish_activity(talk, actor=secretary)
    client.force_login(secretary)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(admin_url(talk, view)).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for i in range(29):
        actor = others[i % 2]
        if i % 2:
            services.publish_activity(talk, actor=actor)
        else:
            services.unpublish_activity(talk, actor=actor)
    assert ActivityEvent.objects.of(talk).count() == 30
    assert count() == one


# --- two staff at once, on PostgreSQL (row locks) ------------------------------------------

THREADS = 8


def race(work) -> tuple[list, list[str]]:
    return races.race(work, refused=services.ActivityError, threads=THREADS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_marking_one_session_at_once_have_one_winner(place, staff):
    session = make_session(place.north_a, status=S.PLANNED, residents_met=None, title="同时办理")
    seen = "planned.published"
    secretary = staff[Role.COMMUNITY_SECRETARY]
    wins, losses = race(
        lambda i: (
            services.mark_held(session, actor=secretary, seen=seen, residents_met=10 + i)
            if i % 2
            else services.cancel_activity(session, actor=secretary, reason=f"原因{i}", seen=seen)
        )
    )
    assert len(wins) == 1 and len(losses) == THREADS - 1
    assert all("“同时办理”刚刚已被他人" in message for message in losses)
    assert ActivityEvent.objects.of(session).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_one_activity_at_once_records_it_once(place, staff):
    meeting = make_deliberation(place.north_a, is_published=False, minutes="纪要。")
    secretary = staff[Role.SECRETARY]
    wins, losses = race(lambda i: services.publish_activity(meeting, actor=secretary))
    assert len(wins) == 1 and len(losses) == THREADS - 1
    assert all("已经公开" in message for message in losses)
    assert ActivityEvent.objects.of(meeting).filter(kind=K.PUBLISHED).count() == 1
    assert Deliberation.objects.get(pk=meeting.pk).is_published


# --- the change form and the steps at once ---------------------------------------------------


def _meanwhile(monkeypatch, name: str, step) -> None:
    """Run ``step`` as another member of staff would, after the change form read the activity
    and before its save takes the row lock (the window a real race falls in)."""
    real = getattr(services, name)

    def later(activity):
        step(type(activity).objects.get(pk=activity.pk))
        return real(activity)

    monkeypatch.setattr(services, name, later)


@pytest.mark.django_db
def test_saving_the_form_never_undoes_a_step_taken_meanwhile(client, place, staff, monkeypatch):
    """The form saved after someone cancelled (or withdrew) the activity keeps the step: the
    talk stays cancelled with its reason, withdrawn stays withdrawn, and the record does not
    say the editor restored or republished it."""
    editor, other = staff[Role.COMMUNITY_SECRETARY], staff[Role.SECRETARY]
    talk = make_talk(place.north_a, status=S.PLANNED, is_published=True)
    client.force_login(editor)
    data = change_data(client, talk, title="改过的标题")

    def step(t):
        services.cancel_activity(t, actor=other, reason="场地临时停电")
        services.unpublish_activity(PolicyTalk.objects.get(pk=t.pk), actor=other)

    _meanwhile(monkeypatch, "begin_edit", step)
    client.post(admin_url(talk), data)
    talk.refresh_from_db()
    assert talk.title == "改过的标题"
    assert talk.status == S.CANCELLED and talk.cancel_reason == "场地临时停电"
    assert not talk.is_published
    kinds = [e.kind for e in ActivityEvent.objects.of(talk)]
    assert ActivityEventKind.RESTORED not in kinds and kinds.count(ActivityEventKind.PUBLISHED) <= 1


@pytest.mark.django_db
def test_an_edit_held_for_review_never_carries_a_step_taken_meanwhile(
    client, place, staff, monkeypatch
):
    """A grid worker's edit of a public talk waits for review; cancelled meanwhile, approving
    the edit must not bring the talk back."""
    worker, secretary = staff[Role.GRID_WORKER], staff[Role.COMMUNITY_SECRETARY]
    talk = make_talk(place.north_a, status=S.PLANNED, is_published=True)
    client.force_login(worker)
    data = change_data(client, talk, title="网格员改的标题")
    _meanwhile(
        monkeypatch,
        "hold_edit",
        lambda t: services.cancel_activity(t, actor=secretary, reason="主讲人临时出差"),
    )
    client.post(admin_url(talk), data)
    revision = ActivityRevision.objects.pending().get()
    assert "status" not in revision.changes and "cancel_reason" not in revision.changes
    services.approve_revision(revision, actor=secretary)
    talk.refresh_from_db()
    assert talk.status == S.CANCELLED and talk.title == "网格员改的标题"


@pytest.mark.django_db
def test_a_form_drawn_before_a_step_is_shown_again_with_the_step_named(client, place, staff):
    editor, other = staff[Role.COMMUNITY_SECRETARY], staff[Role.SECRETARY]
    talk = make_talk(place.north_a, status=S.PLANNED, is_published=True)
    client.force_login(editor)
    data = change_data(client, talk, title="打开页面后改的标题")
    services.cancel_activity(talk, actor=other, reason="场地临时停电")

    response = client.post(admin_url(talk), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "刚刚已被他人取消。您填写的内容已保留，请核对后再次保存。" in page
    assert 'value="打开页面后改的标题"' in page
    talk.refresh_from_db()
    assert talk.title != "打开页面后改的标题"
    # Saved again from the page as redrawn, it goes ahead, and the talk stays cancelled.
    again = response.context["adminform"].form.data.copy()
    assert client.post(admin_url(talk), again).status_code == 302
    talk.refresh_from_db()
    assert talk.title == "打开页面后改的标题" and talk.status == S.CANCELLED
