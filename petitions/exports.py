"""导出Excel: cases as an .xlsx, streamed, with no row cap, headers in the reader's language
(Chinese by default) and masked people.

XlsxWriter's ``constant_memory`` mode writes each row out as it goes, so memory stays flat for
any number of rows; the finished file is streamed from a temporary file. Every text cell is
written with ``write_string`` (and ``strings_to_formulas`` is off), so a title such as
``=HYPERLINK(...)`` stays text and never runs as a formula. Personal data is always masked here
(the role matrix grants exports masked only); the export is logged with
``petitions.services.record_export``.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from petitions.display import due_of, staff_label, triage_shown
from petitions.models import Case
from petitions.privacy import masked_person, petitioner, safe_title
from petitions.services import record_export
from portal import clock
from portal.actors import Viewer
from portal.privacy import scrub

CHUNK = 500

COLUMNS: list[tuple[Any, int]] = [
    (_("编号"), 13),
    (_("收到时间"), 17),
    (_("事项类型"), 10),
    (_("检举控告"), 8),
    (_("来源渠道"), 10),
    (_("诉求分类"), 12),
    (_("社区"), 12),
    (_("网格"), 18),
    (_("诉求摘要"), 40),
    (_("分类办理"), 10),
    (_("状态"), 12),
    (_("承办人"), 22),
    (_("当前期限"), 11),
    (_("期限情况"), 12),
    (_("信访人"), 16),
    (_("联系电话"), 16),
    (_("受理时间"), 17),
    (_("办结时间"), 17),
    (_("回访评价"), 10),
    (_("重办次数"), 8),
    (_("督办"), 6),
    (_("按时签收"), 8),
    (_("按时办结"), 8),
]


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return gettext("是") if value else gettext("否")


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: write the Shanghai wall-clock time, to the second.
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def case_row(case: Case, user: Viewer) -> list[Any]:
    """One row as the user may see it: masked personal data, scrubbed free text."""
    name, phone = masked_person(user, case, petitioner(case))
    due = due_of(case)
    return [
        case.number,
        _local(case.received_at),
        case.get_kind_display(),
        _yes_no(case.is_accusation),
        case.get_channel_display(),
        case.category.name,
        case.community.name,
        str(case.grid) if case.grid_id else "",
        safe_title(case),
        triage_shown(case),
        case.get_status_display(),
        staff_label(case.handler),
        due.day,
        due.text if due.day else "",
        name,
        phone,
        _local(case.accepted_at),
        _local(case.concluded_at),
        case.get_satisfaction_display() if case.satisfaction else "",
        case.redo_count,
        _yes_no(case.is_supervised),
        _yes_no(case.signed_on_time),
        _yes_no(case.concluded_on_time),
    ]


def write_cases(queryset: QuerySet, user: Viewer, target: Any) -> list[int]:
    """Writes the workbook to `target` (a path or binary file); returns the ids of the cases
    written, in row order."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    sheet = workbook.add_worksheet(pgettext("spreadsheet name", "诉求"))
    header = workbook.add_format({"bold": True, "bg_color": "#F2E6E6", "border": 1})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, (title, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, str(title), header)
    sheet.freeze_panes(1, 1)
    written: list[int] = []
    for case in queryset.for_admin_list().iterator(chunk_size=CHUNK):
        written.append(case.pk)
        row = len(written)
        for col, value in enumerate(case_row(case, user)):
            if value is None or value == "":
                sheet.write_blank(row, col, None)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, col, value, moment)
            elif isinstance(value, date):
                sheet.write_datetime(row, col, value, day)
            elif isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))
    workbook.close()
    return written


def export_response(queryset: QuerySet, *, user: Viewer, filters: str) -> FileResponse:
    """The .xlsx as a download; the export is logged before the first byte leaves."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it when streamed
    written = write_cases(queryset, user, handle)
    handle.seek(0)
    # A search term may itself be a phone number: the log keeps it masked. The log is a record:
    # its words stay in Chinese whatever language the exporter reads.
    record_export(
        user, what="诉求", filters=scrub(filters or "全部"), case_ids=written, masked=True
    )
    stamp = clock.localnow().strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=gettext("诉求导出-%(stamp)s.xlsx") % {"stamp": stamp},
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
