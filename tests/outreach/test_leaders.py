"""Leaders record their own activities (DESIGN.md §3: activities — 网格员 C R U own grid,
社区书记 / 包片领导 C R U P own community / area, 党工委书记 C R U P all)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outreach.models import Deliberation, FieldVisit, OnsiteSession, PolicyTalk
from petitions.models import Reception
from portal.models import StaffProfile
from portal.roles import Role
from tests.admin_forms import admin_form_data

PRACTICES = [PolicyTalk, FieldVisit, OnsiteSession, Deliberation, Reception]

# The design's matrix, written out here on purpose rather than read from portal.roles.
WRITERS = {Role.GRID_WORKER, Role.COMMUNITY_SECRETARY, Role.AREA_LEADER, Role.SECRETARY}
PUBLISHERS = {Role.COMMUNITY_SECRETARY, Role.AREA_LEADER, Role.SECRETARY}

# What each practice needs besides the shared fields to be recorded as held.
PRACTICE_FIELDS = {
    PolicyTalk: {"kind": "theory", "attendance_signed": "40"},
    FieldVisit: {"kind": "secretary_day", "households_visited": "12"},
    OnsiteSession: {"venue_type": "grid_station", "residents_met": "20"},
    Deliberation: {"minutes": "议定由物业两周内清理楼道堆物。"},
    Reception: {"kind": "leader_day", "residents_served": "15"},
}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def held_form(client, model, user, *, community, grid=None, title: str) -> dict:
    """The add page as the browser shows it, filled in as a member of staff would."""
    page = client.get(admin_url(model, "add"))
    assert page.status_code == 200
    when = timezone.localtime() - timedelta(hours=2)
    data = admin_form_data(page.content.decode(), model) | {
        "record_as": "held",
        "title": title,
        "starts_at_0": when.strftime("%Y-%m-%d"),
        "starts_at_1": when.strftime("%H:%M:%S"),
        "community": str(community.pk),
        "grid": str(grid.pk) if grid else "",
        "venue": f"{community.name}党群服务中心",
        "summary": "带队走访居民，听取意见。",
        **PRACTICE_FIELDS[model],
    }
    if model is FieldVisit:
        data["lead_official"] = str(StaffProfile.objects.get(user=user).pk)  # he leads it
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_add_pages_open_for_every_role_that_records_activities(client, staff, role):
    client.force_login(staff[role])
    for model in PRACTICES:
        response = client.get(admin_url(model, "add"))
        assert response.status_code == (200 if role in WRITERS else 403), model
        if role in WRITERS:
            assert 'name="_save"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", PRACTICES, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", sorted(WRITERS))
def test_each_writer_records_and_edits_own_activity_in_scope(client, place, staff, role, model):
    user = staff[role]
    client.force_login(user)
    # Every writer covers 北苑第一网格 (the grid worker only that grid).
    grid = place.north_a if role is Role.GRID_WORKER else None
    title = f"{role.label}亲自带队的活动"
    data = held_form(client, model, user, community=place.north, grid=grid, title=title)
    response = client.post(admin_url(model, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = model.objects.get()
    assert activity.created_by == user
    assert activity.is_published == (role in PUBLISHERS)
    public = Client().get(reverse(f"{model._meta.app_label}:{model._meta.model_name}-list"))
    assert (title in public.content.decode()) == (role in PUBLISHERS)

    change = client.get(admin_url(model, "change", activity.pk))
    assert change.status_code == 200 and 'name="_save"' in change.content.decode()
    edit = admin_form_data(change.content.decode(), model) | {"title": f"{title}（补充）"}
    assert client.post(admin_url(model, "change", activity.pk), edit).status_code == 302
    activity.refresh_from_db()
    assert activity.title == f"{title}（补充）"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "outside"),
    [(Role.COMMUNITY_SECRETARY, "south"), (Role.AREA_LEADER, "west")],
)
def test_leaders_record_only_in_their_own_scope(client, place, staff, role, outside):
    client.force_login(staff[role])
    data = held_form(
        client, FieldVisit, staff[role], community=getattr(place, outside), title="越界的走访"
    )
    response = client.post(admin_url(FieldVisit, "add"), data)
    assert response.status_code == 200
    assert "只能登记本人负责范围内的记录" in response.content.decode()
    assert not FieldVisit.objects.exists()


@pytest.mark.django_db
def test_the_party_secretary_records_his_own_visit_day_reception_day_and_talk(client, place, staff):
    """The seed article: 党工委书记 leads 书记亲民走访日, 接访日 and a talk, anywhere."""
    secretary = staff[Role.SECRETARY]
    client.force_login(secretary)
    for model, title in (
        (FieldVisit, "书记亲民走访日：西山社区"),
        (Reception, "党工委书记接访日"),
        (PolicyTalk, "党工委书记讲党课"),
    ):
        data = held_form(client, model, secretary, community=place.west, title=title)
        assert client.post(admin_url(model, "add"), data).status_code == 302
        row = model.objects.get(title=title)
        assert row.is_published and row.created_by == secretary
        assert Client().get(row.get_absolute_url()).status_code == 200
    visit = FieldVisit.objects.get()
    assert visit.kind == "secretary_day"
    assert visit.lead_official == StaffProfile.objects.get(user=secretary)
