"""Who sees which case: the role's reach, assignments, accusations and recusals."""

from __future__ import annotations

import pytest

from petitions import services
from petitions.access import can_reveal, petitioner_hidden
from petitions.models import Case, Category, PartyRole
from portal.models import StaffProfile
from portal.roles import RECORD_REACH, Reach, Role
from tests.factories import make_case


def expected(role: Role, user, cases) -> set[int]:
    profile = StaffProfile.objects.get(user=user)
    communities = {c.pk for c in profile.communities.all()}
    grids = {g.pk for g in profile.grids.all()}
    reach = RECORD_REACH[role]

    def seen(case) -> bool:
        if reach is Reach.ALL:
            return True
        # A category handled by a role of its own (网站纠错) is that role's, not the place's.
        if case.category.handled_by:
            return case.category.handled_by == role
        return (reach is Reach.COMMUNITIES and case.community_id in communities) or (
            reach is Reach.GRIDS and case.grid_id in grids
        )

    return {case.pk for case in cases if seen(case)}


@pytest.fixture
def cases(place):
    made = [make_case(grid) for grid in (place.north_a, place.north_b, place.south_a, place.west_a)]
    # A 网站纠错 report filed in a grid everyone scoped by place reaches: only the editors'.
    return [*made, make_case(place.north_a, category=Category.objects.get(name="网站纠错"))]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_its_reach(staff, cases, role):
    user = staff[role]
    assert set(Case.objects.visible_to(user).values_list("pk", flat=True)) == expected(
        role, user, cases
    )


@pytest.mark.django_db
def test_an_assigned_mediator_sees_the_case_and_only_that(staff, cases):
    secretary = staff[Role.SECRETARY]
    mediator = staff[Role.MEDIATOR]
    assert not Case.objects.visible_to(mediator).exists()
    case = services.accept_case(cases[2], actor=secretary)
    services.assign_case(
        case,
        actor=secretary,
        handler=StaffProfile.objects.get(user=secretary),
        mediators=[StaffProfile.objects.get(user=mediator)],
    )
    assert list(Case.objects.visible_to(mediator)) == [case]
    assert can_reveal(mediator, case)
    assert not can_reveal(mediator, cases[0])


@pytest.mark.django_db
def test_accusation_is_hidden_from_everyone_but_the_secretary_handlers_and_intake(place, staff):
    grid_worker = staff[Role.GRID_WORKER]
    case = make_case(place.north_a, actor=grid_worker, is_accusation=True)
    visible = {
        role: Case.objects.visible_to(staff[role]).filter(pk=case.pk).exists() for role in Role
    }
    assert visible == {
        Role.SECRETARY: True,
        Role.AREA_LEADER: False,
        Role.COMMUNITY_SECRETARY: False,
        Role.GRID_WORKER: True,  # registered it (intake)
        Role.MEDIATOR: False,
        Role.OFFICIAL: False,  # counts only
        Role.EDITOR: False,  # news only
        Role.SYSADMIN: False,
    }
    # The intake worker sees the case but not the petitioner, and cannot unmask them.
    assert petitioner_hidden(grid_worker, case)
    assert not can_reveal(grid_worker, case, PartyRole.PETITIONER)
    assert not petitioner_hidden(staff[Role.SECRETARY], case)
    assert can_reveal(staff[Role.SECRETARY], case, PartyRole.PETITIONER)


@pytest.mark.django_db
def test_a_named_staff_member_never_sees_the_case(place, staff):
    named = staff[Role.COMMUNITY_SECRETARY]
    case = make_case(place.north_a, actor=staff[Role.SECRETARY], named_staff=[named])
    assert not Case.objects.visible_to(named).filter(pk=case.pk).exists()
    assert Case.objects.visible_to(staff[Role.AREA_LEADER]).filter(pk=case.pk).exists()
    # Not even when someone tries to hand it to them.
    with pytest.raises(services.CaseError, match="须回避"):
        services.assign_case(
            services.accept_case(case, actor=staff[Role.SECRETARY]),
            actor=staff[Role.SECRETARY],
            handler=StaffProfile.objects.get(user=named),
        )


@pytest.mark.django_db
def test_official_views_but_never_unmasks(place, staff, cases):
    official = staff[Role.OFFICIAL]
    assert Case.objects.visible_to(official).count() == len(cases)
    assert not can_reveal(official, cases[0])
    with pytest.raises(services.CaseError, match="无权查看"):
        services.reveal_party(cases[0].parties.get(), actor=official, reason="核查")


@pytest.mark.django_db
def test_reveal_is_logged_with_the_reason(place, staff):
    case = make_case(place.north_a)
    party = case.parties.get()
    person = services.reveal_party(party, actor=staff[Role.GRID_WORKER], reason="电话回访需要")
    assert person.phone == "13912345678"
    event = case.events.get(kind="revealed")
    assert "电话回访需要" in event.note and "13912345678" not in event.note
    assert event.actor == staff[Role.GRID_WORKER] and not event.is_public
    with pytest.raises(services.CaseError, match="理由"):
        services.reveal_party(party, actor=staff[Role.GRID_WORKER], reason=" ")
    # A grid worker of another grid may not.
    assert not can_reveal(staff[Role.GRID_WORKER], make_case(place.south_a))
