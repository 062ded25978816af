"""Requests taken at on-site office sessions (现场办公): a few per held session, never more
than its summary says were collected, most settled there and then or within days and visited
(满意 / 基本满意) — the "410+ requests solved" of the year."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial

from outreach.models import OnsiteSession
from petitions.demo.content_issues_more import ISSUES
from petitions.demo.lifecycle import (
    after_conclusion,
    fields,
    handled,
    on_the_spot,
    pick_issue,
    place_values,
    texts_of,
)
from petitions.demo.research import category_of
from petitions.demo.story import Plan, Run, Story
from petitions.models import Channel

TARGET = 465
PER_SESSION = 4  # at most, when the summary gives no figure
_COUNT = re.compile(r"([0-9]+)\s*(?:件|条)")


def _counts(run: Run) -> dict[int, int]:
    """Cases per session: the figure in its summary caps it; spread to reach ``TARGET``."""
    rng = run.rng
    sessions = run.refs.sessions
    caps, counts = {}, {}
    for session in sessions:
        found = _COUNT.search(session.summary or "")
        caps[session.pk] = int(found.group(1)) if found else PER_SESSION
        counts[session.pk] = min(caps[session.pk], rng.choice([1, 1, 2, 2, 2]))
    room = [s.pk for s in sessions for _ in range(caps[s.pk] - counts[s.pk])]
    rng.shuffle(room)
    for pk in room[: max(0, TARGET - sum(counts.values()))]:
        counts[pk] += 1
    return counts


def plans(run: Run) -> list[Plan]:
    rng = run.rng
    counts = _counts(run)
    result = []
    for session in run.refs.sessions:
        for _ in range(counts[session.pk]):
            moment = session.starts_at + timedelta(minutes=rng.randint(5, 110))
            result.append(Plan(moment, partial(_case, session=session)))
    return result


def _case(story: Story, *, session: OnsiteSession) -> None:
    rng, refs = story.rng, story.refs
    grid = session.grid
    compound = session.compound or refs.compound_in(grid, rng)
    hint = session.summary if rng.random() < 0.7 else ""
    category = category_of(hint, Channel.ONSITE, rng)
    spot = rng.random() < 0.58
    issue = pick_issue(rng, ISSUES[category], story.day.month, spot=spot)
    texts = texts_of(issue, place_values(rng, compound, grid))
    register = fields(
        story,
        channel=Channel.ONSITE,
        category=category,
        grid=grid,
        compound=compound,
        texts=texts,
        onsite_session=session,
    )
    registrar, manager = refs.registrar(grid), refs.manager(grid)
    if spot and issue.spot:
        on_the_spot(story, registrar, texts, **register)
        after_conclusion(story, manager, texts, weights=(82, 18, 0))
        return
    story.register(registrar, triage="", **register)
    handled(
        story,
        manager=manager,
        handler=refs.handler(grid),
        texts=texts,
        publish=rng.random() < 0.03,
        late=rng.random() < 0.04,
    )
