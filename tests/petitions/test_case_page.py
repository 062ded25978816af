"""The case page, in the order staff work it: the head (number, status, the deadline that applies
now with days left or overdue, handler, class), the steps this person may take, the timeline,
then the details; and what it costs, whatever the length of the timeline."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from petitions import services
from petitions.models import CaseEvent, CaseKind, CaseStatus, EventKind, Triage
from portal.roles import Role
from tests.petitions.factories_admin import assigned_case, in_progress_case, new_case, profile

TZ = timezone.get_current_timezone()
# A year the bundled calendar does not cover: working days are plain Monday to Friday.
WEDNESDAY = date(2031, 3, 5)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def change_url(case) -> str:
    return reverse("admin:petitions_case_change", args=[case.pk])


def page(client, case) -> str:
    response = client.get(change_url(case))
    assert response.status_code == 200
    return response.content.decode()


def head(html: str) -> str:
    """The head of the page as read: its text, whitespace collapsed."""
    start = html.index('<header class="case-header"')
    block = html[start : html.index("</header>", start)]
    return " ".join(strip_tags(re.sub(r"<[^>]+>", " ", block)).split())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "viewed_on", "expected"),
    [
        # Ordinary 环境卫生: concluded within 3 working days of receipt (Wed → Mon).
        ("registered", WEDNESDAY, ["已登记", "办结期限", "2031年3月10日", "还剩 3 个工作日"]),
        ("registered", date(2031, 3, 10), ["办结期限", "今天到期"]),
        # Late by calendar days (Mon 10th → Wed 12th), and the head says the count is in them.
        ("registered", date(2031, 3, 12), ["办结期限", "已超期 2 天", "超期按自然日计"]),
        # 信访: acceptance decided within 15 calendar days.
        ("petition", WEDNESDAY, ["受理告知期限", "2031年3月20日", "还剩 15 天", "按自然日"]),
        ("petition", date(2031, 3, 22), ["受理告知期限", "已超期 2 天"]),
        # Signed for within one working day of assignment, by the handler named in the head.
        ("assigned", WEDNESDAY, ["已交办待签收", "签收期限", "还剩 1 个工作日", "按工作日"]),
        ("in_progress", date(2031, 3, 7), ["办理中", "办结期限", "还剩 1 个工作日"]),
        ("paused", date(2031, 3, 6), ["计时已中止", "自 2031年3月5日 起中止计时"]),
        ("concluded", WEDNESDAY, ["已办结待回访", "当前环节没有期限"]),
    ],
)
def test_the_head_says_where_the_case_stands_and_what_is_due(
    client, place, staff, freeze, state, viewed_on, expected
):
    secretary = staff[Role.SECRETARY]
    with freeze(at(WEDNESDAY)):
        if state in ("registered", "petition"):
            kind = CaseKind.PETITION if state == "petition" else CaseKind.ORDINARY
            case = new_case(place.north_a, actor=secretary, kind=kind)
        elif state == "assigned":
            case = assigned_case(place, staff)
        else:
            case = in_progress_case(place, staff)
        if state == "paused":
            case = services.pause_clock(case, actor=secretary, reason="等待房屋安全鉴定")
        if state == "concluded":
            case = services.conclude_case(
                case, actor=staff[Role.GRID_WORKER], result="已清理", reply="已清理"
            )
    with freeze(at(viewed_on)):
        client.force_login(secretary)
        text = head(page(client, case))
    assert case.number in text
    for shown in expected:
        assert shown in text, (shown, text)
    if state in ("assigned", "in_progress", "paused", "concluded"):
        handler = profile(staff[Role.GRID_WORKER])
        assert f"承办人 {handler.get_role_display()} · {handler.name}" in text
    elif state == "registered":
        assert "承办人 尚未交办" in text
    assert "分类办理 一般办理" in text
    if state != "concluded":
        assert "剩" in text or "超期" in text or "今天到期" in text or "中止" in text


@pytest.mark.django_db
def test_a_supervised_long_term_case_says_so_in_the_head(client, place, staff):
    secretary = staff[Role.SECRETARY]
    case = in_progress_case(place, staff, triage="long_term")
    case = services.supervise_case(case, actor=secretary, note="群众反映强烈，列入督办")
    client.force_login(secretary)
    text = head(page(client, case))
    assert "督办" in text and "分类办理 长期跟踪" in text
    assert "长期跟踪，下次回访" in text  # no conclusion limit: the follow-up is what is due


@pytest.mark.django_db
def test_steps_then_timeline_then_details_in_the_page(client, place, staff):
    case = in_progress_case(place, staff)
    case = services.add_progress(
        case, actor=staff[Role.GRID_WORKER], note="已约物业周五清理。", public=True
    )
    case = services.add_progress(case, actor=staff[Role.GRID_WORKER], note="物业说需要两天。")
    client.force_login(staff[Role.SECRETARY])
    html = page(client, case)

    header = html.index('<header class="case-header"')
    steps = html.index('class="case-steps"')
    timeline = html.index('id="case-timeline"')
    details = html.index('class="case-details"')
    record = html.index('id="content-main"')
    assert header < steps < timeline < details < record
    # Every step is a button that opens its form: all closed on arrival, so none of their
    # bodies stands between the buttons and the timeline on screen.
    step_tags = re.findall(r"<details class=\"case-step[^>]*>", html)
    assert len(step_tags) >= 4 and not any(" open" in tag for tag in step_tags)
    assert html.count('<form method="post" action="/admin/petitions/case/') == len(step_tags)
    assert all(
        html.index(f'action="{reverse("admin:petitions_case_step", args=[case.pk, name])}"')
        < timeline
        for name in ("progress", "conclude")
    )

    # Public and internal entries are told apart, by words and by class.
    events = html[timeline:details]
    public = events.index("已约物业周五清理。")
    internal = events.index("物业说需要两天。")
    assert "居民可见" in events[events.rindex("<li", 0, public) : public]
    assert "仅内部" in events[events.rindex("<li", 0, internal) : internal]
    assert events.count("case-event-public") >= 1 and events.count("case-event-internal") >= 1


@pytest.mark.django_db
def test_a_step_redisplayed_with_an_error_is_open(client, place, staff):
    case = in_progress_case(place, staff)
    client.force_login(staff[Role.SECRETARY])
    url = reverse("admin:petitions_case_step", args=[case.pk, "progress"])
    response = client.post(url, {"version": case.version, "note": "", "progress": "500"})
    html = response.content.decode()
    assert re.search(r'<details class="case-step" id="case-step-progress" open>', html)
    assert html.index('id="case-step-progress"') < html.index('id="case-timeline"')


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.GRID_WORKER])
def test_someone_offered_no_step_sees_no_step_area(client, place, staff, role):
    # The official only reads; the grid worker takes steps, but none before acceptance.
    case = new_case(place.north_a, actor=staff[Role.SECRETARY])
    client.force_login(staff[role])
    html = page(client, case)
    assert 'class="case-steps"' not in html and '<details class="case-step' not in html
    assert "/step/" not in html
    note = "您只能查看这件诉求。" if role == Role.OFFICIAL else "当前没有您可以办理的环节。"
    assert case.number in head(html)
    assert note in head(html)
    assert 'id="case-timeline"' in html


@pytest.mark.django_db
def test_the_history_link_shows_the_same_head_and_timeline(client, place, staff):
    case = in_progress_case(place, staff)
    client.force_login(staff[Role.SECRETARY])
    html = page(client, case)
    history_url = reverse("admin:petitions_case_history", args=[case.pk])
    assert f'href="{history_url}" class="historylink">办理记录</a>' in html
    history = client.get(history_url).content.decode()
    assert head(history).startswith(head(html).split(" 办理记录")[0][:40])
    on_page = re.findall(r'<li class="case-event[^"]*"', html)
    assert re.findall(r'<li class="case-event[^"]*"', history) == on_page
    assert len(on_page) == case.events.count()


def _more_events(case, staff, n: int) -> None:
    """Timeline entries by several people and by residents (test data: the table only grows)."""
    actors = [staff[r] for r in (Role.SECRETARY, Role.GRID_WORKER, Role.MEDIATOR)] + [None]
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            actor=actors[i % len(actors)],
            actor_unit="居民" if actors[i % len(actors)] is None else "北苑社区",
            kind=EventKind.PROGRESS,
            note=f"第{i}次进展，电话13912345678",
            is_public=i % 2 == 0,
        )
        for i in range(n)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["change", "history"])
def test_the_case_page_costs_the_same_for_1_and_50_timeline_entries(
    client, place, staff, django_assert_num_queries, view
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = new_case(place.north_a, actor=staff[Role.SECRETARY])
    assert case.events.count() == 1 and case.status == CaseStatus.REGISTERED
    client.force_login(staff[Role.SECRETARY])
    url = reverse(f"admin:petitions_case_{view}", args=[case.pk])
    client.get(url)  # sessions, content types and the like settle on the first request
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _more_events(case, staff, 49)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('<li class="case-event') == 50
    assert "13912345678" not in html and "139****5678" in html


@pytest.mark.django_db
def test_the_list_words_the_deadline_as_the_case_page_does(client, place, staff, freeze):
    secretary = staff[Role.SECRETARY]
    with freeze(at(WEDNESDAY)):
        ordinary = new_case(place.north_a, actor=secretary)
        petition = new_case(place.north_a, actor=secretary, kind=CaseKind.PETITION)
        paused = services.pause_clock(
            in_progress_case(place, staff), actor=secretary, reason="等待鉴定"
        )
    with freeze(at(date(2031, 3, 6))):
        client.force_login(secretary)
        listed = client.get(reverse("admin:petitions_case_changelist")).content.decode()
        for case, words in (
            (ordinary, "还剩 2 个工作日"),
            (petition, "还剩 14 天"),
            (paused, "计时已中止"),
        ):
            assert words in head(page(client, case))
            row = listed[listed.index(f">{case.number}</a>") :]
            row = row[: row.index("</tr>")]
            assert words in row, (case.number, row)


@pytest.mark.django_db
def test_the_timeline_says_what_a_step_moved_old_to_new(client, place, staff):
    """A progress report says the progress it moved, an assignment the handler, an extension
    the conclusion deadline: old → new, under the step, as read on the page."""
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    case = new_case(place.north_a, actor=secretary, triage=Triage.LONG_TERM)
    case = services.accept_case(case, actor=secretary)
    case = services.assign_case(case, actor=secretary, handler=profile(worker))
    case = services.sign_case(case, actor=worker)
    case = services.add_progress(case, actor=worker, note="已联系产权单位", progress=40)
    case = services.add_progress(case, actor=worker, note="物业说需要两天。")
    other = staff[Role.COMMUNITY_SECRETARY]
    case = services.assign_case(case, actor=secretary, handler=profile(other))
    client.force_login(secretary)
    html = page(client, case)
    cards = [
        " ".join(strip_tags(card).split())
        for card in re.findall(
            r'<li class="case-event .*?</li>\s*(?=<li class="case-event|</ol>)', html, re.S
        )
    ]
    progress = [c for c in cards if "已联系产权单位" in c]
    assert len(progress) == 1 and "进度：0% → 40%" in progress[0], progress
    assert not any("进度" in c for c in cards if "物业说需要两天" in c)
    assigned = [c for c in cards if c.startswith("交办")]
    assert assigned and f"承办人：— → {profile(worker).name}" in assigned[0], cards
    reassigned = [c for c in cards if c.startswith("改派")]
    assert len(reassigned) == 1 and "仅内部" in reassigned[0], cards
    assert f"承办人：{profile(worker).name} → {profile(other).name}" in reassigned[0]
