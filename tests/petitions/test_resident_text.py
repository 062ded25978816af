"""What residents read of their case, as staff are told about it: no template blank (【日期】)
reaches the tracking page from any step, every step input residents read says 居民可见, the staff
timeline says what residents read where it is a fixed sentence, a resident is named once on the
timeline, and 检举控告 reads as a plain 否 on an ordinary case."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from petitions import services
from petitions.models import CaseStatus, ReplyTemplate, Triage
from petitions.services import PlaceholderError
from portal.roles import Role
from tests.petitions.factories_admin import in_progress_case, new_case, profile

TRACK = "/requests/track/"
TEMPLATE_TEXT = "您好！您反映的消防通道占用问题，社区已会同物业于【日期】清理，并将每周巡查。"


def change_url(case) -> str:
    return reverse("admin:petitions_case_change", args=[case.pk])


def step_url(case, step: str) -> str:
    return reverse("admin:petitions_case_step", args=[case.pk, step])


def text_of(html: str) -> str:
    return " ".join(strip_tags(re.sub(r"<[^>]+>", " ", html)).split())


def tracking_page(case) -> str:
    """The tracking page as the resident opens it: code and the phone's last 4 digits."""
    response = Client().post(TRACK, {"code": case.tracking_code, "last4": "5678"}, follow=True)
    assert response.redirect_chain == [("/requests/track/result/", 302)]
    assert response.status_code == 200
    return response.content.decode()


def step_block(html: str, step: str) -> str:
    start = html.index(f'id="case-step-{step}"')
    return html[start : html.index("</details>", start)]


# --- 1. template blanks never reach a resident ----------------------------------------------------


@pytest.mark.django_db
def test_a_reply_with_a_template_blank_is_refused_at_the_reply_and_kept(client, place, staff):
    case = in_progress_case(place, staff)
    template = ReplyTemplate.objects.create(title="消防通道已清理", text=TEMPLATE_TEXT)
    client.force_login(staff[Role.GRID_WORKER])  # the handler concludes
    applied = client.post(
        step_url(case, "conclude"),
        {
            "version": case.version,
            "result": "物业已清理消防通道",
            "reply": "",
            "reply_template": str(template.pk),
            "apply_template": "1",
        },
    ).content.decode()
    assert f"{TEMPLATE_TEXT}</textarea>" in applied
    response = client.post(
        step_url(case, "conclude"),
        {"version": case.version, "result": "物业已清理消防通道", "reply": TEMPLATE_TEXT},
    )
    assert response.status_code == 200
    block = step_block(response.content.decode(), "conclude")
    # Said at the reply itself, naming the blank; what was typed is still there.
    reply_row = block[block.index('name="reply"') - 600 : block.index('name="reply"')]
    assert "errorlist" in reply_row and "【日期】" in text_of(reply_row)
    assert "“答复意见”中还有未填写的占位内容：【日期】" in text_of(block)
    assert f"{TEMPLATE_TEXT}</textarea>" in block
    assert "物业已清理消防通道</textarea>" in block
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert "【日期】" not in tracking_page(case)
    # Filled in, it is concluded and the resident reads the filled-in reply.
    filled = TEMPLATE_TEXT.replace("【日期】", "5月8日")
    response = client.post(
        step_url(case, "conclude"),
        {"version": case.version, "result": "物业已清理消防通道", "reply": filled},
    )
    assert response.status_code == 302
    tracked = text_of(tracking_page(case))
    assert "于5月8日清理" in tracked and "【" not in tracked


@pytest.mark.django_db
def test_every_text_for_residents_is_refused_with_a_blank_in_the_service(place, staff):
    secretary = staff[Role.SECRETARY]
    blank = "已于【日期】在【地点】处理"
    # 受理's note (word for word on the tracking page).
    case = new_case(place.north_a, actor=secretary)
    with pytest.raises(PlaceholderError, match="【日期】、【地点】") as caught:
        services.accept_case(case, actor=secretary, note=blank)
    assert caught.value.field == "note"
    with pytest.raises(PlaceholderError):
        services.reject_case(case, actor=secretary, reason=blank)
    # 当场解决 at registration: concluded there and then.
    with pytest.raises(PlaceholderError) as caught:
        new_case(
            place.north_a,
            actor=secretary,
            triage=Triage.ON_THE_SPOT,
            on_the_spot_result="已清理",
            on_the_spot_reply=blank,
        )
    assert caught.value.field == "on_the_spot_reply"
    case = in_progress_case(place, staff)
    # A public progress note is refused; an internal one is the office's own business.
    with pytest.raises(PlaceholderError):
        services.add_progress(case, actor=secretary, note=blank, public=True)
    services.add_progress(case, actor=secretary, note=blank, public=False)
    with pytest.raises(PlaceholderError):
        services.pause_clock(case, actor=secretary, reason=blank)
    with pytest.raises(PlaceholderError) as caught:
        services.conclude_case(case, actor=secretary, result=blank, reply="已处理")
    assert caught.value.field == "result"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert "【" not in text_of(tracking_page(case))


# --- 3. what residents read, said on the form and on the timeline -----------------------------


@pytest.mark.django_db
def test_step_inputs_residents_read_say_so(client, place, staff):
    case = new_case(place.north_a, actor=staff[Role.GRID_WORKER])
    client.force_login(staff[Role.SECRETARY])
    page = client.get(change_url(case)).content.decode()
    accept = text_of(step_block(page, "accept"))
    assert "说明" in accept and "居民可见：居民在进度查询页看到这段文字" in accept
    assert "居民可见" in text_of(step_block(page, "reject"))
    case = services.accept_case(case, actor=staff[Role.SECRETARY])
    page = client.get(change_url(case)).content.decode()
    assert "仅内部：居民看到的是“已交承办单位办理”" in text_of(step_block(page, "assign"))


@pytest.mark.django_db
def test_the_staff_timeline_says_what_residents_read_of_an_assignment(client, place, staff):
    secretary = staff[Role.SECRETARY]
    case = services.accept_case(new_case(place.north_a, actor=secretary), actor=secretary)
    case = services.assign_case(
        case, actor=secretary, handler=profile(staff[Role.GRID_WORKER]), note="请张建国两天内处理"
    )
    client.force_login(secretary)
    page = client.get(change_url(case)).content.decode()
    timeline = page[
        page.index('class="case-events"') : page.index("</ol>", page.index("case-events"))
    ]
    entries = {
        text_of(re.search(r'class="case-event-kind">(.*?)</span>', li).group(1)): li
        for li in timeline.split('<li class="case-event ')[1:]
    }
    badge = re.search(r'class="case-event-visibility">([^<]+)<', entries["交办"]).group(1)
    assert badge == "居民看到：已交承办单位办理"
    assert "两天内处理" in text_of(entries["交办"])  # staff still read the note itself
    # The resident reads exactly that, and never the note.
    tracked = text_of(tracking_page(case))
    assert badge.removeprefix("居民看到：") in tracked and "两天内处理" not in tracked
    # An entry residents read as written keeps the plain badge.
    assert 'class="case-event-visibility">居民可见<' in entries["受理"]


# --- 4. a resident named once --------------------------------------------------------------


@pytest.mark.django_db
def test_a_residents_online_submission_names_them_once(client, place, staff):
    case = new_case(place.north_a)  # online, by the resident
    client.force_login(staff[Role.SECRETARY])
    for url in (change_url(case), reverse("admin:petitions_case_history", args=[case.pk])):
        html = client.get(url).content.decode()
        actors = re.findall(r'<span class="case-event-actor">([^<]*)</span>', html)
        assert actors == ["居民"]
    rows = client.get(reverse("admin:petitions_caseevent_changelist")).content.decode()
    assert "居民（居民）" not in text_of(rows)
    row = rows[rows.index(case.number) :]
    row = row[: row.index("</tr>")]
    cells = [text_of(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
    assert cells.count("居民") == 1


# --- 5. 检举控告 on an ordinary case -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("accusation", "shown"), [(False, "否"), (True, "是：")])
def test_the_accusation_row_reads_plainly(client, place, staff, accusation, shown):
    case = new_case(place.north_a, actor=staff[Role.SECRETARY], is_accusation=accusation)
    client.force_login(staff[Role.SECRETARY])
    page = client.get(change_url(case)).content.decode()
    row = page[page.index(">", page.index("field-accusation")) + 1 :]
    row = text_of(row[: row.index('<div class="form-row')])
    assert row.startswith("检举控告") and shown in row
    assert ("完全保密" in row) is accusation
