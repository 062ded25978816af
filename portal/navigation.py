"""The public site's main navigation.

Each entry names a URL; an entry whose page does not exist in this installation is left out
rather than linking to a dead page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    highlight: bool = False


NAV = (
    NavItem(_("首页"), "portal:home"),
    NavItem(_("近期安排"), "outreach:upcoming"),
    NavItem(_("政策宣讲"), "outreach:policytalk-list"),
    NavItem(_("调查研究"), "outreach:fieldvisit-list"),
    NavItem(_("信访接待"), "petitions:reception-list"),
    NavItem(_("现场办公"), "outreach:onsitesession-list"),
    NavItem(_("议事协商"), "outreach:deliberation-list"),
    NavItem(_("新闻动态"), "portal:article-list"),
    NavItem(_("办理公开"), "petitions:request-results"),
    NavItem(_("我要反映"), "petitions:request-new", highlight=True),
    NavItem(_("进度查询"), "petitions:request-track", highlight=True),
)


@cache
def _resolved() -> tuple[tuple[NavItem, str], ...]:
    items = []
    for item in NAV:
        try:
            items.append((item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    return tuple(items)


def nav_links() -> list[dict]:
    return [
        {"label": item.label, "url": url, "highlight": item.highlight, "name": item.url_name}
        for item, url in _resolved()
    ]
