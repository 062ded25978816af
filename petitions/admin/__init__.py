"""The staff back office for cases (split by screen; importing registers every admin)."""

from petitions.admin.case import CaseAdmin
from petitions.admin.lists import (
    CaseEventAdmin,
    CategoryAdmin,
    DeadlineRuleAdmin,
    ExportRecordAdmin,
    LeadershipDecisionAdmin,
    ReplyTemplateAdmin,
)
from petitions.admin.reception import ReceptionAdmin

__all__ = [
    "CaseAdmin",
    "CaseEventAdmin",
    "CategoryAdmin",
    "DeadlineRuleAdmin",
    "ExportRecordAdmin",
    "LeadershipDecisionAdmin",
    "ReceptionAdmin",
    "ReplyTemplateAdmin",
]
