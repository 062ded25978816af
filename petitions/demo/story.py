"""The player: a plan's script (data/scripts.toml, which says how steps are written) played
through the public services of ``petitions.services``, one method ``step_<name>`` a step, as the
plan's accounts and inside ``portal.clock.frozen``: timestamps, timeline and deadlines carry
each step's moment. A step still to come is not taken (``Stop``): the case stays as it is."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from petitions import services as s
from petitions.demo.world import MEDIATOR, SECRETARY, World, data, working, working_days_back
from petitions.models import Case
from portal import clock, workdays

STEP = re.compile(r"(\w+)(?: ([\d.]+)-([\d.]+)([mhdD]))?(?: (\d+)%)?$")
RATINGS = ["satisfied", "basically", "dissatisfied"]


class Stop(Exception):
    """The next step would happen after the present moment."""


def cn_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


class Story:
    def __init__(self, world: World, plan: dict[str, Any]) -> None:
        self.world, self.plan, self.rng, self.words = world, plan, world.rng, plan["words"]
        self.script = data("scripts")["script"][plan["script"]]
        self.notes = data("petitions")["notes"]
        self.t, self.case, self.held, self.gap = plan["moment"], None, 0, 7
        self.concluder = self.mediator = None
        place, community = plan["compound"] or plan["grid"].community, plan["grid"].community
        unit = world.profiles[plan["handler"]].unit or "社区"
        self.values = {"c": place.name, "community": community.name, "unit": unit}
        self.values |= {k: self.rng.randint(1, n) for k, n in (("b", 18), ("u", 4), ("f", 6))}

    def play(self) -> None:
        for step in self.script["steps"]:
            name, low, high, unit, odds = STEP.match(step).groups()
            if not odds or self.rng.random() * 100 < int(odds):
                if unit:
                    self.wait(float(low), float(high), unit)
                if name != "wait":  # a step of its own; "wait" only waits
                    getattr(self, f"step_{name}")()

    @property
    def day(self) -> date:
        return timezone.localtime(self.t).date()

    def wait(self, low: float, high: float, unit: str) -> None:
        n = self.rng.uniform(low, high)
        if unit in "dD":
            later = self.day + timedelta(days=round(n))
            return self.on(workdays.add_working_days(self.day, round(n)) if unit == "d" else later)
        t = timezone.localtime(self.t + timedelta(minutes=n * (60 if unit == "h" else 1)))
        if not workdays.is_working_day(t.date()) or not 8 <= t.hour < 17:  # the office is shut
            t = self.world.at(working(t.date() + timedelta(days=t.hour >= 8)), 8, 30)
        self.t = t

    def on(self, day: date) -> None:
        """A moment in office hours on ``day`` or the next working day (never back)."""
        t = self.world.at(working(day), *divmod(self.rng.randint(9 * 60, 17 * 60 - 1), 60))
        self.t = max(t, self.t + timedelta(minutes=1))

    def go(self, service: Any, actor: str | None, *args: Any, **kwargs: Any) -> Any:
        """Take a step now as ``actor`` (a username or the plan's "registrar", "manager")."""
        if self.t > self.world.horizon:
            raise Stop
        if actor == "handler" and self.case is not None:
            actor = self.world.usernames[self.case.handler_id]
        actor = self.plan[actor] if actor in ("registrar", "manager") else actor
        with clock.frozen(self.t):
            user = self.world.users[actor] if actor else None  # a misspelt name fails
            done = service(*(args or [self.case]), actor=user, **kwargs)
        concluded = self.case.conclusion_count if self.case else 0
        self.case = done if isinstance(done, Case) else done.case
        if self.case.conclusion_count > concluded:
            self.concluder = actor
        return done

    def worked_on(self, username: str) -> bool:
        """The rule book's "worked on it" (``services.worked_on``), from what this story did:
        the handler, the mediator it was given, whoever concluded it last."""
        handler = self.world.usernames.get(self.case.handler_id)
        return username in (handler, self.concluder, self.mediator)

    def fill(self, key: str, values: dict[str, Any] | None = None) -> str:
        return self.words.get(key, "").format_map(values or self.values)

    def note(self, key: str) -> str:
        return self.notes.get(f"{key}_{self.script.get('family', self.plan['script'])}", "")

    def pick(self, pool: str) -> str:
        return self.rng.choice(data("petitions")["pools"][pool])

    def compose(self, spot: bool = False) -> tuple[str, str]:
        """Result and reply: a lead (when, how it came in), the matter's words, an opening and a
        closing — so no two cases read the same."""
        parts, rng = data("replies"), self.rng
        values = {**self.values, "spot": self.fill("spot")}
        values["source"] = parts["source"][self.plan["channel"]].format_map(values)
        lead = rng.choice(parts["spot_leads" if spot else "result_leads"]).format_map(values)
        again = {**values, "done": "当日"} if values.get("done") == values["received"] else values
        result = lead + (values["spot"] if spot else self.fill("result", again))
        result += rng.choice(parts["result_tails"])
        body = rng.choice(parts["spot_replies"]).format_map(values) if spot else self.fill("reply")
        dated = spot or again is not values  # the body names the day it came in: once is enough
        opening = rng.choice([o for o in parts["openings"] if not dated or "{" not in o])
        closings = [c for c in parts["closings"] if "感谢" not in c or "感谢" not in body]
        return result, opening.format_map(values) + body + rng.choice(closings).format_map(values)

    def step_register(self, **fields: Any) -> None:
        plan, people = self.plan, self.world.people
        self.values["received"] = cn_day(self.day)
        parties = plan.get("parties") or [people.petitioner(plan["compound"])]
        if plan.get("respondent"):
            parties.append(people.new(plan["compound"], role="respondent"))
        intake = {k: plan[k] for k in ("kind", "channel", "grid", "compound")}
        intake |= {"category": self.world.categories[plan["category"]], "parties": parties}
        intake |= {"community": plan["grid"].community, "received_at": self.t}
        intake |= {"address": plan["compound"].name if plan["compound"] else ""}
        intake |= {"title": self.fill("title")[:80], "content": self.fill("content")}
        intake |= {"triage": self.script.get("triage", ""), **plan["register"], **fields}
        self.go(s.register_case, "registrar", s.CaseIntake(**intake))

    def step_spot(self) -> None:
        """当场解决: registered, accepted and concluded in one step where it was raised."""
        self.values["received"] = cn_day(self.day)
        result, reply = self.compose(spot=True)
        self.step_register(triage="on_the_spot", on_the_spot_result=result, on_the_spot_reply=reply)

    def step_accept(self) -> None:
        self.go(s.accept_case, "manager", note=self.note("accept"))

    def step_reject(self) -> None:
        self.go(s.reject_case, "manager", reason=self.words["reason"])

    def step_assign(self) -> None:
        """交办; after a bounce (退单), 改派 to the plan's ``reassign``."""
        again = self.case.bounce_count > 0
        note = self.notes["reassign"] if again else self.note("assign").format_map(self.values)
        handler = self.world.profiles[self.plan["reassign" if again else "handler"]]
        mediators = [self.world.profiles[MEDIATOR]] if "members" in self.plan else []
        self.mediator = MEDIATOR if mediators else None
        self.go(s.assign_case, "manager", handler=handler, mediators=mediators, note=note)

    def step_sign(self) -> None:
        self.go(s.sign_case, "handler")

    def step_bounce(self) -> None:
        self.go(s.bounce_case, "handler", reason=data("petitions")["bounce"][self.plan["category"]])

    def step_progress(self, note: str = "", percent: Any = None, public: bool = False) -> None:
        note = note or self.notes.get(self.script.get("progress", "")) or self.pick("progress")
        public = public or self.rng.random() < 0.3
        self.go(s.add_progress, "handler", note=note, progress=percent, public=public)

    def step_notes(self) -> None:
        for note in self.words["notes"]:
            self.wait(3, 8, "d")
            self.step_progress(note)

    def step_work(self) -> None:
        """Notes on the way to the day it is concluded: by the deadline, mostly early."""
        due = self.case.conclude_due or workdays.add_working_days(self.day, 5)
        end = self.day + (due - self.day) * self.rng.triangular(0, 1, 0)
        if self.rng.random() < self.script.get("late", 0):
            end = workdays.add_working_days(due, self.rng.randint(1, 4))
        start, notes = self.day, self.rng.choice([0, 1, 1, 2])
        for n in range(notes if (end - start).days >= 2 else 0):
            self.on(start + (end - start) * (n + 1) / (notes + 1))
            self.step_progress()
        self.on(max(end, self.day))

    def step_conclude(self) -> None:
        if not self.words.get("result"):
            raise Stop  # still being looked into
        self.values["done"] = cn_day(self.day)
        result, reply = self.compose()
        if self.case.conclusion_count:
            result = self.notes["redo_result"].format(result=result)
        flags = {"dual_settlement": bool(self.script.get("dual"))}
        flags["is_publishable"] = self.rng.random() < self.script.get("publish", 0.04)
        self.go(s.conclude_case, "handler", result=result, reply=reply, **flags)

    def step_visit(self, satisfaction: str = "", comment: str = "") -> None:
        """回访 — by the secretary if the visitor worked on it, online if he did too."""
        visitor = self.plan["manager"] if self.plan["visitor"] == "" else self.plan["visitor"]
        if visitor and self.worked_on(visitor):
            also = self.worked_on(SECRETARY)
            visitor = None if visitor == SECRETARY or also else SECRETARY
        weights = self.script.get("weights", [78, 22])  # 满意, 基本满意 (不满意: step_reopen)
        satisfaction = satisfaction or self.rng.choices(RATINGS[:2], weights=weights)[0]
        rated = {"satisfaction": satisfaction, "comment": comment}
        self.go(s.record_followup, visitor, method="phone" if visitor else "online", **rated)

    def step_reopen(self) -> None:
        """回访 不满意 → 重办: the handler starts again."""
        self.step_visit("dissatisfied", self.pick("dissatisfied"))
        self.wait(1, 20, "h")
        self.step_progress(self.pick("redo"), public=True)

    def step_archive(self) -> None:
        self.go(s.archive_case, SECRETARY)

    def step_converse(self) -> None:
        actor = self.plan.get("converser", "handler")
        self.go(s.record_conversation, actor, note=self.fill("conversation"))

    def step_extend(self) -> None:
        days, reason = self.rng.randint(*self.script["extension"]), self.pick("extension")
        self.go(s.extend_deadline, SECRETARY, days=days, reason=reason)

    def step_supervise(self) -> None:
        self.on(workdays.add_working_days(self.case.conclude_due, self.rng.randint(2, 4)))
        self.go(s.supervise_case, SECRETARY, note=self.pick("supervise"))

    def step_refer(self) -> None:
        decision = self.plan.get("decision")
        if decision and decision.deliberation:
            meeting = decision.deliberation.deliberation
            self.go(s.refer_to_deliberation, "manager", deliberation=meeting)
        self.step_progress(self.notes["ledger_progress"], public=True)

    def step_pause(self) -> None:
        if self.plan.get("decision"):
            self.go(s.pause_clock, "manager", reason=self.notes["pause"])

    def step_decide(self) -> None:
        """The decision that settles it (the leaders' names it); none yet: it waits."""
        if not (decision := self.plan.get("decision")):
            raise Stop
        self.on(workdays.add_working_days(decision.day, self.rng.randint(0, 2)))
        if decision.leadership:
            decision.leadership.cases.add(self.case)
        by = "manager" if decision.deliberation else SECRETARY
        links = {"deliberation_decision": decision.deliberation}
        self.go(s.link_decision, by, leadership_decision=decision.leadership, **links)
        self.values.update(meeting=decision.meeting, decision=decision.text.rstrip("。"))
        if self.case.is_paused:
            self.wait(5, 60, "m")
            self.go(s.resume_clock, "handler")

    def step_follow(self) -> None:
        """长期跟踪: a note about every interval until 100 %. With ``miss_after``, that many on
        time, then one far too late: while today is in the gap, the follow-up is missed."""
        steps, interval = self.words["steps"], self.plan["register"]["followup_interval_days"]
        miss, template = self.plan.get("miss_after"), self.notes["long_term_step"]
        for n, step in enumerate(steps, start=1):
            gap = interval - self.rng.randint(0, max(1, interval // 4))
            if miss is not None:
                gap = interval if n <= miss else interval * 3
            self.on(self.day + timedelta(days=gap if n > 1 else self.rng.randint(1, 5)))
            percent = min(95, n * 100 // (len(steps) + 1))
            note = template.format(step=step.format_map(self.values), percent=percent)
            self.step_progress(note, percent, public=True)
        self.on(self.day + timedelta(days=interval - self.rng.randint(0, 3)))
        self.step_progress(self.notes["long_term_done"], 100, public=True)

    def step_meet(self, final: bool = False) -> Any:
        """A mediation session a few days on; the last may end in a written agreement."""
        self.on(self.day + timedelta(days=self.gap))
        sessions, members, rng = self.words["sessions"], self.plan["members"], self.rng
        outcome = "oral" if final else "continue"
        if final and rng.random() < self.script.get("agreement", 0):
            outcome = "agreement"
        self.held += 1
        notes = sessions[-1] if final else sessions[self.held - 1]
        session = {"held_at": self.t, "outcome": outcome, "parties_present": self.plan["present"]}
        session["mediators"] = rng.sample(members, k=min(len(members), rng.randint(1, 2)))
        session["place"] = self.pick("mediation_places").format_map(self.values)
        session["method"] = rng.choice(["face_to_face", "joint"] + ["separate"] * (not final))
        return self.go(s.record_mediation_session, MEDIATOR, notes=notes, **session)

    def step_sessions(self) -> None:
        """The sessions before the last (for a recent agreement: 3–17 working days ago)."""
        count = len(self.words["sessions"])
        self.gap = self.rng.randint(*self.script.get("gap", [4, 12]))
        if self.script.get("recent"):
            last = working_days_back(self.world.today, self.rng.randint(3, 17))
            self.gap = max(2, (last - self.day).days // count)
        while self.held < count - 1:
            self.step_meet()

    def step_settle(self) -> None:
        """The last session, and the agreement (调解协议) when it is its outcome."""
        session = self.step_meet(final=True)
        if session.outcome != "agreement":
            return
        self.world.agreements += 1
        parties = self.case.parties.select_related("person")
        signed = {"signed_on": self.day, "mediators": list(session.mediators.all())}
        signed["parties"] = "；".join(f"{p.get_role_display()}：{p.person.name}" for p in parties)
        number = self.notes["agreement_number"].format(year=self.day.year, n=self.world.agreements)
        signed |= {k: self.fill(k) for k in ("facts", "responsibilities", "terms", "performance")}
        self.go(s.record_agreement, MEDIATOR, session=session, agreement_number=number, **signed)

    def step_review(self) -> None:
        """The petitioner asks for a review (复查) of the answer within days."""
        original, words = self.case, data("petitions")["review"]
        person = original.parties.get(role="petitioner").person
        party = s.PartyData(person.name, person.phone, person.id_number, person.address)
        title = f"{words['title']}（原事项 {original.number}）"
        plan = {**self.plan, "moment": self.t, "script": "review", "channel": "visit"}
        plan |= {"compound": None, "kind": "review", "parties": [party], "visitor": SECRETARY}
        plan |= {"words": {**words, "title": title}, "register": {"reviews": original}}
        plan |= dict.fromkeys(("registrar", "manager", "handler"), SECRETARY)
        review = Story(self.world, plan)
        try:
            review.play()
        finally:
            self.t = max(self.t, review.t)
