"""Time the news search on PostgreSQL at 10,000 published Chinese articles.

    createdb -h 127.0.0.1 -U postgres portal_search_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_search_bench \\
        .venv/bin/python bench/search.py --articles 10000 --repeat 30

Writes N published articles with generated Chinese bodies (1,000–3,000 characters of words drawn
from a generated vocabulary, common words far more often than rare ones) in bulk, fills their
search vectors as publishing does, then for a 4- and a 2-character query taken from the middle of
one body prints EXPLAIN (ANALYZE, BUFFERS) of ``portal.news.public.search`` (its first page and
its count) and the median milliseconds of running them. Use a throw-away database.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

from portal.config import read_env_file

read_env_file()
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from portal import clock  # noqa: E402
from portal.news import public, search  # noqa: E402
from portal.news.models import Article, ArticleStatus, Column, Revision  # noqa: E402

CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两"
    "体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线"
    "内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并"
    "提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见"
    "计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七"
    "海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场"
    "身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广"
    "石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办"
)
PUNCTUATION = "，，，。、；："


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(CHARS) for _ in range(rng.choice((2, 2, 2, 3, 4)))))
    return sorted(words)


def body(rng: random.Random, words: list[str], weights: list[float]) -> str:
    target = rng.randint(1000, 3000)
    paragraphs, length = [], 0
    while length < target:
        sentence = "".join(rng.choices(words, cum_weights=weights, k=rng.randint(4, 12)))
        paragraphs.append(sentence + rng.choice(PUNCTUATION))
        length += len(paragraphs[-1])
    return "".join(f"<p>{''.join(paragraphs[i : i + 6])}</p>" for i in range(0, len(paragraphs), 6))


@transaction.atomic
def write(n: int, seed: int) -> None:
    rng = random.Random(seed)
    words = vocabulary(rng, 20000)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like
    rng.shuffle(weights)
    weights = list(itertools.accumulate(weights))  # cumulative once, not on every draw
    user = get_user_model().objects.get_or_create(username="bench-search")[0]
    column = Column.objects.order_by("pk").first()
    now = clock.now()
    articles = Article.objects.bulk_create(
        Article(created_by=user, status=ArticleStatus.DRAFT) for _ in range(n)
    )
    revisions = Revision.objects.bulk_create(
        Revision(
            article=a,
            number=1,
            title="".join(rng.choices(words, cum_weights=weights, k=rng.randint(3, 6))),
            column=column,
            source="凤凰岭街道办事处",
            body=body(rng, words, weights),
            created_by=user,
        )
        for a in articles
    )
    for i, (article, revision) in enumerate(zip(articles, revisions, strict=True)):
        article.current = article.live = revision
        article.status = ArticleStatus.PUBLISHED
        article.published_at = now - timedelta(minutes=i)
    fields = ["current", "live", "status", "published_at"]
    Article.objects.bulk_update(articles, fields, batch_size=1000)
    # The vectors as publishing stores them (``search.lexemes``), loaded in one COPY and set in
    # one UPDATE: row-by-row updates take minutes on a busy machine.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_vectors (id bigint, lexemes text[]) ON COMMIT DROP")
        with cursor.cursor.copy("COPY bench_vectors (id, lexemes) FROM STDIN") as copy:
            for revision in revisions:
                copy.write_row(
                    (revision.article_id, search.lexemes(search.revision_text(revision)))
                )
        cursor.execute(
            "UPDATE news_article a SET search_vector = array_to_tsvector(v.lexemes)"
            " FROM bench_vectors v WHERE a.id = v.id"
        )


def sql_of(queryset) -> tuple[str, tuple]:
    return queryset.query.sql_with_params()


def explain(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def timed(run, repeat: int) -> tuple[float, float]:
    """Median and maximum milliseconds of ``run()``."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), max(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/search.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    if not args.no_seed:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        write(args.articles, args.seed)
        # VACUUM as autovacuum would after a bulk write: it also moves the GIN index's pending
        # list (fastupdate) into the index; before that every search scans the list (~700 ms).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE news_article")
            cursor.execute("VACUUM ANALYZE news_revision")
        print(f"wrote {args.articles} articles in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('article_search_gin')")
        print(f"GIN index: {cursor.fetchone()[0] / 1024 / 1024:.1f} MB")
    middle = public.public_articles().order_by("pk")[public.public_articles().count() // 2]
    text = search.plain_text(middle.live.body)
    centre = len(text) // 2
    for size in (4, 2):
        q = text[centre : centre + size]
        candidates = search.matching(public.public_articles(), q).values("pk")
        results = public.search(q)
        found = results.count()
        print(f"\n=== {size}-character query {q!r}: {found} articles ===")
        print("--- the index's candidates:")
        print(explain(*sql_of(candidates)))
        print("--- the first page among them:")
        print(explain(*sql_of(results[:15])))
        # The whole call, both queries and the ORM included, as the search page makes it.
        page = timed(lambda q=q: list(public.search(q)[:15]), args.repeat)
        count = timed(lambda q=q: public.search(q).count(), args.repeat)
        print(f"first page: median {page[0]:.1f} ms, max {page[1]:.1f} ms")
        print(f"count: median {count[0]:.1f} ms, max {count[1]:.1f} ms")


if __name__ == "__main__":
    main()
