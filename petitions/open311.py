"""Open data: published cases as an Open311 GeoReport v2 request list (read-only JSON).

``GET /open311/v2/requests.json`` lists the cases staff marked publishable (never accusation
cases), newest first, 50 per page (``?page=2``). The GeoReport filters ``status`` (open|closed),
``service_code`` and ``service_request_id`` (comma-separated), ``start_date`` and ``end_date``
(ISO 8601, on the time received) apply; a value that cannot be used is a 400 with the spec's
error list, never silently ignored and never a 500. Values are checked for their exact shape
before they reach the database: PostgreSQL refuses a NUL in a text parameter outright, and a
date far out of range overflows when converted to UTC. Nothing personal is included: no names,
phones, addresses or the resident's own words; the only free text, ``status_notes`` (the
result), passes ``petitions.privacy.published_text``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, time
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_safe

from petitions.models import OPEN_STATUSES, Case, CaseParty, CaseStatus
from petitions.privacy import published_text

PAGE_SIZE = 50
CLOSED_STATUSES = (CaseStatus.CONCLUDED, CaseStatus.VISITED, CaseStatus.ARCHIVED)
# A case number as petitions.services makes it: the year and a sequence (2026-000958).
CASE_NUMBER = re.compile(r"[0-9]{4}-[0-9]{1,7}")
# ISO 8601 as the spec's examples write it: a date, optionally a time and a UTC offset.
ISO_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
# A "+08:00" sent unencoded arrives as " 08:00" (a "+" in a query string is a space).
_UNENCODED_PLUS = re.compile(r"(T[0-9:.,]+) ([0-9]{2}(?::?[0-9]{2})?)$")
# Far enough apart for any real query, near enough that no conversion to UTC overflows.
YEARS = (1900, 2100)


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
        "status_notes": published_text(case, case.result) if closed else "办理中",
        "service_name": case.category.name,
        "service_code": str(case.category_id),
        "agency_responsible": unit or case.community.name,
        "requested_datetime": _iso(case.received_at),
        "updated_datetime": _iso(case.updated or case.concluded_at or case.received_at),
        "expected_datetime": _due(case),
        "address": case.community.name,
    }


class QueryError(ValueError):
    """A filter value that cannot be used; the message is the error's description."""


def _moment(name: str, text: str) -> datetime:
    """An ISO 8601 date or date-time; a date alone means the start of that day in Beijing."""
    text = _UNENCODED_PLUS.sub(r"\1+\2", text.strip())
    moment = None
    # Shape first: Python's parsers also take digits of other scripts and other ISO forms.
    if len(text) <= 40 and ISO_MOMENT.fullmatch(text):
        try:
            moment = parse_datetime(text)
            if moment is None:
                day = parse_date(text)
                moment = datetime.combine(day, time()) if day else None
        except ValueError:
            moment = None
    if moment is None:
        raise QueryError(
            f"{name} 应为 ISO 8601 日期或时间，如 2026-11-01 或 2026-11-01T08:00:00+08:00"
        )
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise QueryError(f"{name} 的年份应在 {YEARS[0]} 至 {YEARS[1]} 之间")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _request_ids(text: str) -> list[str]:
    numbers = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not numbers or len(numbers) > PAGE_SIZE:
        raise QueryError(f"service_request_id 应为 1 至 {PAGE_SIZE} 个编号，以逗号分隔")
    if not all(CASE_NUMBER.fullmatch(n) for n in numbers):
        raise QueryError("service_request_id 应为诉求编号（如 2026-000958），多个以逗号分隔")
    return numbers


def _service_codes(text: str) -> list[int]:
    parts = [c.strip() for c in text.split(",")]
    if len(parts) > PAGE_SIZE or not all(
        p.isascii() and p.isdigit() and len(p) < 10 for p in parts
    ):
        raise QueryError(f"service_code 应为分类编号，最多 {PAGE_SIZE} 个，以逗号分隔")
    return sorted({int(p) for p in parts})


def filtered_requests(query: Any) -> Any:
    """published_requests narrowed by the GeoReport v2 filters, or QueryError."""
    status = query.get("status", "")
    if status not in ("", "open", "closed"):
        raise QueryError("status 只能是 open 或 closed")
    qs = published_requests(status)
    if ids := query.get("service_request_id", "").strip():
        # The spec: with request ids given, the other filters do not apply.
        return published_requests().filter(number__in=_request_ids(ids))
    if codes := query.get("service_code", "").strip():
        qs = qs.filter(category_id__in=_service_codes(codes))
    start = _moment("start_date", query["start_date"]) if query.get("start_date") else None
    end = _moment("end_date", query["end_date"]) if query.get("end_date") else None
    if start and end and start > end:
        raise QueryError("start_date 不能晚于 end_date")
    if start:
        qs = qs.filter(received_at__gte=start)
    if end:
        qs = qs.filter(received_at__lte=end)
    return qs


@require_safe
def requests_json(request: HttpRequest) -> HttpResponse:
    try:
        requests = filtered_requests(request.GET)
    except QueryError as exc:
        return _json([{"code": 400, "description": str(exc)}], status=400)
    except (TooManyFieldsSent, RequestDataTooBig):
        return _json([{"code": 400, "description": "查询参数过多或过长"}], status=400)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
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
