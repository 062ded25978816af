"""State changes on outreach activities. Admin actions, buttons and commands all call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outreach.models import (
    TRANSITIONS,
    Activity,
    ActivityStatus,
    OnsiteRota,
    OnsiteSession,
)
from portal.models import CalendarDay, DayKind
from portal.text import clean_text


class ActivityError(Exception):
    """A change that is not allowed; the message is shown to staff as it is."""


def can_publish(user: Any, model: type[Activity]) -> bool:
    return user.has_perm(f"{model._meta.app_label}.publish_{model._meta.model_name}")


def results_problem(activity: Activity) -> str | None:
    """Why this activity cannot be recorded as held yet (None when it can)."""
    if activity.starts_at is None:
        return None  # the form reports the missing start time on its field
    if activity.starts_at > timezone.now():
        return _("活动开始时间还没到，不能记为已举办。")
    return activity.missing_results()


@transaction.atomic
def record_activity(activity: Activity, *, actor: Any, held: bool) -> Activity:
    """登记: save a new activity as planned or as already held, with who logged it.

    Staff who may publish this practice publish at once; others wait for a publisher.
    """
    activity.created_by = actor
    activity.status = ActivityStatus.HELD if held else ActivityStatus.PLANNED
    if held and (problem := results_problem(activity)):
        raise ActivityError(problem)
    activity.is_published = can_publish(actor, type(activity))
    activity.full_clean(exclude=["created_by"])
    activity.save()
    return activity


def _locked(activity: Activity) -> Activity:
    return type(activity).objects.select_for_update().get(pk=activity.pk)


def _check(activity: Activity, to: str) -> None:
    if to not in TRANSITIONS[activity.status]:
        raise ActivityError(
            _("“%(title)s”目前是%(status)s，不能改为%(to)s。")
            % {
                "title": activity.title,
                "status": activity.get_status_display(),
                "to": ActivityStatus(to).label,
            }
        )


@transaction.atomic
def mark_held(activity: Activity, *, actor: Any, **results: Any) -> Activity:
    """已举办: a planned activity took place; its results (audience, residents met) are recorded."""
    locked = _locked(activity)
    _check(locked, ActivityStatus.HELD)
    for field, value in results.items():
        setattr(locked, field, value)
    if problem := results_problem(locked):
        raise ActivityError(problem)
    locked.status = ActivityStatus.HELD
    locked.save(update_fields=["status", "updated_at", *results])
    return locked


@transaction.atomic
def cancel_activity(activity: Activity, *, actor: Any, reason: str) -> Activity:
    """取消: a planned activity will not take place; it leaves the upcoming page and calendar."""
    reason = clean_text(reason)
    if not reason:
        raise ActivityError(_("请填写取消原因。"))
    locked = _locked(activity)
    _check(locked, ActivityStatus.CANCELLED)
    locked.status, locked.cancel_reason = ActivityStatus.CANCELLED, reason[:200]
    locked.save(update_fields=["status", "cancel_reason", "updated_at"])
    return locked


@transaction.atomic
def restore_activity(activity: Activity, *, actor: Any) -> Activity:
    """恢复: a cancelled activity is planned again."""
    locked = _locked(activity)
    _check(locked, ActivityStatus.PLANNED)
    locked.status, locked.cancel_reason = ActivityStatus.PLANNED, ""
    locked.save(update_fields=["status", "cancel_reason", "updated_at"])
    return locked


def set_published(
    activities: Iterable[Activity], *, actor: Any, published: bool
) -> tuple[int, list[str]]:
    """公开/撤回: returns how many changed and the problems of those that could not."""
    changed, problems = 0, []
    for activity in activities:
        if not can_publish(actor, type(activity)):
            problems.append(_("无权发布“%(title)s”。") % {"title": activity.title})
            continue
        if activity.is_published == published:
            continue
        type(activity).objects.filter(pk=activity.pk).update(
            is_published=published, updated_at=timezone.now()
        )
        changed += 1
    return changed, problems


@transaction.atomic
def copy_as_new(activity: Activity, *, actor: Any, days_later: int = 7) -> Activity:
    """复制为新活动: the same event on the same weekday and time, the first such day at least
    a week after the original and after today; planned, without results or photos, and not
    public until someone has checked it and published it."""
    model = type(activity)
    source = model.objects.get(pk=activity.pk)
    m2m = {
        field.name: list(getattr(source, field.name).all()) for field in model._meta.many_to_many
    }
    copy = model.objects.get(pk=activity.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    shift = timedelta(days=days_later)
    while source.starts_at + shift <= timezone.now():
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
        copy.rota = None
    copy.save()
    for name, values in m2m.items():
        getattr(copy, name).set(values)
    return copy


def next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@transaction.atomic
def plan_from_rota(
    rota: OnsiteRota, *, actor: Any, weeks: int = 4, today: date | None = None
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
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    officials = list(rota.officials.all())
    # Titles and summaries are stored and published as data: always in Chinese, never in the
    # language the member of staff who runs this happens to read the site in.
    with translation.override(settings.LANGUAGE_CODE):
        who = "、".join(dict.fromkeys(o.public_label for o in officials)) or "社区干部"
    title = f"{rota.community.name}现场办公"
    summary = f"{who}在{rota.venue}现场办公，居民可当面反映诉求。"
    created = []
    first = next_weekday(today, rota.weekday)
    if datetime.combine(first, rota.start_time, tzinfo=tz) < timezone.now():
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
        created.append(session)
    return created
