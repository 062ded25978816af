"""The upcoming sessions as an iCalendar feed residents can subscribe to (RFC 5545)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from icalendar import Calendar, Event

from outreach.models import Activity
from portal import clock

DEFAULT_LENGTH = timedelta(hours=2)


def upcoming_calendar(
    activities: Iterable[Activity], *, request: HttpRequest, community: Any = None
) -> bytes:
    """Cancelled activities are simply absent: subscribed calendars drop them on refresh."""
    name = settings.PORTAL_SUBDISTRICT + (f"{community.name}" if community else "")
    cal = Calendar()
    cal.add("prodid", "-//grassroots-portal//upcoming//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", gettext("%(name)s下基层活动安排") % {"name": name})
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = request.get_host().split(":")[0]
    stamp = clock.now()
    for activity in activities:
        event = Event()
        event.add("uid", f"{activity._meta.model_name}-{activity.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("last-modified", activity.updated_at)
        event.add("dtstart", activity.starts_at)
        event.add("dtend", activity.ends_at or activity.starts_at + DEFAULT_LENGTH)
        event.add(
            "summary",
            gettext("%(label)s：%(title)s")
            % {"label": activity.practice_label, "title": activity.title},
        )
        event.add("location", f"{activity.community.name} {activity.venue}")
        if activity.summary:
            event.add("description", activity.summary)
        event.add("url", request.build_absolute_uri(activity.get_absolute_url()))
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
