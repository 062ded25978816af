"""Staff accounts: roles are set on the account page, wait for the secretary's approval when the
system administrator sets them, and nobody edits their own role or becomes a superuser."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from outreach.admin import OnsiteSessionAdmin
from outreach.models import OnsiteSession
from petitions.models import Case
from portal import services
from portal.access import scope_of
from portal.models import Grid, StaffProfile
from portal.roles import GROUP_NAMES, Role
from tests.factories import make_case, make_staff


def add_account_form(username: str, **profile) -> dict:
    data = {
        "username": username,
        "password1": "Strong#pass2026",
        "password2": "Strong#pass2026",
        "usable_password": "true",
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "0",
        "staff_profile-MIN_NUM_FORMS": "0",
        "staff_profile-MAX_NUM_FORMS": "1",
    }
    for key, value in profile.items():
        data[f"staff_profile-0-{key}"] = value
    return data


@pytest.mark.django_db
def test_sysadmin_creates_account_whose_role_waits_for_the_secretary(client, place, staff):
    client.force_login(staff[Role.SYSADMIN])
    response = client.post(
        reverse("admin:auth_user_add"),
        add_account_form(
            "newgrid", name="新网格员", role=Role.GRID_WORKER, grids=[str(place.north_a.pk)]
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="newgrid")
    assert user.is_staff and not user.is_superuser
    profile = StaffProfile.objects.get(user=user)
    assert not profile.is_approved
    assert not user.groups.exists()
    assert not Grid.objects.visible_to(user).exists()

    # The secretary approves it from the list; from then on the scope applies.
    client.force_login(staff[Role.SECRETARY])
    response = client.post(
        reverse("admin:portal_staffprofile_changelist"),
        {"action": "approve_roles", "_selected_action": [profile.pk]},
        follow=True,
    )
    assert "已批准 1 个角色" in response.content.decode()
    profile.refresh_from_db()
    assert profile.is_approved and profile.approved_by == staff[Role.SECRETARY]
    user = get_user_model().objects.get(pk=user.pk)
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.GRID_WORKER]]
    assert set(Grid.objects.visible_to(user)) == {place.north_a}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        (Role.GRID_WORKER, {}, "网格员须选择负责的网格"),
        (Role.COMMUNITY_SECRETARY, {}, "社区书记须选择一个社区"),
        (Role.AREA_LEADER, {}, "包片领导须选择所包的社区"),
        (Role.MEDIATOR, {"communities": "north"}, "该角色不按社区或网格划分范围"),
    ],
)
def test_a_role_comes_with_the_scope_it_works_in(client, place, staff, role, scope, message):
    client.force_login(staff[Role.SYSADMIN])
    scope = {key: [str(getattr(place, value).pk)] for key, value in scope.items()}
    response = client.post(
        reverse("admin:auth_user_add"),
        add_account_form("newrole", name="新同事", role=role, **scope),
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not get_user_model().objects.filter(username="newrole").exists()


@pytest.mark.django_db
def test_the_role_list_says_what_each_account_really_reaches(client, place, staff):
    client.force_login(staff[Role.SECRETARY])
    html = client.get(reverse("admin:portal_staffprofile_changelist")).content.decode()
    assert "仅限交办给本人的诉求" in html  # the mediator
    assert "不涉及活动和诉求记录" in html  # the system administrator
    StaffProfile.objects.get(user=staff[Role.GRID_WORKER]).grids.clear()
    html = client.get(reverse("admin:portal_staffprofile_changelist")).content.decode()
    assert "未设置（看不到任何记录）" in html


@pytest.mark.django_db
def test_sysadmin_changing_a_role_suspends_it_until_approved(client, place, staff):
    grid_worker = staff[Role.GRID_WORKER]
    profile = StaffProfile.objects.get(user=grid_worker)
    client.force_login(staff[Role.SYSADMIN])
    response = client.post(
        reverse("admin:portal_staffprofile_change", args=[profile.pk]),
        {"name": profile.name, "role": Role.SECRETARY, "title": "", "unit": ""},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.role == Role.SECRETARY and not profile.is_approved
    fresh = get_user_model().objects.get(pk=grid_worker.pk)
    assert scope_of(fresh).role is None
    assert not Grid.objects.visible_to(fresh).exists()


@pytest.mark.django_db
def test_nobody_edits_their_own_role(client, staff):
    sysadmin = staff[Role.SYSADMIN]
    profile = StaffProfile.objects.get(user=sysadmin)
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:portal_staffprofile_change", args=[profile.pk]),
        {"name": profile.name, "role": Role.SECRETARY},
    )
    assert response.status_code == 403
    profile.refresh_from_db()
    assert profile.role == Role.SYSADMIN

    page = client.get(reverse("admin:auth_user_change", args=[sysadmin.pk])).content.decode()
    assert 'name="staff_profile-0-role"' not in page


def own_account_post(user, profile, *, existing: bool, role: str) -> dict:
    """The account page as posted for one's own account, with a role typed into the profile."""
    data = {
        "username": user.username,
        "email": "",
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "1" if existing else "0",
        "staff_profile-MIN_NUM_FORMS": "0",
        "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-user": str(user.pk),
        "staff_profile-0-name": profile.name,
        "staff_profile-0-role": role,
    }
    if existing:
        data["staff_profile-0-id"] = str(profile.pk)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("existing", [True, False])
def test_a_role_posted_for_ones_own_account_is_refused_with_the_reason(client, staff, existing):
    me = staff[Role.SYSADMIN]
    profile = StaffProfile.objects.get(user=me)
    client.force_login(me)
    response = client.post(
        reverse("admin:auth_user_change", args=[me.pk]),
        own_account_post(me, profile, existing=existing, role=Role.SECRETARY),
    )
    assert response.status_code == 200
    assert "不能修改自己的角色或负责范围" in response.content.decode()
    profile.refresh_from_db()
    assert profile.role == Role.SYSADMIN and profile.is_approved


@pytest.mark.django_db
def test_secretary_cannot_approve_own_role(client, staff):
    secretary = staff[Role.SECRETARY]
    profile = StaffProfile.objects.get(user=secretary)
    StaffProfile.objects.filter(pk=profile.pk).update(approved_at=None)
    # Without approval the secretary has no group, so approving needs another secretary.
    other = staff[Role.SECRETARY].__class__.objects.get(pk=secretary.pk)
    from portal.services import RoleError, approve_staff_role

    with pytest.raises(RoleError, match="不能批准自己"):
        approve_staff_role(profile, actor=other)


@pytest.mark.django_db
def test_sysadmin_cannot_grant_superuser_or_raw_permissions(client, staff):
    client.force_login(staff[Role.SYSADMIN])
    target = staff[Role.GRID_WORKER]
    page = client.get(reverse("admin:auth_user_change", args=[target.pk])).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page
    assert 'name="groups"' not in page
    client.post(
        reverse("admin:auth_user_change", args=[target.pk]),
        {"username": target.username, "is_active": "on", "is_superuser": "on", "email": ""},
    )
    target.refresh_from_db()
    assert not target.is_superuser


@pytest.mark.django_db
def test_admin_query_strings_cannot_probe_unfiltered_fields(client, staff):
    client.force_login(staff[Role.SYSADMIN])
    url = reverse("admin:auth_user_changelist")
    assert client.get(url, {"password__startswith": "md5"}).status_code == 400
    assert client.get(url, {"email__startswith": "a"}).status_code == 400
    assert client.get(url, {"staff_profile__role__exact": Role.GRID_WORKER}).status_code == 200
    grid_url = reverse("admin:portal_grid_changelist")
    assert client.get(grid_url, {"station__startswith": "北"}).status_code == 400
    assert client.get(grid_url, {"community__id__exact": "1"}).status_code == 200


@pytest.mark.django_db
def test_weak_passwords_are_refused_with_a_chinese_reason(client, staff):
    client.force_login(staff[Role.SYSADMIN])
    data = add_account_form("weak", name="弱密码", role=Role.MEDIATOR)
    data["password1"] = data["password2"] = "abcdefghijk"
    response = client.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 200
    assert "至少三类" in response.content.decode()
    assert not get_user_model().objects.filter(username="weak").exists()


def set_password_url(user) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


NEW_PASSWORD = {"password1": "Another#pass2026", "password2": "Another#pass2026"}


@pytest.mark.django_db
def test_a_password_set_by_the_sysadmin_suspends_the_role_until_the_secretary_approves(
    client, place, staff
):
    make_case(place.north_a)
    target = staff[Role.COMMUNITY_SECRETARY]
    assert Case.objects.visible_to(target).exists()

    client.force_login(staff[Role.SYSADMIN])
    form = client.get(set_password_url(target)).content.decode()
    assert "角色将暂停" in form and "grant_role" not in form  # warned before, not after
    assert "唯一能批准角色" in client.get(set_password_url(staff[Role.SECRETARY])).content.decode()
    response = client.post(set_password_url(target), NEW_PASSWORD, follow=True)
    assert response.status_code == 200
    assert "须由街道党工委书记核实本人后重新批准" in response.content.decode()
    target = get_user_model().objects.get(pk=target.pk)
    assert target.check_password("Another#pass2026")
    # Whoever now knows the password signs in to an account that reaches nothing.
    assert not target.staff_profile.is_approved and not target.groups.exists()
    assert not Case.objects.visible_to(target).exists()

    client.force_login(staff[Role.SECRETARY])
    client.post(
        reverse("admin:portal_staffprofile_changelist"),
        {"action": "approve_roles", "_selected_action": [target.staff_profile.pk]},
    )
    target = get_user_model().objects.get(pk=target.pk)
    assert Case.objects.visible_to(target).exists()


@pytest.mark.django_db
def test_a_password_set_for_a_configuration_account_keeps_its_role(client, staff):
    other = get_user_model().objects.create_user("xitong2", password="Old#pass2026x")
    services.grant_role(other, actor=None, name="备用管理员", role=Role.SYSADMIN)
    client.force_login(staff[Role.SYSADMIN])
    assert "角色将暂停" not in client.get(set_password_url(other)).content.decode()
    response = client.post(set_password_url(other), NEW_PASSWORD, follow=True)
    assert "重新批准" not in response.content.decode()
    assert StaffProfile.objects.get(user=other).is_approved


@pytest.mark.django_db
def test_own_password_is_changed_only_where_the_old_one_is_asked(client, staff):
    me = staff[Role.SYSADMIN]
    client.force_login(me)
    response = client.post(set_password_url(me), NEW_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("admin:password_change")
    me.refresh_from_db()
    assert not me.check_password("Another#pass2026")


@pytest.mark.django_db
def test_a_role_waiting_for_approval_is_told_so_in_the_back_office(client, place, staff):
    waiting = make_staff(Role.GRID_WORKER, grids=[place.north_a], approved=False)
    client.force_login(waiting)
    html = client.get(reverse("admin:index")).content.decode()
    assert "正在等待街道党工委书记批准" in html
    client.force_login(staff[Role.GRID_WORKER])
    assert "正在等待街道党工委书记批准" not in client.get(reverse("admin:index")).content.decode()


def _offered(client, app_label: str, model_name: str, field_name: str) -> set[int]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""},
    )
    assert response.status_code == 200
    return {int(row["id"]) for row in response.json()["results"]}


@pytest.mark.django_db
def test_an_account_awaiting_approval_is_offered_in_no_staff_picker(client, place, staff):
    waiting = StaffProfile.objects.get(
        user=make_staff(
            Role.COMMUNITY_SECRETARY, communities=[place.north], name="待批准", approved=False
        )
    )
    approved = StaffProfile.objects.get(user=staff[Role.AREA_LEADER])
    client.force_login(staff[Role.SECRETARY])
    for app_label, model_name, field_name in (
        ("outreach", "onsitesession", "officials"),
        ("outreach", "fieldvisit", "lead_official"),
        ("outreach", "deliberation", "officials"),
        ("petitions", "reception", "officials"),
    ):
        offered = _offered(client, app_label, model_name, field_name)
        assert approved.pk in offered and waiting.pk not in offered, field_name
    # Nor can it be posted: the form's choices are the same.
    request = RequestFactory().get("/")
    request.user = staff[Role.SECRETARY]
    form = OnsiteSessionAdmin(OnsiteSession, admin.site).get_form(request)()
    assert waiting not in form.fields["officials"].queryset
    assert approved in form.fields["officials"].queryset
