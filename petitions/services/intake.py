"""Intake, acceptance and assignment: 登记, 受理, 不予受理, 交办, 签收, 退单."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from petitions import deadlines
from petitions.models import (
    Case,
    CaseExclusion,
    CaseKind,
    CaseParty,
    CaseStatus,
    EventKind,
    Triage,
)
from petitions.services.base import (
    CASE_PLACE,
    REVIEW_WINDOW_DAYS,
    CaseError,
    CaseIntake,
    for_residents,
    lock_for_step,
    move_case,
    new_case_number,
    new_person,
    new_tracking_code,
    record_event,
    records_language,
    schedule_followup,
    typed_text,
)
from petitions.services.conclusion import conclude_case
from petitions.services.triage import apply_triage, triage_label, triage_problem
from petitions.services.trust import atomic_step, helpers_given, savepoints
from portal import clock
from portal.access import scope_of
from portal.actors import Actor
from portal.formats import join_names_text
from portal.models import StaffProfile
from portal.roles import Role
from portal.text import LONG_TEXT_LIMIT


@atomic_step
def register_case(intake: CaseIntake, *, actor: Actor | None) -> Case:
    """登记: a request from any channel becomes a case with a number and a tracking code.

    `actor` None means a resident submitted it online. The triage class may be left for the
    acceptance step. 当场解决 cases are accepted and concluded in the same step when the result
    is given, by a member of staff.
    """
    kind, reviews, received_at = intake.kind, intake.reviews, intake.received_at
    title, content = typed_text(intake.title), typed_text(intake.content, limit=LONG_TEXT_LIMIT)
    if not title or not content:
        raise CaseError(_("请填写诉求摘要和诉求内容。"))
    if intake.grid is not None and intake.grid.community_id != intake.community.pk:
        raise CaseError(_("所选网格不属于所选社区。"))
    if intake.compound is not None and intake.compound.community_id != intake.community.pk:
        raise CaseError(_("所选小区不属于所选社区。"))
    if intake.triage == Triage.LONG_TERM and not intake.followup_interval_days:
        raise CaseError(_("长期跟踪类诉求请填写跟踪间隔天数。"))
    if intake.on_the_spot_result and intake.triage != Triage.ON_THE_SPOT:
        raise CaseError(_("只有“当场解决”类诉求可以在登记时直接办结。"))
    if intake.triage == Triage.ON_THE_SPOT and not (intake.on_the_spot_result or "").strip():
        # On the spot means concluded at capture: a class without its result would leave the
        # case open, and overdue, under a label that says it was solved.
        raise CaseError(_("选择“当场解决”须填写当场解决的结果；未当场解决的诉求请按一般办理。"))
    # Staff's words on the resident's tracking page (concluded at capture).
    for_residents(intake.on_the_spot_result, field="on_the_spot_result", label=_("当场解决结果"))
    for_residents(intake.on_the_spot_reply, field="on_the_spot_reply", label=_("给居民的答复"))
    if kind in (CaseKind.REVIEW, CaseKind.RECHECK):
        _check_review_request(kind, reviews, received_at or clock.now())
    if actor is not None and not scope_of(actor).allows(
        CASE_PLACE,
        community_id=intake.community.pk,
        grid_id=intake.grid.pk if intake.grid else None,
    ):
        raise CaseError(_("只能登记本人负责范围内的诉求：请选择您负责的社区或网格。"))
    received_at = received_at or clock.now()
    case = Case(
        number=new_case_number(timezone.localtime(received_at).year),
        tracking_code=new_tracking_code(),
        kind=kind,
        is_accusation=intake.is_accusation,
        channel=intake.channel,
        category=intake.category,
        community=intake.community,
        grid=intake.grid,
        compound=intake.compound,
        address=intake.address,
        title=title,
        content=content,
        triage=intake.triage,
        received_at=received_at,
        field_visit=intake.field_visit,
        onsite_session=intake.onsite_session,
        reception=intake.reception,
        reviews=reviews,
        followup_interval_days=intake.followup_interval_days,
        registered_by=actor,
    )
    schedule_followup(case)
    deadlines.refresh(case)
    for _attempt in range(5):
        try:
            # Without a savepoint (bulk_writing) a collision aborts the caller's block instead.
            with transaction.atomic(savepoint=savepoints()):
                case.save()
            break
        except IntegrityError:  # the one-in-quadrillions tracking-code collision
            case.tracking_code = new_tracking_code()
    else:  # pragma: no cover
        raise CaseError(_("系统繁忙，请重试。"))
    for data in intake.parties:
        CaseParty.objects.create(case=case, person=new_person(data), role=data.role)
    for user in intake.named_staff:
        CaseExclusion.objects.get_or_create(case=case, user=user)
    with records_language():
        note = f"来源：{case.get_channel_display()}"
    record_event(
        case,
        actor=actor,
        kind=EventKind.REGISTERED,
        to_status=CaseStatus.REGISTERED,
        note=note,
        public=True,
    )
    if intake.on_the_spot_result:
        if actor is None:  # a resident's own request is not closed at capture
            raise CaseError(_("这一步须由工作人员办理。"))
        case = accept_case(case, actor=actor, note="当场受理")
        case = conclude_case(
            case,
            actor=actor,
            result=intake.on_the_spot_result,
            reply=intake.on_the_spot_reply or intake.on_the_spot_result,
        )
    return case


def _check_review_request(kind: str, reviews: Case | None, received_at: datetime) -> None:
    if reviews is None:
        raise CaseError(_("复查、复核请求须关联原信访事项。"))
    answered = reviews.concluded_at
    if answered is None:
        raise CaseError(
            _("原事项 %(number)s 尚未办结，不能申请复查或复核。") % {"number": reviews.number}
        )
    if received_at - answered > timedelta(days=REVIEW_WINDOW_DAYS):
        raise CaseError(
            _("复查、复核请求应在收到处理意见之日起 %(days)d 日内提出（原事项 %(date)s 答复）。")
            % {
                "days": REVIEW_WINDOW_DAYS,
                # Translators: a Django date format (zero-padded month and day).
                "date": dateformat.format(
                    timezone.localtime(answered), pgettext("date format", "Y年m月d日")
                ),
            }
        )


@atomic_step
def accept_case(
    case: Case,
    *,
    actor: Actor,
    note: str = "",
    triage: str | None = None,
    followup_interval_days: int | None = None,
    expected_version: int | None = None,
) -> Case:
    """受理: the matter will be handled; formal petitions start their 60-day clock now.

    ``triage`` None keeps the class the case has; "" makes it an ordinary request (no class);
    台账管理 or 长期跟踪 classify it. The class it is accepted under goes on the timeline.
    """
    note = for_residents(typed_text(note), field="note", label=_("说明"))
    case = lock_for_step("accept", case, actor, expected_version)[0]
    fields = ["accepted_at"]
    old_triage = case.triage
    if triage is not None and triage != case.triage:
        if problem := triage_problem(case, triage, followup_interval_days):
            raise CaseError(problem)
        fields += apply_triage(case, triage, followup_interval_days)
    case.accepted_at = clock.now()
    old = move_case(case, CaseStatus.ACCEPTED, fields)
    changes: dict = {"conclude_due": str(case.conclude_due or "")}
    if case.triage != old_triage:
        changes["triage"] = [old_triage, case.triage]
    record_event(
        case,
        actor=actor,
        kind=EventKind.ACCEPTED,
        from_status=old,
        to_status=case.status,
        note=note or f"已受理（{triage_label(case.triage)}）",
        public=True,
        changes=changes,
    )
    return case


@atomic_step
def reject_case(
    case: Case, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Case:
    """不予受理: with the reason, which the resident sees."""
    reason = typed_text(reason)
    if not reason:
        raise CaseError(_("请填写不予受理的理由（将告知信访人）。"))
    for_residents(reason, field="reason", label=_("理由"))
    case = lock_for_step("reject", case, actor, expected_version)[0]
    case.not_accepted_reason = reason
    old = move_case(case, CaseStatus.NOT_ACCEPTED, ["not_accepted_reason"])
    record_event(
        case,
        actor=actor,
        kind=EventKind.NOT_ACCEPTED,
        from_status=old,
        to_status=case.status,
        note=reason,
        public=True,
    )
    return case


def _excluded(case: Case, profiles: Iterable[StaffProfile]) -> list[str]:
    user_ids = {p.user_id for p in profiles}
    blocked = CaseExclusion.objects.filter(case=case, user_id__in=user_ids).values_list(
        "user_id", flat=True
    )
    return [p.name for p in profiles if p.user_id in set(blocked)]


# Roles that never handle a case: configuration and read-only accounts.
NOT_HANDLERS = (Role.SYSADMIN, Role.OFFICIAL)


def handling_staff() -> QuerySet[StaffProfile]:
    """Approved, active staff who may handle cases: the only handlers, co-handlers and
    mediators a case can be given (the assignment form offers these, the service insists)."""
    return (
        StaffProfile.objects.filter(approved_at__isnull=False, user__is_active=True)
        .exclude(role__in=NOT_HANDLERS)
        .order_by("role", "unit", "name")
    )


def _names(profiles: Iterable[StaffProfile]) -> str:
    return "、".join(sorted(p.name for p in profiles))


@atomic_step
def assign_case(
    case: Case,
    *,
    actor: Actor,
    handler: StaffProfile,
    co_handlers: Iterable[StaffProfile] | None = None,
    mediators: Iterable[StaffProfile] | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """交办 (or 改派): a handler must sign for it within the sign-for limit. Co-handlers and
    mediators not given are kept as they are; every change of them is on the timeline."""
    case = lock_for_step("assign", case, actor, expected_version)[0]
    before_co, before_med = list(case.co_handlers.all()), list(case.mediators.all())
    co_handlers = before_co if co_handlers is None else list(co_handlers)
    mediators = before_med if mediators is None else list(mediators)
    # The handler is not their own co-handler (改派 to a co-handler moves them up).
    co_handlers = [p for p in co_handlers if p.pk != handler.pk]
    if blocked := _excluded(case, [handler, *co_handlers, *mediators]):
        raise CaseError(
            _("%(names)s 须回避本诉求，不能承办。") % {"names": join_names_text(blocked)}
        )
    if handler.role == Role.SYSADMIN:
        raise CaseError(_("系统管理员不能承办诉求。"))
    people = {handler.pk, *(p.pk for p in co_handlers), *(p.pk for p in mediators)}
    if unfit := people - set(handling_staff().filter(pk__in=people).values_list("pk", flat=True)):
        names = StaffProfile.objects.filter(pk__in=unfit).values_list("name", flat=True)
        raise CaseError(
            _("%(names)s 不能承办诉求（只读或系统账号、账号已停用或角色尚未批准）。")
            % {"names": join_names_text(sorted(names))}
        )
    previous = case.handler.name if case.handler is not None else ""
    case.handler = handler
    case.assigned_at = clock.now()
    case.signed_at = None
    scope = scope_of(actor)
    if scope.role == Role.SECRETARY and case.chief_agent_id is None:
        case.chief_agent_id = scope.profile_id
    old = move_case(
        case, CaseStatus.ASSIGNED, ["handler", "assigned_at", "signed_at", "chief_agent"]
    )
    for helpers, before, after in (
        (case.co_handlers, before_co, co_handlers),
        (case.mediators, before_med, mediators),
    ):
        if {p.pk for p in before} != {p.pk for p in after}:
            helpers.set(after)
            helpers_given(case.pk)
    changes = {"handler": [previous, handler.name]}
    for key, before, after in (
        ("co_handlers", before_co, co_handlers),
        ("mediators", before_med, mediators),
    ):
        if _names(before) != _names(after):
            changes[key] = [_names(before), _names(after)]
    record_event(
        case,
        actor=actor,
        kind=EventKind.ASSIGNED,
        from_status=old,
        to_status=case.status,
        note=typed_text(note)
        or (
            f"改由 {handler.unit or handler.name} 办理"
            if previous
            else f"交由 {handler.unit or handler.name} 办理"
        ),
        # Residents read "已交承办单位办理" once, at the first assignment; a 改派 is staff's.
        public=not previous,
        changes=changes,
    )
    return case


def bulk_assign(
    cases: Iterable[Case], *, actor: Actor, handler: StaffProfile, note: str = ""
) -> tuple[int, list[str]]:
    """批量交办: each case on its own; returns how many moved and why the others did not."""
    done, problems = 0, []
    for case in cases:
        try:
            assign_case(case, actor=actor, handler=handler, note=note)
            done += 1
        except CaseError as exc:
            problems.append(str(exc))
    return done, problems


@atomic_step
def sign_case(case: Case, *, actor: Actor, expected_version: int | None = None) -> Case:
    """签收: the handler takes the case on."""
    case = lock_for_step("sign", case, actor, expected_version)[0]
    case.signed_at = clock.now()
    case.signed_on_time = case.sign_due is None or clock.today() <= case.sign_due
    old = move_case(case, CaseStatus.IN_PROGRESS, ["signed_at", "signed_on_time"])
    record_event(
        case,
        actor=actor,
        kind=EventKind.SIGNED,
        from_status=old,
        to_status=case.status,
        note="承办单位已签收",
        public=True,
    )
    return case


@atomic_step
def bounce_case(
    case: Case, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Case:
    """退单: the handler sends it back (not theirs to handle), with a reason."""
    reason = typed_text(reason)
    if not reason:
        raise CaseError(_("请填写退单理由。"))
    case = lock_for_step("bounce", case, actor, expected_version)[0]
    # The guard lets only the case's handler bounce it, so there is one.
    previous = case.handler.name  # type: ignore[union-attr]
    case.handler = None
    case.bounce_count += 1
    old = move_case(case, CaseStatus.ACCEPTED, ["handler", "bounce_count"])
    case.co_handlers.clear()
    record_event(
        case,
        actor=actor,
        kind=EventKind.BOUNCED,
        from_status=old,
        to_status=case.status,
        note=reason,
        changes={"handler": [previous, ""]},
    )
    return case
