"""The workbench (工作台): /admin/ opens, for each role, on what waits for that person.

Each count on the page equals the rows its link lists for the same person; quick actions are
the add pages the role may open; the week's planned activities are those in the person's scope;
the page costs the same number of queries for 1 record and for 50.
"""

from __future__ import annotations

import html
import itertools
import re
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outreach.models import ActivityRevision, ActivityStatus, PolicyTalk
from petitions import services
from petitions.models import Case, Satisfaction, Triage
from portal.models import LoginLockout, StaffProfile
from portal.news import services as news
from portal.news.models import Article, Column
from portal.news.services import Draft
from portal.roles import PERMISSIONS, Role
from portal.services import grant_role
from tests.factories import (
    make_case,
    make_reception,
    make_session,
    make_staff,
    make_talk,
    make_user,
    make_visit,
)

INDEX = "/admin/"

CASE_ALL = {
    "to_accept",
    "to_assign",
    "to_sign",
    "handling",
    "redo",
    "due_soon",
    "overdue",
    "followup_due",
    "awaiting_visit",
    "supervised",
}
CASE_HANDLING = CASE_ALL - {"to_accept", "to_assign"}  # handlers who do not coordinate
CASE_READING = {"overdue", "followup_due", "supervised"}  # 领导/审计: oversight, reads only
PRACTICES = ("policytalk", "fieldvisit", "onsitesession", "deliberation", "reception")
PUBLISHING = {f"{p}_{q}" for p in PRACTICES for q in ("unpublished", "review")}
# News: 待我审核 for the roles the review chain names, 待发布 and 定时发布未执行 for those who
# publish, 退回待修改 for those who write.
NEWS_PUBLISHING = {"news_to_publish", "news_schedule_missed"}
EXPECTED_QUEUES = {
    Role.SECRETARY: CASE_ALL
    | PUBLISHING
    | {"roles_to_approve", "news_to_sign", "news_sent_back"}
    | NEWS_PUBLISHING,
    Role.AREA_LEADER: CASE_ALL | PUBLISHING | {"news_to_sign"},
    Role.COMMUNITY_SECRETARY: CASE_ALL | PUBLISHING | {"news_sent_back"},
    Role.GRID_WORKER: CASE_HANDLING,
    Role.MEDIATOR: CASE_HANDLING - {"awaiting_visit"},  # they rate no one's work
    Role.OFFICIAL: CASE_READING,
    # 网站纠错 reports are theirs to accept, assign, handle and rate (and only those).
    Role.EDITOR: CASE_ALL | {"news_to_sign", "news_sent_back"} | NEWS_PUBLISHING,
    Role.SYSADMIN: {"locked_accounts", "roles_submitted", "accounts_without_role"},
}
QUICK_ACTIONS = {
    "petitions.case": "登记诉求",
    "outreach.onsitesession": "记录现场办公",
    "outreach.fieldvisit": "记录走访",
    "outreach.policytalk": "记录宣讲",
    "petitions.reception": "记录接访",
}
# The system administrator's: (label, the page it opens).
ACCOUNT_ACTIONS = {
    "auth.user": ("添加工作人员", "/admin/auth/user/add/"),
    "portal.staffprofile": ("人员与角色", "/admin/portal/staffprofile/"),
    "portal.calendarday": ("工作日历", "/admin/portal/calendarday/"),
}

QUEUE_LINK = re.compile(
    r'<a class="wb-queue[^"]*" href="([^"]+)" data-queue="([^"]+)"[^>]*>(.*?)</a>'
)
COUNT = re.compile(r'<span class="wb-count">(\d+)</span>')
ACTION_LINK = re.compile(r'<a class="wb-action" href="([^"]+)" data-action="([^"]+)">([^<]+)</a>')


def queues_on(page: str) -> dict[str, tuple[str, int]]:
    """{key: (link, count as shown)} of every queue on the page."""
    found = {}
    for href, key, inner in QUEUE_LINK.findall(page):
        shown = COUNT.search(inner)
        assert shown, f"{key}: no count shown"
        found[key] = (html.unescape(href), int(shown.group(1)))
    return found


def profile(user) -> StaffProfile:
    return StaffProfile.objects.get(user=user)


def this_week_other_day():
    """A day of this week other than today (tomorrow, or yesterday on a Sunday)."""
    today = timezone.localdate()
    return today + timedelta(days=1) if today.weekday() < 6 else today - timedelta(days=1)


def at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def world(place, staff):
    """Cases in every queue, activities waiting to be published or reviewed, planned activities
    inside and outside the scopes of `staff`, and roles waiting for approval."""
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    today = timezone.localdate()

    def accepted(grid, **kw):
        return services.accept_case(make_case(grid, actor=secretary, **kw), actor=secretary)

    def assigned(grid, handler=worker, **kw):
        return services.assign_case(accepted(grid, **kw), actor=secretary, handler=profile(handler))

    def in_progress(grid, handler=worker, **kw):
        return services.sign_case(assigned(grid, handler, **kw), actor=handler)

    def concluded(case, actor):
        return services.conclude_case(case, actor=actor, result="已清理", reply="已清理楼道")

    cases = {
        "new north": make_case(place.north_a),
        "new south": make_case(place.south_a),
        "new west": make_case(place.west_a),
        "accepted": accepted(place.north_b),
        "to sign": assigned(place.north_a),
        "to sign (secretary)": assigned(place.north_b, secretary),
        "in progress": in_progress(place.north_a),
        "in progress (secretary)": in_progress(place.south_a, secretary),
        "concluded by the worker": concluded(in_progress(place.north_a), worker),
        "concluded by the secretary": concluded(in_progress(place.north_a), secretary),
        "redo": services.record_followup(
            concluded(in_progress(place.north_a), secretary),
            actor=None,
            satisfaction=Satisfaction.DISSATISFIED,
            method="online",
        ),
        "supervised": services.supervise_case(
            in_progress(place.south_a), actor=secretary, note="群众反映强烈"
        ),
        "overdue": in_progress(place.north_a),
        "due soon": in_progress(place.north_b),
        "long-term": in_progress(place.north_a, triage=Triage.LONG_TERM),
    }
    Case.objects.filter(pk=cases["overdue"].pk).update(conclude_due=today - timedelta(days=2))
    Case.objects.filter(pk=cases["due soon"].pk).update(conclude_due=today + timedelta(days=1))
    Case.objects.filter(pk=cases["long-term"].pk).update(
        next_followup_due=today - timedelta(days=1)
    )

    planned = {"status": ActivityStatus.PLANNED, "is_published": False}
    other_day = this_week_other_day()
    activities = {
        "talk today north": make_talk(place.north_a, starts_at=at(today, 23), **planned),
        "reception this week north": make_reception(
            place.north_b, starts_at=at(other_day, 9), **planned
        ),
        "visit this week south": make_visit(place.south_a, starts_at=at(other_day, 10), **planned),
        "session today west": make_session(place.west_a, starts_at=at(today, 8), **planned),
        "talk next week north": make_talk(
            place.north_a, starts_at=at(today + timedelta(days=8), 9), **planned
        ),
        "talk cancelled north": make_talk(
            place.north_a,
            starts_at=at(today, 15),
            status=ActivityStatus.CANCELLED,
            cancel_reason="下雨",
            is_published=False,
        ),
        "talk held unpublished north": make_talk(place.north_b, is_published=False),
        "talk published north": make_talk(place.north_a),
    }
    live = activities["talk published north"]
    ActivityRevision.objects.create(
        content_type=ContentType.objects.get_for_model(PolicyTalk),
        object_id=live.pk,
        community=live.community,
        grid=live.grid,
        title=live.title,
        changes={"fields": {"title": [live.title, "改后的标题"]}},
        submitted_by=worker,
    )
    make_staff(Role.GRID_WORKER, grids=[place.north_b], approved=False, name="待批准网格员")
    gone = make_staff(Role.GRID_WORKER, grids=[place.north_b], approved=False)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    account_work(staff, place, "w")
    return {"cases": cases, "activities": activities, "articles": news_desk(staff)}


def news_desk(staff) -> dict[str, Article]:
    """An article in each news queue of the party secretary: one waiting for 审发, one
    approved, one whose scheduled time passed unpublished, one of his sent back."""
    secretary, community = staff[Role.SECRETARY], staff[Role.COMMUNITY_SECRETARY]
    editor, area = staff[Role.EDITOR], staff[Role.AREA_LEADER]
    column = Column.objects.get(slug="jiceng-zhili")

    def written(title: str, author, submitter=None) -> Article:
        article = news.create_article(
            Draft(title=title, column=column, body="<p>正文</p>", source="凤凰岭街道"),
            actor=author,
        )
        news.submit(article, actor=submitter or author)
        return article

    def signed(title: str, through_shenfa: bool = False) -> Article:
        article = written(title, community)
        news.sign(article, actor=editor)
        news.sign(article, actor=area)
        if through_shenfa:
            news.sign(article, actor=secretary)
        return article

    late = signed("定时发布稿", through_shenfa=True)
    news.publish(late, actor=editor, at=timezone.now() + timedelta(minutes=1))
    Article.objects.filter(pk=late.pk).update(publish_at=timezone.now() - timedelta(minutes=10))
    # He sent it in (his own writing could not go in: no one else signs 审发).
    sent_back = written("退回稿", community, submitter=secretary)
    news.send_back(sent_back, actor=editor, reason="请补充时间地点")
    return {
        "at 审发": signed("待审发稿"),
        "approved": signed("待发布稿", through_shenfa=True),
        "schedule missed": late,
        "sent back": sent_back,
    }


def account_work(staff, place, tag: str) -> None:
    """What the system administrator looks after: a user name locked now and one whose lock
    ran out, an account without a role (and a superuser, who needs none), and a role change
    they submitted that waits for the secretary."""
    now = timezone.now()
    for name, minutes_ago in ((f"locked{tag}", 1), (f"expired{tag}", 60)):
        lockout = LoginLockout.objects.create(
            username=name,
            ip_address="10.0.0.1",
            user_agent="test",
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/admin/login/",
            failures_since_start=settings.AXES_FAILURE_LIMIT,
        )
        # attempt_time is set on creation; the lock's age is what matters here.
        LoginLockout.objects.filter(pk=lockout.pk).update(
            attempt_time=now - timedelta(minutes=minutes_ago)
        )
    make_user(f"norole{tag}")
    make_user(f"root{tag}", is_superuser=True)
    changed = make_staff(Role.GRID_WORKER, grids=[place.north_a])
    grant_role(
        changed,
        actor=staff[Role.SYSADMIN],
        name=changed.staff_profile.name,
        role=Role.GRID_WORKER,
        grids=[place.north_a, place.north_b],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_queues_and_no_others(client, staff, world, role):
    client.force_login(staff[role])
    page = client.get(INDEX).content.decode()
    assert set(queues_on(page)) == EXPECTED_QUEUES[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_count_is_the_number_of_rows_its_link_lists(client, staff, world, role):
    client.force_login(staff[role])
    queues = queues_on(client.get(INDEX).content.decode())
    for key, (url, count) in queues.items():
        response = client.get(url)
        assert response.status_code == 200, (key, url)
        changelist = response.context["cl"]
        assert len(changelist.result_list) == changelist.result_count == count, (key, url)
    if role is Role.SECRETARY:
        # The fixture puts something in every queue the party secretary has.
        assert {key for key, (_url, count) in queues.items() if count == 0} == {
            f"{p}_review" for p in PRACTICES if p != "policytalk"
        } | {f"{p}_unpublished" for p in ("deliberation",)}


@pytest.mark.django_db
def test_counts_follow_the_persons_scope_and_assignments(client, staff, world):
    def counts(role):
        client.force_login(staff[role])
        return {k: n for k, (_u, n) in queues_on(client.get(INDEX).content.decode()).items()}

    secretary, area = counts(Role.SECRETARY), counts(Role.AREA_LEADER)
    community, worker = counts(Role.COMMUNITY_SECRETARY), counts(Role.GRID_WORKER)
    # 待受理: one new case in each of 北苑, 南湖, 西山.
    assert (secretary["to_accept"], area["to_accept"], community["to_accept"]) == (3, 2, 1)
    # The handler's own queues hold the cases assigned to that person only.
    assert (worker["to_sign"], secretary["to_sign"]) == (1, 1)
    assert secretary["handling"] == 1 and worker["handling"] >= 4
    # A 回访 is not recorded by whoever worked on the case: the worker handled both concluded
    # cases, the secretary concluded one of them.
    assert worker["awaiting_visit"] == 0 and secretary["awaiting_visit"] == 1
    assert community["awaiting_visit"] == 2
    # 登记后待公开: planned or held, not cancelled, in scope (北苑 has a talk planned today and
    # one held; the talk next week waits too).
    assert community["policytalk_unpublished"] == 3
    assert community["fieldvisit_unpublished"] == 0 and area["fieldvisit_unpublished"] == 1
    assert secretary["onsitesession_unpublished"] == 1 and "onsitesession_unpublished" in area
    assert area["onsitesession_unpublished"] == 0
    assert community["policytalk_review"] == 1 and community["reception_unpublished"] == 1
    # A new role and a changed one wait (the inactive account's does not), never the
    # approver's own.
    assert secretary["roles_to_approve"] == 2


@pytest.mark.django_db
def test_late_work_stands_out_and_empty_queues_are_quiet(client, staff, world):
    client.force_login(staff[Role.SECRETARY])
    page = client.get(INDEX).content.decode()

    def classes(key: str) -> str:
        found = re.search(rf'<a class="wb-queue ([^"]*)"[^>]*data-queue="{key}"', page)
        return found.group(1) if found else ""

    assert "wb-danger" in classes("overdue")
    assert "wb-zero" in classes("deliberation_unpublished")
    # Queues with something waiting come as tiles before the quiet line of empty ones.
    tiles = page.index('class="wb-tiles"')
    assert tiles < page.index('class="wb-empty"')


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_quick_actions_are_the_add_pages_the_role_may_open(client, staff, role):
    client.force_login(staff[role])
    page = client.get(INDEX).content.decode()
    actions = {key: (url, label) for url, key, label in ACTION_LINK.findall(page)}
    may_add = {
        label for label in QUICK_ACTIONS if "add" in PERMISSIONS[role].get(label, frozenset())
    }
    if role is Role.SYSADMIN:
        may_add = set(ACCOUNT_ACTIONS)
    assert set(actions) == may_add
    for key, (url, label) in actions.items():
        if role is Role.SYSADMIN:
            assert (label, html.unescape(url)) == ACCOUNT_ACTIONS[key]
        else:
            assert label == QUICK_ACTIONS[key]
        assert client.get(html.unescape(url)).status_code == 200, key
    if role is Role.GRID_WORKER:
        assert set(actions) == set(QUICK_ACTIONS)  # logs everything on the spot
    if role is Role.SYSADMIN:
        assert "常用操作" in page and "快速登记" not in page
    if role in (Role.MEDIATOR, Role.OFFICIAL):
        assert 'class="wb-actions' not in page


def agenda(page: str, which: str) -> str:
    found = re.search(rf'<ul class="wb-events" data-agenda="{which}">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


@pytest.mark.django_db
def test_agenda_lists_this_weeks_planned_activities_in_scope(client, staff, world):
    activities = world["activities"]
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    page = client.get(INDEX).content.decode()
    today, week = agenda(page, "today"), agenda(page, "week")
    assert activities["talk today north"].title in today
    assert activities["reception this week north"].title in week
    assert activities["reception this week north"].title not in today
    for absent in (
        "visit this week south",  # 南湖 is not the community secretary's
        "session today west",
        "talk next week north",
        "talk cancelled north",
        "talk held unpublished north",
    ):
        assert activities[absent].title not in page, absent
    for activity in (activities["talk today north"], activities["reception this week north"]):
        meta = activity._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[activity.pk])
        assert f'href="{url}"' in page
        assert client.get(url).status_code == 200
    assert "北苑社区" in today and activities["talk today north"].venue in today
    assert "政策宣讲" in today and "信访接待" in week

    # The area leader's scope takes in 南湖; the party secretary's the whole sub-district.
    client.force_login(staff[Role.AREA_LEADER])
    page = client.get(INDEX).content.decode()
    assert activities["visit this week south"].title in agenda(page, "week")
    assert activities["session today west"].title not in page
    client.force_login(staff[Role.SECRETARY])
    today = agenda(client.get(INDEX).content.decode(), "today")
    # In time order: the 08:00 session before the 23:00 talk.
    assert today.index(activities["session today west"].title) < today.index(
        activities["talk today north"].title
    )


@pytest.mark.django_db
def test_a_long_week_is_cut_at_its_past_end_and_says_so(client, place, staff, freeze):
    thursday = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.get_current_timezone())
    monday = thursday.date() - timedelta(days=3)
    planned = {"status": ActivityStatus.PLANNED, "is_published": False}
    with freeze(thursday):
        late = [make_talk(place.north_a, starts_at=at(monday, 9), **planned) for _ in range(31)]
        today = make_talk(place.north_a, starts_at=at(thursday.date(), 15), **planned)
        client.force_login(staff[Role.COMMUNITY_SECRETARY])
        page = client.get(INDEX).content.decode()
    assert today.title in agenda(page, "today")
    assert agenda(page, "week").count('class="wb-event') == 29  # 30 shown in all
    assert "这里只列出 30 项" in page
    assert "时间已过，待记为已举办或取消" in agenda(page, "week")
    assert sum(talk.title in page for talk in late) == 29


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.SYSADMIN])
def test_roles_that_see_no_activities_have_no_agenda(client, staff, world, role):
    client.force_login(staff[role])
    assert 'class="wb-section wb-agenda"' not in client.get(INDEX).content.decode()


_grown = itertools.count()


def grow(place, staff, n: int) -> None:
    """n more of every kind of record the workbench counts or lists."""
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    today = timezone.localdate()
    planned = {"status": ActivityStatus.PLANNED, "is_published": False}
    for i in range(n):
        case = make_case(place.north_a, actor=secretary)
        if i % 2:
            case = services.accept_case(case, actor=secretary)
            case = services.assign_case(case, actor=secretary, handler=profile(worker))
        for make in (make_talk, make_visit, make_session, make_reception):
            make(place.north_a, starts_at=at(today, 1 + i % 22), **planned)
        live = make_talk(place.north_b)
        ActivityRevision.objects.create(
            content_type=ContentType.objects.get_for_model(PolicyTalk),
            object_id=live.pk,
            community=live.community,
            grid=live.grid,
            title=live.title,
            changes={},
            submitted_by=worker,
        )
        make_staff(Role.GRID_WORKER, grids=[place.north_b], approved=False)
        account_work(staff, place, f"g{next(_grown)}")


def index_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(INDEX)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.SECRETARY, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.SYSADMIN]
)
def test_query_count_does_not_grow_with_records(
    client, place, staff, role, django_assert_num_queries
):
    client.force_login(staff[role])
    grow(place, staff, 1)
    index_queries(client)  # warm the caches (content types, permissions of the session)
    few = index_queries(client)
    grow(place, staff, 49)
    with django_assert_num_queries(few):
        response = client.get(INDEX)
    assert few <= 25
    shown = queues_on(response.content.decode())
    if role is Role.SECRETARY:
        # 50 new accounts and 50 changes the system administrator made
        assert shown["to_accept"][1] >= 25 and shown["roles_to_approve"][1] == 100
    if role is Role.GRID_WORKER:
        assert shown["to_sign"][1] == 24  # every second case of the 49 went to the worker
    if role is Role.SYSADMIN:
        assert shown["locked_accounts"][1] == shown["roles_submitted"][1] == 50
        return  # no activities: no agenda
    assert len(agenda(response.content.decode(), "today")) > 0


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_a_role_awaiting_approval_is_told_so_instead_of_empty_queues(client, place, world):
    waiting = make_staff(Role.COMMUNITY_SECRETARY, communities=[place.north], approved=False)
    client.force_login(waiting)
    page = client.get(INDEX).content.decode()
    assert "角色等待批准" in page and "正在等待街道党工委书记批准" in page
    assert "data-queue=" not in page and 'class="wb-action"' not in page
    assert world["activities"]["talk today north"].title not in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_the_model_list_stays_below_as_django_builds_it(client, staff, role):
    client.force_login(staff[role])
    response = client.get(INDEX)
    page = response.content.decode()
    fold = page.index('id="wb-apps"')
    name = staff[role].staff_profile.name
    assert f"您好，{name}。" in page and staff[role].staff_profile.get_role_display() in page
    for app in response.context["app_list"]:
        for model in app["models"]:
            if model.get("admin_url"):
                assert page.index(f'href="{model["admin_url"]}"', fold) > fold, model["name"]


@pytest.mark.django_db
def test_recent_changes_say_what_was_done_and_that_they_are_form_edits(client, staff, place):
    user = staff[Role.SYSADMIN]
    target = profile(staff[Role.GRID_WORKER])
    kind = ContentType.objects.get_for_model(StaffProfile)
    for flag, message in (
        (ADDITION, "新增。"),
        (CHANGE, "负责网格：北苑第一网格 → 北苑第一网格、北苑第二网格"),
        (CHANGE, "批准角色与范围"),
    ):
        LogEntry.objects.create(
            user=user,
            content_type=kind,
            object_id=str(target.pk),
            object_repr=str(target),
            action_flag=flag,
            change_message=message,
        )
    client.force_login(user)
    page = client.get(INDEX).content.decode()
    box = page[page.index('id="recent-actions-module"') :]
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", box)))
    assert "最近在后台的修改" in text and "只列出您在后台表单中" in text
    assert f"修改 {target} 负责网格：北苑第一网格 → 北苑第一网格、北苑第二网格" in text
    assert f"修改 {target} 批准角色与范围" in text
    assert f"新增 {target}" in text


@pytest.mark.django_db
def test_the_system_administrators_workbench_lists_account_work(client, staff, place, world):
    client.force_login(staff[Role.SYSADMIN])
    page = client.get(INDEX).content.decode()
    shown = queues_on(page)
    assert shown["locked_accounts"][1] == 1  # the expired lock is not counted
    # Accounts the factories made for activities' authors have no role either; the
    # superuser needs none.
    without = get_user_model().objects.filter(staff_profile__isnull=True, is_superuser=False)
    assert shown["accounts_without_role"][1] == without.count() > 0
    assert shown["roles_submitted"][1] == 1
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert "登录被锁定的账号" in text and "未设置角色的账号" in text
    assert "您的角色没有需要处理的诉求或活动队列" not in text
    locked = client.get(shown["locked_accounts"][0]).content.decode()
    assert "lockedw" in locked and "expiredw" not in locked
    listed = client.get(shown["accounts_without_role"][0]).content.decode()
    assert "norolew" in listed and "rootw" not in listed
