"""Chinese search without a word list: every character and every pair of adjacent characters.

Chinese has no spaces, and PostgreSQL's text-search parser (under this cluster's C.UTF-8 locale)
keeps a whole run of Chinese as one "word", so ``to_tsvector`` cannot find 物业 inside
本周起小区物业服务中心. Instead the live revision's text (title, summary, body without tags) is
cut here, in Python, into its single characters and adjacent pairs (bigrams) of each run of
letters and digits, and stored as a ready-made ``tsvector`` (``array_to_tsvector``: no parser,
no dictionary) in ``Article.search_vector``, with a GIN index on it (PostgreSQL only).

A query is cut the same way into its pairs (a one-character query into that character), joined
with ``&`` into a ``tsquery`` cast from quoted lexemes. The index finds the articles holding all
the pairs; the exact containment test that follows drops those holding them apart. A query of
one or two characters is a single lexeme, which the index answers exactly (``exact``): no
containment test, so the commonest Chinese words read no bodies to be found. SQLite has
no index and uses containment alone. The ranking is the same on both: a title hit first, then
how often the phrase occurs in the body, then the newest.
"""

from __future__ import annotations

import html
import re
import unicodedata

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQueryField, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, F, Func, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from portal.news.models import Article, ArticleStatus, Revision

# A run of letters or digits in any script (Chinese included); punctuation and spaces split runs.
_RUN = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|td|th|tr|blockquote|div)\s*>|<br\s*/?>", re.IGNORECASE)
EXCERPT_BEFORE = 30
EXCERPT_LENGTH = 120


def normalise(text: str) -> str:
    """Full-width letters and digits as ASCII, lower case: the form lexemes are kept in."""
    return unicodedata.normalize("NFKC", text).lower()


def plain_text(body_html: str) -> str:
    """A body's text as a reader sees it: tags stripped (a paragraph, list item, heading, cell
    or line break ends a run: its last and the next one's first character are no pair),
    entities unescaped, spaces collapsed."""
    text = _BLOCK_END.sub(" ", body_html or "")
    return _SPACE.sub(" ", html.unescape(strip_tags(text))).strip()


def revision_text(revision: Revision) -> str:
    return " ".join((revision.title, revision.summary, plain_text(revision.body)))


def lexemes(text: str) -> list[str]:
    """Every character and every adjacent pair of each run of letters and digits, sorted."""
    found: set[str] = set()
    for run in _RUN.findall(normalise(text)):
        found.update(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return sorted(found)


def query_lexemes(q: str) -> list[str]:
    """The lexemes an article must hold to contain ``q``: the pairs of each run of the query,
    or the character itself for a one-character run. Empty: nothing searchable in ``q``."""
    found: list[str] = []
    for run in _RUN.findall(normalise(q)):
        pairs = [run[i : i + 2] for i in range(len(run) - 1)] or [run]
        found.extend(p for p in pairs if p not in found)
    return found


def terms(q: str) -> list[str]:
    """The words of a query: what spaces separate (全角 spaces too), each once, in order. An
    article must contain every one (社区 物业: both, anywhere)."""
    found: list[str] = []
    for word in q.split():
        if word not in found:
            found.append(word)
    return found


def exact(q: str) -> bool:
    """Whether the index alone answers ``q``: every word one run of one or two letters or
    digits, which is itself a lexeme, so an article holds it exactly when its text contains it
    (as a reader sees the text: without tags, full-width forms and case folded)."""
    return bool(terms(q)) and all(_exact_word(word) for word in terms(q))


def _exact_word(word: str) -> bool:
    found = _RUN.findall(normalise(word))
    return len(found) == 1 and len(found[0]) <= 2 and len(word) == len(found[0])


def _quoted(lexeme: str) -> str:
    # Lexemes are letters and digits only, but quote as tsquery input requires anyway.
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_text(q: str) -> str:
    """The ``tsquery`` input for ``q`` (every lexeme quoted, joined with &); empty if none."""
    return " & ".join(_quoted(lexeme) for lexeme in query_lexemes(q))


def indexed() -> bool:
    """Whether the database keeps the bigram index (PostgreSQL) or searches by containment."""
    return connection.vendor == "postgresql"


def vector_of(revision: Revision) -> Func:
    """The ``tsvector`` expression holding the revision's lexemes (PostgreSQL)."""
    values = Cast(Value(lexemes(revision_text(revision))), ArrayField(TextField()))
    return Func(values, function="array_to_tsvector", output_field=SearchVectorField())


def matching(articles: QuerySet[Article], q: str) -> QuerySet[Article]:
    """Narrow ``articles`` to those whose vector holds every lexeme of ``q`` (PostgreSQL), by
    the GIN index. Containment is still to be checked: the pairs may occur apart."""
    query = Cast(Value(tsquery_text(q)), SearchQueryField())
    match = Func(
        F("search_vector"), query, function="", arg_joiner=" @@ ", output_field=BooleanField()
    )
    return articles.filter(match)


def refresh(article: Article) -> None:
    """Store the lexemes of the article's live revision, or none when it is not public (called
    by the services wherever ``live`` or the public status changes). No-op on SQLite."""
    if not indexed():
        return
    rows = Article.objects.filter(pk=article.pk)
    if article.live is None or article.status == ArticleStatus.WITHDRAWN:
        rows.update(search_vector=None)
    else:
        rows.update(search_vector=vector_of(article.live))


def refresh_all() -> int:
    """Rebuild every public article's vector (backfill, bench); returns how many were written."""
    if not indexed():
        return 0
    count = 0
    Article.objects.exclude(live__isnull=False).update(search_vector=None)
    for article in Article.objects.filter(live__isnull=False).select_related("live"):
        refresh(article)
        count += 1
    return count


# Showing a hit.


def _pattern(q: str) -> str:
    # Every word of the query, the longest first (so 物业服务 wins over 物业 where both match).
    words = sorted(terms(q), key=len, reverse=True)
    return "|".join(re.escape(word) for word in words)


def _find(text: str, q: str) -> re.Match[str] | None:
    return re.search(_pattern(q), text, flags=re.IGNORECASE) if terms(q) else None


def highlight(text: str, q: str) -> SafeString:
    """``text`` escaped, with every occurrence of each word of ``q`` in ``<mark>``."""
    if not terms(q):
        return escape(text)
    parts = re.split(f"({_pattern(q)})", text, flags=re.IGNORECASE)
    marked = (f"<mark>{escape(p)}</mark>" if i % 2 else str(escape(p)) for i, p in enumerate(parts))
    return mark_safe("".join(marked))  # noqa: S308 - every part escaped above


def excerpt(revision: Revision, q: str) -> SafeString:
    """Some of the body around the first hit of ``q``, the hit marked (escaped); the summary's
    or body's beginning when the hit is elsewhere (in the title)."""
    for text in (plain_text(revision.body), revision.summary):
        if hit := _find(text, q):
            start = max(0, hit.start() - EXCERPT_BEFORE)
            end = min(len(text), start + EXCERPT_LENGTH)
            marked = highlight(text[start:end], q)
            before = "…" if start > 0 else ""
            after = "…" if end < len(text) else ""
            return mark_safe(f"{before}{marked}{after}")  # noqa: S308 - highlight escapes
    text = revision.summary or plain_text(revision.body)
    shown = text[:EXCERPT_LENGTH]
    return mark_safe(escape(shown) + ("…" if len(text) > len(shown) else ""))  # noqa: S308
