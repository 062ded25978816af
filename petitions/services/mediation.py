"""回避 and 调解: recusing a member of staff, mediation sessions (调解记录) and the written
mediation agreement (调解协议书, 人民调解法 Art. 29).

Each step locks the case, checks the version the page was drawn from, asks its guard in the rule
book, writes, bumps the case's version and appends an internal timeline entry (who, unit, when,
old → new) — in one transaction, like every other step of a case. What a mediation record says
about the parties is personal: the entries are never public, and their free text (who was
present, what happened, what was agreed) is named, never copied, in the entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from petitions.access import reveals_parties
from petitions.models import (
    Case,
    CaseExclusion,
    CaseStatus,
    EventKind,
    MediationAgreement,
    MediationSession,
)
from petitions.services.base import (
    CaseError,
    ensure_visible,
    lock_case,
    record_event,
    records_language,
    save_case,
    typed_text,
)
from petitions.services.rules import Who, refusal, rule
from petitions.services.trust import atomic_step
from portal import clock
from portal.actors import Actor, User
from portal.people import display_name
from portal.text import LONG_TEXT_LIMIT, TEXT_LIMIT

S = CaseStatus

# A session is held while the case is handled; one held before the handler concluded may still be
# written up until the follow-up visit closes the handling.
SESSION_STATUSES = frozenset({S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.CONCLUDED})
# The agreement (and the date the parties applied for judicial confirmation, often weeks after
# signing) can be written up until the case is archived.
AGREEMENT_STATUSES = SESSION_STATUSES | {S.VISITED}

SESSION_FIELDS = ("held_at", "place", "method", "outcome", "mediators", "parties_present", "notes")
AGREEMENT_FIELDS = (
    "agreement_number",
    "signed_on",
    "session",
    "mediators",
    "parties",
    "facts",
    "responsibilities",
    "terms",
    "performance",
    "judicial_confirmation_applied_on",
)
# What the parties said and agreed: the timeline entry names the field, never its text.
PERSONAL_FIELDS = frozenset(
    {"parties_present", "notes", "parties", "facts", "responsibilities", "terms", "performance"}
)
# The length each free text may have (as the forms allow: written up at length, or a note).
TEXT_LIMITS = {
    "place": 100,
    "parties_present": 200,
    "agreement_number": 40,
    "notes": LONG_TEXT_LIMIT,
    "facts": LONG_TEXT_LIMIT,
    "terms": LONG_TEXT_LIMIT,
    "parties": TEXT_LIMIT,
    "responsibilities": TEXT_LIMIT,
    "performance": TEXT_LIMIT,
}


# --- the guards ---------------------------------------------------------------------------------


@rule("recuse")
def may_recuse(case: Case, who: Who) -> str | None:
    """设置回避: the two secretaries (petitions.add_caseexclusion), on any case not archived."""
    if not who.visible:
        return _("您无权处理这件诉求。")
    if not (who.can_transition and who.recuses):
        return _("只有街道党工委书记和社区书记可以设置回避。")
    if case.status == S.ARCHIVED:
        return _("诉求 %(number)s 已归档，不能再设置回避。") % {"number": case.number}
    return None


def _writes_mediation(case: Case, who: Who, model: str) -> str | None:
    """Who may write mediation records: those whose role edits them and who may read the
    parties in full (a mediator only on the cases they are assigned to; nobody but the party
    secretary on an accusation), since a record names the parties."""
    user = who.user
    if user is None or not who.visible:
        return _("您无权处理这件诉求。")
    if not (
        who.role is not None
        and user.has_perm(f"petitions.add_{model}")
        and user.has_perm(f"petitions.change_{model}")
    ):
        return _("您只能查看调解记录。")
    if not reveals_parties(user, case, assigned=who.assigned):
        return _(
            "调解记录写有当事人的个人信息，只有可以查看本诉求当事人完整信息的人员才能填写"
            "（调解员须是本诉求的调解员）。"
        )
    return None


def _status_refusal(case: Case, allowed: frozenset[str]) -> str | None:
    if case.status in allowed:
        return None
    values = {"number": case.number, "status": case.get_status_display()}
    if case.status == S.REGISTERED:
        return _("诉求 %(number)s 尚未受理：受理后才能记录调解。") % values
    if case.status == S.ARCHIVED:
        return _("诉求 %(number)s 已归档，调解记录只能查看。") % values
    if case.status == S.VISITED:
        return _("诉求 %(number)s 已回访，不能再记录调解；调解协议在归档前仍可补录。") % values
    return _("诉求 %(number)s 当前为“%(status)s”，不能记录调解。") % values


@rule("mediation")
def may_record_mediation(case: Case, who: Who) -> str | None:
    """Record a mediation session or change a saved one: while the case is handled."""
    return _writes_mediation(case, who, "mediationsession") or _status_refusal(
        case, SESSION_STATUSES
    )


@rule("agreement")
def may_record_agreement(case: Case, who: Who) -> str | None:
    """Record the mediation agreement or change it: from acceptance until archived."""
    return _writes_mediation(case, who, "mediationagreement") or _status_refusal(
        case, AGREEMENT_STATUSES
    )


def _allow(step: str, case: Case, actor: Actor) -> None:
    """The step's guard, asked inside the row lock."""
    if problem := refusal(step, case, Who.of(actor, case)):
        raise CaseError(problem)


# --- 回避 ----------------------------------------------------------------------------------------


@atomic_step
def recuse_staff(
    case: Case, *, actor: Actor, user: User, reason: str, expected_version: int | None = None
) -> Case:
    """回避: the named member of staff never sees the case again (nor works on it)."""
    reason = typed_text(reason, limit=100) or "依规回避"
    ensure_visible(case, actor)
    case = lock_case(case, expected_version)
    _allow("recuse", case, actor)
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.pk == case.handler_id:
        raise CaseError(_("该人员是本诉求的承办人，请先改派再设置回避。"))
    if CaseExclusion.objects.filter(case=case, user=user).exists():
        raise CaseError(_("该人员已在回避名单中。"))
    CaseExclusion.objects.create(case=case, user=user, reason=reason)
    changes = {}
    if profile is not None:
        for relation in ("co_handlers", "mediators"):
            related = getattr(case, relation)
            before = sorted(related.values_list("pk", "name"))
            if any(pk == profile.pk for pk, _name in before):
                related.remove(profile)
                changes[relation] = [
                    "、".join(name for _pk, name in before),
                    "、".join(name for pk, name in before if pk != profile.pk),
                ]
    save_case(case, [])
    name = display_name(user)
    record_event(
        case,
        actor=actor,
        kind=EventKind.EDITED,
        note=f"设置回避：{name}（{reason}）",
        changes={"excluded": ["", name], **changes},
    )
    return case


# --- what a change looks like on the timeline ---------------------------------------------------


def _shown(value: Any) -> Any:
    """A field's value as the timeline records it: JSON, in the source language."""
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list):  # mediators, by name in the order they were added
        return "、".join(member.name for member in sorted(value, key=lambda m: m.pk))
    return "" if value is None else value


def _field(model: type[models.Model], name: str) -> models.Field:
    # The names are the record's own concrete fields (TEXT_LIMITS and the forms' fields), never
    # a reverse relation or a generic foreign key.
    return cast("models.Field", model._meta.get_field(name))


def _value(row: models.Model, name: str) -> Any:
    if name == "mediators":
        # Only a mediation session has mediators (the only record with that field).
        return list(row.mediators.all()) if row.pk else []  # type: ignore[attr-defined]
    if _field(type(row), name).choices:
        with records_language():
            return str(getattr(row, f"get_{name}_display")())
    return getattr(row, name)


def _clean_values(values: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"not a field of this record: {sorted(unknown)}")
    cleaned = dict(values)
    for name, limit in TEXT_LIMITS.items():
        if name in cleaned:
            cleaned[name] = typed_text(cleaned[name], limit=limit)
    if "mediators" in cleaned:
        cleaned["mediators"] = list(cleaned["mediators"] or [])
        if not cleaned["mediators"]:
            raise CaseError(_("请至少选择一名调解员。"))
    return cleaned


def _write(row: models.Model, values: dict[str, Any]) -> tuple[list[str], dict[str, list]]:
    """Writes ``values`` onto ``row`` (checked as the model checks them). Returns the names of
    the fields whose value changed, and the timeline's ``changes``: old → new of each changed
    field but the personal free text, which is named in the note instead."""
    new = row.pk is None
    before = {name: "" if new else _shown(_value(row, name)) for name in values}
    for name, value in values.items():
        if name != "mediators":
            setattr(row, name, value)
    try:
        row.full_clean(exclude=["case", "recorded_by"])
    except ValidationError as exc:
        raise CaseError(pgettext("separator between messages", "；").join(exc.messages)) from exc
    after = {
        name: _shown(values["mediators"] if name == "mediators" else _value(row, name))
        for name in values
    }
    changed = [name for name in values if before[name] != after[name]]
    if new or changed:
        row.save()
    if "mediators" in changed:
        row.mediators.set(values["mediators"])  # type: ignore[attr-defined]  # as in _value
    changes = {name: [before[name], after[name]] for name in changed if name not in PERSONAL_FIELDS}
    return changed, changes


def _describe(model: type[models.Model], changed: list[str], changes: dict[str, list]) -> str:
    """The changes in words, for the note: plain fields old → new, free text by name."""
    parts = []
    with records_language():
        for name in changed:
            label = str(_field(model, name).verbose_name)
            if name in changes:
                old, new = changes[name]
                parts.append(f"{label}：{old or '—'} → {new or '—'}")
            else:
                parts.append(f"{label}已修改")
    return "；".join(parts)


def _labels(model: type[models.Model], names: Iterable[str]) -> str:
    with records_language():
        return "、".join(str(_field(model, name).verbose_name) for name in names)


# --- 调解记录 ------------------------------------------------------------------------------------


def _session_label(session: MediationSession) -> str:
    with records_language():
        return (
            f"{timezone.localtime(session.held_at):%Y-%m-%d %H:%M} "
            f"{session.get_method_display()}，{session.get_outcome_display()}"
        )


@atomic_step
def record_mediation_session(
    case: Case,
    *,
    actor: Actor,
    method: str,
    outcome: str,
    mediators: Iterable[Any],
    held_at: datetime | None = None,
    place: str = "",
    parties_present: str = "",
    notes: str = "",
    expected_version: int | None = None,
) -> MediationSession:
    """调解记录: a session was held — who mediated, how, with whom present, with what outcome.
    The session's ``case`` is the locked case with its new version."""
    values = _clean_values(
        {
            "held_at": held_at or clock.now(),
            "place": place,
            "method": method,
            "outcome": outcome,
            "mediators": mediators,
            "parties_present": parties_present,
            "notes": notes,
        },
        SESSION_FIELDS,
    )
    ensure_visible(case, actor)
    case = lock_case(case, expected_version)
    _allow("mediation", case, actor)
    session = MediationSession(case=case, recorded_by=actor)
    _changed, changes = _write(session, values)
    save_case(case, [])
    written = [name for name in SESSION_FIELDS if name in PERSONAL_FIELDS and values[name]]
    note = f"调解记录：{_session_label(session)}"
    if session.place:
        note += f"，地点：{session.place}"
    if written:
        note += f"（已填写{_labels(MediationSession, written)}）"
    record_event(
        case,
        actor=actor,
        kind=EventKind.MEDIATION,
        note=note,
        changes={"mediation_session": ["", session.pk], **changes},
    )
    return session


@atomic_step
def change_mediation_session(
    session: MediationSession,
    *,
    actor: Actor,
    expected_version: int | None = None,
    **fields: Any,
) -> MediationSession:
    """Changes a saved session (any of SESSION_FIELDS as keywords); a change that leaves every
    value as it was writes nothing."""
    values = _clean_values(fields, SESSION_FIELDS)
    case = session.case
    ensure_visible(case, actor)
    case = lock_case(case, expected_version)
    _allow("mediation", case, actor)
    session = MediationSession.objects.get(pk=session.pk, case=case)
    session.case = case
    label = _session_label(session)
    changed, changes = _write(session, values)
    if not changed:
        return session
    save_case(case, [])
    record_event(
        case,
        actor=actor,
        kind=EventKind.MEDIATION,
        note=f"修改调解记录（{label}）：{_describe(MediationSession, changed, changes)}",
        changes={"mediation_session": [session.pk, session.pk], **changes},
    )
    return session


# --- 调解协议 ------------------------------------------------------------------------------------


def _own_session(case: Case, values: dict[str, Any]) -> None:
    session = values.get("session")
    if session is not None and session.case_id != case.pk:
        raise CaseError(_("所选调解记录不属于这件诉求。"))


def _agreement_label(agreement: MediationAgreement) -> str:
    with records_language():
        return str(agreement)


@atomic_step
def record_agreement(
    case: Case,
    *,
    actor: Actor,
    signed_on: date,
    parties: str,
    facts: str,
    terms: str,
    performance: str,
    mediators: Iterable[Any],
    responsibilities: str = "",
    agreement_number: str = "",
    session: MediationSession | None = None,
    judicial_confirmation_applied_on: date | None = None,
    expected_version: int | None = None,
) -> MediationAgreement:
    """调解协议: the written agreement with what 人民调解法 Art. 29 requires. Its ``case`` is
    the locked case with its new version."""
    values = _clean_values(
        {
            "agreement_number": agreement_number,
            "signed_on": signed_on,
            "session": session,
            "mediators": mediators,
            "parties": parties,
            "facts": facts,
            "responsibilities": responsibilities,
            "terms": terms,
            "performance": performance,
            "judicial_confirmation_applied_on": judicial_confirmation_applied_on,
        },
        AGREEMENT_FIELDS,
    )
    ensure_visible(case, actor)
    case = lock_case(case, expected_version)
    _allow("agreement", case, actor)
    _own_session(case, values)
    agreement = MediationAgreement(case=case)
    _changed, changes = _write(agreement, values)
    save_case(case, [])
    record_event(
        case,
        actor=actor,
        kind=EventKind.MEDIATION,
        note=f"调解协议：{_agreement_label(agreement)}，签订日期 {agreement.signed_on.isoformat()}",
        changes={"mediation_agreement": ["", agreement.pk], **changes},
    )
    return agreement


@atomic_step
def change_agreement(
    agreement: MediationAgreement,
    *,
    actor: Actor,
    expected_version: int | None = None,
    **fields: Any,
) -> MediationAgreement:
    """Changes a saved agreement (any of AGREEMENT_FIELDS as keywords), e.g. the date the
    parties applied for judicial confirmation; a change that changes nothing writes nothing."""
    values = _clean_values(fields, AGREEMENT_FIELDS)
    case = agreement.case
    ensure_visible(case, actor)
    case = lock_case(case, expected_version)
    _allow("agreement", case, actor)
    _own_session(case, values)
    agreement = MediationAgreement.objects.get(pk=agreement.pk, case=case)
    agreement.case = case
    label = _agreement_label(agreement)
    changed, changes = _write(agreement, values)
    if not changed:
        return agreement
    save_case(case, [])
    record_event(
        case,
        actor=actor,
        kind=EventKind.MEDIATION,
        note=f"修改调解协议（{label}）：{_describe(MediationAgreement, changed, changes)}",
        changes={"mediation_agreement": [agreement.pk, agreement.pk], **changes},
    )
    return agreement
