"""Configuration: bad values stop start-up with one line naming the variable; production passes
`check --deploy` with the documented variables; the backend in use is the one configured."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import environ
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
        # A typo must not quietly switch HTTPS, HSTS and secure cookies off in production.
        (PRODUCTION_ENV | {"DJANGO_HTTPS": "ture"}, "DJANGO_HTTPS"),
        ({"DJANGO_SERVE_MEDIA": "nope"}, "DJANGO_SERVE_MEDIA"),
        ({"AXES_ENABLED": "enabled"}, "AXES_ENABLED"),
        ({"PORTAL_RATELIMIT_ENABLED": "2"}, "PORTAL_RATELIMIT_ENABLED"),
        ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT"),
        ({"AXES_COOLOFF_MINUTES": "15m"}, "AXES_COOLOFF_MINUTES"),
        ({"DJANGO_PROXY_COUNT": "-1"}, "DJANGO_PROXY_COUNT"),
        ({"DJANGO_SESSION_HOURS": "8.5"}, "DJANGO_SESSION_HOURS"),
        ({"PETITIONS_MIN_FILL_SECONDS": "three"}, "PETITIONS_MIN_FILL_SECONDS"),
        ({"DJANGO_HSTS_SECONDS": "1y"}, "DJANGO_HSTS_SECONDS"),
        ({"DJANGO_LOG_LEVEL": "LOUD"}, "DJANGO_LOG_LEVEL"),
    ],
)
def test_bad_configuration_stops_with_one_line_naming_the_variable(env, variable):
    result = manage("check", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"配置错误 {variable}: "), lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(v, True) for v in ("true", "True", "1", "yes", "YES", "on", "On", " true ")],
        *[(v, False) for v in ("false", "FALSE", "0", "no", "No", "off", "OFF")],
    ],
)
def test_true_false_variables_accept_the_usual_spellings(monkeypatch, value, expected):
    from portal import settings as portal_settings

    monkeypatch.setenv("PORTAL_TEST_SWITCH", value)
    assert portal_settings._bool("PORTAL_TEST_SWITCH", not expected) is expected


def test_an_empty_value_means_the_default(monkeypatch):
    from portal import settings as portal_settings

    monkeypatch.setenv("PORTAL_TEST_SWITCH", "")
    assert portal_settings._bool("PORTAL_TEST_SWITCH", True) is True
    assert portal_settings._int("PORTAL_TEST_SWITCH", 7) == 7
    assert portal_settings._log_level("PORTAL_TEST_SWITCH", "INFO") == "INFO"


def test_https_spelled_out_in_production_turns_every_protection_on():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.LANGUAGE_COOKIE_SECURE)"
    )
    result = manage("shell", "-v", "0", "-c", code, env=PRODUCTION_ENV | {"DJANGO_HTTPS": "Yes"})
    assert result.stdout.split() == ["True", "True", "31536000", "True"], result.stderr
    result = manage("shell", "-v", "0", "-c", code, env=PRODUCTION_ENV | {"DJANGO_HTTPS": "off"})
    assert result.stdout.split() == ["False", "False", "0", "False"], result.stderr


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


def variables_read_by_settings() -> set[str]:
    """Every name settings.py reads from the environment (env.str/list/cache…, _bool, _int…)."""
    tree = ast.parse((ROOT / "portal" / "settings.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        reads = (isinstance(func, ast.Attribute) and ast.unparse(func.value) == "env") or (
            isinstance(func, ast.Name) and func.id in {"_bool", "_int", "_log_level"}
        )
        first = node.args[0]
        if reads and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    # Set by portal/wsgi.py to tell a WSGI server from manage.py; not configuration.
    names.discard("PORTAL_WSGI")
    return names


def test_every_variable_settings_reads_is_documented():
    names = variables_read_by_settings()
    assert {"DJANGO_DEBUG", "DJANGO_SERVE_MEDIA", "DJANGO_LOG_LEVEL"} <= names  # the scan works
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    in_example = set(re.findall(r"^# ([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    in_readme = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    assert names - in_example == set(), "missing from .env.example"
    assert names - in_readme == set(), "missing from README's variable table"
    assert in_example - names == set(), ".env.example lists variables settings.py never reads"
    assert in_readme - names == set(), "README lists variables settings.py never reads"


# What `make serve` puts in front of its commands (see the Makefile).
SERVE_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def read_env_file(path: Path, monkeypatch) -> dict[str, str]:
    """The assignments django-environ takes from a .env file, as settings.py reads it."""
    found: dict[str, str] = {}
    monkeypatch.setattr(environ.Env, "ENVIRON", found)
    environ.Env.read_env(path, overwrite=True)
    return found


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_copying_env_example_gives_a_working_make_serve(tmp_path, monkeypatch):
    """`cp .env.example .env && make serve`: the copy changes nothing by itself, and the
    secret-key step of `make serve` leaves a key production settings start with."""
    env_file = tmp_path / ".env"
    shutil.copy(ROOT / ".env.example", env_file)
    assert read_env_file(env_file, monkeypatch) == {}  # `make run` keeps its defaults

    make_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    make = ["make", "-s", "-C", str(ROOT), "secret-key", f"ENV_FILE={env_file}"]
    subprocess.run(make, env=make_env, check=True, capture_output=True, timeout=60)  # noqa: S603
    written = read_env_file(env_file, monkeypatch)
    assert len(written["DJANGO_SECRET_KEY"]) >= 50
    assert manage("check", env=SERVE_ENV | written).returncode == 0

    # The next `make serve` keeps that key.
    subprocess.run(make, env=make_env, check=True, capture_output=True, timeout=60)  # noqa: S603
    assert read_env_file(env_file, monkeypatch) == written


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("before", "kept"),
    [
        ("DJANGO_SECRET_KEY=\n", False),  # an empty line left from .env.example is filled in
        ('export DJANGO_SECRET_KEY=""\n', False),
        ("DJANGO_SECRET_KEY=my-own-long-key-kept-as-it-is\n", True),
        ("CACHE_URL=locmemcache://portal", False),  # no newline at the end: still a new line
    ],
)
def test_make_serve_fills_in_a_missing_secret_key_only(tmp_path, monkeypatch, before, kept):
    env_file = tmp_path / ".env"
    env_file.write_text(before, encoding="utf-8")
    make_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    subprocess.run(  # noqa: S603
        ["make", "-s", "-C", str(ROOT), "secret-key", f"ENV_FILE={env_file}"],  # noqa: S607
        env=make_env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    key = read_env_file(env_file, monkeypatch)["DJANGO_SECRET_KEY"]
    if kept:
        assert key == "my-own-long-key-kept-as-it-is"
    else:
        assert len(key) >= 50
        assert env_file.read_text(encoding="utf-8").count("DJANGO_SECRET_KEY=") == 1


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.PASSWORD_HASHERS  # tests swap in a fast hasher; production uses Argon2
    from portal import settings as portal_settings

    assert portal_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


# A developer's .env after `make serve` and some trying out: production mode, another database.
DEVELOPER_KEY = "dev-" + "x" * 60
DEVELOPER_ENV_FILE = (
    f"DJANGO_SECRET_KEY={DEVELOPER_KEY}\n"
    "DJANGO_DEBUG=false\n"
    "DJANGO_ALLOWED_HOSTS=portal.example.gov.cn\n"
    "DATABASE_URL=postgres://someone@127.0.0.1:5999/elsewhere\n"
)
SHOW_SETTINGS = (
    "from django.conf import settings as s; "
    f"print(s.DEBUG, s.SECRET_KEY == '{DEVELOPER_KEY}',"
    " s.DATABASES['default']['NAME'].endswith('elsewhere'))"
)


@pytest.fixture
def checkout_with_env_file(tmp_path):
    """The project laid out again in tmp_path with a developer's .env at its root.

    The settings find the project (and so its .env) from their own location, so the portal
    package is copied; the rest is linked.
    """
    shutil.copytree(
        ROOT / "portal", tmp_path / "portal", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    for name in ("outreach", "petitions", "templates", "static"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    (tmp_path / ".env").write_text(DEVELOPER_ENV_FILE, encoding="utf-8")
    return tmp_path


def test_a_developers_env_file_never_reaches_the_tests(checkout_with_env_file):
    """`make serve` leaves a secret key in .env; DJANGO_DEBUG=false or another DATABASE_URL may
    follow. The settings the test process imports, and the commands the tests start, read
    none of it; `make run` and `make serve` still do."""
    project = checkout_with_env_file
    test_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}

    def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own code with fixed arguments
            [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True
        )

    # What pytest-django does: import the settings (no switch needed for that).
    imported = run(
        "-c",
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; "
        + SHOW_SETTINGS,
        env={k: v for k, v in test_env.items() if k != "PORTAL_READ_ENV_FILE"},
    )
    assert imported.stdout.split() == ["True", "False", "False"], imported.stderr
    # What the configuration tests start: manage.py, under the suite's environment.
    command = run("manage.py", "shell", "-v", "0", "-c", SHOW_SETTINGS, env=test_env)
    assert command.stdout.split() == ["True", "False", "False"], command.stderr
    assert test_env["PORTAL_READ_ENV_FILE"] == "false"
    # What a developer's `make run` / `make serve` starts: the .env is read.
    developer_env = {k: v for k, v in test_env.items() if k != "PORTAL_READ_ENV_FILE"}
    served = run("manage.py", "shell", "-v", "0", "-c", SHOW_SETTINGS, env=developer_env)
    assert served.stdout.split() == ["False", "True", "True"], served.stderr


def test_the_env_file_switch_takes_only_true_or_false():
    result = manage("check", env={"PORTAL_READ_ENV_FILE": "never"})
    assert result.returncode == 2
    assert result.stderr.strip().startswith("配置错误 PORTAL_READ_ENV_FILE: ")
