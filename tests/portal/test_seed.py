"""seed_demo: idempotent, complete, and refused where demo passwords would be dangerous."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from portal.demo import DEMO_PASSWORD
from portal.models import Community, Compound, Grid, StaffProfile, Team, TeamMember
from portal.roles import Role

MODELS = [Community, Grid, Compound, Team, TeamMember, StaffProfile, get_user_model()]


def seed(**options):
    out = StringIO()
    call_command("seed_demo", allow_production=True, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_running_twice_changes_nothing():
    seed()
    first = {m.__name__: m.objects.count() for m in MODELS}
    passwords = dict(get_user_model().objects.values_list("username", "password"))
    seed()
    assert {m.__name__: m.objects.count() for m in MODELS} == first
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords


@pytest.mark.django_db
def test_demo_has_the_designed_places_teams_and_one_login_per_role():
    output = seed()
    assert Community.objects.count() >= 4
    assert Compound.objects.filter(name="凤凰B区").exists()
    for team in ["红骑兵宣讲团", "文润蓝天志愿服务队", "益启志愿服务队", "和为贵", "邻里凤姐"]:
        assert Team.objects.filter(name=team, members__isnull=False).exists(), team
    roles = set(StaffProfile.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for profile in StaffProfile.objects.select_related("user"):
        assert profile.is_approved
        assert profile.user.check_password(DEMO_PASSWORD)
        assert profile.user.username in output  # the printed login table names every account
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="拒绝载入演示数据"):
        call_command("seed_demo", stdout=StringIO())
    assert not Community.objects.exists()


@pytest.mark.django_db
def test_scale_must_be_positive():
    with pytest.raises(CommandError, match="正整数"):
        seed(scale=0)
