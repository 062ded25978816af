"""``check_consistency`` for cases: each sampled case's timeline against its status and fields.

For a random sample of cases (demo, volume or real ones alike):

- the timeline's status entries form a path of the transition table from 登记 to the case's
  status, in time order (entries by id never go back in time);
- each step's time on the case is its latest entry's (受理 accepted_at, 交办 assigned_at, 签收
  signed_at, 办结 concluded_at while concluded, 回访 visited_at, 归档 archived_at), and no
  later than the entries say;
- counts agree: 办结次数, 重办次数 and 退单次数 with the entries, one 回访记录 per rating;
- deadlines are what ``petitions.deadlines`` works out from the rules now (cases with a
  clock still paused excepted: their limit moves daily), and 按时签收 / 按时办结 follow from
  them;
- who may see what: the entries residents see and those they never see are marked so, and
  only a concluded, non-accusation case is publishable;
- numbers: the year's sequence has issued every number, and each number's year is the year
  the case was received.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict

from django.db.models import Count, Prefetch
from django.db.models.functions import Substr
from django.utils import timezone

from petitions import deadlines
from petitions.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CasePause,
    CaseSequence,
    CaseStatus,
    EventKind,
    FollowUp,
)
from portal.consistency import Check, append_only, sample_ids

# Entries that always tell residents (is_public) and those that never do.
PUBLIC_KINDS = {
    EventKind.REGISTERED,
    EventKind.ACCEPTED,
    EventKind.NOT_ACCEPTED,
    EventKind.ASSIGNED,
    EventKind.SIGNED,
    EventKind.CONCLUDED,
    EventKind.FOLLOWED_UP,
    EventKind.REOPENED,
}
INTERNAL_KINDS = {
    EventKind.BOUNCED,
    EventKind.REVEALED,
    EventKind.EXPORTED,
    EventKind.SUPERVISED,
    EventKind.ARCHIVED,
}
S = CaseStatus
SETTLED = {S.CONCLUDED, S.VISITED, S.ARCHIVED}
# The step time on the case and the entry that sets it.
STAMPS = (
    ("accepted_at", EventKind.ACCEPTED),
    ("assigned_at", EventKind.ASSIGNED),
    ("visited_at", EventKind.FOLLOWED_UP),
    ("archived_at", EventKind.ARCHIVED),
)


def checks(sample: int, rng: random.Random) -> list[Check]:
    return [
        timelines(sample, rng),
        numbers(),
        append_only(CaseEvent, "petitions_caseevent_no_update"),
    ]


def timelines(sample: int, rng: random.Random) -> Check:
    check = Check("诉求办理记录与状态（抽样）")
    ids = sample_ids(Case, sample, rng)
    cases = Case.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.order_by("at", "pk")),
        Prefetch("followups", queryset=FollowUp.objects.order_by("conclusion_number")),
    )
    paused = set(
        CasePause.objects.filter(case_id__in=ids, ended_on__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    for case in cases:
        check.checked += 1
        check.problems += [f"{case.number}: {p}" for p in case_problems(case, case.pk in paused)]
    return check


def case_problems(case: Case, paused: bool = False) -> list[str]:
    """What is wrong with one case and its timeline ([] when nothing is)."""
    problems: list[str] = []
    events = list(case.events.all())
    if not events:
        return ["没有办理记录"]
    by_id = sorted(events, key=lambda e: e.pk)
    if any(later.at < earlier.at for earlier, later in itertools.pairwise(by_id)):
        problems.append("办理记录的时间倒退")
    first = events[0]
    if first.kind != EventKind.REGISTERED or first.to_status != S.REGISTERED:
        problems.append(f"第一条记录是“{first.get_kind_display()}”，不是登记")
    if first.at < case.received_at:
        problems.append("登记早于收到时间")
    status = ""
    for event in events:
        if not event.to_status:
            if event.from_status:
                problems.append(f"“{event.get_kind_display()}”有原状态却没有新状态")
            continue
        allowed = TRANSITIONS.get(status, frozenset()) if status else {S.REGISTERED}
        if event.from_status != status or event.to_status not in allowed:
            problems.append(
                f"“{event.get_kind_display()}” {event.from_status or '∅'}→{event.to_status}"
                f" 接不上 {status or '∅'}"
            )
        status = event.to_status
    if status != case.status:
        problems.append(f"记录止于 {status}，状态却是 {case.status}")
    problems += _stamps(case, events)
    problems += _counts(case, events)
    problems += _flags(case, events)
    if not paused:
        problems += _deadlines(case)
    return problems


def _latest(events: list[CaseEvent], kind: str) -> CaseEvent | None:
    return next((e for e in reversed(events) if e.kind == kind), None)


def _stamps(case: Case, events: list[CaseEvent]) -> list[str]:
    problems = []
    for field, kind in STAMPS:
        latest = _latest(events, kind)
        value = getattr(case, field)
        if (latest.at if latest else None) != value:
            problems.append(f"{field} 与最近一条“{EventKind(kind).label}”记录不符")
    concluded = _latest(events, EventKind.CONCLUDED)
    reached = case.status in SETTLED and concluded is not None
    if reached and case.concluded_at != concluded.at:
        problems.append("concluded_at 与最近一条办结记录不符")
    if case.status not in SETTLED and case.concluded_at is not None:
        problems.append("未办结却有办结时间")
    signed, assigned = _latest(events, EventKind.SIGNED), _latest(events, EventKind.ASSIGNED)
    expect_signed = signed.at if signed and assigned and signed.pk > assigned.pk else None
    if case.signed_at != expect_signed:
        problems.append("signed_at 与签收记录不符")
    return problems


def _counts(case: Case, events: list[CaseEvent]) -> list[str]:
    counted = defaultdict(int)
    for event in events:
        counted[event.kind] += 1
    problems = []
    for field, kind in (
        ("conclusion_count", EventKind.CONCLUDED),
        ("redo_count", EventKind.REOPENED),
        ("bounce_count", EventKind.BOUNCED),
    ):
        if getattr(case, field) != counted[kind]:
            problems.append(f"{field}={getattr(case, field)}，记录有 {counted[kind]} 条")
    ratings = counted[EventKind.FOLLOWED_UP] + counted[EventKind.REOPENED]
    followups = list(case.followups.all())
    if len(followups) != ratings:
        problems.append(f"回访记录 {len(followups)} 条，回访/重办记录 {ratings} 条")
    rated = case.status in (S.VISITED, S.ARCHIVED) and counted[EventKind.FOLLOWED_UP]
    if rated and (not followups or followups[-1].satisfaction != case.satisfaction):
        problems.append("回访评价与最近的回访记录不符")
    return problems


def _flags(case: Case, events: list[CaseEvent]) -> list[str]:
    problems = []
    for event in events:
        if event.kind in PUBLIC_KINDS and not event.is_public:
            problems.append(f"“{event.get_kind_display()}”应对居民可见")
        if event.kind in INTERNAL_KINDS and event.is_public:
            problems.append(f"“{event.get_kind_display()}”不应对居民可见")
    if case.is_publishable and (case.is_accusation or case.conclusion_count == 0):
        problems.append("未办结或检举控告的诉求标为可公开")
    received_year = timezone.localtime(case.received_at).year
    if not case.number.startswith(f"{received_year}-"):
        problems.append(f"编号年份与收到时间（{received_year}年）不符")
    return problems


def _deadlines(case: Case) -> list[str]:
    stored = {f: getattr(case, f) for f in ("accept_due", "sign_due", "conclude_due")}
    changed = deadlines.refresh(case)
    problems = [f"{f} 存为 {stored[f]}，按规则应为 {getattr(case, f)}" for f in changed]
    for field in changed:
        setattr(case, field, stored[field])
    if case.signed_at and case.sign_due and case.signed_on_time is not None:
        on_time = timezone.localtime(case.signed_at).date() <= case.sign_due
        if case.signed_on_time != on_time:
            problems.append("按时签收与签收期限不符")
    if case.concluded_at and case.conclude_due and case.concluded_on_time is not None:
        on_time = timezone.localtime(case.concluded_at).date() <= case.conclude_due
        if case.concluded_on_time != on_time:
            problems.append("按时办结与办结期限不符")
    if case.status in SETTLED and case.concluded_at and case.concluded_on_time is None:
        problems.append("已办结却没有按时办结与否")
    return problems


def numbers() -> Check:
    """Every year's sequence has issued exactly the numbers its cases carry (all rows)."""
    check = Check("诉求编号序列（全表）")
    issued = dict(CaseSequence.objects.values_list("year", "last"))
    counted = {
        int(year): n
        for year, n in Case.objects.annotate(year=Substr("number", 1, 4))
        .order_by()
        .values_list("year")
        .annotate(n=Count("pk"))
    }
    for year in sorted(set(issued) | set(counted)):
        check.checked += 1
        if issued.get(year, 0) != counted.get(year, 0):
            check.problems.append(
                f"{year} 年序列已发 {issued.get(year, 0)} 个编号，诉求有 {counted.get(year, 0)} 件"
            )
    return check
