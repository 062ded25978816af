"""信访接待下基层: logged in the admin, shown publicly, counted, linked to the cases it opened."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outreach.models import ActivityStatus
from petitions.models import Channel, Reception
from petitions.stats import reception_totals
from portal.roles import PERMISSIONS, RECORD_REACH, Reach, Role
from tests.factories import make_case, make_reception
from tests.outreach.steps import post_step, shown_steps

TZ = timezone.get_current_timezone()


def reception_form(place, when, **overrides) -> dict:
    return {
        "record_as": "held",
        "title": "街道领导下访接待日",
        "starts_at_0": when.strftime("%Y-%m-%d"),
        "starts_at_1": when.strftime("%H:%M:%S"),
        "ends_at_0": "",
        "ends_at_1": "",
        "community": str(place.north.pk),
        "grid": "",
        "compound": "",
        "venue": "北苑社区党群服务中心",
        "kind": "leader_day",
        "summary": "街道领导和法律顾问接待群众，现场答复政策问题。",
        "residents_served": "",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    } | overrides


@pytest.mark.django_db
def test_community_secretary_logs_a_reception_day_in_the_admin(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    when = timezone.localtime() - timedelta(hours=3)
    add = reverse("admin:petitions_reception_add")
    response = client.post(add, reception_form(place, when))
    assert response.status_code == 200
    assert "请填写接待群众人数" in response.content.decode()
    assert not Reception.objects.exists()

    response = client.post(add, reception_form(place, when, residents_served="17"))
    assert response.status_code == 302
    reception = Reception.objects.get()
    assert reception.status == ActivityStatus.HELD and reception.is_published
    detail = client.get(reverse("petitions:reception-detail", args=[reception.pk]))
    assert detail.status_code == 200 and "街道领导下访接待日" in detail.content.decode()
    assert "街道领导下访接待日" in client.get(reverse("petitions:reception-list")).content.decode()


@pytest.mark.django_db
def test_a_planned_reception_day_is_marked_held_or_published_like_the_other_practices(
    client, place, staff
):
    secretary = staff[Role.SECRETARY]
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    planned = make_reception(place.north_a, status=ActivityStatus.PLANNED, residents_served=None)
    change = reverse("admin:petitions_reception_change", args=[planned.pk])
    assert "held" in shown_steps(client.get(change).content.decode())

    Reception.objects.filter(pk=planned.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), is_published=False
    )
    response = post_step(client, planned, "held", residents_served="17")
    assert "已记为已举办" in response.content.decode()
    assert "接待群众人数：— → 17" in response.content.decode()  # on its record
    planned.refresh_from_db()
    assert planned.status == ActivityStatus.HELD and planned.residents_served == 17

    client.force_login(secretary)
    changelist = reverse("admin:petitions_reception_changelist")
    assert "publish_selected" in client.get(changelist).content.decode()
    Reception.objects.filter(pk=planned.pk).update(is_published=False)
    client.post(changelist, {"action": "publish_selected", "_selected_action": [planned.pk]})
    planned.refresh_from_db()
    assert planned.is_published


@pytest.mark.django_db
def test_reception_is_public_counted_and_links_its_cases(client, place, staff):
    reception = make_reception(place.north_a, title="法律咨询进社区", residents_served=23)
    make_reception(place.north_a, residents_served=99, status=ActivityStatus.PLANNED)
    case = make_case(
        place.north_a,
        actor=staff[Role.GRID_WORKER],
        channel=Channel.RECEPTION,
        reception=reception,
    )
    assert list(reception.cases.all()) == [case]
    totals = reception_totals(community=place.north)
    assert (totals.events, totals.residents_served, totals.cases_opened) == (1, 23, 1)
    assert totals.by_kind["领导下访接待"] == 1

    html = client.get(reverse("petitions:reception-list")).content.decode()
    assert "法律咨询进社区" in html and "接待群众 23 人" in html
    detail = client.get(reception.get_absolute_url())
    assert detail.status_code == 200 and "法律咨询进社区" in detail.content.decode()
    home = client.get("/")
    assert home.context["receptions"].events == 1


@pytest.mark.django_db
def test_planned_reception_day_is_on_the_upcoming_page(client, place, staff):
    from portal.models import StaffProfile

    reception = make_reception(
        place.north_a,
        venue="北苑社区信访接待室",
        status=ActivityStatus.PLANNED,
        residents_served=None,
        starts_at=timezone.now() + timedelta(days=6),
    )
    reception.officials.set([StaffProfile.objects.get(user=staff[Role.SECRETARY])])
    html = client.get(reverse("outreach:upcoming")).content.decode()
    assert "在北苑社区信访接待室" in html and "接待来访群众" in html
    assert "北苑社区信访接待室" in client.get(reverse("outreach:upcoming-ics")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_admin_list_shows_each_role_its_scope(client, place, staff, role):
    from portal.models import StaffProfile

    rows = [make_reception(g) for g in (place.north_a, place.north_b, place.south_a, place.west_a)]
    user = staff[role]
    client.force_login(user)
    url = reverse("admin:petitions_reception_changelist")
    if not PERMISSIONS[role].get("petitions.reception"):
        assert client.get(url).status_code == 403
        return
    profile = StaffProfile.objects.get(user=user)
    communities = {c.pk for c in profile.communities.all()}
    grids = {g.pk for g in profile.grids.all()}
    reach = RECORD_REACH[role]
    expected = {
        r.pk
        for r in rows
        if reach is Reach.ALL
        or (reach is Reach.COMMUNITIES and r.community_id in communities)
        or (reach is Reach.GRIDS and r.grid_id in grids)
    }
    assert {o.pk for o in client.get(url).context["cl"].result_list} == expected


@pytest.mark.django_db
def test_lists_cost_the_same_queries_for_1_and_50_rows(client, place, staff):
    client.force_login(staff[Role.SECRETARY])
    make_reception(place.north_a)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    admin_url = reverse("admin:petitions_reception_changelist")
    public_url = reverse("petitions:reception-list")
    before = (count(admin_url), count(public_url))
    for i in range(49):
        make_reception([place.north_a, place.south_a][i % 2])
    assert (count(admin_url), count(public_url)) == before


@pytest.mark.django_db
def test_counted_by_period(place):
    make_reception(place.north_a, starts_at=datetime(2026, 3, 3, 9, tzinfo=TZ), residents_served=10)
    make_reception(place.north_a, starts_at=datetime(2026, 4, 3, 9, tzinfo=TZ), residents_served=7)
    march = reception_totals(start=datetime(2026, 3, 1).date(), end=datetime(2026, 3, 31).date())
    assert (march.events, march.residents_served) == (1, 10)
