"""Figures from the records that an article may quote, and how a body shows them.

An editor writes a marker in the body, ``【数据:talks_year】`` (a full-width colon works too):
plain text, so it survives the sanitiser and any editor. Each marker names a figure of
``FIGURES``: a label for the picker and a sentence counted from the apps' read functions
(``outreach.stats``, ``petitions.stats``) for a given day — "截至2026年11月25日：宣讲82场，
惠及6135人". While a revision is drafted and reviewed, the back office's preview counts the
sentence now (``live_values``). When the last step (审发) signs, ``services.sign`` keeps each
sentence against that revision (``FrozenFigure``); the public pages show only those
(``portal.news.render.body_html``) and never call a read function.

The sentences are part of the article's Chinese text, not of the interface: they are written
in Chinese whatever language the person's screen is in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.utils.html import escape, strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from outreach import stats as outreach_stats
from petitions import stats as petitions_stats
from portal.periods import year_to_date

# 【数据:key】 or 【数据：key】; whatever stands between the colon and 】 is the key asked for.
MARKER = re.compile(r"【数据[:：]([^】]{0,80})】")
# The language the sentences (measure words from the models' practice units) are written in.
ARTICLE_LANGUAGE = "zh-hans"


def cn_day(day: date) -> str:
    """2026年11月25日, in the article's language whatever the screen's."""
    return f"{day.year}年{day.month}月{day.day}日"


class Totals:
    """The read functions' answers for one day, each asked at most once however many markers
    a body holds. Public records only, as the home page counts them."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.start, self.end = year_to_date(as_of)

    @cached_property
    def practices(self) -> dict[str, outreach_stats.PracticeTotals]:
        return outreach_stats.practice_totals(start=self.start, end=self.end, published_only=True)

    @cached_property
    def receptions(self) -> petitions_stats.ReceptionTotals:
        return petitions_stats.reception_totals(start=self.start, end=self.end, published_only=True)

    @cached_property
    def month_results(self) -> petitions_stats.ResultTotals:
        first, _last = petitions_stats.month_of(self.as_of)
        return petitions_stats.public_result_totals(start=first, end=self.as_of)


@dataclass(frozen=True)
class Figure:
    """One figure an article may quote: its marker key, its name, its sentence for a day."""

    key: str
    label: object  # lazy Chinese text
    sentence: Callable[[Totals], str]

    @property
    def marker(self) -> str:
        return f"【数据:{self.key}】"


def _talks(t: Totals) -> str:
    p = t.practices["talks"]
    return f"宣讲{p.events}{p.unit}，惠及{p.reach}人"


def _research(t: Totals) -> str:
    p = t.practices["research"]
    return f"调查研究{p.events}{p.unit}，走访{p.households}户"


def _onsite(t: Totals) -> str:
    p = t.practices["onsite"]
    return f"现场办公{p.events}{p.unit}，接待群众{p.residents_met}人"


def _receptions(t: Totals) -> str:
    r = t.receptions
    served, cases = r.residents_served, r.cases_opened
    return f"信访接待下基层{r.events}{r.unit}，接待群众{served}人，受理事项{cases}件"


def _deliberations(t: Totals) -> str:
    p = t.practices["deliberations"]
    return f"议事协商{p.events}{p.unit}，参与{p.attendees}人次"


def _results(t: Totals) -> str:
    r = t.month_results
    text = f"本月已办结群众诉求{r.concluded}件"
    if r.satisfaction_rate is not None:
        text += f"，满意率{r.satisfaction_rate:g}%"
    return text


FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        Figure("talks_year", _("今年以来政策宣讲场次和惠及人数"), _talks),
        Figure("research_year", _("今年以来调查研究次数和走访户数"), _research),
        Figure("onsite_year", _("今年以来现场办公场次和接待群众人数"), _onsite),
        Figure("receptions_year", _("今年以来信访接待下基层次数、接待人数和受理事项"), _receptions),
        Figure("deliberations_year", _("今年以来议事协商场次和参与人次"), _deliberations),
        Figure("results_month", _("本月已办结群众诉求件数和满意率"), _results),
    )
}


@dataclass(frozen=True)
class Value:
    """A figure's sentence as counted on ``as_of`` (live, or as 审发 froze it)."""

    key: str
    label: str
    text: str
    as_of: date


def asked(body: str) -> list[str]:
    """The keys the body's markers ask for, in order of first appearance (tags stripped, so
    a marker an editor half-formatted is still named as typed)."""
    keys: list[str] = []
    for match in MARKER.finditer(body or ""):
        key = strip_tags(match.group(1)).strip()
        if key not in keys:
            keys.append(key)
    return keys


def unknown(body: str) -> list[str]:
    """The markers in the body that name no figure."""
    return [key for key in asked(body) if key not in FIGURES]


def live_values(keys: Iterable[str], as_of: date) -> dict[str, Value]:
    """The figures' sentences counted from the records now, up to ``as_of`` (unknown keys
    are left out)."""
    totals = Totals(as_of)
    values = {}
    with override(ARTICLE_LANGUAGE):
        for key in keys:
            figure = FIGURES.get(key)
            if figure is None:
                continue
            values[key] = Value(
                key=key,
                label=str(figure.label),
                text=f"截至{cn_day(as_of)}：{figure.sentence(totals)}",
                as_of=as_of,
            )
    return values


def fill(html: str, values: dict[str, str]) -> str:
    """The (sanitised) body HTML with each marker replaced by its sentence, escaped; a marker
    with no sentence (none was kept for it) is left out rather than shown to residents raw."""

    def replace(match: re.Match[str]) -> str:
        key = strip_tags(match.group(1)).strip()
        return escape(values.get(key, ""))

    return MARKER.sub(replace, html)
