"""Request middleware shared by the whole portal."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_LANGUAGES = {code for code, _name in settings.LANGUAGES}


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
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
