"""Petition-reception activities (信访接待下基层): a year of them in the five communities,
written once, and the next ones planned.

``reception_schedule`` decides what happens when and who comes (about 200 activities, a few
cancelled, four planned in the next three weeks and published so they show among the coming
activities); this module decides how many requests each held one had (about sixty in all,
told later by ``reception_cases`` through the case services), writes the summaries and the
rows in bulk (``outreach.demo.rows``) and puts photos on about twenty (``reception_photos``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from random import Random
from typing import Any

from outreach.demo.rows import Row, fill, write
from outreach.models import ActivityStatus
from petitions.demo.content_reception import (
    CANCEL_REASONS,
    CASES_SENTENCE,
    LEADER_LAWYER,
    NO_CASES,
    POSTS,
    TEAM_LABELS,
)
from petitions.demo.reception_photos import attach_photos
from petitions.demo.reception_schedule import Places, Slot, upcoming_slots, year_slots
from petitions.demo.refs import DEMO_ACCOUNTS, Refs
from petitions.models import Reception, ReceptionKind

# Requests registered at the year's held receptions: how many in all, and per kind how likely
# a reception is to get the next one and how many one reception gets at most.
CASES = 60
CASE_ODDS = {
    ReceptionKind.LEADER_DAY: (5, 3),
    ReceptionKind.LEGAL_ADVICE: (3, 2),
    ReceptionKind.MEDIATION: (3, 2),
    ReceptionKind.LEGAL_OUTREACH: (1, 1),
}


def already_seeded() -> bool:
    """The marker: a reception registered by a demo account."""
    return Reception.objects.filter(created_by__username__in=DEMO_ACCOUNTS).exists()


def _who(slot: Slot) -> str:
    """Who came, by post and team; a lawyer at a leaders' day gets a sentence of his own."""
    names = [POSTS[p.user.username] for p in slot.officials if p.user.username in POSTS]
    advisers = slot.advisers if slot.kind != ReceptionKind.LEADER_DAY else []
    teams = dict.fromkeys(TEAM_LABELS[a.team.name] for a in advisers)
    return "、".join([*names, *teams]) or "社区两委干部"


SCENES = {
    ReceptionKind.LEADER_DAY: "onsite",
    ReceptionKind.LEGAL_ADVICE: "onsite",
    ReceptionKind.LEGAL_OUTREACH: "talk",
    ReceptionKind.MEDIATION: "meeting",
}


def _summary(slot: Slot, rng: Random, served: int | None) -> str:
    who, venue = _who(slot), slot.venue
    if slot.status != ActivityStatus.HELD:
        action = {
            ReceptionKind.LEADER_DAY: "接待来访群众，欢迎居民当面反映诉求",
            ReceptionKind.LEGAL_ADVICE: "提供免费法律咨询，欢迎居民携带相关材料前来",
            ReceptionKind.LEGAL_OUTREACH: f"开展“{slot.title.split('·')[0]}”活动，欢迎居民参加",
            ReceptionKind.MEDIATION: "受理矛盾纠纷调解申请，欢迎居民前来咨询",
        }[slot.kind]
        return f"{who}将在{venue}{action}。"
    detail = fill(rng, slot.detail, m=rng.randint(1, 3))
    if slot.kind == ReceptionKind.LEADER_DAY:
        text = f"{who}在{venue}开展领导下访接待，面对面听取群众诉求，接待群众{served}人。{detail}"
        if slot.advisers:
            text += LEADER_LAWYER
    elif slot.kind == ReceptionKind.LEGAL_ADVICE:
        text = f"{who}在{venue}坐班提供法律咨询，接待咨询群众{served}人。{detail}"
    elif slot.kind == ReceptionKind.LEGAL_OUTREACH:
        label = slot.title.split("·")[0]
        text = f"{who}在{venue}开展“{label}”活动，{served}名居民参加。{detail}"
    else:
        text = f"{who}在{venue}开展调解进社区活动，接待群众{served}人。{detail}"
    ending = CASES_SENTENCE.format(k=slot.cases) if slot.cases else NO_CASES[slot.kind]
    return text + ending


def _served(slot: Slot, rng: Random) -> int:
    low, high = {
        ReceptionKind.LEADER_DAY: (8, 30),
        ReceptionKind.LEGAL_ADVICE: (6, 24),
        ReceptionKind.LEGAL_OUTREACH: (25, 60),
        ReceptionKind.MEDIATION: (5, 18),
    }[slot.kind]
    if slot.kind == ReceptionKind.LEGAL_OUTREACH:
        return max(low, min(high, int(rng.gauss(42, 9))))
    return max(rng.randint(low, high), slot.cases + 3)


def _cancel_reason(slot: Slot, rng: Random) -> str:
    month = slot.day.month
    if month in (11, 12, 1, 2, 3) and rng.random() < 0.4:
        return CANCEL_REASONS["snow"]
    if slot.kind == ReceptionKind.LEADER_DAY:
        return CANCEL_REASONS[slot.author]
    if slot.kind == ReceptionKind.LEGAL_OUTREACH and slot.venue.endswith("广场"):
        return CANCEL_REASONS["sand" if month in (3, 4, 5) else "rain"]
    return CANCEL_REASONS[slot.kind]


def rows_of(slots: list[Slot], places: Places, rng: Random) -> list[Row]:
    """The Reception rows (not yet written), with officials and advisers."""
    rows = []
    users = places.refs.users
    for slot in slots:
        start = places.refs.at(slot.day, slot.hour, slot.minute)
        held = slot.status == ActivityStatus.HELD
        served = _served(slot, rng) if held else None
        reception = Reception(
            kind=slot.kind,
            title=slot.title[:120],
            starts_at=start,
            ends_at=start + timedelta(minutes=slot.minutes),
            community=slot.community,
            grid=slot.grid,
            compound=slot.compound,
            venue=slot.venue,
            summary=_summary(slot, rng, served),
            status=slot.status,
            is_published=True,
            created_by=users[slot.author],
            residents_served=served,
        )
        if slot.status == ActivityStatus.CANCELLED:
            reception.cancel_reason = _cancel_reason(slot, rng)
        m2m: dict[str, list[Any]] = {"officials": slot.officials, "advisers": slot.advisers}
        rows.append(Row(reception, m2m, scene=SCENES[slot.kind] if held else ""))
    return rows


def assign_counts(slots: list[Slot], rng: Random, total: int = CASES) -> None:
    """How many requests each held reception gets (its summary says so)."""
    held = [s for s in slots if s.status == ActivityStatus.HELD]
    for _ in range(total):
        room = [s for s in held if s.cases < CASE_ODDS[s.kind][1]]
        if not room:
            return
        rng.choices(room, weights=[CASE_ODDS[s.kind][0] for s in room])[0].cases += 1


@dataclass
class Written:
    """What ``write_year`` wrote: the demo year's held receptions (with the slot each came
    from) for the requests to be registered at, and how many photos."""

    held: list[tuple[Reception, Slot]]
    photos: int


def write_year(refs: Refs, rng: Random) -> Written:
    """The year, the coming weeks and the photos."""
    places = Places.load(refs)
    slots = year_slots(places, rng, base=True)
    assign_counts(slots, rng)
    rows = rows_of([*slots, *upcoming_slots(places, rng)], places, rng)
    write(rows)
    photos = attach_photos(rows, rng)
    year = zip(rows[: len(slots)], slots, strict=True)  # the planned ones come last
    held = [(row.obj, slot) for row, slot in year if slot.status == ActivityStatus.HELD]
    return Written(held, photos)
