"""Volume for benchmarks: cases in the added communities (see ``portal.volume``).

Up to ``Plan.cases`` in all, ordinary requests received over ``portal.volume.SPAN_DAYS`` ending
yesterday, every one with the timeline the services write for the steps it has taken:

    登记 → 受理 → 交办 → 签收 → 办结 → 回访 (→ 归档)     the ordinary way (about 57 %)
    登记 → 受理（当场受理）→ 办结 → 回访 (→ 归档)         当场解决 (about 40 %)
    登记 → 不予受理 (→ 归档)                              about 3 %

Each step's moment follows the one before (minutes to days); the steps still to come at the
moment of seeding are not taken, so the newest cases are open at every step and some are
overdue. Deadlines are the rules' (the category's conclusion limit in working days from
receipt, one working day to sign for), worked out with the official calendar as
``petitions.deadlines`` does; 按时签收 and 按时办结 follow from them (about one in ten is concluded
late). Research and on-site requests are linked to a held visit or session of their grid and
received during it. Each case has one petitioner (an invented resident, a record of its own),
a number continuing its year's sequence and a random tracking code; visited ones have their
follow-up (回访记录). ``check_consistency`` re-checks all of it on a sample.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from outreach.models import ActivityStatus, FieldVisit, OnsiteSession
from petitions.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseParty,
    CaseSequence,
    CaseStatus,
    Category,
    Channel,
    DeadlineRule,
    DeadlineStage,
    DeadlineUnit,
    EventKind,
    FollowUp,
    PartyRole,
    Person,
    Satisfaction,
    Triage,
)
from petitions.services.base import RESIDENT_UNIT, TRACKING_ALPHABET, TRACKING_LENGTH
from portal import clock
from portal.models import Compound, Grid, StaffProfile
from portal.roles import Role
from portal.seeding import SeedContext
from portal.volume import (
    Calendar,
    Table,
    Writer,
    json_text,
    person_name,
    plan_of,
    span,
    volume_communities,
)

STAGES = 1
CHUNK = 25_000  # cases per round of COPY statements
NO_CHANGES = json_text({})

CHANNEL_WEIGHTS = {
    Channel.ONSITE: 30,
    Channel.RESEARCH: 15,
    Channel.PATROL: 20,
    Channel.PHONE: 12,
    Channel.VISIT: 10,
    Channel.ONLINE: 8,
    Channel.LETTER: 3,
    Channel.REFERRAL: 2,
}
SPOT_SHARE = 0.42  # of the cases not submitted online
NOT_ACCEPTED_SHARE = 0.03
LATE_SHARE = 0.1
ARCHIVED_SHARE = 0.4
PUBLISHABLE_SHARE = 0.3

# (title, content, result) per category; {place} is the compound.
TEXTS: dict[str, list[tuple[str, str, str]]] = {
    "环境卫生": [
        ("{place}楼下垃圾堆放未清运", "{place}楼下垃圾桶满溢，连续几天无人清运。", "已协调清运"),
        ("{place}绿化带卫生死角", "{place}绿化带内堆积杂物，夏季有异味。", "已组织清理"),
    ],
    "市政设施": [
        ("{place}门口路灯不亮", "{place}门口两盏路灯损坏，夜间出行不便。", "已报修更换"),
        ("{place}井盖松动", "{place}主路井盖松动，车辆经过有响声。", "已加固井盖"),
    ],
    "物业纠纷": [
        ("{place}电梯维修迟缓", "{place}电梯故障一周，物业未安排维修。", "已督促物业修复"),
        ("{place}物业费公示不清", "居民希望{place}物业公开收支明细。", "物业已公示"),
    ],
    "消防通道/停车": [
        ("{place}消防通道被占用", "{place}消防通道长期停放车辆。", "已清理并设置标识"),
        ("{place}停车秩序混乱", "{place}夜间车辆乱停，影响通行。", "已划线规范停车"),
    ],
    "邻里纠纷": [
        ("{place}楼上噪音扰民", "{place}楼上住户夜间噪音大。", "调解后双方达成一致"),
        ("{place}楼上漏水", "{place}楼上卫生间漏水至楼下。", "已协调维修"),
    ],
    "政策咨询": [
        ("咨询养老补贴申请", "{place}居民咨询高龄津贴申领条件。", "已解答并指导申请"),
        ("咨询灵活就业社保", "{place}居民咨询灵活就业人员社保缴纳。", "已解答"),
    ],
    "老旧小区改造": [
        ("{place}改造施工扰民", "{place}改造施工时间过早。", "已协调调整施工时间"),
        ("{place}加装电梯意见", "{place}居民对加装电梯方案有不同意见。", "已组织协商"),
    ],
    "供暖供水": [
        ("{place}暖气不热", "{place}部分住户室温偏低。", "已协调热力公司排气调试"),
        ("{place}停水未通知", "{place}突然停水，未提前通知。", "已恢复供水并要求提前公告"),
    ],
    "社会保障": [
        (
            "{place}困难家庭求助",
            "{place}一户家庭生活困难，希望了解救助政策。",
            "已协助申请临时救助",
        ),
        ("{place}残疾人服务需求", "{place}残疾居民希望上门办理证件。", "已安排上门服务"),
    ],
    "婚姻家庭": [
        ("{place}家庭矛盾求助", "{place}一户家庭因赡养问题发生矛盾。", "调解后达成赡养协议"),
    ],
    "劳动纠纷": [
        ("{place}装修工人欠薪", "在{place}务工的装修工人反映被拖欠工资。", "已协调结清工资"),
    ],
    "其他": [
        ("{place}流浪猫扰民", "{place}流浪猫较多，夜间叫声扰民。", "已联系志愿者救助安置"),
    ],
}
REJECT_REASONS = [
    "所反映事项已由人民法院受理，依法不予受理，请通过诉讼途径解决。",
    "所反映事项不属于本街道职责范围，已告知向有权处理的机关提出。",
]


def seed(ctx: SeedContext) -> None:
    plan = plan_of(ctx)
    if plan is None:
        return
    with ctx.stage("压测数据：诉求及办理记录") as stage:
        stage.done(_cases(plan.cases, ctx.rng))


@transaction.atomic
def _cases(target: int, rng: random.Random) -> str:
    wanted = target - Case.objects.count()
    if wanted <= 0:
        return f"已有诉求 {Case.objects.count():,} 件，未重复生成"
    world = _World(rng)
    plans = sorted(world.plan(rng) for _ in range(wanted))
    numbers = _numbers([timezone.localtime(p[0], world.tz).year for p in plans])
    writer = Writer()
    tables = _Tables(writer)
    with writer.loading(*(t.model for t in tables.all)):
        for start in range(0, len(plans), CHUNK):
            chunk = plans[start : start + CHUNK]
            tables.write(world, rng, chunk, numbers[start : start + CHUNK])
    writer.reset_sequences()
    return (
        f"新增 {len(plans):,} 件（共 {Case.objects.count():,} 件），办理记录 {tables.events:,} 条，"
        f"回访记录 {tables.followups:,} 条"
    )


def _numbers(years: list[int]) -> list[str]:
    """Numbers in received order, continuing each year's sequence."""
    needed: dict[int, int] = defaultdict(int)
    for year in years:
        needed[year] += 1
    following = {}
    for year, n in needed.items():
        sequence, _ = CaseSequence.objects.select_for_update().get_or_create(year=year)
        following[year] = sequence.last + 1
        sequence.last += n
        sequence.save(update_fields=["last"])
    numbers = []
    for year in years:
        numbers.append(f"{year}-{following[year]:06d}")
        following[year] += 1
    return numbers


class _World:
    """What the generator reads once: grids, compounds, staff, rules, calendar, activities."""

    def __init__(self, rng: random.Random) -> None:
        self.tz = timezone.get_current_timezone()
        self.now = clock.now()
        self.horizon = self.now - timedelta(minutes=5)
        self.first, self.last = span(clock.today())
        self.cal = Calendar(self.first - timedelta(days=10), self.last + timedelta(days=10))
        communities = list(volume_communities())
        if not communities:
            raise CommandError("压测诉求需要先生成压测社区（portal 的压测数据）")
        self.grids = list(Grid.objects.filter(community__in=communities).order_by("pk"))
        self.grid_by_pk = {g.pk: g for g in self.grids}
        self.compounds: dict[int, list[Compound]] = defaultdict(list)
        for compound in Compound.objects.filter(grid__in=self.grids):
            self.compounds[compound.grid_id].append(compound)
        self.worker: dict[int, StaffProfile] = {}
        self.secretary: dict[int, StaffProfile] = {}
        for profile in StaffProfile.objects.filter(
            role__in=[Role.GRID_WORKER, Role.COMMUNITY_SECRETARY],
            user__username__regex=r"^v(sq|wg)[0-9]",
        ).prefetch_related("communities", "grids"):
            if profile.role == Role.GRID_WORKER:
                for grid in profile.grids.all():
                    self.worker[grid.pk] = profile
            else:
                for community in profile.communities.all():
                    self.secretary[community.pk] = profile
        self.categories = list(Category.objects.filter(name__in=TEXTS))
        rules = DeadlineRule.objects.filter(kind=CaseKind.ORDINARY)
        conclude = {r.category_id: r for r in rules if r.stage == DeadlineStage.CONCLUDE}
        self.conclude_rule = {
            c.pk: conclude.get(c.pk) or conclude.get(None) for c in self.categories
        }
        self.sign_rule = next((r for r in rules if r.stage == DeadlineStage.SIGN), None)
        self.held = {
            Channel.RESEARCH: self._held(FieldVisit, communities),
            Channel.ONSITE: self._held(OnsiteSession, communities),
        }
        self.channels, self.weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
        self.days = (self.last - self.first).days + 1
        self.codes = set(Case.objects.values_list("tracking_code", flat=True))
        self.channel_labels = {c.value: str(c.label) for c in Channel}
        self.handler_changes: dict[int, str] = {}

    def _held(self, model, communities) -> list[tuple[datetime, int, int, int]]:
        rows = model.objects.filter(
            community__in=communities,
            status=ActivityStatus.HELD,
            grid__isnull=False,
            starts_at__lt=self.horizon - timedelta(hours=3),
        ).values_list("starts_at", "pk", "grid_id", "compound_id")
        return list(rows)

    def plan(self, rng: random.Random) -> tuple:
        """(received_at, channel, grid pk, compound pk, activity pk), to be sorted by time."""
        channel = rng.choices(self.channels, weights=self.weights)[0]
        held = self.held.get(channel)
        if held:
            starts, activity, grid_id, compound_id = rng.choice(held)
            received = starts + timedelta(minutes=rng.randint(5, 110))
            if compound_id is None:
                compound_id = self._compound(rng, grid_id)
            return (received, channel, grid_id, compound_id, activity)
        grid_id = rng.choice(self.grids).pk
        day = self.first + timedelta(days=rng.randrange(self.days))
        if channel != Channel.ONLINE:
            while not self.cal.is_working(day):
                day += timedelta(days=1)
            moment = time(rng.randint(8, 17), rng.randrange(60))
        else:
            moment = time(rng.randrange(24), rng.randrange(60))
        received = datetime.combine(day, moment, tzinfo=self.tz)
        return (received, channel, grid_id, self._compound(rng, grid_id), None)

    def _compound(self, rng: random.Random, grid_id: int) -> int | None:
        compounds = self.compounds.get(grid_id)
        return rng.choice(compounds).pk if compounds else None

    def due(self, rule: DeadlineRule | None, start: datetime | None):
        if rule is None or start is None:
            return None
        day = timezone.localtime(start, self.tz).date()
        if rule.unit == DeadlineUnit.WORKING:
            return self.cal.add_working_days(day, rule.length)
        return day + timedelta(days=rule.length)

    def office(self, day, rng: random.Random) -> datetime:
        return datetime.combine(day, time(rng.randint(9, 16), rng.randrange(60)), tzinfo=self.tz)

    def handler_change(self, handler: StaffProfile) -> str:
        """交办's recorded change of handler, as JSON text (one per handler, made once)."""
        text = self.handler_changes.get(handler.pk)
        if text is None:
            text = self.handler_changes[handler.pk] = json_text({"handler": ["", handler.name]})
        return text

    def tracking_code(self) -> str:
        size = len(TRACKING_ALPHABET)
        while True:
            n = secrets.randbelow(size**TRACKING_LENGTH)
            chars = []
            for _ in range(TRACKING_LENGTH):
                n, digit = divmod(n, size)
                chars.append(TRACKING_ALPHABET[digit])
            code = "".join(chars)
            if code not in self.codes:
                self.codes.add(code)
                return code


class _Tables:
    """The five tables a case writes to, their next ids, and what was written."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.case, self.event, self.person = Table(Case), Table(CaseEvent), Table(Person)
        self.party, self.followup = Table(CaseParty), Table(FollowUp)
        self.new_event = self.event.builder(
            "id",
            "case_id",
            "at",
            "actor_id",
            "actor_unit",
            "kind",
            "from_status",
            "to_status",
            "note",
            "is_public",
            "changes",
        )
        self.next = {t: writer.next_id(t.model) for t in self.all}
        self.events = self.followups = 0

    @property
    def all(self) -> tuple[Table, ...]:
        return (self.case, self.event, self.person, self.party, self.followup)

    def take(self, table: Table) -> int:
        pk = self.next[table]
        self.next[table] = pk + 1
        return pk

    def write(self, world: _World, rng: random.Random, chunk: list, numbers: list[str]) -> None:
        rows: dict[Table, list[tuple]] = {t: [] for t in self.all}
        for plan, number in zip(chunk, numbers, strict=True):
            _case(self, rows, world, rng, plan, number)
        for table in self.all:  # parents before the rows that point to them
            self.writer.write(table, rows[table])
        self.events += len(rows[self.event])
        self.followups += len(rows[self.followup])


def _case(tables: _Tables, rows: dict, world: _World, rng: random.Random, plan, number) -> None:
    """One case's rows: the case, its timeline, its petitioner and its follow-up."""
    received, channel, grid_id, compound_id, activity = plan
    grid = world.grid_by_pk[grid_id]
    worker, secretary = world.worker[grid_id], world.secretary[grid.community_id]
    category = rng.choice(world.categories)
    compound = next((c for c in world.compounds[grid_id] if c.pk == compound_id), None)
    place = compound.name if compound else grid.station
    title, content, result = rng.choice(TEXTS[category.name])
    title, content = title.format(place=place), content.format(place=place)
    online = channel == Channel.ONLINE
    registrar = None if online else worker
    spot = not online and rng.random() < SPOT_SHARE
    horizon = world.horizon
    case_id = tables.take(tables.case)
    values: dict[str, Any] = {
        "id": case_id,
        "number": number,
        "tracking_code": world.tracking_code(),
        "kind": CaseKind.ORDINARY,
        "channel": channel,
        "category_id": category.pk,
        "community_id": grid.community_id,
        "grid_id": grid_id,
        "compound_id": compound_id,
        "address": place,
        "title": title,
        "content": content,
        "triage": Triage.ON_THE_SPOT if spot else "",
        "field_visit_id": activity if channel == Channel.RESEARCH else None,
        "onsite_session_id": activity if channel == Channel.ONSITE else None,
        "registered_by_id": registrar.user_id if registrar else None,
        "received_at": received,
    }
    conclude_due = world.due(world.conclude_rule[category.pk], received)
    values["conclude_due"] = conclude_due
    events: list[tuple] = []

    def event(at, actor, kind, frm, to, note="", public=True, changes=NO_CHANGES) -> bool:
        """Take the step if its moment has come; False when it has not."""
        if at > horizon:
            return False
        events.append(
            tables.new_event(
                tables.take(tables.event),
                case_id,
                at,
                actor.user_id if actor else None,
                actor.unit if actor else RESIDENT_UNIT,
                kind,
                frm,
                to,
                note,
                public,
                changes,
            )
        )
        values["status"] = to
        values["version"] = len(events) - 1
        return True

    S = CaseStatus
    event(
        received,
        registrar,
        EventKind.REGISTERED,
        "",
        S.REGISTERED,
        f"来源：{world.channel_labels[channel]}",
    )
    concluded = None
    if not spot and rng.random() < NOT_ACCEPTED_SHARE:
        reason = rng.choice(REJECT_REASONS)
        at = world.office(
            timezone.localtime(received, world.tz).date() + timedelta(days=rng.randint(1, 3)), rng
        )
        if event(at, secretary, EventKind.NOT_ACCEPTED, S.REGISTERED, S.NOT_ACCEPTED, reason):
            values["not_accepted_reason"] = reason
            archived = at + timedelta(days=rng.randint(5, 20))
            if rng.random() < 0.5 and event(
                archived, secretary, EventKind.ARCHIVED, S.NOT_ACCEPTED, S.ARCHIVED, public=False
            ):
                values["archived_at"] = archived
    elif spot:
        due = json_text({"conclude_due": str(conclude_due or "")})
        event(
            received,
            registrar,
            EventKind.ACCEPTED,
            S.REGISTERED,
            S.ACCEPTED,
            "当场受理",
            changes=due,
        )
        values["accepted_at"] = received
        concluded = received
        reply = f"您反映的问题已当场处理：{result}。"
        event(concluded, registrar, EventKind.CONCLUDED, S.ACCEPTED, S.CONCLUDED, reply)
        values.update(result=f"{result}（当场解决）", reply=reply)
    else:
        accepted = received + timedelta(minutes=rng.randint(10, 90))
        due = json_text({"conclude_due": str(conclude_due or "")})
        if event(
            accepted,
            secretary,
            EventKind.ACCEPTED,
            S.REGISTERED,
            S.ACCEPTED,
            "已受理（一般办理）",
            changes=due,
        ):
            values["accepted_at"] = accepted
            assigned = accepted + timedelta(minutes=rng.randint(10, 120))
            note = f"交由 {worker.unit or worker.name} 办理"
            handler = world.handler_change(worker)
            if event(
                assigned,
                secretary,
                EventKind.ASSIGNED,
                S.ACCEPTED,
                S.ASSIGNED,
                note,
                changes=handler,
            ):
                sign_due = world.due(world.sign_rule, assigned)
                values.update(handler_id=worker.pk, assigned_at=assigned, sign_due=sign_due)
                signed = assigned + timedelta(minutes=rng.randint(10, 200))
                if event(
                    signed, worker, EventKind.SIGNED, S.ASSIGNED, S.IN_PROGRESS, "承办单位已签收"
                ):
                    signed_day = timezone.localtime(signed, world.tz).date()
                    values.update(
                        signed_at=signed, signed_on_time=sign_due is None or signed_day <= sign_due
                    )
                    last_day = conclude_due or signed_day
                    if rng.random() < LATE_SHARE:
                        day = last_day + timedelta(days=rng.randint(1, 5))
                    else:
                        day = signed_day + timedelta(
                            days=rng.randint(0, max(0, (last_day - signed_day).days))
                        )
                    at = world.office(day, rng)
                    if at <= signed:
                        at = signed + timedelta(minutes=rng.randint(30, 180))
                    finished = timezone.localtime(at, world.tz).date()
                    reply = f"经办理，{result}。感谢您的反映。"
                    if event(at, worker, EventKind.CONCLUDED, S.IN_PROGRESS, S.CONCLUDED, reply):
                        concluded = at
                        values.update(
                            result=f"{result}（{finished.month}月{finished.day}日）", reply=reply
                        )
    if concluded is not None:
        finished = timezone.localtime(concluded, world.tz).date()
        values.update(
            concluded_at=concluded,
            concluded_on_time=not (conclude_due is not None and finished > conclude_due),
            conclusion_count=1,
            is_publishable=rng.random() < PUBLISHABLE_SHARE,
        )
        visited = world.office(finished + timedelta(days=rng.randint(1, 4)), rng)
        satisfaction = rng.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASICALLY], weights=(80, 20)
        )[0]
        label = "满意" if satisfaction == Satisfaction.SATISFIED else "基本满意"
        if event(
            visited, secretary, EventKind.FOLLOWED_UP, S.CONCLUDED, S.VISITED, f"回访评价：{label}"
        ):
            values.update(visited_at=visited, satisfaction=satisfaction)
            rows[tables.followup].append(
                tables.followup.row(
                    id=tables.take(tables.followup),
                    case_id=case_id,
                    conclusion_number=1,
                    at=visited,
                    method=FollowUp.Method.PHONE,
                    satisfaction=satisfaction,
                    recorded_by_id=secretary.user_id,
                )
            )
            archived = visited + timedelta(days=rng.randint(3, 30))
            if rng.random() < ARCHIVED_SHARE and event(
                archived, secretary, EventKind.ARCHIVED, S.VISITED, S.ARCHIVED, public=False
            ):
                values["archived_at"] = archived
    rows[tables.case].append(tables.case.row(**values))
    rows[tables.event].extend(events)
    person_id = tables.take(tables.person)
    n = case_id * 7919
    rows[tables.person].append(
        tables.person.row(
            id=person_id,
            name=person_name(n % 100_003),
            phone=f"13{7 + n % 3}000{n % 100_000:05d}",
            address=f"{place}{1 + n % 12}号楼{1 + n % 4}单元{100 * (1 + n % 6) + 1 + n % 3}室",
            created_at=received,
        )
    )
    rows[tables.party].append(
        tables.party.row(
            id=tables.take(tables.party),
            case_id=case_id,
            person_id=person_id,
            role=PartyRole.PETITIONER,
        )
    )
