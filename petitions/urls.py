"""Public URLs of the petitions app (stable: residents bookmark and print them)."""

from django.urls import path
from django.views.generic import RedirectView

from outreach.views import practice_views
from petitions import open311
from petitions.models import Reception
from petitions.public import views as public

app_name = "petitions"

reception_list, reception_detail = practice_views(
    Reception, prefetch=("officials", "advisers__team")
)

urlpatterns = [
    path("activities/receptions/", reception_list, name="reception-list"),
    path("activities/receptions/<int:pk>/", reception_detail, name="reception-detail"),
    # Residents: submit, receipt, track (POST only: the code never sits in a URL), results.
    path("requests/new/", public.request_new, name="request-new"),
    path("requests/receipt/", public.request_receipt, name="request-receipt"),
    path("requests/track/", public.request_track, name="request-track"),
    path("requests/track/result/", public.request_track_result, name="request-track-result"),
    path("requests/track/rate/", public.request_rate, name="request-rate"),
    # The tracking page's short address, for the SMS a resident is sent (petitions.receipt).
    path(
        "t/",
        RedirectView.as_view(pattern_name="petitions:request-track"),
        name="request-track-short",
    ),
    path("requests/results/", public.request_results, name="request-results"),
    # 网站纠错: every public page's 纠错 link (?url=<the page's path>); the receipt and the
    # tracking page are 我要反映's.
    path("jiucuo/", public.error_report, name="error-report"),
    path("open311/v2/requests.json", open311.requests_json, name="open311-requests"),
    # Staff: residents' photos are private files, served only through this checked view.
    path(
        "staff/cases/attachments/<int:pk>/<str:rendition>/",
        public.attachment_file,
        name="attachment-file",
    ),
]
