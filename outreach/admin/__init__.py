"""Back office for the outreach practices, by concern: the activity screens (activities), the
steps on an activity's page and its record (steps)."""

from outreach.admin.activities import (
    ActivityAdmin,
    DeliberationAdmin,
    FieldVisitAdmin,
    MonthFilter,
    OnsiteRotaAdmin,
    OnsiteSessionAdmin,
    PolicyTalkAdmin,
    ResearchThemeAdmin,
    ReviewFilter,
    TalkSeriesAdmin,
    photo_inline,
)

__all__ = [
    "ActivityAdmin",
    "DeliberationAdmin",
    "FieldVisitAdmin",
    "MonthFilter",
    "OnsiteRotaAdmin",
    "OnsiteSessionAdmin",
    "PolicyTalkAdmin",
    "ResearchThemeAdmin",
    "ReviewFilter",
    "TalkSeriesAdmin",
    "photo_inline",
]
