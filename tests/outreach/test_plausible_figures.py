"""Counted figures a real sub-district could have in one activity, dates it could log, results
marked required where they are, one truthful message per mistake, and edits of a public
activity's content on its record."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from outreach import services
from outreach.models import (
    ActivityEvent,
    ActivityEventKind,
    ActivityStatus,
    Deliberation,
    DeliberationAttendance,
    FieldVisit,
    OnsiteSession,
    PolicyTalk,
    StakeholderCategory,
    earliest_start,
)
from outreach.stats import practice_totals
from petitions.models import Reception
from portal.roles import Role
from tests.admin_forms import admin_form_data
from tests.factories import (
    make_deliberation,
    make_reception,
    make_session,
    make_talk,
    make_visit,
)
from tests.outreach.steps import admin_url, change_data

ADD = reverse("admin:outreach_onsitesession_add")
TZ = timezone.get_current_timezone()


def public_session(place, **fields):
    """A held, public session that started on a whole minute (as the form shows and posts it)."""
    start = (timezone.now() - timedelta(days=3)).replace(second=0, microsecond=0)
    fields = {"status": ActivityStatus.HELD, "is_published": True, "starts_at": start} | fields
    return make_session(place.north_a, **fields)


# (maker, figure, its name on the page, its limit as shown)
FIGURES = [
    (make_session, "residents_met", "接待居民人数", "1,000"),
    (make_visit, "households_visited", "走访户数", "1,000"),
    (make_talk, "attendance_signed", "签到人数", "5,000"),
    (make_talk, "reach_estimated", "估算惠及人数", "100,000"),
    (make_reception, "residents_served", "接待群众人数", "5,000"),
]


def messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@pytest.mark.django_db
@pytest.mark.parametrize(("maker", "name", "label", "limit"), FIGURES)
def test_a_figure_no_activity_could_have_is_refused_naming_the_figure_and_its_limit(
    place, maker, name, label, limit
):
    activity = maker(place.north_a, status=ActivityStatus.HELD)
    for typo in (2_000_000_000, 99_999_999_999):
        setattr(activity, name, typo)
        if name == "reach_estimated":
            activity.reach_method = "venue"
        with pytest.raises(ValidationError) as caught:
            activity.full_clean()
        said = messages_of(caught.value)
        assert f"{label}不能超过 {limit}" in " ".join(said)
        assert not any("2147483647" in m for m in said)  # the database's limit is not a reason


@pytest.mark.django_db
def test_a_meetings_attendance_has_a_limit_too(place):
    meeting = make_deliberation(place.north_a)
    row = DeliberationAttendance(
        deliberation=meeting, category=StakeholderCategory.RESIDENTS, count=2_000_000_000
    )
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert "参会人数不能超过 500" in " ".join(messages_of(caught.value))


@pytest.mark.django_db
def test_publishing_refuses_figures_stored_before_they_had_limits(place, staff):
    secretary = staff[Role.COMMUNITY_SECRETARY]
    session = make_session(place.north_a, status=ActivityStatus.HELD, is_published=False)
    # Written around the forms (as rows stored before the limits were).
    OnsiteSession.objects.filter(pk=session.pk).update(residents_met=2_000_000_000)
    before = practice_totals()
    with pytest.raises(services.ActivityError) as caught:
        services.publish_activity(session, actor=secretary)
    assert "不能公开" in str(caught.value) and "接待居民人数不能超过 1,000" in str(caught.value)
    session.refresh_from_db()
    assert not session.is_published
    assert practice_totals() == before


@pytest.mark.django_db
def test_a_meeting_with_implausible_attendance_is_not_published(place, staff):
    meeting = make_deliberation(
        place.north_a, status=ActivityStatus.HELD, minutes="纪要", is_published=False
    )
    DeliberationAttendance.objects.create(
        deliberation=meeting, category=StakeholderCategory.RESIDENTS, count=30
    )
    DeliberationAttendance.objects.filter(deliberation=meeting).update(count=90_000)
    with pytest.raises(services.ActivityError, match="参会人数（居民代表）不能超过 500"):
        services.publish_activity(meeting, actor=staff[Role.SECRETARY])


# --- on the add page ----------------------------------------------------------------------------


def typed(client, **fields) -> dict:
    response = client.get(ADD)
    data = admin_form_data(response.content.decode(), OnsiteSession)
    return data | {"venue": "北苑社区活动室", "venue_type": "other"} | fields


@pytest.mark.django_db
def test_two_billion_residents_met_is_refused_at_the_field_and_nothing_is_saved(
    client, place, staff
):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.post(ADD, typed(client, residents_met="2000000000"))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "接待居民人数不能超过 1,000" in html
    assert "2147483647" not in html
    assert not OnsiteSession.objects.exists()


@pytest.mark.django_db
def test_a_negative_figure_gets_one_message_not_also_please_fill_it_in(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.post(ADD, typed(client, residents_met="-5"))
    html = unescape(response.content.decode())
    assert "确保该值大于或等于0" in html
    assert "请填写接待居民人数" not in html
    # Left empty, it is asked for (once).
    response = client.post(ADD, typed(client, residents_met=""))
    assert unescape(response.content.decode()).count("请填写接待居民人数") == 1


@pytest.mark.django_db
def test_a_held_activity_dated_2001_is_refused_with_the_earliest_date(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.post(
        ADD, typed(client, starts_at_0="2001-03-01", starts_at_1="09:00", residents_met="20")
    )
    html = unescape(response.content.decode())
    earliest = earliest_start()
    assert f"开始时间不能早于{earliest.year}年{earliest.month}月{earliest.day}日" in html
    assert not OnsiteSession.objects.exists()
    # Last year's activities may still be logged (the annual summary).
    moment = datetime(earliest.year, 3, 1, 9, 0, tzinfo=TZ)
    response = client.post(
        ADD,
        typed(client, starts_at_0=f"{moment:%Y-%m-%d}", starts_at_1="09:00", residents_met="20"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert OnsiteSession.objects.get().starts_at == moment


@pytest.mark.django_db
def test_an_old_record_keeps_its_date_when_something_else_is_edited(place):
    old = make_session(place.north_a, status=ActivityStatus.HELD)
    OnsiteSession.objects.filter(pk=old.pk).update(
        starts_at=timezone.now() - timedelta(days=4 * 365)
    )
    old.refresh_from_db()
    old.title = "改过的标题"
    old.full_clean()  # no objection to a date it already had
    old.starts_at -= timedelta(days=1)
    with pytest.raises(ValidationError, match="开始时间不能早于"):
        old.full_clean()


# --- results marked required --------------------------------------------------------------------


def label_of(html: str, name: str) -> str:
    start = html.index(f'for="id_{name}"')
    return unescape(html[start : html.index("</label>", start)])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "name", "mark"),
    [
        (OnsiteSession, "residents_met", "已举办时必填"),
        (FieldVisit, "households_visited", "已举办时必填"),
        (Deliberation, "minutes", "已举办时必填"),
        (PolicyTalk, "attendance_signed", "已举办时至少填一项"),
        (PolicyTalk, "reach_estimated", "已举办时至少填一项"),
        (Reception, "residents_served", "已举办时必填"),
    ],
)
def test_the_add_page_says_which_results_a_held_activity_needs(
    client, place, staff, model, name, mark
):
    client.force_login(staff[Role.SECRETARY])
    meta = model._meta
    html = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).content.decode()
    assert mark in label_of(html, name)


@pytest.mark.django_db
def test_a_held_activitys_page_says_its_result_is_required_and_a_planned_one_once_held(
    client, place, staff
):
    client.force_login(staff[Role.SECRETARY])
    held = make_session(place.north_a, status=ActivityStatus.HELD)
    assert "（必填）" in label_of(client.get(admin_url(held)).content.decode(), "residents_met")
    planned = make_session(place.north_a, residents_met=None, status=ActivityStatus.PLANNED)
    html = client.get(admin_url(planned)).content.decode()
    assert "已举办时必填" in label_of(html, "residents_met")
    # The 记为已举办 step asks for it as required now.
    assert "（必填）" in label_of(html, "held-residents_met")


# --- edits of a public activity's content on its record -----------------------------------------


@pytest.mark.django_db
def test_a_publishers_edit_of_a_public_title_and_summary_is_on_the_activity_record(
    client, place, staff
):
    secretary = staff[Role.COMMUNITY_SECRETARY]
    client.force_login(secretary)
    session = public_session(place)
    data = change_data(
        client, session, title="北苑第一网格现场办公（更正）", summary="更正后的摘要"
    )
    assert client.post(admin_url(session), data).status_code == 302

    event = ActivityEvent.objects.of(session).get(kind=ActivityEventKind.CONTENT_CHANGED)
    assert event.actor == secretary
    assert event.changes == {"edited": ["title", "summary"]}
    assert "更正后的摘要" not in str(event.changes)  # names, not the text
    html = client.get(admin_url(session)).content.decode()
    record = unescape(html[html.index('id="activity-record"') :])
    assert "修改内容" in record and "修改了：标题、内容摘要" in record
    # Django's log of saves keeps its own line as before.
    assert LogEntry.objects.filter(object_id=str(session.pk)).exists()


@pytest.mark.django_db
def test_edits_of_an_unpublished_activity_or_of_nothing_add_no_content_entry(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    draft = public_session(place, is_published=False)
    assert (
        client.post(admin_url(draft), change_data(client, draft, title="新标题")).status_code == 302
    )
    public = public_session(place)
    assert client.post(admin_url(public), change_data(client, public)).status_code == 302
    kinds = ActivityEvent.objects.filter(kind=ActivityEventKind.CONTENT_CHANGED)
    assert not kinds.exists()


@pytest.mark.django_db
def test_an_approved_change_to_a_public_activity_names_what_it_edited(client, place, staff):
    worker, secretary = staff[Role.GRID_WORKER], staff[Role.COMMUNITY_SECRETARY]
    session = public_session(place)
    client.force_login(worker)
    client.post(admin_url(session), change_data(client, session, summary="网格员补充的摘要"))
    assert not ActivityEvent.objects.of(session).filter(kind=ActivityEventKind.CONTENT_CHANGED)
    revision = services.pending_revision(session)
    services.approve_revision(revision, actor=secretary)
    event = ActivityEvent.objects.of(session).get(kind=ActivityEventKind.CONTENT_CHANGED)
    assert event.actor == secretary and event.changes == {"edited": ["summary"]}
    assert "审核批准" in event.note


# --- the 历史 page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_history_page_shows_djangos_log_as_cards_naming_who(client, place, staff):
    secretary = staff[Role.COMMUNITY_SECRETARY]
    client.force_login(secretary)
    session = make_session(place.north_a, status=ActivityStatus.HELD, is_published=True)
    client.post(admin_url(session), change_data(client, session, title="改过的标题"))
    html = unescape(client.get(admin_url(session, "history")).content.decode())
    log = html[html.index('id="change-history"') :]
    assert "<table" not in log
    assert 'class="log-entry"' in log and "标题" in log
    assert secretary.staff_profile.name in log
