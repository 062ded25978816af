"""Public news URLs (in the portal namespace: the navigation names portal:article-list)."""

from django.urls import path

from portal import pagetitles
from portal.news import feeds, public, views
from portal.pagecache import public_page

news_page = public_page(topics=("news",))

urlpatterns = [
    path("news/", views.article_list, name="article-list"),
    path("news/feed/", news_page(feeds.RssFeed()), name="news-rss"),
    path("news/feed/atom/", news_page(feeds.AtomFeed()), name="news-atom"),
    path("news/feed.json", news_page(feeds.json_feed), name="news-json"),
    path("news/<int:year>/<int:month>/", views.month_list, name="article-month"),
    path("news/<int:pk>/", views.article_detail, name="article-detail"),
    path("news/<int:pk>/<slug:slug>/", views.article_detail, name="article-detail-slug"),
    path("news/<slug:slug>/", views.column_list, name="article-column"),
    path("search/", views.search, name="search"),
]


def _article_title(pk: int, slug: str = "") -> str | None:
    """The public article's title (what a 纠错 report is about), None if it is not public."""
    return public.public_articles().filter(pk=pk).values_list("live__title", flat=True).first()


# Registered with the URLs: resolving any path loads them first (portal.pagetitles).
pagetitles.register("portal:article-detail", _article_title)
pagetitles.register("portal:article-detail-slug", _article_title)
