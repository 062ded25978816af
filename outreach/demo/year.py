"""The demo's outreach work as rows to write, planned from the data files (outreach/demo/data):
the year of talks, visits, sessions and meetings (the 365 days ending yesterday), the grid
worker's drafts of its last fortnight, the next two weeks. Randomness: the seeder's rng."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from outreach import models
from outreach.demo.rows import Row, fill
from portal.demo import texts
from portal.models import CalendarDay, Community, DayKind, Grid, StaffProfile, Team
from portal.seeding import SeedContext

# The demo accounts that register activities (portal's demo data) and where they work.
SECRETARY, AREA_LEADER = "shuji", "baopian"
COMMUNITY_SECRETARY, GRID_WORKER = "sqshuji", "wanggeyuan"
AUTHORS = (SECRETARY, AREA_LEADER, COMMUNITY_SECRETARY, GRID_WORKER)
HOME, HOME_GRID = "fenghuangling", "第二网格"  # the community secretary's and the grid worker's
AREA = ("fenghuangling", "chilechuan")  # the area leader's 包片
SECRETARY_POST = "wusutu"  # the party secretary's own 联系点
HELD, PLANNED, CANCELLED = "held", "planned", "cancelled"  # models.ActivityStatus


def weekday_from(day: date) -> date:
    """``day``, or the Monday after it when it falls at a weekend."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def fitting(items: list[dict], day: date) -> list[dict]:
    """The items held in ``day``'s month (those that name no months are held in any)."""
    return [item for item in items if day.month in item.get("months", range(1, 13))]


class Year:
    """Reads the places, accounts, teams and data files once, and builds the rows."""

    def __init__(self, ctx: SeedContext) -> None:
        self.rng, self.today, self.tz = ctx.rng, ctx.today, timezone.get_current_timezone()
        names = ("common", "talks", "research", "onsite", "meetings")
        self.data = {name: texts("outreach.demo", name) for name in names}
        # Each community's grids that have a station and compounds, in order.
        self.grids: dict[Community, list[Grid]] = defaultdict(list)
        grids = Grid.objects.exclude(station="").select_related("community")
        order = ("community__sort_order", "community", "sort_order", "pk")
        self.compounds = {}  # by name: (community, grid, compound)
        for grid in grids.prefetch_related("compounds").order_by(*order):
            if compounds := list(grid.compounds.all()):
                self.grids[grid.community].append(grid)
            self.compounds |= {c.name: (grid.community, grid, c) for c in compounds}
        self.communities = list(self.grids)
        self.by_code = {community.code: community for community in self.communities}
        staff = StaffProfile.objects.filter(user__username__in=AUTHORS).select_related("user")
        self.staff = {profile.user.username: profile for profile in staff}
        if set(AUTHORS) - set(self.staff) or HOME not in self.by_code:
            raise RuntimeError("the outreach demo needs portal's demo data first")
        self.teams = {team.name: team for team in Team.objects.prefetch_related("members")}
        self.series = {
            s["name"]: models.TalkSeries.objects.get_or_create(name=s["name"], defaults=s)[0]
            for s in self.data["talks"]["series"]
        }
        theme = models.ResearchTheme.objects.get_or_create
        self.themes = {
            t["name"]: theme(name=t["name"], defaults={"description": t["description"]})[0]
            for t in self.data["research"]["theme"]
        }
        # The 365 days ending yesterday; free: not a public holiday nor in the week the office
        # rests from the spring festival's eve.
        self.days = [self.today - timedelta(days=n) for n in range(365, 0, -1)]
        holidays = CalendarDay.objects.filter(kind=DayKind.HOLIDAY).values_list("date", flat=True)
        self.free = set(self.days) - set(holidays)
        for day in self.days:
            if -1 <= (day - self.festival("spring", day.year)).days <= 6:
                self.free.discard(day)
        self.rotas: dict[Community, models.OnsiteRota] = {}
        self.used: Counter[str] = Counter()  # talk topics, so titles stay varied

    def free_days(self, *weekdays: int) -> list[date]:
        return [day for day in self.days if day in self.free and day.weekday() in weekdays]

    def festival(self, name: str, year: int) -> date:
        if day := next((d for d in self.data["common"]["festivals"][name] if d.year == year), None):
            return day
        raise ValueError(f"outreach/demo/data/common.toml: add the {name} festival of {year}")

    def who(self, profiles: list[StaffProfile]) -> str:
        """How a summary names the officials who came: by post, never by name."""
        posts = self.data["common"]["posts"]
        return "、".join(posts[p.user.username] for p in profiles) or posts["nobody"]

    def author(self, community: Community, grid: Grid | None) -> Any:
        """Who registers: the grid worker in her grid, the community secretary in hers, else
        the party secretary."""
        home_grid = community.code == HOME and grid is not None and grid.name == HOME_GRID
        post = COMMUNITY_SECRETARY if community.code == HOME else SECRETARY
        return self.staff[GRID_WORKER if home_grid else post].user

    def planned(self, plan: list[dict], build: Callable[..., Row]) -> list[Row]:
        """What a data file's plan asks for (its comment there says how to read it)."""
        rows, rng, places = [], self.rng, self.communities
        for line in plan:
            days, count = self.free_days(*line["weekdays"]), line["count"]
            weights = [line.get("weights", {}).get(c.code, 1) for c in places]
            order = rng.sample(places, k=len(places))
            for n in range(count):
                if line.get("spread"):
                    step = len(days) // count
                    day, place = days[n * step + rng.randrange(step)], order[n % len(order)]
                else:
                    day, place = rng.choice(days), rng.choices(places, weights)[0]
                rows.append(build(line["kind"], day, place, status=line.get("status", HELD)))
        return rows

    def activity(self, model: type, day: date, times: list, **fields: Any) -> Any:
        """A public activity of ``model`` registered by its place's author, at one of ``times``
        on ``day``; when cancelled, for one of ``reasons`` (mostly the season's)."""
        hour, minute, minutes = self.rng.choice(times)
        start = datetime.combine(day, time(hour, minute), tzinfo=self.tz)
        fields |= {"starts_at": start, "ends_at": start + timedelta(minutes=minutes)}
        reasons, seasons = fields.pop("reasons"), self.data["common"]["seasons"]
        if fields["status"] == CANCELLED:
            season = next((s for s, months in seasons.items() if day.month in months), "any")
            season = season if self.rng.random() < 0.6 else "any"
            fields["cancel_reason"] = self.rng.choice(reasons.get(season, reasons["any"]))
        author = self.author(fields["community"], fields["grid"])
        return model(created_by=author, is_published=True, **fields)

    # --- policy talks ----------------------------------------------------------------------

    def fits(self, topic: dict, day: date) -> bool:
        if name := topic.get("festival"):
            when, (low, high) = self.festival(name, day.year), topic.get("window", [-6, 0])
            return low <= (day - when).days <= high
        if not fitting([topic], day) or day < topic.get("not_before", date.min):
            return False
        if day > topic.get("not_after", date.max):
            return False
        return not topic.get("outdoor") or 5 <= day.month <= 9

    def talk(self, kind: str, day: date, place: Community | None, *, status: str = HELD) -> Row:
        rng, data = self.rng, self.data["talks"]
        # A festival's own event first, then the least used topic that fits the day.
        topics = [t for t in data["topic"] if t["kind"] == kind and self.fits(t, day)]
        topics = [t for t in topics if t.get("festival")] or topics
        least = min(self.used[t["title"]] for t in topics)
        topic = rng.choice([t for t in topics if self.used[t["title"]] == least])
        self.used[topic["title"]] += 1
        community = place or rng.choice(self.communities)
        grid, culture = rng.choice(self.grids[community]), kind == "culture"
        spot = rng.choice(grid.compounds.all())
        outdoor = topic.get("outdoor") or (culture and 5 <= day.month <= 9 and rng.random() < 0.6)
        template = rng.choice(data["venues"]["outdoor" if outdoor else kind])
        names = {"community": community.name, "station": grid.station, "compound": spot.name}
        names |= {"venue": template.format(**names), "team": rng.choice(data["teams"][kind])}
        times = data["times"][kind]
        if topic.get("evening") or (outdoor and day.month in (6, 7, 8) and rng.random() < 0.6):
            times = [[20 if day.month in (6, 7) else 19, 30, 90]]
        where = spot.name if outdoor else community.name
        talk = self.activity(
            models.PolicyTalk,
            day,
            times,
            title=f"{topic['title']}（{where}）" if rng.random() < 0.3 else topic["title"],
            kind=kind,
            series=self.series.get(topic.get("series", "")),
            community=community,
            grid=grid if outdoor or "{station}" in template else None,
            compound=spot if outdoor else None,
            venue=names["venue"],
            summary=fill(rng, rng.choice(data["openings"][kind]) + topic["summary"], **names),
            other_speakers=topic.get("other_speakers", "") if rng.random() < 0.7 else "",
            status=status,
            reasons=data["cancel_reasons"],
        )
        if status == HELD:
            talk.summary += fill(rng, rng.choice(data["tails"][kind]))
            self.audience(talk, outdoor=outdoor)
        team = self.teams[names["team"]]
        members = [m for m in team.members.all() if m.is_active]
        speakers = rng.sample(members, k=min(len(members), rng.choice([1, 1, 2])))
        m2m = {"teams": [team], "speakers": speakers}
        return Row(talk, m2m, scene="stage" if culture else "talk")

    def audience(self, talk: models.PolicyTalk, *, outdoor: bool) -> None:
        """Signed attendance; for a cultural event, its estimated reach and how it was made."""
        rng, sizes = self.rng, self.data["talks"]["audience"]
        if talk.kind != "culture":
            talk.attendance_signed = rng.randint(*sizes[talk.kind])
            if talk.kind == "theory" and rng.random() < 0.15:  # and residents who did not sign
                talk.reach_estimated = talk.attendance_signed + rng.randint(5, 30)
                talk.reach_method, talk.reach_note = "headcount", sizes["notes"]["signed_in"]
            return
        setting = "outdoor" if outdoor else "indoor"
        reach = int(rng.triangular(*sizes[setting])) if outdoor else rng.randint(*sizes[setting])
        signed = rng.randint(reach // 3, reach * 4 // 5) if rng.random() < 0.7 else None
        talk.reach_method = method = rng.choice(sizes[f"{setting}_methods"])
        talk.reach_estimated, talk.attendance_signed = reach, signed
        onsite = signed or reach // 2
        talk.reach_note = sizes["notes"][method].format(onsite=onsite, online=reach - onsite)

    def talks_year(self) -> list[Row]:
        """Each festival's event near it (at a weekend if it can), then what the plan asks."""
        rows = []
        for topic in (t for t in self.data["talks"]["topic"] if t.get("festival")):
            window = [d for d in self.days if self.fits(topic, d)]
            weekend = [d for d in window if d.weekday() >= 5]
            if window:
                rows.append(self.talk(topic["kind"], self.rng.choice(weekend or window), None))
        return rows + self.planned(self.data["talks"]["plan"], self.talk)

    # --- research visits -------------------------------------------------------------------

    def visit(self, kind: str, day: date, community: Community, **kw: Any) -> Row:
        rng, data, staff, code = self.rng, self.data["research"], self.staff, community.code
        grid = kw.get("grid") or rng.choice(self.grids[community])
        compound, status = rng.choice(grid.compounds.all()), kw.get("status", HELD)
        home_grid = code == HOME and grid.name == HOME_GRID
        # The party secretary on his visiting days and outside the area leader's communities;
        # a daily visit at home is the grid worker's in her grid, the community secretary's else.
        lead = staff[AREA_LEADER if code in AREA and kind != "secretary_day" else SECRETARY]
        if kind == "daily" and code == HOME:
            lead = staff[GRID_WORKER if home_grid else COMMUNITY_SECRETARY]
        themes = rng.sample(data["theme"], k=2 if rng.random() < 0.3 else 1)
        names = {"lead": self.who([lead]), "compound": compound.name, **themes[0]}
        visit = self.activity(
            models.FieldVisit,
            day,
            data["times"][kind],
            title=data["titles"][kind].format(community=community.name, **names),
            kind=kind,
            lead_official=lead,
            community=community,
            grid=grid,
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
        m2m = {"participants": [p for p in participants if p != lead]}
        m2m["themes"] = [self.themes[t["name"]] for t in themes]
        return Row(visit, m2m, scene="visit")

    # --- on-site office sessions -----------------------------------------------------------

    def officials(self, community: Community, week: int, *, secretary: bool = False) -> list:
        """The community secretary at home, the area leader at his two communities in alternate
        weeks, the party secretary where he chose to go."""
        officials = [self.staff[COMMUNITY_SECRETARY]] if community.code == HOME else []
        officials += [self.staff[AREA_LEADER]] if community.code == AREA[week % 2] else []
        return officials + ([self.staff[SECRETARY]] if secretary else [])

    def session(self, kind: str, day: date, community: Community, **kw: Any) -> Row:
        """A Friday afternoon session, or (``special``) a morning one on one matter."""
        rng, data, status = self.rng, self.data["onsite"], kw.pop("status", HELD)
        grid = kw.pop("grid", None) or rng.choice(self.grids[community])
        week, secretary = day.isocalendar().week, kw.pop("secretary", False)
        officials = self.officials(community, week, secretary=secretary)
        if community.code == HOME and grid.name == HOME_GRID:
            officials.append(self.staff[GRID_WORKER])
        topic = rng.choice([t for t in fitting(data["topic"], day) if kind in t["kinds"]])
        label = topic.get("label", "") + ("专场" if kind == "special" else "")
        names = {"who": self.who(officials), "station": grid.station}
        session = self.activity(
            models.OnsiteSession,
            day,
            data["times"][kind],
            title=f"{community.name}现场办公" + (f"·{label}" if label else ""),
            community=community,
            grid=grid,
            compound=rng.choice(grid.compounds.all()),
            venue=grid.station,
            venue_type=self.venue_type(grid.station),
            summary=rng.choice(data["text"]["planned"]).format(**names),
            status=status,
            reasons=data["cancel_reasons"],
            **kw,
        )
        if status == HELD:
            mean, spread = data["sessions"]["residents"]
            session.residents_met = met = max(5, min(40, round(rng.gauss(mean, spread))))
            detail = fill(rng, topic["detail"], k=rng.randint(1, max(1, min(8, met // 2))))
            session.summary = rng.choice(data["text"]["held"]).format(met=met, **names) + detail
        return Row(session, {"officials": officials}, scene="onsite")

    def venue_type(self, station: str) -> str:
        types = self.data["common"]["venue_types"]
        return next((types[s] for s in types if station.endswith(s)), "other")

    def sessions_year(self) -> list[Row]:
        """Every free Friday in each community, mostly at the rota's station; then the plan."""
        rng, plan, rows = self.rng, self.data["onsite"]["fridays"], []
        others = [c for c in self.communities if c.code not in AREA]
        for day in self.free_days(models.Weekday.FRIDAY):
            visited = rng.choice(others) if rng.random() < plan["secretary"] else None
            for community in self.communities:
                if rng.random() < plan["skipped"]:  # merged into another meeting that week
                    continue
                status = CANCELLED if rng.random() < plan["cancelled"] else HELD
                grids, rota = self.grids[community], self.rotas.get(community)
                grid = grids[0] if rng.random() < plan["at_rota_station"] else rng.choice(grids)
                kw = {"grid": grid, "status": status, "secretary": visited == community}
                kw["rota"] = rota if rota and rota.venue == grid.station else None
                rows.append(self.session("friday", day, community, **kw))
        return rows + self.planned(self.data["onsite"]["plan"], self.session)

    def plan_rotas(self) -> None:
        """One Friday 14:30 rota per community at its first grid station (found or made)."""
        for community, grids in self.grids.items():
            rota, created = models.OnsiteRota.objects.get_or_create(
                community=community,
                weekday=models.Weekday.FRIDAY,
                start_time=time(14, 30),
                venue=grids[0].station,
                defaults={"grid": grids[0], "venue_type": self.venue_type(grids[0].station)},
            )
            if created:  # with the area leader (week) and at his 联系点 the party secretary
                week = AREA.index(community.code) if community.code in AREA else 0
                post = community.code == SECRETARY_POST
                rota.officials.set(self.officials(community, week, secretary=post))
            self.rotas[community] = rota

    # --- deliberation meetings -------------------------------------------------------------

    def meeting(self, matter: dict, day: date, *, status: str = HELD) -> Row | None:
        rng, data = self.rng, self.data["meetings"]
        if matter["compound"] not in self.compounds:
            return None
        community, grid, compound = self.compounds[matter["compound"]]
        halls = [g.station for g in [grid, *self.grids[community]] if "议事" in g.station]
        officials = [self.staff[COMMUNITY_SECRETARY]] if community.code == HOME else []
        officials += [self.staff[AREA_LEADER]] if community.code in AREA else []
        officials += [self.staff[SECRETARY]] if not officials or rng.random() < 0.25 else []
        sizes = data["attendance"]
        parties = [*matter["parties"], ["party", f"{community.name}党委"]]
        attendance = [(c, rng.randint(*sizes.get(c, sizes["other"])), n) for c, n in parties]
        labels = (models.StakeholderCategory(c).label for c, _n, _names in attendance)
        text = {"parties": "、".join(map(str, labels)), "community": community.name, **matter}
        meeting = self.activity(
            models.Deliberation,
            day,
            data["plan"]["times"],
            title=matter["title"],
            community=community,
            grid=grid,
            compound=compound,
            venue=halls[0] if halls else f"{community.name}党群服务中心议事室",
            summary=data["text"]["planned"].format(**text),
            status=status,
            reasons={"any": [data["plan"]["cancel_reason"]]},
        )
        if status != HELD:
            return Row(meeting, {"officials": officials}, scene="meeting")
        decisions = [(t, who, day + timedelta(days=n)) for t, who, n in matter["decisions"]]
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
        """One meeting per matter, a follow-up 30 to 75 days after the one it follows."""
        rng, days, rows, held_on = self.rng, self.free_days(0, 1, 2, 3, 4), [], {}
        for matter in self.data["meetings"]["matter"]:
            before = held_on.get(matter.get("follows", -1))
            later = [d for d in days if before and 30 <= (d - before).days <= 75]
            day = rng.choice(later or days[-20:] if before else days[: len(days) * 2 // 3])
            held_on[matter["id"]] = day
            rows.append(self.meeting(matter, day))
            if matter["id"] == self.data["meetings"]["plan"]["postponed"]:
                earlier = weekday_from(day - timedelta(days=7))
                rows.append(self.meeting(matter, earlier, status=CANCELLED))
        return rows

    # --- the whole of it -------------------------------------------------------------------

    def rows(self) -> list[Row]:
        """The year (a few of its activities cancelled); the grid worker's records of the last
        fortnight, waiting for a publisher: two household visits and a session at her station;
        then two talks and a meeting in the next two weeks, planned and public."""
        rng, today, home = self.rng, self.today, self.by_code[HOME]
        research = self.planned(self.data["research"]["plan"], self.visit)
        year = [*self.talks_year(), *self.sessions_year(), *research, *self.meetings_year()]
        grid = next(g for g in self.grids[home] if g.name == HOME_GRID)
        fortnight = [d for d in self.free_days(0, 1, 2, 3) if (today - d).days <= 14]
        days = sorted(rng.sample(fortnight, k=3))
        drafts = [self.visit("daily", day, home, grid=grid) for day in days[:2]]
        drafts.append(self.session("special", days[2], home, grid=grid))
        saturday = today + timedelta(days=2 + (3 - today.weekday()) % 7)  # two days away at least
        talk_day = weekday_from(today + timedelta(days=3))
        meeting_day = weekday_from(today + timedelta(days=9))
        planned = [
            self.talk("theory", talk_day, self.by_code.get("chilechuan", home), status=PLANNED),
            self.talk("culture", saturday, home, status=PLANNED),
            self.meeting(self.data["meetings"]["upcoming"], meeting_day, status=PLANNED),
        ]
        later = [row for row in [*drafts, *planned] if row is not None]
        for row in later:  # no photos of drafts and plans
            row.obj.is_published, row.scene = row.obj.status == PLANNED, ""
        return [row for row in year if row is not None] + later
