"""Research visits (调查研究): the party secretary's visiting days, daily household visits and
focused research on a theme, each held visit with its 民情日志."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

from outreach.demo.content_research import (
    DIARY_MOODS,
    DIARY_PROBLEMS,
    THEME_TEXT,
    VISIT_CANCEL_REASONS,
)
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
    who,
)
from outreach.demo.rows import Row
from outreach.models import ActivityStatus, FieldVisit, VisitKind, Weekday
from portal.models import Compound

VISIT_PLAN = {VisitKind.SECRETARY_DAY: 20, VisitKind.DAILY: 26, VisitKind.FOCUSED: 14}


def _diary(rng: Random, day: date, compound: Compound, households: int) -> tuple[str, int, int]:
    """民情日志 text, number of problems, number solved on the spot."""
    fitting = [p for p in DIARY_PROBLEMS if not p[3] or day.month in p[3]]
    picked = rng.sample(fitting, k=rng.randint(2, 4))
    lines = [f"{day.month}月{day.day}日，走访{compound.name}，入户{households}户。发现问题："]
    solved = 0
    for n, (problem, klass, handling, _months) in enumerate(picked, start=1):
        text = problem.format(
            c=compound.name, b=rng.randint(1, 18), u=rng.randint(1, 4), k=rng.randint(3, 12)
        )
        lines.append(f"{n}. {text}。【{klass}】{handling}。")
        solved += klass == "当场解决"
    lines.append(rng.choice(DIARY_MOODS))
    return "\n".join(lines), len(picked), solved


def build(
    refs: Refs,
    rng: Random,
    kind: str,
    day: date,
    place: Place,
    *,
    status: str = ActivityStatus.HELD,
    compound: Compound | None = None,
) -> Row:
    community = place.community
    compound = compound or rng.choice(place.compounds)
    grid = compound.grid
    code = community.code
    theme_names = list(THEME_TEXT)
    theme = rng.choice(theme_names)
    themes = [theme]
    if rng.random() < 0.3:
        themes.append(rng.choice([t for t in theme_names if t != theme]))
    theme_title, theme_sentence = THEME_TEXT[theme]

    profiles = refs.profiles
    if kind == VisitKind.SECRETARY_DAY:
        lead = profiles[SECRETARY]
        start, minutes = refs.at(day, 9, 0), 150
        title = f"书记亲民走访日：走进{compound.name}"
    elif kind == VisitKind.FOCUSED:
        lead = profiles[AREA_LEADER] if code in AREA_COMMUNITIES else profiles[SECRETARY]
        start, minutes = refs.at(day, rng.choice([9, 14]), 30), rng.choice([150, 180])
        title = f"{community.name}{theme_title}（集中调研）"
    else:
        if code == HOME_COMMUNITY:
            lead = profiles[GRID_WORKER] if grid and grid.name == HOME_GRID else None
            lead = lead or profiles[COMMUNITY_SECRETARY]
        elif code in AREA_COMMUNITIES:
            lead = profiles[AREA_LEADER]
        else:
            lead = profiles[SECRETARY]
        start = refs.at(day, *rng.choice([(9, 30), (10, 0), (15, 0), (15, 30)]))
        minutes = rng.choice([90, 120])
        title = f"{compound.name}{theme_title}"

    participants = []
    if code == HOME_COMMUNITY:
        participants.append(profiles[COMMUNITY_SECRETARY])
        if grid is not None and grid.name == HOME_GRID:
            participants.append(profiles[GRID_WORKER])
    if code in AREA_COMMUNITIES and kind != VisitKind.DAILY:
        participants.append(profiles[AREA_LEADER])
    participants = [p for p in dict.fromkeys(participants) if p != lead]

    households = rng.randint(5, 15) if kind == VisitKind.DAILY else rng.randint(12, 30)
    diary, found, solved = _diary(rng, day, compound, households)
    lead_label = who([lead], refs)
    if solved == found:
        outcome = "均已当场解决"
    elif solved:
        outcome = f"{solved}条当场解决，其余登记为诉求跟踪办理"
    else:
        outcome = "已登记为诉求跟踪办理"
    if kind == VisitKind.SECRETARY_DAY:
        opening = f"书记亲民走访日，{lead_label}深入{compound.name}"
    else:
        opening = f"{lead_label}带队走访{compound.name}"
    summary = f"{opening}，{theme_sentence}。入户{households}户，收集意见建议{found}条，{outcome}。"
    visit = FieldVisit(
        title=title[:120],
        kind=kind,
        lead_official=lead,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        community=community,
        grid=grid,
        compound=compound,
        venue=compound.name,
        summary=summary,
        status=status,
        is_published=True,
        created_by=refs.author(community, grid),
    )
    if status == ActivityStatus.HELD:
        visit.households_visited = households
        visit.diary = diary
    else:
        visit.summary = f"{lead_label}计划走访{compound.name}，{theme_sentence}。"
        if status == ActivityStatus.CANCELLED:
            season = season_of(day) if rng.random() < 0.6 else "any"
            visit.cancel_reason = VISIT_CANCEL_REASONS[season]
    m2m = {"participants": participants, "themes": [refs.themes[t] for t in themes]}
    return Row(visit, m2m, scene="visit")


def year(refs: Refs, rng: Random, *, base: bool) -> list[Row]:
    rows = []
    workdays = [d for d in refs.days if d.weekday() < 4 and not is_holiday(d)]
    fridays = [d for d in refs.days if d.weekday() == Weekday.FRIDAY and not is_holiday(d)]
    # 书记亲民走访日: spread over the year, each community in turn.
    count = VISIT_PLAN[VisitKind.SECRETARY_DAY]
    step = max(1, len(fridays) // count)
    secretary_days = [
        fridays[min(len(fridays) - 1, n * step + rng.randint(0, step - 1))] for n in range(count)
    ]
    order = list(refs.places)
    rng.shuffle(order)
    for n, day in enumerate(secretary_days):
        rows.append(build(refs, rng, VisitKind.SECRETARY_DAY, day, order[n % len(order)]))
    # Daily visits lean to the communities with staff accounts; focused ones go everywhere.
    weights = [3 if p.community.code in AREA_COMMUNITIES else 1 for p in refs.places]
    for _ in range(VISIT_PLAN[VisitKind.DAILY]):
        place = rng.choices(refs.places, weights=weights)[0]
        rows.append(build(refs, rng, VisitKind.DAILY, rng.choice(workdays), place))
    for _ in range(VISIT_PLAN[VisitKind.FOCUSED]):
        place = rng.choice(refs.places)
        rows.append(build(refs, rng, VisitKind.FOCUSED, rng.choice(workdays), place))
    if base:
        for kind in VisitKind.values:
            day = rng.choice(fridays if kind == VisitKind.SECRETARY_DAY else workdays)
            place = rng.choice(refs.places)
            rows.append(build(refs, rng, kind, day, place, status=ActivityStatus.CANCELLED))
    return rows
