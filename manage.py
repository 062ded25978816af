#!/usr/bin/env python
"""Django's command-line utility for the grassroots work portal."""

import os
import sys

from django.conf import settings
from django.core.management import execute_from_command_line

from portal.config import ConfigError, exit_on_config_error, read_env_file


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    try:
        read_env_file()  # a developer's .env, unless PORTAL_READ_ENV_FILE=false (tests)
        settings.INSTALLED_APPS  # noqa: B018 - load settings now to report bad configuration
    except ConfigError as exc:
        exit_on_config_error(exc)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
