"""Scope tests generated from the reach table in portal.roles.

For every role and every scoped reference model, the admin list, the change page and the search
show exactly the rows the role reaches. The expected rows are worked out here in plain Python
from the fixture, independently of ``visible_to``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.access import scope_of
from portal.models import Community, Compound, Grid, StaffProfile
from portal.roles import PERMISSIONS, REFERENCE_REACH, Reach, Role

SCOPED = {"portal.community": Community, "portal.grid": Grid, "portal.compound": Compound}


def community_of(obj) -> Community:
    return obj if isinstance(obj, Community) else obj.community


def grids_of(obj) -> set[int]:
    if isinstance(obj, Community):
        return {g.pk for g in obj.grids.all()}
    if isinstance(obj, Grid):
        return {obj.pk}
    return {obj.grid_id}


def expected_rows(user, model) -> set[int]:
    profile = StaffProfile.objects.get(user=user)
    reach = REFERENCE_REACH[Role(profile.role)]
    my_communities = {c.pk for c in profile.communities.all()}
    my_grids = {g.pk for g in profile.grids.all()}
    rows = set()
    for obj in model.objects.all():
        if (
            reach is Reach.ALL
            or (reach is Reach.COMMUNITIES and community_of(obj).pk in my_communities)
            or (reach is Reach.GRIDS and grids_of(obj) & my_grids)
        ):
            rows.add(obj.pk)
    return rows


def can_view(role: Role, label: str) -> bool:
    return bool({"view", "change"} & PERMISSIONS[role].get(label, frozenset()))


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(SCOPED))
@pytest.mark.parametrize("role", list(Role))
def test_admin_list_detail_and_search_show_exactly_the_scope(client, place, staff, role, label):
    model = SCOPED[label]
    user = staff[role]
    client.force_login(user)
    app_label, model_name = label.split(".")
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    if not can_view(role, label):
        assert client.get(changelist).status_code == 403
        return

    expected = expected_rows(user, model)
    response = client.get(changelist)
    assert {obj.pk for obj in response.context["cl"].result_list} == expected

    everything = list(model.objects.all())
    for obj in everything:
        detail = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))
        # Outside the scope the admin answers as if the row did not exist.
        assert (detail.status_code == 200) == (obj.pk in expected), (role, obj)

        found = client.get(changelist, {"q": obj.name})
        pks = {o.pk for o in found.context["cl"].result_list}
        assert (obj.pk in pks) == (obj.pk in expected), (role, obj, "search")


@pytest.mark.django_db
def test_the_scoped_roles_really_differ(place, staff):
    """Guard against a fixture in which every role happens to see everything."""
    seen = {role: expected_rows(staff[role], Grid) for role in Role}
    assert seen[Role.SECRETARY] == {g.pk for g in Grid.objects.all()}
    assert seen[Role.AREA_LEADER] == {place.north_a.pk, place.north_b.pk, place.south_a.pk}
    assert seen[Role.COMMUNITY_SECRETARY] == {place.north_a.pk, place.north_b.pk}
    assert seen[Role.GRID_WORKER] == {place.north_a.pk}
    assert seen[Role.MEDIATOR] == set()


@pytest.mark.django_db
def test_unapproved_role_reaches_nothing(place):
    from tests.factories import make_staff

    user = make_staff(Role.COMMUNITY_SECRETARY, communities=[place.north], approved=False)
    assert not Grid.objects.visible_to(user).exists()
    assert scope_of(user).role is None


@pytest.mark.django_db
def test_anonymous_and_inactive_users_reach_nothing(place, staff):
    from django.contrib.auth.models import AnonymousUser

    assert not Grid.objects.visible_to(AnonymousUser()).exists()
    user = staff[Role.SECRETARY]
    user.is_active = False
    assert not Grid.objects.visible_to(user).exists()


@pytest.mark.django_db
def test_form_choices_are_scoped(client, place, staff):
    """A community secretary adding a compound can only pick their own community and grids."""
    # Give the community secretary's group edit rights for this test only.
    from django.contrib.auth.models import Group, Permission

    from portal.roles import EDIT, GROUP_NAMES

    group = Group.objects.get(name=GROUP_NAMES[Role.COMMUNITY_SECRETARY])
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="portal",
            codename__in=[f"{a}_compound" for a in EDIT],
        )
    )
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.get(reverse("admin:portal_compound_add"))
    community_choices = {
        c.pk for c in response.context["adminform"].form.fields["community"].queryset
    }
    assert community_choices == {place.north.pk}
    response = client.post(
        reverse("admin:portal_compound_add"),
        {"community": place.south.pk, "name": "越权小区", "address": "", "is_active": "on"},
    )
    assert response.status_code == 200  # form redisplayed with an error
    assert not Compound.objects.filter(name="越权小区").exists()


@pytest.mark.django_db
def test_a_compound_cannot_lie_in_a_grid_of_another_community(client, place, staff):
    client.force_login(staff[Role.SYSADMIN])
    data = {"community": place.north.pk, "name": "错位小区", "address": "", "is_active": "on"}
    response = client.post(reverse("admin:portal_compound_add"), data | {"grid": place.south_a.pk})
    assert response.status_code == 200
    assert "所选网格不属于所选社区" in response.content.decode()
    assert not Compound.objects.filter(name="错位小区").exists()
    response = client.post(reverse("admin:portal_compound_add"), data | {"grid": place.north_a.pk})
    assert response.status_code == 302
    assert Compound.objects.get(name="错位小区").grid == place.north_a


@pytest.mark.django_db
def test_autocomplete_offers_only_grids_in_scope(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "portal", "model_name": "compound", "field_name": "grid", "term": "网格"},
    )
    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {place.north_a.pk, place.north_b.pk}
