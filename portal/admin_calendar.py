"""节假日与调休: the official calendar that working-day deadlines follow, editable by year."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.admin_base import PortalModelAdmin
from portal.models import CalendarDay

WEEKDAYS = (
    pgettext_lazy("weekday", "星期一"),
    pgettext_lazy("weekday", "星期二"),
    pgettext_lazy("weekday", "星期三"),
    pgettext_lazy("weekday", "星期四"),
    pgettext_lazy("weekday", "星期五"),
    pgettext_lazy("weekday", "星期六"),
    pgettext_lazy("weekday", "星期日"),
)


@admin.register(CalendarDay)
class CalendarDayAdmin(PortalModelAdmin):
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["-date"]

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WEEKDAYS[obj.date.weekday()])
