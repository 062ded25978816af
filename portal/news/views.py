"""The public news pages: list (all, by 栏目, by month), article, search."""

from __future__ import annotations

from functools import lru_cache

import segno
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from portal.news import public, related
from portal.news.models import Column
from portal.news.render import body_html
from portal.news.search import excerpt, highlight
from portal.pagecache import public_page

PER_PAGE = 15
# WeChat scans a module of 4 px at arm's length; medium error correction survives a smudge.
QR_SCALE = 4


def absolute(request: HttpRequest, path: str) -> str:
    """An absolute address as the feeds give it: PORTAL_SITE_URL when set, else this request's."""
    if path.startswith(("https://", "http://")):
        return path  # media on another host (MEDIA_URL absolute)
    base = settings.PORTAL_SITE_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _list(request: HttpRequest, articles, **context) -> HttpResponse:
    page = Paginator(articles, PER_PAGE).get_page(request.GET.get("page"))
    context |= {
        "page_obj": page,
        "articles": page.object_list,
        "columns": public.nav_columns(),
        "months": public.archive_months(),
    }
    return render(request, "news/article_list.html", context)


@public_page(topics=("news",))
def article_list(request: HttpRequest) -> HttpResponse:
    return _list(request, public.public_articles())


@public_page(topics=("news",))
def column_list(request: HttpRequest, slug: str) -> HttpResponse:
    column = get_object_or_404(public.nav_columns(), slug=slug)
    return _list(request, public.public_articles().filter(live__column=column), column=column)


@public_page(topics=("news",))
def month_list(request: HttpRequest, year: int, month: int) -> HttpResponse:
    if not 1 <= month <= 12:
        raise Http404
    articles = public.public_articles().filter(published_at__year=year, published_at__month=month)
    if not articles.exists():
        raise Http404(gettext("这个月没有公开的新闻"))  # an empty month is not a page
    return _list(request, articles, year=year, month=month)


def share_qr(url: str) -> segno.QRCode:
    """The QR code of the share block: the page's canonical address, nothing else."""
    return segno.make(url, error="m")


@lru_cache(maxsize=4096)
def share_qr_svg(url: str, title: str) -> str:
    """The share block's SVG: the same for every visit of a page, and a third of the page's
    work to encode, so kept per process (one entry per article and language, a few KB each)."""
    return share_qr(url).svg_inline(scale=QR_SCALE, title=title)


# The related blocks list activities and results, which change on their own: those topics too.
@public_page(topics=("news", "outreach", "results"))
def article_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    article = get_object_or_404(public.public_articles(), pk=pk)
    revision = article.live
    path = article_path(article)
    url = absolute(request, path)
    qr = share_qr_svg(url, gettext("本页二维码"))
    previous, following = public.neighbours(article)
    cover = revision.cover
    return render(
        request,
        "news/article_detail.html",
        {
            "article": article,
            "revision": revision,
            "body": body_html(revision),
            "cover": cover,
            "cover_image_url": absolute(request, cover.display.url) if cover else "",
            "related_activities": related.activity_links(revision.related_activities),
            "related_results": related.result_links(revision.related_results),
            "previous": previous,
            "following": following,
            "canonical_url": url,
            "share_qr": mark_safe(qr),  # noqa: S308 - segno's own SVG of our own URL
        },
    )


def article_path(article) -> str:
    return f"/news/{article.pk}/"


@public_page(topics=("news",))
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    too_long = len(q) > public.MAX_QUERY
    q = q[: public.MAX_QUERY]
    page = Paginator(public.search(q), PER_PAGE).get_page(request.GET.get("page"))
    hits = [
        {
            "article": article,
            "title": highlight(article.live.title, q),
            "excerpt": excerpt(article.live, q),
        }
        for article in page.object_list
    ]
    return render(
        request,
        "news/search.html",
        {
            "q": q,
            "too_long": too_long,
            "unsearchable": bool(q) and not public.searchable(q),
            "page_obj": page,
            "hits": hits,
            "page_query": urlencode({"q": q}),
        },
    )


__all__ = ["Column"]
