"""On PostgreSQL, concurrent staff acting on one case: one winner, a clear message for the rest."""

from __future__ import annotations

import pytest

from petitions import services
from petitions.models import Case, CaseEvent, CaseStatus, EventKind
from portal.models import StaffProfile
from portal.roles import Role
from tests import races
from tests.factories import make_case, make_staff

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 20


def race(work) -> tuple[list, list[str]]:
    return races.race(work, refused=services.CaseError, threads=THREADS)


def in_progress_case(place, staff):
    secretary = staff[Role.SECRETARY]
    handler = StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
    case = make_case(place.north_a, actor=secretary)
    case = services.accept_case(case, actor=secretary)
    case = services.assign_case(case, actor=secretary, handler=handler)
    return services.sign_case(case, actor=staff[Role.GRID_WORKER])


def test_twenty_concurrent_conclusions_have_one_winner(place, staff):
    case = in_progress_case(place, staff)
    secretary = staff[Role.SECRETARY]
    wins, losses = race(
        lambda i: services.conclude_case(case, actor=secretary, result=f"结果{i}", reply=f"答复{i}")
    )
    assert len(wins) == 1 and len(losses) == THREADS - 1
    assert all("已办结" in message for message in losses)
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED and case.result == wins[0].result
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CONCLUDED).count() == 1


def test_twenty_concurrent_reassignments_have_one_winner(place, staff):
    case = in_progress_case(place, staff)
    secretary = staff[Role.SECRETARY]
    handlers = [
        StaffProfile.objects.get(
            user=make_staff(Role.COMMUNITY_SECRETARY, communities=[place.north])
        )
        for _ in range(THREADS)
    ]
    seen = Case.objects.get(pk=case.pk).version
    wins, losses = race(
        lambda i: services.assign_case(
            case, actor=secretary, handler=handlers[i], expected_version=seen
        )
    )
    assert len(wins) == 1 and len(losses) == THREADS - 1
    assert all("刚刚已被他人处理" in message for message in losses)
    case.refresh_from_db()
    assert case.handler == wins[0].handler and case.version == seen + 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNED).count() == 2


def test_twenty_concurrent_progress_notes_all_kept(place, staff):
    case = in_progress_case(place, staff)
    secretary = staff[Role.SECRETARY]
    wins, losses = race(lambda i: services.add_progress(case, actor=secretary, note=f"进展{i}"))
    assert len(wins) == THREADS and not losses
    notes = set(
        CaseEvent.objects.filter(case=case, kind=EventKind.PROGRESS).values_list("note", flat=True)
    )
    assert notes == {f"进展{i}" for i in range(THREADS)}
    case.refresh_from_db()
    assert case.version == Case.objects.get(pk=case.pk).version
