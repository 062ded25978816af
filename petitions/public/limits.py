"""The numbers that protect the residents' forms (README: "Public form limits").

Submissions are counted only when a case is created; lookups are counted on every attempt.
Each client limit is per browser (cookie) and, higher, per address (a community office or a
carrier's NAT puts many residents behind one address). A tracking code that has had five wrong
phone endings in an hour is refused even with the right one until the hour is over; the counter
is kept for codes that do not exist too, so the refusal says nothing about whether a code exists.
"""

from __future__ import annotations

from django.conf import settings

from portal.ratelimit import ClientLimit, Limit

HOUR = 3600

# 我要反映: 5 cases per hour from one browser, 30 per hour from one address.
SUBMIT = ClientLimit("request-submit", per_browser=5, per_address=30, seconds=HOUR)
# 网站纠错: counted apart from 我要反映 (a resident's report of a typo does not use up their
# requests), at the same rates.
ERROR_REPORT = ClientLimit("error-report", per_browser=5, per_address=30, seconds=HOUR)
# 进度查询: 10 lookups per 10 minutes from one browser, 30 from one address.
TRACK = ClientLimit("request-track", per_browser=10, per_address=30, seconds=10 * 60)
# ... and 5 wrong phone endings per tracking code per hour, from anywhere.
TRACK_CODE = Limit("request-track-code", hits=5, seconds=HOUR)

# The rating form on the tracking page is valid this long after the lookup.
RATING_TOKEN_SECONDS = 30 * 60
# How long a looked-up case stays on this browser's result page (/requests/track/result/);
# the rating form on it lasts as long.
TRACK_RESULT_SECONDS = RATING_TOKEN_SECONDS
# The receipt (with the tracking code) can be reopened by the submitting browser this long after
# submitting: long enough that a reload, a print dialog or a screenshot does not lose it, short
# enough that the next person at a shared family phone or a community office's computer is
# unlikely to find it. The receipt says so, with the time, and offers to forget it at once.
RECEIPT_SECONDS = 10 * 60

MAX_PHOTOS = 3


def min_fill_seconds() -> int:
    """A person needs more than this to read and fill the form; a script does not."""
    return settings.PETITIONS_MIN_FILL_SECONDS
