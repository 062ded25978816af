"""State changes on outreach activities. Admin actions, buttons and commands all call these.

Every change of an activity's status or publication, and every edit of the counted figures of a
held one, locks the row, asks the step's guard (outreach.rules) again, writes, and appends an
entry to the activity's record (ActivityEvent) — in one transaction.

A trusted caller outside web requests that takes many steps in a row (the demo seeder) may do
so inside ``bulk_writing`` (outreach.trust), which leaves the named constraints to the database
and reads each actor's unit once; every other check still runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outreach import record, review, rules, trust
from outreach.models import (
    Activity,
    ActivityEvent,
    ActivityEventKind,
    ActivityRevision,
    ActivityStatus,
    OnsiteRota,
    OnsiteSession,
    RevisionStatus,
)
from outreach.rules import can_publish
from outreach.trust import bulk_writing as bulk_writing  # the seam, beside the steps
from portal import clock
from portal.actors import Actor, Viewer
from portal.images import discard_files_on_commit
from portal.models import CalendarDay, DayKind
from portal.people import display_name
from portal.text import clean_text


class ActivityError(Exception):
    """A change that is not allowed; the message is shown to staff as it is."""


class ActivityConflict(ActivityError):
    """Someone else took a step on the activity since the page was drawn."""


def needs_review(activity: Activity, user: Viewer) -> bool:
    """Whether this user's change to this activity must wait for a publisher: it is public now
    (as stored, whatever the form says) and the user may not publish it."""
    if activity.pk is None or can_publish(user, type(activity)):
        return False
    return type(activity).objects.filter(pk=activity.pk, is_published=True).exists()


def results_problem(activity: Activity) -> str | None:
    """Why this activity cannot be recorded as held yet (None when it can)."""
    if activity.starts_at is None:
        return None  # the form reports the missing start time on its field
    if activity.starts_at > clock.now():
        return _("活动开始时间还没到，不能记为已举办。")
    return activity.missing_results()


@transaction.atomic
def record_activity(activity: Activity, *, actor: Actor, held: bool) -> Activity:
    """登记: save a new activity as planned or as already held, with who logged it.

    Staff who may publish this practice publish at once; others wait for a publisher.
    """
    activity.created_by = actor
    activity.status = ActivityStatus.HELD if held else ActivityStatus.PLANNED
    if held and (problem := results_problem(activity)):
        raise ActivityError(problem)
    activity.is_published = can_publish(actor, type(activity))
    _full_clean(activity)
    activity.save()
    record.new_activity(activity, actor=actor)
    return activity


# What only the steps change (held / cancelled / restored, published / withdrawn): a form save
# writes them back as the locked row has them, never as the form's copy loaded them.
STEP_FIELDS = ("status", "is_published", "cancel_reason")


def _keep_steps(activity: Activity, locked: Activity) -> None:
    """``activity`` (the change form's copy, read before the lock) takes the step-owned fields
    from the locked row: a step someone took meanwhile is neither undone nor recorded again."""
    for name in STEP_FIELDS:
        setattr(activity, name, getattr(locked, name))


@dataclass(frozen=True)
class EditStart:
    """An activity as stored when its change form began saving (see ``begin_edit``)."""

    status: str
    figures: dict
    # What residents read, when it was public then (None: it was not public).
    public_content: dict | None


def begin_edit(activity: Activity) -> EditStart:
    """Before the change form saves an activity: lock its row (until the save commits), keep
    the steps' fields as they are now, and read its status, counted figures and (when public)
    content, for ``record_edit`` to compare the saved ones with."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("begin_edit needs a transaction")
    locked = _locked(activity)
    _keep_steps(activity, locked)
    content = review.snapshot(locked) if locked.is_published else None
    return EditStart(locked.status, locked.figures(), content)


@transaction.atomic
def record_edit(activity: Activity, *, actor: Actor, before: EditStart) -> list[ActivityEvent]:
    """After the change form saved an activity (and its rows): an edit of the counted figures
    of a held activity goes on its record, old → new; an edit of what residents read on a
    public one goes there too, naming the fields. (An edit held for review is recorded when it
    is approved, by ``approve_revision``.)"""
    locked = _locked(activity)
    events = [
        record.changes_since(locked, actor=actor, status=before.status, figures=before.figures)
    ]
    if before.public_content is not None:
        changes = review.diff(before.public_content, review.snapshot(locked))
        events.append(record.content_changed(locked, actor=actor, changes=changes))
    return [event for event in events if event is not None]


# --- the steps: each asks its guard (outreach.rules) again inside the row lock ----------------


def _locked(activity: Activity) -> Activity:
    return type(activity).objects.select_for_update().get(pk=activity.pk)


def _guarded(activity: Activity, step: str, actor: Actor, seen: str | None) -> Activity:
    """The activity's row, locked, once the guard of ``step`` has no objection. ``seen``: the
    state the actor's page showed (rules.state_of); someone else moved it on since → conflict."""
    locked = _locked(activity)
    if seen is not None and rules.state_of(locked) != seen:
        raise ActivityConflict(rules.conflict_message(locked, seen))
    if problem := rules.refusal(step, locked, actor):
        raise ActivityError(problem)
    return locked


def _full_clean(activity: Activity) -> None:
    """The model's checks (its named constraints left to the database in ``bulk_writing``)."""
    activity.full_clean(exclude=["created_by"], validate_constraints=trust.asks_constraints())


def _validated(activity: Activity) -> None:
    try:
        _full_clean(activity)
    except ValidationError as exc:
        raise ActivityError(_validation_text(exc)) from exc


def _waits_for_review(activity: Activity, actor: Actor) -> bool:
    """A public activity changed by someone who may not publish: residents keep seeing it as it
    is until a publisher approves the change."""
    return activity.is_published and not can_publish(actor, type(activity))


def _submit_step(live: Activity, changed: Activity, *, actor: Actor) -> ActivityRevision:
    """A step's change to a public activity, kept as (or merged into) the change that waits
    for review; ``changed`` is the locked row with the step applied, not saved."""
    before, after = review.field_values(live), review.field_values(changed)
    fields = {name: [old, after[name]] for name, old in before.items() if after[name] != old}
    pending = ActivityRevision.objects.of(live).pending().select_for_update().first()
    changes: dict[str, Any] = {"fields": fields}
    if pending is not None:
        waiting = dict(pending.changes.get("fields", {}))
        for name, (old, new) in fields.items():
            waiting[name] = [waiting[name][0] if name in waiting else old, new]
        changes = {
            "fields": {k: v for k, v in waiting.items() if v[0] != v[1]},
            "m2m": pending.changes.get("m2m", {}),
        }
    revision = submit_revision(live, actor=actor, changes=changes)
    if revision is None:  # pragma: no cover - a step always changes the status
        raise ActivityError(_("没有需要审核的修改。"))
    return revision


def _step(
    activity: Activity, step: str, *, actor: Actor, seen: str | None, **values: Any
) -> Activity | ActivityRevision:
    """Lock, ask the guard, apply ``values`` (status and the fields that go with it), check the
    row as a whole, write it and its record — or keep it for review (see _waits_for_review)."""
    locked = _guarded(activity, step, actor, seen)
    live = type(locked).objects.get(pk=locked.pk) if _waits_for_review(locked, actor) else None
    status, figures = locked.status, locked.figures()
    for name, value in values.items():
        setattr(locked, name, value)
    if locked.status == ActivityStatus.HELD and (problem := results_problem(locked)):
        raise ActivityError(problem)
    _validated(locked)
    if live is not None:
        return _submit_step(live, locked, actor=actor)
    locked.save(update_fields=[*values, "updated_at"])
    record.changes_since(locked, actor=actor, status=status, figures=figures)
    return locked


@transaction.atomic
def mark_held(
    activity: Activity, *, actor: Actor, seen: str | None = None, **results: Any
) -> Activity | ActivityRevision:
    """已举办: a planned activity took place; its results (audience, residents met) are recorded.

    Returns the activity, or the change waiting for review when the activity is public and the
    actor may not publish it (it is recorded once approved). ``seen``: the state the actor's
    page showed (outreach.rules.state_of)."""
    return _step(activity, "held", actor=actor, seen=seen, status=ActivityStatus.HELD, **results)


@transaction.atomic
def cancel_activity(
    activity: Activity, *, actor: Actor, reason: str, seen: str | None = None
) -> Activity | ActivityRevision:
    """取消: a planned activity will not take place; it leaves the upcoming page and calendar."""
    reason = clean_text(reason)
    if not reason:
        raise ActivityError(_("请填写取消原因。"))
    return _step(
        activity,
        "cancel",
        actor=actor,
        seen=seen,
        status=ActivityStatus.CANCELLED,
        cancel_reason=reason[:200],
    )


@transaction.atomic
def restore_activity(
    activity: Activity, *, actor: Actor, seen: str | None = None
) -> Activity | ActivityRevision:
    """恢复: a cancelled activity is planned again."""
    return _step(
        activity, "restore", actor=actor, seen=seen, status=ActivityStatus.PLANNED, cancel_reason=""
    )


@transaction.atomic
def publish_activity(activity: Activity, *, actor: Actor, seen: str | None = None) -> Activity:
    """公开: residents may open the activity (and its statistics count it)."""
    locked = _guarded(activity, "publish", actor, seen)
    # Checked again here: figures stored before they had limits, or written around the forms,
    # must not reach the public totals.
    if problems := locked.implausible_figures():
        raise ActivityError(
            _("不能公开“%(title)s”：%(problems)s")
            % {"title": locked.title, "problems": "".join(problems)}
        )
    locked.is_published = True
    locked.save(update_fields=["is_published", "updated_at"])
    record.write(locked, actor=actor, kind=ActivityEventKind.PUBLISHED)
    return locked


@transaction.atomic
def unpublish_activity(activity: Activity, *, actor: Actor, seen: str | None = None) -> Activity:
    """撤回公开: residents no longer see the activity."""
    locked = _guarded(activity, "unpublish", actor, seen)
    locked.is_published = False
    locked.save(update_fields=["is_published", "updated_at"])
    record.write(locked, actor=actor, kind=ActivityEventKind.UNPUBLISHED)
    return locked


# --- review of changes to published activities ------------------------------------------------


def _revision(
    activity: Activity, *, actor: Actor, changes: dict, **fields: Any
) -> ActivityRevision:
    return ActivityRevision.objects.create(
        content_type=ContentType.objects.get_for_model(type(activity)),
        object_id=activity.pk,
        community_id=activity.community_id,
        grid_id=activity.grid_id,
        title=activity.title[:120],
        changes=changes,
        submitted_by=actor,
        **fields,
    )


def pending_revision(activity: Activity) -> ActivityRevision | None:
    return ActivityRevision.objects.of(activity).pending().select_related("submitted_by").first()


@dataclass
class HeldEdit:
    """An edit being made inside a savepoint, to be kept as a pending change instead."""

    model: type[Activity]
    pk: int
    before: dict
    savepoint: str
    # Callbacks queued before the edit; those queued by it (files of removed photos) go with it.
    callbacks: int


def hold_edit(activity: Activity) -> HeldEdit:
    """Begin an edit that residents must not see yet: remember the live version and open a
    savepoint. The caller saves the edit as usual (form, lists, photo rows) and then calls
    ``submit_held_edit``, which keeps what changed and rolls the rows back to the live version.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("hold_edit needs a transaction")
    model = type(activity)
    live = _locked(activity)
    _keep_steps(activity, live)
    connection = transaction.get_connection()
    return HeldEdit(
        model,
        activity.pk,
        review.snapshot(live),
        transaction.savepoint(),
        len(connection.run_on_commit),
    )


def submit_held_edit(held: HeldEdit, *, actor: Actor) -> ActivityRevision | None:
    """提交审核: keep the edit made since ``hold_edit`` as a pending change; the live version
    (what residents see) is restored as it was. Photo files uploaded in the edit stay in
    storage for the reviewer; rows and timestamps roll back, and so do file deletions queued
    by removed photos."""
    after = review.snapshot(held.model.objects.get(pk=held.pk))
    transaction.savepoint_rollback(held.savepoint)
    # A bare savepoint (unlike an atomic block) does not take its on-commit callbacks with it.
    connection = transaction.get_connection()
    connection.run_on_commit = connection.run_on_commit[: held.callbacks]
    live = held.model.objects.get(pk=held.pk)
    changes = review.stage_photos(review.diff(held.before, after))
    return submit_revision(live, actor=actor, changes=changes)


@transaction.atomic
def submit_revision(activity: Activity, *, actor: Actor, changes: dict) -> ActivityRevision | None:
    """A change to a published activity by someone who may not publish it: held for review,
    merged into the change already waiting if there is one. None when nothing changed."""
    live = _locked(activity)
    pending = ActivityRevision.objects.of(live).pending().select_for_update().first()
    if pending is None:
        if not changes:
            return None
        return _revision(live, actor=actor, changes=changes)
    merged = review.merge(pending.changes, changes)
    _discard_files(review.proposed_files(pending.changes) - review.proposed_files(merged))
    pending.changes, pending.submitted_by, pending.submitted_at = merged, actor, clock.now()
    pending.title = live.title[:120]
    if not merged:  # the editor undid everything that was waiting
        pending.status = RevisionStatus.WITHDRAWN
        pending.decided_by, pending.decided_at = actor, clock.now()
    pending.save()
    return pending if merged else None


def _discard_files(names: set[str]) -> None:
    """Staged photos no change refers to any more."""
    if names:

        def discard() -> None:
            for name in names:
                review.pending_storage.delete(name)

        transaction.on_commit(discard)


def _locked_pending(revision: ActivityRevision) -> ActivityRevision:
    locked = ActivityRevision.objects.select_for_update().get(pk=revision.pk)
    if locked.status != RevisionStatus.PENDING:
        raise ActivityError(
            _("这份修改已%(status)s，无需再审核。") % {"status": locked.get_status_display()}
        )
    return locked


def _reviewable(revision: ActivityRevision, actor: Actor) -> Activity:
    # A revision only ever points at an activity (ActivityRevision.content_type's choices).
    model = cast("type[Activity]", revision.content_type.model_class())
    if not can_publish(actor, model):
        raise ActivityError(_("只有有发布权限的人员才能审核修改。"))
    activity = model.objects.visible_to(actor).select_for_update().filter(pk=revision.object_id)
    found = activity.first()
    if found is None:
        raise ActivityError(_("这项活动不在您的负责范围内。"))
    return found


def _validation_text(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


@transaction.atomic
def approve_revision(revision: ActivityRevision, *, actor: Actor) -> Activity:
    """批准公开: the pending change replaces the live version; who approved it is recorded."""
    revision = _locked_pending(revision)
    activity = _reviewable(revision, actor)
    changes = revision.changes
    model = type(activity)
    if "status" in changes.get("fields", {}) and changes["fields"]["status"][0] != activity.status:
        raise ActivityError(
            _("活动状态已变为%(status)s，这份修改不再适用，请退回。")
            % {"status": activity.get_status_display()}
        )
    status, figures = activity.status, activity.figures()
    changes = review.publish_photos(changes, transaction.on_commit)
    review.overlay(activity, changes)
    try:
        activity.full_clean(exclude=["created_by"])
        activity.save()
        for name, (_old, new) in changes.get("m2m", {}).items():
            m2m_field = cast("models.ManyToManyField", model._meta.get_field(name))
            # Once the apps are loaded, related_model is a class (never the string 'self').
            related = m2m_field.related_model._default_manager  # type: ignore[union-attr]
            getattr(activity, name).set(related.filter(pk__in=new))
        for rel in review.child_relations(model):
            part = changes.get("children", {}).get(rel.get_accessor_name())
            if part:
                _apply_rows(activity, rel, part)
    except ValidationError as exc:
        raise ActivityError(
            _("无法批准：%(problem)s 请退回，由提交人修改后重新提交。")
            % {"problem": _validation_text(exc)}
        ) from exc
    except ProtectedError as exc:
        raise ActivityError(
            _("无法批准：要删除的议定事项已被诉求引用。请退回，由提交人修改后重新提交。")
        ) from exc
    revision.status = RevisionStatus.APPROVED
    revision.decided_by, revision.decided_at = actor, clock.now()
    revision.title = activity.title[:120]
    revision.save(update_fields=["status", "decided_by", "decided_at", "title"])
    # On the record once it takes effect, by whoever approved it, naming who asked for it.
    with translation.override(settings.LANGUAGE_CODE):
        note = _("%(who)s提交，审核批准") % {"who": display_name(revision.submitted_by)}
    record.changes_since(activity, actor=actor, status=status, figures=figures, note=note)
    record.content_changed(activity, actor=actor, changes=changes, note=note)
    return activity


def _apply_rows(activity: Activity, rel: Any, part: dict) -> None:
    rows = getattr(activity, rel.get_accessor_name())
    child = rel.related_model
    removed = part.get("removed", [])
    for row in rows.filter(pk__in=[int(pk) for pk in removed]):
        row.delete()  # a photo's files go once this commits (portal.images.photo_deleted)
    for pk, edits in part.get("changed", {}).items():
        row = rows.filter(pk=int(pk)).first()
        if row is None:
            continue
        if any(f in edits for f in review.FILE_FIELDS):
            discard_files_on_commit(row)
        _set_row(row, {k: v[1] for k, v in edits.items()})
        row.full_clean()
        row.save()
    for values in part.get("added", []):
        row = child(**{rel.field.name: activity})
        _set_row(row, values)
        row.full_clean()
        row.save()


def _set_row(row: Any, values: dict) -> None:
    # Dimensions first: an image field with width/height set does not reopen its file.
    for name in sorted(values, key=lambda n: n in review.FILE_FIELDS):
        f = type(row)._meta.get_field(name)
        setattr(row, f.attname, review.decode(f, values[name]))


@transaction.atomic
def reject_revision(
    revision: ActivityRevision, *, actor: Actor, note: str = ""
) -> ActivityRevision:
    """退回: the pending change is not published; the live version stays as it is."""
    revision = _locked_pending(revision)
    _reviewable(revision, actor)
    return _close(revision, actor=actor, status=RevisionStatus.REJECTED, note=note)


@transaction.atomic
def withdraw_revision(revision: ActivityRevision, *, actor: Actor) -> ActivityRevision:
    """撤回: whoever submitted the change takes it back before anyone reviewed it."""
    revision = _locked_pending(revision)
    if revision.submitted_by_id != actor.pk:
        raise ActivityError(_("只有提交人可以撤回这份修改。"))
    return _close(revision, actor=actor, status=RevisionStatus.WITHDRAWN, note="")


def _close(revision: ActivityRevision, *, actor: Actor, status: str, note: str) -> ActivityRevision:
    _discard_files(review.proposed_files(revision.changes))
    revision.status, revision.note = status, (note or "").strip()[:200]
    revision.decided_by, revision.decided_at = actor, clock.now()
    revision.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return revision


@transaction.atomic
def copy_as_new(activity: Activity, *, actor: Actor, days_later: int = 7) -> Activity:
    """复制为新活动: the same event on the same weekday and time, the first such day at least
    a week after the original and after today; planned, without results or photos, and not
    public until someone has checked it and published it."""
    model = type(activity)
    source = model.objects.get(pk=activity.pk)
    m2m = {
        field.name: list(getattr(source, field.name).all()) for field in model._meta.many_to_many
    }
    copy = model.objects.get(pk=activity.pk)
    copy.pk = None
    copy._state.adding = True
    shift = timedelta(days=days_later)
    while source.starts_at + shift <= clock.now():
        shift += timedelta(days=7)
    copy.starts_at = source.starts_at + shift
    if source.ends_at:
        copy.ends_at = source.ends_at + shift
    copy.status, copy.cancel_reason = ActivityStatus.PLANNED, ""
    copy.created_by = actor
    copy.is_published = False
    for field in ("attendance_signed", "reach_estimated", "residents_met", "households_visited"):
        if hasattr(copy, field):
            setattr(copy, field, None)
    for field in ("minutes", "diary"):
        if hasattr(copy, field):
            setattr(copy, field, "")
    if hasattr(copy, "rota_id"):
        copy.rota = None  # type: ignore[attr-defined]  # only an OnsiteSession has a rota
    copy.save()
    for name, values in m2m.items():
        getattr(copy, name).set(values)
    with translation.override(settings.LANGUAGE_CODE):
        note = _("复制自“%(source)s”") % {"source": source}
    record.new_activity(copy, actor=actor, note=note)
    return copy


def next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@transaction.atomic
def plan_from_rota(
    rota: OnsiteRota, *, actor: Actor | None, weeks: int = 4, today: date | None = None
) -> list[OnsiteSession]:
    """排班生成: planned sessions for the next `weeks` slots.

    A day that already has a session of this rota (at any time, even cancelled: someone
    decided about that day) is left alone, so changing the rota's time never doubles a week;
    public holidays (法定节假日 in the working-day calendar) are skipped.
    """
    if not rota.is_active:
        raise ActivityError(_("该排班已停用。"))
    if not 1 <= weeks <= 26:
        raise ActivityError(_("一次最多生成 26 周。"))
    today = today or clock.today()
    tz = timezone.get_current_timezone()
    officials = list(rota.officials.all())
    # Titles and summaries are stored and published as data: always in Chinese, never in the
    # language the member of staff who runs this happens to read the site in.
    with translation.override(settings.LANGUAGE_CODE):
        who = "、".join(dict.fromkeys(o.public_label for o in officials)) or "社区干部"
        note = _("由现场办公排班生成：%(rota)s") % {"rota": rota}
    title = f"{rota.community.name}现场办公"
    summary = f"{who}在{rota.venue}现场办公，居民可当面反映诉求。"
    created = []
    first = next_weekday(today, rota.weekday)
    if datetime.combine(first, rota.start_time, tzinfo=tz) < clock.now():
        first += timedelta(weeks=1)  # today's slot has already begun
    days = [first + timedelta(weeks=week) for week in range(weeks)]
    holidays = set(
        CalendarDay.objects.filter(date__in=days, kind=DayKind.HOLIDAY).values_list(
            "date", flat=True
        )
    )
    window = rota.sessions.filter(
        starts_at__gte=datetime.combine(days[0], time.min, tzinfo=tz),
        starts_at__lt=datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz),
    )
    taken = {
        timezone.localtime(moment).date() for moment in window.values_list("starts_at", flat=True)
    }
    for day in days:
        if day in holidays or day in taken:
            continue
        starts_at = datetime.combine(day, rota.start_time, tzinfo=tz)
        session = OnsiteSession(
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=rota.duration_minutes),
            community=rota.community,
            grid=rota.grid,
            compound=rota.compound,
            venue=rota.venue,
            venue_type=rota.venue_type,
            summary=summary,
            rota=rota,
            status=ActivityStatus.PLANNED,
            created_by=actor,
            is_published=True,
        )
        try:
            with transaction.atomic():
                session.save()
        except IntegrityError:  # planned by someone else at the same moment
            continue
        session.officials.set(officials)
        record.new_activity(session, actor=actor, note=note)
        created.append(session)
    return created
