"""RSS 2.0, Atom and JSON Feed 1.1 of the public articles, with canonical absolute links."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, JsonResponse
from django.utils.feedgenerator import Atom1Feed

from portal.news import public
from portal.news.models import Article
from portal.news.render import body_html

LATEST = 30


class RssFeed(Feed):
    link = "/news/"

    def title(self) -> str:
        return f"{settings.PORTAL_SITE_NAME} · 新闻动态"

    def description(self) -> str:
        return self.title()

    def items(self):
        return public.public_articles().prefetch_related("live__frozen_figures")[:LATEST]

    def item_title(self, item: Article) -> str:
        return item.live.title

    def item_description(self, item: Article) -> str:
        return item.live.summary or str(body_html(item.live))

    def item_link(self, item: Article) -> str:
        return f"/news/{item.pk}/"

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_author_name(self, item: Article) -> str:
        return item.live.byline or item.live.source

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        if settings.PORTAL_SITE_URL:
            base = settings.PORTAL_SITE_URL
            feed.feed["link"] = base + "/news/"
            for entry in feed.items:
                path = entry["link"].split("/news/", 1)[-1]
                entry["link"] = entry["unique_id"] = f"{base}/news/{path}"
        return feed


class AtomFeed(RssFeed):
    feed_type = Atom1Feed
    subtitle = RssFeed.description


def json_feed(request: HttpRequest) -> JsonResponse:
    base = settings.PORTAL_SITE_URL or request.build_absolute_uri("/").rstrip("/")
    items = [
        {
            "id": f"{base}/news/{a.pk}/",
            "url": f"{base}/news/{a.pk}/",
            "title": a.live.title,
            "summary": a.live.summary,
            "content_html": str(body_html(a.live)),
            "date_published": a.published_at.isoformat(),
            "authors": [{"name": a.live.byline or a.live.source}],
            "tags": [a.live.column.name],
        }
        for a in public.public_articles().prefetch_related("live__frozen_figures")[:LATEST]
    ]
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{settings.PORTAL_SITE_NAME} · 新闻动态",
        "home_page_url": f"{base}/news/",
        "feed_url": f"{base}/news/feed.json",
        "language": "zh-CN",
        "items": items,
    }
    return JsonResponse(
        data, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False}
    )
