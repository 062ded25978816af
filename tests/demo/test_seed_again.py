"""What ``make run`` does on every start: seeding again on top of the demo adds nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.portal.test_seed import DEMO_APPS, summary

pytestmark = pytest.mark.django_db


def every_count() -> dict[str, int]:
    """Rows of every model of the apps with demo data, and the accounts and their groups."""
    models = [m for app in DEMO_APPS for m in apps.get_app_config(app).get_models()]
    return {m._meta.label: m.objects.count() for m in [*models, get_user_model(), Group]}


def test_running_again_changes_nothing_and_prints_the_same_figures(demo):
    """The second full run adds nothing anywhere and prints the same figures (each counted once
    every app has been seeded), with each figure's period."""
    first = every_count()
    passwords = dict(get_user_model().objects.values_list("username", "password"))

    out = StringIO()
    call_command("seed_demo", allow_production=True, quiet_logins=True, stdout=out)

    assert every_count() == first
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords
    # Every app wrote something to compare.
    for app in DEMO_APPS:
        assert any(n for label, n in first.items() if label.startswith(f"{app}.")), app
    assert "近期安排" in demo.output
    assert summary(out.getvalue()) == summary(demo.output)
