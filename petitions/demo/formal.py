"""Formal petitions (信访事项): one-stop reception by the party secretary as chief agent,
mediation by 和为贵 and 邻里凤姐 with written agreements (a few signed recently, so the 30-day
司法确认 window is open), conversations for 事心双解, extensions, refusals with reasons, a
review request, accusations (检举控告) and a case its grid worker must never see."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from petitions.demo.content_petitions import (
    ACCUSATIONS,
    DISPUTES,
    EXCLUSION_CASE,
    EXTENSION_REASONS,
    MEDIATION_PLACES,
    NOT_ACCEPTED_REASONS,
    REVIEW_CASE,
    Dispute,
)
from petitions.demo.intake import pick_grid
from petitions.demo.lifecycle import Texts, done, fields, fill, place_values
from petitions.demo.refs import GRID_WORKER, MEDIATOR, SECRETARY
from petitions.demo.story import Plan, Run, Story
from petitions.models import (
    CaseKind,
    Channel,
    MediationMethod,
    MediationOutcome,
    Person,
    Satisfaction,
)
from petitions.services import PartyData
from portal.models import Grid

PETITIONS = 24
# Not 下访接待: those cases belong to a reception activity (petitions.Reception) and are
# written by ``reception_cases``.
CHANNELS = [Channel.VISIT] * 5 + [Channel.LETTER] * 2 + [Channel.REFERRAL] * 2
HOME = "fenghuangling"  # where 邻里凤姐 works


def plans(run: Run) -> list[Plan]:
    rng, refs = run.rng, run.refs
    today = refs.today
    result = []
    for n in range(PETITIONS):
        # Three agreements signed in the last weeks; one petition still in mediation, extended;
        # one past its 60 days; the rest spread over the year.
        if n < 3:
            fate, back = "recent_agreement", rng.randint(40, 60)
        elif n == 3:
            fate, back = "extended_open", rng.randint(78, 84)
        elif n == 4:
            fate, back = "overdue", rng.randint(72, 80)
        elif n in (5, 6):
            fate, back = "extended", rng.randint(150, 330)
        elif n == 7:
            fate, back = "reviewed", rng.randint(150, 300)
        else:
            fate, back = "normal", rng.randint(14, 362)
        day = today - timedelta(days=back)
        dispute = DISPUTES[n % len(DISPUTES)]
        tell = partial(_petition, dispute=dispute, fate=fate, channel=rng.choice(CHANNELS))
        result.append(Plan(run.pick_time(_working(run, day)), tell))
    for n, reason in enumerate(NOT_ACCEPTED_REASONS):
        day = today - timedelta(days=rng.randint(20, 300))
        result.append(Plan(run.pick_time(_working(run, day)), partial(_refused, item=reason, n=n)))
    for n, item in enumerate(ACCUSATIONS):
        day = today - timedelta(days=rng.randint(120, 250) if n == 0 else rng.randint(12, 20))
        result.append(Plan(run.pick_time(_working(run, day)), partial(_accusation, item=item)))
    day = refs.cal.working_days_back(today, 3)
    result.append(Plan(run.pick_time(day), _excluded))
    return result


def _working(run: Run, day: date) -> date:
    while not run.refs.cal.is_working(day):
        day += timedelta(days=1)
    return day


def _petition(story: Story, *, dispute: Dispute, fate: str, channel: str) -> None:
    run, rng, refs = story.run, story.rng, story.refs
    grid = pick_grid(run)
    compound = refs.compound_in(grid, rng)
    values = place_values(rng, compound, grid)
    texts = Texts(
        fill(dispute.title, **values)[:80],
        fill(dispute.content, **values),
        fill(dispute.result, **values),
        fill(dispute.reply, **values),
    )
    register = fields(
        story,
        kind=CaseKind.PETITION,
        channel=channel,
        category=dispute.category,
        grid=grid,
        compound=compound,
        texts=texts,
        respondent=True,
    )
    story.register(SECRETARY, triage="", **register)
    story.workdays(rng.randint(1, 6))
    story.accept(SECRETARY, note="经审查符合受理条件，已书面告知信访人受理")
    handler = refs.handler(grid, grid_level=False)
    story.later(hours=rng.uniform(0.5, 5))
    story.assign(
        SECRETARY,
        handler,
        mediators=(MEDIATOR,),
        note=f"交{refs.profile(handler).unit}办理，和为贵调解工作室参与调解",
    )
    story.later(minutes=rng.randint(20, 240))
    story.sign()
    team = "邻里凤姐" if grid.community.code == HOME and rng.random() < 0.6 else "和为贵"
    members = refs.mediators.get(team) or refs.mediators.get("和为贵", [])
    if fate == "recent_agreement":
        # Meet so that the agreement is signed 3–25 days before today.
        last = refs.cal.working_days_back(refs.today, rng.randint(3, 17))
        gap = max(2, (last - story.day).days // len(dispute.sessions))
    else:
        gap = rng.randint(4, 12)
    session = None
    for n, text in enumerate(dispute.sessions, start=1):
        story.on(story.day + timedelta(days=gap))
        if (fate == "extended" and n == 2) or (fate == "extended_open" and n == 1):
            days = 30 if fate == "extended_open" else rng.randint(15, 30)
            story.extend(days, rng.choice(EXTENSION_REASONS))
            story.later(hours=rng.uniform(1, 8))
        final = n == len(dispute.sessions)
        if fate in ("overdue", "extended_open") and final:
            story.progress("当事人一方暂不同意调解方案，调解员继续做工作。", actor=MEDIATOR)
            return
        if not final:
            outcome = MediationOutcome.CONTINUE
        elif fate == "recent_agreement" or rng.random() < 0.75:
            outcome = MediationOutcome.AGREEMENT
        else:
            outcome = MediationOutcome.ORAL
        session = story.mediate(
            MEDIATOR,
            rng.sample(members, k=min(len(members), rng.randint(1, 2))),
            text,
            place=fill(rng.choice(MEDIATION_PLACES), **values),
            method=rng.choice(
                [MediationMethod.FACE_TO_FACE, MediationMethod.SEPARATE, MediationMethod.JOINT]
                if n < len(dispute.sessions)
                else [MediationMethod.FACE_TO_FACE, MediationMethod.JOINT]
            ),
            parties_present=f"信访人、{dispute.respondent}",
            outcome=outcome,
        )
    application = None  # (agreement, the day the parties applied for judicial confirmation)
    if session is not None and session.outcome == MediationOutcome.AGREEMENT:
        application = _agreement(story, dispute, session, members, values)
    story.later(hours=rng.uniform(2, 30))
    story.converse(rng.choice([handler, MEDIATOR]), dispute.conversation)
    story.later(hours=rng.uniform(1, 20))
    story.conclude(
        done(texts.result, story.day),
        done(texts.reply, story.day),
        dual=True,
        publish=rng.random() < 0.15,
    )
    story.workdays(rng.randint(2, 5))
    story.follow_up(SECRETARY, rng.choice([Satisfaction.SATISFIED] * 4 + [Satisfaction.BASICALLY]))
    if application is not None and application[1] is not None:
        story.judicial_application(MEDIATOR, *application)
    original = story.case
    if fate == "reviewed":
        _review(story, original, grid)
        return
    if rng.random() < 0.7:
        story.workdays(rng.randint(10, 25))
        story.archive(SECRETARY)


def _agreement(story: Story, dispute: Dispute, session, members, values) -> tuple:
    """The agreement signed at the last session; with the day the parties will apply for its
    judicial confirmation (None: they do not), which the story records when it comes."""
    rng = story.rng
    day = story.day
    run = story.run
    run.counters["agreements"] += 1
    names = "；".join(
        f"{p.get_role_display()}：{p.person.name}，住{p.person.address or '本街道'}"
        for p in story.case.parties.select_related("person")
    )
    applied_on = (
        day + timedelta(days=rng.randint(3, 12))
        if rng.random() < 0.3 and day + timedelta(days=14) < story.refs.today
        else None
    )
    agreement = story.agree(
        MEDIATOR,
        session=session,
        agreement_number=f"凤和调字〔{day.year}〕第{run.counters['agreements']:03d}号",
        signed_on=day,
        parties=names,
        facts=fill(dispute.facts, **values),
        responsibilities=dispute.responsibilities,
        terms=dispute.terms,
        performance=dispute.performance,
        mediators=list(session.mediators.all()),
    )
    return agreement, applied_on


def _review(story: Story, original, grid: Grid) -> None:
    """The petitioner asks for a review (复查) within 30 days of the answer."""
    rng = story.rng
    title, content, result, reply = REVIEW_CASE
    review = Story(story.run, story.t)
    review.workdays(rng.randint(3, 8))  # well within the 30 days allowed
    petitioner = original.parties.filter(role="petitioner").select_related("person").first()
    review.register(
        SECRETARY,
        kind=CaseKind.REVIEW,
        channel=Channel.VISIT,
        category=original.category,
        community=original.community,
        grid=original.grid,
        compound=original.compound,
        address=original.address,
        title=f"{title}（原事项 {original.number}）",
        content=content,
        triage="",
        reviews=original,
        parties=[_party_of(petitioner.person) if petitioner else story.run.people.new().party()],
    )
    review.later(hours=rng.uniform(1, 6))
    review.accept(SECRETARY, note="符合复查条件，予以受理")
    review.later(hours=rng.uniform(0.5, 3))
    review.assign(SECRETARY, SECRETARY, note="由街道党工委书记牵头复查")
    review.later(minutes=rng.randint(10, 60))
    review.sign()
    review.workdays(rng.randint(8, 15))
    review.conclude(result, reply)
    review.workdays(rng.randint(2, 5))
    review.follow_up(SECRETARY, Satisfaction.BASICALLY)
    story.t = max(story.t, review.t)
    story.workdays(rng.randint(10, 20))
    story.archive(SECRETARY)


def _party_of(person: Person) -> PartyData:
    return PartyData(
        name=person.name, phone=person.phone, id_number=person.id_number, address=person.address
    )


def _refused(story: Story, *, item: tuple[str, str, str, str], n: int) -> None:
    rng, run = story.rng, story.run
    category, title, content, reason = item
    grid = pick_grid(run)
    compound = run.refs.compound_in(grid, rng)
    values = place_values(rng, compound, grid)
    texts = Texts(fill(title, **values)[:80], fill(content, **values), "", "")
    register = fields(
        story,
        kind=CaseKind.PETITION,
        channel=Channel.VISIT if n % 2 else Channel.LETTER,
        category=category,
        grid=grid,
        compound=compound,
        texts=texts,
    )
    story.register(SECRETARY, triage="", **register)
    story.workdays(rng.randint(2, 8))
    story.reject(SECRETARY, reason)
    if n % 2 == 0:
        story.workdays(rng.randint(10, 30))
        story.archive(SECRETARY)


def _accusation(story: Story, *, item) -> None:
    """检举控告: the party secretary registers and handles it himself; nobody else ever sees
    who wrote."""
    rng, run = story.rng, story.run
    category, title, content, notes, result, reply = item
    grid = pick_grid(run)
    compound = run.refs.compound_in(grid, rng)
    values = place_values(rng, compound, grid)
    texts = Texts(fill(title, **values)[:80], fill(content, **values), result, reply)
    register = fields(
        story,
        kind=CaseKind.PETITION,
        channel=Channel.LETTER,
        category=category,
        grid=grid,
        compound=compound,
        texts=texts,
        is_accusation=True,
    )
    story.register(SECRETARY, triage="", **register)
    story.workdays(rng.randint(1, 3))
    story.accept(SECRETARY, note="检举控告类，信访人信息严格保密")
    story.later(minutes=rng.randint(10, 60))
    story.assign(SECRETARY, SECRETARY, note="由街道党工委书记指定专人核查")
    story.later(minutes=rng.randint(5, 30))
    story.sign()
    for note in notes:
        story.workdays(rng.randint(3, 8))
        story.progress(note)
    if not result:
        return  # still being looked into
    story.workdays(rng.randint(5, 15))
    story.conclude(result, reply)
    story.workdays(rng.randint(2, 5))
    story.follow_up(SECRETARY, Satisfaction.SATISFIED)


def _excluded(story: Story) -> None:
    """The grid worker is the person complained about: the case does not exist for her."""
    rng, run, refs = story.rng, story.run, story.refs
    worker = refs.profile(GRID_WORKER)
    grid = worker.grids.first() or pick_grid(run)
    compound = refs.compound_in(grid, rng)
    category, title, content, note, result, reply = EXCLUSION_CASE
    texts = Texts(title, content, result, reply)
    register = fields(
        story,
        channel=Channel.VISIT,
        category=category,
        grid=grid,
        compound=compound,
        texts=texts,
        named_staff=[refs.user(GRID_WORKER)],
    )
    manager = refs.manager(grid)
    story.register(manager, triage="", **register)
    story.later(minutes=rng.randint(10, 40))
    story.accept(manager, note="涉及网格员本人，依规回避")
    story.later(minutes=rng.randint(10, 60))
    story.assign(manager, manager)
    story.later(minutes=rng.randint(10, 60))
    story.sign()
    story.workdays(1)
    story.converse(story.handler, note)
    story.workdays(1)
    story.progress("已另派工作人员入户重新核查，低保申请材料正在整理报送。", public=True)
