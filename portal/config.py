"""Reading configuration safely: a bad value stops start-up with one line naming the variable."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Set to false to leave <project>/.env unread; the test suite sets it for every process it
# starts, so a developer's .env (a key from `make serve`, DJANGO_DEBUG=false, another
# DATABASE_URL) never changes what the tests see.
READ_ENV_FILE = "PORTAL_READ_ENV_FILE"

TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}

SUPPORTED_ENGINES = {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}


class ConfigError(ImproperlyConfigured):
    """A configuration variable is missing or cannot be used."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"配置错误 {variable}: {problem}")


def parse_bool(name: str, value: str, default: bool) -> bool:
    """A true/false variable: the usual spellings, empty means the default, anything else stops.

    Not env.bool: it reads anything it does not know (`ture`, `maybe`) as false, which would
    quietly turn HTTPS or login protection off.
    """
    value = value.strip()
    if not value:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ConfigError(name, f"应为 true 或 false（也可写 1/0、yes/no、on/off），现为 “{value}”")


def read_env_file(path: Path | None = None) -> None:
    """Put the variables of <project>/.env into the environment; variables already set win.

    Called by the entry points (manage.py, portal.wsgi, bench) before Django reads the
    settings, never by the settings module: whatever imports the settings directly — the test
    suite through pytest-django — gets the environment alone. PORTAL_READ_ENV_FILE=false skips
    the file for the commands the tests start.
    """
    if not parse_bool(READ_ENV_FILE, os.environ.get(READ_ENV_FILE, ""), True):
        return
    path = path or PROJECT_DIR / ".env"
    if path.is_file():
        environ.Env.read_env(path, overwrite=False)


def database_from_url(url: str, *, default_sqlite_path: Path, conn_max_age: int) -> dict[str, Any]:
    """Turn DATABASE_URL into Django's DATABASES entry (SQLite when the URL is empty)."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite_path),
            "OPTIONS": {"timeout": 20},
        }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an unknown scheme is reported below instead
            config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for malformed URLs
        raise ConfigError(
            "DATABASE_URL", "无法解析（示例：postgres://user@127.0.0.1:5432/portal）"
        ) from exc
    engine = config.get("ENGINE")
    if engine not in SUPPORTED_ENGINES:
        raise ConfigError(
            "DATABASE_URL",
            "只支持 postgres:// 或 sqlite:// （示例：postgres://user@127.0.0.1:5432/portal）",
        )
    if engine == "django.db.backends.sqlite3":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ConfigError(
                "DATABASE_URL", "SQLite 需要文件路径（示例：sqlite:////srv/portal/db.sqlite3）"
            )
        config.setdefault("OPTIONS", {})["timeout"] = 20
        return config
    if not config.get("NAME"):
        raise ConfigError(
            "DATABASE_URL", "缺少数据库名（示例：postgres://user@127.0.0.1:5432/portal）"
        )
    config["CONN_MAX_AGE"] = conn_max_age
    config["CONN_HEALTH_CHECKS"] = True
    return config


def exit_on_config_error(exc: ImproperlyConfigured) -> None:
    """Print one line and stop; used by manage.py and the WSGI entry point."""
    sys.stderr.write(f"{exc}\n")
    raise SystemExit(2)
