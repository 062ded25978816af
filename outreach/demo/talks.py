"""Policy talks: theory and law talks on weekdays, cultural events mostly at weekends and around
festivals, each with its speakers and audience."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from random import Random

from outreach.demo.content_talks import (
    CULTURE_TOPICS,
    INDOOR_VENUES,
    LAW_TOPICS,
    OUTDOOR_VENUES,
    REACH_NOTES,
    TALK_CANCEL_REASONS,
    TALK_TAILS,
    THEORY_TOPICS,
    Topic,
)
from outreach.demo.dates import is_holiday, season_of
from outreach.demo.refs import Place, Refs
from outreach.demo.rows import Row, fill
from outreach.models import ActivityStatus, PolicyTalk, ReachMethod, TalkKind


def _choose_topic(rng: Random, topics: list[Topic], day: date, used: Counter) -> Topic:
    """A topic that fits the day: a festival's own event first, then the least used one so
    titles stay varied."""
    fitting = [t for t in topics if t.fits(day)]
    fitting = [t for t in fitting if t.festival] or fitting
    least = min(used[t.title] for t in fitting)
    topic = rng.choice([t for t in fitting if used[t.title] == least])
    used[topic.title] += 1
    return topic


TOPICS = {
    TalkKind.THEORY: THEORY_TOPICS,
    TalkKind.CULTURE: CULTURE_TOPICS,
    TalkKind.LAW: LAW_TOPICS,
}
TALK_PLAN = {TalkKind.THEORY: 32, TalkKind.CULTURE: 32, TalkKind.LAW: 20}
TALK_CANCELLED = {TalkKind.THEORY: 1, TalkKind.CULTURE: 2, TalkKind.LAW: 1}


def _talk_days(refs: Refs, kind: str) -> list[date]:
    days = [d for d in refs.days if not is_holiday(d)]
    if kind == TalkKind.CULTURE:
        weekend = [d for d in days if d.weekday() >= 5]
        return weekend * 3 + days  # mostly weekends
    return [d for d in days if d.weekday() < 5]


def build(
    refs: Refs,
    rng: Random,
    kind: str,
    day: date,
    used: Counter,
    *,
    status: str = ActivityStatus.HELD,
    place: Place | None = None,
) -> Row:
    topic = _choose_topic(rng, TOPICS[kind], day, used)
    place = place or rng.choice(refs.places)
    community = place.community
    grid_obj = rng.choice(place.grids)
    compound = rng.choice(place.compounds_of[grid_obj.pk])
    outdoor = topic.outdoor or (
        kind == TalkKind.CULTURE and day.month in range(5, 10) and rng.random() < 0.6
    )
    if outdoor:
        venue = rng.choice(OUTDOOR_VENUES).format(compound=compound.name)
        grid, comp = compound.grid or grid_obj, compound
    else:
        template = rng.choice(INDOOR_VENUES[kind])
        venue = template.format(community=community.name, station=grid_obj.station)
        grid, comp = (grid_obj, None) if "{station}" in template else (None, None)

    # Times: summer evenings on the square, otherwise morning or afternoon.
    if topic.evening or (outdoor and day.month in (6, 7, 8) and rng.random() < 0.6):
        start, minutes = refs.at(day, 20 if topic.evening and day.month in (6, 7) else 19, 30), 90
    elif kind == TalkKind.CULTURE:
        start, minutes = refs.at(day, rng.choice([9, 14, 15]), rng.choice([0, 30])), 120
    else:
        start = refs.at(day, *rng.choice([(9, 30), (10, 0), (15, 0), (15, 30)]))
        minutes = rng.choice([60, 90, 90, 120])

    title = topic.title
    roll = rng.random()
    if roll < 0.3:
        title = f"{title}（{compound.name if comp else community.name}）"
    elif roll < 0.45 and kind == TalkKind.THEORY:
        title = f"红骑兵宣讲团走进{community.name}：{title}"

    team_names = {
        TalkKind.THEORY: ["红骑兵宣讲团"],
        TalkKind.CULTURE: ["文润蓝天志愿服务队"],
        TalkKind.LAW: [rng.choice(["街道法律顾问团", "街道法律顾问团", "和为贵"])],
    }[kind]
    if kind == TalkKind.CULTURE and community.code == "daqingshan" and rng.random() < 0.5:
        team_names.append("益启志愿服务队")
    teams = [refs.teams[n] for n in team_names if n in refs.teams]
    pool = [m for n in team_names for m in refs.members.get(n, [])]
    speakers = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2]))) if pool else []

    summary = fill(rng, topic.summary, community=community.name, compound=compound.name)
    summary += fill(rng, rng.choice(TALK_TAILS[kind]))
    talk = PolicyTalk(
        title=title[:120],
        kind=kind,
        series=refs.series.get(topic.series),
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        community=community,
        grid=grid,
        compound=comp,
        venue=venue,
        summary=summary,
        other_speakers=topic.other_speakers if rng.random() < 0.7 else "",
        status=status,
        is_published=True,
        created_by=refs.author(community, grid),
    )
    if status == ActivityStatus.HELD:
        _audience(rng, talk, outdoor=outdoor)
    elif status == ActivityStatus.CANCELLED:
        talk.cancel_reason = TALK_CANCEL_REASONS[season_of(day)]
    scene = "stage" if kind == TalkKind.CULTURE else "talk"
    return Row(talk, {"teams": teams, "speakers": speakers}, scene=scene)


def _audience(rng: Random, talk: PolicyTalk, *, outdoor: bool) -> None:
    """Signed attendance and, for cultural events, an estimate with its method."""
    if talk.kind == TalkKind.THEORY:
        talk.attendance_signed = rng.randint(30, 120)
        if rng.random() < 0.15:
            talk.reach_estimated = talk.attendance_signed + rng.randint(5, 30)
            talk.reach_method = ReachMethod.HEADCOUNT
            talk.reach_note = "含未签到的旁听居民"
        return
    if talk.kind == TalkKind.LAW:
        talk.attendance_signed = rng.randint(20, 80)
        return
    if outdoor:
        reach = int(rng.triangular(140, 400, 220))
        method = rng.choice([ReachMethod.VENUE, ReachMethod.HEADCOUNT])
        signed = rng.randint(30, 80) if rng.random() < 0.4 else None
    else:
        reach = rng.randint(80, 180)
        method = rng.choice([ReachMethod.HEADCOUNT, ReachMethod.HEADCOUNT, ReachMethod.ONLINE])
        signed = rng.randint(int(reach * 0.5), int(reach * 0.8))
        if method == ReachMethod.ONLINE:
            signed = rng.randint(40, 70)
    talk.reach_estimated = reach
    talk.reach_method = method
    talk.attendance_signed = signed
    onsite = signed or reach // 2
    talk.reach_note = REACH_NOTES[method].format(onsite=onsite, online=max(1, reach - onsite))


def year(refs: Refs, rng: Random, *, base: bool) -> list[Row]:
    rows, used = [], Counter()
    for kind, held in TALK_PLAN.items():
        # Festival events first, on a weekend near the festival where there is one.
        festival_days = []
        for topic in TOPICS[kind]:
            window = [d for d in refs.days if topic.festival and topic.fits(d)]
            if window:
                festival_days.append(rng.choice([d for d in window if d.weekday() >= 5] or window))
        days = _talk_days(refs, kind)
        for n in range(held):
            day = festival_days[n] if n < len(festival_days) else rng.choice(days)
            rows.append(build(refs, rng, kind, day, used))
        for _ in range(TALK_CANCELLED[kind] if base else 0):
            status = ActivityStatus.CANCELLED
            rows.append(build(refs, rng, kind, rng.choice(days), used, status=status))
    return rows
