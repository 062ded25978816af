"""Request middleware shared by the whole portal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

_LANGUAGES = {code for code, _name in settings.LANGUAGES}

_serving: ContextVar[bool] = ContextVar("portal_serving_request", default=False)


def serving_request() -> bool:
    """Whether the current thread (or asyncio task) is answering a web request.

    Seams for trusted callers (``petitions.services.trusted_caller``) refuse to open while it
    is, so no view can act on a trusted caller's terms.
    """
    return _serving.get()


class ServingRequestMiddleware:
    """Marks the request's duration for ``serving_request``; first in ``MIDDLEWARE``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _serving.set(True)
        try:
            return self.get_response(request)
        finally:
            _serving.reset(token)


class PreferredLanguageMiddleware:
    """Simplified Chinese unless the visitor chose another language with the switcher.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the portal is a
    Chinese public service whose pages should not change language because of a browser setting.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in _LANGUAGES:
            language = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Only for this request: the language is per thread, and a visitor's choice must not
        # stay behind for whatever the thread does next (another request, a command, a test).
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class OverflowAsBadRequestMiddleware:
    """A number past 64 bits in a request (a hand-made ``?community=99999999999999999999`` or a
    forged choice in a form) is refused with the 400 page instead of a 500.

    PostgreSQL simply finds no row for such a key, but SQLite's driver cannot bind it and raises
    OverflowError from wherever the query runs — a form field, a filter, a lookup — so the one
    dependable place to catch it is here. Nothing has been written when it is raised: queries
    that read keys run before any write, and services run in transactions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OverflowError):
            return None
        logger.warning(
            "Refused a number too large for the database: %s %s", request.method, request.path
        )
        return get_resolver().resolve_error_handler(400)(request, exception)


class MethodNotAllowedPageMiddleware:
    """Django's 405 (a form address opened directly, a HEAD where only POST is taken) has an
    empty body, which a browser shows as a blank page; this gives it the Chinese error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/admin/"):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
