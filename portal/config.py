"""Reading configuration safely: a bad value stops start-up with one line naming the variable."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

SUPPORTED_ENGINES = {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}


class ConfigError(ImproperlyConfigured):
    """A configuration variable is missing or cannot be used."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"配置错误 {variable}: {problem}")


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
