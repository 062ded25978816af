"""The panels of the case page, as plain context for templates/admin/petitions/case/."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext

from petitions.access import ACCUSATION_PLACEHOLDER, can_reveal, cases_naming, petitioner_hidden
from petitions.admin.header import case_header
from petitions.admin.inlines import judicial_reminder
from petitions.admin.steps import offered_steps
from petitions.display import due_of, event_actor, event_unit, local, staff_label
from petitions.models import Case, CaseEvent, EventKind, ReplyTemplate
from petitions.privacy import case_label, event_note, is_hidden, safe_text
from petitions.services.rules import Who
from petitions.wording import resident_wording
from portal.actors import Viewer
from portal.people import display_name


def case_timeline(case: Case, user: Viewer) -> list[dict]:
    """The case's timeline as this user may read it, oldest first: when, what, the status move,
    who (by name, with their unit), the note masked as every case text is (and told without a
    word of the accuser where they are hidden from this user), and whether residents see it.
    Generic over event kinds: a new kind shows with its own label."""
    accuser_hidden = petitioner_hidden(user, case)
    return [
        {
            "at": local(event.at),
            "at_iso": event.at.isoformat(),
            "actor": event_actor(event),
            "kind": gettext("改派") if _reassigned(event) else event.get_kind_display(),
            "move": (
                f"{event.get_from_status_display()} → {event.get_to_status_display()}"
                if event.from_status and event.to_status
                else event.get_to_status_display()
                if event.to_status
                else ""
            ),
            "note": event_note(case, event, accuser_hidden=accuser_hidden),
            "changes": change_lines(event.changes),
            "comment": safe_text(case, (event.changes or {}).get("comment", "")),
            "public": event.is_public,
            # What residents read instead of the note, where that differs (petitions.wording,
            # the tracking page's own answer).
            "resident_sees": resident_sees(event),
            "unit": event_unit(event),
        }
        for event in case.events.select_related("actor__staff_profile").order_by("at", "pk")
    ]


def resident_sees(event: Any) -> str | None:
    """The sentence residents read for a public entry in place of its note, where it differs
    from the note (None: they read the note, or nothing)."""
    wording = resident_wording(event.kind) if event.is_public else None
    return wording if wording is not None and wording != event.note else None


def _reassigned(event: CaseEvent) -> bool:
    """A 交办 of a case that had a handler already: 改派."""
    handler = (event.changes or {}).get("handler")
    return event.kind == EventKind.ASSIGNED and isinstance(handler, list) and bool(handler[0])


def _day(value: str) -> str:
    try:
        return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return "—"


def change_lines(changes: dict | None) -> list[str]:
    """The values a step moved, old → new, that its note does not already say: the progress
    of a long-term case, the conclusion deadline (extended, resumed), who handles it."""
    lines = []
    for key, label, shown in (
        ("progress", gettext("进度"), lambda v: "—" if v is None else f"{v}%"),
        ("conclude_due", gettext("办结期限"), _day),
        ("handler", gettext("承办人"), lambda v: v or "—"),
        ("co_handlers", gettext("协办人"), lambda v: v or "—"),
        ("mediators", gettext("调解员"), lambda v: v or "—"),
    ):
        pair = (changes or {}).get(key)
        if isinstance(pair, list) and len(pair) == 2 and pair[0] != pair[1]:
            old, new = (shown(v) for v in pair)
            lines.append(
                gettext("%(label)s：%(old)s → %(new)s") % {"label": label, "old": old, "new": new}
            )
    return lines


def case_panel(request: HttpRequest, case: Case, bound: tuple[str, Any] | None = None) -> dict:
    """Everything the case page shows around the form: its head (case_header), deadlines,
    masked parties, the steps this user may take now (with a bound form after an error), and
    the timeline."""
    user = request.user
    who = Who.of(user, case)
    parties = []
    for party in case.parties.all():
        hidden = is_hidden(user, case, party)
        person = party.person
        parties.append(
            {
                "role": party.get_role_display(),
                "hidden": hidden,
                "name": ACCUSATION_PLACEHOLDER if hidden else person.masked_name,
                "phone": "" if hidden else person.masked_phone,
                "id_number": "" if hidden else person.masked_id_number,
                "cases": None if hidden else cases_naming(user, person).count(),
                "reveal_url": reverse("admin:petitions_case_reveal", args=[case.pk, party.pk])
                if can_reveal(user, case, party.role)
                else "",
            }
        )
    steps = []
    for step in offered_steps(case, who):
        if bound is not None and bound[0] == step.name:
            form = bound[1]
        else:
            form = step.make_form(case=case, user=user)
        steps.append(
            {
                "step": step,
                "form": form,
                "url": reverse("admin:petitions_case_step", args=[case.pk, step.name]),
            }
        )
    due = due_of(case)
    pauses = list(case.pauses.all())
    return {
        "case_label": case_label(case),
        "case_header": case_header(case, pauses),
        "case_due": due,
        "case_parties": parties,
        "case_steps": steps,
        "case_timeline": case_timeline(case, user),
        "case_can_transition": who.can_transition,
        "case_reply_templates": ReplyTemplate.objects.filter(is_active=True)
        .filter(Q(category__isnull=True) | Q(category=case.category_id))
        .only("pk", "title")
        if any(s["step"].name == "conclude" for s in steps)
        else [],
        "case_agreements": [
            {"label": str(a), "reminder": judicial_reminder(a)}
            for a in case.mediation_agreements.all()
        ],
        "case_extension_reason": safe_text(case, case.extension_reason),
        "case_pauses": [
            {
                "started_on": pause.started_on,
                "ended_on": pause.ended_on,
                "reason": safe_text(case, pause.reason),
            }
            for pause in pauses
        ],
        "case_attachments": list(case.attachments.all()),
        "case_followups": list(case.followups.all()),
        "case_exclusions": [
            {
                "name": display_name(x.user),
                "reason": safe_text(case, x.reason),
            }
            for x in case.exclusions.select_related("user__staff_profile")
        ]
        if who.recuses
        else None,
        "case_extension_approver": staff_label(
            getattr(case.extension_approved_by, "staff_profile", None)
        )
        if case.extension_approved_by_id
        else "",
    }
