"""Outreach transitions: generated from the transition table; every refused move changes nothing."""

from __future__ import annotations

from datetime import date, time, timedelta
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from outreach import services, trust
from outreach.models import TRANSITIONS, ActivityStatus, OnsiteSession, PolicyTalk
from portal.models import CalendarDay, DayKind, StaffProfile
from portal.roles import Role
from tests.factories import make_rota, make_session, make_staff, make_talk

PAIRS = list(product(ActivityStatus.values, ActivityStatus.values))


def move(activity, to: str, actor):
    if to == ActivityStatus.HELD:
        return services.mark_held(activity, actor=actor, residents_met=9)
    if to == ActivityStatus.CANCELLED:
        return services.cancel_activity(activity, actor=actor, reason="大风天气")
    return services.restore_activity(activity, actor=actor)


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_status_pair_follows_the_table(place, staff, source, target):
    actor = staff[Role.COMMUNITY_SECRETARY]
    session = make_session(
        place.north_a,
        status=source,
        starts_at=timezone.now() - timedelta(hours=2),
        residents_met=None if source != ActivityStatus.HELD else 5,
        cancel_reason="原因" if source == ActivityStatus.CANCELLED else "",
    )
    before = OnsiteSession.objects.filter(pk=session.pk).values().get()
    if target in TRANSITIONS[source]:
        moved = move(session, target, actor)
        assert moved.status == target
        assert OnsiteSession.objects.get(pk=session.pk).status == target
    else:
        with pytest.raises(services.ActivityError):
            move(session, target, actor)
        assert OnsiteSession.objects.filter(pk=session.pk).values().get() == before


@pytest.mark.django_db
def test_cannot_record_a_future_session_as_held(place, staff):
    session = make_session(
        place.north_a,
        status=ActivityStatus.PLANNED,
        residents_met=None,
        starts_at=timezone.now() + timedelta(days=2),
    )
    with pytest.raises(services.ActivityError, match="还没到"):
        services.mark_held(session, actor=staff[Role.COMMUNITY_SECRETARY], residents_met=10)
    session.refresh_from_db()
    assert session.status == ActivityStatus.PLANNED and session.residents_met is None


@pytest.mark.django_db
def test_held_session_needs_the_number_of_residents(place, staff):
    session = make_session(place.north_a, status=ActivityStatus.PLANNED, residents_met=None)
    with pytest.raises(services.ActivityError, match="接待居民人数"):
        services.mark_held(session, actor=staff[Role.COMMUNITY_SECRETARY])


@pytest.mark.django_db
def test_cancel_needs_a_reason(place, staff):
    session = make_session(place.north_a, status=ActivityStatus.PLANNED, residents_met=None)
    with pytest.raises(services.ActivityError, match="取消原因"):
        services.cancel_activity(session, actor=staff[Role.COMMUNITY_SECRETARY], reason="  ")


@pytest.mark.django_db
def test_record_activity_publishes_only_for_publishers(place, staff):
    def new_talk():
        return PolicyTalk(
            title="民法典进家庭",
            kind="law",
            starts_at=timezone.now() - timedelta(hours=3),
            community=place.north,
            grid=place.north_a,
            venue="北苑活动室",
            attendance_signed=40,
        )

    by_secretary = services.record_activity(
        new_talk(), actor=staff[Role.COMMUNITY_SECRETARY], held=True
    )
    by_grid_worker = services.record_activity(new_talk(), actor=staff[Role.GRID_WORKER], held=True)
    assert by_secretary.is_published and by_secretary.status == ActivityStatus.HELD
    assert not by_grid_worker.is_published
    assert by_grid_worker.created_by == staff[Role.GRID_WORKER]


@pytest.mark.django_db
def test_record_held_talk_without_any_audience_is_refused(place, staff):
    talk = PolicyTalk(
        title="无人数",
        kind="theory",
        starts_at=timezone.now() - timedelta(hours=3),
        community=place.north,
        venue="礼堂",
    )
    with pytest.raises(services.ActivityError, match="签到人数或估算"):
        services.record_activity(talk, actor=staff[Role.COMMUNITY_SECRETARY], held=True)
    assert not PolicyTalk.objects.exists()


@pytest.mark.django_db
def test_copy_as_new_is_a_planned_event_a_week_later_without_results(place, staff):
    talk = make_talk(place.north_a, attendance_signed=80)
    copy = services.copy_as_new(talk, actor=staff[Role.COMMUNITY_SECRETARY])
    assert copy.pk != talk.pk
    assert copy.status == ActivityStatus.PLANNED
    assert copy.starts_at == talk.starts_at + timedelta(days=7)
    assert copy.attendance_signed is None
    assert copy.title == talk.title and copy.community == talk.community
    assert not copy.photos.exists()
    assert not copy.is_published  # residents see it once someone has checked and published it
    # Copying last month's event plans the next one on the same weekday, not one in the past.
    old = make_talk(place.north_a, starts_at=timezone.now() - timedelta(days=40))
    again = services.copy_as_new(old, actor=staff[Role.COMMUNITY_SECRETARY])
    assert timezone.now() < again.starts_at <= timezone.now() + timedelta(days=7)
    assert (again.starts_at - old.starts_at).days % 7 == 0


@pytest.mark.django_db
def test_rota_skips_public_holidays_and_never_doubles_a_week_when_its_time_changes(place, staff):
    rota = make_rota(place.north_a)
    rota.officials.set([StaffProfile.objects.get(user=staff[Role.COMMUNITY_SECRETARY])])
    monday = date(2030, 3, 4)
    CalendarDay.objects.update_or_create(
        date=date(2030, 3, 15), defaults={"kind": DayKind.HOLIDAY, "name": "测试假日"}
    )
    actor = staff[Role.COMMUNITY_SECRETARY]
    first = services.plan_from_rota(rota, actor=actor, today=monday)
    days = sorted(timezone.localtime(s.starts_at).date() for s in first)
    assert days == [date(2030, 3, 8), date(2030, 3, 22), date(2030, 3, 29)]
    assert "包片领导" not in first[0].summary  # says who is really coming
    rota.start_time = time(15, 0)
    rota.save()
    assert services.plan_from_rota(rota, actor=actor, today=monday) == []
    assert rota.sessions.count() == 3


@pytest.mark.django_db
def test_rota_plans_four_fridays_once(place, staff):
    rota = make_rota(place.north_a)
    monday = date(2030, 3, 4)
    first = services.plan_from_rota(rota, actor=staff[Role.COMMUNITY_SECRETARY], today=monday)
    again = services.plan_from_rota(rota, actor=staff[Role.COMMUNITY_SECRETARY], today=monday)
    assert len(first) == 4 and again == []
    days = sorted(timezone.localtime(s.starts_at).date() for s in first)
    assert days == [date(2030, 3, 8) + timedelta(weeks=w) for w in range(4)]
    assert all(s.status == ActivityStatus.PLANNED and s.is_published for s in first)


@pytest.mark.django_db
def test_publish_requires_the_publish_permission(place, staff):
    talk = make_talk(place.north_a, is_published=False)
    with pytest.raises(services.ActivityError, match="无权发布"):
        services.publish_activity(talk, actor=staff[Role.GRID_WORKER])
    talk.refresh_from_db()
    assert not talk.is_published
    services.publish_activity(talk, actor=staff[Role.COMMUNITY_SECRETARY])
    talk.refresh_from_db()
    assert talk.is_published


@pytest.mark.django_db
def test_grid_worker_account_has_no_publish_right(staff):
    grid_worker = make_staff(Role.GRID_WORKER)
    assert not services.can_publish(grid_worker, PolicyTalk)


@pytest.mark.django_db
def test_weekly_command_plans_every_active_rota_once(place):
    from io import StringIO

    from django.core.management import call_command

    make_rota(place.north_a)
    make_rota(place.south_a, is_active=False)
    out = StringIO()
    call_command("plan_onsite_sessions", "--weeks", "2", stdout=out)
    call_command("plan_onsite_sessions", "--weeks", "2", stdout=StringIO())
    assert "已生成 2 场" in out.getvalue()
    planned = OnsiteSession.objects.filter(status=ActivityStatus.PLANNED)
    assert planned.count() == 2
    assert {s.community for s in planned} == {place.north}
    assert all(s.created_by is None for s in planned)


@pytest.mark.django_db
def test_bulk_writing_leaves_the_named_constraints_to_the_database_and_checks_the_rest(
    place, staff
):
    """Inside ``bulk_writing`` (the demo's year) a step that breaks a named constraint still
    fails, at the database; the guards and each field's own limits still answer as usual, and
    each actor's unit is read once."""
    actor = staff[Role.COMMUNITY_SECRETARY]
    rota = make_rota(place.north_a)
    taken = make_session(place.north_a, rota=rota, status=ActivityStatus.PLANNED)

    def same_slot():
        return OnsiteSession(
            title="同一排班同一时间",
            starts_at=taken.starts_at,
            community=place.north,
            grid=place.north_a,
            venue=rota.venue,
            venue_type=rota.venue_type,
            rota=rota,
        )

    with pytest.raises(ValidationError):  # asked first, outside the seam
        services.record_activity(same_slot(), actor=actor, held=False)
    with services.bulk_writing():
        with pytest.raises(IntegrityError), transaction.atomic():
            services.record_activity(same_slot(), actor=actor, held=False)
        with pytest.raises(ValidationError, match="签到人数不能超过"):
            talk = PolicyTalk(
                title="人数太多",
                kind="law",
                starts_at=timezone.now() - timedelta(hours=3),
                community=place.north,
                venue="礼堂",
                attendance_signed=999_999,
            )
            services.record_activity(talk, actor=actor, held=True)
        held = make_session(place.north_a, status=ActivityStatus.HELD, residents_met=5)
        with pytest.raises(services.ActivityError):
            services.cancel_activity(held, actor=actor, reason="大风天气")
        services.cancel_activity(taken, actor=actor, reason="大风天气")
        assert set(trust.units()) == {actor.pk}
    assert trust.units() is None
    assert OnsiteSession.objects.filter(rota=rota).count() == 1
