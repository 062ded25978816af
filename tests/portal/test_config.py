"""Configuration: bad values stop start-up with one line naming the variable; production passes
`check --deploy` with the documented variables; the backend in use is the one configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from portal.config import ConfigError, database_from_url

ROOT = Path(__file__).resolve().parents[2]

# The production variables documented in README.md and .env.example.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k8Qz1vN3pX7rT0yW5mB2cF9hJ4lD6sA8gE1uI3oP5qR7tY9wZ2xC4vB6nM8kL0jH",
    "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_configured_database_backend_is_the_one_running():
    """CI sets DATABASE_URL (and PORTAL_EXPECT_DB) for PostgreSQL: a silent fallback fails here."""
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"
    assert connection.vendor == expected
    if os.environ.get("PORTAL_EXPECT_DB"):
        assert connection.vendor == os.environ["PORTAL_EXPECT_DB"]


def test_sqlite_default_is_an_absolute_path_inside_the_project(tmp_path):
    config = database_from_url("", default_sqlite_path=ROOT / "db.sqlite3", conn_max_age=60)
    assert Path(config["NAME"]).is_absolute()
    assert Path(config["NAME"]).parent == ROOT


def test_postgres_url_uses_persistent_checked_connections():
    config = database_from_url(
        "postgres://postgres@127.0.0.1:5432/portal", default_sqlite_path=ROOT, conn_max_age=60
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "portal"
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    "url", ["nonsense", "mysql://root@localhost/portal", "postgres://host:notaport/db", "sqlite://"]
)
def test_unusable_database_urls_are_refused(url):
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        database_from_url(url, default_sqlite_path=ROOT, conn_max_age=0)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "nonsense://///"}, "DATABASE_URL"),
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"CACHE_URL": "nosuchcache://x"}, "CACHE_URL"),
        ({"DJANGO_CONN_MAX_AGE": "forever"}, "DJANGO_CONN_MAX_AGE"),
    ],
)
def test_bad_configuration_stops_with_one_line_naming_the_variable(env, variable):
    result = manage("check", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


def test_wsgi_entry_point_reports_bad_configuration_in_one_line():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"],
        cwd=ROOT,
        env=clean | {"DJANGO_DEBUG": "false"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if "DJANGO_SECRET_KEY" in line
    ]


def test_a_wsgi_server_without_django_debug_runs_in_production_mode():
    # Nothing set at all: the WSGI entry point refuses to start with the development key
    # instead of serving debug pages.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.pop("PORTAL_WSGI", None)
    result = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr or "DJANGO_ALLOWED_HOSTS" in result.stderr
    # manage.py (runserver, tests) keeps the zero-setup development default.
    assert manage("check", env={}).returncode == 0


def test_deploy_check_passes_with_the_documented_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_rejects_the_development_defaults():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={})
    assert result.returncode != 0


def test_env_example_documents_every_production_variable():
    documented = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in PRODUCTION_ENV:
        assert name in documented and name in readme, name


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.PASSWORD_HASHERS  # tests swap in a fast hasher; production uses Argon2
    from portal import settings as portal_settings

    assert portal_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
