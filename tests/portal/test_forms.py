"""Typed text on every form: invisible characters are not content, NUL is named plainly, and
back-office text has a limit that is said with the current length (portal.text, portal.forms)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from html import unescape

import pytest
from django import forms
from django.contrib import admin

from outreach.models import PolicyTalk
from petitions import services
from petitions.models import Case, CaseEvent, EventKind
from portal.forms import CleanTextMixin
from portal.roles import Role
from portal.text import clean_text, is_blank
from tests.outreach.test_admin import ADD_URL as TALK_ADD
from tests.outreach.test_admin import talk_form
from tests.petitions.factories_admin import in_progress_case, new_case
from tests.petitions.test_admin import ADD as CASE_ADD
from tests.petitions.test_admin import post_step, register_data
from tests.petitions.test_public_submit import NEW, form_data

INVISIBLE = ["\u200b\u200b", "\ufeff", "\u2060", " \u3000\u200b\u200d ", "\u3164", "\u202e"]
NUL_MESSAGE = "输入内容含有不允许的字符，请删除后重试。"


def page(response) -> str:
    return unescape(response.content.decode())


# --- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", INVISIBLE)
def test_nothing_visible_is_blank(typed):
    assert is_blank(typed) and clean_text(typed) == ""


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\ufeff张三\u2060", "张三"),
        ("\u200b 北苑小区 \u200b", "北苑小区"),
        ("张\u200b三", "张\u200b三"),  # inside a text it stays (it may join an emoji)
        ("好的👨\u200d👩\u200d👧", "好的👨\u200d👩\u200d👧"),
        ("谢谢❤\ufe0f\u200b", "谢谢❤\ufe0f"),
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", None),
        ("a\x00", "a\x00"),  # NUL is the validator's to refuse, never silently dropped
    ],
)
def test_invisible_characters_go_only_from_the_ends(typed, kept):
    assert clean_text(typed) == (typed if kept is None else kept)


# --- every form uses it ------------------------------------------------------------------------


def _project_form_classes() -> list[type]:
    found = set()
    for package in ("portal", "petitions", "outreach"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            # Not the WSGI entry point: importing it switches the process to production.
            if any(part in info.name for part in (".migrations", ".management", ".wsgi")):
                continue
            for _name, value in inspect.getmembers(importlib.import_module(info.name)):
                if (
                    inspect.isclass(value)
                    and issubclass(value, forms.BaseForm)
                    and value.__module__.split(".")[0] in ("portal", "petitions", "outreach")
                ):
                    found.add(value)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_form_of_the_project_cleans_its_text():
    classes = _project_form_classes()
    assert len(classes) > 20
    missing = [
        f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, CleanTextMixin)
    ]
    assert not missing


def test_every_admin_screen_and_inline_cleans_its_text():
    missing = []
    for model, model_admin in admin.site._registry.items():
        for attr in ("form", "add_form"):
            form = getattr(model_admin, attr, None)
            if form is not None and not issubclass(form, CleanTextMixin):
                missing.append(f"{model._meta.label}.{attr}")
        for inline in model_admin.inlines:
            if not issubclass(inline.form, CleanTextMixin):
                missing.append(f"{model._meta.label} inline {inline.__name__}")
    assert not missing


# --- residents' form, registration, steps, activities, services --------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("typed", INVISIBLE[:3])
def test_an_invisible_name_on_the_public_form_is_asked_for(client, place, settings, typed):
    settings.PETITIONS_MIN_FILL_SECONDS = 0
    response = client.post(NEW, form_data(place, name=typed, title=typed))
    assert response.status_code == 200
    assert "请填写您的姓名" in page(response) and "请用一句话说明是什么事" in page(response)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_invisible_edges_are_not_stored_from_the_public_form(client, place, settings):
    settings.PETITIONS_MIN_FILL_SECONDS = 0
    response = client.post(NEW, form_data(place, name="\ufeff田会平\u200b", title="\u2060路灯不亮"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.title == "路灯不亮" and case.parties.get().person.name == "田会平"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", INVISIBLE[:3])
def test_an_invisible_name_or_summary_in_the_back_office_is_asked_for(client, place, staff, typed):
    client.force_login(staff[Role.GRID_WORKER])
    response = client.post(
        CASE_ADD, register_data(place, title=typed, content=typed, petitioner_name=typed)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"title", "content", "petitioner_name"} <= set(errors)
    assert "这个字段是必填项。" in errors["title"][0]
    assert "请填写信访人/诉求人姓名。" in errors["petitioner_name"][0]
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_an_invisible_note_is_no_note(client, place, staff):
    case = in_progress_case(place, staff)
    client.force_login(staff[Role.GRID_WORKER])
    response = post_step(client, case, "progress", note="\u200b\u200b", progress="")
    assert response.status_code == 200 and "这个字段是必填项。" in page(response)
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.PROGRESS).exists()

    fresh = new_case(place.north_a, actor=staff[Role.GRID_WORKER])
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    assert post_step(client, fresh, "accept", note="\u200b\u200b").status_code == 302
    assert CaseEvent.objects.get(case=fresh, kind=EventKind.ACCEPTED).note == "已受理（一般办理）"


@pytest.mark.django_db
def test_an_invisible_activity_title_is_asked_for(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.post(TALK_ADD, talk_form(place, title="\u200b\ufeff"))
    assert response.status_code == 200 and "这个字段是必填项。" in page(response)
    assert not PolicyTalk.objects.exists()


@pytest.mark.django_db
def test_services_treat_invisible_text_as_none(place, staff):
    case = in_progress_case(place, staff)
    with pytest.raises(services.CaseError, match="请填写办理进展"):
        services.add_progress(case, actor=staff[Role.GRID_WORKER], note="\u200b\u2060")
    with pytest.raises(services.CaseError, match="请填写诉求摘要和诉求内容"):
        new_case(place.north_a, actor=staff[Role.GRID_WORKER], title="\ufeff")
    services.add_progress(case, actor=staff[Role.GRID_WORKER], note="\u200b已联系物业\u200b")
    assert CaseEvent.objects.get(case=case, kind=EventKind.PROGRESS).note == "已联系物业"


# --- NUL ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_nul_in_a_hidden_field_of_the_public_form_is_named_plainly(client, place, settings):
    settings.PETITIONS_MIN_FILL_SECONDS = 0
    response = client.post(NEW, form_data(place, grid="3\x00"))
    html = page(response)
    assert response.status_code == 200 and NUL_MESSAGE in html
    assert "空字符串" not in html and "隐藏字段" not in html
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_a_back_office_form_is_named_plainly(client, place, staff):
    client.force_login(staff[Role.GRID_WORKER])
    response = client.post(CASE_ADD, register_data(place, title="楼道\x00堆物"))
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [NUL_MESSAGE]
    assert "空字符串" not in page(response)


# --- limits ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_step_note_has_a_limit_said_with_the_length(client, place, staff):
    case = in_progress_case(place, staff)
    client.force_login(staff[Role.GRID_WORKER])
    response = post_step(client, case, "progress", note="很" * 100_000, progress="")
    assert response.status_code == 200
    assert "最多 2000 字（现在 100000 字）" in page(response)
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.PROGRESS).exists()
    assert post_step(client, case, "progress", note="很" * 2000, progress="").status_code == 302


@pytest.mark.django_db
def test_minutes_and_summaries_have_a_longer_limit(client, place, staff):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    response = client.post(TALK_ADD, talk_form(place, summary="讲" * 20_001))
    assert "最多 20000 字（现在 20001 字）" in page(response)
    assert not PolicyTalk.objects.exists()
    assert client.post(TALK_ADD, talk_form(place, summary="讲" * 5000)).status_code == 302


@pytest.mark.django_db
def test_services_refuse_a_note_over_the_limit(place, staff):
    case = in_progress_case(place, staff)
    with pytest.raises(services.CaseError, match="最多 2000 字"):
        services.add_progress(case, actor=staff[Role.GRID_WORKER], note="很" * 2001)
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.PROGRESS).exists()
