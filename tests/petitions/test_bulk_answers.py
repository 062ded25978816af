"""Inside ``bulk_writing`` and ``trusted_caller`` the rule book skips the questions whose answer
the block already knows (no helpers, no pause), and nothing else: each answer stays the one a
step outside the block gets, including for helpers and pauses written inside the block."""

from __future__ import annotations

import pytest

from petitions import services
from petitions.services import rules
from portal.models import StaffProfile
from portal.roles import Role
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def answers(user, case) -> tuple[bool, bool, bool]:
    who = rules.Who.of(user, case)
    return who.assigned, who.open_pause, who.visible


def test_the_block_answers_as_the_database_does(place, staff):
    secretary, worker, mediator = (
        staff[r] for r in (Role.SECRETARY, Role.GRID_WORKER, Role.MEDIATOR)
    )
    profile = {u: StaffProfile.objects.get(user=u) for u in (worker, mediator)}
    helped_before = make_case(place.north_a, actor=secretary)
    helped_before = services.accept_case(helped_before, actor=secretary)
    helped_before = services.assign_case(
        helped_before, actor=secretary, handler=profile[worker], mediators=[profile[mediator]]
    )
    plain = services.accept_case(make_case(place.north_a, actor=secretary), actor=secretary)

    with services.bulk_writing(), services.trusted_caller():
        # Known before the block: a mediator helps; nobody helps on the other case.
        assert answers(mediator, helped_before)[0] is True
        assert answers(mediator, plain) == (False, False, True)
        # Written inside the block: a mediator given, a pause begun.
        plain = services.assign_case(
            plain, actor=secretary, handler=profile[worker], mediators=[profile[mediator]]
        )
        plain = services.sign_case(plain, actor=worker)
        plain = services.pause_clock(plain, actor=secretary, reason="等待鉴定结论")
        inside = answers(mediator, plain)
        assert inside[:2] == (True, True)

    # The same answers outside the block, read from the tables.
    outside = answers(mediator, plain)
    assert outside[:2] == inside[:2]
    assert answers(mediator, helped_before)[0] is True


def test_a_helper_given_in_the_block_may_not_rate_the_work_the_others_may(place, staff):
    secretary, worker, area = (
        staff[r] for r in (Role.SECRETARY, Role.GRID_WORKER, Role.AREA_LEADER)
    )
    handler, helper = (StaffProfile.objects.get(user=u) for u in (worker, area))
    cases = [
        services.accept_case(make_case(place.north_a, actor=secretary), actor=secretary)
        for _n in range(2)
    ]
    with services.bulk_writing(), services.trusted_caller():
        done = []
        for case, co_handlers in zip(cases, ([helper], []), strict=True):
            case = services.assign_case(
                case, actor=secretary, handler=handler, co_handlers=co_handlers
            )
            case = services.sign_case(case, actor=worker)
            done.append(
                services.conclude_case(case, actor=worker, result="已清理", reply="已清理完毕。")
            )
        rated = services.record_followup(
            done[1], actor=area, method="phone", satisfaction="satisfied"
        )
        assert rated.status == "visited"
        # A refused step leaves the block's transaction unusable (no savepoints): asked last.
        with pytest.raises(services.CaseError, match="回访须由承办、协办"):
            services.record_followup(done[0], actor=area, method="phone", satisfaction="satisfied")
