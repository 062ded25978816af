"""Work queues: every open case, whatever its status and history, is in a queue of someone who
must take its next step; coordinators find new cases under 待受理 and reopened ones under 重办."""

from __future__ import annotations

import pytest

from petitions import queues, services
from petitions.admin.search import QueueFilter
from petitions.models import OPEN_STATUSES, Case, CaseStatus, Satisfaction, Triage
from petitions.services import rules
from petitions.services.rules import Who
from portal.models import StaffProfile
from portal.roles import Role
from tests.factories import make_case

S = CaseStatus


def open_cases(place, staff) -> dict[str, Case]:
    """One case for each way a case can be open: new, accepted, bounced back, reopened with and
    without a handler, waiting to be signed for, in progress (ordinary, ledger, long-term)."""
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    handler = StaffProfile.objects.get(user=worker)

    def accepted(**kw):
        return services.accept_case(
            make_case(place.north_a, actor=secretary, **kw), actor=secretary
        )

    def assigned(**kw):
        return services.assign_case(accepted(**kw), actor=secretary, handler=handler)

    def in_progress(**kw):
        return services.sign_case(assigned(**kw), actor=worker)

    def reopened(case):
        case = services.conclude_case(case, actor=secretary, result="已处理", reply="已处理")
        return services.record_followup(
            case, actor=None, satisfaction=Satisfaction.DISSATISFIED, method="online"
        )

    cases = {
        "online, new": make_case(place.north_a),
        "registered by staff": make_case(place.north_b, actor=secretary),
        "accepted": accepted(),
        "bounced back": services.bounce_case(assigned(), actor=worker, reason="不属于本网格"),
        "waiting to be signed for": assigned(),
        "in progress": in_progress(),
        "ledger, in progress": in_progress(triage=Triage.LEDGER),
        "long-term, in progress": in_progress(triage=Triage.LONG_TERM, followup_interval_days=14),
        "reopened to its handler": reopened(in_progress()),
        "reopened, solved on the spot": services.record_followup(
            make_case(place.north_a, actor=worker, on_the_spot_result="已当场清理"),
            actor=None,
            satisfaction=Satisfaction.DISSATISFIED,
            method="online",
        ),
    }
    return {label: Case.objects.get(pk=case.pk) for label, case in cases.items()}


def queues_holding(case: Case, user) -> list[str]:
    visible = Case.objects.visible_to(user)
    return [
        value
        for value, _label in QueueFilter.queues_for(user)
        if QueueFilter.select(value, user, visible).filter(pk=case.pk).exists()
    ]


@pytest.mark.django_db
def test_every_open_case_is_in_a_queue_of_someone_who_must_act_on_it(place, staff):
    cases = open_cases(place, staff)
    assert {case.status for case in cases.values()} == set(OPEN_STATUSES)
    for label, case in cases.items():
        # Whoever the rule book offers a step that moves the case on must act on it.
        responsible = [
            user
            for user in staff.values()
            if queues.moves_on(set(rules.offered(case, who := Who.of(user, case))), who)
        ]
        assert responsible, f"{label}: nobody may move it on"
        assert any(queues_holding(case, user) for user in responsible), (
            f"{label} ({case.get_status_display()}) is in no queue of "
            f"{[u.username for u in responsible]}"
        )


@pytest.mark.django_db
def test_new_and_reopened_cases_have_their_own_queues(client, place, staff):
    cases = open_cases(place, staff)
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    html = client.get("/admin/petitions/case/").content.decode()
    assert "?queue=to_accept" in html and "?queue=redo" in html

    def listed(queue: str) -> set[int]:
        page = client.get("/admin/petitions/case/", {"queue": queue})
        return {c.pk for c in page.context["cl"].result_list}

    assert listed("to_accept") == {
        cases["online, new"].pk,
        cases["registered by staff"].pk,
    }
    assert listed("redo") == {
        cases["reopened to its handler"].pk,
        cases["reopened, solved on the spot"].pk,
    }
    assert listed("to_assign") == {
        cases["accepted"].pk,
        cases["bounced back"].pk,
        cases["reopened, solved on the spot"].pk,
    }
    # The handler's own: what they signed for, redone cases included.
    client.force_login(staff[Role.GRID_WORKER])
    assert listed("handling") == {
        cases[label].pk
        for label in (
            "in progress",
            "ledger, in progress",
            "long-term, in progress",
            "reopened to its handler",
        )
    }
    html = client.get("/admin/petitions/case/").content.decode()
    assert "?queue=to_accept" not in html  # the grid worker does not accept cases
