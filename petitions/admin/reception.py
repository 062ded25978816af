"""信访接待下基层 in the back office: the same screen as the outreach practices."""

from __future__ import annotations

from django.contrib import admin

from outreach.admin import ActivityAdmin, MonthFilter, photo_inline
from petitions.models import Reception, ReceptionPhoto


@admin.register(Reception)
class ReceptionAdmin(ActivityAdmin):
    list_display = [
        *ActivityAdmin.list_display[:2],
        "kind",
        "community",
        "residents_served",
        "status",
        "is_published",
    ]
    list_filter = ["status", MonthFilter, "kind", "community", "is_published"]
    autocomplete_fields = [*ActivityAdmin.autocomplete_fields, "officials", "advisers"]
    practice_fields = ["kind", "officials", "advisers"]
    result_fields = ["residents_served"]
    first_fields = ["residents_served"]
    case_source_param = "reception"
    inlines = [photo_inline(ReceptionPhoto)]
    # The practices' one change form (status buttons), although the model lives in petitions.
    change_form_template = "admin/outreach/change_form.html"
