"""Permission tests generated from the role matrix in portal.roles.

Every admin screen × every role × every action is checked both ways: the role's group holds
exactly the permissions the matrix grants, and the admin answers accordingly. A new admin
screen or role without a matrix entry (or without a sample row below) fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from outreach.models import ResearchTheme, TalkSeries
from petitions import services as petitions_services
from petitions.models import (
    Category,
    DeadlineRule,
    ExportRecord,
    LeadershipDecision,
    ReplyTemplate,
)
from portal.models import CalendarDay, DayKind, Qualification, StaffProfile, TeamMember
from portal.news import services as news_services
from portal.news.models import Column, ProofTerm, ReviewStep
from portal.news.services import Draft
from portal.roles import (
    CONFIGURATION_MODELS,
    GROUP_NAMES,
    PERMISSIONS,
    RECORD_MODELS,
    RECORD_REACH,
    REFERENCE_REACH,
    Role,
)
from tests.factories import (
    make_deliberation,
    make_reception,
    make_rota,
    make_session,
    make_talk,
    make_team,
    make_visit,
)
from tests.petitions.factories_admin import assigned_case

ADMIN_MODELS = sorted(
    f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry
)
ACTIONS = ("view", "add", "change", "delete")


def case_for_every_case_role(place: Any, staff: dict) -> Any:
    case = assigned_case(place, staff)
    return petitions_services.assign_case(
        case,
        actor=staff[Role.SECRETARY],
        handler=StaffProfile.objects.get(user=staff[Role.GRID_WORKER]),
        co_handlers=[StaffProfile.objects.get(user=staff[Role.EDITOR])],
    )


# One row of each admin model, inside every scoped role's scope (place.north_a).
SAMPLES: dict[str, Callable[[Any, dict], Any]] = {
    "portal.community": lambda place, staff: place.north,
    "portal.grid": lambda place, staff: place.north_a,
    "portal.compound": lambda place, staff: place.compounds[place.north_a.name],
    "portal.qualification": lambda place, staff: Qualification.objects.create(name="人民调解员"),
    "portal.team": lambda place, staff: make_team(name="和为贵"),
    "portal.teammember": lambda place, staff: TeamMember.objects.create(
        team=make_team(), name="郭凤琴"
    ),
    "portal.staffprofile": lambda place, staff: StaffProfile.objects.get(
        user=staff[Role.GRID_WORKER]
    ),
    "auth.user": lambda place, staff: staff[Role.GRID_WORKER],
    "auth.group": lambda place, staff: Group.objects.get(name=GROUP_NAMES[Role.GRID_WORKER]),
    "outreach.policytalk": lambda place, staff: make_talk(place.north_a),
    "outreach.fieldvisit": lambda place, staff: make_visit(place.north_a),
    "outreach.onsitesession": lambda place, staff: make_session(place.north_a),
    "outreach.deliberation": lambda place, staff: make_deliberation(place.north_a),
    "outreach.onsiterota": lambda place, staff: make_rota(place.north_a),
    "outreach.talkseries": lambda place, staff: TalkSeries.objects.create(name="文化进万家"),
    "outreach.researchtheme": lambda place, staff: ResearchTheme.objects.create(name="智慧社区"),
    "portal.loginlockout": lambda place, staff: AccessAttempt.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="t", failures_since_start=3
    ),
    "portal.loginrecord": lambda place, staff: AccessLog.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="t"
    ),
    "portal.loginfailure": lambda place, staff: AccessFailureLog.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="t"
    ),
    "portal.calendarday": lambda place, staff: CalendarDay.objects.get_or_create(
        date=date(2027, 10, 1), defaults={"kind": DayKind.HOLIDAY, "name": "国庆节"}
    )[0],
    # Assigned to the grid worker with the mediator and a news editor helping (editors reach
    # only 网站纠错 and what they are assigned), so every case role reaches it.
    "petitions.case": lambda place, staff: case_for_every_case_role(place, staff),
    "petitions.reception": lambda place, staff: make_reception(place.north_a),
    "petitions.caseevent": lambda place, staff: case_for_every_case_role(
        place, staff
    ).events.first(),
    "petitions.exportrecord": lambda place, staff: ExportRecord.objects.create(
        actor=staff[Role.SECRETARY], what="诉求", rows=3
    ),
    "petitions.category": lambda place, staff: Category.objects.get(name="环境卫生"),
    "petitions.deadlinerule": lambda place, staff: DeadlineRule.objects.filter(
        category__isnull=True
    ).first(),
    "petitions.replytemplate": lambda place, staff: ReplyTemplate.objects.create(
        title="已办结", text="您反映的问题已办结。"
    ),
    "petitions.leadershipdecision": lambda place, staff: LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=date(2026, 11, 20), text="统一清理楼道堆物"
    ),
    # A community secretary's draft in 北苑, which every role that reads news reaches.
    "news.article": lambda place, staff: news_services.create_article(
        Draft(
            title="北苑社区召开议事协商会",
            column=Column.objects.get(slug="jiceng-zhili"),
            body="<p>居民代表、物业和网格员共商车棚改造。</p>",
            source="北苑社区居委会",
        ),
        actor=staff[Role.COMMUNITY_SECRETARY],
    ),
    "news.column": lambda place, staff: Column.objects.get(slug="tongzhi-gonggao"),
    "news.reviewstep": lambda place, staff: ReviewStep.objects.get(name="审核"),
    "news.proofterm": lambda place, staff: ProofTerm.objects.get(wrong="做为"),
}


# Screens that never offer "add" themselves: the row is created elsewhere.
ADDED_ELSEWHERE = {
    "portal.staffprofile",  # on the account page (用户 → 增加)
    "portal.loginlockout",  # written by the login form
    "portal.loginrecord",
    "portal.loginfailure",
    "petitions.caseevent",  # written by petitions.services, append-only
    "petitions.exportrecord",  # written by the export
}


def allowed(role: Role, label: str, action: str) -> bool:
    return action in PERMISSIONS[role].get(label, frozenset())


def test_every_role_has_a_complete_entry():
    for role in Role:
        assert role in PERMISSIONS, f"{role} has no permission row"
        assert role in RECORD_REACH and role in REFERENCE_REACH, f"{role} has no reach"
        assert role in GROUP_NAMES, f"{role} has no group name"


def test_every_admin_screen_is_in_the_matrix():
    covered = {label for rows in PERMISSIONS.values() for label in rows}
    missing = set(ADMIN_MODELS) - covered
    assert not missing, f"admin screens with no role in portal.roles.PERMISSIONS: {missing}"


def test_every_admin_screen_has_a_sample_row_for_these_tests():
    missing = set(ADMIN_MODELS) - set(SAMPLES)
    assert not missing, f"add a sample row to SAMPLES for: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_group_holds_exactly_the_matrix_permissions(role):
    group = Group.objects.get(name=GROUP_NAMES[role])
    held = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }
    expected = {
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for label, actions in PERMISSIONS[role].items()
        for action in actions
    }
    assert held == expected


def test_every_model_of_the_record_apps_is_classified():
    from django.apps import apps

    labels = {
        f"{m._meta.app_label}.{m._meta.model_name}"
        for app in ("outreach", "petitions")
        for m in apps.get_app_config(app).get_models()
    }
    unclassified = labels - set(RECORD_MODELS) - set(CONFIGURATION_MODELS)
    assert not unclassified, f"add to RECORD_MODELS or CONFIGURATION_MODELS: {unclassified}"


@pytest.mark.django_db
def test_system_administrator_holds_nothing_on_records():
    group = Group.objects.get(name=GROUP_NAMES[Role.SYSADMIN])
    held = {
        f"{p.content_type.app_label}.{p.content_type.model}"
        for p in group.permissions.select_related("content_type")
    }
    assert not held & set(RECORD_MODELS)
    assert not Permission.objects.filter(
        group__name=GROUP_NAMES[Role.SYSADMIN], codename__startswith="reveal"
    ).exists()


def _admin_url(label: str, view: str, *args: Any) -> str:
    app_label, model = label.split(".")
    return reverse(f"admin:{app_label}_{model}_{view}", args=args)


@pytest.mark.django_db
@pytest.mark.parametrize("label", ADMIN_MODELS)
@pytest.mark.parametrize("role", list(Role))
def test_admin_answers_as_the_matrix_says(client, place, staff, role, label):
    obj = SAMPLES[label](place, staff)
    client.force_login(staff[role])
    can_view = allowed(role, label, "view") or allowed(role, label, "change")

    response = client.get(_admin_url(label, "changelist"))
    assert response.status_code == (200 if can_view else 403)

    response = client.get(_admin_url(label, "add"))
    can_add = allowed(role, label, "add") and label not in ADDED_ELSEWHERE
    assert response.status_code == (200 if can_add else 403)

    response = client.get(_admin_url(label, "change", obj.pk))
    if not can_view:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        editable = b'name="_save"' in response.content
        # Nobody edits their own account's role: the grid worker's own row is read-only.
        own_row = label in {"auth.user", "portal.staffprofile"} and role is Role.GRID_WORKER
        assert editable == (allowed(role, label, "change") and not own_row), (role, label)

    response = client.get(_admin_url(label, "delete", obj.pk))
    assert response.status_code == (200 if allowed(role, label, "delete") else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_official_and_others_cannot_change_by_posting(client, place, staff, role):
    """A read-only role posting a change is refused and the row is unchanged."""
    grid = place.north_a
    client.force_login(staff[role])
    response = client.post(
        _admin_url("portal.grid", "change", grid.pk),
        {"community": grid.community_id, "name": "改名", "station": "", "sort_order": 0},
    )
    grid.refresh_from_db()
    if allowed(role, "portal.grid", "change"):
        assert response.status_code == 302
        assert grid.name == "改名"
    else:
        assert response.status_code == 403
        assert grid.name == "北苑第一网格"


@pytest.mark.django_db
def test_demo_accounts_hold_no_superuser_or_direct_permissions():
    call_command(
        "seed_demo", only=["portal"], quiet_logins=True, allow_production=True, stdout=StringIO()
    )

    users = get_user_model().objects.all()
    assert users.count() == len(Role)
    assert not users.filter(is_superuser=True).exists()
    assert not Permission.objects.filter(user__in=users).exists()
    for user in users:
        role = Role(user.staff_profile.role)
        assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[role]]
