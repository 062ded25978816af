"""One case's life written through the services, each step at its own historical moment.

A generator builds ``Plan``s (when a request arrived and what happens to it); ``run_plans``
plays them in the order they arrived, so case numbers follow the calendar. A step whose moment
is still in the future is not taken (``Stop``): the case simply stays where it is today, which
is how the recent requests end up open, waiting for sign-for or for a follow-up visit.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from django.utils import timezone

from petitions import services
from petitions.demo.clock import Clock
from petitions.demo.people import People
from petitions.demo.refs import SECRETARY, Refs
from petitions.models import (
    Case,
    FollowUp,
    Satisfaction,
)


class Stop(Exception):
    """The next step would happen after the present moment."""


@dataclass
class Run:
    """Everything one seeding run shares."""

    refs: Refs
    rng: Random
    clock: Clock
    horizon: datetime  # nothing happens after this moment (a little before the real now)
    people: People
    counters: Counter = field(default_factory=Counter)  # e.g. mediation agreement numbers

    def pick_time(self, day: date, start: int = 9, end: int = 17) -> datetime:
        """A moment in office hours on ``day``."""
        minutes = self.rng.randint(start * 60, end * 60 - 1)
        return self.refs.at(day, minutes // 60, minutes % 60)


@dataclass
class Plan:
    """A case to write: when it arrived and the function that tells its story."""

    moment: datetime
    tell: Callable[[Story], None]
    order: int = 0


class Story:
    """The case being written and the moment reached; each step moves the moment on."""

    def __init__(self, run: Run, moment: datetime) -> None:
        self.run = run
        self.refs = run.refs
        self.rng = run.rng
        self.t = moment
        self.case: Case | None = None

    # -- time --------------------------------------------------------------------------------

    def later(
        self, *, minutes: int = 0, hours: float = 0, days: int = 0, office: bool = True
    ) -> Story:
        """Move on; during office hours unless ``office`` is False."""
        t = self.t + timedelta(days=days, hours=hours, minutes=minutes)
        if office:
            t = self.refs.cal.office(t)
        self.t = max(t, self.t + timedelta(minutes=1))
        return self

    def on(self, day: date, start: int = 9, end: int = 17) -> Story:
        """Move to a moment in office hours on ``day``, or the next working day (never back)."""
        while not self.refs.cal.is_working(day):
            day += timedelta(days=1)
        t = self.run.pick_time(day, start, end)
        self.t = max(t, self.t + timedelta(minutes=1))
        return self

    def workdays(self, n: int) -> Story:
        """Move to a moment in office hours ``n`` working days later."""
        day = self.refs.cal.add_working_days(timezone.localtime(self.t).date(), n)
        return self.on(day)

    @property
    def day(self) -> date:
        return timezone.localtime(self.t).date()

    def _go(self) -> None:
        if self.t > self.run.horizon:
            raise Stop
        self.run.clock.moment = self.t

    def _user(self, username: str | None) -> Any:
        return None if username is None else self.refs.user(username)

    # -- the steps ---------------------------------------------------------------------------

    def register(self, actor: str | None, **fields: Any) -> Case:
        self._go()
        intake = services.CaseIntake(received_at=self.t, **fields)
        self.case = services.register_case(intake, actor=self._user(actor))
        return self.case

    def accept(self, actor: str, note: str = "", triage: str | None = None) -> None:
        """受理; ``triage`` None keeps the class chosen at registration."""
        self._go()
        self.case = services.accept_case(
            self.case, actor=self._user(actor), note=note, triage=triage
        )

    def reject(self, actor: str, reason: str) -> None:
        self._go()
        self.case = services.reject_case(self.case, actor=self._user(actor), reason=reason)

    def assign(
        self,
        actor: str,
        handler: str,
        *,
        co: tuple[str, ...] = (),
        mediators: tuple[str, ...] = (),
        note: str = "",
    ) -> None:
        self._go()
        self.case = services.assign_case(
            self.case,
            actor=self._user(actor),
            handler=self.refs.profile(handler),
            co_handlers=[self.refs.profile(u) for u in co],
            mediators=[self.refs.profile(u) for u in mediators],
            note=note,
        )

    @property
    def handler(self) -> str:
        return self.refs.username_of(self.case.handler_id)

    def sign(self) -> None:
        self._go()
        self.case = services.sign_case(self.case, actor=self._user(self.handler))

    def bounce(self, reason: str) -> None:
        self._go()
        self.case = services.bounce_case(self.case, actor=self._user(self.handler), reason=reason)

    def progress(
        self, note: str, *, actor: str | None = None, percent: int | None = None, public=False
    ) -> None:
        self._go()
        self.case = services.add_progress(
            self.case,
            actor=self._user(actor or self.handler),
            note=note,
            progress=percent,
            public=public,
        )

    def converse(self, actor: str, note: str) -> None:
        self._go()
        self.case = services.record_conversation(self.case, actor=self._user(actor), note=note)

    def mediate(self, actor: str, mediators: list[Any], summary: str, **fields: Any) -> Any:
        """A mediation session (调解记录), with its timeline entry."""
        self._go()
        session = services.record_mediation_session(
            self.case,
            actor=self._user(actor),
            held_at=self.t,
            mediators=mediators,
            notes=summary,
            **fields,
        )
        self.case = session.case
        return session

    def agree(self, actor: str, **fields: Any) -> Any:
        """The mediation agreement (调解协议), with its timeline entry."""
        self._go()
        agreement = services.record_agreement(self.case, actor=self._user(actor), **fields)
        self.case = agreement.case
        return agreement

    def judicial_application(self, actor: str, agreement: Any, day: date) -> None:
        """The parties applied for judicial confirmation on ``day``: written down then, or now if
        the story is past it (a fixed hour: no draw from the run's random numbers)."""
        self.t = max(self.t, self.refs.at(day, 10, 0))
        self._go()
        self.case = services.change_agreement(
            agreement, actor=self._user(actor), judicial_confirmation_applied_on=day
        ).case

    def refer(self, actor: str, deliberation: Any) -> None:
        """提交议事协商会: the ledger case is put to the meeting whose decision will settle it."""
        self._go()
        self.case = services.refer_to_deliberation(
            self.case, actor=self._user(actor), deliberation=deliberation
        )

    def decide(self, actor: str, *, deliberation: Any = None, leadership: Any = None) -> None:
        """A decision about this case: of the meeting it was put to, or a leadership decision,
        which names it (as the secretary does when recording the meeting's decisions)."""
        self._go()
        if leadership is not None:
            leadership.cases.add(self.case)
        self.case = services.link_decision(
            self.case,
            actor=self._user(actor),
            deliberation_decision=deliberation,
            leadership_decision=leadership,
        )

    def extend(self, days: int, reason: str, actor: str = "shuji") -> None:
        self._go()
        self.case = services.extend_deadline(
            self.case, actor=self._user(actor), days=days, reason=reason
        )

    def pause(self, actor: str, reason: str) -> None:
        self._go()
        self.case = services.pause_clock(self.case, actor=self._user(actor), reason=reason)

    def resume(self, actor: str) -> None:
        self._go()
        self.case = services.resume_clock(self.case, actor=self._user(actor))

    def conclude(
        self,
        result: str,
        reply: str,
        *,
        actor: str | None = None,
        dual: bool = False,
        publish: bool = False,
    ) -> None:
        self._go()
        self.case = services.conclude_case(
            self.case,
            actor=self._user(actor or self.handler),
            result=result,
            reply=reply,
            dual_settlement=dual,
            is_publishable=publish,
        )

    def follow_up(
        self,
        actor: str | None,
        satisfaction: str,
        *,
        method: str = FollowUp.Method.PHONE,
        comment: str = "",
    ) -> None:
        self._go()
        if services.worked_on(self.case, self._user(actor)):
            # Nobody rates their own work: the party secretary calls the resident, or, when
            # the secretary took part, the resident rates it online.
            secretary_too = services.worked_on(self.case, self._user(SECRETARY))
            actor = None if actor == SECRETARY or secretary_too else SECRETARY
        if actor is None:
            method = FollowUp.Method.ONLINE
        self.case = services.record_followup(
            self.case,
            actor=self._user(actor),
            satisfaction=satisfaction,
            method=method,
            comment=comment,
        )

    def supervise(self, actor: str, note: str) -> None:
        self._go()
        self.case = services.supervise_case(self.case, actor=self._user(actor), note=note)

    def archive(self, actor: str) -> None:
        self._go()
        self.case = services.archive_case(self.case, actor=self._user(actor))

    # -- common endings ----------------------------------------------------------------------

    def rate(self, weights: tuple[int, int, int] = (76, 21, 3)) -> str:
        return self.rng.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.DISSATISFIED],
            weights=weights,
        )[0]

    def visit_and_file(
        self, actor: str | None, *, satisfaction: str | None = None, archiver: str = "shuji"
    ) -> None:
        """The follow-up visit a few days after the conclusion, and for most old cases the
        archive at the end of the month after."""
        self.workdays(self.rng.randint(1, 3))
        self.follow_up(actor, satisfaction or self.rate((78, 22, 0)))
        if self.rng.random() < 0.6:
            day = self.day.replace(day=1) + timedelta(days=32)
            self.on(day.replace(day=1) + timedelta(days=self.rng.randint(0, 9)))
            self.archive(archiver)


def run_plans(run: Run, plans: list[Plan]) -> None:
    """Play the plans in the order their requests arrived."""
    for order, plan in enumerate(plans):
        plan.order = order
    for plan in sorted(plans, key=lambda p: (p.moment, p.order)):
        story = Story(run, plan.moment)
        with contextlib.suppress(Stop):
            plan.tell(story)
