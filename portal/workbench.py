"""The workbench (工作台): what the back office opens on, for each member of staff.

Each app answers for its own records with a list of ``portal.worklist.WorkQueue``
(``petitions.queues``, ``outreach.queues``, ``petitions.stats.reception_queues``,
``portal.queues``); this module only gathers them with the quick actions the person's role may
take and the planned activities of the week, for the index template to lay out. The number of
queries is fixed whatever the number of records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from outreach import queues as outreach_queues
from outreach.models import PRACTICE_MODELS
from outreach.queues import AgendaItem, planned_agenda
from petitions import queues as petitions_queues
from petitions import stats as petitions_stats
from petitions.models import Reception
from portal import clock
from portal import queues as portal_queues
from portal.access import Scope, scope_of
from portal.actors import Viewer
from portal.formats import join_names_text
from portal.models import Community, Grid, StaffProfile
from portal.news import queues as news_queues
from portal.roles import Reach, Role
from portal.services import scope_summary
from portal.worklist import WorkQueue

# (heading, the functions answering for it); each takes the user, returns its queues.
QUEUE_SOURCES: tuple[tuple[Promise, tuple[Callable[[Any], list[WorkQueue]], ...]], ...] = (
    (_("诉求办理"), (petitions_queues.workbench_queues,)),
    (
        _("活动公开"),
        (outreach_queues.workbench_queues, petitions_stats.reception_queues),
    ),
    (_("新闻审核与发布"), (news_queues.workbench_queues,)),
    (_("账号与角色"), (portal_queues.workbench_queues,)),
)

# The quick actions: what staff log most, each the add page of its admin.
QUICK_ACTIONS: tuple[tuple[Promise, str], ...] = (
    (_("登记诉求"), "petitions.Case"),
    (_("记录现场办公"), "outreach.OnsiteSession"),
    (_("记录走访"), "outreach.FieldVisit"),
    (_("记录宣讲"), "outreach.PolicyTalk"),
    (_("记录接访"), "petitions.Reception"),
)
# What the keepers of accounts and reference data open most: a page, for those who may change
# what it lists ("add" or "changelist").
ACCOUNT_ACTIONS: tuple[tuple[Promise, str, str], ...] = (
    (_("添加工作人员"), "auth.User", "add"),
    (_("人员与角色"), "portal.StaffProfile", "changelist"),
    (_("工作日历"), "portal.CalendarDay", "changelist"),
)

AGENDA_LIMIT = 30


@dataclass(frozen=True)
class QueueGroup:
    """The queues of one kind of work: those with something waiting, and the empty ones."""

    title: str | Promise
    queues: list[WorkQueue]

    @property
    def waiting(self) -> list[WorkQueue]:
        return [q for q in self.queues if q.count]

    @property
    def empty(self) -> list[WorkQueue]:
        return [q for q in self.queues if not q.count]


@dataclass(frozen=True)
class QuickAction:
    label: str | Promise
    url: str
    key: str  # app_label.model_name


@dataclass(frozen=True)
class Workbench:
    name: str
    role: str  # the role's Chinese name ("" without a role)
    scope: str  # what the role reaches (全街道, 北苑社区 …)
    awaiting_approval: bool
    groups: list[QueueGroup] = field(default_factory=list)
    actions: list[QuickAction] = field(default_factory=list)
    actions_title: str | Promise = ""  # 快速登记, or 常用操作 for account work
    today: list[AgendaItem] = field(default_factory=list)
    week: list[AgendaItem] = field(default_factory=list)  # the other days of this week
    agenda_more: bool = False  # more planned this week than shown
    agenda_limit: int = AGENDA_LIMIT
    day: date | None = None  # today
    week_start: date | None = None
    week_end: date | None = None
    stale_columns: list[news_queues.StaleColumn] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        """How many queues have something waiting."""
        return sum(len(group.waiting) for group in self.groups)


def workbench_for(request: HttpRequest, site: AdminSite) -> Workbench:
    user = request.user
    scope = scope_of(user)
    name = scope.name or user.get_username()
    if scope.awaiting_approval:
        return Workbench(name=name, role="", scope="", awaiting_approval=True)
    actions = _quick_actions(request, site)
    account_actions = _account_actions(request, site)
    workbench = Workbench(
        name=name,
        role=Role(scope.role).label if scope.role else "",
        scope=_scope_text(scope),
        awaiting_approval=False,
        groups=_queue_groups(user),
        actions=actions + account_actions,
        actions_title=_("快速登记") if actions or not account_actions else _("常用操作"),
        stale_columns=news_queues.stale_columns(user),
    )
    models = [model for model in _agenda_models() if _may_view(user, model)]
    if not models:
        return workbench  # no activities to see (调解员, 系统管理员): no agenda
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    agenda = planned_agenda(user, monday, sunday, models, first_from=today, limit=AGENDA_LIMIT)
    on_today = [item for item in agenda.items if timezone.localdate(item.starts_at) == today]
    return replace(
        workbench,
        today=on_today,
        week=[item for item in agenda.items if timezone.localdate(item.starts_at) != today],
        agenda_more=agenda.more,
        day=today,
        week_start=monday,
        week_end=sunday,
    )


def _may_view(user: Viewer, model: type) -> bool:
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def _queue_groups(user: Viewer) -> list[QueueGroup]:
    groups = []
    for title, sources in QUEUE_SOURCES:
        queues = [queue for source in sources for queue in source(user)]
        if queues:
            groups.append(QueueGroup(title=title, queues=queues))
    return groups


def _quick_actions(request: HttpRequest, site: AdminSite) -> list[QuickAction]:
    actions = []
    for label, model_label in QUICK_ACTIONS:
        model = apps.get_model(model_label)
        if not site.is_registered(model):
            continue
        if not site.get_model_admin(model).has_add_permission(request):
            continue
        meta = model._meta
        actions.append(
            QuickAction(
                label=label,
                url=reverse(f"{site.name}:{meta.app_label}_{meta.model_name}_add"),
                key=f"{meta.app_label}.{meta.model_name}",
            )
        )
    return actions


def _account_actions(request: HttpRequest, site: AdminSite) -> list[QuickAction]:
    actions = []
    for label, model_label, page in ACCOUNT_ACTIONS:
        model = apps.get_model(model_label)
        if not site.is_registered(model):
            continue
        model_admin = site.get_model_admin(model)
        allowed = (
            model_admin.has_add_permission(request)
            if page == "add"
            else model_admin.has_change_permission(request)
        )
        if not allowed:
            continue
        meta = model._meta
        actions.append(
            QuickAction(
                label=label,
                url=reverse(f"{site.name}:{meta.app_label}_{meta.model_name}_{page}"),
                key=f"{meta.app_label}.{meta.model_name}",
            )
        )
    return actions


def _agenda_models() -> tuple[type, ...]:
    return (*PRACTICE_MODELS, Reception)


def _scope_text(scope: Scope) -> str:
    """The role's reach as the role list writes it (portal.services.scope_summary), read from
    the scope already worked out for the request."""
    if scope.role is None:
        return ""
    if scope.reach(records=True) not in (Reach.COMMUNITIES, Reach.GRIDS):
        return str(scope_summary(StaffProfile(role=scope.role)))  # 全街道 …: no names to read
    names = []
    if scope.community_ids:
        names += [c.name for c in Community.objects.filter(pk__in=scope.community_ids)]
    if scope.grid_ids:
        grids = Grid.objects.filter(pk__in=scope.grid_ids).select_related("community")
        names += [str(grid) for grid in grids]
    return join_names_text(names) or str(_("未设置（看不到任何记录）"))
