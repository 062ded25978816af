"""Settings for bench/cpu.py's gunicorn: the production settings, plus the baseline page and
a per-request switch for the page cache (bench only; never installed by the product)."""

from portal.settings import *  # noqa: F403
from portal.settings import CACHES, MIDDLEWARE

ROOT_URLCONF = "cpu_urls"
# First, so the baseline pays for it as much as every page does.
MIDDLEWARE = ["cpu_urls.PageCacheSwitch", *MIDDLEWARE]
# Keys of their own in a shared Redis.
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": "cpubench"}}
