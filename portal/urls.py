"""URL map. Public URLs are stable: residents bookmark and print them (a page moves only with a
redirect from its old address)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from portal import views
from portal.news import urls as news_urls
from portal.pagecache import public_page
from portal.sitemaps import SITEMAPS

portal_patterns = [
    path("", views.home, name="home"),
    path("prefs/text-size/", views.text_size, name="text-size"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        public_page(topics=("news", "outreach", "results"))(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    *news_urls.urlpatterns,
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("activities/", include("outreach.urls")),
    path("", include("petitions.urls")),
    # No token: it only sets a display preference, and pages stay cacheable (portal.pagecache).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

if settings.PORTAL_SERVE_MEDIA:
    urlpatterns.append(path("media/<path:path>", views.public_media, name="public-media"))
handler403 = "portal.views.permission_denied"
