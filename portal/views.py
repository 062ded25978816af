"""Public pages owned by the portal app: home, preferences, error pages."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from outreach import stats as outreach_stats
from portal.context_processors import TEXT_SIZE_COOKIE
from portal.models import Community, Grid

ONE_YEAR = 365 * 24 * 3600


def home(request: HttpRequest) -> HttpResponse:
    communities = Community.objects.filter(is_active=True).prefetch_related(
        Prefetch(
            "grids", queryset=Grid.objects.filter(is_active=True).order_by("sort_order", "name")
        )
    )
    today = timezone.localdate()
    return render(
        request,
        "portal/home.html",
        {
            "communities": communities,
            "today": today,
            # Live counters: held and published activities of this year, computed now.
            "totals": outreach_stats.practice_totals(
                start=date(today.year, 1, 1), end=today, published_only=True
            ),
            "upcoming": outreach_stats.upcoming_activities(days=14, limit=6),
        },
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """适老化: switch between normal and large type; remembered in a cookie for a year."""
    response = HttpResponseRedirect(_safe_next(request))
    if request.POST.get("size") == "large":
        response.set_cookie(
            TEXT_SIZE_COOKIE, "large", max_age=ONE_YEAR, samesite="Lax", secure=settings.HTTPS
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Shown instead of Django's English CSRF page: nothing was saved, go back and retry."""
    return render(request, "403_csrf.html", status=403)
