"""回执: the printable slip staff hand to a resident after registering their request.

It carries what the resident needs to follow the case and nothing more: the number, the tracking
code in large type, the date and community, what happens next and by when, where to track it
(address and QR code), and a short text to send by SMS or WeChat. No personal data beyond the
petitioner's masked name (none at all in a 检举控告, or where the user may not see the
petitioner). Reached from the registration and from the case page ("打印回执"), only for cases
in ``Case.objects.visible_to(user)`` (the admin's queryset): any other is a 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from petitions import receipt
from petitions.access import petitioner_hidden
from petitions.models import Case, CaseStatus, Triage
from petitions.privacy import petitioner, safe_title

# What happens next, as the public receipt says it (templates/petitions/request_receipt.html).
NEXT_OPEN = (
    _("工作人员核实后受理，并按事项类别确定办理方式。"),
    _("交给负责的社区、网格或部门办理，必要时会打电话向您了解情况。"),
    _("办结后答复您。您可以在“进度查询”中看到办理结果并评价；不满意的会重新办理。"),
)
NEXT_ON_THE_SPOT = (
    _("这件诉求已当场解决。"),
    _("您可以在“进度查询”中看到办理结果并评价；不满意的会重新办理。"),
)
NEXT_CONCLUDED = (
    _("这件诉求已办结。"),
    _("您可以在“进度查询”中看到办理结果并评价；不满意的会重新办理。"),
)
NEXT_NOT_ACCEPTED = (_("这件诉求不予受理，您可以在“进度查询”中看到理由。"),)


def next_steps(case: Case) -> tuple:
    if case.is_open:
        return NEXT_OPEN
    if case.status == CaseStatus.NOT_ACCEPTED:
        return NEXT_NOT_ACCEPTED
    return NEXT_ON_THE_SPOT if case.triage == Triage.ON_THE_SPOT else NEXT_CONCLUDED


def slip_url(case: Case) -> str:
    return reverse("admin:petitions_case_slip", args=[case.pk])


class CaseSlipMixin:
    """The slip's page on the case admin: ``<id>/slip/``."""

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/slip/",
                self.admin_site.admin_view(self.slip_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_slip",
            ),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)
    def slip_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        case = self.get_object(request, unquote(object_id))
        if case is None:
            raise Http404(_("没有这件诉求，或您无权查看。"))
        if not self.has_view_or_change_permission(request, case):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("诉求登记回执"),
            "subtitle": case.number,
            "opts": self.opts,
            "original": case,
            "has_view_permission": True,
            "change_url": reverse("admin:petitions_case_change", args=[case.pk]),
            **slip_context(request, case),
        }
        return TemplateResponse(request, "admin/petitions/case/slip.html", context)


def slip_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    track_url = request.build_absolute_uri(reverse("petitions:request-track"))
    party = petitioner(case)  # from the admin queryset's prefetch: no query
    hidden = case.is_accusation or petitioner_hidden(request.user, case)
    return {
        "case": case,
        "subdistrict": settings.PORTAL_SUBDISTRICT,
        "case_title": safe_title(case),
        "petitioner_masked": "" if hidden or party is None else party.person.masked_name,
        # The tracking page asks for the last four digits of the petitioner's phone.
        "can_track": party is not None and bool(party.person.phone),
        "deadline_text": receipt.deadline_text(case) if case.is_open else "",
        "next_steps": next_steps(case),
        "track_url": track_url,
        "qr_svg": receipt.qr_svg(track_url),
        "sms_text": receipt.sms_text(case, track_url=track_url),
    }
