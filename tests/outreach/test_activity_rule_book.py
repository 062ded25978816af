"""The rule book of activity steps, generated: every practice × every step × every status (planned,
held, cancelled; public or not) × every role × in scope or not.

For each, the button is on the change page ⇔ posting the step carries it out ⇔ the service
accepts it ⇔ what the role matrix (portal.roles) and the transition table say; a refused post
leaves the activity, its record and its pending changes byte-identical. The expectation is worked
out here from the matrix, not from outreach.rules.
"""

from __future__ import annotations

from itertools import product

import pytest
from django.db import transaction
from django.utils import timezone

from outreach import services
from outreach.models import (
    TRANSITIONS,
    ActivityEvent,
    ActivityRevision,
    ActivityStatus,
    Deliberation,
    FieldVisit,
    OnsiteSession,
    PolicyTalk,
)
from petitions.models import Reception
from portal.models import StaffProfile
from portal.roles import PERMISSIONS, RECORD_REACH, Reach, Role
from tests.factories import (
    make_deliberation,
    make_reception,
    make_session,
    make_staff,
    make_talk,
    make_user,
    make_visit,
)
from tests.outreach.steps import admin_url, shown_steps, step_url

S = ActivityStatus
STEPS = ["held", "cancel", "restore", "publish", "unpublish"]
MAKERS = {
    PolicyTalk: make_talk,
    FieldVisit: make_visit,
    OnsiteSession: make_session,
    Deliberation: make_deliberation,
    Reception: make_reception,
}
# What the held step's form is filled in with, per practice.
RESULTS = {
    PolicyTalk: {"attendance_signed": "40"},
    FieldVisit: {"households_visited": "8", "diary": ""},
    OnsiteSession: {"residents_met": "11"},
    Deliberation: {"minutes": "议定由物业划设消防通道标线。"},
    Reception: {"residents_served": "6"},
}
STATES = list(product(S.values, (True, False)))


def allowed(role: Role, model, step: str, status: str, published: bool, in_scope: bool) -> bool:
    """The matrix's answer: change (or publish) of the practice, in scope, and the state."""
    actions = PERMISSIONS[role].get(model._meta.label_lower, frozenset())
    if step in ("publish", "unpublish"):
        if "publish" not in actions or not in_scope:
            return False
        return (not published and status != S.CANCELLED) if step == "publish" else published
    if "change" not in actions or not in_scope:
        return False
    target = {"held": S.HELD, "cancel": S.CANCELLED, "restore": S.PLANNED}[step]
    return target in TRANSITIONS[status]


def in_scope(role: Role, user, grid) -> bool:
    reach = RECORD_REACH[role]
    if reach is Reach.ALL:
        return True
    profile = StaffProfile.objects.get(user=user)
    if reach is Reach.COMMUNITIES:
        return profile.communities.filter(pk=grid.community_id).exists()
    if reach is Reach.GRIDS:
        return profile.grids.filter(pk=grid.pk).exists()
    return False


def everything_about(activity) -> tuple:
    """The activity's row, its record and its pending changes, as stored."""
    model = type(activity)
    return (
        model.objects.filter(pk=activity.pk).values().get(),
        list(ActivityEvent.objects.of(activity).values()),
        list(ActivityRevision.objects.of(activity).values()),
    )


def posted(step: str, activity, status: str, published: bool) -> dict:
    """What the step's form posts (as its page would have drawn it)."""
    data = {f"{step}-state": f"{status}.{'published' if published else 'unpublished'}"}
    if step == "held":
        data |= {f"held-{k}": v for k, v in RESULTS[type(activity)].items()}
    if step == "cancel":
        data["cancel-reason"] = "场地临时被占用"
    return data


def run_service(step: str, activity, user) -> None:
    if step == "held":
        results = {
            k: (int(v) if k not in ("minutes", "diary") else v)
            for k, v in RESULTS[type(activity)].items()
        }
        services.mark_held(activity, actor=user, **results)
    elif step == "cancel":
        services.cancel_activity(activity, actor=user, reason="场地临时被占用")
    else:
        {
            "restore": services.restore_activity,
            "publish": services.publish_activity,
            "unpublish": services.unpublish_activity,
        }[step](activity, actor=user)


def service_accepts(step: str, activity, user) -> bool:
    """Whether the service takes the step, tried and rolled back."""
    savepoint = transaction.savepoint()
    try:
        run_service(step, activity, user)
    except services.ActivityError:
        return False
    finally:
        transaction.savepoint_rollback(savepoint)
    return True


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "published"), STATES, ids=lambda v: str(v))
@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m._meta.model_name)
def test_button_post_and_service_agree_for_every_role_step_and_state(
    client, place, staff, model, status, published
):
    make = MAKERS[model]
    extra = {"created_by": make_user()}
    if model is FieldVisit:
        extra["lead_official"] = StaffProfile.objects.get(user=make_staff(Role.AREA_LEADER))
    if model is Deliberation:
        extra["minutes"] = "纪要。"

    def activity_in(grid):
        return make(
            grid,
            status=status,
            is_published=published,
            cancel_reason="改期" if status == S.CANCELLED else "",
            **extra,
        )

    checked = 0
    for role, grid in product(Role, (place.north_a, place.west_a)):
        user = staff[role]
        client.force_login(user)
        scope = in_scope(role, user, grid)
        activity = activity_in(grid)
        page = client.get(admin_url(activity))
        shown = shown_steps(page.content.decode()) if page.status_code == 200 else set()
        for step in STEPS:
            if step != STEPS[0]:
                activity = activity_in(grid)
            expected = allowed(role, model, step, status, published, scope)
            accepted = service_accepts(step, activity, user)
            before = everything_about(activity)
            started = timezone.now()
            response = client.post(
                step_url(activity, step), posted(step, activity, status, published)
            )
            after = everything_about(activity)
            carried_out = after != before
            where = f"{role.label} {grid.name} {step}"
            assert (step in shown) == expected, f"button: {where}"
            assert accepted == expected, f"service: {where}"
            assert carried_out == expected, f"post: {where} → {response.status_code}"
            if expected:
                _assert_recorded(activity, user, step, status, started)
            checked += 1
    assert checked == len(Role) * 2 * len(STEPS)


def _assert_recorded(activity, user, step: str, status: str, started) -> None:
    """A step carried out is on the record (or waits for review) in the actor's name."""
    event = ActivityEvent.objects.of(activity).order_by("-pk").first()
    if event is not None:
        assert event.actor == user and event.at >= started
        if step in ("held", "cancel", "restore"):
            to = {"held": S.HELD, "cancel": S.CANCELLED, "restore": S.PLANNED}[step]
            assert (event.from_status, event.to_status) == (status, to)
        else:
            assert event.kind == ("published" if step == "publish" else "unpublished")
        return
    revision = ActivityRevision.objects.of(activity).pending().get()
    assert revision.submitted_by == user and "status" in revision.changes["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m._meta.model_name)
def test_what_waits_to_be_published_is_what_the_publish_guard_offers(place, staff, model):
    """The workbench counts Model.objects.visible_to(user).awaiting_publication() for whoever may
    publish the practice: exactly the activities on which the publish button is offered."""
    from outreach import rules

    extra = {"created_by": make_user()}
    if model is FieldVisit:
        extra["lead_official"] = StaffProfile.objects.get(user=make_staff(Role.AREA_LEADER))
    rows = [
        MAKERS[model](
            grid,
            status=status,
            is_published=published,
            cancel_reason="改期" if status == S.CANCELLED else "",
            **extra,
        )
        for grid, (status, published) in product((place.north_a, place.west_a), STATES)
    ]
    for role in Role:
        user = staff[role]
        waiting = (
            set(model.objects.visible_to(user).awaiting_publication().values_list("pk", flat=True))
            if services.can_publish(user, model)
            else set()
        )
        offered = {row.pk for row in rows if rules.refusal("publish", row, user) is None}
        expected = {
            row.pk
            for row in rows
            if allowed(
                role, model, "publish", row.status, row.is_published, in_scope(role, user, row.grid)
            )
        }
        assert waiting == offered == expected, role
