"""The English catalogue is complete and the public pages really switch to English.

The source strings are Chinese; portal/locale/en/LC_MESSAGES/django.po holds the English. After
`make messages` every new msgid needs a translation, or English pages show Chinese again.
"""

import ast
import gettext
import json
import re
import shutil
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from outreach.models import DeliberationAttendance, DeliberationDecision, StakeholderCategory
from petitions.models import Case, Triage
from petitions.public import limits
from portal.roles import GROUP_NAMES, Role
from portal.templatetags.portal_tags import (
    cn_date,
    cn_datetime,
    cn_weekday,
    join_names,
    relative_day_text,
)
from tests.factories import make_case, make_deliberation, make_talk, make_team

LOCALE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def _entries(po: Path = LOCALE / "django.po") -> list[dict]:
    """The .po entries: msgctxt, msgid, msgid_plural, msgstr (one per plural form) and flags."""
    entries, entry, field = [], None, None
    for line in po.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#,"):
            if entry is None or "msgid" in entry:
                entry = {"flags": set(), "msgstr": {}}
                entries.append(entry)
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            keyword, _space, value = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and (entry is None or "msgid" in entry):
                entry = {"flags": set(), "msgstr": {}}
                entries.append(entry)
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                field = int(keyword[7:-1]) if "[" in keyword else 0
                entry["msgstr"][field] = text
            else:
                field = keyword
                entry[keyword] = text
        elif line.startswith('"'):
            if isinstance(field, int):
                entry["msgstr"][field] += ast.literal_eval(line)
            else:
                entry[field] += ast.literal_eval(line)
    return [e for e in entries if e.get("msgid")]  # the header has an empty msgid


ENTRIES = _entries()


def _label(entry: dict) -> str:
    context = f"[{entry['msgctxt']}] " if "msgctxt" in entry else ""
    return context + entry["msgid"][:40]


def _key(entry: dict) -> str:
    """How gettext keys the entry in django.mo: context, EOT (\\x04), msgid when there is one."""
    if "msgctxt" in entry:
        return f"{entry['msgctxt']}\x04{entry['msgid']}"
    return entry["msgid"]


def _placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def test_catalogue_was_parsed():
    assert len(ENTRIES) > 700
    assert any("msgid_plural" in e for e in ENTRIES)


def test_every_message_is_translated_and_none_is_fuzzy():
    empty = [_label(e) for e in ENTRIES if not all(e["msgstr"].values())]
    fuzzy = [_label(e) for e in ENTRIES if "fuzzy" in e["flags"]]
    assert not empty, f"untranslated: {empty}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext tools not installed")
def test_catalogue_is_in_step_with_the_source(tmp_path, monkeypatch):
    """Every marked string in the code and templates has an entry: `make messages` was run."""
    locale = tmp_path / "locale"
    ours = (LOCALE / "django.po").read_bytes()
    monkeypatch.chdir(settings.BASE_DIR)
    # Ignoring every "locale" folder sends all messages to the temporary catalogue: otherwise
    # makemessages would rewrite portal/locale for the files under portal/.
    with override_settings(LOCALE_PATHS=[str(locale)]):
        call_command(
            "makemessages",
            locale=["en"],
            ignore_patterns=[".venv", "tests", "staticfiles", "bench", "media", "locale"],
            verbosity=0,
        )
    assert (LOCALE / "django.po").read_bytes() == ours
    in_source = {_key(e) for e in _entries(locale / "en" / "LC_MESSAGES" / "django.po")}
    in_catalogue = {_key(e) for e in ENTRIES}
    assert len(in_source) > 700
    missing = sorted(key[:40] for key in in_source - in_catalogue)
    assert not missing, f"not in the catalogue (run make messages and translate): {missing}"


def test_plural_entries_have_both_english_forms():
    for entry in ENTRIES:
        if "msgid_plural" in entry:
            assert sorted(entry["msgstr"]) == [0, 1], _label(entry)


def test_python_format_placeholders_match():
    wrong = []
    for entry in ENTRIES:
        if "python-format" not in entry["flags"]:
            continue
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for form, text in entry["msgstr"].items():
            source = sources[min(form, 1)]
            stray = PLACEHOLDER.sub("", text).count("%")
            if _placeholders(text) != _placeholders(source) or stray:
                wrong.append((_label(entry), text))
    assert not wrong, f"placeholders differ from the msgid: {wrong}"


def test_compiled_catalogue_matches_the_po_file():
    """django.mo is what Django reads: it must be recompiled after every .po change."""
    with (LOCALE / "django.mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    stale = []
    for entry in ENTRIES:
        if "msgid_plural" in entry:
            got = {form: catalog.get((_key(entry), form)) for form in entry["msgstr"]}
        else:
            got = {0: catalog.get(_key(entry))}
        if got != entry["msgstr"]:
            stale.append(_label(entry))
    assert not stale, f"run compilemessages; stale in django.mo: {stale}"


# --- pages in English -------------------------------------------------------------------------


@pytest.fixture
def english(client):
    """A client that chose English with the switcher; the thread is set back to Chinese after."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    yield client
    translation.deactivate()


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en"' in html or url.startswith("/admin/")
    return html


def _assert_english(html: str, english_labels: list[str], chinese_labels: list[str]) -> None:
    missing = [label for label in english_labels if label not in html]
    leftover = [label for label in chinese_labels if label in html]
    assert not missing, f"English labels missing: {missing}"
    assert not leftover, f"Chinese labels left over: {leftover}"


NAVIGATION = (
    ["Submit a request", "Track a request", "Published results", "Staff login", "Large text"],
    ["我要反映", "进度查询", "办理公开", "工作人员登录", "大字版", "跳到正文", "近期安排"],
)


@pytest.mark.django_db
def test_home_page_in_english(english, place):
    html = _page(english, "/")
    _assert_english(
        html,
        [*NAVIGATION[0], "The four practices", "Find your community and grid"],
        [*NAVIGATION[1], "四项工作", "找到您的社区和网格", "干部近期到社区", "下基层进行时"],
    )
    assert place.north.name in html  # proper names stay as they are


@pytest.mark.django_db
def test_activity_list_in_english(english, place):
    make_talk(place.north_a)
    html = _page(english, reverse("outreach:policytalk-list"))
    _assert_english(
        html,
        [*NAVIGATION[0], "Policy talks", "All communities", "Filter", "1 talk up to "],
        [*NAVIGATION[1], "政策宣讲", "全部社区", "筛选", "共 1 场", "惠及"],
    )


@pytest.mark.django_db
def test_request_form_in_english(english, place):
    html = _page(english, reverse("petitions:request-new"))
    _assert_english(
        html,
        [
            *NAVIGATION[0],
            "1. What is it about",
            "2. Where",
            "3. How to contact you",
            "What we collect",
            "For emergencies call 110",
        ],
        [
            *NAVIGATION[1],
            "反映什么事",
            "怎么联系您",
            "收集什么",
            "谁能看到",
            "急事、险情",
            "不用注册",
        ],
    )


@pytest.mark.django_db
def test_request_form_field_labels_in_english(english, place):
    html = _page(english, reverse("petitions:request-new"))
    _assert_english(
        html,
        ["Type of matter", "In one sentence", "Details", "Your name", "Mobile number"],
        ["反映事项类别", "一句话说明", "具体情况", "您的姓名", "手机号码", "请选择"],
    )


@pytest.mark.django_db
def test_admin_login_in_english(english):
    html = _page(english, reverse("admin:login"))
    _assert_english(html, ["Log in", "Username", "Password"], ["登录", "用户名", "密码"])


# --- residents' pages that show records: labels in English, the records' own words as they are ---

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def _chinese_left(html: str, data: list[str]) -> list[str]:
    """Chinese text on the page apart from proper names and data (which stay as recorded)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    allowed = {
        settings.PORTAL_SITE_NAME,
        settings.PORTAL_SUBDISTRICT,
        "简体中文",  # the language switcher names Chinese in Chinese
        "基",  # the decorative emblem of the header (aria-hidden)
        *data,
    }
    for value in sorted(allowed, key=len, reverse=True):
        text = text.replace(value, "")
    return sorted(set(CJK.findall(text)))


@pytest.mark.django_db
def test_tracking_page_in_english(english, place):
    case = make_case(place.north_a)  # a resident's online request; phone ending 5678
    response = english.post(
        reverse("petitions:request-track"),
        {"code": case.tracking_code, "last4": "5678"},
        follow=True,  # the case is shown on the result page the lookup redirects to
    )
    assert response.status_code == 200 and response["Content-Language"] == "en"
    html = response.content.decode()
    with translation.override("en"):
        received, due = cn_date(case.received_at), cn_date(case.current_due)
    _assert_english(
        html,
        [*NAVIGATION[0], "Received, waiting to be accepted", "Resident", received],
        [*NAVIGATION[1], "已收到，等待受理", "收到时间", "办理过程", "居民", "年"],
    )
    assert f"Due to be concluded by {due}" in html
    data = [
        case.title,
        case.category.name,
        place.north.name,
        "田",  # the petitioner's masked name, 田**
        case.events.get().note,  # the timeline entry as recorded (来源：网上)
    ]
    assert _chinese_left(html, data) == []


@pytest.mark.django_db
def test_results_page_in_english(english, place, staff):
    case = make_case(
        place.north_a,
        actor=staff[Role.SECRETARY],
        triage=Triage.ON_THE_SPOT,
        on_the_spot_result="楼道杂物已清理完毕",
    )
    Case.objects.filter(pk=case.pk).update(is_publishable=True)
    html = _page(english, reverse("petitions:request-results"))
    with translation.override("en"):
        received = cn_date(case.received_at)
    _assert_english(
        html,
        [
            *NAVIGATION[0],
            "Month concluded",
            "All communities",
            f"Received {received}, concluded {received}, concluded the same day",
        ],
        [*NAVIGATION[1], "办理公开", "办结月份", "全部社区", "全部类别", "收到，", "当天办结"],
    )
    categories = list(case.category._meta.model.objects.values_list("name", flat=True))
    communities = [place.north.name, place.south.name, place.west.name]
    assert _chinese_left(html, [*categories, *communities, "楼道杂物已清理完毕"]) == []


@pytest.mark.django_db
def test_activity_detail_pages_in_english(english, place):
    talk = make_talk(place.north_a)
    teams = [make_team(name="红骑兵宣讲团"), make_team(name="文润蓝天志愿服务队")]
    talk.teams.set(teams)
    html = _page(english, talk.get_absolute_url())
    with translation.override("en"):
        when = f"{cn_datetime(talk.starts_at)} ({cn_weekday(talk.starts_at)})"
    _assert_english(
        html,
        [*NAVIGATION[0], "Policy talks", when, "文润蓝天志愿服务队, 红骑兵宣讲团", "50 signed in"],
        [*NAVIGATION[1], "政策宣讲", "组织队伍", "签到", "、", "（"],
    )
    data = [talk.title, talk.summary, talk.venue, place.north.name, place.north_a.name]
    assert _chinese_left(html, [*data, *(team.name for team in teams)]) == []

    meeting = make_deliberation(place.north_a)
    DeliberationAttendance.objects.create(
        deliberation=meeting, category=StakeholderCategory.RESIDENTS, count=1
    )
    DeliberationAttendance.objects.create(
        deliberation=meeting, category=StakeholderCategory.PROPERTY, count=3
    )
    DeliberationDecision.objects.create(
        deliberation=meeting, text="加装护栏", responsible="物业公司", due_date=date(2026, 12, 4)
    )
    html = _page(english, meeting.get_absolute_url())
    _assert_english(
        html,
        [": 3 people, ", ": 1 person</dd>", "Responsible unit: 物业公司", "Deadline: 4 Dec 2026"],
        ["居民代表", "参会各方", "责任单位", "2026年12月4日"],
    )
    data = [meeting.title, meeting.summary, meeting.venue, place.north.name, place.north_a.name]
    assert _chinese_left(html, [*data, "加装护栏", "物业公司"]) == []


# --- dates, lists and windows follow the active language ------------------------------------------


def test_date_filters_follow_the_language():
    moment = timezone.make_aware(datetime(2026, 11, 27, 14, 30))
    with translation.override("zh-hans"):
        assert cn_date(date(2026, 11, 26)) == "2026年11月26日"
        assert cn_weekday(date(2026, 11, 27)) == "周五"
        assert cn_datetime(moment) == "2026年11月27日 14:30"
        assert cn_date(None) == ""
    with translation.override("en"):
        assert cn_date(date(2026, 11, 26)) == "26 Nov 2026"
        assert cn_weekday(date(2026, 11, 27)) == "Fri"
        assert cn_datetime(moment) == "27 Nov 2026 14:30"
        assert cn_date(None) == ""


@pytest.mark.parametrize(
    ("day", "chinese", "english"),
    [
        (date(2026, 11, 23), "今天", "today"),
        (date(2026, 11, 24), "明天", "tomorrow"),
        (date(2026, 11, 25), "后天", "the day after tomorrow"),
        (date(2026, 11, 27), "本周五", "this Friday"),
        (date(2026, 12, 4), "下周五", "next Friday"),
        (date(2026, 12, 19), "12月19日（周六）", "19 Dec (Sat)"),
        (date(2027, 1, 8), "2027年1月8日（周五）", "8 Jan 2027 (Fri)"),
    ],
)
def test_relative_day_follows_the_language(day, chinese, english):
    monday = date(2026, 11, 23)
    with translation.override("zh-hans"):
        assert relative_day_text(day, today=monday) == chinese
    with translation.override("en"):
        assert relative_day_text(day, today=monday) == english


def test_names_and_rate_limit_windows_follow_the_language():
    names = ["苏和", "李慧敏", "<b>"]
    with translation.override("zh-hans"):
        assert join_names(names) == "苏和、李慧敏、&lt;b&gt;"
        assert (limits.SUBMIT.window_text, limits.TRACK.window_text) == ("1 小时", "10 分钟")
    with translation.override("en"):
        assert join_names(names) == "苏和, 李慧敏, &lt;b&gt;"
        assert (limits.SUBMIT.window_text, limits.TRACK.window_text) == ("1 hour", "10 minutes")


@pytest.mark.django_db
def test_the_back_office_has_no_english_left_from_django(client, staff):
    """Strings Django 5.2 added that its own Chinese catalogue lacks are in ours."""
    client.force_login(staff[Role.SYSADMIN])
    index = client.get(reverse("admin:index")).content.decode()
    assert "Model name" not in index and "模型名称" in index
    catalog = client.get(reverse("admin:jsi18n")).content.decode()
    for text in ("全部选择%s", "全部移除%s"):  # the catalogue is JSON with \u escapes
        assert json.dumps(text)[1:-1] in catalog, text
    with translation.override("zh-hans"):
        assert MinimumLengthValidator(10).get_error_message() == "密码太短，至少需要 10 个字符。"
    # The photo column of every activity's photo table has a Chinese title.
    client.force_login(staff[Role.SECRETARY])
    page = client.get(reverse("admin:outreach_policytalk_add")).content.decode()
    assert "Upload" not in page
    # Role groups list their permissions in Chinese.
    group = Group.objects.get(name=GROUP_NAMES[Role.GRID_WORKER])
    page = client.get(reverse("admin:auth_group_change", args=[group.pk])).content.decode()
    assert "查看诉求" in page and "Can view" not in page
