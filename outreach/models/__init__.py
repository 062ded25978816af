"""Outreach activities: policy talks, field research, on-site office sessions and deliberation
meetings — one model per practice, sharing an abstract base. One module per practice; everything
is importable from ``outreach.models``."""

from .base import (
    TRANSITIONS,
    Activity,
    ActivityQuerySet,
    ActivityStatus,
    FigureLimit,
    counted_figure,
    earliest_start,
    local_day_bounds,
)
from .deliberation import (
    Deliberation,
    DeliberationAttendance,
    DeliberationDecision,
    DeliberationPhoto,
    StakeholderCategory,
)
from .events import STATUS_KINDS, ActivityEvent, ActivityEventKind, ActivityEventQuerySet
from .onsite import (
    OnsiteRota,
    OnsiteSession,
    OnsiteSessionPhoto,
    VenueType,
    Weekday,
)
from .research import (
    FieldVisit,
    FieldVisitPhoto,
    ResearchTheme,
    VisitKind,
)
from .review import ActivityRevision, RevisionQuerySet, RevisionStatus
from .talks import (
    PolicyTalk,
    PolicyTalkPhoto,
    ReachMethod,
    TalkKind,
    TalkSeries,
)

PRACTICE_MODELS: tuple[type[Activity], ...] = (PolicyTalk, FieldVisit, OnsiteSession, Deliberation)

__all__ = [
    "PRACTICE_MODELS",
    "STATUS_KINDS",
    "TRANSITIONS",
    "Activity",
    "ActivityEvent",
    "ActivityEventKind",
    "ActivityEventQuerySet",
    "ActivityQuerySet",
    "ActivityRevision",
    "ActivityStatus",
    "Deliberation",
    "DeliberationAttendance",
    "DeliberationDecision",
    "DeliberationPhoto",
    "FieldVisit",
    "FieldVisitPhoto",
    "FigureLimit",
    "OnsiteRota",
    "OnsiteSession",
    "OnsiteSessionPhoto",
    "PolicyTalk",
    "PolicyTalkPhoto",
    "ReachMethod",
    "ResearchTheme",
    "RevisionQuerySet",
    "RevisionStatus",
    "StakeholderCategory",
    "TalkKind",
    "TalkSeries",
    "VenueType",
    "VisitKind",
    "Weekday",
    "counted_figure",
    "earliest_start",
    "local_day_bounds",
]
