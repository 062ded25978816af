"""我要反映: a resident submits without an account, gets a receipt; hostile input never breaks it.

Acceptance points of issue 5 covered here: (2) hostile input, (3) everything typed is kept, and the
form's protections (double submit, rate limit, honeypot, timing, CSRF), the QR code on the
receipt and the privacy of residents' photos.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from petitions.models import (
    Case,
    CaseAttachment,
    CaseStatus,
    Category,
    Channel,
    OnlineSubmission,
    PartyRole,
    Person,
)
from petitions.public import limits
from petitions.public.submission import new_form_token
from petitions.public.views import PHOTOS_LOST, SUBMIT_LIMITED
from petitions.receipt import qr_svg
from portal.models import RateLimitCounter
from portal.ratelimit import CLIENT_COOKIE
from portal.roles import Role
from tests.images import as_upload, html_bytes, jpeg_with_gps

NEW = "/requests/new/"
RECEIPT = "/requests/receipt/"
CANONICAL_MOBILE = re.compile(r"1[3-9][0-9]{9}")


@pytest.fixture(autouse=True)
def _no_fill_wait(settings):
    """Most tests post at once; the timing check has its own tests."""
    settings.PETITIONS_MIN_FILL_SECONDS = 0


def form_data(place, **overrides):
    """A valid 我要反映 form as the page would post it."""
    compound = place.compounds[place.north_a.name]
    data = {
        "form_token": new_form_token().value,
        "category": str(Category.objects.get(name="环境卫生").pk),
        "community": place.north.code,
        "compound": str(compound.pk),
        "grid": "",
        "address": "3号楼2单元门口",
        "title": "楼道堆放杂物影响通行",
        "content": "3号楼2单元楼道里堆了很多纸箱和旧家具，老人上下楼很不方便，希望尽快清理。",
        "name": "田会平",
        "phone": "13912345678",
        "consent": "on",
        "memo_extra": "",
    }
    data.update(overrides)
    return data


def submit(client, place, **overrides):
    return client.post(NEW, form_data(place, **overrides))


def field_errors(response) -> str:
    return unescape(response.content.decode())


def page_token(browser) -> str:
    """The form token of the 我要反映 page as this browser was shown it."""
    match = re.search(r'name="form_token" value="([^"]+)"', browser.get(NEW).content.decode())
    assert match
    return match.group(1)


def receipt_facts(html: str) -> str:
    """The receipt's list of what was submitted (not the QR code's SVG, full of digits)."""
    return html.split('class="facts receipt__facts"')[1].split("</dl>")[0]


# --- The happy path and the receipt ---------------------------------------------------------------


@pytest.mark.django_db
def test_form_page_is_plain_chinese_with_the_privacy_notice(client, place):
    response = client.get(NEW)
    html = response.content.decode()
    assert response.status_code == 200
    for words in ("我要反映", "收集什么", "用来做什么", "谁能看到", "保存多久", "个人信息保护法"):
        assert words in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="form_token"' in html
    # Only categories residents may choose.
    Category.objects.filter(name="婚姻家庭").update(is_public=False)
    assert "婚姻家庭" not in client.get(NEW).content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_form_leaves_checking_to_the_server_so_the_chinese_messages_show(client, place):
    html = client.get(NEW).content.decode()
    form = re.search(r'<form method="post" enctype="multipart/form-data"[^>]*>', html).group(0)
    # Without novalidate the browser stops the form with its own bubble, in its own language
    # ("Please select an item in the list."), and the per-field messages never appear.
    assert "novalidate" in form
    for field in ("category", "community", "title", "content", "name", "phone", "consent"):
        tag = re.search(rf'<(?:input|select|textarea)[^>]*name="{field}"[^>]*>', html).group(0)
        assert " required" in tag, field  # still announced as required
    # The photo field: a Chinese button over the real input, which still submits without JS.
    assert re.search(r'<input type="file" name="photos"[^>]*multiple', html)
    assert "选择照片" in html and "还没有选择照片" in html
    assert 'src="/static/petitions/js/photo-picker.js" defer' in html
    # Refused by the server, the Chinese summary and messages show.
    response = submit(client, place, category="", consent="")
    assert "还有几处需要修改" in field_errors(response)
    assert "请选择反映事项的类别。" in field_errors(response)


@pytest.mark.django_db
def test_submission_creates_an_online_case_and_shows_the_receipt_once(client, place):
    response = submit(client, place)
    assert response.status_code == 302 and response["Location"] == RECEIPT
    case = Case.objects.get()
    assert case.channel == Channel.ONLINE and case.registered_by is None
    assert case.status == CaseStatus.REGISTERED and case.triage == ""
    assert case.compound == place.compounds[place.north_a.name]
    assert case.grid == place.north_a  # from the compound
    petitioner = case.parties.get(role=PartyRole.PETITIONER).person
    assert (petitioner.name, petitioner.phone) == ("田会平", "13912345678")

    receipt = client.get(RECEIPT)
    html = receipt.content.decode()
    assert case.formatted_tracking_code in html
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", case.formatted_tracking_code)
    day = case.conclude_due
    assert f"按规定应在 {day.year}年{day.month}月{day.day}日前办结" in html
    assert reverse("petitions:request-results") in html
    assert "no-store" in receipt["Cache-Control"]
    # A reload right away still shows it (a phone that reloads must not lose the code) ...
    assert case.formatted_tracking_code in client.get(RECEIPT).content.decode()


@pytest.mark.django_db
def test_receipt_is_gone_later_and_in_another_browser(client, place, freeze):
    submit(client, place)
    case = Case.objects.get()
    other = Client().get(RECEIPT).content.decode()
    assert case.formatted_tracking_code not in other and "进度查询" in other
    with freeze(timezone.now() + timedelta(seconds=limits.RECEIPT_SECONDS + 1)):
        later = client.get(RECEIPT).content.decode()
    assert case.formatted_tracking_code not in later
    assert "回执已不再显示" in later


@pytest.mark.django_db
def test_receipt_says_how_long_this_browser_can_reopen_it_and_can_be_cleared(client, place, freeze):
    with freeze(timezone.now()) as submitted:
        submit(client, place)
        html = unescape(client.get(RECEIPT).content.decode())
    case = Case.objects.get()
    until = timezone.localtime(submitted + timedelta(seconds=limits.RECEIPT_SECONDS))
    # What it says is what happens: reopenable here for a stated time, not "never again".
    assert "离开本页后网站不会再显示查询码" not in html
    assert f"提交后 {limits.RECEIPT_SECONDS // 60} 分钟内（到 {until:%H:%M} 为止）" in html
    assert "我已记下查询码，清除本页" in html
    # A shared phone or a community office's computer: the next person a quarter of an hour
    # later does not find the code.
    with freeze(timezone.now() + timedelta(minutes=15)):
        assert case.formatted_tracking_code not in client.get(RECEIPT).content.decode()

    response = client.post(RECEIPT)
    assert response.status_code == 302 and response["Location"] == RECEIPT
    after = client.get(RECEIPT).content.decode()
    assert case.formatted_tracking_code not in after
    assert "回执已不再显示" in after and "回执已清除" in after


@pytest.mark.django_db
def test_a_form_token_is_no_key_to_another_browsers_receipt(client, place, freeze):
    token = page_token(client)
    data = form_data(place, form_token=token)
    assert client.post(NEW, data).status_code == 302
    case = Case.objects.get()
    assert case.formatted_tracking_code in client.get(RECEIPT).content.decode()

    # The same form posted from another browser with fresh cookies: submitted, nothing more.
    stranger = Client()
    response = stranger.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200 and "该表单已提交" in html
    for secret in (case.formatted_tracking_code, case.tracking_code, case.number, "田会平"):
        assert secret not in html
    assert case.formatted_tracking_code not in stranger.get(RECEIPT).content.decode()
    assert Case.objects.count() == 1

    # A double click whose second POST left before the first one's session cookie came back:
    # the same browser (its id cookie) without the session still gets its one receipt.
    twin = Client()
    twin.cookies[CLIENT_COOKIE] = client.cookies[CLIENT_COOKIE].value
    assert twin.post(NEW, data)["Location"] == RECEIPT
    assert case.formatted_tracking_code in twin.get(RECEIPT).content.decode()
    # ... but not once the receipt's time is over, nor after the resident cleared it.
    late = Client()
    late.cookies[CLIENT_COOKIE] = client.cookies[CLIENT_COOKIE].value
    with freeze(timezone.now() + timedelta(seconds=limits.RECEIPT_SECONDS + 1)):
        assert "该表单已提交" in late.post(NEW, data).content.decode()
    client.post(RECEIPT)
    assert "该表单已提交" in client.post(NEW, data).content.decode()
    assert case.formatted_tracking_code not in client.get(RECEIPT).content.decode()
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_receipt_shows_the_residents_own_words_as_typed(client, place):
    submit(client, place, title="凤凰B区3号楼前路灯不亮", address="3号楼2单元门口")
    facts = receipt_facts(client.get(RECEIPT).content.decode())
    assert "凤凰B区3号楼前路灯不亮" in facts and "3号楼2单元门口" in facts
    assert "***" not in facts


@pytest.mark.django_db
def test_receipt_qr_code_is_inline_svg_of_the_tracking_page_without_the_code(client, place):
    submit(client, place)
    case = Case.objects.get()
    html = client.get(RECEIPT).content.decode()
    track_url = "http://testserver/requests/track/"
    svg = qr_svg(track_url)
    assert svg.startswith("<svg") and svg in html  # the QR encodes exactly the bare page address
    assert case.tracking_code not in track_url
    assert "<img" not in html.split('class="receipt"')[1]  # no image request, nothing external
    assert "http" not in svg


# --- Double submit and rate limits ----------------------------------------------------------------


@pytest.mark.django_db
def test_double_submit_returns_the_same_receipt_and_creates_one_case(client, place):
    data = form_data(place)
    first = client.post(NEW, data)
    second = client.post(NEW, data)
    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1 and OnlineSubmission.objects.count() == 1
    case = Case.objects.get()
    assert case.formatted_tracking_code in client.get(RECEIPT).content.decode()
    # Even from a browser session that lost its cookies in between (which is not shown the
    # receipt: it could be anyone holding the form).
    again = Client().post(NEW, data)
    assert again.status_code == 200 and "该表单已提交" in again.content.decode()
    assert Case.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_posts_of_one_form_create_one_case(place):
    # A double click: two POSTs from the browser the page was shown to, neither of them with
    # the session the other one is about to get.
    browser = Client()
    data = form_data(place, form_token=page_token(browser))
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        click = Client()
        click.cookies[CLIENT_COOKIE] = browser.cookies[CLIENT_COOKIE].value
        barrier.wait()
        try:
            statuses.append(click.post(NEW, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_rate_limited_submission_keeps_everything_typed(client, place):
    for n in range(limits.SUBMIT.per_browser):
        assert submit(client, place, title=f"第{n}件事").status_code == 302
    response = submit(client, place, title="𠮷野家门口积水 😀", name="𠮷田", phone="13800138000")
    html = response.content.decode()
    assert response.status_code == 429
    assert SUBMIT_LIMITED in unescape(html)
    assert f"最多提交 {limits.SUBMIT.per_browser} 件" in unescape(html)
    assert 'value="𠮷野家门口积水 😀"' in html and 'value="𠮷田"' in html
    assert Case.objects.count() == limits.SUBMIT.per_browser
    # The counters hold keyed hashes, never the address.
    assert not RateLimitCounter.objects.filter(key__contains="127.0.0.1").exists()


@pytest.mark.django_db
def test_many_residents_behind_one_address_share_a_higher_limit(place):
    for n in range(limits.SUBMIT.per_address):
        assert submit(Client(), place, title=f"第{n}件事").status_code == 302
    assert submit(Client(), place).status_code == 429


@pytest.mark.django_db
def test_honeypot_and_timing_checks_refuse_scripts_but_keep_input(client, place, settings, freeze):
    response = submit(client, place, memo_extra="http://spam.example")
    assert response.status_code == 200 and "提交未通过安全检查" in response.content.decode()
    assert not Case.objects.exists()

    settings.PETITIONS_MIN_FILL_SECONDS = 3
    token = new_form_token()
    response = submit(client, place, form_token=token.value, title="𰻞𰻞面馆门口")
    html = response.content.decode()
    assert "提交得太快了" in html and 'value="𰻞𰻞面馆门口"' in html
    assert "还没有提交，您填写的内容都已保留" in html and "还有几处需要修改" not in html
    assert not Case.objects.exists()
    # An empty form sent at once hears only what is missing.
    html = submit(client, place, form_token=token.value, title="").content.decode()
    assert "提交得太快了" not in html and "请用一句话说明是什么事。" in html
    assert not Case.objects.exists()
    with freeze(timezone.now() + timedelta(seconds=4)):
        assert submit(client, place, form_token=token.value).status_code == 302
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_missing_or_forged_form_token_asks_to_submit_again(client, place):
    for token in ("", "forged:value", "x" * 5000):
        response = submit(client, place, form_token=token)
        assert response.status_code == 200
        assert "页面已过期" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_missing_csrf_token_is_refused_and_nothing_is_written(place):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(NEW, form_data(place))
    assert response.status_code == 403
    assert not Case.objects.exists() and not Person.objects.exists()
    assert not OnlineSubmission.objects.exists()


# --- Hostile input --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rejected_form_shows_every_value_typed_including_rare_characters(client, place):
    typed = {
        "title": "𠮷野家门口积水 😀👨‍👩‍👧",
        "content": "𰻞𰻞面馆门口下水道堵了，污水漫到人行道。\n第二行：𠮷",
        "address": "𠮷祥里 3 号楼",
        "name": "𠮷田",
        "phone": "１３９１２３４５６７８",
    }
    response = submit(client, place, consent="", **typed)
    html = response.content.decode()
    assert response.status_code == 200
    assert "请阅读个人信息处理说明并勾选同意" in html
    for key in ("title", "address", "name", "phone"):
        assert f'value="{typed[key]}"' in html, key
    assert f">\n{typed['content']}</textarea>" in html
    assert re.search(r'<option value="[^"]+" selected>环境卫生</option>', html)
    assert f'<option value="{place.north.code}" selected>' in html
    compound = place.compounds[place.north_a.name]
    assert f'<option value="{compound.pk}" selected>' in html
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_the_summary_names_each_field_to_fix_and_links_to_it(client, place):
    response = submit(client, place, content="太吵", phone="12345", consent="")
    html = response.content.decode()
    start = html.index("还有几处需要修改")
    summary = html[start : html.index("</div>", start)]
    assert '<a href="#id_content">具体情况</a>：请写得具体一些（至少 5 个字）' in summary
    assert '<a href="#id_phone">' in summary
    assert '<a href="#id_consent">个人信息处理说明</a>：请阅读' in summary
    assert "#id_title" not in summary  # only what needs fixing
    assert "5 至 2000 字" in html  # the help text says how much to write before it is refused


@pytest.mark.django_db
def test_xss_in_chinese_text_is_escaped(client, place):
    attack = '<script>alert("田")</script><img src=x onerror=alert(1)>'
    response = submit(client, place, title=attack, content=f"楼道{attack}", phone="")
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;田&quot;)&lt;/script&gt;" in html
    # Stored as typed, shown escaped on the receipt too.
    assert submit(client, place, title=attack, content=f"楼道{attack}").status_code == 302
    receipt = client.get(RECEIPT).content.decode()
    assert "<script>alert" not in receipt and "&lt;script&gt;" in receipt


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("title", "最多 80 字"),
        ("content", "最多 2000 字"),
        ("address", "最多 100 字"),
        ("name", "最多 40 字"),
        ("phone", "请填写正确的 11 位手机号码"),
    ],
)
def test_ten_thousand_characters_get_the_fields_own_limit(client, place, field, message):
    response = submit(client, place, **{field: "很" * 10_000})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("１３９１２３４５６７８", "13912345678"),  # full-width
        ("139 1234 ５６７８", "13912345678"),  # mixed, with spaces
        ("+86 139-1234-5678", "13912345678"),
        ("１３９-１２３４-５６７８", "13912345678"),
    ],
)
def test_full_width_and_mixed_digits_are_normalised(client, place, typed, stored):
    assert submit(client, place, phone=typed).status_code == 302
    assert Person.objects.get().phone == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        "١٣٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits: \\d would match them
        "1391234567８x",
        "139123456789",
        "0471-6521801",  # a landline cannot receive the reply by SMS
        "12345678901",
        "一三九一二三四五六七八",
    ],
)
def test_other_phone_text_is_refused_never_stored_half_valid(client, place, typed):
    response = submit(client, place, phone=typed)
    assert response.status_code == 200
    assert "请填写正确的 11 位手机号码" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_nul_bytes_are_removed(client, place):
    assert (
        submit(
            client, place, title="楼道\x00堆放", content="杂物\x00很多，请清理", name="田\x00会平"
        )
    ).status_code == 302
    case = Case.objects.get()
    assert case.title == "楼道堆放" and "\x00" not in case.content
    assert case.parties.get().person.name == "田会平"


@pytest.mark.django_db
def test_nul_bytes_in_choices_and_prefill_are_no_500(client, place):
    response = submit(client, place, community="bei\x00yuan", category="1\x00", compound="\x00")
    assert response.status_code == 200
    assert client.get(NEW, {"community": "bei\x00yuan", "grid": "\x00"}).status_code == 200


# 1,000 random submissions. The rate limit and the timing check are off for this test.
_chars = st.characters(exclude_categories=("Cs",))
_text = st.text(alphabet=_chars, max_size=60)
_long = st.text(alphabet=_chars, min_size=0, max_size=2500)


def mostly(valid, hostile):
    """The valid value nine times in ten, so most examples reach the database; else hostile."""
    return st.integers(0, 9).flatmap(lambda n: hostile if n == 0 else valid)


_phone = st.one_of(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True).map(
        lambda p: "".join(chr(ord(c) + 0xFEE0) if i % 2 else c for i, c in enumerate(p))
    ),
    st.from_regex(r"(\+86)?[ 1][3-9][0-9 \-－]{9,12}", fullmatch=True),
    _text,
)


@pytest.mark.django_db
def test_a_thousand_random_submissions_never_fail_and_store_only_canonical_phones(place, settings):
    settings.PORTAL_RATELIMIT_ENABLED = False
    valid_category = str(Category.objects.get(name="物业纠纷").pk)
    compounds = [str(c.pk) for c in place.compounds.values()]
    north_compound = str(place.compounds[place.north_a.name].pk)
    statuses: list[int] = []

    @hypothesis_settings(
        max_examples=1000,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        data=st.fixed_dictionaries(
            {
                "category": mostly(st.just(valid_category), _text),
                "community": mostly(st.just(place.north.code), _text),
                "compound": mostly(
                    st.sampled_from(["", north_compound]), st.sampled_from(compounds) | _text
                ),
                "grid": mostly(st.sampled_from(["", str(place.north_a.pk)]), _text),
                "address": _text,
                "title": mostly(st.just("路灯不亮"), _text),
                "content": mostly(st.just("小区东门的路灯坏了一个多星期。"), _long),
                "name": mostly(st.sampled_from(["田会平", "𠮷田", "阿卜杜·热合曼"]), _text),
                "phone": mostly(st.sampled_from(["13912345678", "１３９１２３４５６７８"]), _phone),
                "consent": mostly(st.just("on"), st.sampled_from(["", "yes", "0"])),
                "memo_extra": mostly(st.just(""), _text),
            }
        )
    )
    def post(data):
        data["form_token"] = new_form_token().value
        response = Client().post(NEW, data)
        statuses.append(response.status_code)
        assert response.status_code < 500

    post()
    assert len(statuses) == 1000 and set(statuses) <= {200, 302}
    assert statuses.count(302) > 100  # many random submissions were valid and became cases
    phones = list(Person.objects.values_list("phone", flat=True))
    assert phones and all(CANONICAL_MOBILE.fullmatch(p) for p in phones)
    assert Case.objects.filter(parties__isnull=True).count() == 0


# --- Place prefill from a QR code at a grid station -----------------------------------------------


@pytest.mark.django_db
def test_qr_code_link_prefills_the_place(client, place):
    html = client.get(NEW, {"grid": place.north_a.pk}).content.decode()
    assert f'<option value="{place.north.code}" selected>' in html
    assert f'name="grid" value="{place.north_a.pk}"' in html
    assert place.north_a.station in html
    # Compounds of the chosen community only (filtered on the server).
    assert place.compounds[place.north_a.name].name in html
    assert place.compounds[place.south_a.name].name not in html

    compound = place.compounds[place.south_a.name]
    html = client.get(NEW, {"community": place.south.code, "compound": compound.pk}).content
    html = html.decode()
    assert f'<option value="{place.south.code}" selected>' in html
    assert f'<option value="{compound.pk}" selected>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"grid": "abc"},
        {"grid": "999999"},
        {"grid": "9" * 40},
        {"community": "<script>"},
        {"community": "nanhu", "compound": "99999999999999999999999"},
        {"community": "beiyuan", "grid": "-1"},
    ],
)
def test_invalid_prefill_values_are_ignored_without_an_error(client, place, query):
    response = client.get(NEW, query)
    html = response.content.decode()
    assert response.status_code == 200
    assert "notice--error" not in html and "form-field__errors" not in html


@pytest.mark.django_db
def test_prefilled_grid_of_another_community_is_dropped_quietly(client, place):
    response = submit(client, place, grid=str(place.south_a.pk), compound="")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.community == place.north and case.grid is None


@pytest.mark.django_db
def test_compound_of_another_community_is_refused_with_a_message(client, place):
    other = place.compounds[place.south_a.name]
    response = submit(client, place, compound=str(other.pk))
    assert response.status_code == 200
    assert "所选小区不在所选社区" in response.content.decode()


# --- Photos are private ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_photos_are_ingested_stored_privately_and_shown_only_to_staff(
    client, place, staff, settings
):
    photo = as_upload(jpeg_with_gps(1200, 900), name="IMG_0001.jpg")
    assert submit(client, place, photos=[photo]).status_code == 302
    attachment = CaseAttachment.objects.get()
    path = attachment.image.path
    assert path.startswith(str(settings.MEDIA_ROOT / "private"))
    assert "/photos/" not in path
    with Image.open(path) as stored:
        assert not stored.getexif().get_ifd(0x8825)  # GPS gone
    with pytest.raises(ValueError, match="not accessible via a URL"):
        _ = attachment.image.url

    relative = attachment.display.name
    assert client.get(f"/media/{relative}").status_code == 404
    assert client.get(f"/media/private/{relative}").status_code == 404
    assert client.get(f"/media/photos/../private/{relative}").status_code == 404

    url = attachment.staff_url("display")
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    outsider = Client()
    outsider.force_login(make_outsider(place))
    assert outsider.get(url).status_code == 404
    secretary = Client()
    secretary.force_login(staff[Role.SECRETARY])
    response = secretary.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert secretary.get(attachment.staff_url("original")).status_code == 404
    community = Client()
    community.force_login(staff[Role.COMMUNITY_SECRETARY])  # covers 北苑社区
    assert community.get(attachment.staff_url("thumbnail")).status_code == 200
    # The partial staff pages include links through the checked view only.
    html = render_to_string(
        "petitions/_case_attachments.html", {"attachments": attachment.case.attachments.all()}
    )
    assert attachment.staff_url("thumbnail") in html and "/media/" not in html
    # …and the case page in the back office shows them to whoever may see the case.
    page = secretary.get(reverse("admin:petitions_case_change", args=[attachment.case_id]))
    assert attachment.staff_url("display") in page.content.decode()


def make_outsider(place):
    from tests.factories import make_staff

    return make_staff(Role.COMMUNITY_SECRETARY, communities=[place.south])


@pytest.mark.django_db
def test_three_photos_at_most_and_a_clear_note_to_reattach(client, place):
    photos = [as_upload(jpeg_with_gps(), name=f"p{n}.jpg") for n in range(4)]
    response = submit(client, place, photos=photos)
    html = unescape(response.content.decode())
    assert "最多上传 3 张照片" in html and PHOTOS_LOST in html
    assert "请重新选择照片" in html

    response = submit(client, place, photos=[as_upload(html_bytes(), name="a.jpg")], phone="")
    html = unescape(response.content.decode())
    assert "照片：" in html and "请重新选择照片" in html
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()
