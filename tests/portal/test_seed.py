"""seed_demo: idempotent, complete, and refused where demo passwords would be dangerous."""

import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.demo import DEMO_PASSWORD
from portal.models import Community, Compound, StaffProfile, Team
from portal.roles import Role

DEMO_APPS = ("portal", "outreach", "petitions", "news")
ROOT = Path(__file__).resolve().parents[2]


def seed(**options):
    out = StringIO()
    call_command("seed_demo", allow_production=True, stdout=out, **options)
    return out.getvalue()


PROGRESS = re.compile(r"^  \[(\d+)/(\d+)\] (.+) … (.+)，(\d+) s$")


def summary(output: str) -> list[str]:
    """The printed figures, without the progress lines and the notes that say what this run
    itself added."""
    return [
        re.sub(r"（已有[^）]*）|，照片 [\d,]+ 张", "", line)
        for line in output.splitlines()
        if not PROGRESS.match(line)
    ]


def test_each_stage_is_one_line_with_what_it_wrote_and_its_seconds(db):
    """`make run` is never silent for long: every stage is named before it runs and its line
    ends with what it wrote and how long it took. Verbosity 0 (tests, scripts) prints none."""
    lines = seed(only=["portal"], quiet_logins=True).splitlines()
    progress = [PROGRESS.match(line) for line in lines if PROGRESS.match(line)]
    assert [(m[1], m[2], m[3]) for m in progress] == [("1", "1", "基础数据")]
    assert re.fullmatch(r"5 个社区，10 个网格，15 个小区，6 支队伍，8 个账号", progress[0][4])

    quiet = seed(only=["portal"], quiet_logins=True, verbosity=0)
    assert "基础数据" not in quiet and "[1/1]" not in quiet


def test_a_stage_that_fails_ends_its_line_before_the_error():
    from portal.seeding import SeedContext

    out = StringIO()
    ctx = SeedContext(out=out, stages=2)
    with ctx.stage("诉求") as stage:
        stage.done("3 件")
    with pytest.raises(ValueError), ctx.stage("信访接待"):
        raise ValueError
    assert out.getvalue() == "  [1/2] 诉求 … 3 件，0 s\n  [2/2] 信访接待 … 中断，0 s\n"


@pytest.mark.django_db
def test_summaries_count_what_the_later_apps_seeded(monkeypatch):
    """A summary registered with ``report_at_end`` runs after every app's seeder, so a figure
    the later apps add to (近期安排 includes petitions' 信访接待) is the same on every run."""

    def outreach_seed(ctx):
        ctx.report_at_end(lambda: ctx.out.write(f"  队伍 {Team.objects.count()} 支\n"))

    monkeypatch.setattr("outreach.demo.seed", outreach_seed)
    monkeypatch.setattr(
        "petitions.demo.seed",
        lambda ctx: Team.objects.get_or_create(name="后来的队伍", defaults={"kind": "talk"}),
    )

    first = seed(quiet_logins=True)
    second = seed(quiet_logins=True)

    teams = Team.objects.count()
    assert f"  队伍 {teams} 支" in first.splitlines()
    assert f"  队伍 {teams} 支" in second.splitlines()


@pytest.mark.django_db
def test_the_printed_admin_address_is_the_one_served():
    assert "后台地址：http://127.0.0.1:8000/admin/" in seed(only=["portal"])
    output = seed(only=["portal"], address="0.0.0.0:8011")
    assert "后台地址：http://0.0.0.0:8011/admin/" in output
    assert "8000" not in output


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_its_host_and_port_to_seed_demo():
    result = subprocess.run(  # noqa: S603 - make with fixed arguments
        ["make", "-n", "-C", str(ROOT), "run", "HOST=0.0.0.0", "PORT=8011"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    commands = result.stdout.splitlines()
    assert any(c.endswith("seed_demo --address 0.0.0.0:8011") for c in commands), commands
    assert any(c.endswith("runserver 0.0.0.0:8011") for c in commands), commands


@pytest.mark.django_db
def test_demo_has_the_designed_places_teams_and_one_login_per_role():
    output = seed(only=["portal"])
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
def test_only_seeds_the_apps_asked_for_and_those_they_depend_on(monkeypatch):
    """Later apps build on earlier apps' rows, so asking for one loads its prerequisites too
    (each seeder is idempotent: prerequisites already there are not duplicated)."""
    ran = []
    for app in ("outreach", "petitions"):
        monkeypatch.setattr(f"{app}.demo.seed", lambda ctx, app=app: ran.append(app))

    output = seed(only=["portal"], quiet_logins=True)
    assert ran == []
    assert StaffProfile.objects.count() == len(Role)
    assert "依赖" not in output

    output = seed(only=["petitions"], quiet_logins=True)
    assert ran == ["outreach", "petitions"]
    assert "petitions 依赖 portal、outreach，一并载入" in output

    ran.clear()
    seed(only=["outreach"], quiet_logins=True)
    assert ran == ["outreach"]


def test_only_refuses_an_unknown_app():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("seed_demo", "--only", "portal", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="--only 不认识 nope"):
        seed(only=["nope"])


@pytest.mark.django_db
def test_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="拒绝载入演示数据"):
        call_command("seed_demo", stdout=StringIO())
    assert not Community.objects.exists()


@pytest.mark.django_db
def test_scale_is_between_1_and_100():
    for scale in (0, 101):
        with pytest.raises(CommandError, match="1 至 100 的整数"):
            seed(scale=scale)
