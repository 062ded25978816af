"""URLs for bench/cpu.py's gunicorn: the product's, and the one-query baseline page."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from portal.news.models import Column

HEADER = "HTTP_X_BENCH_PAGE_CACHE"

_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{{ column.name }}'
    "</title></head><body><h1>{{ column.name }}</h1><p>{{ column.slug }}</p></body></html>"
)


def baseline(request: HttpRequest) -> HttpResponse:
    """A minimal Django page: one query (a row by key), a tiny template."""
    column = Column.objects.filter(pk=int(request.GET.get("pk", "1"))).first()
    return HttpResponse(_TEMPLATE.render({"column": column}))


class PageCacheSwitch:
    """``X-Bench-Page-Cache: off`` serves this request as with ``PORTAL_PAGE_CACHE = False``: a
    page-cache miss, as after a change, rebuilt from whatever shared blocks are still valid;
    ``cold`` also with ``PORTAL_FRAGMENT_CACHE = False``: every block rebuilt too (one sync
    worker answers one request at a time, so flipping the settings is safe here)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        mode = request.META.get(HEADER)
        if mode not in ("off", "cold"):
            return self.get_response(request)
        settings.PORTAL_PAGE_CACHE = False
        settings.PORTAL_FRAGMENT_CACHE = mode != "cold"
        try:
            return self.get_response(request)
        finally:
            settings.PORTAL_PAGE_CACHE = True
            settings.PORTAL_FRAGMENT_CACHE = True


urlpatterns = [
    path("__bench__/baseline/", baseline),
    path("", include("portal.urls")),
]
