"""/sitemap.xml: every public page a search engine or the district portal should find — the
home page, the news list, each public 栏目 and article, the practices' lists and public
activities, and the public results. Built from the same read functions as the pages, so a
scheduled, withdrawn or unpublished item is never listed. Served through the page cache."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from outreach.models import PRACTICE_MODELS
from petitions.models import Reception
from portal.news.models import Article, Column
from portal.news.public import nav_columns, public_articles

ACTIVITY_MODELS = (*PRACTICE_MODELS, Reception)


class SiteSitemap(Sitemap):
    """Absolute links on PORTAL_SITE_URL when it is set (as the feeds), else the request's host."""

    def get_protocol(self, protocol: str | None = None) -> str:
        if settings.PORTAL_SITE_URL:
            return urlsplit(settings.PORTAL_SITE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site: Any = None) -> str:
        if settings.PORTAL_SITE_URL:
            return urlsplit(settings.PORTAL_SITE_URL).netloc
        return super().get_domain(site)


class PagesSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        lists = [f"outreach:{model._meta.model_name}-list" for model in PRACTICE_MODELS]
        return [
            "portal:home",
            "portal:article-list",
            *lists,
            "petitions:reception-list",
            "outreach:upcoming",
            "petitions:request-results",
            "petitions:request-new",
            "petitions:request-track",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class ColumnSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self) -> Any:
        return nav_columns()

    def location(self, item: Column) -> str:
        return reverse("portal:article-column", args=[item.slug])

    def lastmod(self, item: Any) -> Any:
        return item.last_published


class ArticleSitemap(SiteSitemap):
    def items(self) -> Any:
        return public_articles().select_related(None).only("pk", "published_at")

    def location(self, item: Article) -> str:
        return reverse("portal:article-detail", args=[item.pk])

    def lastmod(self, item: Article) -> Any:
        return item.published_at


class ActivitySitemap(SiteSitemap):
    def __init__(self, model: Any) -> None:
        self.model = model

    def items(self) -> Any:
        return self.model.objects.public().only("pk").order_by("-starts_at", "-pk")


SITEMAPS: dict[str, Sitemap] = {
    "pages": PagesSitemap(),
    "columns": ColumnSitemap(),
    "news": ArticleSitemap(),
    **{model._meta.model_name: ActivitySitemap(model) for model in ACTIVITY_MODELS},
}
