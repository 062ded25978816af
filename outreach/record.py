"""Writing an activity's record (ActivityEvent): who, their unit, when, what.

Called by outreach.services inside the transaction of the change it records; nothing else
writes the record.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.dateparse import parse_datetime

from outreach import trust
from outreach.models import Activity, ActivityEvent, ActivityEventKind, ActivityStatus
from portal import pagecache
from portal.actors import Actor
from portal.models import StaffProfile

# The unit recorded for what the portal does by itself (the weekly rota command).
SYSTEM_UNIT = "系统"


def unit_of(actor: Actor | None) -> str:
    """The unit recorded with a change: the staff member's unit, else their role, in the
    language records are kept in (Chinese) whatever language they read the site in."""
    if actor is None:
        return SYSTEM_UNIT
    known = trust.units()
    if known is not None and actor.pk in known:
        return known[actor.pk]
    profile = StaffProfile.objects.filter(user=actor).only("unit", "role").first()
    unit = ""
    if profile is not None:
        with translation.override(settings.LANGUAGE_CODE):
            unit = profile.unit or str(profile.get_role_display())
    if known is not None:
        known[actor.pk] = unit
    return unit


def write(
    activity: Activity,
    *,
    actor: Actor | None,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    changes: dict | None = None,
    note: str = "",
) -> ActivityEvent:
    # Every recorded change may change what the public pages show.
    pagecache.bump("outreach")
    return ActivityEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(activity)),
        object_id=activity.pk,
        actor=actor,
        actor_unit=unit_of(actor),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        changes=changes or {},
        note=note,
    )


def figure_changes(before: dict, after: dict, *, keep: bool = False) -> dict[str, list]:
    """{figure: [old, new]} for the figures that differ (``keep``: and those set, unchanged)."""
    return {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name) or (keep and after.get(name) is not None)
    }


_STATUS_EVENTS: dict[str, ActivityEventKind] = {
    ActivityStatus.HELD: ActivityEventKind.HELD,
    ActivityStatus.CANCELLED: ActivityEventKind.CANCELLED,
    ActivityStatus.PLANNED: ActivityEventKind.RESTORED,
}


def changes_since(
    activity: Activity, *, actor: Actor, status: str, figures: dict, note: str = ""
) -> ActivityEvent | None:
    """The entry for what changed since ``status`` and ``figures`` were read: a status move
    (with the figures it brought), or else an edit of the figures of a held activity."""
    after = activity.figures()
    if activity.status != status:
        if activity.status == ActivityStatus.CANCELLED:
            note = "；".join(part for part in (activity.cancel_reason, note) if part)
        return write(
            activity,
            actor=actor,
            kind=_STATUS_EVENTS[activity.status],
            from_status=status,
            to_status=activity.status,
            changes=figure_changes(figures, after, keep=activity.status == ActivityStatus.HELD),
            note=note,
        )
    changes = figure_changes(figures, after)
    if activity.status != ActivityStatus.HELD or not changes:
        return None
    return write(
        activity, actor=actor, kind=ActivityEventKind.FIGURES_CHANGED, changes=changes, note=note
    )


def _same_second(old: Any, new: Any) -> bool:
    """Two stored moments within the same second: the form posts a time to the second, so
    re-saving a row written by code (with microseconds) edits nothing anyone sees."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return False
    before, after = parse_datetime(old), parse_datetime(new)
    return before is not None and after is not None and abs(before - after) < timedelta(seconds=1)


def edited_fields(activity: Activity, changes: dict) -> list[str]:
    """The names of what a change (outreach.review.diff) edits in what residents read: fields,
    lists (speakers, officials) and rows (photos, decisions) — not the status and its reason,
    and not the counted figures (nor how they were estimated), which have entries of their
    own."""
    figures = {*activity.figure_fields, *activity.figure_notes, "status", "cancel_reason"}
    names = [
        name
        for name, (old, new) in changes.get("fields", {}).items()
        if name not in figures and not _same_second(old, new)
    ]
    names += list(changes.get("m2m", {}))
    names += [name for name in changes.get("children", {}) if name not in activity.figure_rows]
    return names


def content_changed(
    activity: Activity, *, actor: Actor, changes: dict, note: str = ""
) -> ActivityEvent | None:
    """修改内容: an edit of a public activity's content, naming what was edited (the text
    itself stays on the page and in Django's log of saves). None when it edited none of it."""
    if not activity.is_published:
        return None
    names = edited_fields(activity, changes)
    if not names:
        return None
    return write(
        activity,
        actor=actor,
        kind=ActivityEventKind.CONTENT_CHANGED,
        changes={"edited": names},
        note=note,
    )


def new_activity(activity: Activity, *, actor: Actor | None, note: str = "") -> None:
    """登记 (and 公开 when it is public from the start)."""
    write(
        activity,
        actor=actor,
        kind=ActivityEventKind.RECORDED,
        to_status=activity.status,
        changes=figure_changes({}, activity.figures()),
        note=note,
    )
    if activity.is_published:
        write(activity, actor=actor, kind=ActivityEventKind.PUBLISHED)
