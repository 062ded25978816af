"""Date and time fields that phones show as pickers and that still read what a person types.

Django's admin splits a moment into two text boxes with a JavaScript calendar beside them; on a
phone both are fiddly. Here the two parts are ``<input type="date">`` and ``<input type="time">``,
which phones draw as their own pickers and desktop browsers as segmented fields. Browsers without
them show plain text boxes, so the server still reads typed dates the way people write them
(2026-11-25, 2026/11/25, 2026年11月25日, full-width digits; 14:30, 14：30, 14点30分). A value that
cannot be read comes back in a plain text box with a Chinese message, as typed: a date input would
silently blank it.

The field names stay Django's (``starts_at_0`` for the date, ``starts_at_1`` for the time).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M", "%H点%M分", "%H时%M分", "%H点", "%H时"]
# The values a date or time input holds (and sends): anything else was typed into a text box.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_TIME = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?")


def _pickable(value: Any, pattern: re.Pattern, parse: Any) -> bool:
    """Whether a picker can show this value; it would show anything else as empty."""
    text = str(value)
    if not pattern.fullmatch(text):
        return False
    try:
        parse(text)
    except ValueError:
        return False
    return True


# A slip of the year (0026, 1926) would file a record decades away from every list.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _as_typed(value: Any) -> Any:
    """Full-width digits and punctuation (２０２６－１１－２５, １４：３０) read as ASCII ones."""
    if not isinstance(value, str):
        return value
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


class PickerDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"aria-label": _("日期"), **(attrs or {})}, format="%Y-%m-%d")

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        shown = context["widget"]["value"]
        if shown and not _pickable(shown, _ISO_DATE, date.fromisoformat):
            context["widget"]["type"] = "text"  # keep what was typed on screen
        return context


class PickerTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"aria-label": _("时间"), **(attrs or {})}, format="%H:%M")

    def format_value(self, value: Any) -> Any:
        # Seconds stay when there are any: dropping them would make saving an untouched page
        # look like a change of time.
        if isinstance(value, time) and (value.second or value.microsecond):
            return value.strftime("%H:%M:%S")
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        shown = context["widget"]["value"]
        if shown and not _pickable(shown, _ISO_TIME, time.fromisoformat):
            context["widget"]["type"] = "text"
        return context


class PickerSplitDateTimeWidget(forms.SplitDateTimeWidget):
    """A date picker and a time picker side by side (they wrap on a narrow screen)."""

    def __init__(self, attrs: dict | None = None, **_ignored: Any) -> None:
        attrs = {"class": "picker", **(attrs or {})}
        forms.MultiWidget.__init__(self, [PickerDateInput(attrs), PickerTimeInput(attrs)])


class _TypedDateField(forms.DateField):
    def to_python(self, value: Any) -> date | None:
        day = super().to_python(_as_typed(value))
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(_("年份不正确，请检查日期。"), code="invalid_year")
        return day


class _TypedTimeField(forms.TimeField):
    def to_python(self, value: Any) -> time | None:
        return super().to_python(_as_typed(value))


class PickerSplitDateTimeField(forms.SplitDateTimeField):
    """A moment from a date picker and a time picker; typed values are read too."""

    widget = PickerSplitDateTimeWidget
    default_error_messages = {
        "invalid_date": _("请输入正确的日期，如 2026-11-25。"),
        "invalid_time": _("请输入正确的时间，如 14:30。"),
        "incomplete": _("请同时填写日期和时间。"),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("input_date_formats", None)
        kwargs.pop("input_time_formats", None)
        # Error messages are collected along the class hierarchy; the subfields get theirs here.
        messages = {}
        for cls in reversed(type(self).__mro__):
            messages.update(getattr(cls, "default_error_messages", {}))
        messages.update(kwargs.get("error_messages") or {})
        localize = kwargs.get("localize", False)
        fields = (
            _TypedDateField(
                input_formats=DATE_FORMATS,
                error_messages={"invalid": messages["invalid_date"]},
                localize=localize,
            ),
            _TypedTimeField(
                input_formats=TIME_FORMATS,
                error_messages={"invalid": messages["invalid_time"]},
                localize=localize,
            ),
        )
        forms.MultiValueField.__init__(self, fields, **kwargs)

    def clean(self, value: Any) -> datetime | None:
        # One part filled and the other not: say which is missing rather than "required".
        if isinstance(value, (list, tuple)) and len(value) == 2:
            filled = [part not in self.empty_values for part in value]
            if any(filled) and not all(filled):
                raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        return super().clean(value)
