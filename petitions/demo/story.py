"""The player: one case's script (data/scripts.toml) written through the case services, each
step at its own historical moment.

A script is a list of steps, ``"name"`` or ``"name LOW-HIGH UNIT"`` (wait that long first: m
minutes, h hours, d working days, D calendar days, office hours only) with an optional
``NN%`` (the step happens that often). Each name is one method ``step_<name>`` below, which
calls one public service of ``petitions.services`` as the account the plan names. Inside
``portal.clock.frozen`` the services believe it is the step's moment, so timestamps, the
timeline and deadlines carry it. A step whose moment is after ``horizon`` (the present) is not
taken (``Stop``): the case stays where it is today, which is how the newest are still open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from django.utils import timezone

from petitions import services
from petitions.demo.world import SECRETARY, People, World, working, working_days_back
from petitions.models import Case, CaseKind, FollowUp, MediationMethod, MediationOutcome, Satisfaction
from portal import clock, workdays
from portal.demo import texts

STEP = re.compile(r"(\w+)(?: ([\d.]+)-([\d.]+)([mhdD]))?(?: (\d+)%)?$")
RATINGS = [Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.DISSATISFIED]


class Stop(Exception):
    """The next step would happen after the present moment."""


@dataclass
class Plan:
    """A case to write: when it came in, its script, where, who, and what it says."""

    moment: datetime
    script: str
    channel: str
    category: str
    grid: Any
    compound: Any
    words: dict[str, Any]  # title, content, result, reply, spot (templates)
    registrar: str | None
    manager: str
    handler: str
    visitor: str | None = ""  # who calls the resident back ("": the manager)
    kind: str = CaseKind.ORDINARY
    register: dict[str, Any] = field(default_factory=dict)  # more CaseIntake fields
    extra: dict[str, Any] = field(default_factory=dict)  # what some steps need


@dataclass
class Run:
    world: World
    rng: Random
    horizon: datetime
    people: People
    agreements: int = 0


class Story:
    def __init__(self, run: Run, plan: Plan) -> None:
        self.run, self.plan, self.rng, self.world = run, plan, run.rng, run.world
        self.script = texts("petitions.demo", "scripts")["script"][plan.script]
        self.t, self.case, self.paused = plan.moment, None, False
        self.notes = texts("petitions.demo", "petitions")["notes"]
        self.pools = texts("petitions.demo", "petitions")["pools"]
        compound, grid = plan.compound, plan.grid
        self.values = {
            "c": compound.name if compound else grid.community.name,
            "community": grid.community.name,
            "b": self.rng.randint(1, 18),
            "u": self.rng.randint(1, 4),
            "f": self.rng.randint(2, 6),
            "received": cn_day(self.day),
            "unit": plan.extra.get("unit") or world_unit(run.world, plan.handler),
            **plan.extra.get("values", {}),
        }

    def play(self) -> None:
        for step in self.script["steps"]:
            name, low, high, unit, odds = STEP.match(step).groups()
            if odds and self.rng.random() * 100 >= int(odds):
                continue
            if unit:
                self.wait(float(low), float(high), unit)
            getattr(self, f"step_{name}")()

    # -- time --------------------------------------------------------------------------------

    @property
    def day(self) -> date:
        return timezone.localtime(self.t).date()

    def wait(self, low: float, high: float, unit: str) -> None:
        if unit == "d":
            self.on(workdays.add_working_days(self.day, round(self.rng.uniform(low, high))))
        elif unit == "D":
            self.on(self.day + timedelta(days=round(self.rng.uniform(low, high))))
        else:
            minutes = self.rng.uniform(low, high) * (60 if unit == "h" else 1)
            self.t = office(self.world, self.t + timedelta(minutes=minutes))

    def on(self, day: date, start: int = 9, end: int = 17) -> None:
        """A moment in office hours on ``day`` or the next working day (never back)."""
        minutes = self.rng.randint(start * 60, end * 60 - 1)
        t = self.world.at(working(day), minutes // 60, minutes % 60)
        self.t = max(t, self.t + timedelta(minutes=1))

    def go(self, service: Any, *args: Any, **kwargs: Any) -> Any:
        """Take one step now: as the services see it, it is ``self.t``."""
        if self.t > self.run.horizon:
            raise Stop
        with clock.frozen(self.t):
            result = service(*args, **kwargs)
        self.case = result if isinstance(result, Case) else result.case
        return result

    def user(self, username: str | None) -> Any:
        return None if username is None else self.world.users[username]

    @property
    def handler(self) -> Any:
        return next(u for n, u in self.world.users.items() if self.world.profiles[n].pk == self.case.handler_id)

    def fill(self, key: str) -> str:
        return self.plan.words.get(key, "").format_map(self.values)

    def note(self, key: str) -> str:
        return self.notes.get(f"{key}_{self.script.get('family', self.plan.script)}", "")

    # -- the steps ---------------------------------------------------------------------------

    def intake(self, **fields: Any) -> services.CaseIntake:
        plan, people = self.plan, self.run.people
        self.values["received"] = cn_day(self.day)
        parties = plan.extra.get("parties") or [people.petitioner(plan.compound)]
        if plan.extra.get("respondent"):
            parties.append(people.new(plan.compound, role="respondent"))
        return services.CaseIntake(
            kind=plan.kind,
            channel=plan.channel,
            category=self.world.category(plan.category),
            community=plan.grid.community,
            grid=plan.grid,
            compound=plan.compound,
            address=plan.compound.name if plan.compound else "",
            title=self.fill("title")[:80],
            content=self.fill("content"),
            parties=parties,
            received_at=self.t,
            **{**plan.register, **fields},
        )

    def step_register(self) -> None:
        triage = self.script.get("triage", "")
        self.go(services.register_case, self.intake(triage=triage), actor=self.user(self.plan.registrar))

    def step_spot(self) -> None:
        """当场解决: registered and concluded in one step where it was raised."""
        from_reply = compose_spot(self)
        self.go(
            services.register_case,
            self.intake(triage="on_the_spot", on_the_spot_result=from_reply[0], on_the_spot_reply=from_reply[1]),
            actor=self.user(self.plan.registrar),
        )

    def step_accept(self) -> None:
        self.go(services.accept_case, self.case, actor=self.user(self.plan.manager), note=self.note("accept"))

    def step_reject(self) -> None:
        reason = self.plan.extra["reason"]
        self.go(services.reject_case, self.case, actor=self.user(self.plan.manager), reason=reason)

    def step_assign(self, handler: str | None = None, note: str | None = None) -> None:
        profiles = self.world.profiles
        self.go(
            services.assign_case,
            self.case,
            actor=self.user(self.plan.manager),
            handler=profiles[handler or self.plan.handler],
            co_handlers=[profiles[u] for u in self.plan.extra.get("co", ())],
            mediators=[profiles[u] for u in self.plan.extra.get("mediators", ())],
            note=(self.note("assign") if note is None else note).format_map(self.values),
        )

    def step_reassign(self) -> None:
        self.step_assign(self.plan.extra["reassign"], self.notes["reassign"])

    def step_sign(self) -> None:
        self.go(services.sign_case, self.case, actor=self.handler)

    def step_bounce(self) -> None:
        self.go(services.bounce_case, self.case, actor=self.handler, reason=self.plan.extra["bounce"])

    def step_wait(self) -> None:
        pass

    def step_progress(self, note: str = "", *, percent: int | None = None, public: bool | None = None) -> None:
        note = note or self.plan.words.get("progress") or self.notes.get(self.script.get("progress", "")) or self.rng.choice(self.pools["progress"])
        public = self.rng.random() < 0.3 if public is None else public
        self.go(services.add_progress, self.case, actor=self.handler, note=note, progress=percent, public=public)

    def step_notes(self) -> None:
        for note in self.plan.words.get("notes", []):
            self.wait(3, 8, "d")
            self.step_progress(note, public=False)

    def step_work(self) -> None:
        """Progress notes on the way to the day the handler concludes: by the deadline, most
        in its first half (a few late)."""
        due = self.case.conclude_due or workdays.add_working_days(self.day, 5)
        if self.rng.random() < self.script.get("late", 0):
            end = workdays.add_working_days(due, self.rng.randint(1, 4))
        else:
            end = self.day + (due - self.day) * self.rng.triangular(0, 1, 0)
        start, notes = self.day, self.rng.choice([0, 1, 1, 2])
        for n in range(notes if (end - start).days >= 2 else 0):
            self.on(start + (end - start) * (n + 1) / (notes + 1))
            self.step_progress()
        self.on(max(end, self.day))

    def step_conclude(self) -> None:
        if not self.plan.words.get("result"):
            raise Stop  # still being looked into
        self.values["done"] = cn_day(self.day)
        result, reply = compose(self)
        if self.case.conclusion_count:
            result = self.notes["redo_result"].format(result=result)
        self.go(
            services.conclude_case,
            self.case,
            actor=self.handler,
            result=result,
            reply=reply,
            dual_settlement=bool(self.script.get("dual")),
            is_publishable=self.rng.random() < self.script.get("publish", 0.04),
        )

    def rating(self, weights: list[int] | None = None) -> str:
        return self.rng.choices(RATINGS, weights=weights or self.script.get("weights", [78, 22, 0]))[0]

    def step_rate(self, satisfaction: str | None = None, comment: str = "") -> None:
        """回访, by the visitor — unless they worked on it: then the secretary calls, or, when
        the secretary took part too, the resident rates it online."""
        visitor = self.plan.manager if self.plan.visitor == "" else self.plan.visitor
        if visitor and services.worked_on(self.case, self.user(visitor)):
            secretary_too = services.worked_on(self.case, self.user(SECRETARY))
            visitor = None if visitor == SECRETARY or secretary_too else SECRETARY
        self.go(
            services.record_followup,
            self.case,
            actor=self.user(visitor),
            satisfaction=satisfaction or self.rating(),
            method=FollowUp.Method.PHONE if visitor else FollowUp.Method.ONLINE,
            comment=comment,
        )

    def step_reopen(self) -> None:
        """回访 不满意 → 重办: the handler starts again."""
        self.wait(1, 3, "d")
        self.step_rate(Satisfaction.DISSATISFIED, self.rng.choice(self.pools["dissatisfied"]))
        self.wait(1, 20, "h")
        self.step_progress(self.rng.choice(self.pools["redo"]), public=True)

    def step_visit(self) -> None:
        """回访 a few days after; 不满意 sends it back once to be redone. Most old cases are
        archived early in the month after next."""
        satisfaction = self.rating()
        if satisfaction == Satisfaction.DISSATISFIED and self.case.handler_id:
            self.step_reopen()
            self.wait(1, 4, "d")
            self.step_conclude()
            satisfaction = self.rating([60, 40, 0])
        self.wait(1, 3, "d")
        self.step_rate(satisfaction if satisfaction != Satisfaction.DISSATISFIED else Satisfaction.BASICALLY)
        if self.rng.random() < 0.6:
            month = (self.day.replace(day=1) + timedelta(days=32)).replace(day=1)
            self.on(month + timedelta(days=self.rng.randint(0, 9)))
            self.step_archive()

    def step_archive(self) -> None:
        self.go(services.archive_case, self.case, actor=self.user(SECRETARY))

    def step_converse(self) -> None:
        actor = self.user(self.plan.extra.get("converser")) or self.handler
        self.go(services.record_conversation, self.case, actor=actor, note=self.fill("conversation"))

    def step_extend(self) -> None:
        days = self.rng.randint(*self.script["extension"])
        reason = self.rng.choice(self.pools["extension"])
        self.go(services.extend_deadline, self.case, actor=self.user(SECRETARY), days=days, reason=reason)

    def step_supervise(self) -> None:
        self.on(workdays.add_working_days(self.case.conclude_due, self.rng.randint(2, 4)))
        note = self.rng.choice(self.pools["supervise"])
        self.go(services.supervise_case, self.case, actor=self.user(SECRETARY), note=note)

    # -- meetings: 台账 and 长期跟踪 ----------------------------------------------------------------

    def step_refer(self) -> None:
        decision = self.plan.extra.get("decision")
        if decision is not None and decision.deliberation is not None:
            deliberation = decision.deliberation.deliberation
            self.go(services.refer_to_deliberation, self.case, actor=self.user(self.plan.manager), deliberation=deliberation)
        self.step_progress(self.notes["ledger_progress"], public=True)

    def step_pause(self) -> None:
        if self.plan.extra.get("decision") is not None:
            self.go(services.pause_clock, self.case, actor=self.user(self.plan.manager), reason=self.notes["pause"])
            self.paused = True

    def step_decide(self) -> None:
        """The decision that settles it: of the meeting it was put to, or of the sub-district's
        leaders (which names it). None yet: the case waits for a meeting."""
        decision = self.plan.extra.get("decision")
        if decision is None:
            raise Stop
        self.on(workdays.add_working_days(decision.day, self.rng.randint(0, 2)))
        if decision.leadership is not None:
            decision.leadership.cases.add(self.case)
        actor = self.plan.manager if decision.deliberation is not None else SECRETARY
        self.go(
            services.link_decision,
            self.case,
            actor=self.user(actor),
            deliberation_decision=decision.deliberation,
            leadership_decision=decision.leadership,
        )
        self.values.update(meeting=decision.meeting, decision=decision.text.rstrip("。"))
        if self.paused:
            self.wait(5, 60, "m")
            self.go(services.resume_clock, self.case, actor=self.handler)

    def step_follow(self) -> None:
        """长期跟踪: a note about every interval until 100 %. ``miss_after`` notes on time, then
        one far too late: while today falls in that gap the follow-up shows as missed."""
        steps, interval = self.plan.extra["steps"], self.plan.register["followup_interval_days"]
        miss = self.plan.extra.get("miss_after")
        for n, step in enumerate(steps, start=1):
            if miss is None:
                gap = interval - self.rng.randint(0, max(1, interval // 4))
            else:
                gap = interval if n <= miss else interval * 3
            self.on(self.day + timedelta(days=gap if n > 1 else self.rng.randint(1, 5)))
            percent = min(95, n * 100 // (len(steps) + 1))
            note = self.notes["long_term_step"].format(step=step.format_map(self.values), percent=percent)
            self.step_progress(note, percent=percent, public=True)
        self.on(self.day + timedelta(days=interval - self.rng.randint(0, 3)))
        self.step_progress(self.notes["long_term_done"], percent=100, public=True)

    # -- mediation -------------------------------------------------------------------------

    def session(self, text: str, final: bool) -> Any:
        members = self.plan.extra["members"]
        outcome = MediationOutcome.CONTINUE
        if final:
            agreed = self.rng.random() < self.script.get("agreement", 0)
            outcome = MediationOutcome.AGREEMENT if agreed else MediationOutcome.ORAL
        methods = [MediationMethod.FACE_TO_FACE, MediationMethod.JOINT]
        return self.go(
            services.record_mediation_session,
            self.case,
            actor=self.user(self.plan.extra["mediators"][0]),
            held_at=self.t,
            mediators=self.rng.sample(members, k=min(len(members), self.rng.randint(1, 2))),
            notes=text,
            place=self.rng.choice(self.pools["mediation_places"]).format_map(self.values),
            method=self.rng.choice(methods if final else [*methods, MediationMethod.SEPARATE]),
            parties_present=self.plan.extra["present"],
            outcome=outcome,
        )

    def step_sessions(self) -> None:
        """The mediation sessions before the last, a few days apart; for a recent agreement
        spaced so that the last falls 3–17 working days before today."""
        sessions = self.plan.words["sessions"]
        gap = self.rng.randint(*self.script.get("gap", [4, 12]))
        if self.script.get("recent"):
            last = working_days_back(self.world.today, self.rng.randint(3, 17))
            gap = max(2, (last - self.day).days // len(sessions))
        self.plan.extra["gap"] = gap
        while self.plan.extra.setdefault("held", 0) < len(sessions) - 1:
            self.on(self.day + timedelta(days=gap))
            self.session(sessions[self.plan.extra["held"]], final=False)
            self.plan.extra["held"] += 1

    def step_session(self) -> None:
        """One session, then the script goes on (an extension between two, say)."""
        self.on(self.day + timedelta(days=self.rng.randint(4, 12)))
        self.plan.extra["held"] = self.plan.extra.get("held", 0) + 1
        self.session(self.plan.words["sessions"][0], final=False)

    def step_stall(self) -> None:
        self.on(self.day + timedelta(days=self.plan.extra.get("gap", 7)))
        self.go(services.add_progress, self.case, actor=self.user(self.plan.extra["mediators"][0]), note=self.notes["stall"], progress=None, public=False)

    def step_settle(self) -> None:
        """The last session; with a written agreement (调解协议) when that is its outcome."""
        self.on(self.day + timedelta(days=self.plan.extra.get("gap", 7)))
        session = self.session(self.plan.words["sessions"][-1], final=True)
        if session.outcome != MediationOutcome.AGREEMENT:
            return
        self.run.agreements += 1
        parties = "；".join(
            self.notes["agreement_party"].format(role=p.get_role_display(), name=p.person.name, address=p.person.address or "本街道")
            for p in self.case.parties.select_related("person")
        )
        words = self.plan.words
        self.plan.extra["agreement"] = self.go(
            services.record_agreement,
            self.case,
            actor=self.user(self.plan.extra["mediators"][0]),
            session=session,
            agreement_number=self.notes["agreement_number"].format(year=self.day.year, n=self.run.agreements),
            signed_on=self.day,
            parties=parties,
            facts=words["facts"].format_map(self.values),
            responsibilities=words["responsibilities"],
            terms=words["terms"],
            performance=words["performance"],
            mediators=list(session.mediators.all()),
        )

    def step_apply(self) -> None:
        """Some parties apply for judicial confirmation (司法确认) within days of signing."""
        agreement = self.plan.extra.get("agreement")
        if agreement is None or self.rng.random() >= 0.3:
            return
        day = agreement.signed_on + timedelta(days=self.rng.randint(3, 12))
        if agreement.signed_on + timedelta(days=14) >= self.world.today:
            return
        self.t = max(self.t, self.world.at(day, 10))
        actor = self.user(self.plan.extra["mediators"][0])
        self.go(services.change_agreement, agreement, actor=actor, judicial_confirmation_applied_on=day)

    def step_review(self) -> None:
        """The petitioner asks for a review (复查) within days of the answer."""
        original = self.case
        petitioner = original.parties.filter(role="petitioner").select_related("person").first()
        person = petitioner.person
        review = texts("petitions.demo", "petitions")["review"]
        plan = Plan(
            self.t,
            "review",
            "visit",
            self.plan.category,
            self.plan.grid,
            self.plan.compound,
            {**review, "title": f"{review['title']}（原事项 {original.number}）"},
            SECRETARY,
            SECRETARY,
            SECRETARY,
            visitor=SECRETARY,
            kind=CaseKind.REVIEW,
            register={"reviews": original},
        )
        plan.extra["parties"] = [
            services.PartyData(name=person.name, phone=person.phone, id_number=person.id_number, address=person.address)
        ]
        child = Story(self.run, plan)
        try:
            child.play()
        finally:
            self.t = max(self.t, child.t)


def cn_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def world_unit(world: World, username: str) -> str:
    return world.profiles[username].unit or "社区"


def office(world: World, moment: datetime) -> datetime:
    """The same moment if the office is open then, else 8:30 on the next working day."""
    local = timezone.localtime(moment)
    day = local.date()
    if workdays.is_working_day(day) and (8, 30) <= (local.hour, local.minute) < (17, 30):
        return local
    if not (workdays.is_working_day(day) and (local.hour, local.minute) < (8, 30)):
        day = working(day + timedelta(days=1))
    return world.at(day, 8, 30)


def compose(story: Story) -> tuple[str, str]:
    """The result and the reply: a lead saying when and how it came in, the matter's words, and
    an opening and a closing for the reply — so that no two cases read the same."""
    parts, rng = texts("petitions.demo", "replies"), story.rng
    values = {**story.values, "source": parts["source"][story.plan.channel].format_map(story.values)}
    result = rng.choice(parts["result_leads"]).format_map(values) + story.fill("result")
    reply = rng.choice(parts["openings"]) + story.fill("reply") + rng.choice(parts["closings"])
    return result, reply.format_map(values)


def compose_spot(story: Story) -> tuple[str, str]:
    parts, rng = texts("petitions.demo", "replies"), story.rng
    spot = story.fill("spot")
    values = {**story.values, "spot": spot, "source": parts["source"][story.plan.channel].format_map(story.values)}
    result = rng.choice(parts["spot_leads"]).format_map(values) + spot
    reply = rng.choice(parts["openings"]) + parts["spot_reply"] + rng.choice(parts["closings"])
    return result, reply.format_map(values)
