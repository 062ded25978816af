"""Import China's published holiday arrangements (国务院办公厅 notices) into ``CalendarDay``.

The data comes from the chinesecalendar package, which carries the notices published so far
(2004–2026 in version 1.11). Later years are entered in the admin when the State Council
publishes them, or imported again after upgrading the package.
"""

from __future__ import annotations

from typing import Any

from chinese_calendar import constants

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def import_calendar(calendar_day_model: Any, *, first_year: int = 2018) -> int:
    """Create the holiday and make-up working-day rows that are missing; returns how many."""
    existing = set(calendar_day_model.objects.values_list("date", flat=True))
    rows = []
    for table, kind in ((constants.holidays, "holiday"), (constants.workdays, "workday")):
        for day, name in table.items():
            if day.year < first_year or day in existing:
                continue
            rows.append(
                calendar_day_model(
                    date=day, kind=kind, name=HOLIDAY_NAMES.get(str(name), str(name))
                )
            )
    calendar_day_model.objects.bulk_create(rows)
    return len(rows)
