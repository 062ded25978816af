"""The workbench's case queues (petitions.queues.workbench_queues): for every role, on cases in
every state, each count equals the rows its link lists and the cases on which the rule book
offers that person the queue's step (with the queue's condition) — so a count never disagrees
with the buttons."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from petitions import queues, services
from petitions.models import Case, CaseKind, Satisfaction, Triage
from petitions.services import rules
from petitions.services.rules import Who
from portal.models import StaffProfile
from portal.roles import Role
from tests.factories import make_case, make_staff
from tests.petitions.test_queues import open_cases

CHANGELIST = reverse("admin:petitions_case_changelist")
ROW_LINK = re.compile(
    r'<th[^>]* class="field-number"[^>]*><a href="/admin/petitions/case/(\d+)/change/'
)
ALL_KEYS = [q.key for q in queues.QUEUES]
OVERSIGHT = {"overdue", "supervised", "followup_due"}


def profile(user):
    return StaffProfile.objects.get(user=user)


def every_state(place, staff, freeze) -> dict[str, Case]:
    """The open cases of every kind (tests/petitions/test_queues.py) and the closed ones, a
    late one, a supervised one, a long-term one whose follow-up was missed, one with a mediator,
    one outside the community, and the "worked on it" variants of a concluded case."""
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    handler = profile(worker)
    cases = open_cases(place, staff)

    def in_progress(grid=place.north_a, **kw):
        case = make_case(grid, actor=secretary, **kw)
        case = services.accept_case(case, actor=secretary)
        case = services.assign_case(
            case, actor=secretary, handler=handler, mediators=[profile(staff[Role.MEDIATOR])]
        )
        return services.sign_case(case, actor=worker)

    def concluded(by):
        return services.conclude_case(in_progress(), actor=by, result="已办", reply="已办")

    with freeze(timezone.now() - timedelta(days=80)):
        cases["late petition"] = in_progress(kind=CaseKind.PETITION)
    with freeze(timezone.now() - timedelta(days=20)):
        cases["long-term, follow-up missed"] = in_progress(triage=Triage.LONG_TERM)
    cases["supervised, with a mediator"] = services.supervise_case(
        in_progress(), actor=secretary, note="督办"
    )
    cases["ledger, with a mediator"] = in_progress(triage=Triage.LEDGER)
    cases["another community"] = make_case(place.south_a, actor=secretary)
    cases["concluded by the handler"] = concluded(worker)
    cases["concluded by the secretary"] = concluded(secretary)
    cases["solved on the spot"] = make_case(
        place.north_a, actor=worker, on_the_spot_result="已解决"
    )
    visited = services.record_followup(
        concluded(worker), actor=secretary, satisfaction=Satisfaction.SATISFIED, method="phone"
    )
    cases["visited"] = visited
    cases["not accepted"] = services.reject_case(
        make_case(place.north_a, actor=secretary), actor=secretary, reason="不属于本街道"
    )
    cases["archived"] = services.archive_case(
        services.record_followup(
            concluded(worker), actor=secretary, satisfaction=Satisfaction.BASICALLY, method="visit"
        ),
        actor=secretary,
    )
    return {label: Case.objects.get(pk=case.pk) for label, case in cases.items()}


# The brief's mapping, stated here once more in the rule book's terms, independently of
# petitions.queues: (the steps, one of which must be offered; the case's condition).
def _moves_on(offered: set[str], who: Who) -> bool:
    moving = {"accept", "reject", "assign", "sign", "bounce", "conclude", "decision"}
    return bool(offered & moving) or ("progress" in offered and who.assigned)


def expected(key: str, case: Case, offered: set[str], who: Who, today) -> bool:
    due = case.current_due
    if key == "to_accept":
        return "accept" in offered
    if key == "to_assign":
        return "assign" in offered and case.status == "accepted"
    if key == "to_sign":
        return "sign" in offered
    if key == "handling":
        return bool(offered & {"progress", "conclude"}) and who.assigned
    if key == "awaiting_visit":
        return "followup" in offered
    if key == "followup_due":
        return (
            "progress" in offered
            and _moves_on(offered, who)
            and case.triage == Triage.LONG_TERM
            and case.next_followup_due is not None
            and case.next_followup_due < today
        )
    if not _moves_on(offered, who):
        return False
    return {
        "due_soon": due is not None and today <= due <= today + timedelta(days=3),
        "overdue": case.is_overdue(today),
        "redo": case.redo_count > 0,
        "supervised": case.is_supervised,
    }[key]


def oversight(key: str, case: Case, today) -> bool:
    return (
        case.is_open
        and {
            "overdue": case.is_overdue(today),
            "supervised": case.is_supervised,
            "followup_due": case.triage == Triage.LONG_TERM
            and case.next_followup_due is not None
            and case.next_followup_due < today,
        }[key]
    )


def listed(client, key: str) -> set[int]:
    """The rows the case list shows for ``?queue=key``, read off the page."""
    html = client.get(CHANGELIST, {"queue": key}).content.decode()
    return {int(pk) for pk in ROW_LINK.findall(html)}


@pytest.fixture
def everyone(place, staff):
    return {
        **{role.label: user for role, user in staff.items()},
        "网格员（协办）": make_staff(Role.GRID_WORKER, grids=[place.north_b], username="co"),
    }


@pytest.mark.django_db
def test_each_count_is_its_list_and_the_rule_books_answer_for_every_role(
    client, place, staff, freeze, everyone
):
    cases = every_state(place, staff, freeze)
    # The co-handler works on one case from another grid.
    services.assign_case(
        cases["in progress"],
        actor=staff[Role.SECRETARY],
        handler=profile(staff[Role.GRID_WORKER]),
        co_handlers=[profile(everyone["网格员（协办）"])],
    )
    services.sign_case(Case.objects.get(pk=cases["in progress"].pk), actor=staff[Role.GRID_WORKER])
    today = timezone.localdate()
    nonzero: dict[str, int] = dict.fromkeys(ALL_KEYS, 0)
    for label, user in everyone.items():
        user = get_user_model().objects.get(pk=user.pk)
        counts = {q.key: q.count for q in queues.workbench_queues(user)}
        reads_only = not user.has_perm("petitions.transition_case")
        visible = list(Case.objects.visible_to(user))
        client.force_login(user)
        for key, count in counts.items():
            if reads_only:
                reference = {c.pk for c in visible if oversight(key, c, today)}
            else:
                reference = set()
                for case in visible:
                    who = Who.of(user, case)
                    if expected(key, case, set(rules.offered(case, who)), who, today):
                        reference.add(case.pk)
            rows = listed(client, key)
            assert count == len(rows) == len(reference), (label, key, count, rows, reference)
            assert rows == reference, (label, key)
            nonzero[key] += bool(count)
        if reads_only:
            assert set(counts) <= OVERSIGHT, label
        if user.has_perm("petitions.transition_case") and not user.has_perm(
            "petitions.assign_case"
        ):
            assert not {"to_accept", "to_assign"} & set(counts), label
    assert all(nonzero.values()), nonzero  # every queue holds something for someone
    official = {q.key for q in queues.workbench_queues(staff[Role.OFFICIAL])}
    assert official == OVERSIGHT  # 领导/审计: read-only oversight, no to-do list
    assert queues.workbench_queues(staff[Role.SYSADMIN]) == []
    community = {q.key for q in queues.workbench_queues(staff[Role.COMMUNITY_SECRETARY])}
    assert community == set(ALL_KEYS)
    mediator = {q.key for q in queues.workbench_queues(staff[Role.MEDIATOR])}
    assert "awaiting_visit" not in mediator and "to_accept" not in mediator


@pytest.mark.django_db
def test_each_queue_links_to_its_list(staff, place):
    make_case(place.north_a, actor=staff[Role.SECRETARY])
    for queue in queues.workbench_queues(staff[Role.COMMUNITY_SECRETARY]):
        assert queue.url == f"{CHANGELIST}?queue={queue.key}"
        assert queue.label and queue.help
    late = {q.key: q for q in queues.workbench_queues(staff[Role.COMMUNITY_SECRETARY])}
    assert late["to_accept"].count == 1 and late["overdue"].tone == ""


def grow(place, staff, n: int) -> None:
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    for i in range(n):
        case = make_case(place.north_a, actor=secretary, triage=Triage.LONG_TERM)
        if i % 2:
            case = services.accept_case(case, actor=secretary)
            case = services.assign_case(case, actor=secretary, handler=profile(worker))
    Case.objects.update(is_supervised=True, redo_count=1)  # every queue has rows to count


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_the_counts_cost_a_fixed_number_of_queries(place, staff, role, django_assert_num_queries):
    grow(place, staff, 1)
    user = get_user_model().objects.get(pk=staff[role].pk)  # nothing cached on it yet
    with CaptureQueriesContext(connection) as few:
        queues.workbench_queues(user)
    grow(place, staff, 49)
    user = get_user_model().objects.get(pk=staff[role].pk)
    # The scope (3), the permissions (2), the person's helper assignments (1), the counts (1).
    with django_assert_num_queries(len(few.captured_queries)):
        queues.workbench_queues(user)
    assert len(few.captured_queries) <= 7
