"""The rule book: for every step of a case, one guard that says whether this person may take it on
this case now, and if not, why — in one Chinese sentence.

The case page draws a button only where its guard has no objection, the step endpoint refuses any
post it objects to, and the service asks it again inside the row lock; the workbench counts a
case for a person when a guard offers them a step on it (petitions.queues). So a button, a
refused post and a count can never disagree.

A guard is ``guard(case, who) -> str | None``: None when the step may be taken, otherwise the
reason it may not. Guards are registered by step name with ``@rule("accept")``. Each asks, in
this order: may the person act on this case at all (they see it, their role handles cases), does
the step belong to them (their role, or their part in the case), and does the case's state allow
it now. What a step's form adds (a decision, a handler, a number of days) the service checks
itself, after the guard.

``Who`` reads everything the guards need about the person *and* the case in two queries, so
asking every guard on a case page stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from outreach.models import ActivityStatus
from petitions import deadlines
from petitions.access import helps_on, is_assigned
from petitions.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CasePause,
    CaseQuerySet,
    CaseStatus,
    EventKind,
    FollowUp,
    Triage,
)
from petitions.services import trust
from portal import clock
from portal.access import scope_of
from portal.actors import Viewer
from portal.formats import cn_date
from portal.roles import Role

S = CaseStatus
Guard = Callable[[Case, "Who"], "str | None"]
RULES: dict[str, Guard] = {}

# Where a case is being handled: accepted and not concluded (调整分类, the ledger's meetings).
HANDLING = (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)


def rule(name: str) -> Callable[[Guard], Guard]:
    """Registers the guard of step ``name`` (one per step)."""

    def register(guard: Guard) -> Guard:
        if name in RULES:
            raise ValueError(f"step {name!r} already has a guard")
        RULES[name] = guard
        return guard

    return register


# --- who is asking --------------------------------------------------------------------------


def _cases_for(user: Viewer | None) -> CaseQuerySet:
    """The cases ``user`` may act on (their scope); all of them for a trusted caller, who
    vouches for the scope (``petitions.services.trust.trusted_caller``)."""
    if trust.is_trusted():
        return Case.objects.all()
    return Case.objects.visible_to(user, one=True) if user is not None else Case.objects.all()


def visibility(user: Viewer | None) -> Exists | None:
    """Whether the (outer) case lies within what ``user`` may act on, as an expression; None
    when there is nothing to ask (a trusted caller sees every case; a resident none)."""
    if user is None or trust.is_trusted():
        return None
    return Exists(Case.objects.visible_to(user, one=True).filter(pk=OuterRef("pk")))


def last_concluder() -> Subquery:
    """The user who recorded the latest conclusion of the (outer) case."""
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), kind=EventKind.CONCLUDED)
        .order_by("-at", "-pk")
        .values("actor_id")[:1]
    )


# The facts of the (outer) case the guards ask about, built once: a query copies an
# expression when it resolves it, so the same ones serve every ``Who.of``.
_FACTS = {
    "open_pause": Exists(CasePause.objects.filter(case_id=OuterRef("pk"), ended_on=None)),
    "rated": Exists(
        FollowUp.objects.filter(
            case_id=OuterRef("pk"), conclusion_number=OuterRef("conclusion_count")
        )
    ),
    "concluded_by": last_concluder(),
}


# What the role matrix (portal.roles) grants that the guards ask about.
PERMISSIONS = {
    "transition": "petitions.transition_case",
    "assign": "petitions.assign_case",
    "supervise": "petitions.supervise_case",
    "extend": "petitions.approve_extension_case",
    "recuse": "petitions.add_caseexclusion",
    "meetings": "outreach.view_deliberation",
    "leadership_decisions": "petitions.view_leadershipdecision",
}


@dataclass(frozen=True)
class Who:
    """What the guards need to know about the person, worked out once per case page (and again
    inside the row lock by the service)."""

    user: Viewer | None  # None: a resident on the tracking page (no account)
    role: Role | None
    profile_id: int | None
    assigned: bool  # handler, co-handler or mediator of this case (is_assigned)
    can_transition: bool
    coordinates: bool  # petitions.assign_case: 社区书记 / 包片领导 / 党工委书记
    supervises: bool
    approves_extension: bool
    recuses: bool
    # Which meetings' decisions the person reads (the ledger's steps pick one of them).
    sees_meetings: bool = False  # outreach.view_deliberation
    sees_leadership_decisions: bool = False  # petitions.view_leadershipdecision
    # The person sees the case (Case.objects.visible_to): nobody acts on a case outside it.
    visible: bool = False
    # Facts of the case the guards ask about, read in the same query.
    concluded_by: int | None = None  # user id of whoever recorded the latest conclusion
    open_pause: bool = False
    rated: bool = False  # the latest conclusion has its follow-up already

    @classmethod
    def of(cls, user: Viewer | None, case: Case) -> Who:
        """Reads, in one query, whether ``user`` sees ``case``, works on it, and the facts of
        the case the guards of its current status ask about (the others are not read)."""
        facts = cls.facts(user, case)
        if not facts and trust.is_trusted():
            return cls.made(user, case, {}, visible=True)  # nothing to read
        rows = _cases_for(user).filter(pk=case.pk).annotate(**facts).values("pk", *facts)
        row = next(iter(rows[:1]), None)
        return cls.made(user, case, row or {}, visible=row is not None)

    @staticmethod
    def facts(user: Viewer | None, case: Case) -> dict[str, Any]:
        """The expressions ``of`` reads for ``case`` as it stands: which ones depends on its
        status and its handler (the handler is assigned anyway)."""
        pid = scope_of(user).profile_id
        facts: dict[str, Any] = {}
        if pid is not None and case.handler_id != pid and trust.may_have_helpers(case.pk):
            facts["co_handles"], facts["mediates"] = helps_on(pid)
        if case.is_open and deadlines.may_be_paused(case):
            facts["open_pause"] = _FACTS["open_pause"]
        if case.status == S.CONCLUDED:
            facts["rated"] = _FACTS["rated"]
            facts["concluded_by"] = _FACTS["concluded_by"]
        return facts

    @classmethod
    def made(cls, user: Viewer | None, case: Case, row: dict[str, Any], *, visible: bool) -> Who:
        """From the ``facts`` read for ``case`` (``row``) and whether the case lies within
        what ``user`` sees."""
        scope = scope_of(user)
        pid = scope.profile_id
        if user is None:
            perms = dict.fromkeys(PERMISSIONS, False)
        else:
            perms = {name: user.has_perm(codename) for name, codename in PERMISSIONS.items()}
        return cls(
            user=user,
            role=scope.role,
            profile_id=pid,
            assigned=pid is not None
            and (case.handler_id == pid or bool(row.get("co_handles") or row.get("mediates"))),
            can_transition=perms["transition"],
            coordinates=perms["assign"],
            supervises=perms["supervise"],
            approves_extension=perms["extend"],
            recuses=perms["recuse"],
            sees_meetings=perms["meetings"],
            sees_leadership_decisions=perms["leadership_decisions"],
            visible=visible and user is not None,
            concluded_by=row.get("concluded_by"),
            open_pause=bool(row.get("open_pause")),
            rated=bool(row.get("rated")),
        )

    @property
    def resident(self) -> bool:
        """A resident acting on their own case online (no account: the tracking page checked
        the code and the phone number)."""
        return self.user is None

    def handles(self, case: Case) -> bool:
        """The case's handler (承办人) — not a co-handler or mediator."""
        return self.profile_id is not None and case.handler_id == self.profile_id

    @property
    def worked_on(self) -> bool:
        """Handled, co-handled, mediated or concluded the case: nobody rates their own work (a
        case solved on the spot has no handler, so whoever concluded it counts too)."""
        return self.assigned or (self.user is not None and self.concluded_by == self.user.pk)


def worked_on(case: Case, user: Viewer | None) -> bool:
    """Whether ``user`` handled, co-handled, mediated or concluded the case (see Who.worked_on)."""
    if user is None:
        return False
    if is_assigned(case, scope_of(user).profile_id):
        return True
    concluded = case.events.filter(kind=EventKind.CONCLUDED).order_by("-at", "-pk").first()
    return concluded is not None and concluded.actor_id == user.pk


def refusal(name: str, case: Case, who: Who) -> str | None:
    """Why ``who`` may not take step ``name`` on ``case`` now (None: they may)."""
    return RULES[name](case, who)


def offered(case: Case, who: Who) -> list[str]:
    """The steps ``who`` may take on ``case`` now, in the rule book's order."""
    return [name for name, guard in RULES.items() if guard(case, who) is None]


# --- the sentences the guards share ----------------------------------------------------------

# The steps as verbs, for "诉求 … 当前为“…”，不能受理。"
STEP_VERBS = {
    "受理": pgettext_lazy("case step", "受理"),
    "不予受理": pgettext_lazy("case step", "不予受理"),
    "交办": pgettext_lazy("case step", "交办"),
    "签收": pgettext_lazy("case step", "签收"),
    "退单": pgettext_lazy("case step", "退单"),
    "办结": pgettext_lazy("case step", "办结"),
    "归档": pgettext_lazy("case step", "归档"),
}


def _acting(who: Who) -> str | None:
    """Staff act only on cases they see (a resident's own step is checked by its page)."""
    if who.resident:
        return None
    if not who.visible:
        return _("您无权处理这件诉求。")
    return None


def _registrar_of_accusation(case: Case, who: Who) -> str | None:
    """检举控告: whoever registered it still sees it, but only the party secretary and the staff
    it is assigned to work on it (the accuser is hidden from everyone else)."""
    if not case.is_accusation or who.resident or who.assigned or who.role is Role.SECRETARY:
        return None
    return _("检举控告件由承办人员和街道党工委书记办理，登记人只能查看。")


def _handles_cases(who: Who) -> str | None:
    if who.resident or who.can_transition:
        return None
    return _("您的角色只能查看诉求，不能办理。")


def _coordinator(who: Who, message: str) -> str | None:
    """A step of 统筹 (petitions.assign_case, portal.roles COORDINATE)."""
    if not who.coordinates:
        return message
    return _handles_cases(who)


def _moves(case: Case, to: str, verb: str, *, sources: Iterable[str] | None = None) -> str | None:
    """The move must be in TRANSITIONS and, where a step starts from one status only, from it."""
    if to in TRANSITIONS[case.status] and (sources is None or case.status in sources):
        return None
    return _("诉求 %(number)s 当前为“%(status)s”，不能%(action)s。") % {
        "number": case.number,
        "status": case.get_status_display(),
        "action": STEP_VERBS.get(verb, verb),
    }


def _first(*reasons: Callable[[], str | None]) -> str | None:
    """The first objection, each asked only if the ones before it had none."""
    for reason in reasons:
        if (found := reason()) is not None:
            return found
    return None


def own_on_the_spot(case: Case, who: Who) -> bool:
    """A case its registering staff member solved on the spot: they accept and conclude it
    themselves (a grid worker at the door), as long as nobody else has handled it yet."""
    return (
        who.user is not None
        and case.triage == Triage.ON_THE_SPOT
        and case.registered_by_id == who.user.pk
        and case.handler_id is None
        and case.conclusion_count == 0
    )


# --- the steps, in the order the case page shows them ----------------------------------------


@rule("accept")
def accept(case: Case, who: Who) -> str | None:
    """受理: a coordinator (or whoever solved it on the spot), from 已登记."""
    return _first(
        lambda: _acting(who),
        lambda: (
            None
            if own_on_the_spot(case, who)
            else _coordinator(who, _("受理须由社区书记、包片领导或街道党工委书记办理。"))
        ),
        lambda: _moves(case, S.ACCEPTED, "受理", sources=[S.REGISTERED]),
    )


@rule("reclassify")
def reclassify(case: Case, who: Who) -> str | None:
    """调整分类: a coordinator, while the case is handled."""
    return _first(
        lambda: _acting(who),
        lambda: _coordinator(who, _("调整分类须由社区书记、包片领导或街道党工委书记决定。")),
        lambda: (
            None
            if case.status in HANDLING
            else _("诉求 %(number)s 当前为“%(status)s”，不能调整分类（未受理的在受理时选择）。")
            % {"number": case.number, "status": case.get_status_display()}
        ),
    )


@rule("reject")
def reject(case: Case, who: Who) -> str | None:
    """不予受理: a coordinator, from 已登记."""
    return _first(
        lambda: _acting(who),
        lambda: _coordinator(who, _("不予受理须由社区书记、包片领导或街道党工委书记决定。")),
        lambda: _moves(case, S.NOT_ACCEPTED, "不予受理"),
    )


@rule("assign")
def assign(case: Case, who: Who) -> str | None:
    """交办 / 改派: a coordinator, from 已受理 (or reassigning, before it is concluded)."""
    return _first(
        lambda: _acting(who),
        lambda: _coordinator(who, _("交办须由社区书记、包片领导或街道党工委书记办理。")),
        lambda: _moves(case, S.ASSIGNED, "交办"),
    )


def _the_handler(case: Case, who: Who) -> str | None:
    if who.handles(case):
        return _handles_cases(who)
    # Asked only of a case 已交办待签收, which always has its handler (case_assigned_has_handler).
    return _("只有承办人（%(name)s）可以签收或退单。") % {
        "name": case.handler.name  # type: ignore[union-attr]
    }


@rule("sign")
def sign(case: Case, who: Who) -> str | None:
    """签收: the handler, from 已交办待签收."""
    return _first(
        lambda: _acting(who),
        lambda: _moves(case, S.IN_PROGRESS, "签收", sources=[S.ASSIGNED]),
        lambda: _the_handler(case, who),
    )


@rule("bounce")
def bounce(case: Case, who: Who) -> str | None:
    """退单: the handler, from 已交办待签收."""
    return _first(
        lambda: _acting(who),
        lambda: None if case.status == S.ASSIGNED else _("只有待签收的诉求可以退单。"),
        lambda: _the_handler(case, who),
    )


@rule("progress")
def progress(case: Case, who: Who) -> str | None:
    """办理进展: anyone handling cases who sees it, once it is signed for."""
    return _first(
        lambda: _acting(who),
        lambda: _handles_cases(who),
        lambda: _registrar_of_accusation(case, who),
        lambda: None if case.status == S.IN_PROGRESS else _("签收后才能填写办理进展。"),
    )


@rule("conversation")
def conversation(case: Case, who: Who) -> str | None:
    """谈心谈话: anyone handling cases who sees it, from acceptance until the follow-up."""
    return _first(
        lambda: _acting(who),
        lambda: _handles_cases(who),
        lambda: _registrar_of_accusation(case, who),
        lambda: (
            None if case.status in (*HANDLING, S.CONCLUDED) else _("当前状态不能记录谈心谈话。")
        ),
    )


def _leads_or_assigned(who: Who) -> str | None:
    """The ledger's meetings: the case's coordinators or the staff working on it."""
    if who.coordinates or who.assigned:
        return _handles_cases(who)
    return _("只有本诉求的承办人员或社区书记、包片领导、街道党工委书记可以办理这一步。")


@rule("refer")
def refer(case: Case, who: Who) -> str | None:
    """提交议事协商会: a ledger case being handled."""
    return _first(
        lambda: _acting(who),
        lambda: _leads_or_assigned(who),
        lambda: None if who.sees_meetings else _("您的角色看不到议事协商会，不能提交议事协商会。"),
        lambda: (
            None
            if case.triage == Triage.LEDGER and case.status in HANDLING
            else _("只有已受理、尚未办结的台账类诉求可以提交议事协商会。")
        ),
    )


@rule("decision")
def decision(case: Case, who: Who) -> str | None:
    """关联会议决定: a ledger case being handled (which decision: the service checks it)."""
    return _first(
        lambda: _acting(who),
        lambda: _leads_or_assigned(who),
        lambda: (
            None
            if who.sees_meetings or who.sees_leadership_decisions
            else _("您的角色看不到会议决定，不能关联会议决定。")
        ),
        lambda: None if case.triage == Triage.LEDGER else _("只有台账类诉求需要关联会议决定。"),
        lambda: (
            None if case.status in HANDLING else _("只有已受理、尚未办结的诉求可以关联会议决定。")
        ),
    )


def _before_conclusion_due(case: Case, what: str) -> str | None:
    # 信访工作条例 Art. 34: an extension is approved within the time limit it extends; a pause
    # likewise (resuming moves the deadline by the days paused). Afterwards either would turn
    # days already late into days on time in every count.
    if not case.past_conclusion_due():
        return None
    if what == "extend":
        return _(
            "办结期限（%(due)s）已过，不能再延期：延期须在办结期限届满前批准。"
            "本件按超期办理，请尽快办结。"
        ) % {"due": cn_date(case.conclude_due)}
    return _("办结期限（%(due)s）已过，不能再中止计时：本件按超期办理，请尽快办结。") % {
        "due": cn_date(case.conclude_due)
    }


@rule("extend")
def extend(case: Case, who: Who) -> str | None:
    """延期: once, by an approver, before the conclusion deadline, where the rule allows one."""
    return _first(
        lambda: _acting(who),
        lambda: None if who.approves_extension else _("您无权批准延期，请报街道党工委书记批准。"),
        lambda: _handles_cases(who),
        lambda: (
            None
            if case.is_open and case.conclude_due is not None
            else _("只有办理中且已确定办结期限的诉求可以延期。")
        ),
        lambda: (
            None
            if not case.extension_days
            else _("诉求 %(number)s 已延期过一次，不能再次延期。") % {"number": case.number}
        ),
        lambda: _before_conclusion_due(case, "extend"),
        lambda: None if deadlines.max_extension(case) > 0 else _("这类事项的办理时限不能延长。"),
    )


@rule("pause")
def pause(case: Case, who: Who) -> str | None:
    """中止计时: a coordinator, on an open case, before its conclusion deadline."""
    return _first(
        lambda: _acting(who),
        lambda: _coordinator(who, _("中止计时须由社区书记、包片领导或街道党工委书记决定。")),
        lambda: None if case.is_open else _("只有办理中的诉求可以中止计时。"),
        lambda: None if not who.open_pause else _("计时已经中止。"),
        lambda: _before_conclusion_due(case, "pause"),
    )


@rule("resume")
def resume(case: Case, who: Who) -> str | None:
    """恢复计时: a coordinator, while the clock is paused."""
    return _first(
        lambda: _acting(who),
        lambda: _coordinator(who, _("恢复计时须由社区书记、包片领导或街道党工委书记决定。")),
        lambda: None if case.is_open and who.open_pause else _("计时没有中止。"),
    )


def decision_problem(
    case: Case, *, deliberation_decision: Any = None, leadership_decision: Any = None
) -> str | None:
    """Why this decision cannot settle this ledger case (None: it can).

    A decision about this matter: one of a deliberation meeting the case was put to, held (not
    planned, not cancelled) after the case came in; or a leadership decision of a meeting
    already held that names the case.
    """
    if case.triage != Triage.LEDGER:
        return _("只有台账类诉求需要关联会议决定。")
    if deliberation_decision is not None:
        meeting = deliberation_decision.deliberation
        if meeting.status != ActivityStatus.HELD:
            return _("议事协商会“%(meeting)s”尚未举行或已取消，其决定不能作为办结依据。") % {
                "meeting": meeting
            }
        if not case.deliberations.filter(pk=meeting.pk).exists():
            return _(
                "议事协商会“%(meeting)s”不是为本诉求召开的：请先将本诉求提交该会，"
                "再关联该会针对本诉求的决定。"
            ) % {"meeting": meeting}
        return None
    if leadership_decision is not None:
        if leadership_decision.held_on > clock.today():
            return _("该领导会议尚未召开，其决定不能作为办结依据。")
        if leadership_decision.held_on < timezone.localtime(case.received_at).date():
            return _("该领导会议在本诉求收到之前召开，不是针对本诉求的决定。")
        if not leadership_decision.cases.filter(pk=case.pk).exists():
            return _(
                "该领导会议决定没有列明本诉求 %(number)s：请在“领导会议决定”的“涉及诉求”中列明。"
            ) % {"number": case.number}
        return None
    return _("台账类诉求须先关联为本诉求作出的议事协商会或领导会议决定，才能办结。")


def _ready_to_conclude(case: Case) -> str | None:
    """What the case itself must have before it concludes: assigned and signed for (unless
    solved on the spot), a 台账 case its decision, a 长期跟踪 case its full progress."""
    if case.status == S.ACCEPTED and case.triage != Triage.ON_THE_SPOT:
        return _("请先交办并由承办人签收后再办结。")
    if moved := _moves(case, S.CONCLUDED, "办结"):
        return moved
    if case.triage == Triage.LEDGER:
        # Asked again at every conclusion, not only when it was linked: the meeting may have
        # been cancelled or the decision no longer name the case since.
        return decision_problem(
            case,
            deliberation_decision=case.deliberation_decision,
            leadership_decision=case.leadership_decision,
        )
    if case.triage == Triage.LONG_TERM and case.progress < 100:
        return _("长期跟踪类诉求进度达到 100%% 后才能办结（请先填写办理进展）。") % {}
    return None


@rule("conclude")
def conclude(case: Case, who: Who) -> str | None:
    """办结: the handler or a coordinator (or whoever solved it on the spot)."""
    return _first(
        lambda: _acting(who),
        lambda: (
            None
            if who.handles(case) or own_on_the_spot(case, who)
            else _coordinator(who, _("办结须由承办人或社区书记、包片领导、街道党工委书记办理。"))
        ),
        lambda: _handles_cases(who),
        lambda: _ready_to_conclude(case),
    )


@rule("followup")
def followup(case: Case, who: Who) -> str | None:
    """回访: once per conclusion, by staff who did not work on it (or the resident online)."""
    return _first(
        lambda: _acting(who),
        lambda: _handles_cases(who),
        lambda: _registrar_of_accusation(case, who),
        lambda: None if case.status == S.CONCLUDED else _("诉求办结后才能回访评价。"),
        lambda: None if not who.rated else _("这次办理结果已经评价过了。"),
        lambda: (
            None
            if who.resident or not who.worked_on
            else _("回访须由承办、协办、调解和办结以外的工作人员进行。")
        ),
    )


@rule("supervise")
def supervise(case: Case, who: Who) -> str | None:
    """督办: a leader, once, on a case not yet filed."""
    return _first(
        lambda: _acting(who),
        lambda: None if who.supervises else _("督办须由街道党工委书记或包片领导决定。"),
        lambda: _handles_cases(who),
        lambda: None if case.status != S.ARCHIVED else _("已归档的诉求不能督办。"),
        lambda: None if not case.is_supervised else _("这件诉求已在督办中。"),
    )


@rule("archive")
def archive(case: Case, who: Who) -> str | None:
    """归档: a coordinator, once it was visited (or not accepted)."""
    return _first(
        lambda: _acting(who),
        lambda: _coordinator(who, _("归档须由社区书记、包片领导或街道党工委书记办理。")),
        lambda: _moves(case, S.ARCHIVED, "归档"),
    )
