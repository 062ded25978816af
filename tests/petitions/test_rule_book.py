"""The rule book, generated over every case step × every status (and the variants that change
what a step needs: ledger, long-term, paused, extended, late, reopened, supervised, solved on the
spot) × every role, assigned to the case or not, and the "worked on it" variants for 回访.

For each combination three answers must agree with the guard (petitions.services.rules): the
case page shows the step's form ⇔ a post of it through the admin endpoint is carried out ⇔ the
service called directly accepts it. A refused post leaves the case row and its timeline exactly
as they were. Each case is built once through the services; every attempt runs in a savepoint
that is rolled back, so the next attempt sees the same case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone

from outreach.models import DeliberationDecision
from petitions import queues, services
from petitions.admin.steps import STEPS
from petitions.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    FollowUp,
    LeadershipDecision,
    Satisfaction,
    Triage,
)
from petitions.services import CaseError, rules
from petitions.services.rules import Who
from portal.models import StaffProfile
from portal.roles import Role
from tests.factories import make_case, make_deliberation, make_staff

S = CaseStatus
# The case steps of the rule book (回避 and the mediation records belong to
# petitions.services.mediation and are tested with it).
MEDIATION_STEPS = {"recuse", "mediation", "agreement"}
CASE_STEPS = [name for name in rules.RULES if name in STEPS and name not in MEDIATION_STEPS]
STEP_ACTION = re.compile(r'action="/admin/petitions/case/\d+/step/([a-z_]+)/"')


def profile(user: Any) -> StaffProfile:
    return StaffProfile.objects.get(user=user)


@dataclass
class People:
    """Every role, and for the roles that work on cases someone assigned and someone not."""

    secretary: Any
    area_leader: Any
    community_secretary: Any
    handler: Any  # 网格员, the handler of assigned cases
    co_handler: Any  # 网格员 of the same grid, co-handling them
    grid_worker: Any  # 网格员 of the same grid, not assigned
    mediator: Any  # 调解员 of assigned cases
    other_mediator: Any  # 调解员 of none: sees nothing
    official: Any
    sysadmin: Any

    def all(self) -> dict[str, Any]:
        return dict(vars(self))


@pytest.fixture
def people(place, staff) -> People:
    return People(
        secretary=staff[Role.SECRETARY],
        area_leader=staff[Role.AREA_LEADER],
        community_secretary=staff[Role.COMMUNITY_SECRETARY],
        handler=staff[Role.GRID_WORKER],
        co_handler=make_staff(Role.GRID_WORKER, grids=[place.north_a], username="co"),
        grid_worker=make_staff(Role.GRID_WORKER, grids=[place.north_a], username="other"),
        mediator=staff[Role.MEDIATOR],
        other_mediator=make_staff(Role.MEDIATOR, username="mediator2"),
        official=staff[Role.OFFICIAL],
        sysadmin=staff[Role.SYSADMIN],
    )


@dataclass
class Ledger:
    """What a ledger case's steps pick: a meeting to put it to, and decisions about it."""

    meeting: Any  # held, not yet put the case to
    deliberation_decision: Any  # of a held meeting the case was put to
    leadership_decision: Any  # names the case


def build(variant: str, place, people: People, freeze) -> tuple[Case, Ledger | None]:
    """The case of ``variant``, brought there through the services."""
    sec, worker = people.secretary, people.handler

    def registered(kind: str = CaseKind.ORDINARY) -> Case:
        return make_case(place.north_a, actor=people.grid_worker, kind=kind)

    def accepted(triage: str = "", kind: str = CaseKind.ORDINARY) -> Case:
        interval = 14 if triage == Triage.LONG_TERM else None
        return services.accept_case(
            registered(kind), actor=sec, triage=triage, followup_interval_days=interval
        )

    def assigned(**kw: Any) -> Case:
        return services.assign_case(
            accepted(**kw),
            actor=sec,
            handler=profile(worker),
            co_handlers=[profile(people.co_handler)],
            mediators=[profile(people.mediator)],
        )

    def in_progress(**kw: Any) -> Case:
        return services.sign_case(assigned(**kw), actor=worker)

    def concluded(by: Any = worker, **kw: Any) -> Case:
        case = in_progress(**kw)
        return services.conclude_case(case, actor=by, result="已清理", reply="已清理")

    def visited() -> Case:
        return services.record_followup(
            concluded(), actor=people.area_leader, satisfaction="satisfied", method="phone"
        )

    ledger = None
    if variant == "registered":
        case = registered()
    elif "ledger" in variant:
        case = (
            accepted(triage=Triage.LEDGER)
            if variant == "accepted, ledger"
            else in_progress(triage=Triage.LEDGER)
        )
        held = make_deliberation(place.north_a, title="楼道议事会", starts_at=timezone.now())
        case = services.refer_to_deliberation(case, actor=sec, deliberation=held)
        leadership = LeadershipDecision.objects.create(
            meeting="街道党工委会议", held_on=timezone.localdate(), text="统一清理"
        )
        leadership.cases.add(case)
        ledger = Ledger(
            meeting=make_deliberation(place.north_a, title="车棚议事会", starts_at=timezone.now()),
            deliberation_decision=DeliberationDecision.objects.create(
                deliberation=held, text="物业两周内清理"
            ),
            leadership_decision=leadership,
        )
        if variant == "in progress, ledger, decided":
            case = services.link_decision(case, actor=sec, leadership_decision=leadership)
    elif variant == "not accepted":
        case = services.reject_case(registered(), actor=sec, reason="不属于本街道职责")
    elif variant == "assigned":
        case = assigned()
    elif variant == "in progress":
        case = in_progress(kind=CaseKind.PETITION)
    elif variant == "in progress, long-term":
        case = in_progress(triage=Triage.LONG_TERM)
        case = services.add_progress(case, actor=worker, note="已联系产权单位", progress=30)
    elif variant == "in progress, extended and paused":
        case = services.extend_deadline(
            in_progress(kind=CaseKind.PETITION), actor=sec, days=10, reason="需多部门会商"
        )
        case = services.pause_clock(case, actor=sec, reason="组织听证")
    elif variant == "reopened, supervised, late":
        with freeze(timezone.now() - timedelta(days=90)):
            case = services.record_followup(
                concluded(kind=CaseKind.PETITION),
                actor=people.area_leader,
                satisfaction="dissatisfied",
                method="phone",
            )
            case = services.supervise_case(case, actor=sec, note="重办督办")
    elif variant == "concluded by a coordinator":
        # The handler, co-handler and mediator worked on it, and so did the coordinator.
        case = concluded(by=people.community_secretary)
    elif variant == "solved on the spot":
        # No handler: whoever concluded it worked on it.
        case = make_case(place.north_a, actor=worker, on_the_spot_result="已当场清理")
    elif variant == "visited":
        case = visited()
    elif variant == "archived":
        case = services.archive_case(visited(), actor=sec)
    else:
        raise AssertionError(variant)
    return Case.objects.get(pk=case.pk), ledger


VARIANTS = [
    "registered",
    "accepted, ledger",
    "not accepted",
    "assigned",
    "in progress",
    "in progress, ledger, undecided",
    "in progress, ledger, decided",
    "in progress, long-term",
    "in progress, extended and paused",
    "reopened, supervised, late",
    "concluded by a coordinator",
    "solved on the spot",
    "visited",
    "archived",
]


def form_data(step: str, case: Case, user: Any, ledger: Ledger | None, handler: Any) -> dict:
    """A valid post of ``step`` (what a person would type), against the case as drawn."""
    data: dict[str, Any] = {"version": case.version}
    if step == "accept":
        data |= {"triage": "", "note": ""}
    elif step == "reclassify":
        data |= {"triage": "" if case.triage else Triage.LEDGER, "reason": "按实际情况调整"}
    elif step in ("reject", "bounce", "pause"):
        data |= {"reason": "理由说明"}
    elif step == "assign":
        data |= {"handler": profile(handler).pk, "note": ""}
    elif step == "progress":
        data |= {"note": "已联系物业", "progress": 50}
    elif step == "conversation":
        data |= {"note": "与居民谈心"}
    elif step == "refer":
        data |= {"deliberation": ledger.meeting.pk if ledger else 0}
    elif step == "decision":
        if ledger is None:
            data |= {"leadership_decision": 0}
        elif user.has_perm("petitions.view_leadershipdecision"):
            data |= {"leadership_decision": ledger.leadership_decision.pk}
        else:
            data |= {"deliberation_decision": ledger.deliberation_decision.pk}
    elif step == "extend":
        data |= {"days": 1, "reason": "需协调多个部门"}
    elif step == "conclude":
        data |= {"result": "已办理", "reply": "已答复居民"}
    elif step == "followup":
        data |= {"satisfaction": Satisfaction.SATISFIED, "method": FollowUp.Method.PHONE}
    elif step == "supervise":
        data |= {"note": "重点督办"}
    return data


def run_service(step: str, case: Case, user: Any, data: dict) -> None:
    """The step's service, called directly with what the form would have given it."""
    v = data["version"]
    if step == "accept":
        services.accept_case(case, actor=user, note="", triage="", expected_version=v)
    elif step == "reclassify":
        services.reclassify_case(
            case, actor=user, triage=data["triage"], reason=data["reason"], expected_version=v
        )
    elif step == "reject":
        services.reject_case(case, actor=user, reason=data["reason"], expected_version=v)
    elif step == "assign":
        services.assign_case(
            case,
            actor=user,
            handler=StaffProfile.objects.get(pk=data["handler"]),
            expected_version=v,
        )
    elif step == "sign":
        services.sign_case(case, actor=user, expected_version=v)
    elif step == "bounce":
        services.bounce_case(case, actor=user, reason=data["reason"], expected_version=v)
    elif step == "progress":
        services.add_progress(
            case, actor=user, note=data["note"], progress=data["progress"], expected_version=v
        )
    elif step == "conversation":
        services.record_conversation(case, actor=user, note=data["note"], expected_version=v)
    elif step == "refer":
        from outreach.models import Deliberation

        meeting = Deliberation.objects.filter(pk=data["deliberation"]).first()
        if meeting is None:
            raise CaseError("no meeting to put it to")
        services.refer_to_deliberation(case, actor=user, deliberation=meeting, expected_version=v)
    elif step == "decision":
        services.link_decision(
            case,
            actor=user,
            deliberation_decision=DeliberationDecision.objects.filter(
                pk=data.get("deliberation_decision", 0)
            ).first(),
            leadership_decision=LeadershipDecision.objects.filter(
                pk=data.get("leadership_decision", 0)
            ).first(),
            expected_version=v,
        )
    elif step == "extend":
        services.extend_deadline(
            case, actor=user, days=data["days"], reason=data["reason"], expected_version=v
        )
    elif step == "pause":
        services.pause_clock(case, actor=user, reason=data["reason"], expected_version=v)
    elif step == "resume":
        services.resume_clock(case, actor=user, expected_version=v)
    elif step == "conclude":
        services.conclude_case(
            case, actor=user, result=data["result"], reply=data["reply"], expected_version=v
        )
    elif step == "followup":
        services.record_followup(
            case,
            actor=user,
            satisfaction=data["satisfaction"],
            method=data["method"],
            expected_version=v,
        )
    elif step == "supervise":
        services.supervise_case(case, actor=user, note=data["note"], expected_version=v)
    elif step == "archive":
        services.archive_case(case, actor=user, expected_version=v)
    else:
        raise AssertionError(step)


class Endpoint:
    """The admin's case endpoints as their URLs resolve (the admin view with its login and
    permission wrapper), called with the person's own user object: what the middleware adds
    (session, login, language) has nothing to say about the rule book, and skipping it keeps
    the hundreds of posts fast."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.factory = RequestFactory()

    def _call(self, request: Any) -> tuple[int, str]:
        request.user = self.user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        request._dont_enforce_csrf_checks = True  # as Django's test client posts
        match = resolve(request.path)
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Http404:
            return 404, ""
        except PermissionDenied:
            return 403, ""
        if hasattr(response, "render"):
            response.render()
        return response.status_code, response.content.decode()

    def get(self, path: str) -> tuple[int, str]:
        return self._call(self.factory.get(path))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self._call(self.factory.post(path, data))


class _Undo(Exception):
    """Rolls an attempt back: the next attempt starts from the same case."""


def undone(attempt: Any) -> Any:
    try:
        with transaction.atomic():
            outcome = attempt()
            raise _Undo(outcome)
    except _Undo as undo:
        return undo.args[0]


def snapshot(pk: int) -> tuple:
    """The case row, every field, and its timeline, every field of every entry."""
    return (
        Case.objects.filter(pk=pk).values().get(),
        list(CaseEvent.objects.filter(case_id=pk).order_by("pk").values()),
    )


def test_every_case_step_has_a_guard_and_a_place_on_the_page():
    assert set(CASE_STEPS) == set(rules.RULES) - MEDIATION_STEPS
    assert len(CASE_STEPS) == 17


@pytest.mark.django_db
@pytest.mark.parametrize("variant", VARIANTS)
def test_button_shown_iff_post_carried_out_iff_service_accepts(place, people, freeze, variant):
    case, ledger = build(variant, place, people, freeze)
    change_url = reverse("admin:petitions_case_change", args=[case.pk])
    before = snapshot(case.pk)
    disagreements = []
    for label, user in people.all().items():
        endpoint = Endpoint(user)
        who = Who.of(user, case)
        status, html = endpoint.get(change_url)
        # 302: the admin's "no such case" for someone who does not see it; 403: no case at all.
        assert status in (200, 302, 403), f"{variant} / {label}: page {status}"
        shown = set(STEP_ACTION.findall(html)) if status == 200 else set()
        for step in CASE_STEPS:
            allowed = rules.refusal(step, case, who) is None
            data = form_data(step, case, user, ledger, people.handler)
            url = reverse("admin:petitions_case_step", args=[case.pk, step])

            def post(
                url: str = url, data: dict = data, endpoint: Endpoint = endpoint
            ) -> tuple[int, tuple]:
                return endpoint.post(url, data)[0], snapshot(case.pk)

            status, after = undone(post)
            if status == 302:
                carried = after != before
            else:
                assert status in (403, 404), f"{variant} / {label} / {step}: {status}"
                assert after == before, f"{variant} / {label} / {step}: refused but written"
                carried = False

            def call(step: str = step, user: Any = user, data: dict = data) -> bool:
                try:
                    run_service(step, case, user, data)
                except CaseError:
                    return False
                return True

            # A post carried out is the service accepting it; a refused one asks it directly.
            accepted = carried or undone(call)
            if not (allowed == (step in shown) == carried == accepted):
                disagreements.append(
                    f"{label} / {step}: guard {allowed}, shown {step in shown}, "
                    f"posted {carried}, service {accepted}"
                )
    assert snapshot(case.pk) == before
    assert not disagreements, f"{variant} ({case.get_status_display()}):\n" + "\n".join(
        disagreements
    )


@pytest.mark.django_db
def test_the_matrix_takes_every_step_somewhere_and_refuses_it_somewhere(place, people, freeze):
    """The fixture is not vacuous: each step is allowed to someone on some case, and refused to
    someone else on it."""
    allowed: dict[str, int] = dict.fromkeys(CASE_STEPS, 0)
    refused: dict[str, int] = dict.fromkeys(CASE_STEPS, 0)
    for variant in VARIANTS:
        with transaction.atomic():
            case, _ledger = build(variant, place, people, freeze)
            for user in people.all().values():
                offered = set(rules.offered(case, Who.of(user, case)))
                for step in CASE_STEPS:
                    if step in offered:
                        allowed[step] += 1
                    else:
                        refused[step] += 1
            transaction.set_rollback(True)
    assert all(allowed.values()), {s: n for s, n in allowed.items() if not n}
    assert all(refused.values())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SECRETARY, Role.GRID_WORKER, Role.MEDIATOR])
def test_the_case_page_asks_the_rule_book_in_a_fixed_number_of_queries(
    client, place, people, freeze, role
):
    """Every guard on the page reads what it needs from one Who: a case with a long timeline
    and many helpers costs the same queries as a fresh one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = {
        Role.SECRETARY: people.secretary,
        Role.GRID_WORKER: people.handler,
        Role.MEDIATOR: people.mediator,
    }[role]
    fresh, _ = build("in progress", place, people, freeze)
    busy, _ = build("in progress", place, people, freeze)
    for n in range(25):
        busy = services.add_progress(busy, actor=people.handler, note=f"进展{n}", progress=n)
        services.record_conversation(busy, actor=people.mediator, note=f"谈话{n}")
    helpers = [make_staff(Role.GRID_WORKER, grids=[place.north_a]) for _ in range(5)]
    busy.co_handlers.add(*[profile(u) for u in helpers])
    client.force_login(user)
    counts = []
    for case in (fresh, busy):
        url = reverse("admin:petitions_case_change", args=[case.pk])
        client.get(url)  # the session and the permissions are cached alike for both
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
        assert page.status_code == 200 and "progress" in STEP_ACTION.findall(page.content.decode())
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_whoever_only_registered_an_accusation_reads_it_and_works_on_nothing(place, staff):
    """检举控告: the grid worker who took it down still sees the case, with the accuser hidden,
    but is offered no step on it — not a progress note, a talk or a follow-up — and it is in
    none of their queues; the party secretary, who sees the accuser, still rates it."""
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    handler = staff[Role.COMMUNITY_SECRETARY]
    case = make_case(place.north_a, actor=worker, is_accusation=True)
    case = services.accept_case(case, actor=secretary)
    case = services.assign_case(case, actor=secretary, handler=profile(handler))
    case = services.sign_case(case, actor=handler)
    assert rules.offered(case, Who.of(worker, case)) == []
    case = services.conclude_case(case, actor=handler, result="已查处", reply="已答复")
    who = Who.of(worker, case)
    assert who.visible and rules.offered(case, who) == []
    assert "登记人只能查看" in rules.refusal("followup", case, who)
    in_queue = Case.objects.visible_to(worker).filter(
        queues.condition(queues.BY_KEY["awaiting_visit"], worker), pk=case.pk
    )
    assert not in_queue.exists()
    with pytest.raises(CaseError, match="登记人只能查看"):
        services.record_followup(
            case, actor=worker, satisfaction=Satisfaction.DISSATISFIED, method="phone"
        )
    assert "followup" in rules.offered(case, Who.of(secretary, case))
    assert (
        Case.objects.visible_to(secretary)
        .filter(queues.condition(queues.BY_KEY["awaiting_visit"], secretary), pk=case.pk)
        .exists()
    )


@pytest.mark.django_db
def test_a_talk_is_recorded_while_the_case_waits_to_be_signed_for(place, staff):
    secretary = staff[Role.SECRETARY]
    case = services.accept_case(make_case(place.north_a, actor=secretary), actor=secretary)
    case = services.assign_case(case, actor=secretary, handler=profile(staff[Role.GRID_WORKER]))
    assert case.status == CaseStatus.ASSIGNED
    assert rules.refusal("conversation", case, Who.of(secretary, case)) is None
    services.record_conversation(case, actor=secretary, note="电话了解诉求人的想法")
