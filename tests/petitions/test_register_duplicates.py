"""登记诉求 sent again after going back: the second post names the case already registered and
registers another only when "确认这是另一件诉求" is ticked; what was typed stays."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from petitions.models import Case
from portal import clock
from portal.roles import Role
from tests.factories import make_session
from tests.petitions.test_admin import ADD, register_data


def text_of(html: str) -> str:
    return " ".join(strip_tags(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.django_db
def test_back_and_register_again_warns_with_the_first_case_and_needs_a_tick(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    session = make_session(place.north_a)
    url = f"{ADD}?onsite_session={session.pk}"
    data = register_data(place, triage="", content="三单元楼道堆放杂物𠮷。")
    assert client.post(url, data).status_code == 302
    first = Case.objects.get()
    # Back, then 登记 again with the same form.
    response = client.post(url, data)
    assert response.status_code == 200 and Case.objects.count() == 1
    html = response.content.decode()
    link = reverse("admin:petitions_case_change", args=[first.pk])
    assert f'<a href="{link}">{first.number}</a>' in html
    assert "可能重复登记：30 分钟内已登记过同一信访人" in text_of(html)
    assert re.search(r'<input type="checkbox" name="confirm_distinct"', html)
    assert "确认这是另一件诉求" in text_of(html)
    assert "三单元楼道堆放杂物𠮷。</textarea>" in html  # kept as typed
    # Ticked: a second case, from the same activity.
    response = client.post(url, data | {"confirm_distinct": "on"})
    assert response.status_code == 302
    assert Case.objects.filter(onsite_session=session).count() == 2


@pytest.mark.django_db
def test_the_same_name_counts_too_and_another_summary_or_an_hour_later_does_not(
    client, place, staff
):
    client.force_login(staff[Role.GRID_WORKER])
    assert client.post(ADD, register_data(place, triage="")).status_code == 302
    # Same name, number left out this time: still the same request.
    again = client.post(ADD, register_data(place, triage="", petitioner_phone=""))
    assert again.status_code == 200 and "可能重复登记" in again.content.decode()
    # Another matter of the same resident is registered without a question.
    other = register_data(place, triage="", title="路灯不亮")
    assert client.post(ADD, other).status_code == 302
    # The same matter more than half an hour later is a new visit, not a resent form.
    with clock.frozen(clock.now() + timedelta(minutes=31)):
        assert client.post(ADD, register_data(place, triage="")).status_code == 302
    assert Case.objects.count() == 3
