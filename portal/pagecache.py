"""Page cache for anonymous public GET pages, invalidated by per-topic generation counters.

Apply it to a public view (the merger: news list, column, article, search, feeds)::

    from portal.pagecache import public_page

    @public_page(topics=("news",))
    def article(request, slug): ...

A page is stored in the default cache (Redis when ``CACHE_URL`` points to it) under a key made of
the path, the query string, the language, the large-type preference and the current generation
of each of its topics. It is served from the cache only to a GET/HEAD without a session or
messages cookie (so never to a logged-in user, never with a pending message), and stored only
when the response is a plain 200 that sets no cookie and used no CSRF token (forms are never
cached) and is not marked private/no-store.

Invalidation: the services call ``bump(topic)`` when what a page shows changes; the bump runs on
commit and adds one to that topic's counter in the database (``PageGeneration``), so it survives a
cache flush and holds across processes. Every key of that topic changes; old entries expire.
Topics: ``outreach`` (activities and receptions), ``results`` (public case results), ``news``.
News: publishing (now or by the scheduled job) and withdrawing bump ``news`` (portal.news.services).

``PORTAL_PAGE_CACHE = False`` (env ``PORTAL_PAGE_CACHE=false``) turns it off (the benchmark's
uncached run).

Shared blocks: a part of a page that several pages show, or that stays valid when the page's
other topics change (the home page's counters when only the news changed), is kept on its own by
``shared_block`` (the template tag ``{% shared_block "name" "topic" … %}`` in ``portal_tags``)
under its name, its topics' generations, the language and the day, for ``TIMEOUT`` like a page.
So a page that has to be rebuilt rebuilds only what changed. ``PORTAL_FRAGMENT_CACHE = False``
turns the blocks off (the tests; the benchmark's cold run).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from portal import clock
from portal.context_processors import TEXT_SIZE_COOKIE
from portal.models import PageGeneration

TOPICS = ("outreach", "results", "news")
TIMEOUT = 600
PREFIX = "pagecache:"
GENERATIONS_KEY = PREFIX + "generations"
# Bounds how long two bumps racing each other could leave the shared copy behind the database.
GENERATIONS_TIMEOUT = 60
# How long a process reuses the counters it read (a cached page costs one round trip, not two).
LOCAL_SECONDS = 1.0
_local: tuple[float, dict[str, int]] | None = None
# Which topics each cached path's view named (learnt when the view runs; per process).
_KNOWN_PATHS: dict[str, tuple[str, ...]] = {}
_KNOWN_PATHS_MAX = 20_000
_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def enabled() -> bool:
    return bool(getattr(settings, "PORTAL_PAGE_CACHE", True))


def blocks_enabled() -> bool:
    return bool(getattr(settings, "PORTAL_FRAGMENT_CACHE", True))


class Bump:
    """The on-commit hook of one topic's bump (``ran`` once it has run)."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        _bump_now(self.topic)


def bump(topic: str) -> None:
    """Mark every cached page of ``topic`` stale once the current transaction commits.

    One bump per topic per transaction: a hook already waiting for the commit covers the later
    changes too (a year of demo cases, or an admin action on a hundred rows, is one UPDATE, not
    thousands). A hook dropped with a rolled-back savepoint no longer counts, so the next bump
    registers a new one.
    """
    connection = transaction.get_connection()
    for _savepoints, hook, _robust in connection.run_on_commit:
        if isinstance(hook, Bump) and hook.topic == topic and not hook.ran:
            return
    transaction.on_commit(Bump(topic))


def _bump_now(topic: str) -> None:
    if not PageGeneration.objects.filter(topic=topic).update(value=F("value") + 1):
        try:
            with transaction.atomic():
                PageGeneration.objects.create(topic=topic, value=1)
        except IntegrityError:  # created meanwhile by another process
            PageGeneration.objects.filter(topic=topic).update(value=F("value") + 1)
    # The shared copy the middleware reads (readers only ever ``add`` it, so a reader that
    # saw the old counters cannot overwrite this).
    cache.set(GENERATIONS_KEY, generations(TOPICS), GENERATIONS_TIMEOUT)
    forget_local_generations()


def forget_local_generations() -> None:
    """Read the counters afresh next time (after a bump here; tests after a cache flush)."""
    global _local
    _local = None


def generations(topics: Iterable[str]) -> dict[str, int]:
    """The current counters of ``topics`` (one query)."""
    wanted = list(topics)
    found = dict(PageGeneration.objects.filter(topic__in=wanted).values_list("topic", "value"))
    return {t: found.get(t, 0) for t in wanted}


def current_generations() -> dict[str, int]:
    """Every topic's counter: as this process read it less than ``LOCAL_SECONDS`` ago, else
    from the shared cache (one round trip), else the database. A bump elsewhere reaches this
    process within that second; a bump here at once."""
    global _local
    now = time.monotonic()
    if _local is not None and now < _local[0]:
        return _local[1]
    gens = cache.get(GENERATIONS_KEY)
    if gens is None:
        gens = generations(TOPICS)
        cache.add(GENERATIONS_KEY, gens, GENERATIONS_TIMEOUT)
    _local = (now + LOCAL_SECONDS, gens)
    return gens


def request_generations(request: HttpRequest | None) -> dict[str, int]:
    """The counters as this request first read them (one read per request, kept on it)."""
    gens = getattr(request, "page_generations", None)
    if gens is None:
        gens = current_generations()
        if request is not None:
            request.page_generations = gens  # type: ignore[attr-defined]
    return gens


def shared_block(
    name: str, topics: Iterable[str], render: Callable[[], str], request: HttpRequest | None
) -> str:
    """The HTML ``render()`` makes for the block ``name``, from the cache while none of
    ``topics`` changed (same language, same day); rendered and stored otherwise."""
    if not blocks_enabled():
        return render()
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown page-cache topics: {sorted(unknown)}")
    gens = request_generations(request)
    parts = [
        name,
        translation.get_language() or settings.LANGUAGE_CODE,
        clock.today().isoformat(),
        ",".join(f"{t}={gens.get(t, 0)}" for t in sorted(topics)),
    ]
    key = PREFIX + "block:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT)
    return html


def _may_serve(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or not enabled():
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _language(request: HttpRequest) -> str:
    # As portal.middleware.PreferredLanguageMiddleware decides it (that runs after this).
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return language if language in _LANGUAGES else settings.LANGUAGE_CODE


def _key(request: HttpRequest, gens: dict[str, int]) -> str:
    parts = [
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
        _language(request),
        "large" if request.COOKIES.get(TEXT_SIZE_COOKIE) == "large" else "normal",
        clock.today().isoformat(),  # pages count "this year" and list "what comes next"
        ",".join(f"{t}={v}" for t, v in sorted(gens.items())),
    ]
    return PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _may_store(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    control = response.get("Cache-Control", "")
    if "private" in control or "no-store" in control:
        return False
    # Without a session cookie the visitor is anonymous; a view that wrote to the session is
    # about to set one.
    session = getattr(request, "session", None)
    return session is None or not session.modified


def public_page(*, topics: tuple[str, ...] = (), timeout: int = TIMEOUT) -> Callable:
    """Cache this view's page for anonymous visitors; ``topics`` say what invalidates it.

    The view only says so (``request.page_cache``); ``PageCacheMiddleware`` stores the page as
    it leaves the middleware (with every header the stack added) and serves it on the next
    visit before sessions, CSRF, authentication or the view run.
    """
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown page-cache topics: {sorted(unknown)}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _may_serve(request):
                return view(request, *args, **kwargs)
            request.page_cache = (tuple(topics), timeout)  # type: ignore[attr-defined]
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            return response

        return wrapped

    return decorator


class PageCacheMiddleware:
    """Serves and stores the pages ``public_page`` marks; in ``MIDDLEWARE`` right after
    WhiteNoise, before the session middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_serve(request) or request.path.startswith("/admin/"):
            return self.get_response(request)
        # Read before the view runs: a page built while a bump lands is stored under the old
        # counters, so it is never served after the bump.
        gens = request_generations(request)
        known = _KNOWN_PATHS.get(request.path)
        if known is not None:
            stored = cache.get(_key(request, {t: gens.get(t, 0) for t in known}))
            if stored is not None:
                content, headers = stored
                response = HttpResponse(content)
                for name, value in headers:
                    response[name] = value
                response["X-Page-Cache"] = "hit"
                return response
        response = self.get_response(request)
        marked = getattr(request, "page_cache", None)
        if marked is not None and _may_store(request, response):
            topics, timeout = marked
            if len(_KNOWN_PATHS) >= _KNOWN_PATHS_MAX:
                _KNOWN_PATHS.clear()
            _KNOWN_PATHS[request.path] = topics
            headers = [(k, v) for k, v in response.items() if k.lower() != "x-page-cache"]
            key = _key(request, {t: gens.get(t, 0) for t in topics})
            cache.set(key, (response.content, headers), timeout)
        return response
