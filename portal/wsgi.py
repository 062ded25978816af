"""WSGI entry point (gunicorn portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from portal.config import ConfigError, exit_on_config_error, read_env_file

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Served by a WSGI server means production unless DJANGO_DEBUG says otherwise (in the
# environment or .env): a forgotten variable must not put debug pages on the internet.
os.environ["PORTAL_WSGI"] = "1"

try:
    read_env_file()
    application = get_wsgi_application()
except ConfigError as exc:
    exit_on_config_error(exc)
