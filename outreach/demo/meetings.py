"""Deliberation meetings (人民议事协商会): one per matter, a follow-up a month or more after the
meeting it follows, with attendance by stakeholder group and numbered decisions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from random import Random

from outreach.demo.content_meetings import MATTERS, MEETING_CANCEL_REASON, Matter
from outreach.demo.dates import is_holiday
from outreach.demo.refs import (
    AREA_COMMUNITIES,
    AREA_LEADER,
    COMMUNITY_SECRETARY,
    HOME_COMMUNITY,
    SECRETARY,
    Refs,
)
from outreach.demo.rows import Row
from outreach.models import ActivityStatus, Deliberation, StakeholderCategory


def build(
    refs: Refs,
    rng: Random,
    matter: Matter,
    start: datetime,
    *,
    status: str = ActivityStatus.HELD,
) -> Row | None:
    compound = refs.compound_by_name.get(matter.compound)
    if compound is None or compound.community.code not in refs.by_code:
        return None
    place = refs.by_code[compound.community.code]
    community = place.community
    grid = compound.grid
    if grid is not None and "议事" in grid.station:
        venue = grid.station
    else:
        halls = [g.station for g in place.grids if "议事" in g.station]
        venue = halls[0] if halls else f"{community.name}党群服务中心议事室"
    officials = []
    if community.code == HOME_COMMUNITY:
        officials.append(refs.profiles[COMMUNITY_SECRETARY])
    if community.code in AREA_COMMUNITIES:
        officials.append(refs.profiles[AREA_LEADER])
    if not officials or rng.random() < 0.25:
        officials.append(refs.profiles[SECRETARY])

    attendance = []
    for category, names in (*matter.parties, (StakeholderCategory.PARTY, f"{community.name}党委")):
        if category == StakeholderCategory.RESIDENTS:
            count = rng.randint(7, 18)
        elif category == StakeholderCategory.PARTY:
            count = rng.randint(1, 3)
        else:
            count = rng.randint(1, 3 if category == StakeholderCategory.OWNERS_COMMITTEE else 2)
        attendance.append((category, count, names))
    residents = attendance[0][1]
    agree = residents - rng.randint(0, max(0, residents // 4))
    decisions = [
        (text, responsible, start.date() + timedelta(days=due))
        for text, responsible, due in matter.decisions
    ]
    meeting = Deliberation(
        title=matter.title,
        starts_at=start,
        ends_at=start + timedelta(minutes=rng.choice([90, 120, 150])),
        community=community,
        grid=grid,
        compound=compound,
        venue=venue,
        status=status,
        is_published=True,
        created_by=refs.author(community, grid),
    )
    parties = "、".join(str(StakeholderCategory(c).label) for c, _n, _names in attendance)
    if status == ActivityStatus.HELD:
        meeting.summary = (
            f"{community.name}召开人民议事协商会，{parties}共{sum(a[1] for a in attendance)}人"
            f"到会，围绕“{matter.title.removesuffix('协商会').removesuffix('会')}”充分协商，"
            f"形成议定事项{len(decisions)}项。"
        )
        decided = "\n".join(f"{n}. {d[0]}（{d[1]}）" for n, d in enumerate(decisions, start=1))
        meeting.minutes = (
            f"议题：{matter.title}\n情况：{matter.minutes}\n"
            f"表决：到会居民代表{residents}人，{agree}人同意。\n议定事项：\n{decided}"
        )
    else:
        meeting.summary = f"邀请{parties}代表协商“{matter.title}”相关事项，欢迎居民列席。"
        if status == ActivityStatus.CANCELLED:
            meeting.cancel_reason = MEETING_CANCEL_REASON
        attendance, decisions = [], []
    return Row(
        meeting,
        {"officials": officials},
        attendance=attendance,
        decisions=decisions,
        scene="meeting",
    )


def year(refs: Refs, rng: Random, *, base: bool) -> list[Row]:
    rows = []
    days = [d for d in refs.days if d.weekday() < 5 and not is_holiday(d)]
    held_on: dict[int, date] = {}
    for n, matter in enumerate(MATTERS):
        if matter.follows is not None and matter.follows in held_on:
            earliest = held_on[matter.follows] + timedelta(days=30)
            later = [d for d in days if earliest <= d <= earliest + timedelta(days=45)]
            day = rng.choice(later or days[-20:])
        else:
            day = rng.choice(days[: len(days) * 2 // 3])
        held_on[n] = day
        start = refs.at(day, *rng.choice([(15, 0), (15, 30), (19, 0)]))
        row = build(refs, rng, matter, start)
        if row is not None:
            rows.append(row)
        if base and n == 5:  # the first parking meeting had to be postponed once
            earlier = day - timedelta(days=7)
            while earlier.weekday() >= 5 or is_holiday(earlier):
                earlier -= timedelta(days=1)
            row = build(refs, rng, matter, refs.at(earlier, 15, 0), status=ActivityStatus.CANCELLED)
            if row is not None:
                rows.append(row)
    return rows
