"""Time the pages people use most, in-process, against a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/pages.py --scale 10 --repeat 30

Seeds a fresh database with `seed_demo --scale N` (unless --no-seed), then requests each page
`--repeat` times with Django's test client (application and database time, no network) and
prints the median and 95th-percentile milliseconds and the queries per request. Not part of
the test run: performance targets live here, not in timed tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("AXES_ENABLED", "false")

import django

from portal.config import read_env_file

read_env_file()
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PUBLIC = [
    "/",
    "/activities/talks/",
    "/activities/talks/?page=3",
    "/activities/onsite/",
    "/activities/research/",
    "/activities/upcoming/",
    "/activities/upcoming.ics",
    "/activities/receptions/",
]
STAFF = {
    "shuji": [
        "/admin/",
        "/admin/outreach/policytalk/",
        "/admin/outreach/onsitesession/",
        "/admin/petitions/case/",
        "/admin/petitions/case/?status__exact=in_progress",
    ],
    "wanggeyuan": ["/admin/petitions/case/", "/admin/outreach/onsitesession/"],
}


def measure(client: Client, url: str, repeat: int) -> tuple[float, float, int, int]:
    client.get(url)  # warm caches and the connection
    timings, queries, status = [], 0, 0
    for _ in range(repeat):
        reset_queries()
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        queries = len(connection.queries)
        status = response.status_code
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, queries, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL — figures will not match production", file=sys.stderr)
    if not args.no_seed:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", scale=args.scale, quiet_logins=True, allow_production=True)
        print(f"seeded (scale {args.scale}) in {time.perf_counter() - started:.1f} s")
    setup_test_environment()
    settings.DEBUG = True  # count queries
    users = get_user_model().objects
    print(f"{'page':<56}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'status':>8}")
    anonymous = Client()
    for url in PUBLIC:
        median, p95, queries, status = measure(anonymous, url, args.repeat)
        print(f"{url:<56}{median:>10.1f}{p95:>9.1f}{queries:>9}{status:>8}")
    for username, urls in STAFF.items():
        client = Client()
        client.force_login(users.get(username=username))
        for url in urls:
            median, p95, queries, status = measure(client, url, args.repeat)
            label = f"{username} {url}"
            print(f"{label:<56}{median:>10.1f}{p95:>9.1f}{queries:>9}{status:>8}")


if __name__ == "__main__":
    main()
