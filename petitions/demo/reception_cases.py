"""Requests registered at the held receptions (来源：下访接待), told through the case services
like the others: as many per reception as its summary says, received while it was on, in its
community (and grid, when it was held at a grid station).

What people bring fits the kind of reception: neighbours, family, wages, property management
and policy questions. A lawyer or a leader often settles a question on the spot (当场解决);
the rest are accepted, assigned and handled. Disputes raised at a mediation reception go to the
mediators who were there (with the mediator account on the case), who meet the parties once or
twice before the handler concludes. The newest are naturally still open.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from random import Random
from typing import Any

from petitions.demo.content_issues_more import ISSUES
from petitions.demo.content_petitions import MEDIATION_PLACES
from petitions.demo.content_reception import MEDIATION_NOTES, PARTIES_PRESENT, RECEPTION_ISSUES
from petitions.demo.lifecycle import (
    Texts,
    after_conclusion,
    conclusion_day,
    done,
    fields,
    fill,
    handled,
    on_the_spot,
    pick_issue,
    place_values,
    texts_of,
)
from petitions.demo.reception_schedule import HOME, Slot
from petitions.demo.refs import AREA_LEADER, COMMUNITY_SECRETARY, MEDIATOR, SECRETARY, Refs
from petitions.demo.story import Plan, Run, Story
from petitions.models import (
    Channel,
    MediationMethod,
    MediationOutcome,
    Reception,
    ReceptionKind,
)
from portal.models import Compound, Grid, TeamMember

# What people bring to each kind of reception (weights over the seeded categories).
CATEGORIES = {
    ReceptionKind.LEADER_DAY: {"物业纠纷": 4, "政策咨询": 3, "邻里纠纷": 2, "劳动纠纷": 2},
    ReceptionKind.LEGAL_ADVICE: {"劳动纠纷": 3, "婚姻家庭": 3, "政策咨询": 2, "物业纠纷": 2},
    ReceptionKind.LEGAL_OUTREACH: {"政策咨询": 2, "劳动纠纷": 1},
    ReceptionKind.MEDIATION: {"邻里纠纷": 4, "婚姻家庭": 3, "物业纠纷": 2},
}
# How often a question is settled there and then.
ON_THE_SPOT = {
    ReceptionKind.LEADER_DAY: 0.35,
    ReceptionKind.LEGAL_ADVICE: 0.6,
    ReceptionKind.LEGAL_OUTREACH: 0.6,
    ReceptionKind.MEDIATION: 0.25,
}
DISPUTES = ("邻里纠纷", "婚姻家庭")


def plans(run: Run, held: list[tuple[Reception, Slot]]) -> list[Plan]:
    rng = run.rng
    result = []
    for reception, slot in held:
        span = int((reception.ends_at - reception.starts_at).total_seconds() // 60)
        for _ in range(slot.cases):
            moment = reception.starts_at + timedelta(minutes=rng.randint(10, max(11, span - 10)))
            result.append(Plan(moment, partial(_case, reception=reception, slot=slot)))
    return result


def _place(refs: Refs, reception: Reception, rng: Random) -> tuple[Grid, Compound | None]:
    """The grid and compound the request is about: the reception's own, else one of its
    community's."""
    grid = reception.grid or rng.choice(
        [g for g in refs.grids if g.community_id == reception.community_id]
    )
    compound = reception.compound or refs.compound_in(grid, rng)
    return grid, compound


def _staff(refs: Refs, slot: Slot, grid: Grid) -> tuple[str, str, str]:
    """(registrar, manager who accepts and assigns, handler): the leader who received the
    resident takes it in hand; otherwise whoever covers the grid."""
    leaders = {p.user.username for p in slot.officials}
    if SECRETARY in leaders:
        return SECRETARY, SECRETARY, refs.handler(grid, grid_level=False)
    if AREA_LEADER in leaders and AREA_LEADER in refs.covering(grid):
        return AREA_LEADER, AREA_LEADER, refs.handler(grid, grid_level=False)
    return (
        refs.registrar(grid, prefer=COMMUNITY_SECRETARY),
        refs.manager(grid),
        refs.handler(grid),
    )


def _mediators(refs: Refs, slot: Slot, grid: Grid) -> list[TeamMember]:
    """The mediators who were at the reception, else the team that works there."""
    qualified = {m.pk for team in refs.mediators.values() for m in team}
    there = [a for a in slot.advisers if a.pk in qualified]
    if there:
        return there
    team = "邻里凤姐" if grid.community.code == HOME else "和为贵"
    return refs.mediators.get(team) or refs.mediators.get("和为贵", [])


def _case(story: Story, *, reception: Reception, slot: Slot) -> None:
    rng, refs = story.rng, story.refs
    grid, compound = _place(refs, reception, rng)
    weights = CATEGORIES[reception.kind]
    category = rng.choices(list(weights), weights=list(weights.values()))[0]
    spot = rng.random() < ON_THE_SPOT[reception.kind]
    pool = RECEPTION_ISSUES.get(category, []) + ISSUES.get(category, [])
    issue = pick_issue(rng, pool, story.day.month, spot=spot)
    values = place_values(rng, compound, grid)
    texts = texts_of(issue, values)
    spot = spot and bool(issue.spot)
    members = _mediators(refs, slot, grid)
    mediated = (
        not spot
        and category in DISPUTES
        and bool(members)
        and (reception.kind == ReceptionKind.MEDIATION or rng.random() < 0.5)
    )
    register = fields(
        story,
        channel=Channel.RECEPTION,
        category=category,
        grid=grid,
        compound=compound,
        texts=texts,
        respondent=mediated and category == "邻里纠纷",
        reception=reception,
    )
    registrar, manager, handler = _staff(refs, slot, grid)
    if spot:
        on_the_spot(story, registrar, texts, **register)
        after_conclusion(story, manager, texts, weights=(85, 15, 0))
        return
    story.register(registrar, triage="", **register)
    if mediated:
        _mediated(story, manager, handler, texts, members, values, category)
        return
    handled(story, manager=manager, handler=handler, texts=texts, publish=rng.random() < 0.04)


def _mediated(
    story: Story,
    manager: str,
    handler: str,
    texts: Texts,
    members: list[TeamMember],
    values: dict[str, Any],
    category: str,
) -> None:
    """Accepted with the mediators on the case; one or two sessions, then concluded."""
    rng = story.rng
    story.later(minutes=rng.randint(10, 60))
    story.accept(manager, note="现场受理，双方当事人同意调解")
    story.later(hours=rng.uniform(0.2, 2))
    story.assign(manager, handler, mediators=(MEDIATOR,), note="调解员参与调解")
    story.later(minutes=rng.randint(10, 120))
    story.sign()
    sessions = rng.choice([1, 2, 2])
    for n in range(sessions):
        story.workdays(rng.randint(1, 3))
        final = n == sessions - 1
        story.mediate(
            MEDIATOR,
            rng.sample(members, k=min(len(members), rng.randint(1, 2))),
            MEDIATION_NOTES[1 if final else 0],
            place=fill(rng.choice(MEDIATION_PLACES), **values),
            method=MediationMethod.FACE_TO_FACE if final else MediationMethod.SEPARATE,
            parties_present=PARTIES_PRESENT.get(category, "双方当事人"),
            outcome=MediationOutcome.ORAL if final else MediationOutcome.CONTINUE,
        )
    story.on(max(story.day, conclusion_day(story, late=False)))
    story.conclude(done(texts.result, story.day), done(texts.reply, story.day))
    after_conclusion(story, manager, texts)
