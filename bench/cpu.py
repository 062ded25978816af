"""CPU per request of every public GET page under gunicorn, as a ratio to a one-query page.

    .venv/bin/python bench/cpu.py                       # creates and seeds portal_cpu_bench
    .venv/bin/python bench/cpu.py --no-seed --requests 200

One run, one gunicorn: 1 sync worker, production settings (DEBUG off, whitenoise's manifest
storage, CONN_MAX_AGE 60 with health checks), PostgreSQL, the page cache in Redis
(``redis://127.0.0.1:6379/…``). Its settings (bench/cpu_settings.py) are the product's plus a
baseline page (bench/cpu_urls.py: one query, a tiny template, through the whole middleware
stack) and a per-request switch: ``X-Bench-Page-Cache: off`` serves that request as with
``PORTAL_PAGE_CACHE = False``, so cached and uncached figures come from the same process;
``cold`` also turns the shared blocks off (``PORTAL_FRAGMENT_CACHE = False``).

For each page: warm-up requests, then ``--requests`` sequential requests; the CPU the gunicorn
worker spent (``/proc/<pid>/task/*/schedstat``, nanoseconds) and the CPU the worker's PostgreSQL
backend spent (same, for the backend's pid from pg_stat_activity) are divided by the number of
requests. The ratio is baseline CPU / page CPU on worker + database (≥ 1: cheaper than the
baseline). Targets (issue 12): cached anonymous pages ≥ 2.0×; uncached detail pages ≥ 0.6×,
lists ≥ 0.4×, home ≥ 0.3×. The baseline is measured at the start, the middle and the end; the
mean is used. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_cpu_bench"
DEFAULT_CACHE = "redis://127.0.0.1:6379/3"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--cache-url", default=DEFAULT_CACHE)
    parser.add_argument("--requests", type=int, default=100, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--articles", type=int, default=40, help="news articles to publish")
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    return parser.parse_args()


ARGS = _args()
os.environ["DATABASE_URL"] = ARGS.database_url
os.environ["PORTAL_READ_ENV_FILE"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from outreach.models import PRACTICE_MODELS  # noqa: E402
from petitions.models import Reception  # noqa: E402
from portal import clock  # noqa: E402
from portal.models import StaffProfile  # noqa: E402
from portal.news import public, services  # noqa: E402
from portal.news.models import Article, Column  # noqa: E402
from portal.roles import Role  # noqa: E402

# What each kind of page must reach (baseline CPU / page CPU).
CACHED_TARGET = 2.0
UNCACHED_TARGET = {"detail": 0.6, "list": 0.4, "home": 0.3}

BODY = (
    "<p>{community}社区“四下基层”工作队走进小区，围绕物业服务、加装电梯和停车管理听取居民意见，"
    "现场答复问题{n}个，其余问题列入清单限期办理。</p>"
    "<h2>把问题解决在家门口</h2>"
    "<p>街道干部、社区网格员和物业公司负责人一同参加。居民代表说，家门口的议事会让大家"
    "有了说话的地方，很多小事当场就有了着落。</p>"
    "<ul><li>现场受理诉求{n}件</li><li>交办职能部门3件</li><li>回访满意率98%</li></ul>"
    "<p>下一步，社区将把议事结果在公示栏和微信群公开，接受居民监督。</p>"
)
COMMUNITIES = ("凤凰岭", "敕勒川", "北苑", "南湖", "西营")
TOPICS = ("政策宣讲进社区", "现场办公解民忧", "调查研究听民声", "信访接待暖民心", "网格议事促和谐")


# --- data -------------------------------------------------------------------------------------


def _staff(role: Role):
    return StaffProfile.objects.filter(role=role).select_related("user").first().user


def create_database(url: str) -> None:
    name = connection.settings_dict["NAME"]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", flush=True)


def seed(articles: int) -> None:
    started = time.perf_counter()
    create_database(ARGS.database_url)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet_logins=True, allow_production=True)
    community = _staff(Role.COMMUNITY_SECRETARY)
    signers = [_staff(r) for r in (Role.EDITOR, Role.AREA_LEADER, Role.SECRETARY)]
    columns = list(Column.objects.order_by("sort_order", "pk"))
    now = clock.now()
    for n in range(articles - Article.objects.public().count()):
        place = COMMUNITIES[n % len(COMMUNITIES)]
        draft = services.Draft(
            title=f"{place}社区{TOPICS[n % len(TOPICS)]}（第{n + 1}期）",
            column=columns[n % min(4, len(columns))],
            body=BODY.format(community=place, n=n % 9 + 2),
            source="凤凰岭街道党政办",
            summary=f"{place}社区开展“四下基层”活动，现场答复居民问题。",
            tags="四下基层,社区治理",
        )
        article = services.create_article(draft, actor=community)
        services.submit(article, actor=community)
        for signer in signers:
            services.sign(article, actor=signer)
        services.publish(article, actor=signers[0])
        # Spread over the past months (bench data only: the order the lists show).
        Article.objects.filter(pk=article.pk).update(published_at=now - timedelta(days=4 * n + 1))
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


@dataclass
class Page:
    label: str
    path: str
    kind: str  # detail, list, home, form (never cached: a CSRF token), baseline
    cacheable: bool = True


def pages() -> list[Page]:
    article = Article.objects.public().order_by("-published_at").first()
    column = public.nav_columns().first()
    when = timezone.localtime(article.published_at)
    found = [
        Page("home", "/", "home"),
        Page("news list", "/news/", "list"),
        Page("news list page 2", "/news/?page=2", "list"),
        Page("栏目", f"/news/{column.slug}/", "list"),
        Page("news month", f"/news/{when.year}/{when.month}/", "list"),
        Page("article", f"/news/{article.pk}/", "detail"),
        Page("feed rss", "/news/feed/", "list"),
        Page("feed atom", "/news/feed/atom/", "list"),
        Page("feed json", "/news/feed.json", "list"),
        Page("search 社区", "/search/?q=" + quote("社区"), "list"),
        Page("search 加装电梯", "/search/?q=" + quote("加装电梯"), "list"),
    ]
    for model in (*PRACTICE_MODELS, Reception):
        practice = "receptions" if model is Reception else model.practice
        item = model.objects.published().order_by("-pk").first()
        found.append(Page(f"{practice} list", f"/activities/{practice}/", "list"))
        if item is not None:
            found.append(Page(f"{practice} detail", f"/activities/{practice}/{item.pk}/", "detail"))
    found += [
        Page("upcoming", "/activities/upcoming/", "list"),
        Page("upcoming.ics", "/activities/upcoming.ics", "list"),
        Page("results", "/requests/results/", "list"),
        Page("tracking form", "/requests/track/", "form", cacheable=False),
        Page("request form", "/requests/new/", "form", cacheable=False),
        Page("sitemap", "/sitemap.xml", "list"),
    ]
    return found


# --- measuring --------------------------------------------------------------------------------


def cpu_ns(pid: int) -> int:
    """CPU time of every thread of ``pid`` so far (scheduler statistics, nanoseconds)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise SystemExit("gunicorn started no worker")


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    if len(pids) != 1:
        raise SystemExit(f"expected one database connection from the worker, found {pids}")
    return pids[0]


class Server:
    def __init__(self, port: int, cache_url: str) -> None:
        self.port = port
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "cpu_settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_HTTPS": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_CONN_MAX_AGE": "600",
            "CACHE_URL": cache_url,
            "PORTAL_PAGE_CACHE": "true",
            "PORTAL_RATELIMIT_ENABLED": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env | {"DJANGO_SETTINGS_MODULE": "portal.settings"},
            check=True,
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "portal.wsgi",
                "--pythonpath",
                str(ROOT / "bench"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--timeout",
                "300",
            ],
            cwd=ROOT,
            env=env,
        )
        self.worker = worker_pid(self.process.pid)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/__bench__/baseline/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        self.backend = backend_pid()

    def get(self, path: str, *, mode: str = "cached") -> tuple[int, bytes, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {
            "uncached": {"X-Bench-Page-Cache": "off"},
            "cold": {"X-Bench-Page-Cache": "cold"},
        }
        headers = headers.get(mode, {})
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body, response.getheader("X-Page-Cache", "")

    def measure(
        self, path: str, *, mode: str, requests: int, warmup: int
    ) -> tuple[float, float, str]:
        """(worker ms, database ms) of CPU per request, and what the last answer was."""
        for _ in range(warmup):
            status, _body, hit = self.get(path, mode=mode)
        backend = backend_pid()
        if backend != self.backend:
            print(f"  (the worker reconnected to the database: backend {backend})", flush=True)
            self.backend = backend
        worker_before, db_before = cpu_ns(self.worker), cpu_ns(backend)
        for _ in range(requests):
            status, _body, hit = self.get(path, mode=mode)
        worker_ms = (cpu_ns(self.worker) - worker_before) / requests / 1e6
        db_ms = (cpu_ns(backend) - db_before) / requests / 1e6
        return worker_ms, db_ms, f"{status}{' hit' if hit == 'hit' else ''}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    if connection.vendor != "postgresql":
        raise SystemExit("bench/cpu.py needs PostgreSQL (--database-url postgres://…)")
    if not ARGS.no_seed:
        seed(ARGS.articles)
    wanted = [p for p in pages() if ARGS.only in p.label]
    connection.close()
    server = Server(free_port(), ARGS.cache_url)
    n, warm = ARGS.requests, ARGS.warmup
    rows: list[tuple[str, str, float, float, str, float | None]] = []
    baselines: list[float] = []
    try:

        def base() -> None:
            worker, db, _ = server.measure(
                "/__bench__/baseline/", mode="cached", requests=n * 2, warmup=warm
            )
            baselines.append(worker + db)
            print(f"  baseline {worker:.2f} + {db:.2f} ms", flush=True)

        base()
        middle = len(wanted) // 2
        for index, page in enumerate(wanted):
            if index == middle:
                base()
            modes = ["cold", "uncached"] + (["cached"] if page.cacheable else [])
            for mode in modes:
                cached = mode == "cached"
                worker, db, status = server.measure(page.path, mode=mode, requests=n, warmup=warm)
                if not status.startswith("200"):
                    print(f"  {page.label} {page.path}: HTTP {status} — skipped", flush=True)
                    break
                if cached and "hit" not in status:
                    print(f"  {page.label}: not served from the page cache", flush=True)
                # The targets are for a cache hit and for a page rebuilt after a change (its
                # still-valid shared blocks kept); "cold" (nothing kept) is shown for comparison.
                if mode == "cold":
                    target = None
                else:
                    target = CACHED_TARGET if cached else UNCACHED_TARGET.get(page.kind)
                rows.append((page.label, mode, worker, db, status, target))
                print(f"  {page.label} {mode}: {worker:.2f} + {db:.2f} ms", flush=True)
        base()
    finally:
        server.stop()
    baseline = sum(baselines) / len(baselines)
    spread = (max(baselines) - min(baselines)) / baseline * 100
    print()
    print(
        f"baseline (one query, tiny template): {baseline:.2f} ms CPU/request "
        f"(worker + PostgreSQL; three measurements within {spread:.0f} %), {n} requests per page"
    )
    print()
    header = (
        f"{'page':<22}{'mode':<10}{'worker ms':>10}{'db ms':>8}{'total ms':>10}"
        f"{'ratio':>8}{'target':>8}  result"
    )
    print(header)
    print("-" * len(header))
    failed = 0
    for label, mode, worker, db, _status, target in rows:
        total = worker + db
        ratio = baseline / total
        if target is None:
            verdict, shown = "—", "—"
        else:
            verdict = "pass" if ratio >= target else "FAIL"
            failed += verdict == "FAIL"
            shown = f"≥{target:.1f}"
        print(
            f"{label:<22}{mode:<10}{worker:>10.2f}{db:>8.2f}{total:>10.2f}"
            f"{ratio:>8.2f}{shown:>8}  {verdict}"
        )
    print()
    print(f"{failed} target(s) missed" if failed else "every target met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
