"""Changes to published activities by staff who may not publish wait for review: residents keep
seeing the approved version on every public surface until a publisher approves the change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outreach import services
from outreach.models import (
    ActivityEvent,
    ActivityEventKind,
    ActivityRevision,
    ActivityStatus,
    RevisionStatus,
)
from outreach.review import pending_storage
from portal.images import ingest_image, save_renditions
from portal.roles import Role
from tests.admin_forms import admin_form_data
from tests.factories import (
    make_deliberation,
    make_reception,
    make_session,
    make_talk,
    make_visit,
)
from tests.images import as_upload, jpeg_with_gps
from tests.outreach.steps import post_step

MAKERS = [make_talk, make_visit, make_session, make_deliberation, make_reception]
IDS = ["talk", "visit", "session", "deliberation", "reception"]

LIVE_TITLE = "已审核公开的标题"
LIVE_SUMMARY = "已审核公开的摘要。"
NEW_TITLE = "未经审核的新标题"
NEW_SUMMARY = "未经审核的新摘要。"


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def public_pages(activity) -> str:
    """Everything residents can read about it: list, detail, upcoming, calendar, home page."""
    model = type(activity)
    resident = Client()
    urls = [
        reverse(f"{model._meta.app_label}:{model._meta.model_name}-list"),
        activity.get_absolute_url(),
        reverse("outreach:upcoming"),
        reverse("outreach:upcoming-ics"),
        reverse("portal:home"),
    ]
    pages = []
    for url in urls:
        response = resident.get(url)
        assert response.status_code == 200, url
        pages.append(response.content.decode())
    return "\n".join(pages)


def live_photo(activity, caption: str):
    photo = activity.photos.model(activity=activity, caption=caption)
    save_renditions(photo, ingest_image(as_upload(jpeg_with_gps(320, 240))))
    photo.save()
    return photo


def edit(client, activity, *, photo_upload=None, remove_photo=None, **fields) -> dict:
    """The change page as the browser shows it, with the edits made."""
    model = type(activity)
    page = client.get(admin_url(model, "change", activity.pk))
    assert page.status_code == 200
    data = admin_form_data(page.content.decode(), model) | fields
    if remove_photo is not None:
        row = next(k for k, v in data.items() if k.endswith("-id") and v == str(remove_photo.pk))
        data[row.replace("-id", "-DELETE")] = "on"
    if photo_upload is not None:
        total = int(data["photos-TOTAL_FORMS"])
        data |= {
            "photos-TOTAL_FORMS": str(total + 1),
            f"photos-{total}-upload": photo_upload,
            f"photos-{total}-caption": "未经审核的新照片",
            f"photos-{total}-sort_order": "1",
        }
    return data


def planned(make, place):
    """A published activity in the next days: on the upcoming page and in the calendar."""
    return make(
        place.north_a,
        status=ActivityStatus.PLANNED,
        starts_at=timezone.now() + timedelta(days=2),
        title=LIVE_TITLE,
        summary=LIVE_SUMMARY,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_a_grid_workers_edit_of_a_published_activity_waits_for_review(
    client, place, staff, make, django_capture_on_commit_callbacks
):
    activity = planned(make, place)
    model = type(activity)
    old_photo = live_photo(activity, "已公开的照片")
    client.force_login(staff[Role.GRID_WORKER])
    data = edit(
        client,
        activity,
        title=NEW_TITLE,
        summary=NEW_SUMMARY,
        remove_photo=old_photo,
        photo_upload=as_upload(jpeg_with_gps(640, 480), "IMG_9.jpg"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(model, "change", activity.pk), data, follow=True)
    assert response.status_code == 200
    assert "已提交，待有发布权限的人员审核后公开" in response.content.decode()

    # Residents see the approved version everywhere, photo included, and nothing of the edit.
    public = public_pages(activity)
    assert LIVE_TITLE in public and LIVE_SUMMARY in public
    assert NEW_TITLE not in public and NEW_SUMMARY not in public
    assert old_photo.thumbnail.url in public
    assert activity.photos.count() == 1
    assert default_storage.exists(old_photo.image.name)
    revision = ActivityRevision.objects.get()
    assert revision.status == RevisionStatus.PENDING
    assert revision.submitted_by == staff[Role.GRID_WORKER]
    # The editor comes back to the change as they left it, told that it waits.
    again = client.get(admin_url(model, "change", activity.pk)).content.decode()
    assert NEW_TITLE in again and "待审核的修改" in again

    # A publisher sees what waits, with the proposed photo, and approves it.
    publisher = Client()
    publisher.force_login(staff[Role.COMMUNITY_SECRETARY])
    told = publisher.get(admin_url(model, "changelist")).content.decode()
    assert "有 1 项已公开活动的修改待您审核" in told and "?review=pending" in told
    listed = publisher.get(admin_url(model, "changelist"), {"review": "pending"})
    assert [o.pk for o in listed.context["cl"].result_list] == [activity.pk]
    page = publisher.get(admin_url(model, "change", activity.pk)).content.decode()
    assert "待审核的修改" in page and NEW_TITLE in page and "批准并公开" in page
    new_file = revision.changes["children"]["photos"]["added"][0]["thumbnail"]
    # Until approved the new photo is on no public URL; the reviewer opens it in the admin.
    assert not default_storage.exists(new_file) and pending_storage.exists(new_file)
    preview = admin_url(model, "review_photo", activity.pk, new_file)
    assert preview in page
    assert publisher.get(preview).status_code == 200
    assert Client().get(preview).status_code == 302  # to the login page
    with django_capture_on_commit_callbacks(execute=True):
        response = publisher.post(
            admin_url(model, "review", activity.pk), {"_approve": "1"}, follow=True
        )
    assert "已批准" in response.content.decode()

    public = public_pages(activity)
    assert NEW_TITLE in public and NEW_SUMMARY in public and LIVE_TITLE not in public
    assert default_storage.url(new_file) in public and not pending_storage.exists(new_file)
    assert old_photo.thumbnail.url not in public
    assert not default_storage.exists(old_photo.image.name)
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPROVED
    assert revision.decided_by == staff[Role.COMMUNITY_SECRETARY]


@pytest.mark.django_db
@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_a_rejected_change_is_never_shown_and_its_photo_is_erased(
    client, place, staff, make, django_capture_on_commit_callbacks
):
    held = {"minutes": "会议纪要。"} if make is make_deliberation else {}
    activity = make(place.north_a, title=LIVE_TITLE, summary=LIVE_SUMMARY, **held)
    model = type(activity)
    client.force_login(staff[Role.GRID_WORKER])
    data = edit(client, activity, title=NEW_TITLE, photo_upload=as_upload(jpeg_with_gps()))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(admin_url(model, "change", activity.pk), data).status_code == 302
    revision = ActivityRevision.objects.get()
    staged = revision.changes["children"]["photos"]["added"][0]
    assert pending_storage.exists(staged["image"]) and not default_storage.exists(staged["image"])

    # The grid worker cannot approve it, by any route.
    refused = client.post(admin_url(model, "review", activity.pk), {"_approve": "1"}, follow=True)
    assert "只有有发布权限的人员才能审核修改" in refused.content.decode()
    with pytest.raises(services.ActivityError):
        services.approve_revision(revision, actor=staff[Role.GRID_WORKER])

    publisher = Client()
    publisher.force_login(staff[Role.AREA_LEADER])
    with django_capture_on_commit_callbacks(execute=True):
        publisher.post(
            admin_url(model, "review", activity.pk), {"_reject": "1", "note": "照片与活动无关"}
        )
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.REJECTED and revision.note == "照片与活动无关"
    assert revision.decided_by == staff[Role.AREA_LEADER]
    assert not pending_storage.exists(staged["image"])
    public = public_pages(activity)
    assert LIVE_TITLE in public and NEW_TITLE not in public
    activity.refresh_from_db()
    assert activity.title == LIVE_TITLE and not activity.photos.exists()


@pytest.mark.django_db
def test_a_second_edit_joins_the_waiting_one(client, place, staff):
    # On the minute, as the admin's time field shows it (seconds would count as a change).
    when = (timezone.now() - timedelta(days=2)).replace(second=0, microsecond=0)
    talk = make_talk(place.north_a, title=LIVE_TITLE, summary=LIVE_SUMMARY, starts_at=when)
    model = type(talk)
    client.force_login(staff[Role.GRID_WORKER])
    client.post(admin_url(model, "change", talk.pk), edit(client, talk, title=NEW_TITLE))
    client.post(admin_url(model, "change", talk.pk), edit(client, talk, summary=NEW_SUMMARY))
    revision = ActivityRevision.objects.pending().get()
    assert set(revision.changes["fields"]) == {"title", "summary"}
    talk.refresh_from_db()
    assert talk.title == LIVE_TITLE and talk.summary == LIVE_SUMMARY

    # Putting the title back and the summary too leaves nothing to review.
    data = edit(client, talk, title=LIVE_TITLE, summary=LIVE_SUMMARY)
    response = client.post(admin_url(model, "change", talk.pk), data, follow=True)
    assert "没有需要审核的修改" in response.content.decode()
    assert not ActivityRevision.objects.pending().exists()


@pytest.mark.django_db
def test_a_grid_worker_cancelling_a_published_session_waits_too(client, place, staff):
    session = planned(make_session, place)
    client.force_login(staff[Role.GRID_WORKER])
    response = post_step(client, session, "cancel", reason="另有安排")
    assert "已提交，待有发布权限的人员审核后公开" in response.content.decode()
    public = public_pages(session)
    assert "另有安排" not in public and "已取消" not in public
    session.refresh_from_db()
    assert session.status == ActivityStatus.PLANNED
    assert not ActivityEvent.objects.of(session).filter(kind=ActivityEventKind.CANCELLED)

    services.approve_revision(ActivityRevision.objects.get(), actor=staff[Role.SECRETARY])
    session.refresh_from_db()
    assert session.status == ActivityStatus.CANCELLED and session.cancel_reason == "另有安排"
    assert "另有安排" in Client().get(session.get_absolute_url()).content.decode()
    # On the record once it took effect: who approved it, naming who asked for it.
    event = ActivityEvent.objects.of(session).get(kind=ActivityEventKind.CANCELLED)
    assert event.actor == staff[Role.SECRETARY]
    assert (event.from_status, event.to_status) == (
        ActivityStatus.PLANNED,
        ActivityStatus.CANCELLED,
    )
    grid_worker = staff[Role.GRID_WORKER].staff_profile.name
    assert "另有安排" in event.note and f"{grid_worker}提交" in event.note


@pytest.mark.django_db
def test_deliberation_decisions_and_attendance_wait_for_review(client, place, staff):
    meeting = make_deliberation(place.north_a, minutes="纪要。")
    decision = meeting.decisions.create(text="物业两周内清理楼道", sort_order=1)
    client.force_login(staff[Role.GRID_WORKER])
    data = edit(client, meeting)
    row = next(
        k
        for k, v in data.items()
        if k.startswith("decisions-") and k.endswith("-id") and v == str(decision.pk)
    )
    data[row.replace("-id", "-text")] = "未经审核的决定"
    data |= {"attendance-0-category": "residents", "attendance-0-count": "9"}
    assert client.post(admin_url(type(meeting), "change", meeting.pk), data).status_code == 302
    page = Client().get(meeting.get_absolute_url()).content.decode()
    assert "物业两周内清理楼道" in page and "未经审核的决定" not in page and "居民代表" not in page

    services.approve_revision(ActivityRevision.objects.get(), actor=staff[Role.COMMUNITY_SECRETARY])
    page = Client().get(meeting.get_absolute_url()).content.decode()
    assert "未经审核的决定" in page and "居民代表 9 人" in page


@pytest.mark.django_db
def test_edits_of_unpublished_activities_and_by_publishers_apply_at_once(client, place, staff):
    draft = make_talk(place.north_a, title=LIVE_TITLE, is_published=False)
    client.force_login(staff[Role.GRID_WORKER])
    client.post(admin_url(type(draft), "change", draft.pk), edit(client, draft, title=NEW_TITLE))
    draft.refresh_from_db()
    assert draft.title == NEW_TITLE and not ActivityRevision.objects.exists()

    live = make_talk(place.north_a, title=LIVE_TITLE)
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    page = client.get(admin_url(type(live), "change", live.pk)).content.decode()
    assert "须经有发布权限的人员审核" not in page
    client.post(admin_url(type(live), "change", live.pk), edit(client, live, title=NEW_TITLE))
    live.refresh_from_db()
    assert live.title == NEW_TITLE and not ActivityRevision.objects.exists()


@pytest.mark.django_db
def test_the_editor_is_told_before_saving_and_publishing_is_recorded(client, place, staff):
    talk = make_talk(place.north_a, is_published=False)
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    client.post(
        admin_url(type(talk), "changelist"),
        {"action": "publish_selected", "_selected_action": [talk.pk]},
    )
    record = ActivityEvent.objects.of(talk).get()
    assert record.kind == ActivityEventKind.PUBLISHED
    assert record.actor == staff[Role.COMMUNITY_SECRETARY]
    assert not ActivityRevision.objects.exists()  # a publication is no change to review

    client.force_login(staff[Role.GRID_WORKER])
    page = client.get(admin_url(type(talk), "change", talk.pk)).content.decode()
    assert "须经有发布权限的人员审核才对居民公开" in page


@pytest.mark.django_db
def test_a_changed_theme_list_waits_and_the_editor_sees_it_selected(client, place, staff):
    from outreach.models import ResearchTheme

    visit = make_visit(place.north_a, title=LIVE_TITLE)
    old_theme = ResearchTheme.objects.create(name="老旧小区改造")
    new_theme = ResearchTheme.objects.create(name="一刻钟社区生活圈")
    visit.themes.set([old_theme])
    client.force_login(staff[Role.GRID_WORKER])
    data = edit(client, visit) | {"themes": [str(new_theme.pk)]}
    assert client.post(admin_url(type(visit), "change", visit.pk), data).status_code == 302
    assert list(visit.themes.all()) == [old_theme]
    again = client.get(admin_url(type(visit), "change", visit.pk))
    assert again.context["adminform"].form.initial["themes"] == [new_theme.pk]

    publisher = Client()
    publisher.force_login(staff[Role.SECRETARY])
    page = publisher.get(admin_url(type(visit), "change", visit.pk)).content.decode()
    assert "调研主题" in page and "一刻钟社区生活圈" in page
    publisher.post(admin_url(type(visit), "review", visit.pk), {"_approve": "1"})
    assert list(visit.themes.all()) == [new_theme]
