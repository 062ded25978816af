"""What an article links to: outreach activities and public case results (办理公开).

The form offers only what residents may open now (``public()`` activities; the cases the 办理公开
page lists, ``petitions.stats.public_results``), and the article page shows only what is still
public when it is drawn: an activity unpublished or a result withdrawn after the article was
approved drops off the page without the approved revision changing. A revision keeps its links
as references, an activity as ``"<model name>:<pk>"`` and a case as its primary key.

Costs: one query per practice that the article links to, and two for its results (the cases
and their parties, whose names are scrubbed from the published text) — never one per link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from outreach.models import PRACTICE_MODELS, Activity
from petitions import stats

# The form offers the newest of each kind; older ones are rarely what a new article is about.
OFFERED = 300
RESULT_TEXT = 60

ACTIVITY_MODELS: dict[str, type[Activity]] = {m._meta.model_name: m for m in PRACTICE_MODELS}


@dataclass(frozen=True)
class Link:
    """One line of the 相关活动 / 相关成果 block."""

    title: str
    url: str
    kind: str
    day: date
    place: str
    text: str = ""


def activity_key(activity: Activity) -> str:
    return f"{activity._meta.model_name}:{activity.pk}"


def _parse(key: object) -> tuple[str, int] | None:
    name, _sep, pk = str(key).partition(":")
    if name not in ACTIVITY_MODELS or not pk.isascii() or not pk.isdigit():
        return None
    return name, int(pk)


def _by_model(keys: Iterable[object]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for key in keys:
        parsed = _parse(key)
        if parsed is not None:
            grouped.setdefault(parsed[0], []).append(parsed[1])
    return grouped


def activity_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Public activities, grouped by practice, newest first (the form's choices)."""
    groups = []
    for model in PRACTICE_MODELS:
        rows = model.objects.public().order_by("-starts_at", "-pk").only("title", "starts_at")
        options = [(activity_key(a), str(a)) for a in rows[:OFFERED]]
        if options:
            groups.append((str(model.practice_label), options))
    return groups


def result_choices() -> list[tuple[int, str]]:
    """Public case results, newest first: number, category, community, when concluded."""
    cases = list(stats.public_results()[:OFFERED])
    return [
        (case.pk, f"{row.number} {row.category} · {row.community}（{row.concluded:%Y-%m-%d}办结）")
        for case, row in zip(cases, stats.published_rows(cases), strict=True)
    ]


def public_activity_keys(keys: Iterable[object]) -> set[str]:
    """Which of these references are public activities now."""
    found: set[str] = set()
    for name, pks in _by_model(keys).items():
        model = ACTIVITY_MODELS[name]
        public = model.objects.public().filter(pk__in=pks).values_list("pk", flat=True)
        found |= {f"{name}:{pk}" for pk in public}
    return found


def public_result_ids(ids: Iterable[int]) -> set[int]:
    """Which of these cases the 办理公开 page lists now."""
    return set(stats.public_results().filter(pk__in=list(ids)).values_list("pk", flat=True))


def activity_links(keys: Iterable[object]) -> list[Link]:
    """The public ones among these activities, in the order the article lists them."""
    keys = list(keys)
    found: dict[str, Link] = {}
    for name, pks in _by_model(keys).items():
        model = ACTIVITY_MODELS[name]
        rows = model.objects.public().filter(pk__in=pks).select_related("community")
        for activity in rows.only("title", "starts_at", "community__name"):
            found[activity_key(activity)] = Link(
                title=activity.title,
                url=activity.get_absolute_url(),
                kind=str(model.practice_label),
                day=timezone.localtime(activity.starts_at).date(),
                place=activity.community.name,
            )
    return [found[str(key)] for key in keys if str(key) in found]


def result_links(ids: Iterable[int]) -> list[Link]:
    """The public ones among these case results, in the order the article lists them. A result
    has no page of its own: the link opens 办理公开 at the month it was concluded, on its row."""
    ids = [i for i in ids if isinstance(i, int)]
    if not ids:
        return []
    cases = list(stats.public_results().filter(pk__in=ids))
    results = reverse("petitions:request-results")
    found = {
        case.pk: Link(
            title=f"{row.category} · {row.number}",
            url=f"{results}?month={row.concluded:%Y-%m}#result-{row.number}",
            kind=row.category,
            day=row.concluded,
            place=row.community,
            text=Truncator(row.result).chars(RESULT_TEXT),
        )
        for case, row in zip(cases, stats.published_rows(cases), strict=True)
    }
    return [found[i] for i in ids if i in found]
