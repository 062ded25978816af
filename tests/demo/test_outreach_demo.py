"""The outreach demo: a year of held work that fills the headline counters, the next Fridays
planned, real photos stripped of their camera data, and nothing duplicated by a second run.
(``--scale`` volume is tested in tests/demo/test_volume.py.)

The whole demo is seeded once for every module of tests/demo (see its conftest); each test runs
in its own savepoint on top of it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from outreach.models import (
    PRACTICE_MODELS,
    ActivityEvent,
    ActivityEventKind,
    ActivityStatus,
    Deliberation,
    DeliberationAttendance,
    DeliberationDecision,
    DeliberationPhoto,
    FieldVisit,
    FieldVisitPhoto,
    OnsiteRota,
    OnsiteSession,
    OnsiteSessionPhoto,
    PolicyTalk,
    PolicyTalkPhoto,
    ResearchTheme,
    TalkKind,
    TalkSeries,
    VenueType,
    VisitKind,
)
from outreach.stats import practice_totals, upcoming_activities
from portal import clock
from portal.formats import cn_period
from portal.models import Community
from portal.periods import year_back

pytestmark = pytest.mark.django_db

PHOTO_MODELS = [PolicyTalkPhoto, FieldVisitPhoto, OnsiteSessionPhoto, DeliberationPhoto]
ALL_MODELS = [
    *PRACTICE_MODELS,
    *PHOTO_MODELS,
    TalkSeries,
    ResearchTheme,
    OnsiteRota,
    DeliberationAttendance,
    DeliberationDecision,
    ActivityEvent,
]
PHONE = re.compile(r"1[3-9]\d{9}|\d{3,4}-\d{7,8}")
STATION_TYPES = {
    "网格驿站": VenueType.GRID_STATION,
    "协商议事厅": VenueType.COUNCIL_HALL,
    "民声议事亭": VenueType.VOICE_PAVILION,
    "邻里议事亭": VenueType.NEIGHBOUR_PAVILION,
}


def seed(**options) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        only=["portal", "outreach"],
        allow_production=True,
        quiet_logins=True,
        stdout=out,
        **options,
    )
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def test_a_demo_year_reaches_the_headline_figures(demo):
    output = demo.output
    totals = practice_totals()

    talks = totals["talks"]
    assert talks.events >= 80
    assert talks.reach > 6000
    assert all(n >= 15 for n in talks.by_kind.values()), talks.by_kind
    assert totals["onsite"].events >= 200
    assert totals["onsite"].residents_met > 3000
    assert 50 <= totals["research"].events <= 75
    assert all(n >= 10 for n in totals["research"].by_kind.values())
    assert 20 <= totals["deliberations"].events <= 30
    assert totals["deliberations"].attendees > 0
    # The seed article's figures for the year: 宣讲及文化惠民活动80余场、惠及6000余人;
    # 现场办公200余次、惠及3000余人.
    assert 80 <= talks.events < 90 and 6000 <= talks.reach < 7000
    assert 200 <= totals["onsite"].events < 300
    assert 3000 <= totals["onsite"].residents_met < 4000
    # The seeder reports the same figures the home page will show, and the period it counts.
    assert f"宣讲 {talks.events:,} 场（惠及 {talks.reach:,} 人）" in output
    assert f"现场办公 {totals['onsite'].events:,} 场" in output
    assert f"下基层活动（{cn_period(*year_back(clock.today()))}举行的" in output

    # All of it took place in the year before today.
    now = clock.now()
    for model in PRACTICE_MODELS:
        held = model.objects.held()
        assert not held.filter(starts_at__gte=now).exists()
        assert not held.filter(starts_at__lt=now - timedelta(days=367)).exists()


def test_the_next_fridays_and_a_few_events_are_planned_and_public(demo):
    upcoming = upcoming_activities()

    sessions = [a for a in upcoming if isinstance(a, OnsiteSession)]
    for community in Community.objects.all():
        rota = OnsiteRota.objects.get(community=community)
        mine = [s for s in sessions if s.community_id == community.pk]
        assert len(mine) >= 3, community.name
        for session in mine:
            assert session.rota_id == rota.pk
            assert timezone.localtime(session.starts_at).weekday() == 4
            assert session.venue == rota.venue
            assert session.created_by is not None
    # Outreach's own (petitions adds its receptions to the same list).
    others = [a for a in upcoming if type(a) in PRACTICE_MODELS and type(a) is not OnsiteSession]
    soon = clock.now() + timedelta(days=15)
    assert {type(a) for a in others} >= {PolicyTalk, Deliberation}
    assert all(a.starts_at < soon and a.is_published for a in others)


def test_demo_records_are_plausible(demo):
    past = [m.objects.exclude(status=ActivityStatus.PLANNED) for m in PRACTICE_MODELS]
    for qs in past:
        assert not qs.filter(created_by__isnull=True).exists()
        assert not qs.filter(status=ActivityStatus.CANCELLED, cancel_reason="").exists()
    cancelled = sum(qs.filter(status=ActivityStatus.CANCELLED).count() for qs in past)
    assert 0.02 <= cancelled / sum(qs.count() for qs in past) <= 0.08

    # A few drafts by the grid worker wait for a publisher; everything else is public.
    drafts = [a for m in PRACTICE_MODELS for a in m.objects.filter(is_published=False)]
    assert 1 <= len(drafts) <= 6
    assert {a.created_by.username for a in drafts} == {"wanggeyuan"}

    for talk in PolicyTalk.objects.held().prefetch_related("teams", "speakers"):
        assert talk.teams.exists() and talk.speakers.exists(), talk
        if talk.kind == TalkKind.CULTURE:
            assert 80 <= talk.reach <= 400 and talk.reach_method, talk
        elif talk.kind == TalkKind.LAW:
            assert 20 <= talk.attendance_signed <= 80
        else:
            assert 30 <= talk.attendance_signed <= 120

    sessions = OnsiteSession.objects.held()
    friday_afternoons = [
        s for s in sessions if timezone.localtime(s.starts_at).strftime("%w %H:%M") == "5 14:30"
    ]
    assert len(friday_afternoons) >= 0.8 * sessions.count()
    for session in sessions:
        assert 5 <= session.residents_met <= 40
        suffix = next(k for k in STATION_TYPES if session.venue.endswith(k))
        assert session.venue_type == STATION_TYPES[suffix]

    for visit in FieldVisit.objects.filter(kind=VisitKind.SECRETARY_DAY).held():
        assert timezone.localtime(visit.starts_at).weekday() == 4
        assert visit.lead_official.user.username == "shuji"
    assert not FieldVisit.objects.held().filter(diary="").exists()

    for meeting in Deliberation.objects.held().prefetch_related("attendance", "decisions"):
        assert meeting.attendance.count() >= 2
        assert 1 <= meeting.decisions.count() <= 3

    # Replies vary as real ones do: hardly two held activities tell the same summary.
    for model in PRACTICE_MODELS:
        summaries = list(model.objects.held().values_list("summary", flat=True))
        assert len(set(summaries)) >= 0.97 * len(summaries), model.__name__

    # Public texts and diaries name no phone numbers.
    for model in PRACTICE_MODELS:
        for summary in model.objects.values_list("summary", flat=True):
            assert not PHONE.search(summary)
    for diary in FieldVisit.objects.values_list("diary", flat=True):
        assert not PHONE.search(diary)


def test_photos_are_real_images_without_camera_data(demo, settings):
    settings.MEDIA_ROOT = demo.media
    photos = [p for model in PHOTO_MODELS for p in model.objects.all()]
    activities = {(type(p), p.activity_id) for p in photos}
    assert 30 <= len(activities) <= 50
    assert len(photos) <= 2 * len(activities)
    assert len({p.image.name for p in photos}) == len(photos)  # every row owns its files
    for photo in photos:
        assert photo.activity.status == ActivityStatus.HELD
        assert photo.activity.is_published
        for field in (photo.image, photo.display, photo.thumbnail):
            with field.open("rb"), Image.open(field) as image:
                assert image.format == "JPEG"
                assert not image.getexif()
                assert "exif" not in image.info
        assert (photo.width, photo.height) == (1600, 1200)


def test_every_demo_activity_is_on_the_record_as_its_state_says(demo):
    """Opening any demo activity shows who registered it, who published it, who cancelled it
    or marked it held, in that order and never in the future, as the services recorded it: a
    talk, visit or session was registered as held after the fact with its figures; a meeting,
    whose figures are its attendance rows, was registered as planned and marked held after."""
    now = clock.now()
    assert ActivityEvent.objects.filter(at__gt=now).count() == 0
    for model in PRACTICE_MODELS:
        events = {}
        for e in ActivityEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(model)
        ).order_by("at", "pk"):
            events.setdefault(e.object_id, []).append(e)
        for activity in model.objects.all():
            record = events.get(activity.pk, [])
            kinds = [e.kind for e in record]
            expected = [ActivityEventKind.RECORDED]
            if activity.is_published:
                expected.append(ActivityEventKind.PUBLISHED)
            if activity.status == ActivityStatus.CANCELLED:
                expected.append(ActivityEventKind.CANCELLED)
            if activity.status == ActivityStatus.HELD and model is Deliberation:
                expected.append(ActivityEventKind.HELD)
            assert kinds == expected, (model.__name__, activity.pk, kinds)
            first = record[0]
            assert first.actor_id == activity.created_by_id and first.actor_unit
            if activity.status == ActivityStatus.HELD:
                held = next(e for e in record if e.to_status == ActivityStatus.HELD)
                assert {k: new for k, (_old, new) in held.changes.items()} == {
                    k: v for k, v in activity.figures().items() if v is not None
                }
                assert model is Deliberation or held is first
            if activity.status == ActivityStatus.CANCELLED:
                assert record[-1].note == activity.cancel_reason
            for e in record:
                assert e.actor.has_perm(f"outreach.change_{model._meta.model_name}") or (
                    e.kind == ActivityEventKind.PUBLISHED
                )
                if e.kind == ActivityEventKind.PUBLISHED:
                    assert e.actor.has_perm(f"outreach.publish_{model._meta.model_name}")


def test_a_second_run_creates_nothing(demo):
    first = counts()
    media = {p.image.name for model in PHOTO_MODELS for p in model.objects.all()}

    output = seed()

    assert counts() == first
    assert {p.image.name for model in PHOTO_MODELS for p in model.objects.all()} == media
    assert "未重复生成" in output
