"""Choices of the case lifecycle and the transition table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    """Kind of matter: selects the deadline rules."""

    ORDINARY = "ordinary", _("一般诉求")
    PETITION = "petition", _("信访事项")
    REVIEW = "review", _("复查请求")
    RECHECK = "recheck", _("复核请求")


class Channel(models.TextChoices):
    VISIT = "visit", _("来访")
    LETTER = "letter", _("来信")
    PHONE = "phone", _("来电")
    ONLINE = "online", _("网上")
    ONSITE = "onsite", _("现场办公")
    RESEARCH = "research", _("调查研究")
    PATROL = "patrol", _("网格巡查")
    REFERRAL = "referral", _("上级转办")
    RECEPTION = "reception", _("下访接待")


class Triage(models.TextChoices):
    """三类分办: solved on the spot, ledger (needs a meeting decision), long-term follow-up."""

    ON_THE_SPOT = "on_the_spot", _("当场解决")
    LEDGER = "ledger", _("台账管理")
    LONG_TERM = "long_term", _("长期跟踪")


# Where a class is chosen, each option says in one line what it means for the case. The blank
# value is the ordinary request: no class, assigned, handled and concluded within its limit.
TRIAGE_EXPLAINED: dict[str, object] = {
    "": _("一般办理（大多数诉求）：交办承办人，签收、办理后在办理时限内办结"),
    Triage.ON_THE_SPOT: _("当场解决：登记时已经当场解决，须填写解决结果，登记即受理并办结"),
    Triage.LEDGER: _(
        "台账管理：须经会议研究，凭为本诉求召开并已举行的议事协商会或列明本诉求的领导会议的决定办结"
    ),
    Triage.LONG_TERM: _(
        "长期跟踪：短期内难以解决，按跟踪间隔定期跟进、填写进度，进度达到 100% 后办结"
    ),
}


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ACCEPTED = "accepted", _("已受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ASSIGNED = "assigned", _("已交办待签收")
    IN_PROGRESS = "in_progress", _("办理中")
    CONCLUDED = "concluded", _("已办结待回访")
    VISITED = "visited", _("已回访")
    ARCHIVED = "archived", _("已归档")


S = CaseStatus

# Which status may follow which. Every move goes through one function in petitions.services.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.ACCEPTED, S.NOT_ACCEPTED}),
    # Accepted: hand it to a handler, or (当场解决) conclude it at once.
    S.ACCEPTED: frozenset({S.ASSIGNED, S.CONCLUDED}),
    # Assigned: the handler signs for it (签收) or bounces it back (退单); or it is reassigned.
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.ACCEPTED, S.ASSIGNED}),
    S.IN_PROGRESS: frozenset({S.CONCLUDED, S.ASSIGNED}),
    # Concluded: the follow-up visit (回访) closes it, or 不满意 sends it back for redoing (重办):
    # to its handler, or — solved on the spot, so without one — back to be assigned.
    S.CONCLUDED: frozenset({S.VISITED, S.IN_PROGRESS, S.ACCEPTED}),
    S.VISITED: frozenset({S.ARCHIVED}),
    S.NOT_ACCEPTED: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
}

OPEN_STATUSES = (S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class PartyRole(models.TextChoices):
    PETITIONER = "petitioner", _("信访人/诉求人")
    RESPONDENT = "respondent", _("被反映人/对方当事人")
    OTHER = "other", _("其他当事人")


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("登记")
    ACCEPTED = "accepted", _("受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ASSIGNED = "assigned", _("交办")
    SIGNED = "signed", _("签收")
    BOUNCED = "bounced", _("退单")
    PROGRESS = "progress", _("办理进展")
    CONVERSATION = "conversation", _("谈心谈话")
    MEDIATION = "mediation", _("调解")
    DECISION = "decision", _("关联会议决定")
    RECLASSIFIED = "reclassified", _("调整分类")
    REFERRED = "referred", _("提交议事协商会")
    EXTENDED = "extended", _("延期")
    PAUSED = "paused", _("中止计时")
    RESUMED = "resumed", _("恢复计时")
    CONCLUDED = "concluded", _("办结")
    FOLLOWED_UP = "followed_up", _("回访")
    REOPENED = "reopened", _("重办")
    SUPERVISED = "supervised", _("督办")
    ARCHIVED = "archived", _("归档")
    REVEALED = "revealed", _("查看个人信息")
    EXPORTED = "exported", _("导出")
    EDITED = "edited", _("修改")


class DeadlineUnit(models.TextChoices):
    CALENDAR = "calendar", _("自然日")
    WORKING = "working", _("工作日")


class DeadlineStage(models.TextChoices):
    ACCEPT = "accept", _("受理告知")
    SIGN = "sign", _("签收")
    CONCLUDE = "conclude", _("办结")


class StartEvent(models.TextChoices):
    RECEIVED = "received", _("收到之日")
    ACCEPTED = "accepted", _("受理之日")
    ASSIGNED = "assigned", _("交办之日")
    SIGNED = "signed", _("签收之日")
