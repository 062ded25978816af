"""The outreach back office: logging, photos, status buttons, bulk actions, scope, query counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from outreach.models import (
    ActivityStatus,
    Deliberation,
    FieldVisit,
    OnsiteSession,
    PolicyTalk,
    PolicyTalkPhoto,
)
from petitions.models import CaseAttachment
from portal.images import ingest_image, save_renditions
from portal.models import StaffProfile
from portal.roles import PERMISSIONS, RECORD_REACH, Reach, Role
from tests.factories import (
    make_case,
    make_deliberation,
    make_rota,
    make_session,
    make_talk,
    make_visit,
)
from tests.images import as_upload, jpeg_with_gps, svg_bytes
from tests.outreach.steps import post_step

ADD_URL = reverse("admin:outreach_policytalk_add")
MAKERS = {
    PolicyTalk: make_talk,
    FieldVisit: make_visit,
    OnsiteSession: make_session,
    Deliberation: make_deliberation,
}


def talk_form(place, *, grid=None, photo=None, **overrides) -> dict:
    local = timezone.localtime() - timedelta(hours=2)
    grid = grid or place.north_a
    data = {
        "record_as": "held",
        "title": "学习二十届四中全会精神宣讲",
        "starts_at_0": local.strftime("%Y-%m-%d"),
        "starts_at_1": local.strftime("%H:%M:%S"),
        "ends_at_0": "",
        "ends_at_1": "",
        "community": str(grid.community_id),
        "grid": str(grid.pk),
        "compound": "",
        "venue": "北苑社区党群服务中心",
        "kind": "theory",
        "series": "",
        "other_speakers": "",
        "summary": "红骑兵宣讲团走进北苑社区，用身边事讲清政策。",
        "attendance_signed": "86",
        "reach_estimated": "",
        "reach_method": "",
        "reach_note": "",
        "photos-TOTAL_FORMS": "1",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "photos-0-caption": "",
        "photos-0-sort_order": "0",
    }
    if photo is not None:
        data["photos-0-upload"] = photo
        data["photos-0-caption"] = "宣讲现场"
    return data | overrides


@pytest.mark.django_db
def test_community_secretary_logs_a_held_talk_with_a_phone_photo(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    photo = as_upload(jpeg_with_gps(1200, 900), "IMG_2041.jpg", "image/jpeg")
    response = client.post(ADD_URL, talk_form(place, photo=photo))
    assert response.status_code == 302, response.content.decode()[:3000]
    talk = PolicyTalk.objects.get()
    assert talk.status == ActivityStatus.HELD and talk.is_published
    assert talk.created_by == staff[Role.COMMUNITY_SECRETARY]
    stored = talk.photos.get()
    for rendition in (stored.image, stored.display, stored.thumbnail):
        rendition.open("rb")
        data = rendition.read()
        rendition.close()
        assert not Image.open(BytesIO(data)).getexif()
        assert b"GPS" not in data and b"Exif" not in data
    public = Client().get(reverse("outreach:policytalk-list")).content.decode()
    assert "学习二十届四中全会精神宣讲" in public
    assert stored.thumbnail.url in public


@pytest.mark.django_db
def test_a_hostile_upload_is_refused_and_nothing_is_stored(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    photo = as_upload(svg_bytes(), "poster.jpg", "image/jpeg")
    response = client.post(ADD_URL, talk_form(place, photo=photo))
    html = response.content.decode()
    assert response.status_code == 200
    assert "只能上传 JPEG、PNG 或 WebP 格式的照片" in html
    assert "学习二十届四中全会精神宣讲" in html  # what was typed is kept
    assert not PolicyTalk.objects.exists() and not PolicyTalkPhoto.objects.exists()


@pytest.mark.django_db
def test_held_talk_without_numbers_is_refused_with_the_reason(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.post(ADD_URL, talk_form(place, attendance_signed=""))
    assert response.status_code == 200
    assert "请填写签到人数或估算惠及人数" in response.content.decode()
    assert not PolicyTalk.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("record_as", ["held", "planned"])
def test_a_missing_start_time_is_a_field_error_not_a_crash(client, place, staff, record_as):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    data = talk_form(place, record_as=record_as, starts_at_0="", starts_at_1="")
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    assert not PolicyTalk.objects.exists()


@pytest.mark.django_db
def test_editing_a_held_talk_keeps_it_a_record_of_what_happened(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    assert client.post(ADD_URL, talk_form(place)).status_code == 302
    talk = PolicyTalk.objects.get()
    change = reverse("admin:outreach_policytalk_change", args=[talk.pk])
    edit = talk_form(place) | {"photos-TOTAL_FORMS": "0"}

    response = client.post(change, edit | {"attendance_signed": ""})
    assert response.status_code == 200
    assert "请填写签到人数或估算惠及人数" in response.content.decode()

    later = timezone.localtime() + timedelta(days=30)
    response = client.post(change, edit | {"starts_at_0": later.strftime("%Y-%m-%d")})
    assert response.status_code == 200
    assert "已举办的活动，开始时间不能晚于现在" in response.content.decode()

    talk.refresh_from_db()
    assert talk.attendance_signed == 86 and talk.starts_at < timezone.now()
    assert client.post(change, edit | {"attendance_signed": "90"}).status_code == 302


def _stored_names(photo) -> list[str]:
    return [f.name for f in (photo.image, photo.display, photo.thumbnail)]


@pytest.mark.django_db
def test_a_replaced_or_removed_photo_leaves_no_file_behind(
    client, place, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    first = as_upload(jpeg_with_gps(800, 600), "IMG_1.jpg", "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ADD_URL, talk_form(place, photo=first)).status_code == 302
    talk = PolicyTalk.objects.get()
    photo = talk.photos.get()
    storage = photo.image.storage
    old = _stored_names(photo)
    change = reverse("admin:outreach_policytalk_change", args=[talk.pk])
    row = {
        "photos-TOTAL_FORMS": "1",
        "photos-INITIAL_FORMS": "1",
        "photos-0-id": str(photo.pk),
        "photos-0-talk": str(talk.pk),
        "photos-0-caption": "宣讲现场",
        "photos-0-sort_order": "0",
    }

    second = as_upload(jpeg_with_gps(640, 480), "IMG_2.jpg", "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change, talk_form(place) | row | {"photos-0-upload": second})
    assert response.status_code == 302, response.content.decode()[:3000]
    photo.refresh_from_db()
    assert photo.width == 640
    assert all(storage.exists(name) for name in _stored_names(photo))
    assert not any(storage.exists(name) for name in old)

    kept = _stored_names(photo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change, talk_form(place) | row | {"photos-0-DELETE": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not talk.photos.exists()
    assert not any(storage.exists(name) for name in kept)


@pytest.mark.django_db
def test_a_case_photo_is_erased_with_its_row_but_not_when_the_deletion_rolls_back(
    place, django_capture_on_commit_callbacks
):
    attachment = CaseAttachment(case=make_case(place.north_a))
    save_renditions(attachment, ingest_image(as_upload(jpeg_with_gps(), "a.jpg", "image/jpeg")))
    attachment.save()
    storage, names = attachment.image.storage, _stored_names(attachment)

    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        CaseAttachment.objects.filter(pk=attachment.pk).delete()
        raise Abort
    assert callbacks == [] and all(storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        attachment.case.attachments.all().delete()
    assert not any(storage.exists(name) for name in names)


@pytest.mark.django_db
def test_research_and_deliberations_need_their_results_to_count_as_held(place):
    visit = make_visit(place.north_a, households_visited=None)
    with pytest.raises(ValidationError, match="请填写走访户数"):
        visit.full_clean()
    meeting = make_deliberation(place.north_a, minutes="  ")
    with pytest.raises(ValidationError, match="请填写会议纪要"):
        meeting.full_clean()
    meeting.minutes = "议定由物业在两周内划设消防通道标线。"
    meeting.full_clean()


@pytest.mark.django_db
def test_a_planned_activity_cannot_be_set_in_the_past(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.post(ADD_URL, talk_form(place, record_as="planned"))
    assert response.status_code == 200
    assert "这个时间已经过去" in response.content.decode()
    assert not PolicyTalk.objects.exists()
    # One whose time passed before anyone recorded it does not say 即将举办 in public.
    late = make_talk(place.north_a, status=ActivityStatus.PLANNED)
    page = Client().get(late.get_absolute_url()).content.decode()
    assert "即将举办" not in page and "举办情况正在整理" in page


@pytest.mark.django_db
def test_estimate_below_attendance_is_refused(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.post(ADD_URL, talk_form(place, reach_estimated="50", reach_method="venue"))
    assert "估算惠及人数不能少于签到人数" in response.content.decode()
    assert not PolicyTalk.objects.exists()


@pytest.mark.django_db
def test_grid_worker_logs_only_in_own_grid_and_waits_for_publishing(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    response = client.post(ADD_URL, talk_form(place, grid=place.north_b))
    assert response.status_code == 200
    assert not PolicyTalk.objects.exists()
    response = client.post(ADD_URL, talk_form(place, grid=place.north_a))
    assert response.status_code == 302
    talk = PolicyTalk.objects.get()
    assert not talk.is_published
    public = Client().get(reverse("outreach:policytalk-list")).content.decode()
    assert "学习二十届" not in public


@pytest.mark.django_db
def test_status_buttons_move_a_planned_session(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    session = make_session(
        place.north_a,
        status=ActivityStatus.PLANNED,
        residents_met=None,
        starts_at=timezone.now() - timedelta(hours=1),
    )
    response = post_step(client, session, "held")
    assert "请填写接待居民人数" in response.content.decode()
    session.refresh_from_db()
    assert session.status == ActivityStatus.PLANNED

    response = post_step(client, session, "held", residents_met="23")
    assert "已记为已举办" in response.content.decode()
    session.refresh_from_db()
    assert session.status == ActivityStatus.HELD and session.residents_met == 23

    planned = make_session(place.north_a, status=ActivityStatus.PLANNED, residents_met=None)
    response = post_step(client, planned, "cancel", reason="")
    assert "请填写取消原因" in response.content.decode()
    post_step(client, planned, "cancel", reason="社区防汛值班")
    planned.refresh_from_db()
    assert planned.status == ActivityStatus.CANCELLED and planned.cancel_reason == "社区防汛值班"
    post_step(client, planned, "restore")
    planned.refresh_from_db()
    assert planned.status == ActivityStatus.PLANNED


@pytest.mark.django_db
def test_status_cannot_be_posted_directly(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    talk = make_talk(place.north_a, status=ActivityStatus.PLANNED, attendance_signed=None)
    url = reverse("admin:outreach_policytalk_change", args=[talk.pk])
    form = client.get(url).context["adminform"].form
    assert "status" not in form.fields and "is_published" not in form.fields


@pytest.mark.django_db
def test_bulk_publish_and_copy(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    drafts = [make_talk(place.north_a, is_published=False) for _ in range(3)]
    url = reverse("admin:outreach_policytalk_changelist")
    response = client.post(
        url,
        {"action": "publish_selected", "_selected_action": [t.pk for t in drafts]},
        follow=True,
    )
    assert "已公开 3 条" in response.content.decode()
    assert PolicyTalk.objects.filter(is_published=True).count() == 3
    response = client.post(
        url, {"action": "copy_selected", "_selected_action": [drafts[0].pk]}, follow=True
    )
    copy = PolicyTalk.objects.order_by("-pk").first()
    assert copy.status == ActivityStatus.PLANNED
    assert response.redirect_chain[-1][0].endswith(f"/{copy.pk}/change/")


@pytest.mark.django_db
def test_grid_worker_has_no_publish_action(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    response = client.get(reverse("admin:outreach_policytalk_changelist"))
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "publish_selected" not in actions and "copy_selected" in actions


@pytest.mark.django_db
def test_rota_action_plans_four_published_fridays(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    rota = make_rota(place.north_a)
    response = client.post(
        reverse("admin:outreach_onsiterota_changelist"),
        {"action": "plan_four_weeks", "_selected_action": [rota.pk]},
        follow=True,
    )
    assert "已生成 4 场" in response.content.decode()
    sessions = OnsiteSession.objects.filter(rota=rota)
    assert sessions.count() == 4
    assert all(timezone.localtime(s.starts_at).weekday() == 4 for s in sessions)


def _expected(role: Role, rows, user_scope) -> set[int]:
    reach = RECORD_REACH[role]
    communities, grids = user_scope
    return {
        obj.pk
        for obj in rows
        if reach is Reach.ALL
        or (reach is Reach.COMMUNITIES and obj.community_id in communities)
        or (reach is Reach.GRIDS and obj.grid_id in grids)
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_its_scope_of_activities(client, place, staff, role, model):
    rows = [
        MAKERS[model](grid) for grid in (place.north_a, place.north_b, place.south_a, place.west_a)
    ]
    rows.append(MAKERS[model](None, community=place.north))  # a community-level record
    user = staff[role]
    client.force_login(user)
    label = f"outreach.{model._meta.model_name}"
    url = reverse(f"admin:outreach_{model._meta.model_name}_changelist")
    if not PERMISSIONS[role].get(label):
        assert client.get(url).status_code == 403
        return
    profile = StaffProfile.objects.get(user=user)
    scope = (
        {c.pk for c in profile.communities.all()},
        {g.pk for g in profile.grids.all()},
    )
    expected = _expected(role, rows, scope)
    listed = {o.pk for o in client.get(url).context["cl"].result_list}
    assert listed == expected
    for obj in rows:
        detail = client.get(
            reverse(f"admin:outreach_{model._meta.model_name}_change", args=[obj.pk])
        )
        assert (detail.status_code == 200) == (obj.pk in expected)
        found = client.get(url, {"q": obj.title})
        assert (obj.pk in {o.pk for o in found.context["cl"].result_list}) == (obj.pk in expected)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [*MAKERS, "rota"], ids=str)
def test_changelists_cost_the_same_queries_for_1_and_50_rows(client, place, staff, model):
    client.force_login(staff[Role.SECRETARY])
    if model == "rota":
        url = reverse("admin:outreach_onsiterota_changelist")

        def make(grid):
            return make_rota(grid)
    else:
        url = reverse(f"admin:outreach_{model._meta.model_name}_changelist")

        def make(grid):
            return MAKERS[model](grid)

    make(place.north_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first page of a run also fills per-process and shared caches
    one = count()
    for i in range(49):
        make([place.north_a, place.south_a, place.west_a][i % 3])
    assert count() == one


@pytest.mark.django_db
def test_month_filter_works_in_the_admin_list(client, place, staff):
    client.force_login(staff[Role.SECRETARY])
    now = timezone.localtime()
    this_month = make_talk(place.north_a, starts_at=now - timedelta(minutes=5))
    make_talk(place.north_a, starts_at=now - timedelta(days=70))
    response = client.get(
        reverse("admin:outreach_policytalk_changelist"), {"month": f"{now:%Y-%m}"}
    )
    assert response.status_code == 200
    assert [o.pk for o in response.context["cl"].result_list] == [this_month.pk]


@pytest.mark.django_db
def test_view_on_site_is_offered_only_for_pages_residents_can_open(client, place, staff):
    client.force_login(staff[Role.SECRETARY])
    for published, status, offered in (
        (True, ActivityStatus.HELD, True),
        (False, ActivityStatus.HELD, False),
        (True, ActivityStatus.CANCELLED, True),
    ):
        session = make_session(
            place.north_a, is_published=published, status=status, cancel_reason="改期"
        )
        page = client.get(reverse("admin:outreach_onsitesession_change", args=[session.pk]))
        assert ('class="viewsitelink"' in page.content.decode()) == offered
        if offered:
            assert client.get(session.get_absolute_url()).status_code == 200
        else:
            assert client.get(session.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_the_configuration_account_is_never_offered_as_an_official(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "outreach",
            "model_name": "onsitesession",
            "field_name": "officials",
            "term": "",
        },
    )
    ids = {int(row["id"]) for row in response.json()["results"]}
    sysadmin = StaffProfile.objects.get(user=staff[Role.SYSADMIN])
    assert ids and sysadmin.pk not in ids
    assert StaffProfile.objects.get(user=staff[Role.AREA_LEADER]).pk in ids


@pytest.mark.django_db
def test_attendance_rows_and_rotas_are_refused_in_chinese(rf, place, staff):
    from django.contrib import admin

    from outreach.models import DeliberationAttendance, OnsiteRota

    deliberation = make_deliberation(place.north_a)
    deliberation.attendance.all().delete()
    request = rf.get("/")
    request.user = staff[Role.COMMUNITY_SECRETARY]
    inline = next(
        i
        for i in admin.site._registry[Deliberation].get_inline_instances(request, deliberation)
        if i.model is DeliberationAttendance
    )
    formset_class = inline.get_formset(request, deliberation)
    prefix = formset_class.get_default_prefix()
    data = {
        f"{prefix}-TOTAL_FORMS": "3",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-category": "residents",
        f"{prefix}-0-count": "12",
        f"{prefix}-1-category": "residents",
        f"{prefix}-1-count": "3",
        f"{prefix}-2-category": "property",
        f"{prefix}-2-count": "0",
    }
    formset = formset_class(data, instance=deliberation, prefix=prefix)
    assert not formset.is_valid()
    errors = str(formset.errors) + str(formset.non_form_errors())
    assert "类别有重复，请修改。" in errors
    assert "确保该值大于或等于1" in errors.replace(" ", "")
    assert "category" not in errors and "deliberationattendance" not in errors

    rota = OnsiteRota(community=place.north, grid=place.north_a, duration_minutes=5)
    with pytest.raises(ValidationError) as refused:
        rota.full_clean()
    assert "duration_minutes" in refused.value.message_dict
    assert "onsiterota_duration_sane" not in str(refused.value)


@pytest.mark.django_db
def test_month_filter_reaches_the_planned_months_ahead(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    today = timezone.localdate()
    ahead = (today.replace(day=1) + timedelta(days=40)).strftime("%Y-%m")
    planned = make_talk(
        place.north_a,
        status=ActivityStatus.PLANNED,
        starts_at=timezone.now() + timedelta(days=40 - today.day + 3),
    )
    html = client.get(reverse("admin:outreach_policytalk_changelist")).content.decode()
    assert f"?month={ahead}" in html
    listed = client.get(reverse("admin:outreach_policytalk_changelist"), {"month": ahead})
    assert planned.title in listed.content.decode()


@pytest.mark.django_db
def test_month_filter_offers_exactly_the_months_that_hold_activities(client, place, staff):
    """A talk of last December is reachable; an empty month far ahead is not offered."""
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    today = timezone.localdate()
    old = timezone.make_aware(datetime(today.year - 1, 12, 12, 9, 30))
    make_talk(place.north_a, starts_at=old)
    html = client.get(reverse("admin:outreach_policytalk_changelist")).content.decode()
    assert f"?month={today.year - 1}-12" in html
    assert f"?month={today.year + 1}-02" not in html
