"""``--scale N`` for benchmarks: (N - 1) times the year's cases again, bulk-inserted.

These are plain settled requests — concluded at capture (当场解决) or assigned, signed for and
concluded within the limit — most of them visited. Each gets its number from ``CaseSequence``,
a unique tracking code, its deadlines from the rules (same arithmetic as
``petitions.deadlines``), a petitioner, and a timeline of 登记 and 办结 (and 回访 with its
``FollowUp`` when visited). Nothing goes through the services: 100 000 cases take minutes, not
hours.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from outreach.models import ActivityStatus, FieldVisit, OnsiteSession
from petitions.demo.content_issues_more import CHANNEL_CATEGORIES, ISSUES
from petitions.demo.lifecycle import done, pick_issue, place_values, texts_of
from petitions.demo.refs import SECRETARY
from petitions.demo.story import Run
from petitions.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseParty,
    CaseSequence,
    CaseStatus,
    Channel,
    DeadlineRule,
    DeadlineStage,
    DeadlineUnit,
    EventKind,
    FollowUp,
    PartyRole,
    Person,
    Reception,
    Satisfaction,
    Triage,
)
from petitions.services import new_tracking_code

BATCH = 4000
CHANNEL_WEIGHTS = {
    Channel.RESEARCH: 24,
    Channel.ONSITE: 46,
    Channel.RECEPTION: 6,
    Channel.PHONE: 8,
    Channel.PATROL: 8,
    Channel.VISIT: 6,
    Channel.ONLINE: 4,
    Channel.LETTER: 2,
    Channel.REFERRAL: 2,
}


@dataclass
class Rules:
    """The ordinary kind's limits: conclusion per category (or general) and sign-for."""

    conclude: dict[int | None, DeadlineRule]
    sign: DeadlineRule | None

    @classmethod
    def load(cls) -> Rules:
        rules = DeadlineRule.objects.filter(kind=CaseKind.ORDINARY)
        return cls(
            conclude={r.category_id: r for r in rules if r.stage == DeadlineStage.CONCLUDE},
            sign=next((r for r in rules if r.stage == DeadlineStage.SIGN), None),
        )


def _add(run: Run, start: date, rule: DeadlineRule | None) -> date | None:
    if rule is None:
        return None
    if rule.unit == DeadlineUnit.WORKING:
        return run.refs.cal.add_working_days(start, rule.length)
    return start + timedelta(days=rule.length)


def _activities(model: Any, run: Run) -> list[dict]:
    now = run.horizon
    held = model.objects.filter(status=ActivityStatus.HELD, starts_at__lt=now)
    if model is not Reception:  # receptions may be held off the grid (a community hall)
        held = held.filter(grid__isnull=False)
    return list(
        held.values("pk", "starts_at", "community_id", "grid_id", "compound_id").order_by("pk")
    )


def _where(run: Run, channel: str, sources: dict[str, list[dict]]) -> dict[str, Any]:
    rng, refs = run.rng, run.refs
    pool = sources.get(channel)
    if pool:
        activity = rng.choice(pool)
        grid_id, compound_id = activity["grid_id"], activity["compound_id"]
        if grid_id is None:
            grid = rng.choice([g for g in refs.grids if g.community_id == activity["community_id"]])
            compound = refs.compound_in(grid, rng)
            grid_id, compound_id = grid.pk, compound.pk if compound else None
        return {
            "moment": activity["starts_at"] + timedelta(minutes=rng.randint(5, 110)),
            "grid_id": grid_id,
            "compound_id": compound_id,
            "community_id": activity["community_id"],
            "activity": activity["pk"],
        }
    grid = rng.choice(refs.grids)
    compound = refs.compound_in(grid, rng)
    day = refs.start + timedelta(days=rng.randint(1, 364))
    while not refs.cal.is_working(day):
        day += timedelta(days=1)
    return {
        "moment": run.pick_time(day),
        "grid_id": grid.pk,
        "compound_id": compound.pk if compound else None,
        "community_id": grid.community_id,
        "activity": None,
    }


def add_cases(run: Run, count: int) -> int:
    """Insert ``count`` settled cases; returns how many were written."""
    if count <= 0:
        return 0
    rng, refs = run.rng, run.refs
    rules = Rules.load()
    sources = {
        Channel.RESEARCH: _activities(FieldVisit, run),
        Channel.ONSITE: _activities(OnsiteSession, run),
        Channel.RECEPTION: _activities(Reception, run),
    }
    grids = {g.pk: g for g in refs.grids}
    compounds = {c.pk: c for cs in refs.compounds_of_grid.values() for c in cs}
    # Residents who have asked before: each new case gets its own record of them.
    persons = list(Person.objects.values("name", "phone", "id_number", "address")[:5000])
    channels = list(CHANNEL_WEIGHTS)
    weights = list(CHANNEL_WEIGHTS.values())
    plans = []
    for _ in range(count):
        channel = rng.choices(channels, weights=weights)[0]
        where = _where(run, channel, sources)
        if where["moment"] < run.horizon - timedelta(days=2):
            plans.append((where["moment"], channel, where))
    plans.sort(key=lambda p: p[0])
    numbers = _numbers([timezone.localtime(m).year for m, _c, _w in plans])
    written = 0
    for start in range(0, len(plans), BATCH):
        chunk = plans[start : start + BATCH]
        written += _write(
            run, rules, chunk, numbers[start : start + BATCH], grids, compounds, persons
        )
    return written


def _numbers(years: list[int]) -> list[str]:
    """Numbers in received order, continuing each year's sequence."""
    needed: dict[int, int] = defaultdict(int)
    for year in years:
        needed[year] += 1
    next_of = {}
    for year, n in needed.items():
        sequence, _ = CaseSequence.objects.select_for_update().get_or_create(year=year)
        next_of[year] = sequence.last + 1
        sequence.last += n
        sequence.save(update_fields=["last"])
    result = []
    for year in years:
        result.append(f"{year}-{next_of[year]:06d}")
        next_of[year] += 1
    return result


def _write(run, rules, chunk, numbers, grids, compounds, persons) -> int:
    """One batch: the cases, then their timelines, follow-ups and petitioners."""
    codes: set[str] = set()
    cases = []
    for (moment, channel, where), number in zip(chunk, numbers, strict=True):
        grid = grids[where["grid_id"]]
        compound = compounds.get(where["compound_id"])
        case = _case(run, rules, moment, channel, where, grid, compound)
        case.number, case.tracking_code = number, _code(codes)
        cases.append(case)
    _insert(Case, cases)
    units = {p.user_id: p.unit or p.get_role_display() for p in run.refs.profiles.values()}
    events, followups, parties, new_people = [], [], [], []
    for case in cases:
        events += _timeline(run, case, units)
        if case.status == CaseStatus.VISITED:
            followups.append(
                FollowUp(
                    case=case,
                    conclusion_number=1,
                    at=case.visited_at,
                    method=FollowUp.Method.PHONE,
                    satisfaction=case.satisfaction,
                    recorded_by=_visitor(run, case),
                )
            )
        if persons and run.rng.random() < 0.3:  # someone who has asked before
            new_people.append((case, Person(**run.rng.choice(persons))))
        else:
            resident = run.people.new(case.compound.name if case.compound else "")
            new_people.append((case, Person(**_person_fields(resident))))
    run.clock.moment = cases[0].received_at if cases else None  # residents' 登记时间
    _insert(Person, [p for _c, p in new_people])
    parties += [CaseParty(case=c, person=p, role=PartyRole.PETITIONER) for c, p in new_people]
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    FollowUp.objects.bulk_create(followups, batch_size=2000)
    CaseParty.objects.bulk_create(parties, batch_size=2000)
    return len(cases)


def _case(run, rules, moment, channel, where, grid, compound) -> Case:
    """A settled case: concluded at capture (当场解决) or assigned, signed and concluded within
    the limit; visited a few days later unless that is still to come."""
    rng, refs = run.rng, run.refs
    tz = refs.tz
    weights = CHANNEL_CATEGORIES.get(channel) or CHANNEL_CATEGORIES[Channel.ONSITE]
    category_name = rng.choices(list(weights), weights=list(weights.values()))[0]
    category = refs.category(category_name)
    day = timezone.localtime(moment, tz).date()
    spot = channel != Channel.ONLINE and rng.random() < 0.55
    issue = pick_issue(rng, ISSUES[category_name], day.month, spot=spot)
    spot = spot and bool(issue.spot)
    texts = texts_of(issue, place_values(rng, compound, grid))
    registrar = refs.user(refs.registrar(grid)) if channel != Channel.ONLINE else None
    conclude_due = _add(run, day, rules.conclude.get(category.pk) or rules.conclude.get(None))
    case = Case(
        kind=CaseKind.ORDINARY,
        channel=channel,
        category=category,
        community_id=where["community_id"],
        grid=grid,
        compound=compound,
        address=compound.name if compound else "",
        title=texts.title,
        content=texts.content,
        triage=Triage.ON_THE_SPOT if spot else "",  # the others are ordinary requests
        field_visit_id=where["activity"] if channel == Channel.RESEARCH else None,
        onsite_session_id=where["activity"] if channel == Channel.ONSITE else None,
        reception_id=where["activity"] if channel == Channel.RECEPTION else None,
        registered_by=registrar,
        received_at=moment,
        accepted_at=moment,
        conclude_due=conclude_due,
        conclusion_count=1,
        concluded_on_time=True,
    )
    if spot:
        case.concluded_at = moment
        case.result = texts.spot
        case.reply = f"您反映的问题已当场处理：{texts.spot}"
        case.version = 3
    else:
        case.accepted_at = moment + timedelta(minutes=rng.randint(10, 90))
        case.assigned_at = case.accepted_at + timedelta(minutes=rng.randint(10, 120))
        case.signed_at = case.assigned_at + timedelta(minutes=rng.randint(10, 200))
        case.handler = refs.profile(refs.handler(grid))
        if registrar is not None and registrar.username == SECRETARY:
            case.chief_agent = refs.profile(SECRETARY)
        case.sign_due = _add(run, timezone.localtime(case.assigned_at, tz).date(), rules.sign)
        case.signed_on_time = True
        span = max(1, ((conclude_due or day) - day).days)
        finish = refs.cal.office(case.signed_at + timedelta(days=rng.randint(0, span)))
        if conclude_due and timezone.localtime(finish, tz).date() > conclude_due:
            finish = max(case.signed_at + timedelta(minutes=30), refs.at(conclude_due, 16))
        case.concluded_at = finish
        finished = timezone.localtime(finish, tz).date()
        case.result, case.reply = done(texts.result, finished), done(texts.reply, finished)
        case.version = 6
    visited = refs.cal.office(case.concluded_at + timedelta(days=rng.randint(1, 4)))
    case.status = CaseStatus.CONCLUDED
    if visited < run.horizon:
        case.status = CaseStatus.VISITED
        case.visited_at = visited
        case.satisfaction = rng.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASICALLY], weights=(80, 20)
        )[0]
        case.version += 1
    return case


def _visitor(run: Run, case: Case) -> Any:
    return run.refs.user(run.refs.manager(case.grid))


def _timeline(run: Run, case: Case, units: dict[int, str]) -> list[CaseEvent]:
    """登记 and 办结, and 回访 when visited."""
    concluder = case.handler.user if case.handler_id else case.registered_by
    rows = [
        CaseEvent(
            case=case,
            at=case.received_at,
            actor=case.registered_by,
            actor_unit=units.get(case.registered_by_id, "居民"),
            kind=EventKind.REGISTERED,
            to_status=CaseStatus.REGISTERED,
            note=f"来源：{case.get_channel_display()}",
            is_public=True,
        ),
        CaseEvent(
            case=case,
            at=case.concluded_at,
            actor=concluder,
            actor_unit=units.get(concluder.pk, "") if concluder else "居民",
            kind=EventKind.CONCLUDED,
            from_status=CaseStatus.IN_PROGRESS if case.handler_id else CaseStatus.ACCEPTED,
            to_status=CaseStatus.CONCLUDED,
            note=case.reply,
            is_public=True,
        ),
    ]
    if case.status == CaseStatus.VISITED:
        visitor = _visitor(run, case)
        rows.append(
            CaseEvent(
                case=case,
                at=case.visited_at,
                actor=visitor,
                actor_unit=units.get(visitor.pk, ""),
                kind=EventKind.FOLLOWED_UP,
                from_status=CaseStatus.CONCLUDED,
                to_status=CaseStatus.VISITED,
                note=f"回访评价：{Satisfaction(case.satisfaction).label}",
                is_public=True,
            )
        )
    return rows


def _person_fields(resident: Any) -> dict[str, Any]:
    return {
        "name": resident.name,
        "phone": resident.phone,
        "id_number": resident.id_number,
        "address": resident.address,
    }


def _code(codes: set[str]) -> str:
    while True:
        code = new_tracking_code()
        if code not in codes:
            codes.add(code)
            return code


def _insert(model: Any, objs: list) -> None:
    """bulk_create that hands back the new ids on every backend."""
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objs, batch_size=1000)
        return
    for obj in objs:  # pragma: no cover - backends that cannot return ids
        obj.save(force_insert=True)
