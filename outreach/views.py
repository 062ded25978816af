"""Public pages of the outreach practices: lists, details, what comes next, a calendar feed."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from outreach.calendar import upcoming_calendar
from outreach.forms import ActivityFilterForm, CommunityFilterForm
from outreach.models import Activity, Deliberation, FieldVisit, OnsiteSession, PolicyTalk
from outreach.stats import upcoming_activities
from portal import clock
from portal.models import Community
from portal.pagecache import public_page

PAGE_SIZE = 20
UPCOMING_DAYS = 35

# What a detail page loads besides the row itself (a fixed number of queries).
DETAIL_PREFETCH: dict[type[Activity], tuple[str, ...]] = {
    PolicyTalk: ("teams", "speakers"),
    FieldVisit: ("themes",),
    OnsiteSession: ("officials",),
    Deliberation: ("officials", "attendance", "decisions"),
}
DETAIL_SELECT: dict[type[Activity], tuple[str, ...]] = {
    PolicyTalk: ("series",),
    FieldVisit: ("lead_official",),
}


def activity_list(request: HttpRequest, model: type[Activity]) -> HttpResponse:
    form = ActivityFilterForm(request.GET or None)
    qs = model.objects.public().held().for_public_list()
    # Invalid parts are reported and ignored; valid ones still filter.
    community, period = form.valid("community"), form.valid("month")
    if community is not None:
        qs = qs.in_community(community)
    if period:
        qs = qs.in_period(*period)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        f"{model._meta.app_label}/{model._meta.model_name}_list.html",
        {
            "model": model,
            "practice_label": model.practice_label,
            # The count says its period (the month chosen, else every record to date) and
            # the practice's own measure word, as on the home page.
            "period": period,
            "today": clock.today(),
            "unit": model.unit_for(page.paginator.count),
            "form": form,
            "page_obj": page,
            "activities": page.object_list,
            "community": community,
            "query": query.urlencode(),
        },
    )


def activity_detail(
    request: HttpRequest,
    model: type[Activity],
    pk: int,
    *,
    select: tuple[str, ...] = (),
    prefetch: tuple[str, ...] = (),
) -> HttpResponse:
    qs = (
        model.objects.published()
        .select_related("community", "grid", "compound", *select)
        .prefetch_related("photos", *prefetch)
    )
    try:
        activity = qs.get(pk=pk)
    except model.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        f"{model._meta.app_label}/{model._meta.model_name}_detail.html",
        {
            "activity": activity,
            "practice_label": model.practice_label,
            "list_url": reverse(f"{model._meta.app_label}:{model._meta.model_name}-list"),
        },
    )


def _feed_urls(request: HttpRequest, community: Community | None) -> dict[str, str]:
    """The calendar feed's address to print (people type or paste it into a calendar app) and
    the same as webcal://, which phones open as "subscribe to this calendar"."""
    url = request.build_absolute_uri(reverse("outreach:upcoming-ics"))
    if community is not None:
        url += "?" + urlencode({"community": community.code})
    return {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@public_page(topics=("outreach",))
def upcoming(request: HttpRequest) -> HttpResponse:
    # Only the community filter: this page has no month (a month in the address is ignored).
    form = CommunityFilterForm(request.GET or None)
    community = form.valid("community")
    items = upcoming_activities(community=community, days=UPCOMING_DAYS)
    by_community: OrderedDict[Community, list[Activity]] = OrderedDict()
    for item in sorted(
        items, key=lambda a: (a.community.sort_order, a.community.name, a.starts_at)
    ):
        by_community.setdefault(item.community, []).append(item)
    return render(
        request,
        "outreach/activity_upcoming.html",
        {
            "form": form,
            "by_community": by_community,
            "community": community,
            "days": UPCOMING_DAYS,
            "today": clock.today(),
            **_feed_urls(request, community),
        },
    )


@public_page(topics=("outreach",))
def upcoming_ics(request: HttpRequest) -> HttpResponse:
    community = CommunityFilterForm(request.GET or None).valid("community")
    body = upcoming_calendar(
        upcoming_activities(community=community, days=120), request=request, community=community
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="upcoming.ics"'
    response["Cache-Control"] = "public, max-age=900"
    return response


def practice_views(
    model: type[Activity], *, select: tuple[str, ...] = (), prefetch: tuple[str, ...] = ()
) -> tuple[Any, Any]:
    """The public list and detail views of one practice (other apps' practices use it too)."""

    @public_page(topics=("outreach",))
    def list_view(request: HttpRequest) -> HttpResponse:
        return activity_list(request, model)

    @public_page(topics=("outreach",))
    def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
        return activity_detail(
            request,
            model,
            pk,
            select=select or DETAIL_SELECT.get(model, ()),
            prefetch=prefetch or DETAIL_PREFETCH.get(model, ()),
        )

    return list_view, detail_view
