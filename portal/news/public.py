"""What residents read of the news: public articles in publication order, by 栏目 and month,
and a substring search (plain containment; the title matches rank first, then the newest)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from portal.news.models import Article, Column

MAX_QUERY = 40


def public_articles() -> QuerySet[Article]:
    return (
        Article.objects.public()
        .select_related("live", "live__column", "live__cover")
        .order_by("-published_at", "-pk")
    )


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
    q = q.strip()[:MAX_QUERY]
    if not q:
        return Article.objects.none()
    return (
        public_articles()
        .filter(Q(live__title__contains=q) | Q(live__body__contains=q))
        .annotate(
            title_hit=Case(
                When(live__title__contains=q, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("title_hit", "-published_at", "-pk")
    )


def neighbours(article: Article) -> tuple[Article | None, Article | None]:
    """上一篇 (published before) and 下一篇 (published after), among public articles."""
    base = public_articles()
    at, pk = article.published_at, article.pk
    previous = base.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk)).first()
    following = (
        base.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk))
        .order_by("published_at", "pk")
        .first()
    )
    return previous, following
