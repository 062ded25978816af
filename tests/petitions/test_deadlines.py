"""Deadlines as data, on China's calendar with 调休 make-up working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from petitions import deadlines, services
from petitions.models import (
    Case,
    CaseKind,
    CasePause,
    CaseStatus,
    DeadlineRule,
    EventKind,
    Triage,
)
from portal.models import CalendarDay, DayKind, StaffProfile
from portal.roles import Role
from portal.workdays import add_working_days, is_working_day
from tests.factories import make_case, make_category

TZ = timezone.get_current_timezone()


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


@pytest.mark.django_db
def test_national_day_2024_and_its_makeup_saturday():
    # Seeded from the published arrangement: Oct 1–7 off, Sat Oct 12 a working day.
    assert not is_working_day(date(2024, 10, 1))
    assert is_working_day(date(2024, 10, 12))
    assert add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 12)


@pytest.mark.django_db
def test_a_year_without_calendar_data_still_works():
    assert not CalendarDay.objects.filter(date__year=2031).exists()
    # Mon 2031-03-03 + 5 working days = Mon 2031-03-10 (weekend skipped).
    assert add_working_days(date(2031, 3, 3), 5) == date(2031, 3, 10)
    CalendarDay.objects.create(date=date(2031, 3, 5), kind=DayKind.HOLIDAY, name="测试假日")
    assert add_working_days(date(2031, 3, 3), 5) == date(2031, 3, 11)


@pytest.mark.django_db
def test_formal_petition_due_60_days_after_acceptance_and_one_extension(place, staff, freeze):
    secretary = staff[Role.SECRETARY]
    received = date(2026, 4, 1)
    with freeze(at(received)):
        case = make_case(place.north_a, actor=secretary, kind=CaseKind.PETITION)
        assert case.accept_due == received + timedelta(days=15)
        case = services.accept_case(case, actor=secretary)
    assert case.conclude_due == received + timedelta(days=60)

    # Decided before the deadline it extends (信访工作条例 Art. 34).
    with freeze(at(date(2026, 5, 20))):
        with pytest.raises(services.CaseError, match="不能超过 30 日"):
            services.extend_deadline(case, actor=secretary, days=31, reason="需等待鉴定结论")
        case.refresh_from_db()
        assert case.conclude_due == received + timedelta(days=60) and case.extension_days == 0
        case = services.extend_deadline(
            case, actor=secretary, days=30, reason="需等待房屋安全鉴定结论"
        )
    assert case.conclude_due == received + timedelta(days=90)
    event = case.events.get(kind=EventKind.EXTENDED)
    assert event.is_public and "需等待房屋安全鉴定结论" in event.note
    assert case.extension_approved_by == secretary

    with pytest.raises(services.CaseError, match="已延期过一次"):
        services.extend_deadline(case, actor=secretary, days=5, reason="再延")

    due = case.conclude_due
    assert case not in Case.objects.overdue(due)
    assert case in Case.objects.overdue(due + timedelta(days=1))
    assert case.is_overdue(due + timedelta(days=1))


@pytest.mark.django_db
def test_only_an_approver_may_extend(place, staff, freeze):
    secretary = staff[Role.SECRETARY]
    case = make_case(place.north_a, actor=secretary, kind=CaseKind.PETITION)
    case = services.accept_case(case, actor=secretary)
    with pytest.raises(services.CaseError, match="无权批准延期"):
        services.extend_deadline(
            case, actor=staff[Role.COMMUNITY_SECRETARY], days=10, reason="理由"
        )


@pytest.mark.django_db
def test_ordinary_request_before_national_day_skips_the_holiday(place, staff, freeze):
    category = make_category("测试五日类")
    assert (
        deadlines.rule_for(Case(kind=CaseKind.ORDINARY, category=category), "conclude").length == 5
    )
    with freeze(at(date(2024, 9, 30), 16)):
        case = make_case(place.north_a, actor=staff[Role.SECRETARY], category=category)
    assert case.conclude_due == date(2024, 10, 12)  # Saturday, a make-up working day


@pytest.mark.django_db
def test_category_rule_wins_and_rules_are_editable(place, staff, freeze):
    category = make_category("测试咨询类")
    DeadlineRule.objects.create(
        kind=CaseKind.ORDINARY,
        category=category,
        stage="conclude",
        unit="working",
        length=1,
        start_event="received",
    )
    with freeze(at(date(2031, 3, 6))):  # Thursday, a year with no calendar rows
        case = make_case(place.north_a, actor=staff[Role.SECRETARY], category=category)
    assert case.conclude_due == date(2031, 3, 7)
    with freeze(at(date(2031, 3, 7))):  # Friday → next Monday
        case = make_case(place.north_a, actor=staff[Role.SECRETARY], category=category)
    assert case.conclude_due == date(2031, 3, 10)


@pytest.mark.django_db
def test_sign_for_deadline_is_one_working_day_after_assignment(place, staff, freeze):
    secretary = staff[Role.SECRETARY]
    handler = StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
    with freeze(at(date(2026, 9, 30))):  # the day before the 2026 National Day holiday
        case = make_case(place.north_a, actor=secretary)
        case = services.accept_case(case, actor=secretary)
        case = services.assign_case(case, actor=secretary, handler=handler)
    assert case.sign_due == add_working_days(date(2026, 9, 30), 1)
    assert case.sign_due > date(2026, 10, 7)
    with freeze(at(case.sign_due + timedelta(days=1))):
        assert case in Case.objects.overdue()
        late = services.sign_case(case, actor=staff[Role.GRID_WORKER])
    assert late.signed_on_time is False


@pytest.mark.django_db
def test_paused_clock_moves_the_due_date(place, staff, freeze):
    secretary = staff[Role.SECRETARY]
    with freeze(at(date(2026, 4, 1))):
        case = make_case(place.north_a, actor=secretary, kind=CaseKind.PETITION)
        case = services.accept_case(case, actor=secretary)
    due = case.conclude_due
    with freeze(at(date(2026, 4, 10))):
        services.pause_clock(case, actor=secretary, reason="组织听证")
    with freeze(at(date(2026, 4, 20))):
        case = services.resume_clock(case, actor=secretary)
    assert case.conclude_due == due + timedelta(days=10)
    assert case.events.filter(kind=EventKind.RESUMED, is_public=True).exists()


def _extend(case, actor):
    return services.extend_deadline(case, actor=actor, days=30, reason="需要多部门会商")


def _pause(case, actor):
    return services.pause_clock(case, actor=actor, reason="等待鉴定结论")


# Both move the conclusion deadline (a pause by the days it stood still), so both are decided
# before it: afterwards they would turn days already late into days on time.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("step", "take", "refusal"),
    [
        ("extend", _extend, "办结期限（2026年5月31日）已过，不能再延期"),
        ("pause", _pause, "办结期限（2026年5月31日）已过，不能再中止计时"),
    ],
)
def test_a_step_that_moves_the_deadline_is_refused_after_it_and_the_case_stays_late(
    client, place, staff, freeze, step, take, refusal
):
    secretary = staff[Role.SECRETARY]
    with freeze(at(date(2026, 4, 1))):
        case = make_case(place.north_a, actor=secretary, kind=CaseKind.PETITION)
        case = services.accept_case(case, actor=secretary)
    due = case.conclude_due
    late = due + timedelta(days=3)
    with freeze(at(late)):
        with pytest.raises(services.CaseError, match=refusal):
            take(case, secretary)
        client.force_login(secretary)
        page = client.get(f"/admin/petitions/case/{case.pk}/change/").content.decode()
        assert "已超期 3 天" in page
        assert f"/admin/petitions/case/{case.pk}/step/{step}/" not in page
        listed = client.get("/admin/petitions/case/", {"queue": "overdue"}).context["cl"]
        assert case.pk in [c.pk for c in listed.result_list]
    case.refresh_from_db()
    assert case.conclude_due == due and case.extension_days == 0
    assert not case.pauses.exists()
    assert case in Case.objects.overdue(late)
    # On the last day the same step is still taken.
    with freeze(at(due)):
        case = take(case, secretary)
    if step == "extend":
        assert case.conclude_due == due + timedelta(days=30)
    else:
        assert case.pauses.filter(started_on=due, ended_on__isnull=True).exists()


@pytest.mark.django_db
def test_a_paused_case_is_not_late_while_its_clock_stands_still(client, place, staff, freeze):
    """Paused before its deadline, a case whose stored deadline then passes is neither late nor
    due soon (in the queues, the list and the head), and may still be extended: resuming moves
    the deadline by the days paused."""
    secretary = staff[Role.SECRETARY]
    with freeze(at(date(2026, 4, 1))):
        case = make_case(place.north_a, actor=secretary, kind=CaseKind.PETITION)
        case = services.accept_case(case, actor=secretary)
    due = case.conclude_due
    with freeze(at(due - timedelta(days=5))):
        case = _pause(case, secretary)
    later = due + timedelta(days=20)
    with freeze(at(later)):
        case = Case.objects.prefetch_related("pauses").get(pk=case.pk)
        assert not case.is_overdue(later) and not case.past_conclusion_due(later)
        assert case not in Case.objects.overdue(later)
        assert case not in Case.objects.due_soon(due - timedelta(days=1))
        client.force_login(secretary)
        listed = client.get("/admin/petitions/case/", {"queue": "overdue"}).context["cl"]
        assert case.pk not in [c.pk for c in listed.result_list]
        page = client.get(f"/admin/petitions/case/{case.pk}/change/").content.decode()
        assert "计时已中止" in page and "已超期" not in page
        assert f"/admin/petitions/case/{case.pk}/step/extend/" in page
        case = _extend(case, secretary)
        case = services.resume_clock(case, actor=secretary)
    # 30 days' extension, and the 25 days the clock stood still.
    assert case.conclude_due == due + timedelta(days=30 + 25)
    assert not case.is_overdue(later)


@pytest.mark.django_db
def test_concluding_while_paused_ends_the_pause(place, staff, freeze):
    secretary = staff[Role.SECRETARY]
    with freeze(at(date(2026, 4, 1))):
        case = make_case(place.north_a, actor=secretary, kind=CaseKind.PETITION)
        case = services.accept_case(case, actor=secretary)
        case = services.assign_case(
            case, actor=secretary, handler=StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
        )
        case = services.sign_case(case, actor=staff[Role.GRID_WORKER])
    due = case.conclude_due
    with freeze(at(date(2026, 4, 10))):
        services.pause_clock(case, actor=secretary, reason="组织听证")
    with freeze(at(date(2026, 4, 20))):
        case = services.conclude_case(case, actor=secretary, result="已调处", reply="已答复")
    assert not CasePause.objects.filter(case=case, ended_on__isnull=True).exists()
    assert case.conclude_due == due + timedelta(days=10) and case.concluded_on_time
    assert case.events.filter(kind=EventKind.RESUMED, note__contains="办结时结束中止计时").exists()


@pytest.mark.django_db
def test_due_soon_list(place, staff, freeze):
    secretary = staff[Role.SECRETARY]
    with freeze(at(date(2031, 3, 3))):
        # 5 working days (the general rule) → Mon 2031-03-10
        case = make_case(place.north_a, actor=secretary, category=make_category("测试五日类"))
    assert case.conclude_due == date(2031, 3, 10)
    assert case in Case.objects.due_soon(date(2031, 3, 8))
    assert case not in Case.objects.due_soon(date(2031, 3, 4))
    assert case.status == CaseStatus.REGISTERED


@pytest.mark.django_db
def test_due_soon_and_overdue_follow_the_step_the_case_is_at(place, staff, freeze):
    secretary = staff[Role.SECRETARY]
    with freeze(at(date(2031, 3, 3))):
        case = make_case(place.north_a, actor=secretary, category=make_category("测试五日类"))
        case = services.accept_case(case, actor=secretary)
        case = services.assign_case(
            case, actor=secretary, handler=StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
        )
    assert case.sign_due < case.conclude_due
    # Waiting to be signed for: its sign-for deadline is what comes due first.
    assert case in Case.objects.due_soon(case.sign_due)
    assert case not in Case.objects.overdue(case.sign_due)
    after = case.sign_due + timedelta(days=1)
    assert case in Case.objects.overdue(after) and case not in Case.objects.due_soon(after)


@pytest.mark.django_db
def test_long_term_request_runs_on_its_follow_up_clock_not_a_conclusion_limit(place, staff, freeze):

    with freeze(at(date(2026, 3, 2))):
        case = make_case(
            place.north_a,
            actor=staff[Role.SECRETARY],
            triage=Triage.LONG_TERM,
            followup_interval_days=30,
        )
    assert case.conclude_due is None
    assert case.next_followup_due == date(2026, 4, 1)
    assert case not in Case.objects.overdue(date(2026, 12, 1))
    assert case in Case.objects.followup_due(date(2026, 4, 2))
    # A formal petition keeps its legal limit whatever the follow-up arrangement.
    with freeze(at(date(2026, 3, 2))):
        petition = make_case(
            place.north_a,
            actor=staff[Role.SECRETARY],
            kind=CaseKind.PETITION,
            triage=Triage.LONG_TERM,
            followup_interval_days=30,
        )
        petition = services.accept_case(petition, actor=staff[Role.SECRETARY])
    assert petition.conclude_due == date(2026, 5, 1)
