"""The back office speaks our Chinese: no stock phrases of Django's catalogue that read badly,
您 throughout, Chinese punctuation, people by name (not their login), and a refusal that fits
the role.

Walks the admin as each role would (index → each list → its first record → that record's
history, and each add form) and reads the visible text of every page.
"""

from __future__ import annotations

import html
import re

import pytest
from django.contrib import admin as django_admin
from django.urls import reverse
from django.utils import timezone

from outreach.models import PolicyTalk
from petitions.models import LeadershipDecision, ReplyTemplate
from petitions.services import add_progress
from portal.roles import Role
from tests.factories import make_talk
from tests.petitions.factories_admin import in_progress_case

# Django's zh_Hans phrases our screens must not show (portal/locale/zh_Hans overrides them).
STOCK_PHRASES = [
    "来修改",  # "选择 诉求 来修改"
    "来查看",
    "无可选的",
    "再次编辑它",
    "此对象没有修改历史",
    "变更历史",
    "最近动作",
    "我的动作",
    "过滤器",
    "个被选",
    "你",  # 您 throughout
]
# A Latin full stop, colon, question or exclamation mark right after Chinese: "编号:".
LATIN_PUNCTUATION = re.compile(r"[\u4e00-\u9fff][.:?!](?=\s|$|<)")
# Three English words in a row: a Django string our catalogue does not translate.
ENGLISH = re.compile(r"\b[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}\b")
# Pages whose subject is the login itself (accounts, roles by account, login logs).
LOGIN_PAGES = (
    "/admin/auth/user/",
    "/admin/portal/staffprofile/",
    "/admin/portal/loginrecord/",
    "/admin/portal/loginfailure/",
)
HREF = re.compile(r'href="(/admin/[^"?#]*)')


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<div class="empty-form.*?</div>', " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def walk(client) -> dict[str, str]:
    """Visible text of the admin pages this user reaches from the index, by path."""
    pages: dict[str, str] = {}

    def get(path: str) -> str:
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return ""
        body = response.content.decode()
        pages[path] = body
        return body

    index = get(reverse("admin:index"))
    lists = sorted(
        {p for p in HREF.findall(index) if re.fullmatch(r"/admin/\w+/\w+/", p)}
        - {"/admin/password_change/"}
    )
    for path in lists:
        body = get(path)
        if f'href="{path}add/"' in body:
            get(f"{path}add/")
        records = [p for p in HREF.findall(body) if re.fullmatch(rf"{path}[^/]+/change/", p)]
        if records:
            record = get(records[0])
            history = records[0].replace("/change/", "/history/")
            if f'href="{history}"' in record:
                get(history)
            if 'href="../password/"' in record:
                get(records[0].replace("/change/", "/password/"))
    get(reverse("admin:password_change"))
    return pages


@pytest.fixture
def records(place, staff):
    """A case several people worked on, an activity and a decision, each registered by
    someone, so the pages have people to name."""
    case = in_progress_case(place, staff)
    add_progress(case, actor=staff[Role.GRID_WORKER], note="已约物业周五清理。", public=True)
    make_talk(place.north_a, created_by=staff[Role.GRID_WORKER])
    LeadershipDecision.objects.create(
        meeting="街道党工委会议",
        held_on=timezone.localdate(),
        text="统一清理楼道",
        recorded_by=staff[Role.SECRETARY],
    )
    ReplyTemplate.objects.create(title="楼道清理", text="您反映的问题已处理。")
    return case


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_admin_pages_speak_our_chinese_and_name_people(client, staff, records, role):
    client.force_login(staff[role])
    pages = walk(client)
    assert reverse("admin:index") in pages and len(pages) > 3
    logins = {user.get_username() for user in staff.values()}
    login_word = re.compile(r"(?<![\w/.@-])(" + "|".join(sorted(logins)) + r")(?![\w/.@-])")
    problems = []
    for path, body in pages.items():
        text = visible_text(body)
        problems += [f"{path}: {p}" for p in STOCK_PHRASES if p in text]
        problems += [f"{path}: “{m.group(0)}”" for m in LATIN_PUNCTUATION.finditer(text)]
        problems += [f"{path}: “{m.group(0)}”" for m in ENGLISH.finditer(text)]
        if not path.startswith(LOGIN_PAGES):
            problems += [f"{path}: login {m.group(1)}" for m in login_word.finditer(text)]
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.django_db
def test_people_are_named_on_the_case_activity_and_decision_pages(client, staff, records):
    """The spots outside testers saw: 登记人, the timeline's 操作人, the decision list."""
    client.force_login(staff[Role.SECRETARY])
    names = {role: staff[role].staff_profile.name for role in staff}
    case_page = visible_text(
        client.get(reverse("admin:petitions_case_change", args=[records.pk])).content.decode()
    )
    assert names[Role.GRID_WORKER] in case_page and names[Role.SECRETARY] in case_page
    talk = PolicyTalk.objects.get()
    talk_page = visible_text(
        client.get(reverse("admin:outreach_policytalk_change", args=[talk.pk])).content.decode()
    )
    assert f"登记人： {names[Role.GRID_WORKER]}" in talk_page
    decisions = visible_text(
        client.get(reverse("admin:petitions_leadershipdecision_changelist")).content.decode()
    )
    assert names[Role.SECRETARY] in decisions and "secretary" not in decisions
    assert f"欢迎您， {names[Role.SECRETARY]} 。" in decisions


@pytest.mark.django_db
def test_saving_says_so_in_our_chinese(client, staff, records):
    template = ReplyTemplate.objects.get()
    client.force_login(staff[Role.SECRETARY])
    url = reverse("admin:petitions_replytemplate_change", args=[template.pk])
    form = {"title": template.title, "text": template.text, "is_active": "on", "_continue": "1"}
    page = client.post(url, form, follow=True).content.decode()
    text = visible_text(page)
    assert "您可以在下面继续修改。" in text
    assert "你" not in text and "编辑它." not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "says", "never"),
    [
        (Role.SYSADMIN, "系统管理员账号只维护账号、角色和基础数据", "联系街道系统管理员"),
        (Role.GRID_WORKER, "请联系街道系统管理员", "系统管理员账号只维护"),
    ],
)
def test_the_refusal_fits_the_role(client, staff, role, says, never):
    client.force_login(staff[role])
    # The sysadmin has no case records; the grid worker cannot open the accounts.
    path = (
        reverse("admin:petitions_case_changelist")
        if role is Role.SYSADMIN
        else reverse("admin:auth_user_add")
    )
    response = client.get(path)
    assert response.status_code == 403
    text = visible_text(response.content.decode())
    assert says in text and never not in text


H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SECRETARY, Role.OFFICIAL, Role.SYSADMIN])
def test_every_list_is_headed_with_what_it_lists(client, staff, records, role):
    """诉求, 现场办公 …: neither 选择要修改的 nor 选择要查看的, whether the role edits or reads."""
    client.force_login(staff[role])
    index = client.get(reverse("admin:index")).content.decode()
    lists = {p for p in HREF.findall(index) if re.fullmatch(r"/admin/\w+/\w+/", p)}
    lists -= {"/admin/password_change/"}
    assert len(lists) > 5
    by_path = {
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist"): m
        for m in django_admin.site._registry
    }
    for path in sorted(lists):
        page = client.get(path).content.decode()
        heading = html.unescape(H1.search(page).group(1)).strip()
        assert heading == str(by_path[path]._meta.verbose_name_plural), path
        assert "选择要" not in visible_text(page), path
