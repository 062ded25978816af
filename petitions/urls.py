"""Public URLs of the petitions app (stable: residents bookmark and print them)."""

from django.urls import path

from outreach.views import practice_views
from petitions.models import Reception

app_name = "petitions"

reception_list, reception_detail = practice_views(
    Reception, prefetch=("officials", "advisers__team")
)

urlpatterns = [
    path("activities/receptions/", reception_list, name="reception-list"),
    path("activities/receptions/<int:pk>/", reception_detail, name="reception-detail"),
]
