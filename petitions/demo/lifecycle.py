"""The usual paths of a request: settled on the spot, or accepted, assigned, signed for, handled
and concluded, then the follow-up visit (with a redo when the resident is not satisfied)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from random import Random
from typing import Any

from petitions.demo.content_issues import Issue
from petitions.demo.content_petitions import DISSATISFIED_COMMENTS, PROGRESS_NOTES, REDO_NOTES
from petitions.demo.story import Story
from petitions.models import CaseKind, PartyRole, Satisfaction, Triage
from portal.models import Compound, Grid

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_BUILDING = re.compile(r"[0-9]+号楼(?:[0-9]+单元)?")


def fill(template: str, **values: Any) -> str:
    """Fill the placeholders given; leave the others (``{done}``) for later."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def done(text: str, day: date) -> str:
    return text.replace("{done}", f"{day.month}月{day.day}日")


@dataclass
class Texts:
    """A request's words: what the resident said, and the result and reply with ``{done}``."""

    title: str
    content: str
    result: str
    reply: str
    spot: str = ""


def place_values(rng: Random, compound: Compound | None, grid: Grid) -> dict[str, Any]:
    return {
        "c": compound.name if compound else grid.community.name,
        "community": grid.community.name,
        "b": rng.randint(1, 18),
        "u": rng.randint(1, 4),
        "f": rng.randint(2, 6),
    }


def texts_of(issue: Issue, values: dict[str, Any]) -> Texts:
    return Texts(
        title=fill(issue.title, **values)[:80],
        content=fill(issue.content, **values),
        result=fill(issue.result, **values),
        reply=fill(issue.reply, **values),
        spot=fill(issue.spot, **values),
    )


def pick_issue(rng: Random, issues: list[Issue], month: int, *, spot: bool = False) -> Issue:
    fitting = [i for i in issues if not i.months or month in i.months] or issues
    if spot:
        fitting = [i for i in fitting if i.spot] or fitting
    return rng.choice(fitting)


def fields(
    story: Story,
    *,
    channel: str,
    category: str,
    grid: Grid,
    compound: Compound | None,
    texts: Texts,
    kind: str = CaseKind.ORDINARY,
    respondent: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """What ``register_case`` needs but the triage class, with a petitioner from the compound
    (and the other side)."""
    people = story.run.people
    name = compound.name if compound else ""
    pk = compound.pk if compound else None
    parties = [people.petitioner(name, pk).party()]
    if respondent:
        parties.append(people.new(name, pk).party(PartyRole.RESPONDENT))
    address = compound.name if compound else ""
    if compound is not None and (found := _BUILDING.search(texts.content)):
        address = f"{compound.name}{found.group(0)}"
    return {
        "kind": kind,
        "channel": channel,
        "category": story.refs.category(category),
        "community": grid.community,
        "grid": grid,
        "compound": compound,
        "address": address,
        "title": texts.title,
        "content": texts.content,
        "parties": parties,
        **extra,
    }


def on_the_spot(story: Story, actor: str, texts: Texts, **register: Any) -> None:
    """当场解决: registered, accepted and concluded in one step at the place it was raised."""
    spot = texts.spot or done(texts.result, story.day)
    story.register(
        actor,
        triage=Triage.ON_THE_SPOT,
        on_the_spot_result=spot,
        on_the_spot_reply=f"您反映的问题已当场处理：{spot}",
        **register,
    )


def work_until(story: Story, day: date, notes: int) -> None:
    """Progress notes spread between now and the day the handler concludes."""
    start = story.day
    span = max((day - start).days, 0)
    for n in range(notes):
        if span < 2:
            break
        story.on(start + (day - start) * (n + 1) / (notes + 1))
        story.progress(story.rng.choice(PROGRESS_NOTES), public=story.rng.random() < 0.3)


def conclusion_day(story: Story, *, late: bool) -> date:
    """A working day by the deadline (or a few after it when ``late``)."""
    cal = story.refs.cal
    due = story.case.conclude_due or cal.add_working_days(story.day, 5)
    if late:
        return cal.add_working_days(due, story.rng.randint(1, 4))
    days = []
    day = story.day
    while day < due:
        day = cal.add_working_days(day, 1)
        days.append(day)
    if not days:
        return story.day
    # Most are done in the first half of the time allowed.
    return days[min(int(story.rng.triangular(0, len(days), 0)), len(days) - 1)]


def handled(
    story: Story,
    *,
    manager: str,
    handler: str,
    texts: Texts,
    co: tuple[str, ...] = (),
    late: bool | None = None,
    publish: bool = False,
    visitor: str | None = "",
    notes: int | None = None,
) -> None:
    """受理 → 交办 → 签收 → 办理 → 办结 → 回访 (→ 重办) → 归档, as far as today allows.

    An ordinary request: accepted without a triage class.
    """
    rng = story.rng
    story.later(minutes=rng.randint(10, 90))
    story.accept(manager)
    story.later(hours=rng.uniform(0.2, 3))
    story.assign(manager, handler, co=co)
    if rng.random() < 0.07:
        story.workdays(rng.randint(1, 2))  # signed the next day or later: not on time
    else:
        story.later(minutes=rng.randint(10, 200))
    story.sign()
    if late is None:
        late = rng.random() < 0.06
    day = conclusion_day(story, late=late)
    work_until(story, day, rng.choice([0, 1, 1, 2]) if notes is None else notes)
    story.on(day)
    story.conclude(done(texts.result, story.day), done(texts.reply, story.day), publish=publish)
    after_conclusion(story, manager if visitor == "" else visitor, texts)


def after_conclusion(
    story: Story,
    visitor: str | None,
    texts: Texts,
    *,
    weights: tuple[int, int, int] = (76, 21, 3),
    archiver: str = "shuji",
) -> None:
    """回访; 不满意 sends it back: the handler redoes it and it is visited again."""
    satisfaction = story.rate(weights)
    if satisfaction != Satisfaction.DISSATISFIED or story.case.handler_id is None:
        if satisfaction == Satisfaction.DISSATISFIED:
            satisfaction = Satisfaction.BASICALLY
        story.visit_and_file(visitor, satisfaction=satisfaction, archiver=archiver)
        return
    redo(story, visitor, texts)
    story.visit_and_file(visitor, satisfaction=story.rate((60, 40, 0)), archiver=archiver)


def reopen(story: Story, visitor: str | None) -> None:
    """回访 不满意 → 重办: the handler starts again."""
    rng = story.rng
    story.workdays(rng.randint(1, 3))
    story.follow_up(visitor, Satisfaction.DISSATISFIED, comment=rng.choice(DISSATISFIED_COMMENTS))
    story.later(hours=rng.uniform(1, 20))
    story.progress(rng.choice(REDO_NOTES), public=True)


def redo(story: Story, visitor: str | None, texts: Texts) -> None:
    """One round of 不满意 → 重办 → 办结."""
    reopen(story, visitor)
    story.workdays(story.rng.randint(1, 4))
    story.conclude(
        "重办后：" + done(texts.result, story.day),
        done(texts.reply, story.day),
    )
