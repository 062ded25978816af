"""Person names are checked in one place (portal.validators): the public 我要反映 form and the staff
forms that take names say in Chinese what a name may hold, keep what was typed, and a masked name
never shows a markup character, even one typed before names were checked."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError

from petitions.forms import RegisterCaseForm
from petitions.models import Category, Person
from petitions.public.submission import new_form_token
from portal.models import Team, TeamMember
from portal.privacy import mask_name
from portal.roles import Role
from portal.validators import validate_person_name
from tests.factories import make_team
from tests.petitions.test_public_track import submitted_case

MESSAGE = "姓名只能由汉字或字母组成"
GOOD = [
    "田会平",
    "乌兰",
    "阿依古丽·买买提",
    "阿卜杜・热合曼",
    "𠮷田",
    "Jean-Luc Martin",
    "扎西 多吉",
]
BAD = ["<b>王</b>😀", "王😀", "张三1", "田会平13912345678", "王<", "李 ·", "·李", "张  三", "王!"]


@pytest.mark.parametrize("name", GOOD)
def test_names_people_have_pass(name):
    validate_person_name(name)


@pytest.mark.parametrize("name", BAD)
def test_markup_digits_emoji_and_stray_dots_are_refused_in_chinese(name):
    with pytest.raises(ValidationError) as caught:
        validate_person_name(name)
    assert MESSAGE in str(caught.value.messages[0])


def test_one_character_is_not_a_name():
    with pytest.raises(ValidationError, match="姓名至少 2 个字"):
        validate_person_name("王")


@pytest.mark.parametrize("name", ["<b>王</b>😀", "<script>", "&amp;", "😀王"])
def test_a_mask_never_shows_a_markup_character(name):
    masked = mask_name(name)
    assert set(masked) == {"*"} and len(masked) == len(name)


@pytest.mark.django_db
def test_the_public_form_refuses_a_marked_up_name_and_keeps_it(client, place, settings):
    settings.PETITIONS_MIN_FILL_SECONDS = 0
    response = client.post(
        "/requests/new/",
        {
            "form_token": new_form_token().value,
            "category": str(Category.objects.get(name="环境卫生").pk),
            "community": place.north.code,
            "compound": "",
            "title": "楼道堆放杂物",
            "content": "3号楼2单元楼道里堆了很多纸箱，老人上下楼不方便，请清理。",
            "name": "<b>王</b>😀",
            "phone": "13912345678",
            "consent": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Person.objects.exists()
    assert MESSAGE in unescape(page)
    assert 'value="&lt;b&gt;王&lt;/b&gt;😀"' in page  # kept as typed, escaped


@pytest.mark.django_db
def test_staff_forms_that_take_names_check_them(client, staff):
    team = make_team()
    client.force_login(staff[Role.SYSADMIN])
    response = client.post(
        f"/admin/portal/team/{team.pk}/change/",
        {
            "name": team.name,
            "kind": team.kind,
            "community": "",
            "description": "",
            "is_active": "on",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
            "members-0-name": "王1号",
            "members-0-position": "",
            "members-0-work_unit": "",
            "members-0-is_active": "on",
        },
    )
    assert response.status_code == 200, response.get("Location")
    assert MESSAGE in unescape(response.content.decode())
    assert not TeamMember.objects.filter(team=team).exists()
    assert Team.objects.filter(pk=team.pk).exists()

    form = RegisterCaseForm.base_fields["petitioner_name"]
    with pytest.raises(ValidationError, match=MESSAGE):
        form.clean("<b>王</b>")
    with pytest.raises(ValidationError, match=MESSAGE):
        RegisterCaseForm.base_fields["other_name"].clean("物业😀")


@pytest.mark.django_db
def test_a_name_stored_before_the_check_is_all_stars_on_the_tracking_page(client, place, settings):
    settings.PETITIONS_MIN_FILL_SECONDS = 0
    case = submitted_case(client, place)
    Person.objects.filter(case_parts__case=case).update(name="<b>王</b>😀")
    page = unescape(
        client.post(
            "/requests/track/", {"code": case.tracking_code, "last4": "5678"}, follow=True
        ).content.decode()
    )
    shown = re.search(r"反映人\s*</dt>\s*<dd[^>]*>([^<]*)<", page)
    assert shown and shown.group(1).strip() == "*********"
    assert "&lt;*" not in page and "<*" not in page


@pytest.mark.django_db
def test_a_refused_name_says_only_what_is_wrong_with_it(staff):
    """Not also "请填写…姓名" as if nothing had been typed."""
    form = RegisterCaseForm(
        data={"petitioner_name": "<b>王</b>😀", "petitioner_phone": "13912345678"},
        user=staff[Role.SECRETARY],
    )
    assert not form.is_valid()
    errors = form.errors["petitioner_name"]
    assert len(errors) == 1 and errors[0].startswith(MESSAGE), errors
