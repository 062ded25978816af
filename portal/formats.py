"""How dates, periods and lists of names are written, in the active language: plain functions
for services, exports, messages and templates alike (``portal_tags`` gives them to templates).

In Chinese "2026年11月27日", "2026年1月1日至12月2日", "苏和、李慧敏"; in English "27 Nov 2026",
"1 Jan 2026 to 2 Dec 2026", "Su He, Li Huimin". The formats are Django date formats marked for
translation, so a language only needs its catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.utils import dateformat, timezone
from django.utils.translation import gettext, pgettext


def local_date(value: date | datetime) -> date:
    """The day a moment falls on in local time (a date is its own day)."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def cn_date(value: date | datetime | None) -> str:
    """2026年11月27日 / 27 Nov 2026"""
    if not value:
        return ""
    # Translators: a Django date format (see the `date` template filter).
    return dateformat.format(local_date(value), pgettext("date format", "Y年n月j日"))


def cn_period(start: date, end: date) -> str:
    """2026年1月1日至12月2日 / 1 Jan 2026 to 2 Dec 2026: the days a figure counts over."""
    if start.year == end.year:
        # Translators: a Django date format for the last day of a period within one year.
        last = dateformat.format(end, pgettext("date format, same year as the start", "n月j日"))
    else:
        last = cn_date(end)
    return gettext("%(start)s至%(end)s") % {"start": cn_date(start), "end": last}


def list_separator() -> str:
    """What goes between names in a list: "、" in Chinese, ", " in English."""
    return pgettext("list separator", "、")


def join_names_text(values: Iterable[Any]) -> str:
    """Plain-text join of names with the language's separator (empty names left out)."""
    return list_separator().join(str(v) for v in values if v not in (None, ""))
