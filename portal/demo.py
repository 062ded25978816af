"""Demo reference data: a fictional sub-district in Hohhot, its communities, teams and staff.

Every function here is idempotent: rows are found by their natural key and created only when
missing, so `seed_demo` can run on every `make run`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.db import transaction

from portal import clock
from portal.models import (
    Community,
    Compound,
    Grid,
    Qualification,
    StaffProfile,
    Team,
    TeamKind,
    TeamMember,
)
from portal.roles import Role
from portal.services import grant_role

# Printed by `make run`; never use demo data on a real installation (seed_demo refuses when
# DJANGO_DEBUG is off).
DEMO_PASSWORD = "Demo#2026fhl"  # noqa: S105 - public on purpose


@dataclass
class Stage:
    """What one stage of the seeding says it wrote, for its progress line."""

    result: str = ""

    def done(self, result: str) -> None:
        self.result = result


@dataclass
class SeedContext:
    """What every app's demo seeder receives."""

    out: TextIO
    scale: int = 1
    rng: random.Random = field(default_factory=lambda: random.Random(20260101))
    today: date = field(default_factory=clock.today)  # Shanghai's date, not UTC's
    reports: list[Callable[[], None]] = field(default_factory=list)
    # Progress: one line per stage ("[3/7] 诉求 … 1,102 件，58 s"); verbosity 0 prints none.
    # `stages` is the total the command announces (each demo module's STAGES, added up).
    verbosity: int = 1
    stages: int = 0
    _stages_done: int = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Name a stage before it runs and finish its line with what it wrote and how long it
        took, so a long first run is never silent:

            with ctx.stage("信访接待") as stage:
                ...
                stage.done(f"{n} 次")
        """
        self._stages_done += 1
        stage = Stage()
        if self.verbosity < 1:
            yield stage
            return
        number = f"{self._stages_done}/{self.stages}" if self.stages else str(self._stages_done)
        self._write(f"  [{number}] {name} …")
        started = time.monotonic()
        try:
            yield stage
        except BaseException:
            self._write(f" 中断，{time.monotonic() - started:.0f} s\n")  # the error follows
            raise
        self._write(f" {stage.result or '完成'}，{time.monotonic() - started:.0f} s\n")

    def _write(self, text: str) -> None:
        # Django's OutputWrapper ends every write with a newline unless told otherwise.
        if hasattr(self.out, "style_func"):
            self.out.write(text, ending="")
        else:
            self.out.write(text)
        self.out.flush()

    def report_at_end(self, report: Callable[[], None]) -> None:
        """Print a summary once every app has been seeded, not when this app is done.

        A figure that later apps change must be counted on the finished data: 近期安排 counts
        every practice, and petitions adds its 信访接待 after outreach has run, so counted
        early the first run prints fewer than the second.
        """
        self.reports.append(report)


# (name, code, address, phone, [(grid name, station, [compounds (name, households)])])
COMMUNITIES: list[tuple[str, str, str, str, list[tuple[str, str, list[tuple[str, int]]]]]] = [
    (
        "凤凰岭社区",
        "fenghuangling",
        "凤凰岭路18号",
        "0471-6521801",
        [
            ("第一网格", "凤凰A区网格驿站", [("凤凰A区", 612)]),
            ("第二网格", "凤凰B区网格驿站", [("凤凰B区", 748)]),
            ("第三网格", "凤凰C区邻里议事亭", [("凤凰C区", 530), ("凤凰商住楼", 96)]),
        ],
    ),
    (
        "敕勒川社区",
        "chilechuan",
        "敕勒川大街2号",
        "0471-6521802",
        [
            ("第一网格", "敕勒川花园网格驿站", [("敕勒川花园", 820)]),
            ("第二网格", "草原明珠协商议事厅", [("草原明珠小区", 455), ("电业局家属院", 188)]),
        ],
    ),
    (
        "大青山社区",
        "daqingshan",
        "青山路66号",
        "0471-6521803",
        [
            ("第一网格", "青山嘉苑网格驿站", [("青山嘉苑", 690)]),
            ("第二网格", "林业小区民声议事亭", [("林业小区", 264), ("大青山南区", 377)]),
        ],
    ),
    (
        "昭君路社区",
        "zhaojunlu",
        "昭君路105号",
        "0471-6521804",
        [
            ("第一网格", "昭君苑网格驿站", [("昭君苑", 540)]),
            ("第二网格", "金桥家园邻里议事亭", [("金桥家园", 610), ("铁路二区", 232)]),
        ],
    ),
    (
        "乌素图社区",
        "wusutu",
        "乌素图村委会旧址",
        "0471-6521805",
        [
            ("第一网格", "乌素图新村网格驿站", [("乌素图新村", 430), ("杏花苑", 198)]),
        ],
    ),
]

QUALIFICATIONS = [
    ("法律工作者", "律师、基层法律服务工作者"),
    ("人民调解员", "经司法所备案的人民调解员"),
    ("心理咨询师", "持证心理咨询师"),
    ("理论宣讲员", "经街道党工委备案的宣讲骨干"),
    ("社会工作者", "持证社会工作者"),
]

# (team, kind, community code or None, description, [(member, position, unit, [qualifications])])
TEAMS: list[tuple[str, str, str | None, str, list[tuple[str, str, str, list[str]]]]] = [
    (
        "红骑兵宣讲团",
        TeamKind.TALK,
        None,
        "由街道党员干部、退休教师和社区骨干组成，骑行入户开展理论宣讲和政策解读。",
        [
            ("乌兰", "团长", "街道党建办", ["理论宣讲员"]),
            ("张建国", "团员", "退休教师", ["理论宣讲员"]),
            ("李慧敏", "团员", "凤凰岭社区", ["理论宣讲员", "社会工作者"]),
            ("巴特尔", "团员", "敕勒川社区", ["理论宣讲员"]),
        ],
    ),
    (
        "文润蓝天志愿服务队",
        TeamKind.VOLUNTEER,
        None,
        "文化惠民志愿服务队，组织“文化进万家”“曲艺周末乐”等群众文化活动。",
        [
            ("萨仁", "队长", "街道文化站", []),
            ("王秀英", "队员", "社区文艺骨干", []),
            ("刘志强", "队员", "二人台爱好者协会", []),
        ],
    ),
    (
        "益启志愿服务队",
        TeamKind.VOLUNTEER,
        "daqingshan",
        "面向老年人和困境儿童的助老助学志愿服务队。",
        [
            ("赵丽娟", "队长", "大青山社区", ["社会工作者"]),
            ("高娃", "队员", "内蒙古师范大学志愿者", []),
        ],
    ),
    (
        "和为贵",
        TeamKind.MEDIATION,
        None,
        "街道人民调解委员会调解工作室，调处邻里、物业、家庭等矛盾纠纷。",
        [
            ("孙德胜", "负责人", "街道司法所", ["人民调解员"]),
            ("周海燕", "调解员", "街道综治中心", ["人民调解员", "心理咨询师"]),
            ("其木格", "调解员", "退休法官", ["人民调解员", "法律工作者"]),
        ],
    ),
    (
        "邻里凤姐",
        TeamKind.MEDIATION,
        "fenghuangling",
        "凤凰岭社区女性调解志愿队，上门化解邻里纠纷。",
        [
            ("郭凤琴", "队长", "凤凰岭社区", ["人民调解员"]),
            ("马桂兰", "队员", "凤凰B区居民", ["人民调解员"]),
        ],
    ),
    (
        "街道法律顾问团",
        TeamKind.LEGAL,
        None,
        "律师事务所派驻街道的法律顾问，提供法律咨询、普法讲座和信访法律把关。",
        [
            ("韩明", "顾问", "青城律师事务所", ["法律工作者"]),
            ("娜仁", "顾问", "北疆律师事务所", ["法律工作者"]),
        ],
    ),
]

# (username, name, role, title, unit, community codes, grids as (community code, grid name))
DEMO_USERS: list[tuple[str, str, Role, str, str, list[str], list[tuple[str, str]]]] = [
    ("shuji", "王志刚", Role.SECRETARY, "街道党工委书记、首席代办员", "街道党工委", [], []),
    (
        "baopian",
        "苏和",
        Role.AREA_LEADER,
        "街道办事处副主任（包联凤凰岭、敕勒川社区）",
        "街道办事处",
        ["fenghuangling", "chilechuan"],
        [],
    ),
    (
        "sqshuji",
        "李慧敏",
        Role.COMMUNITY_SECRETARY,
        "凤凰岭社区党委书记",
        "凤凰岭社区",
        ["fenghuangling"],
        [],
    ),
    (
        "wanggeyuan",
        "刘倩",
        Role.GRID_WORKER,
        "凤凰岭社区第二网格网格员",
        "凤凰岭社区",
        [],
        [("fenghuangling", "第二网格")],
    ),
    ("tiaojieyuan", "周海燕", Role.MEDIATOR, "和为贵调解工作室调解员", "街道综治中心", [], []),
    ("lingdao", "陈晓东", Role.OFFICIAL, "区委督查室督查员", "区委督查室", [], []),
    ("xitong", "赵宇", Role.SYSADMIN, "街道信息化管理员", "街道党政办", [], []),
]


# Progress stages this module reports (seed_demo adds them up for "[n/total]").
STAGES = 1


def seed(ctx: SeedContext) -> None:
    with ctx.stage("基础数据") as stage:
        _seed_reference_data()
        stage.done(
            f"{Community.objects.count()} 个社区，{Grid.objects.count()} 个网格，"
            f"{Compound.objects.count()} 个小区，{Team.objects.count()} 支队伍，"
            f"{StaffProfile.objects.count()} 个账号"
        )


@transaction.atomic
def _seed_reference_data() -> None:
    communities = {}
    for order, (name, code, address, phone, grids) in enumerate(COMMUNITIES):
        community, _ = Community.objects.get_or_create(
            code=code,
            defaults={"name": name, "address": address, "phone": phone, "sort_order": order},
        )
        communities[code] = community
        for grid_order, (grid_name, station, compounds) in enumerate(grids):
            grid, _ = Grid.objects.get_or_create(
                community=community,
                name=grid_name,
                defaults={"station": station, "sort_order": grid_order},
            )
            for compound_name, households in compounds:
                Compound.objects.get_or_create(
                    community=community,
                    name=compound_name,
                    defaults={"grid": grid, "households": households},
                )

    qualifications = {
        name: Qualification.objects.get_or_create(name=name, defaults={"description": text})[0]
        for name, text in QUALIFICATIONS
    }
    for team_name, kind, community_code, description, members in TEAMS:
        team, _ = Team.objects.get_or_create(
            name=team_name,
            defaults={
                "kind": kind,
                "community": communities[community_code] if community_code else None,
                "description": description,
            },
        )
        for member_name, position, unit, quals in members:
            member, created = team.members.get_or_create(
                name=member_name, defaults={"position": position, "work_unit": unit}
            )
            if created:
                member.qualifications.set([qualifications[q] for q in quals])

    _seed_users(communities)


def _seed_users(communities: dict[str, Community]) -> None:
    user_model = get_user_model()
    for username, name, role, title, unit, community_codes, grid_keys in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if StaffProfile.objects.filter(user=user).exists():
            continue
        grids = [
            Grid.objects.get(community=communities[code], name=grid_name)
            for code, grid_name in grid_keys
        ]
        grant_role(
            user,
            actor=None,
            name=name,
            role=role,
            communities=[communities[c] for c in community_codes],
            grids=grids,
            title=title,
            unit=unit,
        )
        link_team_member(user, name)


def link_team_member(user: Any, name: str) -> None:
    """A demo account that is also a team member (the mediator) is linked to that membership."""
    TeamMember.objects.filter(name=name, user__isnull=True).update(user=user)


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role) for every demo account, in role order."""
    return [(u, DEMO_PASSWORD, str(role.label)) for u, _n, role, *_rest in DEMO_USERS]
