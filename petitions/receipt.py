"""What a resident takes away from registering a case: the deadline sentence, the QR code of the
tracking page and the short text to send by SMS or WeChat. Shared by the public receipt (我要反映)
and the printable slip staff hand over (回执, petitions.admin.slip).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from petitions.models import Case, CaseKind
from portal.formats import cn_date

# One SMS segment holds 70 characters once any Chinese is in it; a longer text is sent (and
# billed) as several and may arrive out of order.
SMS_LIMIT = 70


def deadline_text(case: Case) -> str:
    """The limit the resident is promised now, worded as the tracking page words it."""
    if case.kind != CaseKind.ORDINARY and case.accept_due:
        return gettext("按规定应在 %(due)s前告知您是否受理") % {"due": cn_date(case.accept_due)}
    if case.conclude_due:
        return gettext("按规定应在 %(due)s前办结") % {"due": cn_date(case.conclude_due)}
    return ""


def qr_svg(url: str) -> str:
    """The tracking page's address as an inline SVG QR code (no image request, CSP-safe).

    Only the page address: the tracking code never goes into a URL.
    """
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(
        scale=4,
        border=2,
        dark="#1f2328",
        title=gettext("扫码打开进度查询页"),
        svgclass="receipt-qr__svg",
    )


def short_address(track_url: str) -> str:
    """The tracking page's short address as typed into a browser: host and ``/t`` (which
    redirects to the tracking page), without the scheme."""
    return urlsplit(track_url).netloc + reverse("petitions:request-track-short").rstrip("/")


def sms_text(case: Case, *, track_url: str) -> str:
    """【凤凰岭街道】您的诉求已登记，编号…，查询码…，凭查询码和手机号后4位在fhl.cn/t查询。

    At most SMS_LIMIT characters, and it says what the slip says: the code and the last four
    digits of the phone, at the tracking page's short address. Where the address does not fit
    it gives way to nothing but the case number (the code is what tracking needs), then to the
    page's name. Always in Chinese: it goes to the resident, whatever language staff read the
    site in."""
    site, code = settings.PORTAL_SUBDISTRICT, case.formatted_tracking_code
    heads = [
        f"【{site}】您的诉求已登记，编号{case.number}，查询码{code}，",
        f"【{site}】诉求已登记，编号{case.number}，查询码{code}，",
        f"【{site}】诉求已登记，查询码{code}，",
    ]
    tail = f"凭查询码和手机号后4位在{short_address(track_url)}查询。"
    for head in heads:
        if len(head) + len(tail) <= SMS_LIMIT:
            return head + tail
    fallback = heads[-1] + "凭查询码和手机号后4位在网站“进度查询”查看。"
    return fallback[:SMS_LIMIT]
