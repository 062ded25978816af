"""The demo's calendar: lunar festivals, the office's long holidays and Hohhot's seasons."""

from __future__ import annotations

from datetime import date, timedelta

# Lunar festivals by Gregorian year (the calendar module covers only the public holidays).
FESTIVALS: dict[str, dict[int, date]] = {
    "spring": {
        2024: date(2024, 2, 10),
        2025: date(2025, 1, 29),
        2026: date(2026, 2, 17),
        2027: date(2027, 2, 6),
        2028: date(2028, 1, 26),
        2029: date(2029, 2, 13),
        2030: date(2030, 2, 3),
    },
    "lantern": {
        2024: date(2024, 2, 24),
        2025: date(2025, 2, 12),
        2026: date(2026, 3, 3),
        2027: date(2027, 2, 20),
        2028: date(2028, 2, 9),
        2029: date(2029, 2, 27),
        2030: date(2030, 2, 17),
    },
    "dragon_boat": {
        2024: date(2024, 6, 10),
        2025: date(2025, 5, 31),
        2026: date(2026, 6, 19),
        2027: date(2027, 6, 9),
        2028: date(2028, 5, 28),
        2029: date(2029, 6, 16),
        2030: date(2030, 6, 5),
    },
    "mid_autumn": {
        2024: date(2024, 9, 17),
        2025: date(2025, 10, 6),
        2026: date(2026, 9, 25),
        2027: date(2027, 9, 15),
        2028: date(2028, 10, 3),
        2029: date(2029, 9, 22),
        2030: date(2030, 9, 12),
    },
    "double_ninth": {
        2024: date(2024, 10, 11),
        2025: date(2025, 10, 29),
        2026: date(2026, 10, 18),
        2027: date(2027, 10, 8),
        2028: date(2028, 10, 26),
        2029: date(2029, 10, 16),
        2030: date(2030, 10, 5),
    },
}


def is_holiday(day: date) -> bool:
    """Roughly China's long public holidays; good enough for skipping demo Fridays."""
    if (day.month, day.day) == (1, 1):
        return True
    if (day.month == 5 and day.day <= 5) or (day.month == 10 and day.day <= 7):
        return True
    festival = FESTIVALS["spring"].get(day.year)  # the office rests from its eve for a week
    return festival is not None and festival - timedelta(days=1) <= day <= festival + timedelta(6)


def season_of(day: date) -> str:
    """Which weather gets the blame when something is called off; "any" in the mild months."""
    if day.month in (3, 4, 5):
        return "spring"
    if day.month in (6, 7, 8):
        return "summer"
    if day.month in (11, 12, 1, 2):
        return "winter"
    return "any"
