"""The demo's outreach work as rows to write, planned from the data files (outreach/demo/data):
a year of policy talks, research visits, on-site sessions and deliberation meetings (the 365
days ending yesterday), the grid worker's drafts of its last fortnight, the next two weeks'
plans. Random choices come from the seeder's rng and dates from its ``today``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from outreach import models
from outreach.demo.rows import Row, fill
from portal.demo import SeedContext, texts
from portal.models import CalendarDay, Community, Compound, DayKind, Grid, StaffProfile, Team

# The demo accounts that register activities (portal's demo data) and where they work.
SECRETARY, AREA_LEADER = "shuji", "baopian"
COMMUNITY_SECRETARY, GRID_WORKER = "sqshuji", "wanggeyuan"
AUTHORS = (SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER)
HOME, HOME_GRID = "fenghuangling", "第二网格"  # the community secretary's and the grid worker's
AREA = ("fenghuangling", "chilechuan")  # the area leader's 包片
SECRETARY_POST = "wusutu"  # the party secretary's own 联系点
HELD, PLANNED, CANCELLED = "held", "planned", "cancelled"  # models.ActivityStatus
FRIDAY, SLOTS = 4, [(9, 30), (10, 0), (15, 0), (15, 30)]  # when a talk or a daily visit starts


def weekday_from(day: date) -> date:
    """``day``, or the Monday after it when it falls at a weekend."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def fitting(items: list[dict], day: date) -> list[dict]:
    """The items held in ``day``'s month (those that name no months are held in any)."""
    return [item for item in items if day.month in item.get("months", range(1, 13))]


@dataclass
class Place:
    """A community the demo works in: its grids with a station, and each grid's compounds."""

    community: Community
    grids: list[Grid]
    compounds: dict[int, list[Compound]]  # grid id -> compounds (the community's if none)


class Year:
    """Reads the places, accounts, teams and data files once, and builds the rows."""

    def __init__(self, ctx: SeedContext) -> None:
        self.rng, self.today, self.tz = ctx.rng, ctx.today, timezone.get_current_timezone()
        names = ("common", "talks", "research", "onsite", "meetings")
        self.data = {name: texts("outreach.demo", name) for name in names}
        grids, by_grid, by_community = defaultdict(list), defaultdict(list), defaultdict(list)
        for grid in Grid.objects.exclude(station="").order_by("sort_order", "pk"):
            grids[grid.community_id].append(grid)
        self.compound_named = {}
        for compound in Compound.objects.select_related("grid", "community").order_by("pk"):
            by_community[compound.community_id].append(compound)
            by_grid[compound.grid_id].append(compound)
            self.compound_named[compound.name] = compound
        self.places = [
            Place(c, grids[c.pk], {g.pk: by_grid[g.pk] or by_community[c.pk] for g in grids[c.pk]})
            for c in Community.objects.order_by("sort_order", "pk")
            if grids[c.pk] and by_community[c.pk]
        ]
        self.by_code = {place.community.code: place for place in self.places}
        self.users = {u.username: u for u in get_user_model().objects.filter(username__in=AUTHORS)}
        staff = StaffProfile.objects.filter(user__username__in=AUTHORS).select_related("user")
        self.staff = {profile.user.username: profile for profile in staff}
        if set(AUTHORS) - set(self.staff) or HOME not in self.by_code:
            raise RuntimeError("the outreach demo needs portal's demo data first")
        self.teams = {team.name: team for team in Team.objects.prefetch_related("members")}
        self.series = {
            s["name"]: models.TalkSeries.objects.get_or_create(name=s["name"], defaults=s)[0]
            for s in self.data["talks"]["series"]
        }
        self.themes = {
            t["name"]: models.ResearchTheme.objects.get_or_create(
                name=t["name"], defaults={"description": t["description"]}
            )[0]
            for t in self.data["research"]["theme"]
        }
        # The 365 days ending yesterday, and those of them that are not public holidays nor in
        # the week the office rests from the spring festival's eve.
        self.days = [self.today - timedelta(days=n) for n in range(365, 0, -1)]
        holidays = CalendarDay.objects.filter(kind=DayKind.HOLIDAY).values_list("date", flat=True)
        self.free = set(self.days) - set(holidays)
        for day in self.days:
            if -1 <= (day - (self.festival("spring", day.year) or date.min)).days <= 6:
                self.free.discard(day)
        self.rotas: dict[int, models.OnsiteRota] = {}
        self.used: Counter[str] = Counter()  # talk topics, so titles stay varied

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def free_days(self, *weekdays: int) -> list[date]:
        return [day for day in self.days if day in self.free and day.weekday() in weekdays]

    def festival(self, name: str, year: int) -> date | None:
        return next((d for d in self.data["common"]["festivals"][name] if d.year == year), None)

    def who(self, profiles: list[StaffProfile]) -> str:
        """How a summary names the officials who came: by post, never by name."""
        posts = self.data["common"]["posts"]
        return "、".join(posts[p.user.username] for p in profiles) or posts["nobody"]

    def author(self, community: Community, grid: Grid | None) -> Any:
        """Who registers an activity: the grid worker in her grid, the community secretary in
        her community, otherwise the party secretary."""
        if community.code != HOME:
            return self.users[SECRETARY]
        return self.users[GRID_WORKER if grid and grid.name == HOME_GRID else COMMUNITY_SECRETARY]

    def planned(self, plan: list[dict], build: Callable[..., Row]) -> list[Row]:
        """What a data file's plan asks for (its comment there says how to read it)."""
        rows, rng = [], self.rng
        for line in plan:
            days, count = self.free_days(*line["weekdays"]), line["count"]
            weights = [line.get("weights", {}).get(p.community.code, 1) for p in self.places]
            order = rng.sample(self.places, k=len(self.places))
            for n in range(count):
                if line.get("spread"):
                    step = len(days) // count
                    day, place = days[n * step + rng.randrange(step)], order[n % len(order)]
                else:
                    day, place = rng.choice(days), rng.choices(self.places, weights)[0]
                rows.append(build(line["kind"], day, place, status=line.get("status", HELD)))
        return rows

    def activity(self, model: type, place: Place, grid: Grid | None, **fields: Any) -> Any:
        """An activity of ``model`` registered by its place's author, ``minutes`` long from
        ``starts_at``; when cancelled, for one of ``reasons`` (mostly the season's)."""
        start, reasons = fields["starts_at"], fields.pop("reasons")
        fields["ends_at"] = start + timedelta(minutes=fields.pop("minutes"))
        if fields["status"] == CANCELLED:
            seasons = self.data["common"]["seasons"]
            season = next((s for s, months in seasons.items() if start.month in months), "any")
            season = season if self.rng.random() < 0.6 else "any"
            fields["cancel_reason"] = self.rng.choice(reasons.get(season, reasons["any"]))
        author = self.author(place.community, grid)
        return model(
            community=place.community, grid=grid, created_by=author, is_published=True, **fields
        )

    # --- policy talks ----------------------------------------------------------------------

    def fits(self, topic: dict, day: date) -> bool:
        if name := topic.get("festival"):
            when, (low, high) = self.festival(name, day.year), topic.get("window", [-6, 0])
            return when is not None and low <= (day - when).days <= high
        if not fitting([topic], day) or day < topic.get("not_before", date.min):
            return False
        return not topic.get("outdoor") or 5 <= day.month <= 9

    def talk(self, kind: str, day: date, place: Place | None, *, status: str = HELD) -> Row:
        rng, data = self.rng, self.data["talks"]
        # A festival's own event first, then the least used topic that fits the day.
        topics = [t for t in data["topic"] if t["kind"] == kind and self.fits(t, day)]
        topics = [t for t in topics if t.get("festival")] or topics
        least = min(self.used[t["title"]] for t in topics)
        topic = rng.choice([t for t in topics if self.used[t["title"]] == least])
        self.used[topic["title"]] += 1
        place = place or rng.choice(self.places)
        community, grid = place.community.name, rng.choice(place.grids)
        spot = rng.choice(place.compounds[grid.pk])
        culture = kind == "culture"
        outdoor = topic.get("outdoor") or (culture and 5 <= day.month <= 9 and rng.random() < 0.6)
        template = rng.choice(data["venues"]["outdoor" if outdoor else kind])
        venue = template.format(community=community, station=grid.station, compound=spot.name)
        if outdoor or "{station}" not in template:
            grid = spot.grid if outdoor else None
        if topic.get("evening") or (outdoor and day.month in (6, 7, 8) and rng.random() < 0.6):
            start, minutes = self.at(day, 20 if day.month in (6, 7) else 19, 30), 90
        elif culture:
            start, minutes = self.at(day, rng.choice([9, 14, 15]), rng.choice([0, 30])), 120
        else:
            start, minutes = self.at(day, *rng.choice(SLOTS)), rng.choice([60, 90, 90, 120])
        where = spot.name if outdoor else community
        team = self.teams[rng.choice(data["teams"][kind])]
        names = {"team": team.name, "venue": venue, "community": community, "compound": spot.name}
        talk = self.activity(
            models.PolicyTalk,
            place,
            grid,
            title=f"{topic['title']}（{where}）" if rng.random() < 0.3 else topic["title"],
            kind=kind,
            series=self.series.get(topic.get("series", "")),
            starts_at=start,
            minutes=minutes,
            compound=spot if outdoor else None,
            venue=venue,
            summary=fill(rng, rng.choice(data["openings"][kind]) + topic["summary"], **names),
            other_speakers=topic.get("other_speakers", "") if rng.random() < 0.7 else "",
            status=status,
            reasons=data["cancel_reasons"],
        )
        if status == HELD:
            talk.summary += fill(rng, rng.choice(data["tails"][kind]))
            self.audience(talk, outdoor=outdoor)
        members = [m for m in team.members.all() if m.is_active]
        speakers = rng.sample(members, k=min(len(members), rng.choice([1, 1, 2])))
        m2m = {"teams": [team], "speakers": speakers}
        return Row(talk, m2m, scene="stage" if culture else "talk")

    def audience(self, talk: models.PolicyTalk, *, outdoor: bool) -> None:
        """Signed attendance; for a cultural event, its estimated reach and how it was made."""
        rng, sizes = self.rng, self.data["talks"]["audience"]
        notes = self.data["talks"]["reach_notes"]
        if talk.kind != "culture":
            talk.attendance_signed = rng.randint(*sizes[talk.kind])
            if talk.kind == "theory" and rng.random() < 0.15:  # and residents who did not sign
                talk.reach_estimated = talk.attendance_signed + rng.randint(5, 30)
                talk.reach_method, talk.reach_note = "headcount", notes["signed_in"]
            return
        setting = "outdoor" if outdoor else "indoor"
        reach = int(rng.triangular(*sizes[setting])) if outdoor else rng.randint(*sizes[setting])
        signed = rng.randint(reach // 3, reach * 4 // 5) if rng.random() < 0.7 else None
        talk.reach_method = method = rng.choice(sizes[f"{setting}_methods"])
        talk.reach_estimated, talk.attendance_signed = reach, signed
        onsite = signed or reach // 2
        talk.reach_note = notes[method].format(onsite=onsite, online=max(1, reach - onsite))

    def talks_year(self) -> list[Row]:
        """Each festival's own event on a day near it (a weekend where there is one), then
        what the plan asks for."""
        rows = []
        for topic in (t for t in self.data["talks"]["topic"] if t.get("festival")):
            window = [d for d in self.days if self.fits(topic, d)]
            weekend = [d for d in window if d.weekday() >= 5]
            if window:
                rows.append(self.talk(topic["kind"], self.rng.choice(weekend or window), None))
        return rows + self.planned(self.data["talks"]["plan"], self.talk)

    # --- research visits -------------------------------------------------------------------

    def visit(self, kind: str, day: date, place: Place, *, status: str = HELD, **where: Any) -> Row:
        rng, data, staff = self.rng, self.data["research"], self.staff
        code, grid = place.community.code, where.get("grid") or rng.choice(place.grids)
        compound = rng.choice(place.compounds[grid.pk])
        home_grid = code == HOME and grid.name == HOME_GRID
        # The party secretary on his visiting days and outside the area leader's communities;
        # a daily visit at home is the grid worker's in her grid, the community secretary's else.
        lead = staff[AREA_LEADER if code in AREA and kind != "secretary_day" else SECRETARY]
        if kind == "daily" and code == HOME:
            lead = staff[GRID_WORKER if home_grid else COMMUNITY_SECRETARY]
        hour, minute = {"secretary_day": (9, 0), "focused": (rng.choice([9, 14]), 30)}.get(
            kind, rng.choice(SLOTS)
        )
        themes = rng.sample(data["theme"], k=2 if rng.random() < 0.3 else 1)
        names = {"lead": self.who([lead]), "compound": compound.name, **themes[0]}
        visit = self.activity(
            models.FieldVisit,
            place,
            compound.grid,
            title=data["titles"][kind].format(community=place.community.name, **names),
            kind=kind,
            lead_official=lead,
            starts_at=self.at(day, hour, minute),
            minutes=rng.choice(data["visits"]["minutes"][kind]),
            compound=compound,
            venue=compound.name,
            summary=data["text"]["planned"].format(**names),
            status=status,
            reasons=data["cancel_reasons"],
        )
        if status == HELD:
            names["households"] = rng.randint(*data["visits"]["households"][kind])
            diary = data["diary"]["opening"].format(day=day, **names)
            picked = rng.sample(fitting(data["problem"], day), k=rng.randint(2, 4))
            for n, problem in enumerate(picked, start=1):
                numbers = {"b": rng.randint(1, 18), "u": rng.randint(1, 4), "k": rng.randint(3, 12)}
                text = problem["text"].format(c=compound.name, **numbers)
                diary += f"\n{n}. {text}。【{problem['class']}】{problem['handling']}。"
            solved = sum(problem["class"] == "当场解决" for problem in picked)
            outcome = "all" if solved == len(picked) else "some" if solved else "none"
            names["opening"] = rng.choice(data["openings"][kind]).format(**names)
            names["outcome"] = rng.choice(data["outcomes"][outcome]).format(solved=solved)
            visit.summary = data["text"]["held"].format(found=len(picked), **names)
            visit.households_visited = names["households"]
            visit.diary = f"{diary}\n{rng.choice(data['diary']['moods'])}"
        participants = [staff[COMMUNITY_SECRETARY]] if code == HOME else []
        participants += [staff[GRID_WORKER]] if home_grid else []
        participants += [staff[AREA_LEADER]] if code in AREA and kind != "daily" else []
        m2m = {
            "participants": [p for p in participants if p != lead],
            "themes": [self.themes[t["name"]] for t in themes],
        }
        return Row(visit, m2m, scene="visit")

    # --- on-site office sessions -----------------------------------------------------------

    def officials(self, place: Place, week: int, *, secretary: bool = False) -> list[Any]:
        """Who sits at a session: the community secretary at home, the area leader at his two
        communities in alternate weeks, the party secretary where he chose to go."""
        code = place.community.code
        officials = [self.staff[COMMUNITY_SECRETARY]] if code == HOME else []
        officials += [self.staff[AREA_LEADER]] if code == AREA[week % 2] else []
        return officials + ([self.staff[SECRETARY]] if secretary else [])

    def session(self, place: Place, start: datetime, officials: list, grid: Grid, **kw: Any) -> Row:
        rng, data = self.rng, self.data["onsite"]
        if place.community.code == HOME and grid.name == HOME_GRID:
            officials = [*officials, self.staff[GRID_WORKER]]
        topic = kw.pop("topic", None) or rng.choice(fitting(data["topic"], start.date()))
        label = kw.pop("label", topic.get("label", ""))
        names = {"who": self.who(officials), "station": grid.station}
        session = self.activity(
            models.OnsiteSession,
            place,
            grid,
            title=f"{place.community.name}现场办公" + (f"·{label}" if label else ""),
            starts_at=start,
            minutes=120,
            compound=rng.choice(place.compounds[grid.pk]),
            venue=grid.station,
            venue_type=self.venue_type(grid.station),
            summary=rng.choice(data["text"]["planned"]).format(**names),
            reasons=data["cancel_reasons"],
            **{"status": HELD, **kw},
        )
        if session.status == HELD:
            mean, spread = data["sessions"]["residents"]
            session.residents_met = met = max(5, min(40, round(rng.gauss(mean, spread))))
            detail = fill(rng, topic["detail"], k=rng.randint(1, max(1, min(8, met // 2))))
            session.summary = rng.choice(data["text"]["held"]).format(met=met, **names) + detail
        return Row(session, {"officials": officials}, scene="onsite")

    def special(self, kind: str, day: date, place: Place, *, status: str = HELD) -> Row:
        """A mid-week session on one matter at one of the community's stations."""
        topic = self.rng.choice(
            fitting([t for t in self.data["onsite"]["topic"] if "label" in t], day)
        )
        officials, grid = (
            self.officials(place, day.isocalendar().week),
            self.rng.choice(place.grids),
        )
        start, label = self.at(day, 9, 30), f"{topic['label']}专场"
        return self.session(place, start, officials, grid, topic=topic, label=label, status=status)

    def venue_type(self, station: str) -> str:
        types = self.data["common"]["venue_types"]
        return next((types[s] for s in types if station.endswith(s)), "other")

    def sessions_year(self) -> list[Row]:
        """Every free Friday at 14:30 in each community, mostly at the rota's station."""
        rng, plan, rows = self.rng, self.data["onsite"]["fridays"], []
        others = [p for p in self.places if p.community.code not in AREA]
        for day in self.free_days(FRIDAY):
            week, start = day.isocalendar().week, self.at(day, 14, 30)
            visited = rng.choice(others) if rng.random() < plan["secretary"] else None
            for place in self.places:
                if rng.random() < plan["skipped"]:  # merged into another meeting that week
                    continue
                status = CANCELLED if rng.random() < plan["cancelled"] else HELD
                at_rota = rng.random() < plan["at_rota_station"]
                grid = place.grids[0] if at_rota else rng.choice(place.grids)
                rota = self.rotas.get(place.community.pk)
                rota = rota if rota and rota.venue == grid.station else None
                officials = self.officials(place, week, secretary=visited is place)
                rows.append(self.session(place, start, officials, grid, status=status, rota=rota))
        return rows + self.planned(self.data["onsite"]["plan"], self.special)

    def plan_rotas(self) -> None:
        """One Friday 14:30 rota per community at its first grid station (found or made)."""
        for place in self.places:
            grid, code = place.grids[0], place.community.code
            rota, created = models.OnsiteRota.objects.get_or_create(
                community=place.community,
                weekday=FRIDAY,
                start_time=time(14, 30),
                venue=grid.station,
                defaults={"grid": grid, "venue_type": self.venue_type(grid.station)},
            )
            if created:
                week = AREA.index(code) if code in AREA else 0  # the area leader comes
                rota.officials.set(self.officials(place, week, secretary=code == SECRETARY_POST))
            self.rotas[place.community.pk] = rota

    # --- deliberation meetings -------------------------------------------------------------

    def meeting(self, matter: dict, start: datetime, *, status: str = HELD) -> Row | None:
        rng, data = self.rng, self.data["meetings"]
        compound = self.compound_named.get(matter["compound"])
        place = self.by_code.get(compound.community.code) if compound else None
        if compound is None or place is None:
            return None
        community = place.community
        halls = [g.station for g in [compound.grid, *place.grids] if g and "议事" in g.station]
        officials = [self.staff[COMMUNITY_SECRETARY]] if community.code == HOME else []
        officials += [self.staff[AREA_LEADER]] if community.code in AREA else []
        officials += [self.staff[SECRETARY]] if not officials or rng.random() < 0.25 else []
        attendance = []
        for category, names in [*matter["parties"], ["party", f"{community.name}党委"]]:
            most = 3 if category in ("party", "owners_committee") else 2
            low, high = data["plan"]["residents"] if category == "residents" else (1, most)
            attendance.append((category, rng.randint(low, high), names))
        labels = (models.StakeholderCategory(c).label for c, _n, _names in attendance)
        text = {"parties": "、".join(map(str, labels)), "community": community.name, **matter}
        meeting = self.activity(
            models.Deliberation,
            place,
            compound.grid,
            title=matter["title"],
            starts_at=start,
            minutes=rng.choice([90, 120, 150]),
            compound=compound,
            venue=halls[0] if halls else f"{community.name}党群服务中心议事室",
            summary=data["text"]["planned"].format(**text),
            status=status,
            reasons={"any": [data["plan"]["cancel_reason"]]},
        )
        if status != HELD:
            return Row(meeting, {"officials": officials}, scene="meeting")
        due = start.date()
        decisions = [(t, who, due + timedelta(days=n)) for t, who, n in matter["decisions"]]
        residents = attendance[0][1]  # the residents' representatives come first
        text |= {
            "attendees": sum(n for _c, n, _names in attendance),
            "matter": matter["title"].removesuffix("协商会").removesuffix("会"),
            "residents": residents,
            "agree": residents - rng.randint(0, residents // 4),
            "decided": "\n".join(f"{n}. {d[0]}（{d[1]}）" for n, d in enumerate(decisions, 1)),
            "count": len(decisions),
        }
        meeting.summary = data["text"]["held"].format(**text)
        meeting.minutes = data["text"]["minutes"].format(**text)
        return Row(meeting, {"officials": officials}, attendance, decisions, scene="meeting")

    def meetings_year(self) -> list[Row | None]:
        """One meeting per matter; a follow-up a month or more after the one it follows."""
        rng, days, rows = self.rng, self.free_days(0, 1, 2, 3, 4), []
        held_on: dict[int, date] = {}
        for matter in self.data["meetings"]["matter"]:
            before = held_on.get(matter.get("follows", -1))
            later = [d for d in days if before and 30 <= (d - before).days <= 75]
            day = rng.choice(later or days[-20:] if before else days[: len(days) * 2 // 3])
            held_on[matter["id"]] = day
            hour, minute = rng.choice([(15, 0), (15, 30), (19, 0)])
            rows.append(self.meeting(matter, self.at(day, hour, minute)))
            if matter["id"] == self.data["meetings"]["plan"]["postponed"]:  # put off once
                earlier = max(d for d in days if d <= day - timedelta(days=7))
                rows.append(self.meeting(matter, self.at(earlier, 15, 0), status=CANCELLED))
        return rows

    # --- the whole of it -------------------------------------------------------------------

    def rows(self) -> list[Row]:
        """The year (a few of its activities cancelled); the grid worker's records of the last
        fortnight, waiting for a publisher: two household visits and a session at her station;
        then two talks and a meeting in the next two weeks, planned and public."""
        rng, today, home = self.rng, self.today, self.by_code[HOME]
        research = self.planned(self.data["research"]["plan"], self.visit)
        year = [*self.talks_year(), *self.sessions_year(), *research, *self.meetings_year()]
        grid = next(g for g in home.grids if g.name == HOME_GRID)
        fortnight = [d for d in self.free_days(0, 1, 2, 3) if (today - d).days <= 14]
        days = sorted(rng.sample(fortnight, k=3))
        drafts = [self.visit("daily", day, home, grid=grid) for day in days[:2]]
        topic = rng.choice([t for t in self.data["onsite"]["topic"] if "label" not in t])
        officials = [self.staff[COMMUNITY_SECRETARY]]
        drafts.append(self.session(home, self.at(days[2], 9, 30), officials, grid, topic=topic))
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        saturday += timedelta(days=7 if saturday < today + timedelta(days=2) else 0)
        meeting = self.at(weekday_from(today + timedelta(days=9)), 15, 0)
        chilechuan = self.by_code.get("chilechuan", home)
        planned = [
            self.talk(
                "theory", weekday_from(today + timedelta(days=3)), chilechuan, status=PLANNED
            ),
            self.talk("culture", saturday, home, status=PLANNED),
            self.meeting(self.data["meetings"]["upcoming"], meeting, status=PLANNED),
        ]
        for row in drafts:
            row.obj.is_published = False
        for row in [*drafts, *planned]:
            if row is not None:
                row.scene = ""  # no photos of drafts and plans
        return [row for row in [*year, *drafts, *planned] if row is not None]
