"""Every change to a case, one function per step of its lifecycle.

Each function locks the row (``select_for_update``, a real lock on PostgreSQL), asks the step's
guard in the rule book (``petitions.services.rules``: who may take it, and whether the case's
state and the ``TRANSITIONS`` table allow it now), checks what the step's form adds, writes, and
appends the timeline entry — in one transaction. Admin buttons, bulk actions, the residents'
form and commands all call these functions. Importing the step modules registers their guards.

Code outside a web request that writes many steps at once (the demo seeder) may enter the two
seams of ``petitions.services.trust``: ``trusted_caller()`` (the caller vouches for its actors'
scope, so the scope query is not asked; every other check runs) and ``bulk_writing()`` (lookup
tables read once, no savepoint per step). Both refuse to open during a request.
"""

from petitions.services.base import (
    CASE_PLACE,
    RESIDENT_UNIT,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    CaseConflict,
    CaseError,
    CaseIntake,
    PartyData,
    PlaceholderError,
    conflict_message,
    new_tracking_code,
    normalise_tracking_code,
    placeholders_in,
    records_language,
    unit_label,
)
from petitions.services.conclusion import (
    archive_case,
    conclude_case,
    record_followup,
    supervise_case,
)
from petitions.services.handling import (
    add_progress,
    extend_deadline,
    pause_clock,
    record_conversation,
    resume_clock,
)
from petitions.services.intake import (
    accept_case,
    assign_case,
    bounce_case,
    bulk_assign,
    handling_staff,
    register_case,
    reject_case,
    sign_case,
)
from petitions.services.mediation import (
    change_agreement,
    change_mediation_session,
    record_agreement,
    record_mediation_session,
    recuse_staff,
)
from petitions.services.privacy import record_export, reveal_party
from petitions.services.rules import decision_problem, worked_on
from petitions.services.triage import (
    link_decision,
    reclassify_case,
    refer_to_deliberation,
)
from petitions.services.trust import bulk_writing, trusted_caller

__all__ = [
    "CASE_PLACE",
    "RESIDENT_UNIT",
    "TRACKING_ALPHABET",
    "TRACKING_LENGTH",
    "CaseConflict",
    "CaseError",
    "CaseIntake",
    "PartyData",
    "PlaceholderError",
    "accept_case",
    "add_progress",
    "archive_case",
    "assign_case",
    "bounce_case",
    "bulk_assign",
    "bulk_writing",
    "change_agreement",
    "change_mediation_session",
    "conclude_case",
    "conflict_message",
    "decision_problem",
    "extend_deadline",
    "handling_staff",
    "link_decision",
    "new_tracking_code",
    "normalise_tracking_code",
    "pause_clock",
    "placeholders_in",
    "reclassify_case",
    "record_agreement",
    "record_conversation",
    "record_export",
    "record_followup",
    "record_mediation_session",
    "records_language",
    "recuse_staff",
    "refer_to_deliberation",
    "register_case",
    "reject_case",
    "resume_clock",
    "reveal_party",
    "sign_case",
    "supervise_case",
    "trusted_caller",
    "unit_label",
    "worked_on",
]
