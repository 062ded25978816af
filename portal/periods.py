"""The periods figures are counted over, so that every figure can say which days it covers.

Shown with ``portal_tags.cn_period``: "2026年1月1日至12月2日".
"""

from __future__ import annotations

from datetime import date


def year_to_date(today: date) -> tuple[date, date]:
    """1 January of this year to today: the home page's counters (今年以来)."""
    return date(today.year, 1, 1), today


def year_back(today: date) -> tuple[date, date]:
    """The same day a year ago to today: the demo's year of records."""
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return start, today
