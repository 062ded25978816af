"""Public pages owned by the portal app: home, preferences, error pages."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils._os import safe_join
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from outreach import stats as outreach_stats
from petitions import stats as petitions_stats
from portal import clock
from portal.access import scope_of
from portal.context_processors import TEXT_SIZE_COOKIE
from portal.figures import home_figures
from portal.models import Community, Grid
from portal.news import public as news_public
from portal.pagecache import public_page
from portal.roles import Role

ONE_YEAR = 365 * 24 * 3600
# The home page's news, notices (the 通知公告 栏目) and recent public results.
NOTICES = "tongzhi-gonggao"
HOME_NEWS, HOME_NOTICES, HOME_RESULTS = 6, 5, 4


@public_page(topics=("outreach", "results", "news"))
def home(request: HttpRequest) -> HttpResponse:
    """The front door. Each block is a shared block of its own topic (templates/portal/home.html),
    so its queries run only when the block is rebuilt: the values are lazy."""
    today = clock.today()
    figures = SimpleLazyObject(lambda: home_figures(today))
    return render(
        request,
        "portal/home.html",
        {
            "communities": Community.objects.filter(is_active=True).prefetch_related(
                Prefetch(
                    "grids",
                    queryset=Grid.objects.filter(is_active=True).order_by("sort_order", "name"),
                )
            ),
            "today": today,
            # Live counters: held and published activities of this year, computed now.
            "figures": figures,
            "totals": SimpleLazyObject(lambda: figures.practices),
            "receptions": SimpleLazyObject(lambda: figures.receptions),
            "upcoming": SimpleLazyObject(
                lambda: outreach_stats.upcoming_activities(days=14, limit=6)
            ),
            "news": SimpleLazyObject(
                lambda: news_public.latest(exclude_column=NOTICES, limit=HOME_NEWS)
            ),
            "notices": SimpleLazyObject(
                lambda: news_public.latest(column=NOTICES, limit=HOME_NOTICES)
            ),
            "notices_slug": NOTICES,
            "results": SimpleLazyObject(
                lambda: petitions_stats.published_rows(
                    petitions_stats.public_results()[:HOME_RESULTS]
                )
            ),
        },
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


@csrf_exempt  # only a display preference; keeps public pages cacheable (portal.pagecache)
@require_http_methods(["GET", "POST"])
def text_size(request: HttpRequest) -> HttpResponse:
    """适老化: switch between normal and large type; remembered in a cookie for a year.

    Only a POST switches; a GET (a reloaded or bookmarked address) just goes back home.
    """
    if request.method != "POST":
        return HttpResponseRedirect(reverse("portal:home"))
    response = HttpResponseRedirect(_safe_next(request))
    if request.POST.get("size") == "large":
        response.set_cookie(
            TEXT_SIZE_COOKIE,
            "large",
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=settings.HTTPS,
            httponly=True,  # read by the server only, like the language choice
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    return response


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and feed readers ask for /favicon.ico whatever the page says."""
    return HttpResponseRedirect(static("portal/favicon.ico"))


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read the public pages, not the back office; the sitemap says where they are."""
    base = settings.PORTAL_SITE_URL or f"{request.scheme}://{request.get_host()}"
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {base}{reverse('portal:sitemap')}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def refusal_text(user: object) -> str:
    """What a refused page tells this user to do, by role: the system administrator is never
    told to contact the system administrator."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return gettext("您没有访问此页面的权限。")
    scope = scope_of(user)
    if scope.awaiting_approval:
        return gettext("您的角色和负责范围正在等待街道党工委书记批准，批准后才能查看和办理记录。")
    if scope.role == Role.SYSADMIN:
        return gettext(
            "系统管理员账号只维护账号、角色和基础数据，不能查看或办理活动和诉求记录。"
            "如需办理业务，请使用您本人的业务账号登录。"
        )
    if scope.role == Role.SECRETARY:
        return gettext("此页面由街道系统管理员维护（账号和基础数据），如需修改请联系系统管理员。")
    return gettext(
        "这项工作不在您的角色或负责范围内。如需调整，请联系街道系统管理员，"
        "经街道党工委书记批准后生效。"
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the refusal in words that fit the user's role."""
    return render(request, "403.html", {"refusal": refusal_text(request.user)}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Shown instead of Django's English CSRF page: nothing was saved, go back and retry."""
    return render(request, "403_csrf.html", status=403)


# Only published-content photos live under media/photos/; anything else (private files of cases)
# is never served from /media/, even when this view is on.
PUBLIC_MEDIA_PREFIX = "photos/"


def public_media(request: HttpRequest, path: str) -> FileResponse:
    """Serve public photos when no web server does (`make serve`, small installations)."""
    if not path.startswith(PUBLIC_MEDIA_PREFIX):
        raise Http404
    try:
        # Joined under photos/ itself, so "photos/../private/x" cannot climb out of it.
        full = Path(
            safe_join(
                Path(settings.MEDIA_ROOT) / PUBLIC_MEDIA_PREFIX, path[len(PUBLIC_MEDIA_PREFIX) :]
            )
        )
    except SuspiciousFileOperation as exc:
        raise Http404 from exc
    if not full.is_file():
        raise Http404
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    response = FileResponse(full.open("rb"), content_type=content_type)
    # File names are random and never reused, so browsers may keep them for good.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
