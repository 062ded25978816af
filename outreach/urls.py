"""Public URLs of the outreach practices (stable: residents bookmark and print them)."""

from django.urls import path
from django.views.generic import RedirectView

from outreach import views
from outreach.models import PRACTICE_MODELS

app_name = "outreach"

urlpatterns = [
    # Someone trimming the address to /activities/ lands on what comes next.
    path("", RedirectView.as_view(pattern_name="outreach:upcoming"), name="index"),
    path("upcoming/", views.upcoming, name="upcoming"),
    path("upcoming.ics", views.upcoming_ics, name="upcoming-ics"),
]
for _model in PRACTICE_MODELS:
    _list, _detail = views.practice_views(_model)
    _name = _model._meta.model_name
    urlpatterns += [
        path(f"{_model.practice}/", _list, name=f"{_name}-list"),
        path(f"{_model.practice}/<int:pk>/", _detail, name=f"{_name}-detail"),
    ]
