"""Problems found on research visits (调查研究): every problem a held visit's 民情日志 lists
becomes a case in the visit's compound, handled the way the diary says (当场解决 / 列入台账 /
长期跟踪), and further small matters raised on the same visits bring the year past 200+ solved."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial
from typing import Any

from django.utils import timezone

from outreach.models import FieldVisit
from petitions.demo.content_issues_more import CHANNEL_CATEGORIES, ISSUES, KEYWORDS
from petitions.demo.ledger import Decision, ledger, matching
from petitions.demo.lifecycle import (
    Texts,
    after_conclusion,
    fields,
    handled,
    on_the_spot,
    pick_issue,
    place_values,
    texts_of,
)
from petitions.demo.story import Plan, Run, Story
from petitions.models import Channel, Triage

# Research cases to aim for in a year; the diaries give about three a visit, small matters
# raised on the same visits make up the rest.
TARGET = 245
DIARY_LINE = re.compile(r"^[0-9]+\.\s*(.+?)。【(当场解决|列入台账|长期跟踪)】(.+?)。?$")


def category_of(text: str, channel: str, rng: Any) -> str:
    for pattern, category in KEYWORDS:
        if re.search(pattern, text):
            return category
    weights = CHANNEL_CATEGORIES[channel]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def diary_problems(visit: FieldVisit) -> list[tuple[str, str, str]]:
    """(problem, class, handling) from the visit's 民情日志, if it keeps the usual layout."""
    found = []
    for line in (visit.diary or "").splitlines():
        if match := DIARY_LINE.match(line.strip()):
            found.append(match.groups())
    return found


def plans(run: Run, found: list[Decision]) -> list[Plan]:
    rng = run.rng
    visits = run.refs.visits
    problems = {v.pk: diary_problems(v) for v in visits}
    extra = dict.fromkeys(problems, 0)
    missing = TARGET - sum(len(p) for p in problems.values())
    for _ in range(max(0, missing)):
        if visits:
            extra[rng.choice(visits).pk] += 1
    result = []
    for visit in visits:
        start = visit.starts_at
        items = [("diary", p) for p in problems[visit.pk]] + [("extra", None)] * extra[visit.pk]
        for n, (source, problem) in enumerate(items, start=1):
            moment = start + timedelta(minutes=n * rng.randint(8, 20))
            if source == "diary":
                tell = partial(_diary_case, visit=visit, problem=problem, found=found)
            else:
                tell = partial(_extra_case, visit=visit)
            result.append(Plan(moment, tell))
    return result


def _common(story: Story, visit: FieldVisit) -> tuple[str, str, str]:
    """registrar (the visit's lead if the grid is theirs), manager and grid-level handler"""
    refs = story.refs
    lead = visit.lead_official.user.username if visit.lead_official_id else None
    return refs.registrar(visit.grid, lead), refs.manager(visit.grid), refs.handler(visit.grid)


def _diary_case(
    story: Story, *, visit: FieldVisit, problem: tuple[str, str, str], found: list[Decision]
) -> None:
    text, klass, handling = problem
    rng = story.rng
    registrar, manager, handler = _common(story, visit)
    title = text.split("，")[0][:80]
    when = timezone.localtime(visit.starts_at)
    visited = f"{when.month}月{when.day}日走访{visit.compound.name if visit.compound else ''}"
    texts = Texts(
        title=title,
        content=f"{visited}时，居民反映：{text}。",
        result=f"经现场核实，{text}。处理情况：{handling}，已于{{done}}办理完毕。",
        reply=f"您在{visited}时反映的问题已办理：{handling}。",
        spot=f"{handling}。",
    )
    register = fields(
        story,
        channel=Channel.RESEARCH,
        category=category_of(text, Channel.RESEARCH, rng),
        grid=visit.grid,
        compound=visit.compound,
        texts=texts,
        field_visit=visit,
    )
    if klass == "当场解决":
        on_the_spot(story, registrar, texts, **register)
        after_conclusion(story, manager, texts, weights=(80, 20, 0))
        return
    if klass == "长期跟踪":
        story.register(registrar, triage=Triage.LONG_TERM, followup_interval_days=30, **register)
        story.later(minutes=rng.randint(20, 120))
        story.accept(manager, note="列入长期跟踪")
        story.later(hours=rng.uniform(0.5, 4))
        story.assign(manager, handler)
        story.later(minutes=rng.randint(10, 180))
        story.sign()
        for percent in (30, 60, 100):
            story.on(story.day + timedelta(days=rng.randint(20, 30)))
            story.progress(
                f"跟踪落实：{handling}（完成约{percent}%）。", percent=percent, public=True
            )
        story.later(hours=rng.uniform(1, 24))
        story.conclude(
            f"经持续跟踪，{handling}，于{story.day.month}月{story.day.day}日全部落实。",
            f"您反映的问题经持续跟踪已落实：{handling}。",
        )
        after_conclusion(story, manager, texts)
        return
    decision = matching(found, text, visit.community, story.day)
    ledger(
        story,
        registrar=registrar,
        manager=manager,
        handler=story.refs.handler(visit.grid, grid_level=False),
        decision=decision,
        texts=texts,
        pause=rng.random() < 0.5,
        **register,
    )


def _extra_case(story: Story, *, visit: FieldVisit) -> None:
    rng = story.rng
    registrar, manager, handler = _common(story, visit)
    category = category_of("", Channel.RESEARCH, rng)
    spot = rng.random() < 0.65
    issue = pick_issue(rng, ISSUES[category], story.day.month, spot=spot)
    texts = texts_of(issue, place_values(rng, visit.compound, visit.grid))
    register = fields(
        story,
        channel=Channel.RESEARCH,
        category=category,
        grid=visit.grid,
        compound=visit.compound,
        texts=texts,
        field_visit=visit,
    )
    publish = rng.random() < 0.04
    if spot and issue.spot:
        on_the_spot(story, registrar, texts, **register)
        after_conclusion(story, manager, texts, weights=(80, 20, 0))
        return
    # Not settled there and then, but a matter of days: an ordinary request (no class), handed
    # to the grid's staff with the category's working-day limit.
    story.register(registrar, triage="", **register)
    handled(story, manager=manager, handler=handler, texts=texts, publish=publish)
