"""Open data: published cases as an Open311 GeoReport v2 request list (read-only JSON).

``GET /open311/v2/requests.json`` lists the cases staff marked publishable (never accusation
cases), newest first, 50 per page (``?page=2``; ``?status=open|closed`` filters). Nothing
personal is included: no names, phones, addresses or the resident's own words; the only free
text, ``status_notes`` (the result), passes ``portal.privacy.public_text`` with the parties' names.
"""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from petitions.models import OPEN_STATUSES, Case, CaseParty, CaseStatus
from portal.privacy import public_text

PAGE_SIZE = 50
CLOSED_STATUSES = (CaseStatus.CONCLUDED, CaseStatus.VISITED, CaseStatus.ARCHIVED)


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _due(case: Case) -> str | None:
    if case.conclude_due is None:
        return None
    end = datetime.combine(case.conclude_due, time(23, 59, 59))
    return timezone.make_aware(end).isoformat(timespec="seconds")


def published_requests(status: str = "") -> Any:
    qs = Case.objects.filter(is_publishable=True, is_accusation=False)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        qs = qs.filter(status__in=CLOSED_STATUSES)
    else:
        qs = qs.filter(status__in=(*OPEN_STATUSES, *CLOSED_STATUSES))
    return (
        qs.select_related("category", "community", "handler")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=CaseParty.objects.select_related("person").only(
                    "case", "person", "person__name"
                ),
            )
        )
        .annotate(updated=Max("events__at", filter=Q(events__is_public=True)))
        .order_by("-received_at", "-pk")
    )


def as_georeport(case: Case) -> dict[str, Any]:
    names = [party.person.name for party in case.parties.all()]
    closed = case.status in CLOSED_STATUSES
    unit = ""
    if case.handler_id:
        unit = case.handler.unit or case.handler.get_role_display()
    return {
        # The case NUMBER, not the tracking code: the code (with the phone ending) is what lets
        # a resident open their case's timeline and rate it, so it is never published, even
        # though the phone ending would still be needed. The number identifies the case in
        # public and in staff conversations and unlocks nothing.
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": public_text(case.result, names=names) if closed else "办理中",
        "service_name": case.category.name,
        "service_code": str(case.category_id),
        "agency_responsible": unit or case.community.name,
        "requested_datetime": _iso(case.received_at),
        "updated_datetime": _iso(case.updated or case.concluded_at or case.received_at),
        "expected_datetime": _due(case),
        "address": case.community.name,
    }


@require_safe
def requests_json(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ("", "open", "closed"):
        return _json({"error": "status 只能是 open 或 closed"}, status=400)
    page = Paginator(published_requests(status), PAGE_SIZE).get_page(request.GET.get("page"))
    response = _json([as_georeport(case) for case in page.object_list])
    response["X-Total-Count"] = str(page.paginator.count)
    if page.has_next():
        query = request.GET.copy()
        query["page"] = str(page.next_page_number())
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
    response["Cache-Control"] = "public, max-age=300"
    return response


def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        status=status,
    )
