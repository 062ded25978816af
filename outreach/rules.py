"""The rule book of activity steps: for every step (记为已举办, 取消, 恢复, 公开, 撤回公开), one
guard that says whether this person may take it on this activity now, and if not, why — in one
Chinese sentence. The same shape as petitions.services.rules.

The change page draws a button only where its guard has no objection, the step endpoint refuses
any post it objects to, and the service asks it again inside the row lock; the workbench counts an
activity for a person when a guard offers them a step on it. So a button, a refused post and a
count can never disagree.

A guard is ``guard(activity, who) -> str | None`` (None: the step may be taken); ``refusal`` and
``offered`` take a user or a ``Who`` worked out once per page.

Each guard is permission (change, or publish, of that practice) + scope (``visible_to``) + state.
Publishing is offered for exactly what waits to be published: in the person's scope, a practice
they may publish, not public yet, not cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from outreach.models import TRANSITIONS, Activity, ActivityStatus
from portal import clock
from portal.actors import Viewer

Guard = Callable[[Activity, "Who"], "str | None"]
RULES: dict[str, Guard] = {}


def rule(name: str) -> Callable[[Guard], Guard]:
    """Registers the guard of step ``name`` (one per step)."""

    def register(guard: Guard) -> Guard:
        if name in RULES:
            raise ValueError(f"step {name!r} already has a guard")
        RULES[name] = guard
        return guard

    return register


def can_publish(user: Viewer, model: type[Activity]) -> bool:
    return user.has_perm(f"{model._meta.app_label}.publish_{model._meta.model_name}")


def can_change(user: Viewer, model: type[Activity]) -> bool:
    return user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")


@dataclass(frozen=True)
class Who:
    """What the guards need to know about the person, worked out once per activity page."""

    user: Viewer
    may_change: bool
    may_publish: bool
    in_scope: bool

    @classmethod
    def of(cls, user: Viewer, activity: Activity) -> Who:
        model = type(activity)
        return cls(
            user=user,
            may_change=can_change(user, model),
            may_publish=can_publish(user, model),
            in_scope=model.objects.visible_to(user).filter(pk=activity.pk).exists(),
        )


def _who(activity: Activity, who: Viewer | Who) -> Who:
    return who if isinstance(who, Who) else Who.of(who, activity)


def refusal(name: str, activity: Activity, who: Viewer | Who) -> str | None:
    """Why ``who`` (a user or a Who) may not take step ``name`` on ``activity`` now (None: they
    may)."""
    return RULES[name](activity, _who(activity, who))


def offered(activity: Activity, who: Viewer | Who) -> list[str]:
    """The steps ``who`` may take on ``activity`` now, in the rule book's order."""
    who = _who(activity, who)
    return [name for name, guard in RULES.items() if guard(activity, who) is None]


# --- the parts every guard is made of ------------------------------------------------------


def _edits(activity: Activity, who: Who) -> str | None:
    if not who.may_change:
        return _("您没有修改%(practice)s的权限。") % {"practice": type(activity)._meta.verbose_name}
    return None if who.in_scope else _("这项活动不在您的负责范围内。")


def _publishes(activity: Activity, who: Who) -> str | None:
    if not who.may_publish:
        return _("无权发布“%(title)s”。") % {"title": activity.title}
    return None if who.in_scope else _("这项活动不在您的负责范围内。")


def _moves_to(activity: Activity, to: str) -> str | None:
    if to in TRANSITIONS[activity.status]:
        return None
    return _("“%(title)s”目前是%(status)s，不能改为%(to)s。") % {
        "title": activity.title,
        "status": activity.get_status_display(),
        "to": ActivityStatus(to).label,
    }


# --- the steps -----------------------------------------------------------------------------


@rule("held")
def held(activity: Activity, who: Who) -> str | None:
    """记为已举办: a planned activity whose start time has come (its results: the step's form)."""
    if problem := _edits(activity, who) or _moves_to(activity, ActivityStatus.HELD):
        return problem
    if activity.starts_at > clock.now():
        return _("活动开始时间还没到，不能记为已举办。")
    return None


@rule("cancel")
def cancel(activity: Activity, who: Who) -> str | None:
    """取消: a planned activity will not take place."""
    return _edits(activity, who) or _moves_to(activity, ActivityStatus.CANCELLED)


@rule("restore")
def restore(activity: Activity, who: Who) -> str | None:
    """恢复为计划中: a cancelled activity is planned again."""
    return _edits(activity, who) or _moves_to(activity, ActivityStatus.PLANNED)


@rule("publish")
def publish(activity: Activity, who: Who) -> str | None:
    """公开: residents may open it. Offered for what waits to be published (see the module)."""
    if problem := _publishes(activity, who):
        return problem
    if activity.is_published:
        return _("“%(title)s”已经公开。") % {"title": activity.title}
    if activity.status == ActivityStatus.CANCELLED:
        return _("“%(title)s”已取消，不能公开。") % {"title": activity.title}
    return None


@rule("unpublish")
def unpublish(activity: Activity, who: Who) -> str | None:
    """撤回公开: residents no longer see it."""
    if problem := _publishes(activity, who):
        return problem
    if not activity.is_published:
        return _("“%(title)s”尚未公开，无需撤回。") % {"title": activity.title}
    return None


def state_of(activity: Activity) -> str:
    """What the page was drawn from ("planned.unpublished"): a step posted from a page whose
    activity someone else has moved on since is refused with ``conflict_message``."""
    return f"{activity.status}.{'published' if activity.is_published else 'unpublished'}"


def conflict_message(activity: Activity, seen: str) -> str:
    """Someone else took a step on the activity since the page was drawn."""
    return _("“%(title)s”刚刚已被他人%(done)s，请刷新后再操作。") % {
        "title": activity.title,
        "done": step_taken(activity, seen),
    }


def step_taken(activity: Activity, seen: str) -> str:
    """The step someone else took since the page showed ``seen`` (取消, 公开 …)."""
    status = seen.partition(".")[0]
    if activity.status != status:
        by_status: dict[str, str] = {
            ActivityStatus.HELD: pgettext("done by someone else", "记为已举办"),
            ActivityStatus.CANCELLED: pgettext("done by someone else", "取消"),
            ActivityStatus.PLANNED: pgettext("done by someone else", "恢复为计划中"),
        }
        done = by_status.get(activity.status, activity.get_status_display())
    elif activity.is_published:
        done = pgettext("done by someone else", "公开")
    else:
        done = pgettext("done by someone else", "撤回公开")
    return str(done)
