"""The case lifecycle: every (from, to) pair of the transition table, and the rules on the way."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.utils import timezone

from petitions import services
from petitions.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    LeadershipDecision,
    Satisfaction,
    Triage,
)
from petitions.services import PartyData
from portal.models import StaffProfile
from portal.roles import Role
from tests.factories import make_case, make_deliberation, make_staff

S = CaseStatus


def path_to(status: str, place, staff, *, on_the_spot: bool = False):
    """A case brought to `status` through the services, with the secretary acting.

    `on_the_spot`: concluded at capture, so it never had a handler.
    """
    actor = staff[Role.SECRETARY]
    if on_the_spot:
        return make_case(
            place.north_a, actor=actor, triage=Triage.ON_THE_SPOT, on_the_spot_result="已当场解决"
        )
    handler = StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
    case = make_case(place.north_a, actor=actor)  # an ordinary request: no class
    if status == S.REGISTERED:
        return case
    if status == S.NOT_ACCEPTED:
        return services.reject_case(case, actor=actor, reason="不属于本街道职责范围")
    case = services.accept_case(case, actor=actor)
    if status == S.ACCEPTED:
        return case
    case = services.assign_case(case, actor=actor, handler=handler)
    if status == S.ASSIGNED:
        return case
    case = services.sign_case(case, actor=staff[Role.GRID_WORKER])
    if status == S.IN_PROGRESS:
        return case
    case = services.conclude_case(case, actor=actor, result="已清理", reply="已清理完毕")
    if status == S.CONCLUDED:
        return case
    # 回访 by someone who did not conclude it (nobody rates their own work).
    case = services.record_followup(
        case, actor=staff[Role.AREA_LEADER], satisfaction=Satisfaction.SATISFIED, method="phone"
    )
    if status == S.VISITED:
        return case
    return services.archive_case(case, actor=actor)


def attempt(case, target: str, staff):
    """The service that moves a case to `target` from its current status."""
    actor = staff[Role.SECRETARY]
    visitor = staff[Role.AREA_LEADER]
    handler_user = staff[Role.GRID_WORKER]
    handler = StaffProfile.objects.get(user=handler_user)
    if target == S.ACCEPTED:
        if case.status == S.ASSIGNED:
            return services.bounce_case(case, actor=handler_user, reason="不属于本网格")
        if case.status == S.CONCLUDED:
            return services.record_followup(
                case, actor=visitor, satisfaction=Satisfaction.DISSATISFIED, method="phone"
            )
        return services.accept_case(case, actor=actor)
    if target == S.NOT_ACCEPTED:
        return services.reject_case(case, actor=actor, reason="重复信访")
    if target == S.ASSIGNED:
        return services.assign_case(case, actor=actor, handler=handler)
    if target == S.IN_PROGRESS:
        if case.status == S.CONCLUDED:
            return services.record_followup(
                case, actor=visitor, satisfaction=Satisfaction.DISSATISFIED, method="phone"
            )
        return services.sign_case(case, actor=handler_user)
    if target == S.CONCLUDED:
        return services.conclude_case(case, actor=actor, result="已办理", reply="已答复")
    if target == S.VISITED:
        return services.record_followup(
            case, actor=visitor, satisfaction=Satisfaction.BASICALLY, method="visit"
        )
    if target == S.ARCHIVED:
        return services.archive_case(case, actor=actor)
    raise AssertionError(f"no service leads to {target}")


def test_no_step_leads_back_to_registered():
    assert all(S.REGISTERED not in targets for targets in TRANSITIONS.values())


PAIRS = [(a, b) for a, b in product(S.values, S.values) if b != S.REGISTERED]


# Moves only 当场解决 makes, and only inside the registration that captures it: an accepted case
# concludes without a handler only there and then.
AT_CAPTURE = {(S.ACCEPTED, S.CONCLUDED)}


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_pair_of_the_transition_table(place, staff, source, target):
    if (source, target) in AT_CAPTURE:
        spot = path_to(S.CONCLUDED, place, staff, on_the_spot=True)
        moves = list(spot.events.exclude(to_status="").values_list("from_status", "to_status"))
        assert (source, target) in moves
        # Anywhere else the move is refused: an ordinary accepted case is assigned first.
        case = path_to(source, place, staff)
        with pytest.raises(services.CaseError, match="请先交办"):
            attempt(case, target, staff)
        return
    # 不满意 sends a case without a handler (solved on the spot) back to be assigned.
    on_the_spot = (source, target) == (S.CONCLUDED, S.ACCEPTED)
    case = path_to(source, place, staff, on_the_spot=on_the_spot)
    case.refresh_from_db()
    assert case.status == source
    before_events = CaseEvent.objects.filter(case=case).count()
    before = type(case).objects.filter(pk=case.pk).values().get()
    if target in TRANSITIONS[source]:
        moved = attempt(case, target, staff)
        assert moved.status == target
        case.refresh_from_db()
        assert case.status == target and case.version == before["version"] + 1
        new_events = CaseEvent.objects.filter(case=case).count() - before_events
        assert new_events == 1
        event = CaseEvent.objects.filter(case=case).order_by("-pk").first()
        assert (event.from_status, event.to_status) == (source, target)
    else:
        with pytest.raises(services.CaseError):
            attempt(case, target, staff)
        assert type(case).objects.filter(pk=case.pk).values().get() == before
        assert CaseEvent.objects.filter(case=case).count() == before_events


@pytest.mark.django_db
def test_on_the_spot_case_is_concluded_at_capture(place, staff):
    case = make_case(
        place.north_a,
        actor=staff[Role.GRID_WORKER],
        triage=Triage.ON_THE_SPOT,
        on_the_spot_result="网格员现场协调，已清理楼道杂物",
    )
    assert case.status == S.CONCLUDED
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [EventKind.REGISTERED, EventKind.ACCEPTED, EventKind.CONCLUDED]


def ledger_case(place, staff):
    """A case accepted as 台账, assigned and signed for."""
    actor = staff[Role.SECRETARY]
    case = make_case(place.north_a, actor=actor)
    case = services.accept_case(case, actor=actor, triage=Triage.LEDGER)
    handler = StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
    case = services.assign_case(case, actor=actor, handler=handler)
    return services.sign_case(case, actor=staff[Role.GRID_WORKER])


@pytest.mark.django_db
def test_only_a_held_meeting_convened_for_the_case_settles_it(place, staff):
    from outreach.models import ActivityStatus

    actor = staff[Role.SECRETARY]
    case = ledger_case(place, staff)
    with pytest.raises(services.CaseError, match="台账类诉求须先关联"):
        services.conclude_case(case, actor=actor, result="r", reply="r")
    # A decision of another meeting of the same community is not about this matter.
    other = make_deliberation(place.north_a, title="北苑停车议事会")
    unrelated = other.decisions.create(text="划定夜间临时停车区")
    with pytest.raises(services.CaseError, match="不是为本诉求召开的"):
        services.link_decision(case, actor=actor, deliberation_decision=unrelated)
    # Put to a meeting that has not happened yet (or was called off): its decision cannot count.
    planned = make_deliberation(
        place.north_a, status=ActivityStatus.PLANNED, starts_at=timezone.now() + timedelta(days=3)
    )
    case = services.refer_to_deliberation(case, actor=actor, deliberation=planned)
    early = planned.decisions.create(text="拟统一规划车棚位置")
    with pytest.raises(services.CaseError, match="尚未举行或已取消"):
        services.link_decision(case, actor=actor, deliberation_decision=early)
    type(planned).objects.filter(pk=planned.pk).update(
        status=ActivityStatus.CANCELLED, cancel_reason="改期"
    )
    with pytest.raises(services.CaseError, match="已取消"):
        services.refer_to_deliberation(
            case, actor=actor, deliberation=planned.__class__.objects.get(pk=planned.pk)
        )
    with pytest.raises(services.CaseError, match="尚未举行或已取消"):
        services.link_decision(case, actor=actor, deliberation_decision=early)
    assert case.events.filter(kind=EventKind.REFERRED).count() == 1
    # The meeting it was put to, held: its decision settles it.
    held = make_deliberation(place.north_a, starts_at=timezone.now())
    bystander = make_staff(Role.GRID_WORKER, grids=[place.north_a])  # sees it, not working on it
    with pytest.raises(services.CaseError, match="只有本诉求的承办人员"):
        services.refer_to_deliberation(case, actor=bystander, deliberation=held)
    case = services.refer_to_deliberation(case, actor=actor, deliberation=held)
    decision = held.decisions.create(text="统一规划车棚位置，物业负责施工")
    case = services.link_decision(case, actor=actor, deliberation_decision=decision)
    case = services.conclude_case(case, actor=actor, result="已按决定施工", reply="车棚已改造")
    assert case.status == S.CONCLUDED


@pytest.mark.django_db
def test_only_a_leadership_decision_that_names_the_case_settles_it(place, staff):
    actor = staff[Role.SECRETARY]
    case = ledger_case(place, staff)
    today = timezone.localdate()
    unrelated = LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=today, text="列入年度民生实事"
    )
    with pytest.raises(services.CaseError, match="没有列明本诉求"):
        services.link_decision(case, actor=actor, leadership_decision=unrelated)
    ahead = LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=today + timedelta(days=7), text="研究车棚改造"
    )
    ahead.cases.add(case)
    with pytest.raises(services.CaseError, match="尚未召开"):
        services.link_decision(case, actor=actor, leadership_decision=ahead)
    naming = LeadershipDecision.objects.create(
        meeting="街道党工委会议", held_on=today, text="车棚改造列入年度民生实事"
    )
    naming.cases.add(case)
    case = services.link_decision(case, actor=actor, leadership_decision=naming)
    # Checked again on conclusion, not only when linked.
    naming.cases.remove(case)
    with pytest.raises(services.CaseError, match="没有列明本诉求"):
        services.conclude_case(case, actor=actor, result="r", reply="r")
    naming.cases.add(case)
    assert services.conclude_case(case, actor=actor, result="r", reply="r").status == S.CONCLUDED


@pytest.mark.django_db
def test_on_the_spot_means_concluded_at_capture(place, staff):
    worker = staff[Role.GRID_WORKER]
    with pytest.raises(services.CaseError, match="须填写当场解决的结果"):
        make_case(place.north_a, actor=worker, triage=Triage.ON_THE_SPOT)
    case = make_case(place.north_a, actor=staff[Role.SECRETARY])
    with pytest.raises(services.CaseError, match="只能在登记时选择"):
        services.accept_case(case, actor=staff[Role.SECRETARY], triage=Triage.ON_THE_SPOT)
    # Not solved after all (不满意): an ordinary request from then on, waiting to be assigned.
    spot = path_to(S.CONCLUDED, place, staff, on_the_spot=True)
    spot = services.record_followup(
        spot, actor=None, satisfaction=Satisfaction.DISSATISFIED, method="online"
    )
    assert spot.status == S.ACCEPTED and spot.triage == ""
    with pytest.raises(services.CaseError, match="请先交办"):
        services.conclude_case(spot, actor=staff[Role.SECRETARY], result="r", reply="r")


@pytest.mark.django_db
def test_reclassifying_is_a_recorded_step(place, staff, freeze):
    actor = staff[Role.SECRETARY]
    case = ledger_case(place, staff)
    with pytest.raises(services.CaseError, match="理由"):
        services.reclassify_case(case, actor=actor, triage="", reason=" ")
    with pytest.raises(services.CaseError, match="调整分类须由"):
        services.reclassify_case(case, actor=staff[Role.GRID_WORKER], triage="", reason="x")
    with pytest.raises(services.CaseError, match="没有变化"):
        services.reclassify_case(case, actor=actor, triage=Triage.LEDGER, reason="x")
    with pytest.raises(services.CaseError, match="只能在登记时选择"):
        services.reclassify_case(case, actor=actor, triage=Triage.ON_THE_SPOT, reason="x")
    seen = case.version
    case = services.reclassify_case(
        case, actor=actor, triage="", reason="无需会议研究，物业可直接处理", expected_version=seen
    )
    assert case.triage == "" and case.version == seen + 1
    event = case.events.get(kind=EventKind.RECLASSIFIED)
    assert event.actor == actor and event.changes["triage"] == [Triage.LEDGER, ""]
    assert event.note == "分类由“台账管理”调整为“一般办理”：无需会议研究，物业可直接处理"
    # Past its conclusion deadline it cannot become long-term (which has none): lateness stays.
    later = timezone.now() + timedelta(days=60)
    with freeze(later), pytest.raises(services.CaseError, match="超期不因调整分类而消除"):
        services.reclassify_case(
            case, actor=actor, triage=Triage.LONG_TERM, reason="x", followup_interval_days=7
        )
    case = services.conclude_case(case, actor=actor, result="物业已处理", reply="已处理")
    with pytest.raises(services.CaseError, match="不能调整分类"):
        services.reclassify_case(case, actor=actor, triage=Triage.LEDGER, reason="x")


@pytest.mark.django_db
def test_long_term_case_needs_progress_and_shows_when_a_follow_up_is_missed(place, staff, freeze):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from petitions.models import Case

    actor = staff[Role.SECRETARY]
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.get_current_timezone())
    with freeze(start):
        case = make_case(
            place.north_a, actor=actor, triage=Triage.LONG_TERM, followup_interval_days=14
        )
        case = services.accept_case(case, actor=actor)
        handler = StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
        case = services.assign_case(case, actor=actor, handler=handler)
        case = services.sign_case(case, actor=staff[Role.GRID_WORKER])
        case = services.add_progress(case, actor=actor, note="已联系产权单位", progress=30)
    assert case.next_followup_due == start.date() + timedelta(days=14)
    assert Case.objects.followup_due(start.date() + timedelta(days=14)).count() == 0
    assert list(Case.objects.followup_due(start.date() + timedelta(days=15))) == [case]
    with pytest.raises(services.CaseError, match="进度达到 100%"):
        services.conclude_case(case, actor=actor, result="r", reply="r")
    services.add_progress(case, actor=actor, note="改造完成", progress=100)
    assert services.conclude_case(case, actor=actor, result="r", reply="r").status == S.CONCLUDED


@pytest.mark.django_db
def test_three_dissatisfied_follow_ups_flag_supervision(place, staff):
    actor = staff[Role.SECRETARY]
    case = path_to(S.CONCLUDED, place, staff)
    for redo in (1, 2, 3):
        case = services.record_followup(
            case,
            actor=staff[Role.AREA_LEADER],
            satisfaction=Satisfaction.DISSATISFIED,
            method="phone",
        )
        assert case.status == S.IN_PROGRESS and case.redo_count == redo
        assert case.is_supervised == (redo == 3)
        if redo < 3:
            case = services.conclude_case(case, actor=actor, result="再次办理", reply="已再次处理")
    assert case.events.filter(kind=EventKind.SUPERVISED).count() == 1
    assert case.events.filter(kind=EventKind.REOPENED).count() == 3


@pytest.mark.django_db
def test_each_conclusion_is_rated_once(place, staff):
    actor = staff[Role.SECRETARY]
    case = path_to(S.CONCLUDED, place, staff)
    services.record_followup(
        case, actor=None, satisfaction=Satisfaction.DISSATISFIED, method="online"
    )
    with pytest.raises(services.CaseError, match="办结后才能"):
        services.record_followup(
            case, actor=None, satisfaction=Satisfaction.SATISFIED, method="online"
        )
    case = services.conclude_case(case, actor=actor, result="再次办理", reply="已再次处理")
    case = services.record_followup(
        case, actor=None, satisfaction=Satisfaction.SATISFIED, method="online"
    )
    assert case.status == S.VISITED
    assert list(case.followups.values_list("conclusion_number", "satisfaction")) == [
        (1, Satisfaction.DISSATISFIED),
        (2, Satisfaction.SATISFIED),
    ]


@pytest.mark.django_db
def test_a_rating_of_a_result_concluded_again_since_is_refused_inside_the_lock(place, staff):
    """The resident read conclusion 1; staff recorded 不满意 and concluded again before the
    resident's rating arrived: it must not land on conclusion 2, which they never saw."""
    actor = staff[Role.SECRETARY]
    case = path_to(S.CONCLUDED, place, staff)
    read = case.conclusion_count
    case = services.record_followup(
        case, actor=None, satisfaction=Satisfaction.DISSATISFIED, method="online"
    )
    case = services.conclude_case(case, actor=actor, result="再次办理", reply="已再次处理")
    events = case.events.count()
    with pytest.raises(services.CaseConflict, match="办理情况已有更新"):
        services.record_followup(
            case,
            actor=None,
            satisfaction=Satisfaction.SATISFIED,
            method="online",
            conclusion_number=read,
        )
    case.refresh_from_db()
    assert case.status == S.CONCLUDED and case.followups.count() == 1
    assert case.events.count() == events


@pytest.mark.django_db
def test_only_the_handler_signs_or_bounces(place, staff):
    case = path_to(S.ASSIGNED, place, staff)
    with pytest.raises(services.CaseError, match="只有承办人"):
        services.sign_case(case, actor=staff[Role.COMMUNITY_SECRETARY])
    case = services.bounce_case(case, actor=staff[Role.GRID_WORKER], reason="应由物业处理")
    assert case.status == S.ACCEPTED and case.bounce_count == 1 and case.handler is None
    bounced = case.events.get(kind=EventKind.BOUNCED)
    assert bounced.note == "应由物业处理" and not bounced.is_public


@pytest.mark.django_db
def test_assigning_to_someone_the_case_names_is_refused(place, staff):
    actor = staff[Role.SECRETARY]
    case = make_case(place.north_a, actor=actor, named_staff=[staff[Role.GRID_WORKER]])
    case = services.accept_case(case, actor=actor)
    handler = StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
    with pytest.raises(services.CaseError, match="须回避"):
        services.assign_case(case, actor=actor, handler=handler)


@pytest.mark.django_db
def test_reassigning_keeps_the_helpers_and_records_who_changed(place, staff):
    """改派 and 批量交办 keep the co-handlers and mediators unless told otherwise (a mediator
    dropped silently would lose sight of the case); a change of them is on the timeline."""
    actor = staff[Role.SECRETARY]
    profile = {role: StaffProfile.objects.get(user=staff[role]) for role in staff}
    case = services.accept_case(make_case(place.north_a, actor=actor), actor=actor)
    case = services.assign_case(
        case,
        actor=actor,
        handler=profile[Role.GRID_WORKER],
        co_handlers=[profile[Role.COMMUNITY_SECRETARY]],
        mediators=[profile[Role.MEDIATOR]],
    )
    done, problems = services.bulk_assign(
        Case.objects.filter(pk=case.pk), actor=actor, handler=profile[Role.AREA_LEADER]
    )
    assert (done, problems) == (1, [])
    case.refresh_from_db()
    assert list(case.co_handlers.all()) == [profile[Role.COMMUNITY_SECRETARY]]
    assert list(case.mediators.all()) == [profile[Role.MEDIATOR]]
    assert Case.objects.visible_to(staff[Role.MEDIATOR]).filter(pk=case.pk).exists()
    case = services.assign_case(
        case, actor=actor, handler=profile[Role.GRID_WORKER], co_handlers=[], mediators=None
    )
    latest = case.events.order_by("-pk").first()
    # 改派 is staff's business: residents read "已交承办单位办理" once, at the first 交办.
    assert not latest.is_public and latest.note.startswith("改由")
    assert case.events.filter(kind=EventKind.ASSIGNED, is_public=True).count() == 1
    assert latest.changes["co_handlers"] == [profile[Role.COMMUNITY_SECRETARY].name, ""]
    assert "mediators" not in latest.changes
    assert list(case.mediators.all()) == [profile[Role.MEDIATOR]]
    # 改派 to a co-handler makes them the handler, no longer a co-handler of their own case.
    case = services.assign_case(
        case,
        actor=actor,
        handler=profile[Role.AREA_LEADER],
        co_handlers=[profile[Role.AREA_LEADER], profile[Role.COMMUNITY_SECRETARY]],
    )
    assert list(case.co_handlers.all()) == [profile[Role.COMMUNITY_SECRETARY]]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["official", "unapproved", "inactive"])
def test_only_staff_who_may_handle_cases_are_given_one(place, staff, who):
    """The service insists, whatever the caller: a read-only official, a role not yet
    approved or a disabled account would never sign for it, and the case would stick."""
    actor = staff[Role.SECRETARY]
    case = services.accept_case(make_case(place.north_a, actor=actor), actor=actor)
    if who == "official":
        person = StaffProfile.objects.get(user=staff[Role.OFFICIAL])
    else:
        user = make_staff(Role.GRID_WORKER, grids=[place.north_a], approved=who != "unapproved")
        if who == "inactive":
            type(user).objects.filter(pk=user.pk).update(is_active=False)
        person = StaffProfile.objects.get(user=user)
    for people in (
        {"handler": person},
        {
            "handler": StaffProfile.objects.get(user=staff[Role.GRID_WORKER]),
            "mediators": [person],
        },
    ):
        with pytest.raises(services.CaseError, match="不能承办诉求"):
            services.assign_case(case, actor=actor, **people)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.handler_id is None


@pytest.mark.django_db
def test_stale_version_is_a_clear_conflict(place, staff):
    actor = staff[Role.SECRETARY]
    case = path_to(S.REGISTERED, place, staff)
    seen = case.version
    services.accept_case(case, actor=actor, expected_version=seen)
    with pytest.raises(services.CaseConflict, match="刚刚已被他人处理"):
        services.reject_case(case, actor=actor, reason="x", expected_version=seen)


@pytest.mark.django_db
def test_not_accepted_reason_is_public_and_required(place, staff):
    case = path_to(S.REGISTERED, place, staff)
    with pytest.raises(services.CaseError, match="不予受理的理由"):
        services.reject_case(case, actor=staff[Role.SECRETARY], reason="  ")
    case = services.reject_case(case, actor=staff[Role.SECRETARY], reason="已通过诉讼途径解决")
    event = case.events.get(kind=EventKind.NOT_ACCEPTED)
    assert event.is_public and event.note == "已通过诉讼途径解决"


@pytest.mark.django_db
def test_dual_settlement_needs_a_recorded_conversation(place, staff):
    actor = staff[Role.SECRETARY]
    case = path_to(S.IN_PROGRESS, place, staff)
    with pytest.raises(services.CaseError, match="谈心谈话"):
        services.conclude_case(case, actor=actor, result="r", reply="r", dual_settlement=True)
    services.record_conversation(case, actor=actor, note="与双方当面沟通，心结已解开")
    case = services.conclude_case(case, actor=actor, result="r", reply="r", dual_settlement=True)
    assert case.dual_settlement


@pytest.mark.django_db
def test_timeline_rows_cannot_be_edited(place, staff):
    from django.db import DatabaseError, transaction

    case = path_to(S.ACCEPTED, place, staff)
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(case=case).update(note="改写历史")
    assert not CaseEvent.objects.filter(note="改写历史").exists()


@pytest.mark.django_db
def test_registration_outside_scope_is_refused(place, staff):
    with pytest.raises(services.CaseError, match="负责范围"):
        make_case(place.south_a, actor=staff[Role.GRID_WORKER])


@pytest.mark.django_db
def test_review_request_within_thirty_days_of_the_answer(place, staff, freeze):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from petitions.models import CaseKind

    tz = timezone.get_current_timezone()
    with freeze(datetime(2026, 5, 4, 10, tzinfo=tz)):
        original = path_to(S.CONCLUDED, place, staff)
    ok_at = original.concluded_at + timedelta(days=29)
    review = make_case(
        place.north_a,
        actor=staff[Role.SECRETARY],
        kind=CaseKind.REVIEW,
        reviews=original,
        received_at=ok_at,
    )
    assert review.conclude_due == timezone.localtime(ok_at).date() + timedelta(days=30)
    with pytest.raises(services.CaseError, match="30 日内提出"):
        make_case(
            place.north_a,
            actor=staff[Role.SECRETARY],
            kind=CaseKind.REVIEW,
            reviews=original,
            received_at=original.concluded_at + timedelta(days=31),
        )


@pytest.mark.django_db
def test_a_request_accepted_without_a_class_is_an_ordinary_one(place, staff):
    case = make_case(place.north_a, triage="")
    assert case.registered_by is None and case.triage == ""
    with pytest.raises(services.CaseError, match="跟踪间隔"):
        services.accept_case(case, actor=staff[Role.SECRETARY], triage=Triage.LONG_TERM)
    case = services.accept_case(case, actor=staff[Role.SECRETARY])
    assert case.status == S.ACCEPTED and case.triage == ""
    assert case.events.get(kind=EventKind.ACCEPTED).note == "已受理（一般办理）"
    case = make_case(place.north_a, triage="")
    case = services.accept_case(
        case, actor=staff[Role.SECRETARY], triage=Triage.LONG_TERM, followup_interval_days=7
    )
    assert case.triage == Triage.LONG_TERM and case.followup_interval_days == 7


@pytest.mark.django_db
def test_dissatisfied_with_an_on_the_spot_result_goes_back_to_be_assigned(place, staff):
    case = path_to(S.CONCLUDED, place, staff, on_the_spot=True)
    assert case.handler is None
    case = services.record_followup(
        case, actor=None, satisfaction=Satisfaction.DISSATISFIED, method="online"
    )
    assert case.status == S.ACCEPTED and case.redo_count == 1
    handler = StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
    case = services.assign_case(case, actor=staff[Role.SECRETARY], handler=handler)
    assert case.status == S.ASSIGNED


@pytest.mark.django_db
def test_coordinating_steps_belong_to_the_roles_the_matrix_names(place, staff):
    """受理、交办、归档、中止计时 need 统筹 (portal.roles COORDINATE); 督办 needs SUPERVISE."""
    grid_worker = staff[Role.GRID_WORKER]
    case = make_case(place.north_a, actor=grid_worker)
    with pytest.raises(services.CaseError, match="受理须由"):
        services.accept_case(case, actor=grid_worker)
    case = services.accept_case(case, actor=staff[Role.COMMUNITY_SECRETARY])
    handler = StaffProfile.objects.get(user=grid_worker)
    with pytest.raises(services.CaseError, match="交办须由"):
        services.assign_case(case, actor=grid_worker, handler=handler)
    case = services.assign_case(case, actor=staff[Role.AREA_LEADER], handler=handler)
    case = services.sign_case(case, actor=grid_worker)
    with pytest.raises(services.CaseError, match="中止计时须由"):
        services.pause_clock(case, actor=grid_worker, reason="听证")
    for role in (Role.OFFICIAL, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER):
        with pytest.raises(services.CaseError, match="督办须由"):
            services.supervise_case(case, actor=staff[role], note="督办")
    assert services.supervise_case(case, actor=staff[Role.AREA_LEADER], note="督办").is_supervised
    # The handler concludes their own case; another grid worker could not.
    case.triage = Triage.ON_THE_SPOT
    case.save(update_fields=["triage"])
    case = services.conclude_case(case, actor=grid_worker, result="已清理", reply="已清理完毕")
    assert case.status == S.CONCLUDED
    case = services.record_followup(case, actor=None, satisfaction="satisfied", method="online")
    with pytest.raises(services.CaseError, match="归档须由"):
        services.archive_case(case, actor=grid_worker)


@pytest.mark.django_db
def test_a_resident_who_wrote_online_and_came_with_an_id_is_one_resident_on_two_records(
    place, staff
):
    from petitions.access import cases_naming

    secretary = staff[Role.SECRETARY]
    online = make_case(place.north_a, triage="")
    person = online.parties.get().person
    with_id = PartyData(name="田会平", phone="13912345678", id_number="110101199003074514")
    in_person = make_case(place.north_a, actor=secretary, parties=[with_id])
    # Each case records what was given for it: the online record gains no ID number.
    assert in_person.parties.get().person != person
    person.refresh_from_db()
    assert person.id_number == ""
    later = make_case(place.north_a, triage="")
    assert set(cases_naming(secretary, person)) == {online, in_person, later}

    # Same name and phone but another ID card: a different person.
    other = PartyData(name="田会平", phone="13912345678", id_number="110101198506121234")
    stranger = make_case(place.north_a, actor=secretary, parties=[other]).parties.get().person
    assert set(cases_naming(secretary, in_person.parties.get().person)) == {
        online,
        in_person,
        later,
    }
    assert in_person not in set(cases_naming(secretary, stranger))


@pytest.mark.django_db
def test_a_follow_up_is_never_the_handlers_own_nor_a_staff_online_rating(place, staff):
    case = path_to(S.CONCLUDED, place, staff)
    handler = StaffProfile.objects.get(pk=case.handler_id).user
    with pytest.raises(services.CaseError, match="承办、协办、调解和办结以外"):
        services.record_followup(case, actor=handler, satisfaction="satisfied", method="phone")
    with pytest.raises(services.CaseError, match="只能由居民"):
        services.record_followup(
            case, actor=staff[Role.SECRETARY], satisfaction="satisfied", method="online"
        )
    case = services.record_followup(case, actor=None, satisfaction="satisfied", method="online")
    assert case.status == S.VISITED


@pytest.mark.django_db
def test_nobody_rates_work_they_did_on_the_spot_co_handled_or_mediated(place, staff):
    worker, mediator = staff[Role.GRID_WORKER], staff[Role.MEDIATOR]
    spot = make_case(
        place.north_a, actor=worker, triage=Triage.ON_THE_SPOT, on_the_spot_result="已当场解决"
    )
    assert spot.status == S.CONCLUDED and spot.handler_id is None
    with pytest.raises(services.CaseError, match="办结以外"):
        services.record_followup(spot, actor=worker, satisfaction="satisfied", method="phone")
    case = make_case(place.north_a, actor=worker)
    case = services.accept_case(case, actor=staff[Role.SECRETARY])
    case = services.assign_case(
        case,
        actor=staff[Role.SECRETARY],
        handler=StaffProfile.objects.get(user=staff[Role.COMMUNITY_SECRETARY]),
        mediators=[StaffProfile.objects.get(user=mediator)],
    )
    case = services.sign_case(case, actor=staff[Role.COMMUNITY_SECRETARY])
    case = services.conclude_case(
        case, actor=staff[Role.COMMUNITY_SECRETARY], result="调解成功", reply="已调解"
    )
    with pytest.raises(services.CaseError, match="办结以外"):
        services.record_followup(case, actor=mediator, satisfaction="satisfied", method="phone")
    spot = services.record_followup(
        spot, actor=staff[Role.AREA_LEADER], satisfaction="satisfied", method="phone"
    )
    assert spot.status == S.VISITED


@pytest.mark.django_db
def test_a_redo_keeps_whether_the_case_was_signed_for_on_time(place, staff):
    case = path_to(S.CONCLUDED, place, staff)
    assert case.signed_on_time is True
    case = services.record_followup(
        case, actor=staff[Role.AREA_LEADER], satisfaction=Satisfaction.DISSATISFIED, method="phone"
    )
    assert case.status == S.IN_PROGRESS and case.signed_on_time is True
    assert case.concluded_at is None and case.concluded_on_time is None


@pytest.mark.django_db
def test_supervision_after_residents_third_redo_is_the_systems_step(place, staff):
    case = path_to(S.CONCLUDED, place, staff)
    for redo in (1, 2, 3):
        case = services.record_followup(
            case, actor=None, satisfaction=Satisfaction.DISSATISFIED, method="online"
        )
        if redo < 3:
            case = services.conclude_case(
                case, actor=staff[Role.SECRETARY], result="再次办理", reply="已再次处理"
            )
    event = case.events.get(kind=EventKind.SUPERVISED)
    assert event.actor is None and services.unit_label(event.actor_unit) == "系统"
