"""Counting: hand-made fixtures whose right answers are known."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from outreach.models import ActivityStatus, DeliberationAttendance, ReachMethod
from outreach.stats import official_participation, practice_totals, upcoming_activities
from portal.models import StaffProfile
from portal.roles import Role
from tests.factories import make_deliberation, make_session, make_talk, make_visit

TZ = timezone.get_current_timezone()


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)


@pytest.fixture
def march(place):
    """March 2026 in 北苑社区: two talks (120 and 300) plus everything that must not count."""
    make_talk(place.north_a, starts_at=at(2026, 3, 5), attendance_signed=120)
    make_talk(
        place.north_b,
        starts_at=at(2026, 3, 20),
        attendance_signed=150,
        reach_estimated=300,
        reach_method=ReachMethod.VENUE,
    )
    # Not counted: planned, cancelled, another month, another community.
    make_talk(place.north_a, starts_at=at(2026, 3, 25), status=ActivityStatus.PLANNED)
    make_talk(
        place.north_a,
        starts_at=at(2026, 3, 26),
        status=ActivityStatus.CANCELLED,
        cancel_reason="大风",
    )
    make_talk(place.north_a, starts_at=at(2026, 4, 1, 0), attendance_signed=999)
    make_talk(place.north_a, starts_at=at(2026, 2, 28, 23), attendance_signed=999)
    make_talk(place.south_a, starts_at=at(2026, 3, 10), attendance_signed=999)
    return place


@pytest.mark.django_db
def test_two_talks_of_120_and_300_residents_are_2_events_420_reached(march):
    totals = practice_totals(
        start=at(2026, 3, 1).date(), end=at(2026, 3, 31).date(), community=march.north
    )
    talks = totals["talks"]
    assert talks.events == 2
    assert talks.reach == 420
    assert talks.attendance == 270  # signed-in attendance is reported separately
    assert talks.by_kind["理论宣讲"] == 2


@pytest.mark.django_db
def test_grid_filter_and_month_edges(march):
    totals = practice_totals(
        start=at(2026, 3, 1).date(), end=at(2026, 3, 31).date(), grid=march.north_a
    )
    assert totals["talks"].events == 1 and totals["talks"].reach == 120


@pytest.mark.django_db
def test_unpublished_records_count_for_staff_but_not_on_public_totals(place):
    make_talk(place.north_a, attendance_signed=30, is_published=False)
    make_talk(place.north_a, attendance_signed=20)
    assert practice_totals()["talks"].reach == 50
    assert practice_totals(published_only=True)["talks"].reach == 20


@pytest.mark.django_db
def test_other_practices_are_counted_from_their_own_figures(place):
    make_session(place.north_a, residents_met=12)
    make_session(place.north_a, residents_met=30)
    make_session(place.north_a, residents_met=None, status=ActivityStatus.PLANNED)
    make_visit(place.north_a, households_visited=8)
    meeting = make_deliberation(place.north_a)
    DeliberationAttendance.objects.create(deliberation=meeting, category="residents", count=9)
    DeliberationAttendance.objects.create(deliberation=meeting, category="property", count=2)
    totals = practice_totals(community=place.north)
    assert (totals["onsite"].events, totals["onsite"].residents_met) == (2, 42)
    assert (totals["research"].events, totals["research"].households) == (1, 8)
    assert (totals["deliberations"].events, totals["deliberations"].attendees) == (1, 11)


@pytest.mark.django_db
def test_official_participation_counts_each_held_activity_once(place, staff):
    leader = StaffProfile.objects.get(user=staff[Role.AREA_LEADER])
    secretary = StaffProfile.objects.get(user=staff[Role.COMMUNITY_SECRETARY])
    visit = make_visit(place.north_a, lead_official=leader)
    visit.participants.set([secretary])
    for _ in range(3):
        make_session(place.north_a).officials.set([leader, secretary])
    cancelled = make_session(place.north_a, status=ActivityStatus.CANCELLED, cancel_reason="雨")
    cancelled.officials.set([leader])
    rows = {row.profile_id: row for row in official_participation(community=place.north)}
    assert rows[leader.pk].visits_led == 1 and rows[leader.pk].onsite_sessions == 3
    assert rows[leader.pk].total == 4
    assert rows[secretary.pk].visits_joined == 1 and rows[secretary.pk].total == 4


@pytest.mark.django_db
def test_upcoming_lists_planned_published_sessions_soonest_first(place):
    later = make_session(
        place.north_a,
        status=ActivityStatus.PLANNED,
        residents_met=None,
        starts_at=timezone.now() + timedelta(days=5),
    )
    sooner = make_talk(
        place.south_a,
        status=ActivityStatus.PLANNED,
        attendance_signed=None,
        starts_at=timezone.now() + timedelta(days=1),
    )
    make_session(
        place.north_a,
        status=ActivityStatus.PLANNED,
        residents_met=None,
        starts_at=timezone.now() + timedelta(days=2),
        is_published=False,
    )
    make_session(
        place.north_a,
        status=ActivityStatus.CANCELLED,
        cancel_reason="改期",
        residents_met=None,
        starts_at=timezone.now() + timedelta(days=3),
    )
    assert upcoming_activities() == [sooner, later]
    assert upcoming_activities(community=place.north) == [later]
