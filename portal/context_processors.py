"""Template context every public page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from portal.navigation import nav_links

TEXT_SIZE_COOKIE = "portal_text_size"


def site(request: HttpRequest) -> dict:
    return {
        "site_name": settings.PORTAL_SITE_NAME,
        "subdistrict": settings.PORTAL_SUBDISTRICT,
        "nav_links": nav_links(),
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
        "site_footer": {
            "organizer": settings.PORTAL_SITE_ORGANIZER,
            "contact": settings.PORTAL_SITE_CONTACT,
            "icp": settings.PORTAL_ICP_NUMBER,
            "site_code": settings.PORTAL_SITE_CODE,
            "psb": settings.PORTAL_PSB_NUMBER,
        },
    }
