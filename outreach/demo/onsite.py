"""On-site office sessions (现场办公): Friday afternoons at each community's grid station, and a
few mid-week sessions on one matter."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random

from outreach.demo.content_onsite import ONSITE_CANCEL_REASONS, ONSITE_TOPICS
from outreach.demo.dates import is_holiday, season_of
from outreach.demo.refs import (
    AREA_COMMUNITIES,
    AREA_LEADER,
    COMMUNITY_SECRETARY,
    GRID_WORKER,
    HOME_COMMUNITY,
    HOME_GRID,
    SECRETARY,
    Place,
    Refs,
    venue_type,
    who,
)
from outreach.demo.rows import Row, fill
from outreach.models import ActivityStatus, OnsiteRota, OnsiteSession, Weekday
from portal.models import Grid, StaffProfile


def _officials(refs: Refs, place: Place, week: int, shuji_here: bool) -> list[StaffProfile]:
    """Who sits at a Friday session: the community secretary at home, the area leader at his
    two communities in alternate weeks, the party secretary where he chose to go."""
    officials = []
    code = place.community.code
    if code == HOME_COMMUNITY:
        officials.append(refs.profiles[COMMUNITY_SECRETARY])
    if code in AREA_COMMUNITIES and AREA_COMMUNITIES[week % 2] == code:
        officials.append(refs.profiles[AREA_LEADER])
    if shuji_here:
        officials.append(refs.profiles[SECRETARY])
    return officials


def build(
    refs: Refs,
    rng: Random,
    place: Place,
    start: datetime,
    officials: list[StaffProfile],
    *,
    grid: Grid,
    status: str = ActivityStatus.HELD,
    rota: OnsiteRota | None = None,
    focus: tuple[str, str] | None = None,
) -> Row:
    community = place.community
    day = start.date()
    if grid.name == HOME_GRID and community.code == HOME_COMMUNITY:
        officials = [*officials, refs.profiles[GRID_WORKER]]
    compound = rng.choice(place.compounds_of[grid.pk])
    if focus is None:
        fitting = [t for t in ONSITE_TOPICS if not t[2] or day.month in t[2]]
        label, detail, _months = rng.choice(fitting)
    else:
        label, detail = focus
    title = f"{community.name}现场办公"
    if label:
        title += f"·{label}"
    session = OnsiteSession(
        title=title,
        starts_at=start,
        ends_at=start + timedelta(minutes=120),
        community=community,
        grid=grid,
        compound=compound,
        venue=grid.station,
        venue_type=venue_type(grid.station),
        status=status,
        is_published=True,
        created_by=refs.author(community, grid),
        rota=rota,
    )
    if status == ActivityStatus.HELD:
        met = max(5, min(40, int(rng.gauss(17, 7))))
        session.residents_met = met
        k = rng.randint(1, max(1, min(8, met // 2)))
        session.summary = (
            f"{who(officials, refs)}在{grid.station}现场办公，接待居民{met}人次。"
            + fill(rng, detail, k=k)
        )
    else:
        session.summary = f"{who(officials, refs)}在{grid.station}现场办公，居民可当面反映诉求。"
        if status == ActivityStatus.CANCELLED:
            season = season_of(day)
            session.cancel_reason = ONSITE_CANCEL_REASONS[season if rng.random() < 0.6 else "any"]
    return Row(session, {"officials": officials}, scene="onsite")


def year(refs: Refs, rng: Random, *, base: bool) -> list[Row]:
    rows = []
    others = [p for p in refs.places if p.community.code not in AREA_COMMUNITIES]
    for day in refs.days:
        if day.weekday() != Weekday.FRIDAY or is_holiday(day):
            continue
        week = day.isocalendar().week
        shuji_at = rng.choice(others) if others and rng.random() < 0.35 else None
        for place in refs.places:
            if rng.random() < 0.06:  # merged into another meeting that week
                continue
            cancelled = base and rng.random() < 0.035
            # Mostly at the rota's station; now and then at the community's other grids.
            grid = place.grids[0] if rng.random() < 0.6 else rng.choice(place.grids)
            rota = refs.rotas.get(place.community.pk) if base else None
            rows.append(
                build(
                    refs,
                    rng,
                    place,
                    refs.at(day, 14, 30),
                    _officials(refs, place, week, shuji_at is place),
                    grid=grid,
                    status=ActivityStatus.CANCELLED if cancelled else ActivityStatus.HELD,
                    rota=rota if rota and rota.venue == grid.station else None,
                )
            )
    # Extra mid-week sessions at the busiest stations, e.g. before the heating season.
    weekdays = [d for d in refs.days if d.weekday() in (1, 2) and not is_holiday(d)]
    for _ in range(14):
        day = rng.choice(weekdays)
        place = rng.choice(refs.places)
        grid = rng.choice(place.grids)
        officials = _officials(refs, place, day.isocalendar().week, False)
        fitting = [t for t in ONSITE_TOPICS if t[0] and (not t[2] or day.month in t[2])]
        label, detail, _months = rng.choice(fitting)
        rows.append(
            build(
                refs,
                rng,
                place,
                refs.at(day, 9, 30),
                officials,
                grid=grid,
                focus=(f"{label}专场", detail),
            )
        )
    return rows
