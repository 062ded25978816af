"""The demo's outreach work as rows to write, planned from the data files (outreach/demo/data):
a year of policy talks, research visits, on-site sessions and deliberation meetings over the
365 days ending yesterday, the grid worker's drafts of the last fortnight, the plans for the
next two weeks, and one Friday rota per community.

Random choices come from the seeder's rng and dates from its ``today``: the same day gives the
same year. Texts are public-safe: no resident is named and no phone number appears.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from outreach.demo.rows import Row, fill
from outreach.models import (
    ActivityStatus,
    Deliberation,
    FieldVisit,
    OnsiteRota,
    OnsiteSession,
    PolicyTalk,
    ReachMethod,
    ResearchTheme,
    StakeholderCategory,
    TalkKind,
    TalkSeries,
    VenueType,
    VisitKind,
    Weekday,
)
from portal.demo import SeedContext, texts
from portal.models import (
    CalendarDay,
    Community,
    Compound,
    DayKind,
    Grid,
    StaffProfile,
    Team,
    TeamMember,
)

# The demo accounts that register activities (portal.demo.DEMO_USERS) and where they work.
SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER = (
    "shuji",
    "baopian",
    "sqshuji",
    "wanggeyuan",
)
AUTHORS = (SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER)
HOME, HOME_GRID = "fenghuangling", "第二网格"  # the community secretary's and the grid worker's
AREA = ("fenghuangling", "chilechuan")  # the area leader's 包片
SECRETARY_POST = "wusutu"  # the party secretary's own 联系点
STATIONS = {
    "网格驿站": VenueType.GRID_STATION,
    "协商议事厅": VenueType.COUNCIL_HALL,
    "民声议事亭": VenueType.VOICE_PAVILION,
    "邻里议事亭": VenueType.NEIGHBOUR_PAVILION,
}
SLOTS = [(9, 30), (10, 0), (15, 0), (15, 30)]  # when a talk or a daily visit starts
HELD, PLANNED, CANCELLED = ActivityStatus.HELD, ActivityStatus.PLANNED, ActivityStatus.CANCELLED


def venue_type(station: str) -> str:
    return next((k for suffix, k in STATIONS.items() if station.endswith(suffix)), VenueType.OTHER)


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
        self.rng, self.today = ctx.rng, ctx.today
        self.tz = timezone.get_current_timezone()
        self.days = [self.today - timedelta(days=n) for n in range(365, 0, -1)]
        self.common, self.talks = texts("outreach.demo", "common"), texts("outreach.demo", "talks")
        self.research, self.onsite = (
            texts("outreach.demo", "research"),
            texts("outreach.demo", "onsite"),
        )
        self.meetings = texts("outreach.demo", "meetings")
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
        self.profiles = {
            p.user.username: p
            for p in StaffProfile.objects.filter(user__username__in=AUTHORS).select_related("user")
        }
        if set(AUTHORS) - set(self.profiles) or not self.places:
            raise RuntimeError("the outreach demo needs portal's demo data first")
        self.teams = {team.name: team for team in Team.objects.all()}
        self.members = defaultdict(list)
        for member in TeamMember.objects.filter(is_active=True).select_related("team"):
            self.members[member.team.name].append(member)
        self.series = {
            s["name"]: TalkSeries.objects.get_or_create(
                name=s["name"], defaults={"kind": s["kind"], "description": s["description"]}
            )[0]
            for s in self.talks["series"]
        }
        self.themes = {
            t["name"]: ResearchTheme.objects.get_or_create(
                name=t["name"], defaults={"description": t["description"]}
            )[0]
            for t in self.research["theme"]
        }
        self.holidays = set(
            CalendarDay.objects.filter(kind=DayKind.HOLIDAY).values_list("date", flat=True)
        )
        self.rotas: dict[int, OnsiteRota] = {}
        self.used: Counter[str] = Counter()  # talk topics, so titles stay varied

    # --- who, where, when ----------------------------------------------------------------

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def author(self, community: Community, grid: Grid | None) -> Any:
        """Who registers an activity: the grid worker in her grid, the community secretary in
        her community, otherwise the party secretary."""
        if community.code != HOME:
            return self.users[SECRETARY]
        return self.users[GRID_WORKER if grid and grid.name == HOME_GRID else COMMUNITY_SECRETARY]

    def who(self, profiles: list[StaffProfile]) -> str:
        posts = self.common["posts"]
        return "、".join(posts[p.user.username] for p in profiles) or posts["nobody"]

    def festival(self, name: str, year: int) -> date | None:
        return next((d for d in self.common["festivals"][name] if d.year == year), None)

    def free(self, day: date) -> bool:
        """Not a public holiday, nor in the week the office rests from the spring festival's eve."""
        spring = self.festival("spring", day.year)
        return day not in self.holidays and not (spring and -1 <= (day - spring).days <= 6)

    def free_days(self, *weekdays: int) -> list[date]:
        return [d for d in self.days if d.weekday() in weekdays and self.free(d)]

    def cancel_reason(self, reasons: dict[str, list[str]], day: date) -> str:
        """The season's weather most times, something else now and then."""
        seasons = self.common["seasons"]
        season = next((s for s, months in seasons.items() if day.month in months), "any")
        return self.rng.choice(reasons[season if self.rng.random() < 0.6 else "any"])

    # --- policy talks ----------------------------------------------------------------------

    def fits(self, topic: dict, day: date) -> bool:
        if name := topic.get("festival"):
            when, (low, high) = self.festival(name, day.year), topic.get("window", [-6, 0])
            return when is not None and low <= (day - when).days <= high
        if not fitting([topic], day) or day < topic.get("not_before", date.min):
            return False
        return not topic.get("outdoor") or 5 <= day.month <= 9

    def topic(self, kind: str, day: date) -> dict:
        """A festival's own event first, then the least used topic that fits the day."""
        topics = [t for t in self.talks["topic"] if t["kind"] == kind and self.fits(t, day)]
        topics = [t for t in topics if t.get("festival")] or topics
        least = min(self.used[t["title"]] for t in topics)
        topic = self.rng.choice([t for t in topics if self.used[t["title"]] == least])
        self.used[topic["title"]] += 1
        return topic

    def talk(self, kind: str, day: date, *, status: str = HELD, place: Place | None = None) -> Row:
        rng, data = self.rng, self.talks
        topic = self.topic(kind, day)
        place = place or rng.choice(self.places)
        community = place.community
        grid: Grid | None = rng.choice(place.grids)
        spot = rng.choice(place.compounds[grid.pk])
        outdoor = topic.get("outdoor") or (
            kind == TalkKind.CULTURE and 5 <= day.month <= 9 and rng.random() < 0.6
        )
        compound = spot if outdoor else None
        if outdoor:
            venue, grid = (
                rng.choice(data["venues"]["outdoor"]).format(compound=spot.name),
                spot.grid,
            )
        else:
            template = rng.choice(data["venues"][kind])
            venue = template.format(community=community.name, station=grid.station)
            grid = grid if "{station}" in template else None
        if topic.get("evening") or (outdoor and day.month in (6, 7, 8) and rng.random() < 0.6):
            start, minutes = self.at(day, 20 if day.month in (6, 7) else 19, 30), 90
        elif kind == TalkKind.CULTURE:
            start, minutes = self.at(day, rng.choice([9, 14, 15]), rng.choice([0, 30])), 120
        else:
            start, minutes = self.at(day, *rng.choice(SLOTS)), rng.choice([60, 90, 90, 120])
        title, roll = topic["title"], rng.random()
        if roll < 0.3:
            title = f"{title}（{spot.name if compound else community.name}）"
        elif roll < 0.45 and kind == TalkKind.THEORY:
            title = f"红骑兵宣讲团走进{community.name}：{title}"
        team = rng.choice(data["teams"][kind])
        pool = self.members.get(team, [])
        names = {"team": team, "venue": venue, "community": community.name, "compound": spot.name}
        summary = fill(rng, rng.choice(data["openings"][kind]), **names)
        summary += fill(rng, topic["summary"], **names)
        talk = PolicyTalk(
            title=title[:120],
            kind=kind,
            series=self.series.get(topic.get("series", "")),
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            community=community,
            grid=grid,
            compound=compound,
            venue=venue,
            other_speakers=topic.get("other_speakers", "") if rng.random() < 0.7 else "",
            status=status,
            is_published=True,
            created_by=self.author(community, grid),
        )
        if status == HELD:
            summary += fill(rng, rng.choice(data["tails"][kind]))
            self.audience(talk, outdoor=outdoor)
        elif status == CANCELLED:
            talk.cancel_reason = self.cancel_reason(data["cancel_reasons"], day)
        talk.summary = summary
        speakers = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2])))
        m2m = {"teams": [self.teams[team]] if team in self.teams else [], "speakers": speakers}
        return Row(talk, m2m, scene="stage" if kind == TalkKind.CULTURE else "talk")

    def audience(self, talk: PolicyTalk, *, outdoor: bool) -> None:
        """Signed attendance and, for cultural events, an estimate with its method."""
        rng, sizes, notes = self.rng, self.talks["audience"], self.talks["reach_notes"]
        if talk.kind != TalkKind.CULTURE:
            talk.attendance_signed = rng.randint(*sizes[talk.kind])
            if talk.kind == TalkKind.THEORY and rng.random() < 0.15:
                talk.reach_estimated = talk.attendance_signed + rng.randint(5, 30)
                talk.reach_method, talk.reach_note = ReachMethod.HEADCOUNT, notes["signed_in"]
            return
        if outdoor:
            reach = int(rng.triangular(*sizes["culture_outdoor"]))
            method = rng.choice([ReachMethod.VENUE, ReachMethod.HEADCOUNT])
            signed = rng.randint(30, 80) if rng.random() < 0.4 else None
        else:
            reach = rng.randint(*sizes["culture_indoor"])
            method = rng.choice([ReachMethod.HEADCOUNT, ReachMethod.HEADCOUNT, ReachMethod.ONLINE])
            low, high = (40, 70) if method == ReachMethod.ONLINE else (reach // 2, reach * 4 // 5)
            signed = rng.randint(low, high)
        talk.reach_estimated, talk.reach_method, talk.attendance_signed = reach, method, signed
        onsite = signed or reach // 2
        talk.reach_note = notes[method].format(onsite=onsite, online=max(1, reach - onsite))

    def talks_year(self) -> list[Row]:
        rows, plan = [], self.talks["plan"]
        for kind, held in plan["held"].items():
            festive = []  # each festival's event on a weekend near it where there is one
            for topic in self.talks["topic"]:
                window = [d for d in self.days if topic["kind"] == kind and topic.get("festival")]
                window = [d for d in window if self.fits(topic, d)]
                if window:
                    weekend = [d for d in window if d.weekday() >= 5]
                    festive.append(self.rng.choice(weekend or window))
            days = self.free_days(0, 1, 2, 3, 4)
            if kind == TalkKind.CULTURE:  # mostly at weekends
                days = self.free_days(5, 6) * 3 + self.free_days(*range(7))
            for n in range(held):
                day = festive[n] if n < len(festive) else self.rng.choice(days)
                rows.append(self.talk(kind, day))
            for _ in range(plan["cancelled"][kind]):
                rows.append(self.talk(kind, self.rng.choice(days), status=CANCELLED))
        return rows

    # --- research visits -------------------------------------------------------------------

    def lead(self, kind: str, code: str, grid: Grid | None) -> StaffProfile:
        """Who leads a visit: the party secretary on his visiting days and outside the area
        leader's communities; in the home community a daily visit is the grid worker's in her
        grid, the community secretary's elsewhere."""
        if kind == VisitKind.DAILY and code == HOME:
            home_grid = grid is not None and grid.name == HOME_GRID
            return self.profiles[GRID_WORKER if home_grid else COMMUNITY_SECRETARY]
        in_area = code in AREA and kind != VisitKind.SECRETARY_DAY
        return self.profiles[AREA_LEADER if in_area else SECRETARY]

    def diary(self, day: date, compound: Compound, households: int) -> tuple[str, int, int]:
        """民情日志: its text, the problems found and how many were solved on the spot."""
        rng, data = self.rng, self.research
        picked = rng.sample(fitting(data["problem"], day), k=rng.randint(2, 4))
        opening = data["diary"]["opening"]
        lines = [
            opening.format(
                month=day.month, day=day.day, compound=compound.name, households=households
            )
        ]
        for n, problem in enumerate(picked, start=1):
            text = problem["text"].format(
                c=compound.name, b=rng.randint(1, 18), u=rng.randint(1, 4), k=rng.randint(3, 12)
            )
            lines.append(f"{n}. {text}。【{problem['class']}】{problem['handling']}。")
        lines.append(rng.choice(data["diary"]["moods"]))
        solved = sum(problem["class"] == "当场解决" for problem in picked)
        return "\n".join(lines), len(picked), solved

    def visit(
        self,
        kind: str,
        day: date,
        place: Place,
        *,
        status: str = HELD,
        compound: Compound | None = None,
    ) -> Row:
        rng, data = self.rng, self.research
        community = place.community
        compound = compound or rng.choice(place.compounds[rng.choice(place.grids).pk])
        grid = compound.grid
        themes = rng.sample(data["theme"], k=2 if rng.random() < 0.3 else 1)
        lead = self.lead(kind, community.code, grid)
        if kind == VisitKind.SECRETARY_DAY:
            start, minutes = self.at(day, 9, 0), 150
        elif kind == VisitKind.FOCUSED:
            start, minutes = self.at(day, rng.choice([9, 14]), 30), rng.choice([150, 180])
        else:
            start, minutes = self.at(day, *rng.choice(SLOTS)), rng.choice([90, 120])
        names = {"lead": self.who([lead]), "compound": compound.name, "community": community.name}
        visit = FieldVisit(
            title=data["titles"][kind].format(theme=themes[0]["title"], **names)[:120],
            kind=kind,
            lead_official=lead,
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            community=community,
            grid=grid,
            compound=compound,
            venue=compound.name,
            status=status,
            is_published=True,
            created_by=self.author(community, grid),
        )
        if status == HELD:
            households = rng.randint(*data["plan"]["households"][kind])
            visit.diary, found, solved = self.diary(day, compound, households)
            outcomes = data["outcomes"]
            outcome = outcomes["all" if solved == found else "some" if solved else "none"]
            visit.summary = (
                f"{rng.choice(data['openings'][kind]).format(**names)}，{themes[0]['sentence']}。"
                f"入户{households}户，收集意见建议{found}条，"
                f"{rng.choice(outcome).format(solved=solved)}。"
            )
            visit.households_visited = households
        else:
            visit.summary = data["openings"]["planned"].format(theme=themes[0]["sentence"], **names)
            if status == CANCELLED:
                visit.cancel_reason = self.cancel_reason(data["cancel_reasons"], day)
        participants = []
        if community.code == HOME:
            participants.append(self.profiles[COMMUNITY_SECRETARY])
            if grid is not None and grid.name == HOME_GRID:
                participants.append(self.profiles[GRID_WORKER])
        if community.code in AREA and kind != VisitKind.DAILY:
            participants.append(self.profiles[AREA_LEADER])
        m2m = {
            "participants": [p for p in dict.fromkeys(participants) if p != lead],
            "themes": [self.themes[t["name"]] for t in themes],
        }
        return Row(visit, m2m, scene="visit")

    def visits_year(self) -> list[Row]:
        rng, plan = self.rng, self.research["plan"]["held"]
        workdays, fridays = self.free_days(0, 1, 2, 3), self.free_days(Weekday.FRIDAY)
        # 书记亲民走访日: Fridays spread over the year, each community in turn.
        count = plan[VisitKind.SECRETARY_DAY]
        step = max(1, len(fridays) // count)
        order = rng.sample(self.places, k=len(self.places))
        rows = [
            self.visit(
                VisitKind.SECRETARY_DAY,
                fridays[min(len(fridays) - 1, n * step + rng.randint(0, step - 1))],
                order[n % len(order)],
            )
            for n in range(count)
        ]
        # Daily visits lean to the communities with staff accounts; focused ones go everywhere.
        weights = [3 if p.community.code in AREA else 1 for p in self.places]
        for _ in range(plan[VisitKind.DAILY]):
            place = rng.choices(self.places, weights=weights)[0]
            rows.append(self.visit(VisitKind.DAILY, rng.choice(workdays), place))
        for _ in range(plan[VisitKind.FOCUSED]):
            rows.append(
                self.visit(VisitKind.FOCUSED, rng.choice(workdays), rng.choice(self.places))
            )
        for kind in VisitKind.values:
            day = rng.choice(fridays if kind == VisitKind.SECRETARY_DAY else workdays)
            rows.append(self.visit(kind, day, rng.choice(self.places), status=CANCELLED))
        return rows

    # --- on-site office sessions -----------------------------------------------------------

    def officials(self, place: Place, week: int, *, secretary: bool) -> list[StaffProfile]:
        """Who sits at a session: the community secretary at home, the area leader at his two
        communities in alternate weeks, the party secretary where he chose to go."""
        code = place.community.code
        officials = [self.profiles[COMMUNITY_SECRETARY]] if code == HOME else []
        if code == AREA[week % 2]:
            officials.append(self.profiles[AREA_LEADER])
        return [*officials, self.profiles[SECRETARY]] if secretary else officials

    def session(
        self,
        place: Place,
        start: datetime,
        officials: list[StaffProfile],
        grid: Grid,
        *,
        status: str = HELD,
        rota: OnsiteRota | None = None,
        topic: dict | None = None,
        label: str = "",
    ) -> Row:
        rng, data = self.rng, self.onsite
        community = place.community
        if community.code == HOME and grid.name == HOME_GRID:
            officials = [*officials, self.profiles[GRID_WORKER]]
        topic = topic or rng.choice(fitting(data["topic"], start.date()))
        label = label or topic.get("label", "")
        session = OnsiteSession(
            title=f"{community.name}现场办公" + (f"·{label}" if label else ""),
            starts_at=start,
            ends_at=start + timedelta(minutes=120),
            community=community,
            grid=grid,
            compound=rng.choice(place.compounds[grid.pk]),
            venue=grid.station,
            venue_type=venue_type(grid.station),
            status=status,
            is_published=True,
            created_by=self.author(community, grid),
            rota=rota,
        )
        names = {"who": self.who(officials), "station": grid.station}
        if status == HELD:
            mean, spread = data["plan"]["residents"]
            met = max(5, min(40, round(rng.gauss(mean, spread))))
            k = rng.randint(1, max(1, min(8, met // 2)))
            session.residents_met = met
            session.summary = data["text"]["held"].format(met=met, **names) + fill(
                rng, topic["detail"], k=k
            )
        else:
            session.summary = data["text"]["planned"].format(**names)
            if status == CANCELLED:
                session.cancel_reason = self.cancel_reason(data["cancel_reasons"], start.date())
        return Row(session, {"officials": officials}, scene="onsite")

    def sessions_year(self) -> list[Row]:
        rng, plan = self.rng, self.onsite["plan"]
        rows = []
        others = [p for p in self.places if p.community.code not in AREA]
        for day in self.free_days(Weekday.FRIDAY):
            week = day.isocalendar().week
            visited = rng.choice(others) if others and rng.random() < 0.35 else None
            for place in self.places:
                if rng.random() < plan["skipped"]:  # merged into another meeting that week
                    continue
                status = CANCELLED if rng.random() < plan["cancelled"] else HELD
                at_rota = rng.random() < plan["at_rota_station"]
                grid = place.grids[0] if at_rota else rng.choice(place.grids)
                rota = self.rotas.get(place.community.pk)
                rows.append(
                    self.session(
                        place,
                        self.at(day, 14, 30),
                        self.officials(place, week, secretary=visited is place),
                        grid,
                        status=status,
                        rota=rota if rota and rota.venue == grid.station else None,
                    )
                )
        # Sessions on one matter at the busiest stations, e.g. before the heating season.
        labelled = [topic for topic in self.onsite["topic"] if "label" in topic]
        days = self.free_days(1, 2)
        for _ in range(plan["midweek"]):
            day, place = rng.choice(days), rng.choice(self.places)
            topic = rng.choice(fitting(labelled, day))
            officials = self.officials(place, day.isocalendar().week, secretary=False)
            start, grid = self.at(day, 9, 30), rng.choice(place.grids)
            label = f"{topic['label']}专场"
            rows.append(self.session(place, start, officials, grid, topic=topic, label=label))
        return rows

    def plan_rotas(self) -> None:
        """One Friday 14:30 rota per community at its first grid station (found or made)."""
        for place in self.places:
            grid = place.grids[0]
            rota, created = OnsiteRota.objects.get_or_create(
                community=place.community,
                weekday=Weekday.FRIDAY,
                start_time=time(14, 30),
                venue=grid.station,
                defaults={
                    "grid": grid,
                    "venue_type": venue_type(grid.station),
                    "duration_minutes": 120,
                },
            )
            if created:
                code = place.community.code
                officials = [self.profiles[COMMUNITY_SECRETARY]] if code == HOME else []
                officials += [self.profiles[AREA_LEADER]] if code in AREA else []
                officials += [self.profiles[SECRETARY]] if code == SECRETARY_POST else []
                rota.officials.set(officials)
            self.rotas[place.community.pk] = rota

    # --- deliberation meetings -------------------------------------------------------------

    def meeting(self, matter: dict, start: datetime, *, status: str = HELD) -> Row | None:
        rng, data = self.rng, self.meetings
        compound = self.compound_named.get(matter["compound"])
        place = self.by_code.get(compound.community.code) if compound else None
        if compound is None or place is None:
            return None
        community, grid = place.community, compound.grid
        halls = [g.station for g in [grid, *place.grids] if g and "议事" in g.station]
        officials = [self.profiles[COMMUNITY_SECRETARY]] if community.code == HOME else []
        if community.code in AREA:
            officials.append(self.profiles[AREA_LEADER])
        if not officials or rng.random() < 0.25:
            officials.append(self.profiles[SECRETARY])
        attendance = []
        for category, names in [*matter["parties"], ["party", f"{community.name}党委"]]:
            if category == StakeholderCategory.RESIDENTS:
                count = rng.randint(*data["plan"]["residents"])
            else:
                count = rng.randint(1, 2 if category not in ("party", "owners_committee") else 3)
            attendance.append((category, count, names))
        decisions = [
            (text, who, start.date() + timedelta(days=due))
            for text, who, due in matter.get("decisions", [])
        ]
        meeting = Deliberation(
            title=matter["title"],
            starts_at=start,
            ends_at=start + timedelta(minutes=rng.choice([90, 120, 150])),
            community=community,
            grid=grid,
            compound=compound,
            venue=halls[0] if halls else f"{community.name}党群服务中心议事室",
            status=status,
            is_published=True,
            created_by=self.author(community, grid),
        )
        parties = "、".join(str(StakeholderCategory(c).label) for c, _n, _names in attendance)
        if status != HELD:
            meeting.summary = data["text"]["planned"].format(parties=parties, title=matter["title"])
            if status == CANCELLED:
                meeting.cancel_reason = data["plan"]["cancel_reason"]
            return Row(meeting, {"officials": officials}, scene="meeting")
        residents = attendance[0][1]  # the residents' representatives come first
        meeting.summary = data["text"]["held"].format(
            community=community.name,
            parties=parties,
            attendees=sum(n for _c, n, _names in attendance),
            matter=matter["title"].removesuffix("协商会").removesuffix("会"),
            decided=len(decisions),
        )
        meeting.minutes = data["text"]["minutes"].format(
            title=matter["title"],
            situation=matter["situation"],
            residents=residents,
            agree=residents - rng.randint(0, residents // 4),
            decisions="\n".join(f"{n}. {d[0]}（{d[1]}）" for n, d in enumerate(decisions, 1)),
        )
        return Row(meeting, {"officials": officials}, attendance, decisions, scene="meeting")

    def meetings_year(self) -> list[Row | None]:
        """One meeting per matter; a follow-up a month or more after the one it follows."""
        rng, days, rows = self.rng, self.free_days(0, 1, 2, 3, 4), []
        held_on: dict[int, date] = {}
        for matter in self.meetings["matter"]:
            before = held_on.get(matter.get("follows", -1))
            later = [d for d in days if before and 30 <= (d - before).days <= 75]
            day = (
                rng.choice(later or days[-20:])
                if before
                else rng.choice(days[: len(days) * 2 // 3])
            )
            held_on[matter["id"]] = day
            rows.append(
                self.meeting(matter, self.at(day, *rng.choice([(15, 0), (15, 30), (19, 0)])))
            )
            if matter["id"] == self.meetings["plan"]["postponed"]:  # put off by a week once
                earlier = max(d for d in days if d <= day - timedelta(days=7))
                rows.append(self.meeting(matter, self.at(earlier, 15, 0), status=CANCELLED))
        return rows

    # --- the whole of it -------------------------------------------------------------------

    def drafts(self) -> list[Row]:
        """The grid worker's records of the last fortnight, waiting for a publisher: two
        household visits and a mid-week session at her grid station."""
        place = self.by_code.get(HOME)
        grid = next((g for g in place.grids if g.name == HOME_GRID), None) if place else None
        if place is None or grid is None:
            return []
        days = [self.today - timedelta(days=n) for n in range(14, 0, -1)]
        workdays = [d for d in days if d.weekday() < 4 and self.free(d)]
        picked = sorted(self.rng.sample(workdays, k=3)) if len(workdays) >= 3 else days[-3:]
        compounds = place.compounds[grid.pk]
        rows = [
            self.visit(VisitKind.DAILY, day, place, compound=self.rng.choice(compounds))
            for day in picked[:2]
        ]
        everyday = [t for t in self.onsite["topic"] if "label" not in t]
        officials = [self.profiles[COMMUNITY_SECRETARY]]
        start = self.at(picked[2], 9, 30)
        rows.append(self.session(place, start, officials, grid, topic=self.rng.choice(everyday)))
        for row in rows:
            row.obj.is_published, row.scene = False, ""
        return rows

    def upcoming(self) -> list[Row | None]:
        """Two talks and a meeting in the next two weeks, planned and public."""
        today, first = self.today, self.places[0]
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        if saturday < today + timedelta(days=2):
            saturday += timedelta(days=7)
        meeting = self.at(weekday_from(today + timedelta(days=9)), 15, 0)
        return [
            self.talk(
                TalkKind.THEORY,
                weekday_from(today + timedelta(days=3)),
                status=PLANNED,
                place=self.by_code.get("chilechuan", first),
            ),
            self.talk(
                TalkKind.CULTURE, saturday, status=PLANNED, place=self.by_code.get(HOME, first)
            ),
            self.meeting(self.meetings["upcoming"], meeting, status=PLANNED),
        ]

    def rows(self) -> list[Row]:
        """The year (with its cancelled activities and the drafts), then the coming weeks."""
        rows = [
            *self.talks_year(),
            *self.sessions_year(),
            *self.visits_year(),
            *self.meetings_year(),
            *self.drafts(),
        ]
        planned = [row for row in self.upcoming() if row is not None]
        for row in planned:
            row.scene = ""
        return [row for row in rows if row is not None] + planned
