"""What a resident reads of a public timeline entry, decided in one place.

The tracking page (petitions.public.tracking) shows each public entry's note as staff wrote it
(after privacy scrubbing) — except the kinds below, whose notes may name the handler or read as
office business: residents get a fixed sentence instead. The staff timeline asks the same
function, so it says "居民看到：…" exactly where the two differ, and the services check
template blanks only in notes a resident reads as written.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from petitions.models import EventKind

FIXED_NOTES = {
    EventKind.ASSIGNED: _("已交承办单位办理"),
    EventKind.SIGNED: _("承办单位已签收"),
    EventKind.BOUNCED: _("重新安排承办单位"),
}


def resident_wording(kind: str) -> str | None:
    """The fixed sentence residents read for a public entry of ``kind`` instead of its note,
    or None: they read the note itself."""
    wording = FIXED_NOTES.get(kind)
    return str(wording) if wording is not None else None
