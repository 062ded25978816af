"""The figures the home page headlines, counted in one place.

Everything that repeats them — the home page and the summary `make run` prints — calls
``home_figures``, so both show the same numbers, over the same period, in the same units
(each practice's ``practice_unit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from outreach import stats as outreach_stats
from petitions import stats as petitions_stats
from portal.periods import year_to_date


@dataclass(frozen=True)
class HomeFigures:
    """Held and published activities of each practice from ``start`` to ``end``."""

    start: date
    end: date
    practices: dict[str, outreach_stats.PracticeTotals]
    receptions: petitions_stats.ReceptionTotals

    def counters(self) -> list[tuple[str, int, str]]:
        """(practice, events, unit) in the home page's order."""
        talks, research = self.practices["talks"], self.practices["research"]
        onsite, meetings = self.practices["onsite"], self.practices["deliberations"]
        receptions = self.receptions
        return [
            (talks.label, talks.events, talks.unit),
            (research.label, research.events, research.unit),
            (onsite.label, onsite.events, onsite.unit),
            (str(petitions_stats.Reception.practice_label), receptions.events, receptions.unit),
            (meetings.label, meetings.events, meetings.unit),
        ]


def home_figures(today: date) -> HomeFigures:
    """This year's counters (1 January to today), published records only, computed now."""
    start, end = year_to_date(today)
    return HomeFigures(
        start=start,
        end=end,
        practices=outreach_stats.practice_totals(start=start, end=end, published_only=True),
        receptions=petitions_stats.reception_totals(start=start, end=end, published_only=True),
    )
