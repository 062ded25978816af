"""Template helpers for Chinese dates and relative days."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()

WEEKDAYS = "一二三四五六日"


def _local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def cn_weekday(value: date | datetime) -> str:
    """周五"""
    return f"周{WEEKDAYS[_local_date(value).weekday()]}"


@register.filter
def cn_date(value: date | datetime | None) -> str:
    """2026年11月27日"""
    if not value:
        return ""
    day = _local_date(value)
    return f"{day.year}年{day.month}月{day.day}日"


@register.filter
def cn_datetime(value: datetime | None) -> str:
    """2026年11月27日 14:30"""
    if not value:
        return ""
    return f"{cn_date(value)} {timezone.localtime(value):%H:%M}"


def relative_day_text(value: date | datetime, today: date | None = None) -> str:
    """今天 / 明天 / 后天 / 本周五 / 下周五 / 12月19日（周五）, as residents say it."""
    day = _local_date(value)
    today = today or timezone.localdate()
    delta = (day - today).days
    if delta == 0:
        return "今天"
    if delta == 1:
        return "明天"
    if delta == 2:
        return "后天"
    weekday = cn_weekday(day)
    monday = today.toordinal() - today.weekday()
    week = (day.toordinal() - monday) // 7
    if week == 0 and delta > 0:
        return f"本{weekday}"
    if week == 1:
        return f"下{weekday}"
    if day.year != today.year:
        return f"{day.year}年{day.month}月{day.day}日（{weekday}）"
    return f"{day.month}月{day.day}日（{weekday}）"


@register.filter
def relative_day(value: date | datetime) -> str:
    return relative_day_text(value)


@register.filter
def local_time(value: datetime) -> str:
    return f"{timezone.localtime(value):%H:%M}"
