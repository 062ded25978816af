"""What residents read of the news: public articles in publication order, by 栏目 and month,
and a substring search (``portal.news.search``: an index of character pairs on PostgreSQL,
plain containment on SQLite; title hits rank first, then the most hits, then the newest)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Length, Replace, TruncMonth

from portal.news import search as search_index
from portal.news.models import Article, Column, Revision

MAX_QUERY = 40


def public_articles() -> QuerySet[Article]:
    return (
        Article.objects.public()
        .select_related("live", "live__column", "live__cover")
        .order_by("-published_at", "-pk")
    )


def latest(*, column: str = "", exclude_column: str = "", limit: int = 6) -> list[Article]:
    """The newest public articles, of one 栏目 (its slug) or of all but one (one query)."""
    articles = public_articles()
    if column:
        articles = articles.filter(live__column__slug=column)
    if exclude_column:
        articles = articles.exclude(live__column__slug=exclude_column)
    return list(articles[:limit])


def archive_months(limit: int = 12) -> list[dict]:
    """The latest months with public articles (Shanghai time), newest first, each with its
    ``year``, ``month`` and ``count``: the 按月份 links of the news pages. One query."""
    rows = (
        Article.objects.public()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")[:limit]
    )
    return [{"year": r["month"].year, "month": r["month"].month, "count": r["count"]} for r in rows]


def nav_columns() -> QuerySet[Column]:
    """The 栏目 with at least one public article (an empty one is not shown), each with the
    time something was last published in it (``last_published``). One query."""
    latest = (
        Article.objects.public()
        .filter(live__column=OuterRef("pk"))
        .order_by("-published_at")
        .values("published_at")[:1]
    )
    return (
        Column.objects.annotate(last_published=Subquery(latest))
        .filter(last_published__isnull=False)
        .order_by("sort_order", "pk")
    )


def search(q: str) -> QuerySet[Article]:
    """Public articles containing ``q`` (case aside) in the live title, summary or body — each
    of its words when spaces separate them: on PostgreSQL found through the character-pair
    index, then checked by containment. A title holding them first, then the articles where they
    take up most of the body, then the newest.
    None for a query with no letter or digit in it (``searchable``)."""
    q = q.strip()[:MAX_QUERY]
    if not searchable(q):
        return Article.objects.none()
    articles = public_articles()
    if search_index.indexed():
        # Step by step, each step a list: the index's candidates, then which of their live
        # revisions contain the phrase, then those articles ranked. In one query the planner
        # cannot see what reading each long body costs and tests every revision in the table
        # (0.7 s at 10,000 articles; bench/search.py).
        candidates = list(search_index.matching(articles, q).values_list("live_id", flat=True))
        if not search_index.exact(q):
            hits = Revision.objects.filter(pk__in=candidates).filter(_contained(q))
            candidates = list(hits.values_list("pk", flat=True))
        articles = articles.filter(live__in=candidates)
    else:
        articles = articles.filter(live__in=Revision.objects.filter(_contained(q)).values("pk"))
    words = search_index.terms(q)
    in_title = Q()
    for word in words:
        in_title &= Q(**{f"live__title__{_lookup(word)}": word})
    occupied = _occupied(F("live__body"), words[0])
    for word in words[1:]:
        occupied = occupied + _occupied(F("live__body"), word)
    return articles.annotate(
        title_hit=Case(
            When(in_title, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        body_hits=occupied,
    ).order_by("title_hit", "-body_hits", "-published_at", "-pk")


def _lookup(q: str) -> str:
    # Folding case costs PostgreSQL more than reading the text (upper() of every body); Chinese
    # has no case, so a query without cased letters is matched as it is.
    return "icontains" if q.lower() != q.upper() else "contains"


def _contained(q: str) -> Q:
    """Every word of ``q`` in the title, the summary or the body (as stored)."""
    every = Q()
    for word in search_index.terms(q):
        contained = Q()
        for variant in _stored_forms(word):
            lookup = _lookup(variant)
            for field in ("title", "summary", "body"):
                contained |= Q(**{f"{field}__{lookup}": variant})
        every &= contained
    return every


class _OctetLength(Func):
    function = "OCTET_LENGTH"
    output_field = IntegerField()


def _occupied(body: F, q: str) -> Func:
    """How much of the body the phrase takes up (its count times its length): in bytes on
    PostgreSQL, where counting characters means decoding every body once more."""
    size = _OctetLength if search_index.indexed() else Length
    return size(body) - size(Replace(body, Value(q), Value("")))


def searchable(q: str) -> bool:
    """Whether ``q`` has a letter or digit to search for (punctuation alone finds nothing)."""
    return bool(search_index.query_lexemes(q.strip()[:MAX_QUERY]))


def _stored_forms(q: str) -> list[str]:
    # Bodies are stored as sanitised HTML, where & < > are entities.
    stored = q.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return [q] if stored == q else [q, stored]


@dataclass(frozen=True)
class Neighbour:
    """An article 上一篇 / 下一篇 links to: its address's key and its title."""

    pk: int
    title: str


def neighbours(article: Article) -> tuple[Neighbour | None, Neighbour | None]:
    """上一篇 (published before) and 下一篇 (published after), among public articles."""
    base = Article.objects.public()
    at, pk = article.published_at, article.pk
    before = base.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
    after = base.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk))
    previous = before.order_by("-published_at", "-pk").values_list("pk", "live__title").first()
    following = after.order_by("published_at", "pk").values_list("pk", "live__title").first()
    return (
        Neighbour(*previous) if previous else None,
        Neighbour(*following) if following else None,
    )
