"""Volume for benchmarks (``seed_demo --scale N``): more communities, grids, compounds and staff.

``--scale 1`` is the small demo alone. ``--scale N`` (2 … MAX_SCALE) keeps the small demo
unchanged and adds, in communities of their own (code ``vol-001`` …):

    cases        N × 10,000 in all (the demo's ~1,100 included)      1,000,000 at N = 100
    activities   N × 1,000 outreach activities in all (demo included)  100,000 at N = 100
    communities  5 + ceil(0.45 N)                                           50 at N = 100
    grids        10 + ceil(4.9 N), spread over the added communities       500 at N = 100

Each added community gets a community secretary, each added grid a grid worker and two
compounds. Rows are written in bulk — PostgreSQL COPY through psycopg 3's ``cursor.copy``,
``executemany`` elsewhere — with explicit ids, never through the services (a million cases
through ``register_case`` would take hours); ``check_consistency`` verifies what they wrote.

Idempotent for the same N, refusing for another: the volume is written once, in one
transaction per app; a second run at the same scale finds its targets met and writes nothing
(a run cut short finishes the apps it had not reached), and another scale on a database that
already has volume is refused — it would neither delete rows nor stack one scale on another
(use a fresh database).

This module also holds what the apps' volume modules share: the targets (``Plan``), the bulk
writer (``Writer``) and a working-day calendar loaded once (``Calendar``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction

from portal import clock
from portal.models import CalendarDay, Community, Compound, Grid, StaffProfile
from portal.roles import GROUP_NAMES, Role
from portal.seeding import SeedContext
from portal.workdays import is_working_day

MAX_SCALE = 100
CASES_PER_SCALE = 10_000
ACTIVITIES_PER_SCALE = 1_000
DEMO_COMMUNITIES, DEMO_GRIDS = 5, 10
VOLUME_CODE = "vol-"  # Community.code prefix of the added communities (the volume's marker)
# The volume's records spread over this many days ending yesterday (the demo covers one year).
SPAN_DAYS = 3 * 365

# Names of the added communities: a place word and a quarter (金桥东社区 …), 60 possible.
_PLACES = [*"金兴锡海阿赛新通如丁石滨春秋和"]
_QUARTERS = "东西南北"


@dataclass(frozen=True)
class Plan:
    """What ``--scale N`` asks for, in all (the small demo's rows included)."""

    scale: int

    @property
    def cases(self) -> int:
        return self.scale * CASES_PER_SCALE

    @property
    def activities(self) -> int:
        return self.scale * ACTIVITIES_PER_SCALE

    @property
    def added_communities(self) -> int:
        return -(-45 * self.scale // 100)  # ceil(0.45 N) in integers

    @property
    def added_grids(self) -> int:
        return -(-49 * self.scale // 10)  # ceil(4.9 N) in integers

    @property
    def communities(self) -> int:
        return DEMO_COMMUNITIES + self.added_communities

    @property
    def grids(self) -> int:
        return DEMO_GRIDS + self.added_grids


def plan_of(ctx: SeedContext) -> Plan | None:
    """The plan for this run, None for the small demo alone."""
    if ctx.scale <= 1:
        return None
    if ctx.scale > MAX_SCALE:
        raise CommandError(f"--scale 最大为 {MAX_SCALE}（100 万件诉求）")
    return Plan(ctx.scale)


def volume_communities() -> models.QuerySet[Community]:
    return Community.objects.filter(code__startswith=VOLUME_CODE).order_by("code")


# --- the bulk writer ------------------------------------------------------------------------


class Writer:
    """Bulk rows with explicit ids: COPY on PostgreSQL, executemany elsewhere.

    Ids are taken above the table's highest and the sequences are moved past them at the end
    (``reset_sequences``), so later rows written by the services continue after them.

    ``loading(models)`` (PostgreSQL) loads the way ``pg_restore`` does: the tables' foreign keys
    and plain indexes are dropped for the load and put back after it, in the same transaction.
    Putting a foreign key back checks every row against its table in one join, where row by
    row Django's deferred foreign keys queue one check per row and reference until COMMIT
    (minutes for a million cases); CHECK constraints, unique indexes and triggers stay in place
    throughout. Nobody else can read or write the tables meanwhile (ALTER TABLE locks them).
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.touched: list[type[models.Model]] = []

    @contextmanager
    def loading(self, *loaded: type[models.Model]) -> Iterator[None]:
        if not self.postgres:
            yield
            return
        tables = [m._meta.db_table for m in loaded]
        with connection.cursor() as cursor:
            # Foreign-key checks still queued in this transaction (rows written before, in the
            # same transaction) are run now: a table with pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
                [tables],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [tables],
            )
            indexes = cursor.fetchall()
            for table, name, _definition in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        yield
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares them

    def next_id(self, model: type[models.Model]) -> int:
        highest = model.objects.aggregate(m=models.Max("pk"))["m"] or 0
        return highest + 1

    def write(self, table: Table, rows: Iterable[Sequence[Any]]) -> int:
        """Insert ``rows`` (tuples from ``table.row``)."""
        model, columns = table.model, table.columns
        if model not in self.touched:
            self.touched.append(model)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        written = 0
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor  # psycopg 3's own cursor, under Django's wrapper
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
                return written
            marks = ", ".join(["%s"] * len(columns))
            batch: list[Sequence[Any]] = []
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names only
            for row in rows:
                batch.append([_sqlite_value(v) for v in row])
                if len(batch) >= 2000:
                    cursor.executemany(sql, batch)
                    written, batch = written + len(batch), []
            if batch:
                cursor.executemany(sql, batch)
                written += len(batch)
        return written

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), self.touched)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _sqlite_value(value: Any) -> Any:
    # What Django's SQLite backend stores: datetimes as UTC text without an offset.
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


class Table:
    """One model's columns for the writer, and rows as tuples in their order: every column not
    given takes the field's default. A JSON column takes its text (``json_text``)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        self.columns = [f.column for f in fields]
        self.index = {f.attname: n for n, f in enumerate(fields)}
        self.template = [
            json_text(f.get_default()) if isinstance(f, models.JSONField) else f.get_default()
            for f in fields
        ]

    def row(self, **values: Any) -> tuple:
        row = self.template.copy()
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return tuple(row)

    def builder(self, *names: str) -> Callable[..., tuple]:
        """A faster ``row`` for millions of rows: ``build(v1, v2 …)`` gives the row with
        ``names`` set to the values, in that order, and the defaults elsewhere."""
        given = {name: n for n, name in enumerate(names)}
        defaults = tuple(self.template)
        by_column = sorted(self.index.items(), key=lambda item: item[1])
        order = [given[name] if name in given else len(names) + n for name, n in by_column]
        pick = itemgetter(*order)
        return lambda *values: pick((*values, *defaults))


def json_text(value: Any) -> str:
    """A JSON column's value as the text COPY and executemany hand to the database."""
    return json.dumps(value, ensure_ascii=False)


# --- the calendar ---------------------------------------------------------------------------


class Calendar:
    """portal.workdays' arithmetic with the calendar table read once, for millions of dates."""

    def __init__(self, start: date, end: date) -> None:
        self.overrides = dict(
            CalendarDay.objects.filter(
                date__gte=start, date__lte=end + timedelta(days=120)
            ).values_list("date", "kind")
        )
        self._added: dict[tuple[date, int], date] = {}
        self._working: dict[date, bool] = {}

    def is_working(self, day: date) -> bool:
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = is_working_day(day, self.overrides)
        return known

    def add_working_days(self, start: date, days: int) -> date:
        """As ``portal.workdays.add_working_days``: the days-th working day after start."""
        key = (start, days)
        found = self._added.get(key)
        if found is None:
            day, counted = start, 0
            while counted < days:
                day += timedelta(days=1)
                counted += self.is_working(day)
            found = self._added[key] = day if days > 0 else start
        return found


def span(today: date) -> tuple[date, date]:
    """The days the volume's records fall on: SPAN_DAYS ending yesterday."""
    return today - timedelta(days=SPAN_DAYS), today - timedelta(days=1)


# --- this app's part: places and people -----------------------------------------------------


STAGES = 1


def seed(ctx: SeedContext) -> None:
    plan = plan_of(ctx)
    if plan is None:
        return
    with ctx.stage(f"压测数据：社区、网格、小区和工作人员（--scale {plan.scale}）") as stage:
        stage.done(_places_and_people(plan))


@transaction.atomic
def _places_and_people(plan: Plan) -> str:
    have = volume_communities().count()
    if have > plan.added_communities:
        raise CommandError(
            f"数据库已有更大规模的压测数据（{have} 个压测社区）：--scale {plan.scale} "
            "不会删除数据，请换一个新数据库"
        )
    grids_have = Grid.objects.filter(community__code__startswith=VOLUME_CODE).count()
    if have == plan.added_communities and grids_have == plan.added_grids:
        return f"已有 {have} 个压测社区、{grids_have} 个网格，未重复生成"
    if have:
        raise CommandError(
            f"数据库已有 --scale 较小时生成的压测数据（{have} 个压测社区）：不会在其上追加，"
            "请换一个新数据库"
        )
    now = clock.now()
    communities = [
        Community(
            name=f"{_PLACES[i % len(_PLACES)]}苑{_QUARTERS[i // len(_PLACES)]}社区",
            code=f"{VOLUME_CODE}{i + 1:03d}",
            address=f"{_PLACES[i % len(_PLACES)]}路{i + 1}号",
            sort_order=100 + i,
        )
        for i in range(plan.added_communities)
    ]
    Community.objects.bulk_create(communities)
    communities = list(volume_communities())
    grids = []
    for n in range(plan.added_grids):
        community = communities[n % len(communities)]
        k = n // len(communities) + 1
        grids.append(
            Grid(
                community=community,
                name=f"第{k}网格",
                station=f"{community.name[:-2]}{k}号网格驿站",
                sort_order=k,
            )
        )
    Grid.objects.bulk_create(grids)
    grids = list(Grid.objects.filter(community__in=communities).select_related("community"))
    Compound.objects.bulk_create(
        Compound(
            community=grid.community,
            grid=grid,
            name=f"{grid.community.name[:-2]}{grid.sort_order}-{half}号院",
            households=200 + (grid.pk * 37 + half * 91) % 600,
        )
        for grid in grids
        for half in (1, 2)
    )
    # Accounts for the benchmarks' scoped lists; not for signing in (no usable password).
    users = get_user_model()
    unusable = make_password(None)
    accounts = [(f"vsq{c.code[4:]}", c, None) for c in communities]
    accounts += [(f"vwg{g.pk:05d}", g.community, g) for g in grids]
    users.objects.bulk_create(
        users(username=name, password=unusable, is_staff=True) for name, _c, _g in accounts
    )
    by_name = users.objects.in_bulk([name for name, _c, _g in accounts], field_name="username")
    profiles = []
    for name, community, grid in accounts:
        role = Role.GRID_WORKER if grid else Role.COMMUNITY_SECRETARY
        title = f"{community.name}{grid.name}网格员" if grid else f"{community.name}党委书记"
        profiles.append(
            StaffProfile(
                user=by_name[name],
                name=_person_name(len(profiles)),
                role=role,
                title=title,
                unit=community.name,
                approved_at=now,  # granted from the server, as grant_role without an actor
            )
        )
    StaffProfile.objects.bulk_create(profiles)
    profile_of = {p.user_id: p for p in StaffProfile.objects.filter(user__in=by_name.values())}
    community_links, grid_links, group_links = [], [], []
    groups = {role: Group.objects.get(name=GROUP_NAMES[role]) for role in GROUP_NAMES}
    for name, community, grid in accounts:
        user = by_name[name]
        profile = profile_of[user.pk]
        if grid is None:
            community_links.append(
                StaffProfile.communities.through(staffprofile=profile, community=community)
            )
        else:
            grid_links.append(StaffProfile.grids.through(staffprofile=profile, grid=grid))
        group_links.append(users.groups.through(user=user, group=groups[Role(profile.role)]))
    StaffProfile.communities.through.objects.bulk_create(community_links)
    StaffProfile.grids.through.objects.bulk_create(grid_links)
    users.groups.through.objects.bulk_create(group_links)
    return (
        f"新增 {len(communities)} 个社区、{len(grids)} 个网格、{2 * len(grids)} 个小区、"
        f"{len(accounts)} 个账号（共 {Community.objects.count()} 个社区、"
        f"{Grid.objects.count()} 个网格）"
    )


_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志海燕雪梅晓东"


def _person_name(n: int) -> str:
    """A plausible name, different for the first few thousand n."""
    s = _SURNAMES[n % len(_SURNAMES)]
    g1 = _GIVEN[(n // len(_SURNAMES)) % len(_GIVEN)]
    g2 = _GIVEN[(n * 7 + 3) % len(_GIVEN)]
    return s + g1 + (g2 if n % 3 else "")


person_name = _person_name
