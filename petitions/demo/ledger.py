"""台账 and 长期跟踪: requests settled by a meeting's decision, and requests followed for months.

Ledger requests wait for a decision: a deliberation meeting (人民议事协商会) of the outreach demo
on the same matter in the same community, else a decision of the sub-district's own meetings
(``LeadershipDecision``, written here: themed decisions through the year and the monthly review
of the research ledger).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from petitions.demo.content_ledger import (
    LEADERSHIP_DECISIONS,
    LEDGER_ISSUES,
    LEDGER_PAUSE,
    LEDGER_REPLY,
    LEDGER_RESULT,
    LEDGER_REVIEW_REPLY,
    LEDGER_REVIEW_RESULT,
    LongTerm,
)
from petitions.demo.lifecycle import Texts, after_conclusion, done, fill
from petitions.demo.refs import SECRETARY, Refs
from petitions.demo.story import Run, Story
from petitions.models import LeadershipDecision, Triage
from portal.models import Community

MONTHLY_REVIEW = "研究调查研究和现场办公问题台账，逐项明确责任单位、整改措施和完成时限"


@dataclass
class Decision:
    """A decision a ledger request can wait for."""

    day: date
    meeting: str  # "6月12日凤凰岭社区人民议事协商会"
    text: str
    pattern: str  # what it settles ("" = anything on the ledger)
    community_id: int | None = None
    deliberation: Any = None
    leadership: Any = None


def leadership_decisions(run: Run) -> list[LeadershipDecision]:
    """The sub-district's meetings over the year: themed decisions about every six weeks and
    a monthly review of the ledger."""
    refs, rng = run.refs, run.rng
    rows = []
    days = [refs.start + timedelta(days=20 + n * 42) for n in range(len(LEADERSHIP_DECISIONS))]
    for day, (meeting, text, _pattern) in zip(days, LEADERSHIP_DECISIONS, strict=True):
        rows.append((_weekday(refs, day), meeting, text))
    month = date(refs.start.year, refs.start.month, 1)
    while month < refs.today:
        day = _weekday(refs, month + timedelta(days=rng.randint(3, 9)))
        if refs.start < day < refs.today:
            rows.append((day, "街道党工委会议", f"{day.month}月：{MONTHLY_REVIEW}"))
        month = (month + timedelta(days=32)).replace(day=1)
    return LeadershipDecision.objects.bulk_create(
        [
            LeadershipDecision(meeting=m, held_on=d, text=t, recorded_by=refs.user(SECRETARY))
            for d, m, t in sorted(rows)
        ]
    )


def _weekday(refs: Refs, day: date) -> date:
    while not refs.cal.is_working(day):
        day += timedelta(days=1)
    return day


def decisions(refs: Refs, leadership: list[LeadershipDecision]) -> list[Decision]:
    found = []
    for meeting in refs.meetings:
        day, community = meeting.day, meeting.meeting.community.name
        label = f"{day.month}月{day.day}日{community}人民议事协商会"
        for decision in meeting.decisions:
            found.append(
                Decision(
                    day=meeting.day,
                    meeting=label,
                    text=decision.text,
                    pattern=meeting.meeting.title + decision.text,
                    community_id=meeting.meeting.community_id,
                    deliberation=decision,
                )
            )
    themes = {text: pattern for _m, text, pattern in LEADERSHIP_DECISIONS}
    for row in leadership:
        theme = themes.get(row.text, "")
        found.append(
            Decision(
                day=row.held_on,
                meeting=f"{row.held_on.month}月{row.held_on.day}日{row.meeting}",
                text=row.text.split("：", 1)[-1] if not theme else row.text,
                pattern=theme,
                leadership=row,
            )
        )
    return found


def matching(
    found: list[Decision], text: str, community: Community, after: date, *, ledger_only=False
) -> Decision | None:
    """The first decision after ``after`` on this matter: a deliberation in the community, a
    themed decision of the sub-district, else the next monthly ledger review."""
    later = [d for d in found if after + timedelta(days=2) <= d.day <= after + timedelta(days=75)]
    for d in later:
        if d.deliberation is None or d.community_id != community.pk:
            continue
        if any(
            re.search(i.pattern, d.pattern) and re.search(i.pattern, text) for i in LEDGER_ISSUES
        ):
            return d
    for d in later:
        if d.leadership is not None and d.pattern and re.search(d.pattern, text):
            return d
    if ledger_only:
        return None
    return next((d for d in later if d.leadership is not None and not d.pattern), None)


def ledger(
    story: Story,
    *,
    registrar: str,
    manager: str,
    handler: str,
    decision: Decision | None,
    texts: Texts,
    pause: bool,
    **register: Any,
) -> None:
    """登记 → 受理 → 交办 → 签收 → (中止计时) → 会议决定 → (恢复计时) → 办结 → 回访."""
    rng = story.rng
    story.register(registrar, triage=Triage.LEDGER, **register)
    story.later(minutes=rng.randint(20, 120))
    story.accept(manager, note="列入问题台账")
    story.later(hours=rng.uniform(0.5, 4))
    story.assign(manager, handler)
    story.later(minutes=rng.randint(10, 180))
    story.sign()
    story.later(hours=rng.uniform(2, 30))
    if decision is not None and decision.deliberation is not None:
        story.refer(manager, decision.deliberation.deliberation)
    story.progress("已列入问题台账，提交会议集体研究。", public=True)
    if decision is None:
        return  # still waiting for a meeting
    if pause:
        story.pause(manager, LEDGER_PAUSE)
    story.on(story.refs.cal.add_working_days(decision.day, rng.randint(0, 2)))
    story.decide(
        manager if decision.deliberation is not None else SECRETARY,
        deliberation=decision.deliberation,
        leadership=decision.leadership,
    )
    if pause:
        story.later(minutes=rng.randint(5, 60))
        story.resume(handler)
    story.workdays(rng.randint(2, 8))
    values = {"meeting": decision.meeting, "decision": decision.text.rstrip("。")}
    review = decision.leadership is not None and not decision.pattern
    texts.result = fill(LEDGER_REVIEW_RESULT if review else LEDGER_RESULT, **values)
    texts.reply = fill(LEDGER_REVIEW_REPLY if review else LEDGER_REPLY, **values)
    story.conclude(done(texts.result, story.day), done(texts.reply, story.day))
    after_conclusion(story, manager, texts)


def long_term_texts(item: LongTerm, values: dict[str, Any]) -> Texts:
    return Texts(
        title=fill(item.title, **values)[:80],
        content=fill(item.content, **values),
        result=fill(item.result, **values),
        reply=fill(item.reply, **values),
    )


def long_term(
    story: Story,
    *,
    registrar: str,
    manager: str,
    handler: str,
    steps: list[str],
    texts: Texts,
    interval: int,
    miss_after: int | None = None,
    **register: Any,
) -> None:
    """长期跟踪: progress notes about every ``interval`` days until 100 %, then 办结.

    ``miss_after``: after that many notes the next one comes much too late, so while today
    falls in that gap the case is listed as a missed follow-up.
    """
    rng = story.rng
    story.register(registrar, triage=Triage.LONG_TERM, followup_interval_days=interval, **register)
    story.later(minutes=rng.randint(20, 120))
    story.accept(manager, note="列入长期跟踪")
    story.later(hours=rng.uniform(0.5, 4))
    story.assign(manager, handler)
    story.later(minutes=rng.randint(10, 180))
    story.sign()
    for n, note in enumerate(steps, start=1):
        if miss_after is None:
            gap = interval - rng.randint(0, max(1, interval // 4))
        else:  # on the dot until the gap (the plan counted on it), then far too late
            gap = interval if n <= miss_after else interval * 3
        story.on(story.day + timedelta(days=gap if n > 1 else rng.randint(1, 5)))
        story.progress(fill(note), percent=min(95, n * 100 // (len(steps) + 1)), public=True)
    story.on(story.day + timedelta(days=interval - rng.randint(0, 3)))
    story.progress("各项工作已完成，转入办结。", percent=100, public=True)
    story.later(hours=rng.uniform(1, 24))
    story.conclude(
        done(texts.result, story.day),
        done(texts.reply, story.day),
        publish=story.rng.random() < 0.5,
    )
    after_conclusion(story, manager, texts)
