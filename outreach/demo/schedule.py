"""What the demo holds when: a year of all four practices, the grid worker's unpublished drafts
of the last fortnight, and the plans for the next two weeks."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from random import Random

from outreach.demo import meetings, onsite, research, talks
from outreach.demo.content_meetings import UPCOMING_MATTER
from outreach.demo.content_onsite import ONSITE_TOPICS
from outreach.demo.dates import is_holiday
from outreach.demo.refs import COMMUNITY_SECRETARY, HOME_COMMUNITY, HOME_GRID, Refs
from outreach.demo.rows import Row
from outreach.models import ActivityStatus, TalkKind, VisitKind


def _drafts(refs: Refs, rng: Random) -> list[Row]:
    """The grid worker's records of the last fortnight, waiting for a publisher: two household
    visits and a mid-week session at her grid station."""
    place = refs.by_code.get(HOME_COMMUNITY)
    grid = next((g for g in place.grids if g.name == HOME_GRID), None) if place else None
    if grid is None:
        return []
    days = [refs.today - timedelta(days=n) for n in range(14, 0, -1)]
    workdays = [d for d in days if d.weekday() < 4 and not is_holiday(d)]
    picked = sorted(rng.sample(workdays, k=3)) if len(workdays) >= 3 else days[-3:]
    compounds = place.compounds_of[grid.pk]
    rows = [
        research.build(refs, rng, VisitKind.DAILY, day, place, compound=rng.choice(compounds))
        for day in picked[:2]
    ]
    label, detail, _months = rng.choice([t for t in ONSITE_TOPICS if not t[2]])
    officials = [refs.profiles[COMMUNITY_SECRETARY]]
    start = refs.at(picked[2], 9, 30)
    rows.append(onsite.build(refs, rng, place, start, officials, grid=grid, focus=(label, detail)))
    for row in rows:
        row.obj.is_published = False
        row.scene = ""
    return rows


def year(refs: Refs, rng: Random, *, base: bool) -> list[Row]:
    """One year of activities; ``base`` adds the cancelled ones and the drafts."""
    rows = [
        *talks.year(refs, rng, base=base),
        *onsite.year(refs, rng, base=base),
        *research.year(refs, rng, base=base),
        *meetings.year(refs, rng, base=base),
    ]
    if base:
        rows += _drafts(refs, rng)
    return rows


def upcoming(refs: Refs, rng: Random) -> list[Row]:
    """Two talks and a meeting in the next two weeks, planned and published."""
    today = refs.today
    used = Counter()
    rows = []
    chilechuan = refs.by_code.get("chilechuan", refs.places[0])
    home = refs.by_code.get(HOME_COMMUNITY, refs.places[0])
    weekday = today + timedelta(days=3)
    while weekday.weekday() >= 5:
        weekday += timedelta(days=1)
    rows.append(
        talks.build(
            refs,
            rng,
            TalkKind.THEORY,
            weekday,
            used,
            status=ActivityStatus.PLANNED,
            place=chilechuan,
        )
    )
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    if saturday < today + timedelta(days=2):
        saturday += timedelta(days=7)
    rows.append(
        talks.build(
            refs,
            rng,
            TalkKind.CULTURE,
            saturday,
            used,
            status=ActivityStatus.PLANNED,
            place=home,
        )
    )
    meeting_day = today + timedelta(days=9)
    while meeting_day.weekday() >= 5:
        meeting_day += timedelta(days=1)
    row = meetings.build(
        refs, rng, UPCOMING_MATTER, refs.at(meeting_day, 15, 0), status=ActivityStatus.PLANNED
    )
    if row is not None:
        rows.append(row)
    for row in rows:
        row.scene = ""
    return rows
