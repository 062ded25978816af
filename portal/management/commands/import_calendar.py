"""Import newly published holiday arrangements (after upgrading chinesecalendar)."""

from django.core.management.base import BaseCommand

from portal.calendar_data import import_calendar
from portal.models import CalendarDay


class Command(BaseCommand):
    help = "导入 chinesecalendar 包中已公布的法定节假日和调休上班日（已有的不重复导入）。"

    def handle(self, *args: object, **options: object) -> None:
        created = import_calendar(CalendarDay)
        self.stdout.write(f"新增 {created} 天。")
