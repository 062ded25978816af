"""How a case's deadlines, moments and people read on staff screens and in exports.

Plain functions over rows already loaded; the admin's case fields (``petitions.admin.display``)
and the spreadsheet export (``petitions.exports``) both use them. What may be shown of personal
data is ``petitions.privacy``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from petitions.models import Case
from petitions.models.case import DUE_SOON_DAYS
from petitions.services import RESIDENT_UNIT, unit_label
from portal import clock
from portal.formats import cn_date
from portal.people import display_name


@dataclass(frozen=True)
class Due:
    day: date | None
    days_left: int | None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= DUE_SOON_DAYS

    @property
    def text(self) -> str:
        if self.days_left is None:
            return "—"
        if self.overdue:
            late = -self.days_left
            return ngettext("已超期 %(n)d 天", "已超期 %(n)d 天", late) % {"n": late}
        if self.days_left == 0:
            return gettext("今天到期")
        return ngettext("剩 %(n)d 天", "剩 %(n)d 天", self.days_left) % {"n": self.days_left}


def due_of(case: Case, today: date | None = None) -> Due:
    day = case.current_due
    if day is None:
        return Due(None, None)
    return Due(day, (day - (today or clock.today())).days)


def triage_shown(case: Case) -> str:
    """The class as staff read it: no class is 一般办理, not a dash."""
    return case.get_triage_display() if case.triage else gettext("一般办理")


def local(moment: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def chinese_date(day: date | None) -> str:
    """2026年11月27日 in Chinese, 27 Nov 2026 in English (the site's date filter)."""
    return cn_date(day)


def event_actor(event: Any) -> str:
    """Who took a timeline step: the staff member's name, else residents or the system."""
    if event.actor is None:
        return unit_label(event.actor_unit or RESIDENT_UNIT)
    return display_name(event.actor)


def event_unit(event: Any) -> str:
    """The unit beside the actor's name, or "" where the actor is already named by their
    unit (residents, the system): "居民", never "居民（居民）"."""
    unit = unit_label(event.actor_unit)
    return "" if unit == event_actor(event) else unit


def staff_label(profile: Any) -> str:
    if profile is None:
        return ""
    return f"{profile.unit or profile.get_role_display()} · {profile.name}"
