"""Where things stand today, on purpose: cases waiting for the grid worker's and the community
secretary's sign-for, bounced and reassigned cases, overdue ones (two under supervision by the
district's inspector), some due in the next days, redos after 不满意 and one redone three times
and so put under supervision (督办)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from petitions.demo.content_issues_more import ISSUES
from petitions.demo.content_petitions import BOUNCE_REASONS, SUPERVISE_NOTES
from petitions.demo.lifecycle import (
    Texts,
    done,
    fields,
    pick_issue,
    place_values,
    redo,
    reopen,
    texts_of,
    work_until,
)
from petitions.demo.refs import (
    AREA_LEADER,
    COMMUNITY_SECRETARY,
    GRID_WORKER,
    MEDIATOR,
    SECRETARY,
)
from petitions.demo.story import Plan, Run, Story
from petitions.models import Channel, Satisfaction
from portal.models import Grid


def _grids_of(run: Run, handler: str) -> list[Grid]:
    """Grids whose everyday handler is this account."""
    return [g for g in run.refs.grids if run.refs.handler(g) == handler] or run.refs.grids


def _texts(story: Story, grid: Grid, category: str, keyword: str = "") -> tuple[Texts, dict]:
    rng = story.rng
    compound = story.refs.compound_in(grid, rng)
    issues = [i for i in ISSUES[category] if keyword in i.title] or ISSUES[category]
    issue = pick_issue(rng, issues, story.day.month)
    texts = texts_of(issue, place_values(rng, compound, grid))
    return texts, {"grid": grid, "compound": compound, "category": category}


def _open(
    story: Story,
    *,
    handler: str,
    category: str,
    channel: str = Channel.PHONE,
    grid: Grid | None = None,
    keyword: str = "",
) -> Texts:
    """登记 → 受理 → 交办 to ``handler``; the caller decides what happens next."""
    run, rng, refs = story.run, story.rng, story.refs
    grid = grid or rng.choice(_grids_of(run, handler))
    texts, where = _texts(story, grid, category, keyword)
    street = channel in (Channel.VISIT, Channel.LETTER, Channel.ONLINE)
    registrar = refs.registrar(grid)
    if street:
        registrar = None if channel == Channel.ONLINE else SECRETARY
    manager = SECRETARY if street else refs.manager(grid)
    # An ordinary request: no triage class (当场解决 means concluded at capture).
    story.register(registrar, triage="", **fields(story, channel=channel, texts=texts, **where))
    story.later(minutes=rng.randint(10, 60))
    story.accept(manager)
    story.later(minutes=rng.randint(20, 120))
    story.assign(manager, handler)
    return texts


def plans(run: Run) -> list[Plan]:
    refs, rng = run.refs, run.rng
    cal, today = refs.cal, refs.today
    last = cal.working_days_back(today, 1)
    result = []

    def add(day: date, tell, start: int = 9, end: int = 11) -> None:
        result.append(Plan(run.pick_time(day, start, end), tell))

    # 我的待签收: fresh for the grid worker and the community secretary, one late.
    for handler, channel in [
        (GRID_WORKER, Channel.PHONE),
        (GRID_WORKER, Channel.PATROL),
        (COMMUNITY_SECRETARY, Channel.VISIT),
        (COMMUNITY_SECRETARY, Channel.PHONE),
        (COMMUNITY_SECRETARY, Channel.ONLINE),
    ]:
        add(last, partial(_awaiting, handler=handler, channel=channel))
    add(cal.working_days_back(today, 3), partial(_awaiting, handler=GRID_WORKER, channel="phone"))
    # 退单 then 改派: two long settled, one waiting for the new handler now.
    add(today - timedelta(days=rng.randint(30, 60)), partial(_bounced, n=0, settle=True))
    add(today - timedelta(days=rng.randint(80, 150)), partial(_bounced, n=2, settle=True))
    add(last, partial(_bounced, n=1, settle=False), 9, 10)
    # Overdue, two of them under the inspector's supervision; and some due in the next days.
    for n, category in enumerate(["环境卫生", "市政设施", "消防通道/停车", "供暖供水", "物业纠纷"]):
        back = rng.randint(12, 30)
        add(cal.working_days_back(today, back), partial(_overdue, category=category, n=n))
    for n, (category, length) in enumerate([("市政设施", 7), ("物业纠纷", 10), ("其他", 5)]):
        day = cal.working_days_back(today, length - n % 2)
        add(day, partial(_due_soon, category=category))
    # 重办: two being redone now, one redone three times and so under supervision.
    for category in ("邻里纠纷", "物业纠纷"):
        add(
            cal.working_days_back(today, rng.randint(14, 18)), partial(_reopened, category=category)
        )
    add(today - timedelta(days=rng.randint(55, 65)), _three_redos)
    return result


def _awaiting(story: Story, *, handler: str, channel: str) -> None:
    category = story.rng.choice(["环境卫生", "市政设施", "物业纠纷", "消防通道/停车"])
    _open(story, handler=handler, category=category, channel=channel)


def _bounced(story: Story, *, n: int, settle: bool) -> None:
    """The handler sends it back with a reason; it is assigned to someone else."""
    rng, refs = story.rng, story.refs
    first = GRID_WORKER if n != 2 else COMMUNITY_SECRETARY
    category = "供暖供水" if n != 2 else "物业纠纷"
    grid = rng.choice(_grids_of(story.run, first))
    texts = _open(story, handler=first, category=category, grid=grid, keyword="暖气")
    story.later(minutes=rng.randint(20, 180))
    story.bounce(BOUNCE_REASONS[1] if n == 2 else BOUNCE_REASONS[0])
    story.later(minutes=rng.randint(20, 120))
    manager = refs.manager(grid)
    if n == 2:
        story.assign(SECRETARY, AREA_LEADER, mediators=(MEDIATOR,), note="改派，调解员参与")
    else:
        story.assign(manager, AREA_LEADER, note="改派街道包片领导协调热力公司")
    if not settle:
        return
    story.later(minutes=rng.randint(10, 90))
    story.sign()
    work_until(story, story.refs.cal.add_working_days(story.day, 3), 1)
    story.workdays(rng.randint(1, 2))
    story.conclude(done(texts.result, story.day), done(texts.reply, story.day))
    story.workdays(rng.randint(1, 3))
    story.follow_up(manager, Satisfaction.SATISFIED)


def _overdue(story: Story, *, category: str, n: int) -> None:
    rng = story.rng
    handler = [GRID_WORKER, COMMUNITY_SECRETARY, AREA_LEADER, SECRETARY, COMMUNITY_SECRETARY][n]
    _open(story, handler=handler, category=category, channel=Channel.PHONE)
    story.later(minutes=rng.randint(10, 120))
    story.sign()
    story.workdays(rng.randint(1, 3))
    story.progress("责任单位表示需协调施工队伍，暂未完成。")
    if n < 2:
        story.on(story.refs.cal.add_working_days(story.case.conclude_due, rng.randint(2, 4)))
        story.supervise(SECRETARY, SUPERVISE_NOTES[n])


def _due_soon(story: Story, *, category: str) -> None:
    handler = story.rng.choice([GRID_WORKER, COMMUNITY_SECRETARY, AREA_LEADER])
    _open(story, handler=handler, category=category)
    story.later(minutes=story.rng.randint(10, 120))
    story.sign()
    story.workdays(1)
    story.progress("已联系责任单位，正在处理中。", public=True)


def _conclude(story: Story, texts: Texts, *, late_days: tuple[int, int]) -> None:
    story.workdays(story.rng.randint(*late_days))
    story.conclude(done(texts.result, story.day), done(texts.reply, story.day))


def _reopened(story: Story, *, category: str) -> None:
    """Concluded, rated 不满意 a few days ago, and being redone now."""
    rng = story.rng
    handler = rng.choice([COMMUNITY_SECRETARY, AREA_LEADER])
    texts = _open(story, handler=handler, category=category, channel=Channel.VISIT)
    story.later(minutes=rng.randint(10, 90))
    story.sign()
    _conclude(story, texts, late_days=(4, 6))
    reopen(story, SECRETARY)


def _three_redos(story: Story) -> None:
    """Three times rated 不满意: the third redo puts it under supervision (督办)."""
    rng = story.rng
    texts = _open(story, handler=COMMUNITY_SECRETARY, category="老旧小区改造")
    story.later(minutes=rng.randint(10, 90))
    story.sign()
    _conclude(story, texts, late_days=(5, 8))
    for _ in range(2):
        redo(story, SECRETARY, texts)
    reopen(story, SECRETARY)
    story.later(hours=rng.uniform(2, 20))
    story.progress("列入督办后，街道城建办牵头委托专业单位查勘，制定彻底维修方案。", public=True)
