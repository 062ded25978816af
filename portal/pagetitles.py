"""Which public page of this site a path names, and its title: for forms that refer to a page
(网站纠错 records the page a report is about).

The apps cannot read the site layer's records (news articles live in ``portal.news``), so the
pages that have titles register a finder here, by URL name, when their app is ready; a form asks
``page_at(path)`` and learns whether the path is a page of this site and what it is called.
Plain functions over Django's URL resolver: this module imports no model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

# Called with the URL's keyword arguments: the page's title, or None when the URL names no page
# the public can open (an article not published, an id that does not exist).
TitleFinder = Callable[..., str | None]

_FINDERS: dict[str, TitleFinder] = {}

# Addresses that are not public pages: the back office (and staff files served outside it).
NOT_PAGES = ("admin",)
NOT_PAGE_PREFIXES = ("/admin/", "/staff/")
PATH_MAX = 200


@dataclass(frozen=True)
class Page:
    path: str  # as the site writes it: "/news/12/"
    title: str  # "" when the page has no title to look up


def register(view_name: str, finder: TitleFinder) -> None:
    """Pages under ``view_name`` ("portal:article-detail") are titled by ``finder``."""
    _FINDERS[view_name] = finder


def page_at(path: str) -> Page | None:
    """The public page at ``path`` (a path of this site, without scheme or host), or None."""
    if not path.startswith("/") or path.startswith("//") or len(path) > PATH_MAX:
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or parts.path.startswith(NOT_PAGE_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.namespace in NOT_PAGES or any(ns in NOT_PAGES for ns in match.namespaces):
        return None
    finder = _FINDERS.get(match.view_name)
    if finder is None:
        return Page(path=parts.path, title="")
    kwargs: dict[str, Any] = dict(match.kwargs)
    title = finder(**kwargs)
    return None if title is None else Page(path=parts.path, title=title)
