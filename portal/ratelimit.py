"""Rate limits for the public forms (我要反映, 进度查询): counters in the database, fixed windows.

Why the database: the default cache is per process (``locmemcache``), so with several gunicorn
workers each would count on its own; django-ratelimit refuses such caches for the same reason.
One small row per client, action and window is cheap at our traffic.

Who a "client" is: the address (IPv6 grouped by its /64, which one household or phone holds) and
a random browser cookie. Each is counted separately and either being over its limit refuses the
request. The address limit is higher than the browser limit because many residents share one
address (a community office, a carrier's NAT); the browser limit is the one a single resident
meets. Keys are keyed hashes (HMAC with SECRET_KEY), so the table holds no addresses or codes.

Behind a reverse proxy set DJANGO_PROXY_COUNT (the same setting django-axes uses): the address
is then taken from X-Forwarded-For, as the nearest trusted proxy saw it.

Counting and checking are one step: ``take`` adds the use with a single atomic statement
(``INSERT … ON CONFLICT … DO UPDATE … RETURNING``, on PostgreSQL and SQLite alike) and refuses it,
taking it back, when the count it returns is over the limit. Twenty simultaneous requests
therefore see twenty different counts, and only as many as the limit allows go through; a check
first and a count afterwards would let them all pass. A use that then does not happen (a form
that turns out invalid) is given back.

Tests and load benchmarks can switch every limit off with ``PORTAL_RATELIMIT_ENABLED = False``.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from portal import clock
from portal.models import RateLimitCounter

CLIENT_COOKIE = "portal_client"
CLIENT_COOKIE_AGE = 365 * 24 * 3600
_CLIENT_ID = re.compile(r"[0-9a-f]{32}")
_REQUEST_ATTR = "_portal_client_id"
# Windows older than this are deleted now and then (no limit here is longer than a day).
KEEP = timedelta(days=2)
PURGE_ONE_IN = 200


def enabled() -> bool:
    return settings.PORTAL_RATELIMIT_ENABLED


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` uses of ``scope`` per key in each window of ``seconds``."""

    scope: str
    hits: int
    seconds: int

    def window_start(self, now: datetime | None = None) -> datetime:
        now = now or clock.now()
        epoch = int(now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % self.seconds, tz=UTC)

    def _key(self, value: str) -> str:
        return salted_hmac(f"portal.ratelimit.{self.scope}", value).hexdigest()

    def count(self, value: str | None) -> int:
        """Uses so far in the current window (0 when limits are off or there is no key)."""
        if not value or not enabled():
            return 0
        row = (
            RateLimitCounter.objects.filter(
                scope=self.scope, key=self._key(value), window_start=self.window_start()
            )
            .values_list("hits", flat=True)
            .first()
        )
        return row or 0

    def exceeded(self, value: str | None) -> bool:
        return self.count(value) >= self.hits

    def hit(self, value: str | None) -> int:
        """Count one use; returns the uses in the current window, this one included (one atomic
        statement: simultaneous uses each get their own number)."""
        if not value or not enabled():
            return 0
        now = clock.now()
        hits = _increment(self.scope, self._key(value), self.window_start(now))
        if secrets.randbelow(PURGE_ONE_IN) == 0:
            RateLimitCounter.objects.filter(window_start__lt=now - KEEP).delete()
        return hits

    def take(self, value: str | None) -> bool:
        """Count one use if it is within the limit; False (and nothing counted) if it is not."""
        if self.hit(value) <= self.hits:
            return True
        self.give_back(value)
        return False

    def give_back(self, value: str | None) -> None:
        """Uncount one use of the current window that did not happen after all."""
        if not value or not enabled():
            return
        RateLimitCounter.objects.filter(
            scope=self.scope, key=self._key(value), window_start=self.window_start(), hits__gt=0
        ).update(hits=F("hits") - 1)

    @property
    def window_text(self) -> str:
        """The window as residents read it, in their language: "1 小时", "10 分钟"."""
        if self.seconds % 3600 == 0:
            hours = self.seconds // 3600
            return ngettext("%(n)d 小时", "%(n)d 小时", hours) % {"n": hours}
        minutes = max(1, self.seconds // 60)
        return ngettext("%(n)d 分钟", "%(n)d 分钟", minutes) % {"n": minutes}


@dataclass(frozen=True)
class ClientLimit:
    """A limit per browser (cookie) and a higher one per address, over the same window."""

    scope: str
    per_browser: int
    per_address: int
    seconds: int

    @property
    def browser(self) -> Limit:
        return Limit(f"{self.scope}:browser", self.per_browser, self.seconds)

    @property
    def address(self) -> Limit:
        return Limit(f"{self.scope}:address", self.per_address, self.seconds)

    def exceeded(self, request: HttpRequest) -> bool:
        return self.browser.exceeded(client_id(request)) or self.address.exceeded(
            client_address(request)
        )

    def hit(self, request: HttpRequest) -> bool:
        """Count one use; True when this use is still within both limits."""
        browser = self.browser.hit(client_id(request))
        address = self.address.hit(client_address(request))
        return browser <= self.per_browser and address <= self.per_address

    def take(self, request: HttpRequest) -> bool:
        """Count one use if it is within both limits, atomically; False (nothing counted) if
        either limit is reached."""
        if self.hit(request):
            return True
        self.give_back(request)
        return False

    def give_back(self, request: HttpRequest) -> None:
        """Uncount a use taken with ``take`` that did not happen (e.g. the form was invalid)."""
        self.browser.give_back(client_id(request))
        self.address.give_back(client_address(request))

    @property
    def window_text(self) -> str:
        return self.browser.window_text


def _increment(scope: str, key: str, window_start: datetime) -> int:
    """Add one to the window's counter, creating it at 1, and return the new count: one
    statement, so no two simultaneous requests read the same count."""
    quote = connection.ops.quote_name
    table = quote(RateLimitCounter._meta.db_table)
    columns = ", ".join(quote(name) for name in ("scope", "key", "window_start", "hits"))
    conflict = ", ".join(quote(name) for name in ("scope", "key", "window_start"))
    hits = quote("hits")
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, 1) "  # noqa: S608 - names only
        f"ON CONFLICT ({conflict}) DO UPDATE SET {hits} = {table}.{hits} + 1 RETURNING {hits}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, key, connection.ops.adapt_datetimefield_value(window_start)])
        return cursor.fetchone()[0]


def client_address(request: HttpRequest) -> str:
    """The client's address; IPv6 addresses grouped by their /64 network."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_id(request: HttpRequest) -> str:
    """The browser's random id from its cookie, or a new one (set by ``remember_client``)."""
    current = getattr(request, _REQUEST_ATTR, None)
    if current:
        return current
    value = request.COOKIES.get(CLIENT_COOKIE, "")
    if not _CLIENT_ID.fullmatch(value):
        value = secrets.token_hex(16)
    setattr(request, _REQUEST_ATTR, value)
    return value


def remember_client(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give the browser its id cookie if it has none (a security cookie: no tracking across
    sites, nothing but a random number)."""
    value = client_id(request)
    if request.COOKIES.get(CLIENT_COOKIE) != value:
        response.set_cookie(
            CLIENT_COOKIE,
            value,
            max_age=CLIENT_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=getattr(settings, "HTTPS", False),
        )
    return response
