"""The case queues (待受理, 待签收, 办理中 …): what the workbench counts and the case list filters.

A case counts in a queue for a person exactly when the rule book (petitions.services.rules)
offers that person the queue's step on it — and, for some queues, the case meets a condition
(late, due soon, reopened, supervised, a long-term follow-up due). The mapping:

=====================  ===================================================  ===================
queue                  offered to the person                                and the case is
=====================  ===================================================  ===================
待受理 to_accept       受理 (accept)                                         —
待交办 to_assign       交办 (assign)                                         已受理 (nobody has it)
待签收 to_sign         签收 (sign)                                           —
办理中 handling        办理进展 or 办结 (progress / conclude), on a case      —
                       the person is assigned to
即将超期 due_soon      a step that moves the case on (MOVING)                due within 3 days
已超期 overdue         a step that moves the case on                         past its deadline
待回访 awaiting_visit  回访 (followup)                                       —
重办 redo              a step that moves the case on                         reopened (重办)
督办 supervised        a step that moves the case on                         under supervision
长期跟踪到期           办理进展 (progress), and a step that moves it on      长期跟踪, its
followup_due                                                                 follow-up missed
=====================  ===================================================  ===================

"A step that moves the case on" (``moves_on``): one of MOVING, or 办理进展 on a case the person
is assigned to (what a mediator or a long-term case's handler does to move it on). Whoever can
never be offered a queue's step does not see the queue; the read-only roles (领导/审计) see, as
oversight and not as a to-do list, 已超期, 督办 and 长期跟踪到期 over every case they read.

Each queue is written twice on purpose: ``holds`` states it in the rule book's own terms (one
case at a time), ``where`` as one SQL condition, so the workbench counts every queue in one
aggregate query and the list shows exactly those rows. tests/petitions/test_workbench_queues.py
holds the two to each other for every role on cases in every state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from petitions.access import helps_on
from petitions.models import TRANSITIONS, Case, CaseStatus, FollowUp, Triage
from petitions.models.case import DUE_SOON_DAYS, due_soon_q, overdue_q
from petitions.services import rules
from petitions.services.rules import Who, last_concluder
from portal import clock
from portal.access import scope_of
from portal.actors import Viewer
from portal.roles import Reach, Role
from portal.worklist import WorkQueue

S = CaseStatus
# The steps that take a case to its next status or settle what it waits for (a ledger case's
# decision). 办理进展 counts too, for the people assigned to the case (see moves_on).
MOVING = frozenset({"accept", "reject", "assign", "sign", "bounce", "conclude", "decision"})


def moves_on(offered: set[str], who: Who) -> bool:
    """Whether the rule book offers ``who`` a step that moves the case on."""
    return bool(offered & MOVING) or ("progress" in offered and who.assigned)


@dataclass(frozen=True)
class Person:
    """What the SQL side of the queues needs to know about the person (asked once)."""

    user: Viewer
    profile_id: int | None
    acts: bool  # petitions.transition_case: takes steps at all
    coordinates: bool  # petitions.assign_case
    reads_meetings: bool  # sees a meeting or a leadership decision (关联会议决定)
    reach: Reach
    sees_accusers: bool = False  # 党工委书记: works on 检举控告 not assigned to them

    @classmethod
    def of(cls, user: Viewer) -> Person:
        scope = scope_of(user)
        return cls(
            user=user,
            profile_id=scope.profile_id,
            acts=user.has_perm("petitions.transition_case"),
            coordinates=user.has_perm("petitions.assign_case"),
            reads_meetings=user.has_perm("outreach.view_deliberation")
            or user.has_perm("petitions.view_leadershipdecision"),
            reach=scope.reach(records=True),
            sees_accusers=scope.role is Role.SECRETARY,
        )

    # --- the guards' conditions in SQL (for the queues' steps only) ---------------------------

    # Conditions always false and always true as SQL (an empty Q() vanishes when combined).
    nothing = Q(pk__isnull=True)
    always = Q(pk__isnull=False)

    def assigned(self) -> Q:
        if self.profile_id is None:
            return self.nothing
        co_handles, mediates = helps_on(self.profile_id)
        return Q(handler_id=self.profile_id) | Q(co_handles) | Q(mediates)

    def handles(self) -> Q:
        return Q(handler_id=self.profile_id) if self.profile_id is not None else self.nothing

    def own_on_the_spot(self) -> Q:
        """rules.own_on_the_spot."""
        return Q(
            triage=Triage.ON_THE_SPOT,
            registered_by_id=self.user.pk,
            handler__isnull=True,
            conclusion_count=0,
        )

    def coordinator(self) -> Q:
        return self.always if self.coordinates else self.nothing

    def moving(self) -> Q:
        """``moves_on`` for every open status: the guards of MOVING (and 办理进展 for the people
        assigned), where a step another one already covers is left out (a coordinator is
        offered 交办 wherever 办结 or 关联会议决定 would be)."""
        if not self.acts:
            return self.nothing
        coordinates = self.coordinator()
        ledger = Q(triage=Triage.LEDGER) & self.assigned() if self.reads_meetings else self.nothing
        return (
            Q(status=S.REGISTERED) & (coordinates | self.own_on_the_spot())  # 受理, 不予受理
            | Q(status=S.ACCEPTED)
            & (
                coordinates  # 交办
                | Q(triage=Triage.ON_THE_SPOT) & (self.handles() | self.own_on_the_spot())  # 办结
                | ledger  # 关联会议决定
            )
            | Q(status=S.ASSIGNED) & (coordinates | self.handles() | ledger)  # 改派, 签收, 退单
            | Q(status=S.IN_PROGRESS) & (coordinates | self.assigned())  # 改派, 办理进展
        )


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    help: str | Promise
    # The rule book's statement of the queue, one case at a time: (case, the steps the rule
    # book offers, who, today) → whether the case is in the person's queue.
    holds: Callable[[Case, set[str], Who, date], bool]
    # The same as one SQL condition over the cases the person sees.
    where: Callable[[Person, date], Q]
    # Which people the queue is shown to (those who can ever be offered its step).
    shown_to: Callable[[Person], bool]
    tone: str = ""
    # Read-only roles (who take no step) see it as oversight: every case they read that meets
    # the condition (holds/where then apply the condition only).
    oversight: Callable[[date], Q] | None = None


def _is_due_soon(case: Case, today: date) -> bool:
    due = case.current_due
    return (
        case.is_open and due is not None and today <= due <= today + timedelta(days=DUE_SOON_DAYS)
    )


def _followup_missed(case: Case, today: date) -> bool:
    return (
        case.is_open
        and case.triage == Triage.LONG_TERM
        and case.next_followup_due is not None
        and case.next_followup_due < today
    )


def _followup_missed_q(today: date) -> Q:
    return Q(
        status__in=[S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS],
        triage=Triage.LONG_TERM,
        next_followup_due__lt=today,
    )


def _acts(person: Person) -> bool:
    return person.acts


def _coordinates(person: Person) -> bool:
    return person.acts and person.coordinates


def _rates(person: Person) -> bool:
    # 调解员 see only the cases they work on, and nobody rates their own work.
    return person.acts and person.reach is not Reach.ASSIGNED


def _assignable() -> Q:
    """Statuses a case may be (re)assigned from (TRANSITIONS)."""
    return Q(status__in=[s for s, targets in TRANSITIONS.items() if S.ASSIGNED in targets])


def _to_visit(person: Person, today: date) -> Q:
    if not person.acts:
        return person.nothing
    rated = Exists(
        FollowUp.objects.filter(
            case_id=OuterRef("pk"), conclusion_number=OuterRef("conclusion_count")
        )
    )
    concluded_by_them: Exact = Exact(
        Coalesce(last_concluder(), Value(0), output_field=IntegerField()), person.user.pk
    )
    # rules._registrar_of_accusation: whoever only registered an accusation does not rate it.
    accusations = person.nothing if person.sees_accusers else Q(is_accusation=True)
    return (
        Q(status=S.CONCLUDED)
        & ~Q(rated)
        & ~person.assigned()
        & ~Q(concluded_by_them)
        & ~accusations
    )


QUEUES: list[Queue] = [
    Queue(
        "to_accept",
        _("待受理"),
        _("新登记、等待受理或不予受理的诉求"),
        holds=lambda case, offered, who, today: "accept" in offered,
        where=lambda p, today: (
            Q(status=S.REGISTERED) & (p.coordinator() | p.own_on_the_spot())
            if p.acts
            else p.nothing
        ),
        shown_to=_coordinates,
    ),
    Queue(
        "to_assign",
        _("待交办"),
        _("已受理（或被退单、重办）、尚无承办人的诉求"),
        holds=lambda case, offered, who, today: "assign" in offered and case.status == S.ACCEPTED,
        where=lambda p, today: (
            Q(status=S.ACCEPTED) & p.coordinator() & _assignable() if p.acts else p.nothing
        ),
        shown_to=_coordinates,
    ),
    Queue(
        "to_sign",
        _("待签收"),
        _("交由您承办、等待您签收的诉求"),
        holds=lambda case, offered, who, today: "sign" in offered,
        where=lambda p, today: Q(status=S.ASSIGNED) & p.handles() if p.acts else p.nothing,
        shown_to=_acts,
        tone="warning",
    ),
    Queue(
        "handling",
        _("办理中"),
        _("您承办、协办或调解、正在办理的诉求"),
        holds=lambda case, offered, who, today: (
            bool(offered & {"progress", "conclude"}) and who.assigned
        ),
        where=lambda p, today: (
            p.assigned()
            & (
                Q(status=S.IN_PROGRESS)
                | Q(status=S.ACCEPTED, triage=Triage.ON_THE_SPOT)
                & (p.handles() | p.own_on_the_spot() | p.coordinator())
            )
            if p.acts
            else p.nothing
        ),
        shown_to=_acts,
    ),
    Queue(
        "due_soon",
        _("即将超期"),
        _("%(days)d 日内到期、需要您推进的诉求") % {"days": DUE_SOON_DAYS},
        holds=lambda case, offered, who, today: (
            moves_on(offered, who) and _is_due_soon(case, today) and not case.is_overdue(today)
        ),
        where=lambda p, today: p.moving() & due_soon_q(today),
        shown_to=_acts,
        tone="warning",
    ),
    Queue(
        "overdue",
        _("已超期"),
        _("已超过当前环节期限、需要您推进的诉求"),
        holds=lambda case, offered, who, today: moves_on(offered, who) and case.is_overdue(today),
        where=lambda p, today: p.moving() & overdue_q(today),
        shown_to=_acts,
        tone="danger",
        oversight=overdue_q,
    ),
    Queue(
        "awaiting_visit",
        _("待回访"),
        _("已办结、等待回访的诉求（不含您承办、协办、调解或办结的）"),
        holds=lambda case, offered, who, today: "followup" in offered,
        where=_to_visit,
        shown_to=_rates,
    ),
    Queue(
        "redo",
        _("重办"),
        _("回访不满意、重新办理中的诉求"),
        holds=lambda case, offered, who, today: moves_on(offered, who) and case.redo_count > 0,
        where=lambda p, today: p.moving() & Q(redo_count__gt=0),
        shown_to=_acts,
    ),
    Queue(
        "supervised",
        _("督办"),
        _("列入督办、尚未办结的诉求"),
        holds=lambda case, offered, who, today: moves_on(offered, who) and case.is_supervised,
        where=lambda p, today: p.moving() & Q(is_supervised=True),
        shown_to=_acts,
        tone="warning",
        oversight=lambda today: Q(
            is_supervised=True, status__in=[S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS]
        ),
    ),
    Queue(
        "followup_due",
        _("长期跟踪到期"),
        _("长期跟踪类诉求，已过约定的跟踪日期"),
        holds=lambda case, offered, who, today: (
            "progress" in offered and moves_on(offered, who) and _followup_missed(case, today)
        ),
        where=lambda p, today: p.moving() & Q(status=S.IN_PROGRESS) & _followup_missed_q(today),
        shown_to=_acts,
        tone="warning",
        oversight=_followup_missed_q,
    ),
]
BY_KEY = {queue.key: queue for queue in QUEUES}


def _reads_only(person: Person) -> bool:
    return not person.acts and person.reach is not Reach.NONE


def queues_for(user: Viewer) -> list[Queue]:
    """The queues shown to ``user``, in the workbench's order."""
    person = Person.of(user)
    if _reads_only(person):
        return [queue for queue in QUEUES if queue.oversight is not None]
    return [queue for queue in QUEUES if queue.shown_to(person)]


def condition(queue: Queue, user: Viewer, today: date | None = None) -> Q:
    """The SQL condition of ``queue`` for ``user`` (over the cases they see)."""
    today = today or clock.today()
    person = Person.of(user)
    if _reads_only(person):
        return queue.oversight(today) if queue.oversight is not None else person.nothing
    return queue.where(person, today)


def holds(queue: Queue, case: Case, user: Viewer, today: date | None = None) -> bool:
    """Whether ``case`` is in ``user``'s ``queue``, asked of the rule book (one case at a time:
    what ``condition`` must agree with)."""
    today = today or clock.today()
    person = Person.of(user)
    if _reads_only(person):
        if queue.oversight is None:
            return False
        return Case.objects.filter(pk=case.pk).filter(queue.oversight(today)).exists()
    who = Who.of(user, case)
    if not who.visible:
        return False
    return queue.holds(case, set(rules.offered(case, who)), who, today)


def select(key: str | None, user: Viewer, queryset: QuerySet) -> QuerySet:
    """The cases of queue ``key`` among ``queryset`` (already scoped to the user); all of them
    for an unknown key or one not shown to the user."""
    queue = BY_KEY.get(key or "")
    if queue is None or queue not in queues_for(user):
        return queryset
    return queryset.filter(condition(queue, user))


def workbench_queues(user: Viewer) -> list[WorkQueue]:
    """The person's case queues with their counts, each linking to exactly its list: one
    aggregate query over the cases they see, whatever the number of cases."""
    shown = queues_for(user)
    if not shown:
        return []
    today = clock.today()
    counts = Case.objects.visible_to(user).aggregate(
        **{queue.key: Count("pk", filter=condition(queue, user, today)) for queue in shown}
    )
    changelist = reverse("admin:petitions_case_changelist")
    return [
        WorkQueue(
            key=queue.key,
            label=queue.label,
            count=counts[queue.key],
            url=f"{changelist}?queue={queue.key}",
            tone=queue.tone if counts[queue.key] else "",
            help=queue.help,
        )
        for queue in shown
    ]
