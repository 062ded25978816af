"""A role change set by the system administrator waits for the party secretary, who sees on the
profile's own page what changed (old → new) and approves or returns it there; 修改记录 says the
same."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from portal.models import StaffProfile
from portal.roles import Role
from tests.factories import make_staff

NORTH_B = "北苑社区·北苑第二网格"


def text(response) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def change_url(profile) -> str:
    return reverse("admin:portal_staffprofile_change", args=[profile.pk])


@pytest.fixture
def worker(place):
    user = make_staff(Role.GRID_WORKER, grids=[place.north_b], name="刘倩")
    return StaffProfile.objects.get(user=user)


def add_grid(client, profile, *grids):
    return client.post(
        change_url(profile),
        {
            "name": profile.name,
            "title": "",
            "unit": "",
            "role": profile.role,
            "communities": [],
            "grids": [str(g.pk) for g in grids],
        },
        follow=True,
    )


@pytest.mark.django_db
def test_the_approver_sees_old_and_new_and_decides_on_the_profile_page(
    client, place, staff, worker
):
    secretary = staff[Role.SECRETARY]
    secretary_name = secretary.staff_profile.name
    client.force_login(staff[Role.SYSADMIN])
    saved = text(add_grid(client, worker, place.north_b, place.north_a))
    assert f"须经街道党工委书记批准后才生效（可批准的人：{secretary_name}）" in saved
    worker.refresh_from_db()
    assert not worker.is_approved and worker.submitted_by == staff[Role.SYSADMIN]

    # The administrator's own view of the profile: the change, no buttons, who may approve.
    mine = text(client.get(change_url(worker)))
    assert "待批准的角色修改" in mine and f"可批准的人：{secretary_name}" in mine
    assert 'value="批准"' not in client.get(change_url(worker)).content.decode()

    client.force_login(secretary)
    pending = client.get(reverse("admin:portal_staffprofile_changelist") + "?approval=pending")
    assert "刘倩" in text(pending)
    page = client.get(change_url(worker))
    shown = text(page)
    assert "负责网格 北苑社区·北苑第二网格 北苑社区·北苑第一网格、北苑社区·北苑第二网格" in shown
    html = page.content.decode()
    approve = reverse("admin:portal_staffprofile_approve", args=[worker.pk])
    assert f'action="{approve}"' in html
    assert 'class="default" value="批准"' in html and 'value="退回"' in html

    history = text(client.get(change_url(worker).replace("/change/", "/history/")))
    assert (
        "负责网格：北苑社区·北苑第二网格 → 北苑社区·北苑第一网格、北苑社区·北苑第二网格"
        "（待书记批准）" in history
    )

    assert client.get(approve).status_code == 405
    done = text(client.post(approve, follow=True))
    assert "已批准：刘倩 的角色与负责范围现为 网格员" in done
    worker.refresh_from_db()
    assert worker.is_approved and worker.approved_by == secretary
    history = text(client.get(change_url(worker).replace("/change/", "/history/")))
    assert "批准角色与范围的修改：负责网格：北苑社区·北苑第二网格 →" in history
    assert "待批准的角色修改" not in text(client.get(change_url(worker)))


@pytest.mark.django_db
def test_returning_a_change_puts_back_the_role_in_effect_before(client, place, staff, worker):
    client.force_login(staff[Role.SYSADMIN])
    add_grid(client, worker, place.north_a)
    client.force_login(staff[Role.SECRETARY])
    done = text(
        client.post(reverse("admin:portal_staffprofile_return", args=[worker.pk]), follow=True)
    )
    assert "已退回：刘倩 的角色与负责范围现为 网格员 · 北苑社区·北苑第二网格" in done
    worker.refresh_from_db()
    assert worker.is_approved and list(worker.grids.all()) == [place.north_b]
    history = text(client.get(change_url(worker).replace("/change/", "/history/")))
    assert f"退回角色与范围的修改：负责网格：{NORTH_B} → 北苑社区·北苑第一网格" in history


@pytest.mark.django_db
def test_a_new_role_returned_stays_without_effect_and_leaves_the_queue(client, place, staff):
    user = make_staff(Role.GRID_WORKER, grids=[place.north_a], name="新来的", approved=False)
    profile = StaffProfile.objects.get(user=user)
    client.force_login(staff[Role.SECRETARY])
    shown = text(client.get(change_url(profile)))
    assert "这是该账号第一次设定角色" in shown and "角色 无 网格员" in shown
    client.post(reverse("admin:portal_staffprofile_return", args=[profile.pk]))
    profile.refresh_from_db()
    assert not profile.is_approved and profile.returned_by == staff[Role.SECRETARY]
    assert not StaffProfile.objects.awaiting_approval().filter(pk=profile.pk).exists()
    listed = text(client.get(reverse("admin:portal_staffprofile_changelist")))
    assert "已退回，未生效" in listed


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.OFFICIAL, Role.COMMUNITY_SECRETARY])
def test_only_an_approver_may_approve_or_return(client, place, staff, worker, role):
    client.force_login(staff[Role.SYSADMIN])
    add_grid(client, worker, place.north_a)
    client.force_login(staff[role])
    for step in ("approve", "return"):
        url = reverse(f"admin:portal_staffprofile_{step}", args=[worker.pk])
        assert client.post(url).status_code == 403
    worker.refresh_from_db()
    assert not worker.is_approved and worker.returned_at is None


@pytest.mark.django_db
def test_the_bulk_approval_is_logged_with_the_change_too(client, place, staff, worker):
    client.force_login(staff[Role.SYSADMIN])
    add_grid(client, worker, place.north_a)
    client.force_login(staff[Role.SECRETARY])
    client.post(
        reverse("admin:portal_staffprofile_changelist"),
        {"action": "approve_roles", "_selected_action": [worker.pk]},
    )
    history = text(client.get(change_url(worker).replace("/change/", "/history/")))
    assert f"批准角色与范围的修改：负责网格：{NORTH_B} → 北苑社区·北苑第一网格" in history


@pytest.mark.django_db
def test_the_approval_time_is_explained_in_words_staff_use(client, staff, worker):
    client.force_login(staff[Role.SECRETARY])
    shown = text(client.get(change_url(worker)))
    assert "有时间无批准人" not in shown
    assert "街道党工委书记批准后，角色与负责范围才生效" in shown


@pytest.mark.django_db
def test_the_only_party_secretary_cannot_be_changed_by_someone_who_cannot_approve(
    client, place, staff
):
    """A change by the system administrator waits for a party secretary's approval; made to
    the only one in effect, it would leave nobody to approve it (or undo it): refused, with
    the reason, and nothing saved."""
    secretary = StaffProfile.objects.get(user=staff[Role.SECRETARY])
    client.force_login(staff[Role.SYSADMIN])
    response = client.post(
        change_url(secretary),
        {
            "name": secretary.name,
            "title": "",
            "unit": "",
            "role": Role.AREA_LEADER,
            "communities": [str(place.north.pk)],
            "grids": [],
        },
    )
    assert response.status_code == 200
    assert "是目前唯一已生效的街道党工委书记账号" in text(response)
    secretary.refresh_from_db()
    assert secretary.role == Role.SECRETARY and secretary.is_approved

    # With a second party secretary in effect, the change is made and waits for them.
    make_staff(Role.SECRETARY, name="赵书记")
    response = client.post(
        change_url(secretary),
        {
            "name": secretary.name,
            "title": "",
            "unit": "",
            "role": Role.AREA_LEADER,
            "communities": [str(place.north.pk)],
            "grids": [],
        },
        follow=True,
    )
    secretary.refresh_from_db()
    assert secretary.role == Role.AREA_LEADER and not secretary.is_approved
    assert "赵书记" in text(response)
