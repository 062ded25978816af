"""网站纠错 (issue 12, acceptance point 7): the 纠错 link of an article opens a short public form;
the report becomes a case of its own category (网站纠错) due in 3 working days, in the news
editors' queue only, handled through the ordinary lifecycle and tracked with its code."""

from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from petitions import services
from petitions.models import Case, CaseStatus, Category, Channel, DeadlineRule
from petitions.public.forms import PROBLEM_MAX
from petitions.public.submission import new_form_token
from portal import clock
from portal.formats import cn_date
from portal.models import StaffProfile
from portal.news import services as news
from portal.roles import Role
from portal.workdays import add_working_days
from tests.factories import make_case
from tests.news.pages import approved, draft

pytestmark = pytest.mark.django_db

FORM = "/jiucuo/"
TRACK = "/requests/track/"
TITLE = "北苑社区开展“四下基层”现场办公"
FRIDAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _no_fill_wait(settings):
    settings.PETITIONS_MIN_FILL_SECONDS = 0


@pytest.fixture
def article(staff):
    people = {
        "editor": staff[Role.EDITOR],
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
    }
    made = news.create_article(draft(title=TITLE), actor=people["community"])
    approved(made, people)
    return news.publish(made, actor=people["editor"])


def report_data(article, **overrides):
    data = {
        "form_token": new_form_token().value,
        "page": f"/news/{article.pk}/" if article else "/",
        "problem": "第二段“凤凰岭街到”应为“凤凰岭街道”。",
        "correction": "凤凰岭街道",
        "name": "田会平",
        "phone": "13912345678",
        "consent": "on",
        "memo_extra": "",
    }
    return data | overrides


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def text(response) -> str:
    return unescape(response.content.decode())


def reports() -> list[Case]:
    return list(Case.objects.filter(category__name="网站纠错"))


# --- The link and the form --------------------------------------------------------------------


def test_the_article_page_links_to_the_form_with_its_address_filled_in(client, article):
    page = client.get(reverse("portal:article-detail", args=[article.pk])).content.decode()
    link = re.search(r'<a href="([^"]+)"[^>]*data-report="error">纠错</a>', page)
    assert link, "no 纠错 link on the article page"
    form = client.get(unescape(link.group(1)))
    assert form.status_code == 200
    html = text(form)
    assert "网站纠错" in html and "3 个工作日内" in html and "个人信息保护法" in html
    assert f'value="/news/{article.pk}/"' in html
    # The footer of public pages links to it too, for the page being read.
    assert f"/jiucuo/?url=/news/{article.pk}/" in unescape(page)


def test_the_category_is_data_the_editors_handle_in_three_working_days():
    category = Category.objects.get(name="网站纠错")
    assert category.handled_by == Role.EDITOR
    assert not category.is_public  # never offered on 我要反映
    rule = DeadlineRule.objects.get(category=category, stage="conclude")
    assert (rule.kind, rule.unit, rule.length, rule.start_event) == (
        "ordinary",
        "working",
        3,
        "received",
    )


def test_it_is_not_a_category_residents_choose_on_the_request_form(client, place):
    category = Category.objects.get(name="网站纠错")
    page = client.get("/requests/new/").content.decode()
    assert "环境卫生</option>" in page
    assert f'<option value="{category.pk}">' not in page and "网站纠错</option>" not in page


# --- A report becomes a case -----------------------------------------------------------------


def test_a_friday_report_is_a_case_due_three_working_days_later(client, article, freeze):
    with freeze(at(FRIDAY, 16)):
        response = client.post(FORM, report_data(article), follow=True)
    assert response.status_code == 200
    (case,) = reports()
    assert case.channel == Channel.ONLINE and case.status == CaseStatus.REGISTERED
    expected = add_working_days(FRIDAY, 3)
    assert case.conclude_due == expected
    assert expected.weekday() < 5 and (expected - FRIDAY).days > 3  # the weekend is skipped
    # The page it is about: its address and its title, with the resident's words.
    assert case.address == f"/news/{article.pk}/"
    assert TITLE in case.title and TITLE in case.content
    assert "凤凰岭街到" in case.content and "建议改为：凤凰岭街道" in case.content
    # The receipt: the tracking code and the promise.
    receipt = text(response)
    assert case.formatted_tracking_code in receipt
    assert "网站编辑将在 3 个工作日内核实处理并答复您" in receipt
    assert cn_date(expected) in receipt
    assert f"/news/{article.pk}/" in receipt


def test_a_full_address_of_this_site_is_accepted(client, article):
    data = report_data(article, page=f"http://testserver/news/{article.pk}/")
    assert client.post(FORM, data).status_code == 302
    assert reports()[0].address == f"/news/{article.pk}/"


def test_a_page_without_a_title_lookup_is_recorded_by_its_address(client, place):
    data = report_data(None, page="/requests/results/")
    assert client.post(FORM, data).status_code == 302
    (case,) = reports()
    assert case.address == "/requests/results/" and "/requests/results/" in case.title


def test_posting_the_same_form_twice_makes_one_case(client, article):
    data = report_data(article)
    client.post(FORM, data)
    second = client.post(FORM, data, follow=True)
    assert len(reports()) == 1
    assert reports()[0].formatted_tracking_code in text(second)


def test_the_resident_tracks_the_report_with_the_code(client, article):
    client.post(FORM, report_data(article))
    (case,) = reports()
    page = text(Client().post(TRACK, {"code": case.tracking_code, "last4": "5678"}, follow=True))
    assert "网站纠错" in page and f"/news/{article.pk}/" in page
    assert cn_date(case.conclude_due) in page


# --- Hostile input ---------------------------------------------------------------------------

HOSTILE = [
    ({"page": ""}, "请填写有误页面的地址"),
    ({"problem": ""}, "请写明页面哪里有误"),
    ({"problem": "错" * (PROBLEM_MAX + 1)}, f"最多 {PROBLEM_MAX} 字"),
    ({"page": "https://evil.example.com/news/1/"}, "只能对本站的页面纠错"),
    ({"page": "//evil.example.com/news/1/"}, "只能对本站的页面纠错"),
    ({"page": "javascript:alert(1)"}, "只能对本站的页面纠错"),
    ({"page": "<script>alert(1)</script>"}, "本站没有这个页面"),
    ({"page": "/news/999999/"}, "本站没有这个页面"),
    ({"page": "/admin/petitions/case/"}, "本站没有这个页面"),
    ({"page": "/news/999998/\x00"}, "本站没有这个页面"),
    ({"phone": "12345"}, "请填写正确的 11 位手机号码"),
    ({"consent": ""}, "请阅读个人信息处理说明并勾选同意"),
]


@pytest.mark.parametrize(("changes", "message"), HOSTILE)
def test_bad_input_gets_a_chinese_message_and_keeps_what_was_typed(
    client, article, changes, message
):
    data = report_data(article, **changes)
    if data["consent"] == "":
        del data["consent"]
    response = client.post(FORM, data)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "还有几处需要修改，您填写的内容都已保留" in page
    for name in ("problem", "correction", "name"):
        if name not in changes and data[name]:
            assert data[name] in page
    assert not reports()


def test_script_in_the_description_is_kept_as_text_and_never_runs(client, article):
    problem = "<script>alert('x')</script> 第三段错字"
    response = client.post(FORM, report_data(article, problem=problem), follow=True)
    (case,) = reports()
    assert problem in case.content
    html = response.content.decode()
    assert "<script>alert" not in html


def test_a_missing_or_forged_token_keeps_the_text_and_makes_nothing(client, article):
    response = client.post(FORM, report_data(article, form_token="forged"))
    assert response.status_code == 200
    assert "页面已过期" in text(response) and "凤凰岭街到" in text(response)
    assert not reports()


def test_too_many_reports_from_one_browser_are_refused_in_chinese(client, article):
    for _ in range(5):
        assert client.post(FORM, report_data(article)).status_code == 302
    refused = client.post(FORM, report_data(article))
    assert refused.status_code == 429
    assert "提交太频繁了" in text(refused) and "凤凰岭街到" in text(refused)
    assert len(reports()) == 5


# --- The editors' queue ---------------------------------------------------------------------


@pytest.fixture
def report(client, article):
    client.post(FORM, report_data(article))
    (case,) = reports()
    return case


def test_only_the_editors_and_the_whole_sub_district_roles_see_a_report(staff, place, report):
    ordinary = make_case(place.north_a)
    seen = {
        role: set(Case.objects.visible_to(staff[role]).values_list("pk", flat=True))
        for role in Role
    }
    assert seen[Role.EDITOR] == {report.pk}  # the report, and no other category's case
    assert seen[Role.SECRETARY] == {report.pk, ordinary.pk}
    assert seen[Role.OFFICIAL] == {report.pk, ordinary.pk}
    # Filed under a community because every case has one, it is no place's work.
    for role in (Role.AREA_LEADER, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER):
        assert report.pk not in seen[role]
        assert ordinary.pk in seen[role]
    assert seen[Role.MEDIATOR] == set() and seen[Role.SYSADMIN] == set()


def test_the_editors_workbench_lists_it_with_its_deadline(staff, report):
    editor = Client()
    editor.force_login(staff[Role.EDITOR])
    page = editor.get("/admin/").content.decode()
    queue = re.search(
        r'<a class="wb-queue[^"]*" href="([^"]+)" data-queue="to_accept"[^>]*>(.*?)</a>', page, re.S
    )
    assert queue, "no 待受理 queue on the editor's workbench"
    assert re.search(r'<span class="wb-count">1</span>', queue.group(2))
    listed = text(editor.get(unescape(queue.group(1))))
    assert report.number in listed and "页面纠错" in listed
    assert cn_date(report.conclude_due) in listed or f"{report.conclude_due:%m-%d}" in listed


def test_an_editor_cannot_open_another_categorys_case(staff, place, report):
    ordinary = make_case(place.north_a)
    editor = Client()
    editor.force_login(staff[Role.EDITOR])
    own = editor.get(reverse("admin:petitions_case_change", args=[report.pk]))
    assert own.status_code == 200 and report.number in own.content.decode()
    # The page it is about opens from the case (an ordinary case's place is never a link).
    assert f'<a href="{report.address}" target="_blank"' in own.content.decode()
    assert "打开被纠错的页面" in text(own)
    other = editor.get(reverse("admin:petitions_case_change", args=[ordinary.pk]))
    assert other.status_code in (302, 404)
    assert ordinary.number not in text(editor.get(reverse("admin:petitions_case_changelist")))
    with pytest.raises(services.CaseError):
        services.accept_case(ordinary, actor=staff[Role.EDITOR])


def test_an_editor_takes_the_report_through_the_lifecycle(client, staff, report):
    editor = staff[Role.EDITOR]
    case = services.accept_case(report, actor=editor)
    case = services.assign_case(case, actor=editor, handler=StaffProfile.objects.get(user=editor))
    case = services.sign_case(case, actor=editor)  # 签收
    case = services.conclude_case(
        case, actor=editor, result="已更正第二段错字", reply="感谢指正，错字已更正。"
    )
    assert case.status == CaseStatus.CONCLUDED
    assert case.concluded_on_time is (clock.today() <= case.conclude_due)
    page = text(Client().post(TRACK, {"code": case.tracking_code, "last4": "5678"}, follow=True))
    assert "感谢指正，错字已更正。" in page


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.OFFICIAL])
def test_no_category_can_open_cases_to_those_who_handle_none(role):
    """Handing a category to the system administrator would be a back door into cases."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="后门", handled_by=role)
