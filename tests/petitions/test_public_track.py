"""进度查询 and rating: a resident follows their case with the code and phone ending, rates the
result, and 不满意 sends it back for redoing. Guessing codes gets nowhere.

Acceptance points of issue 5 covered here: (1) tracking with code + 5678 and the neutral answer to
0000, (4) 不满意 online reopens the case and it can be rated again only after the next
conclusion, (5) 10,000 random codes find nothing and the rate limit answers after the documented
number of attempts.
"""

from __future__ import annotations

import re
import string
import time
from datetime import timedelta
from random import Random
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from petitions import services
from petitions.models import (
    Case,
    CaseStatus,
    EventKind,
    FollowUp,
    PartyRole,
    Satisfaction,
    Triage,
)
from petitions.public import limits
from petitions.public.submission import new_form_token
from petitions.public.tracking import find_case
from petitions.public.views import NOT_FOUND
from petitions.services import TRACKING_ALPHABET, new_tracking_code
from portal.models import StaffProfile
from portal.roles import Role
from tests.factories import make_case

NEW = "/requests/new/"
TRACK = "/requests/track/"
RATE = "/requests/track/rate/"
HANDLER_NAME = "张建国"
HANDLER_UNIT = "北苑社区居委会"


@pytest.fixture(autouse=True)
def _no_fill_wait(settings):
    settings.PETITIONS_MIN_FILL_SECONDS = 0


@pytest.fixture
def handler(staff):
    StaffProfile.objects.filter(user=staff[Role.GRID_WORKER]).update(
        name=HANDLER_NAME, unit=HANDLER_UNIT
    )
    return staff[Role.GRID_WORKER]


def submitted_case(client, place) -> Case:
    """A resident's online submission through the form, with name and phone in the text too."""
    compound = place.compounds[place.north_a.name]
    response = client.post(
        NEW,
        {
            "form_token": new_form_token().value,
            "category": "",
            "community": place.north.code,
            "compound": str(compound.pk),
            "title": "田会平反映楼道堆物（电话13912345678）",
            "content": "我是田会平，电话 13912345678。3号楼2单元楼道堆满杂物，请尽快清理。",
            "name": "田会平",
            "phone": "13912345678",
            "consent": "on",
        }
        | {"category": str(_category_id())},
    )
    assert response.status_code == 302, response.content.decode()
    return Case.objects.latest("pk")


def _category_id() -> int:
    from petitions.models import Category

    return Category.objects.get(name="环境卫生").pk


def handle(case, staff, *, result="楼道杂物已清理", reply="已清理完毕，感谢反映。", accept=True):
    """Staff accept, assign, sign and conclude, through the services."""
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    if accept:
        case = services.accept_case(case, actor=secretary)
        case = services.assign_case(
            case, actor=secretary, handler=StaffProfile.objects.get(user=worker)
        )
        case = services.sign_case(case, actor=worker)
    return services.conclude_case(
        case, actor=secretary, result=result, reply=reply, is_publishable=True
    )


def track(client, code: str, last4: str):
    """The lookup, and the page it leads to (a found case is shown on the result page)."""
    return client.post(TRACK, {"code": code, "last4": last4}, follow=True)


def rate(client, data: dict):
    """A rating, and the page it leads to (the result page with what became of it)."""
    return client.post(RATE, data, follow=True)


def rating_token(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "no rating form on the page"
    return match.group(1)


def _without_volatile(html: str) -> str:
    """The page minus what differs per response or echoes the input (CSRF token, typed values)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'(name="(code|last4)"[^>]*?) value="[^"]*"', r"\1", html)


# --- Finding the case -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_resident_tracks_with_code_and_last4_and_wrong_answers_look_the_same(client, place):
    case = submitted_case(client, place)
    assert case.formatted_tracking_code in client.get("/requests/receipt/").content.decode()

    found = track(Client(), case.formatted_tracking_code, "5678")
    html = found.content.decode()
    assert found.status_code == 200
    assert "已收到，等待受理" in html and case.number in html
    assert "田**" in html
    # The title is the resident's own words, shown back to them as typed; nothing else
    # (the content is not shown) names them.
    assert "田会平反映楼道堆物（电话13912345678）" in html
    html = html.replace("田会平反映楼道堆物（电话13912345678）", "")
    assert "田会平" not in html and "13912345678" not in html

    wrong_phone = track(Client(), case.tracking_code, "0000")
    missing_code = track(Client(), new_tracking_code(), "5678")
    for response in (wrong_phone, missing_code):
        assert response.status_code == 200
        assert NOT_FOUND in response.content.decode()
    assert _without_volatile(wrong_phone.content.decode()) == _without_volatile(
        missing_code.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("shape", ["lower", "spaces", "fullwidth"])
def test_code_is_accepted_as_residents_type_it(client, place, shape):
    case = make_case(place.north_a)
    code = {
        "lower": case.formatted_tracking_code.lower(),
        "spaces": " ".join(case.formatted_tracking_code.split("-")),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in case.tracking_code),
    }[shape]
    response = track(client, code, "５６７８")
    assert case.number in response.content.decode()


@pytest.mark.django_db
def test_lookup_is_post_only_and_reads_nothing_from_the_address(client, place):
    case = make_case(place.north_a)
    response = client.get(TRACK, {"code": case.tracking_code, "last4": "5678"})
    assert response.status_code == 200
    assert case.number not in response.content.decode()
    assert 'method="post"' in response.content.decode()


@pytest.mark.django_db
def test_malformed_input_gets_a_format_message(client, place):
    html = track(client, "ABC", "12").content.decode()
    assert "查询码为 12 位" in html and "后 4 位数字" in html
    html = track(client, "<script>alert(1)</script>" * 100, "5678\x00").content.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.django_db
def test_wrong_code_and_wrong_phone_do_the_same_database_work(place):
    case = make_case(place.north_a)
    counts = []
    for code, last4 in ((case.tracking_code, "0000"), (new_tracking_code(), "5678")):
        with CaptureQueriesContext(connection) as queries:
            assert find_case(code, last4) is None
        counts.append([re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries])
    assert counts[0] == counts[1]
    assert find_case(case.tracking_code, "5678") == case


@pytest.mark.django_db
def test_ten_thousand_random_codes_find_nothing(place):
    real = make_case(place.north_a)
    rng = Random(20261125)  # reproducible guesses, not secrets
    alphabets = (TRACKING_ALPHABET, string.ascii_uppercase + string.digits)
    guesses = 0
    for n in range(10_000):
        if n % 2:
            code = new_tracking_code()
        else:
            code = "".join(rng.choice(alphabets[n % 4 // 2]) for _ in range(12))
        if code == real.tracking_code:
            continue
        assert find_case(code, "5678") is None
        guesses += 1
    assert guesses >= 9_999
    assert find_case(real.tracking_code, "5678") == real


@pytest.mark.django_db
def test_lookups_are_limited_per_browser_after_the_documented_number(client, place):
    for _ in range(limits.TRACK.per_browser):
        response = track(client, new_tracking_code(), "1234")
        assert response.status_code == 200 and NOT_FOUND in response.content.decode()
    refused = track(client, new_tracking_code(), "1234")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert f"每 10 分钟最多查询 {limits.TRACK.per_browser} 次" in html
    case = make_case(place.north_a)
    assert track(client, case.tracking_code, "5678").status_code == 429  # even the right one
    assert track(Client(), case.tracking_code, "5678").status_code == 200  # another phone
    assert limits.TRACK.per_browser == 10 and limits.TRACK.seconds == 600


@pytest.mark.django_db
def test_one_code_gets_five_wrong_phone_endings_per_hour(place, freeze):
    case = make_case(place.north_a)
    for n in range(limits.TRACK_CODE.hits):
        assert NOT_FOUND in track(Client(), case.tracking_code, f"000{n}").content.decode()
    # From anywhere, even with the right ending, until the hour is over.
    blocked = track(Client(), case.tracking_code, "5678")
    assert blocked.status_code == 429 and "1 小时后再试" in blocked.content.decode()
    # A code that does not exist is blocked the same way: the block tells nothing.
    ghost = new_tracking_code()
    for n in range(limits.TRACK_CODE.hits):
        track(Client(), ghost, f"000{n}")
    assert track(Client(), ghost, "5678").status_code == 429
    with freeze(timezone.now() + timedelta(hours=1)):
        assert case.number in track(Client(), case.tracking_code, "5678").content.decode()


# --- What the resident sees -----------------------------------------------------------------------


@pytest.mark.django_db
def test_public_timeline_shows_units_never_staff_names_or_internal_steps(
    client, place, staff, handler
):
    case = submitted_case(client, place)
    secretary = staff[Role.SECRETARY]
    case = services.accept_case(case, actor=secretary, triage=Triage.LEDGER)
    case = services.assign_case(
        case, actor=secretary, handler=StaffProfile.objects.get(user=handler)
    )
    case = services.sign_case(case, actor=handler)
    services.add_progress(
        case, actor=handler, note=f"{HANDLER_NAME}已到现场查看，联系物业清理", public=True
    )
    services.add_progress(case, actor=handler, note="内部：物业经理不配合", public=False)
    services.record_conversation(case, actor=handler, note="与居民谈心")
    party = case.parties.get(role=PartyRole.PETITIONER)
    services.reveal_party(party, actor=secretary, reason="回访需要")

    html = track(Client(), case.tracking_code, "5678").content.decode()
    assert "办理中" in html and HANDLER_UNIT in html
    assert "张**已到现场查看" in html and "联系物业清理" in html
    assert HANDLER_NAME not in html
    assert "物业经理不配合" not in html and "谈心" not in html and "查看个人信息" not in html
    for user in staff.values():
        name = StaffProfile.objects.get(user=user).name
        assert name not in html
    day = case.conclude_due
    assert f"按规定应在 {day.year}年{day.month}月{day.day}日前办结" in html


@pytest.mark.django_db
def test_accusation_case_shows_no_name_at_all(place, staff):
    case = make_case(place.north_a, actor=staff[Role.SECRETARY], is_accusation=True)
    html = track(Client(), case.tracking_code, "5678").content.decode()
    assert case.number in html
    assert "田**" not in html and "田会平" not in html and "反映人" not in html


@pytest.mark.django_db
def test_not_accepted_reason_is_shown(place, staff):
    case = make_case(place.north_a, triage="")
    services.reject_case(case, actor=staff[Role.SECRETARY], reason="属于法院审理范围，请依法起诉")
    html = track(Client(), case.tracking_code, "5678").content.decode()
    assert "不予受理" in html and "属于法院审理范围，请依法起诉" in html


@pytest.mark.django_db
def test_a_case_waiting_to_be_signed_for_shows_the_conclusion_deadline(place, staff):
    from portal.templatetags.portal_tags import cn_date

    secretary = staff[Role.SECRETARY]
    case = make_case(place.north_a, actor=secretary)
    case = services.accept_case(case, actor=secretary)
    case = services.assign_case(
        case, actor=secretary, handler=StaffProfile.objects.get(user=staff[Role.GRID_WORKER])
    )
    assert case.sign_due < case.conclude_due
    html = track(Client(), case.tracking_code, "5678").content.decode()
    assert f"按规定应在 {cn_date(case.conclude_due)}前办结" in html
    assert cn_date(case.sign_due) not in html


@pytest.mark.django_db
def test_a_formal_petition_waiting_for_acceptance_says_by_when_it_is_decided(place, staff):
    from petitions.models import CaseKind
    from portal.templatetags.portal_tags import cn_date

    case = make_case(place.north_a, actor=staff[Role.SECRETARY], kind=CaseKind.PETITION)
    html = track(Client(), case.tracking_code, "5678").content.decode()
    assert f"按规定应在 {cn_date(case.accept_due)}前告知您是否受理" in html
    assert f"按规定应在 {cn_date(case.accept_due)}前办结" not in html


@pytest.mark.django_db
def test_extension_and_its_reason_are_shown(place, staff):
    from petitions.models import CaseKind

    secretary = staff[Role.SECRETARY]
    case = make_case(place.north_a, actor=secretary, kind=CaseKind.PETITION)
    case = services.accept_case(case, actor=secretary)
    case = services.extend_deadline(case, actor=secretary, days=30, reason="需要多部门会商")
    html = track(Client(), case.tracking_code, "5678").content.decode()
    assert "延期 30 日" in html and "需要多部门会商" in html


@pytest.mark.django_db
def test_result_and_reply_are_shown_scrubbed_once_concluded(client, place, staff, handler):
    case = submitted_case(client, place)
    handle(
        case, staff, result=f"{HANDLER_NAME}联系田会平后清理了杂物", reply="田会平您好：已清理。"
    )
    html = track(Client(), case.tracking_code, "5678").content.decode()
    assert "已办结，等待您的评价" in html
    assert "张**联系田**后清理了杂物" in html and "田**您好" in html and "已清理。" in html
    assert "请评价这次办理结果" in html


# --- Rating ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dissatisfied_rating_reopens_and_rating_again_waits_for_the_next_conclusion(
    client, place, staff, handler
):
    case = submitted_case(client, place)
    handle(case, staff)
    resident = Client()
    token = rating_token(track(resident, case.tracking_code, "5678").content.decode())

    response = rate(
        resident,
        {"token": token, "satisfaction": Satisfaction.DISSATISFIED, "comment": "还有一半没清"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "重办" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.redo_count == 1
    secretary = staff[Role.SECRETARY]
    queue = Case.objects.visible_to(secretary).filter(status=CaseStatus.IN_PROGRESS)
    assert case in queue
    followup = FollowUp.objects.get(case=case)
    assert (followup.method, followup.recorded_by, followup.comment) == (
        "online",
        None,
        "还有一半没清",
    )
    assert case.events.filter(kind=EventKind.REOPENED, actor=None).exists()
    assert "办理中" in html and "（重办第 1 次）" in html
    assert 'name="token"' not in html  # no rating form until the next conclusion
    # Whoever redoes it reads what is still wrong, in the resident's words, on the case page;
    # the resident's own page keeps to the rating.
    client.force_login(secretary)
    page = client.get(f"/admin/petitions/case/{case.pk}/change/").content.decode()
    assert "评价意见：还有一半没清" in page
    assert "还有一半没清" not in html

    again = rate(resident, {"token": token, "satisfaction": Satisfaction.SATISFIED})
    assert "已经评价过了" in again.content.decode()
    assert FollowUp.objects.filter(case=case).count() == 1
    assert 'name="token"' not in track(resident, case.tracking_code, "5678").content.decode()

    handle(Case.objects.get(pk=case.pk), staff, accept=False, result="全部清理完毕")
    # The old token belonged to the first conclusion.
    stale = rate(resident, {"token": token, "satisfaction": Satisfaction.SATISFIED})
    assert "办理情况已有更新" in stale.content.decode()
    token = rating_token(stale.content.decode())
    done = rate(resident, {"token": token, "satisfaction": Satisfaction.SATISFIED})
    assert "感谢您的评价" in done.content.decode() and "您的评价：满意" in done.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.VISITED and case.redo_count == 1
    assert FollowUp.objects.filter(case=case).count() == 2


@pytest.mark.django_db
def test_rating_needs_a_fresh_untampered_token(client, place, staff, handler):
    case = submitted_case(client, place)
    handle(case, staff)
    token = rating_token(track(Client(), case.tracking_code, "5678").content.decode())
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for value in ("", forged, "x" * 5000):
        html = rate(Client(), {"token": value, "satisfaction": "satisfied"}).content.decode()
        assert "评价页面已超过 30 分钟或已失效" in html
    later = time.time() + limits.RATING_TOKEN_SECONDS + 5
    with mock.patch("django.core.signing.time.time", return_value=later):
        html = rate(Client(), {"token": token, "satisfaction": "satisfied"}).content.decode()
    assert "评价页面已超过 30 分钟或已失效" in html
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_tracking_and_rating_forms_leave_checking_to_the_server(client, place, staff, handler):
    html = client.get(TRACK).content.decode()
    form = re.search(r'<form method="post" action="/requests/track/"[^>]*>', html).group(0)
    assert "novalidate" in form
    assert re.search(r'<input type="text" name="code"[^>]*required', html)
    assert "请填写回执上的查询码。" in track(client, "", "").content.decode()

    case = submitted_case(client, place)
    handle(case, staff)
    html = track(Client(), case.tracking_code, "5678").content.decode()
    form = re.search(r'<form method="post" action="/requests/track/rate/"[^>]*>', html).group(0)
    assert "novalidate" in form
    assert re.search(r'<input type="radio" name="satisfaction"[^>]*required', html)


@pytest.mark.django_db
def test_rating_form_errors_keep_the_comment(client, place, staff, handler):
    case = submitted_case(client, place)
    handle(case, staff)
    token = rating_token(track(Client(), case.tracking_code, "5678").content.decode())
    response = rate(Client(), {"token": token, "satisfaction": "", "comment": "𠮷 还行"})
    html = response.content.decode()
    assert "请选择满意、基本满意或不满意" in html and "𠮷 还行" in html
    assert not FollowUp.objects.exists()
    response = rate(Client(), {"token": token, "satisfaction": "basically", "comment": "很" * 600})
    assert "最多 500 字" in response.content.decode()
    assert not FollowUp.objects.exists()
    assert Client().get(RATE, {"token": token, "satisfaction": "basically"}).status_code == 302
    assert not FollowUp.objects.exists()  # only a POST rates


@pytest.mark.django_db
def test_dissatisfied_rating_of_a_case_solved_on_the_spot_reopens_it(client, place, staff):
    case = make_case(place.north_a, actor=staff[Role.SECRETARY], on_the_spot_result="当场答复")
    token = rating_token(track(Client(), case.tracking_code, "5678").content.decode())
    response = rate(Client(), {"token": token, "satisfaction": "dissatisfied"})
    assert response.status_code == 200
    assert "已转回重新办理" in response.content.decode()
    case.refresh_from_db()
    # No handler to send it back to: it waits to be assigned, and counts as a redo.
    assert case.status == CaseStatus.ACCEPTED and case.redo_count == 1
    assert FollowUp.objects.get(case=case).satisfaction == "dissatisfied"


# --- POST-redirect-GET: Back and reload never resend a form -------------------------------------

RESULT = "/requests/track/result/"


@pytest.mark.django_db
def test_a_found_case_is_shown_on_a_result_page_reached_by_redirect(client, place, freeze):
    case = make_case(place.north_a)
    response = client.post(TRACK, {"code": case.tracking_code, "last4": "5678"})
    assert response.status_code == 302 and response["Location"] == RESULT
    assert case.tracking_code not in response["Location"]
    shown = client.get(RESULT)
    assert shown.status_code == 200 and case.number in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    # A reload (or Back to it) shows the same page again, and counts no lookup.
    assert case.number in client.get(RESULT).content.decode()
    # Another browser has nothing there; and after the window the page asks again.
    assert Client().get(RESULT, follow=True).redirect_chain[-1][0] == TRACK
    with freeze(timezone.now() + timedelta(seconds=limits.TRACK_RESULT_SECONDS + 1)):
        again = client.get(RESULT, follow=True)
    assert again.redirect_chain[-1][0] == TRACK
    assert "查询结果只保留 30 分钟" in again.content.decode()
    assert case.number not in again.content.decode()


@pytest.mark.django_db
def test_a_rating_redirects_back_to_the_result_with_its_thanks_once(client, place, staff, handler):
    case = submitted_case(client, place)
    handle(case, staff)
    resident = Client()
    token = rating_token(track(resident, case.tracking_code, "5678").content.decode())
    response = resident.post(RATE, {"token": token, "satisfaction": Satisfaction.SATISFIED})
    assert response.status_code == 302 and response["Location"] == RESULT
    page = resident.get(RESULT).content.decode()
    assert "感谢您的评价" in page and "您的评价：满意" in page
    reloaded = resident.get(RESULT).content.decode()
    assert "感谢您的评价" not in reloaded and "您的评价：满意" in reloaded
    assert FollowUp.objects.filter(case=case).count() == 1
