"""Cases and everything that hangs off them (split by concern; import from here)."""

from petitions.models.attachments import CaseAttachment, OnlineSubmission
from petitions.models.case import (
    Case,
    CaseEvent,
    CasePause,
    CaseQuerySet,
    CaseSequence,
    ExportRecord,
    FollowUp,
)
from petitions.models.choices import (
    OPEN_STATUSES,
    TRANSITIONS,
    CaseKind,
    CaseStatus,
    Channel,
    DeadlineStage,
    DeadlineUnit,
    EventKind,
    PartyRole,
    Satisfaction,
    StartEvent,
    Triage,
)
from petitions.models.config import Category, DeadlineRule, LeadershipDecision, ReplyTemplate
from petitions.models.mediation import (
    JUDICIAL_CONFIRMATION_DAYS,
    MediationAgreement,
    MediationMethod,
    MediationOutcome,
    MediationSession,
)
from petitions.models.people import CaseExclusion, CaseParty, Person
from petitions.models.reception import Reception, ReceptionKind, ReceptionPhoto

__all__ = [
    "JUDICIAL_CONFIRMATION_DAYS",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "Case",
    "CaseAttachment",
    "CaseEvent",
    "CaseExclusion",
    "CaseKind",
    "CaseParty",
    "CasePause",
    "CaseQuerySet",
    "CaseSequence",
    "CaseStatus",
    "Category",
    "Channel",
    "DeadlineRule",
    "DeadlineStage",
    "DeadlineUnit",
    "EventKind",
    "ExportRecord",
    "FollowUp",
    "LeadershipDecision",
    "MediationAgreement",
    "MediationMethod",
    "MediationOutcome",
    "MediationSession",
    "OnlineSubmission",
    "PartyRole",
    "Person",
    "Reception",
    "ReceptionKind",
    "ReceptionPhoto",
    "ReplyTemplate",
    "Satisfaction",
    "StartEvent",
    "Triage",
]
