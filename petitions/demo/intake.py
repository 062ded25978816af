"""Requests from the other channels over the year — visits to the one-stop window, letters,
calls, the residents' online form, grid patrols and referrals from above — and the ledger and
long-term requests that meetings and months of follow-up settle."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from petitions.demo.content_issues_more import CHANNEL_CATEGORIES, ISSUES
from petitions.demo.content_ledger import (
    LEADERSHIP_DECISIONS,
    LEDGER_ISSUES,
    LONG_TERM,
    LedgerIssue,
    LongTerm,
)
from petitions.demo.ledger import Decision, ledger, long_term, long_term_texts
from petitions.demo.lifecycle import (
    Texts,
    after_conclusion,
    fields,
    fill,
    handled,
    on_the_spot,
    pick_issue,
    place_values,
    texts_of,
)
from petitions.demo.refs import SECRETARY
from petitions.demo.story import Plan, Run, Story
from petitions.models import Channel
from portal.models import Grid

# Requests a year by channel (scale 1).
PER_CHANNEL = {
    Channel.VISIT: 45,
    Channel.LETTER: 15,
    Channel.PHONE: 60,
    Channel.ONLINE: 25,
    Channel.PATROL: 55,
    Channel.REFERRAL: 20,
}
# Street-level channels come in at the one-stop window: the party secretary, as chief agent,
# registers and assigns them; the others are logged by whoever covers the grid.
STREET_LEVEL = (Channel.VISIT, Channel.LETTER, Channel.REFERRAL)
REFERRAL_NOTE = "区12345政务服务便民热线转办"


def pick_grid(run: Run) -> Grid:
    """Requests lean to the communities where the demo accounts work."""
    grids = run.refs.grids
    weights = [2 if len(run.refs.covering(g)) > 1 else 1 for g in grids]
    return run.rng.choices(grids, weights=weights)[0]


def _moment(run: Run, channel: str, day: date) -> datetime:
    rng, refs = run.rng, run.refs
    if channel == Channel.ONLINE:
        minutes = rng.randint(6 * 60, 23 * 60 + 50)
        return refs.at(day, minutes // 60, minutes % 60)
    while not refs.cal.is_working(day):
        day += timedelta(days=1)
    return run.pick_time(day, 8 if channel == Channel.PHONE else 9, 17)


def plans(run: Run, found: list[Decision]) -> list[Plan]:
    rng, refs = run.rng, run.refs
    days = [refs.start + timedelta(days=n) for n in range(1, 366)]
    result = []
    for channel, count in PER_CHANNEL.items():
        for _ in range(count):
            day = rng.choice(days)
            result.append(Plan(_moment(run, channel, day), partial(_case, channel=channel)))
    # Ledger requests before each deliberation meeting, in its compound.
    for meeting in refs.meetings:
        issue = next(
            (i for i in LEDGER_ISSUES if re.search(i.pattern, meeting.meeting.title)), None
        )
        if issue is None or meeting.meeting.grid is None:
            continue
        for _ in range(rng.randint(1, 2)):
            day = meeting.day - timedelta(days=rng.randint(6, 40))
            if day <= refs.start:
                continue
            channel = rng.choice([Channel.VISIT, Channel.PHONE, Channel.PATROL, Channel.LETTER])
            tell = partial(_meeting_case, meeting=meeting, issue=issue, found=found)
            result.append(Plan(_moment(run, channel, day), partial(tell, channel=channel)))
    # Ledger requests the sub-district's themed meetings settled.
    for n, (_meeting, _text, pattern) in enumerate(LEADERSHIP_DECISIONS):
        issue = next(i for i in LEDGER_ISSUES if re.search(pattern, i.pattern + i.title))
        decision = next(
            (d for d in found if d.leadership is not None and d.pattern == pattern), None
        )
        if decision is None:
            continue
        day = decision.day - timedelta(days=rng.randint(5, 25))
        if day > refs.start:
            tell = partial(_themed_case, issue=issue, decision=decision, n=n)
            result.append(Plan(_moment(run, Channel.PATROL, day), tell))
    # Long-term requests; a few of them with a follow-up missed just now.
    for n in range(2 * len(LONG_TERM)):
        miss = n % 3 == 0
        item = LONG_TERM[n % len(LONG_TERM)]
        if miss:
            # Regular notes (see ``missed_after``), the last one about 1.6 intervals ago.
            notes = missed_after(item)
            back = (notes - 1) * (item.interval + 2) + 7 + int(1.6 * item.interval) + n % 4
            day = refs.today - timedelta(days=back)
        else:
            day = rng.choice(days[: len(days) * 3 // 4])
        tell = partial(_long_term_case, index=n, miss=miss)
        result.append(Plan(_moment(run, Channel.VISIT, max(day, refs.start)), tell))
    return result


def _staff(run: Run, channel: str, grid: Grid) -> tuple[str | None, str, str]:
    """(registrar, manager who accepts and assigns, handler)"""
    refs = run.refs
    if channel == Channel.ONLINE:
        return None, SECRETARY, refs.handler(grid)
    if channel in STREET_LEVEL:
        return SECRETARY, SECRETARY, refs.handler(grid, grid_level=False)
    return refs.registrar(grid), refs.manager(grid), refs.handler(grid)


def _case(story: Story, *, channel: str) -> None:
    run, rng = story.run, story.rng
    grid = pick_grid(run)
    compound = run.refs.compound_in(grid, rng)
    weights = CHANNEL_CATEGORIES[channel]
    category = rng.choices(list(weights), weights=list(weights.values()))[0]
    spot = channel in (Channel.PHONE, Channel.PATROL) and rng.random() < 0.35
    issue = pick_issue(rng, ISSUES[category], story.day.month, spot=spot)
    texts = texts_of(issue, place_values(rng, compound, grid))
    if channel == Channel.REFERRAL:
        texts.content = f"（{REFERRAL_NOTE}）{texts.content}"
    registrar, manager, handler = _staff(run, channel, grid)
    register = fields(
        story,
        channel=channel,
        category=category,
        grid=grid,
        compound=compound,
        texts=texts,
        respondent=category == "邻里纠纷" and rng.random() < 0.5,
    )
    visitor = manager if channel != Channel.ONLINE or rng.random() < 0.4 else None
    if spot and issue.spot:
        on_the_spot(story, registrar, texts, **register)
        after_conclusion(story, visitor, texts, weights=(80, 20, 0))
        return
    # Not solved on the spot: an ordinary request, without a triage class.
    story.register(registrar, triage="", **register)
    if channel == Channel.ONLINE:
        story.later(hours=rng.uniform(0.5, 20))  # read the next working morning
    handled(
        story,
        manager=manager,
        handler=handler,
        texts=texts,
        co=(manager,) if channel in STREET_LEVEL and rng.random() < 0.2 else (),
        publish=rng.random() < 0.05,
        visitor=visitor,
    )


def _ledger_texts(story: Story, issue: LedgerIssue, grid: Grid, compound: Any) -> Texts:
    """The resident's words; the result and reply come from the decision (``ledger``)."""
    values = place_values(story.rng, compound, grid)
    return Texts(fill(issue.title, **values)[:80], fill(issue.content, **values), "", "")


def _meeting_case(story: Story, *, meeting, issue, found: list[Decision], channel: str) -> None:
    run, rng = story.run, story.rng
    grid, compound = meeting.meeting.grid, meeting.meeting.compound
    texts = _ledger_texts(story, issue, grid, compound)
    registrar, manager, _handler = _staff(run, channel, grid)
    handler = run.refs.handler(grid, grid_level=False)
    first = meeting.decisions[0]
    decision = next((d for d in found if d.deliberation == first), None)
    register = fields(
        story,
        channel=channel,
        category=issue.category,
        grid=grid,
        compound=compound,
        texts=texts,
    )
    ledger(
        story,
        registrar=registrar,
        manager=manager,
        handler=handler,
        decision=decision,
        texts=texts,
        pause=rng.random() < 0.6,
        **register,
    )


def _themed_case(story: Story, *, issue, decision: Decision, n: int) -> None:
    run, rng = story.run, story.rng
    grid = pick_grid(run)
    compound = run.refs.compound_in(grid, rng)
    texts = _ledger_texts(story, issue, grid, compound)
    registrar, manager, _handler = _staff(run, Channel.PATROL, grid)
    register = fields(
        story,
        channel=Channel.PATROL,
        category=issue.category,
        grid=grid,
        compound=compound,
        texts=texts,
    )
    ledger(
        story,
        registrar=registrar,
        manager=manager,
        handler=run.refs.handler(grid, grid_level=False),
        decision=decision,
        texts=texts,
        pause=n % 2 == 0,
        **register,
    )


def missed_after(item: LongTerm) -> int:
    """How many notes a long-term case with a missed follow-up got before the gap."""
    return 1 + len(item.steps) // 2


def _long_term_case(story: Story, *, index: int, miss: bool) -> None:
    run, rng = story.run, story.rng
    item = LONG_TERM[index % len(LONG_TERM)]
    grid = pick_grid(run)
    compound = run.refs.compound_in(grid, rng)
    values = place_values(rng, compound, grid)
    texts = long_term_texts(item, values)
    steps = [fill(s, **values) for s in item.steps]
    registrar, manager, _handler = _staff(run, Channel.VISIT, grid)
    register = fields(
        story,
        channel=Channel.VISIT,
        category=item.category,
        grid=grid,
        compound=compound,
        texts=texts,
    )
    long_term(
        story,
        registrar=registrar,
        manager=manager,
        handler=run.refs.handler(grid, grid_level=False),
        steps=steps,
        texts=texts,
        interval=item.interval,
        miss_after=missed_after(item) if miss else None,
        **register,
    )
