"""Roles, their scopes and what each may do — kept as data.

This module is the single statement of the role × object × action matrix ("who may do
what"). Groups and their permissions are synchronised from it (``portal.services.sync_roles``)
and the permission and scope tests are generated from it, so a new role or a new admin screen
without an entry here fails the test suite.
"""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARY = "secretary", _("街道党工委书记")
    AREA_LEADER = "area_leader", _("包片领导")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    GRID_WORKER = "grid_worker", _("网格员")
    MEDIATOR = "mediator", _("调解员")
    OFFICIAL = "official", _("领导/审计")
    EDITOR = "editor", _("宣传编辑")
    SYSADMIN = "sysadmin", _("系统管理员")


class Reach(enum.Enum):
    """How far a role sees into scoped rows."""

    ALL = "all"  # the whole sub-district
    COMMUNITIES = (
        "communities"  # the communities in the user's scope (社区书记: one, 包片领导: several)
    )
    GRIDS = "grids"  # the grids in the user's scope (网格员)
    ASSIGNED = "assigned"  # only rows the user is assigned to (调解员; cases only)
    NONE = "none"


# Group names are the Chinese role names; they are what staff see in the user admin.
GROUP_NAMES: dict[Role, str] = {
    Role.SECRETARY: "街道党工委书记",
    Role.AREA_LEADER: "包片领导",
    Role.COMMUNITY_SECRETARY: "社区书记",
    Role.GRID_WORKER: "网格员",
    Role.MEDIATOR: "调解员",
    Role.OFFICIAL: "领导/审计",
    Role.EDITOR: "宣传编辑",
    Role.SYSADMIN: "系统管理员",
}

# Which rows each role reaches, for records (activities, cases) and for reference data
# (communities, grids, compounds). The system administrator configures reference data but is
# never a back door to records.
RECORD_REACH: dict[Role, Reach] = {
    Role.SECRETARY: Reach.ALL,
    Role.AREA_LEADER: Reach.COMMUNITIES,
    Role.COMMUNITY_SECRETARY: Reach.COMMUNITIES,
    Role.GRID_WORKER: Reach.GRIDS,
    Role.MEDIATOR: Reach.ASSIGNED,
    Role.OFFICIAL: Reach.ALL,
    # The news editor writes and publishes articles; activity records and the places' cases
    # are not theirs. The cases of a category they handle (网站纠错, petitions.Category
    # .handled_by) they reach across the sub-district, whatever the place.
    Role.EDITOR: Reach.NONE,
    Role.SYSADMIN: Reach.NONE,
}
REFERENCE_REACH: dict[Role, Reach] = {
    Role.SECRETARY: Reach.ALL,
    Role.AREA_LEADER: Reach.COMMUNITIES,
    Role.COMMUNITY_SECRETARY: Reach.COMMUNITIES,
    Role.GRID_WORKER: Reach.GRIDS,
    Role.MEDIATOR: Reach.NONE,
    Role.OFFICIAL: Reach.ALL,
    Role.EDITOR: Reach.NONE,
    Role.SYSADMIN: Reach.ALL,
}

# What each role may do with each model ("app_label.model" → actions). Actions are Django's
# view/add/change/delete plus the custom permissions a model declares in Meta.permissions.
# A model that is absent from a role's row gives that role nothing.
VIEW = frozenset({"view"})
EDIT = frozenset({"view", "add", "change"})
MANAGE = frozenset({"view", "add", "change", "delete"})

REFERENCE_MODELS = ("portal.community", "portal.grid", "portal.compound")
TEAM_MODELS = ("portal.team", "portal.teammember", "portal.qualification")
ACCOUNT_MODELS = ("auth.user", "portal.staffprofile")
# Login attempts and lockouts recorded by django-axes (等保: security audit).
SECURITY_LOGS = ("portal.loginrecord", "portal.loginfailure")


# Outreach records (one model per practice), their parts edited inline, and their editable lists.
ACTIVITY_MODELS = (
    "outreach.policytalk",
    "outreach.fieldvisit",
    "outreach.onsitesession",
    "outreach.deliberation",
    "petitions.reception",
)
ACTIVITY_PARTS = (
    "petitions.receptionphoto",
    "outreach.policytalkphoto",
    "outreach.fieldvisitphoto",
    "outreach.onsitesessionphoto",
    "outreach.deliberationphoto",
    "outreach.deliberationattendance",
    "outreach.deliberationdecision",
)
OUTREACH_LISTS = ("outreach.talkseries", "outreach.researchtheme")
ROTA = ("outreach.onsiterota",)
PUBLISH = frozenset({"publish"})

# Cases and what hangs off them, and the lists that configure them.
CASE = "petitions.case"
CASE_PARTS = (
    "petitions.caseparty",
    "petitions.person",
    "petitions.casepause",
    "petitions.followup",
    "petitions.mediationsession",
    "petitions.mediationagreement",
    "petitions.caseattachment",
)
# Recusals (回避): set by the two secretaries only; the person named never sees the case.
EXCLUSIONS = ("petitions.caseexclusion",)
CASE_TIMELINE = ("petitions.caseevent",)
CASE_AUDIT = ("petitions.exportrecord",)
CASE_LISTS = ("petitions.category", "petitions.deadlinerule", "petitions.replytemplate")
DECISIONS = ("petitions.leadershipdecision",)
CALENDAR = ("portal.calendarday",)
HANDLE = frozenset({"transition"})
# 统筹: accept, refuse, assign and reassign, pause the clock, archive (the matrix's "A").
COORDINATE = frozenset({"assign"})
SUPERVISE = frozenset({"supervise"})
REVEAL = frozenset({"reveal"})
EXPORT = frozenset({"export"})

# Every model of the record apps is either a record (the system administrator never reaches it)
# or configuration (lists the administrator may keep). The tests check each model is named here.
# Changes to published activities waiting for review, and who approved them; written only by
# outreach.services, shown on each activity's change page.
ACTIVITY_REVIEW = ("outreach.activityrevision",)
# Each activity's record (who changed its status, publication or figures): written only by
# outreach.services, append-only, shown on the activity's page and behind its 历史 link.
ACTIVITY_RECORD = ("outreach.activityevent",)

# News (portal.news): the article and its revisions, submissions, signatures and record (written
# only by portal.news.services); the columns and the review chain are the office's lists.
ARTICLE = "news.article"
ARTICLE_PARTS = (
    "news.revision",
    "news.submission",
    "news.signature",
    "news.frozenfigure",
    "news.articleevent",
    "news.proofdismissal",
)
NEWS_LISTS = ("news.column", "news.reviewstep")
# The proofreading list (易错词、规范表述): kept by the news editor and the party secretary.
PROOF_LIST = "news.proofterm"
NEWS_RECORDS = (ARTICLE, *ARTICLE_PARTS)

RECORD_MODELS = (
    *ACTIVITY_MODELS,
    *ACTIVITY_PARTS,
    *ACTIVITY_REVIEW,
    *ACTIVITY_RECORD,
    *ROTA,
    CASE,
    *CASE_PARTS,
    *EXCLUSIONS,
    "petitions.onlinesubmission",
    *CASE_TIMELINE,
    *CASE_AUDIT,
    *DECISIONS,
    "petitions.casesequence",
    *NEWS_RECORDS,
)
CONFIGURATION_MODELS = (*OUTREACH_LISTS, *CASE_LISTS, *NEWS_LISTS, PROOF_LIST)


def _publish_rows(actions: frozenset[str]) -> dict[str, frozenset[str]]:
    return dict.fromkeys(ACTIVITY_MODELS, actions | PUBLISH)


def _rows(models_: tuple[str, ...], actions: frozenset[str]) -> dict[str, frozenset[str]]:
    return dict.fromkeys(models_, actions)


PERMISSIONS: dict[Role, dict[str, frozenset[str]]] = {
    Role.SECRETARY: {
        CASE: EDIT | HANDLE | COORDINATE | SUPERVISE | REVEAL | EXPORT | {"approve_extension"},
        **_rows(CASE_PARTS, EDIT),
        **_rows(EXCLUSIONS, EDIT),
        **_rows(CASE_TIMELINE, VIEW),
        **_rows(CASE_AUDIT, VIEW),
        **_rows(DECISIONS, EDIT),
        **_rows(CASE_LISTS, EDIT),
        **_rows(CALENDAR, VIEW),
        **_rows(REFERENCE_MODELS, VIEW),
        **_rows(TEAM_MODELS, EDIT),
        **_rows(ACCOUNT_MODELS, VIEW),
        "portal.staffprofile": VIEW | {"approve"},
        "auth.group": VIEW,
        # Activities C R U P all: he leads 书记亲民走访日, 接访日 and talks himself.
        **_publish_rows(EDIT),
        **_rows(ACTIVITY_PARTS, MANAGE),
        **_rows(OUTREACH_LISTS, EDIT),
        **_rows(ROTA, EDIT),
        # News C R U; signs 审发 (the default chain's last step) and publishes.
        ARTICLE: EDIT | PUBLISH,
        **_rows(ARTICLE_PARTS, VIEW),
        **_rows(NEWS_LISTS, EDIT),
        PROOF_LIST: EDIT,
    },
    Role.AREA_LEADER: {
        CASE: VIEW | {"change"} | HANDLE | COORDINATE | SUPERVISE | REVEAL | EXPORT,
        **_rows(CASE_PARTS, VIEW),
        **_rows(CASE_TIMELINE, VIEW),
        **_rows(DECISIONS, VIEW),
        **_rows(CASE_LISTS, VIEW),
        **_rows(REFERENCE_MODELS, VIEW),
        **_rows(TEAM_MODELS, VIEW),
        "portal.staffprofile": VIEW,
        # Activities C R U P in the communities of the area (包片).
        **_publish_rows(EDIT),
        **_rows(ACTIVITY_PARTS, MANAGE),
        **_rows(OUTREACH_LISTS, VIEW),
        **_rows(ROTA, EDIT),
        # News R U; signs a review step (审核 in the default chain).
        ARTICLE: VIEW | {"change"},
        **_rows(ARTICLE_PARTS, VIEW),
        **_rows(NEWS_LISTS, VIEW),
        PROOF_LIST: VIEW,
    },
    Role.COMMUNITY_SECRETARY: {
        CASE: EDIT | HANDLE | COORDINATE | REVEAL | EXPORT,
        **_rows(CASE_PARTS, EDIT),
        **_rows(EXCLUSIONS, EDIT),
        **_rows(CASE_TIMELINE, VIEW),
        **_rows(DECISIONS, VIEW),
        **_rows(CASE_LISTS, VIEW),
        **_rows(REFERENCE_MODELS, VIEW),
        **_rows(TEAM_MODELS, VIEW),
        "portal.staffprofile": VIEW,
        **_publish_rows(EDIT),
        **_rows(ACTIVITY_PARTS, MANAGE),
        **_rows(OUTREACH_LISTS, VIEW),
        **_rows(ROTA, EDIT),
        # News C R U of their own community's articles (drafts: they do not publish).
        ARTICLE: EDIT,
        **_rows(ARTICLE_PARTS, VIEW),
        **_rows(NEWS_LISTS, VIEW),
        PROOF_LIST: VIEW,
    },
    Role.GRID_WORKER: {
        CASE: EDIT | HANDLE | REVEAL,
        **_rows(CASE_PARTS, EDIT),
        **_rows(CASE_TIMELINE, VIEW),
        **_rows(CASE_LISTS, VIEW),
        **_rows(REFERENCE_MODELS, VIEW),
        **_rows(TEAM_MODELS, VIEW),
        "portal.staffprofile": VIEW,
        **_rows(ACTIVITY_MODELS, EDIT),
        **_rows(ACTIVITY_PARTS, MANAGE),
        **_rows(OUTREACH_LISTS, VIEW),
    },
    Role.MEDIATOR: {
        CASE: VIEW | {"change"} | HANDLE | REVEAL,
        **_rows(CASE_PARTS, VIEW),
        "petitions.mediationsession": EDIT,
        "petitions.mediationagreement": EDIT,
        **_rows(CASE_TIMELINE, VIEW),
        **_rows(CASE_LISTS, VIEW),
        **_rows(TEAM_MODELS, VIEW),
    },
    Role.OFFICIAL: {
        CASE: VIEW,
        **_rows(CASE_PARTS, VIEW),
        **_rows(CASE_TIMELINE, VIEW),
        **_rows(CASE_AUDIT, VIEW),
        **_rows(DECISIONS, VIEW),
        **_rows(CASE_LISTS, VIEW),
        **_rows(CALENDAR, VIEW),
        **_rows(REFERENCE_MODELS, VIEW),
        **_rows(TEAM_MODELS, VIEW),
        **_rows(ACCOUNT_MODELS, VIEW),
        **_rows(ACTIVITY_MODELS, VIEW),
        **_rows(ACTIVITY_PARTS, VIEW),
        **_rows(OUTREACH_LISTS, VIEW),
        **_rows(ROTA, VIEW),
        **_rows(SECURITY_LOGS, VIEW),
        "portal.loginlockout": VIEW,
        "auth.group": VIEW,
        ARTICLE: VIEW,
        **_rows(ARTICLE_PARTS, VIEW),
        **_rows(NEWS_LISTS, VIEW),
        PROOF_LIST: VIEW,
    },
    Role.EDITOR: {
        # Writes every article, signs 初审 in the default chain, publishes what 审发 approved.
        ARTICLE: EDIT | PUBLISH,
        # 网站纠错 reports, only those (Case.objects.visible_to): accepted, assigned, signed for,
        # concluded and rated by the editors; the reporter can be called back (reason logged).
        CASE: VIEW | {"change"} | HANDLE | COORDINATE | REVEAL,
        **_rows(CASE_PARTS, VIEW),
        **_rows(CASE_TIMELINE, VIEW),
        **_rows(CASE_LISTS, VIEW),
        **_rows(ARTICLE_PARTS, VIEW),
        **_rows(NEWS_LISTS, VIEW),
        PROOF_LIST: EDIT,
        **_rows(TEAM_MODELS, VIEW),
    },
    Role.SYSADMIN: {
        **_rows(CASE_LISTS, EDIT),
        **_rows(CALENDAR, MANAGE),
        # Configuration lists, never the records themselves.
        **_rows(OUTREACH_LISTS, EDIT),
        **_rows(REFERENCE_MODELS, EDIT),
        **_rows(TEAM_MODELS, EDIT),
        **_rows(ACCOUNT_MODELS, EDIT),
        **_rows(SECURITY_LOGS, VIEW),
        # Deleting a lockout record unlocks the account.
        "portal.loginlockout": VIEW | {"delete"},
        "auth.group": VIEW,
        # The news columns are a list like the others; the review chain is the secretary's.
        "news.column": EDIT,
        "news.reviewstep": VIEW,
        PROOF_LIST: VIEW,
    },
}


def permission_codenames(role: Role) -> set[tuple[str, str]]:
    """(app_label, codename) pairs the role's group holds."""
    pairs = set()
    for label, actions in PERMISSIONS[role].items():
        app_label, model = label.split(".")
        for action in actions:
            pairs.add((app_label, f"{action}_{model}"))
    return pairs
