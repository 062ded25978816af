"""The public news pages: list (all, by 栏目, by month), article, search."""

from __future__ import annotations

import segno
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from portal.news import public
from portal.news.models import Column
from portal.news.render import body_html
from portal.pagecache import public_page

PER_PAGE = 15


def absolute(request: HttpRequest, path: str) -> str:
    base = settings.PORTAL_SITE_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _list(request: HttpRequest, articles, **context) -> HttpResponse:
    page = Paginator(articles, PER_PAGE).get_page(request.GET.get("page"))
    context |= {"page_obj": page, "articles": page.object_list, "columns": public.nav_columns()}
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
    return _list(request, articles, year=year, month=month)


@public_page(topics=("news",))
def article_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    article = get_object_or_404(public.public_articles(), pk=pk)
    url = absolute(request, article_path(article))
    qr = segno.make(url, error="m").svg_inline(scale=4, title="")
    previous, following = public.neighbours(article)
    return render(
        request,
        "news/article_detail.html",
        {
            "article": article,
            "revision": article.live,
            "body": body_html(article.live),
            "previous": previous,
            "following": following,
            "canonical_url": url,
            "share_qr": mark_safe(qr),  # noqa: S308 - generated SVG
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
    return render(
        request,
        "news/search.html",
        {"q": q, "too_long": too_long, "page_obj": page, "articles": page.object_list},
    )


__all__ = ["Column"]
