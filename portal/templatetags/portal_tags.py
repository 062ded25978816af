"""Template helpers for dates, relative days and lists of names, in the active language.

The filters keep their historical ``cn_`` names (templates use them); in Chinese they give
"2026年11月27日", "周五", "本周五", in English "27 Nov 2026", "Fri", "this Friday". The formats
are Django date formats marked for translation, so a language only needs its catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext, pgettext_lazy

from portal import clock, pagecache
from portal.actors import User
from portal.formats import cn_date, cn_period, list_separator, local_date
from portal.people import display_name
from portal.privacy import public_text

register = template.Library()
# The plain functions of portal.formats, as filters and tags under the names templates use.
register.filter("cn_date", cn_date)
register.simple_tag(cn_period, name="cn_period")


class SharedBlockNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, topics: tuple[str, ...]) -> None:
        self.nodelist, self.name, self.topics = nodelist, name, topics

    def render(self, context: template.Context) -> str:
        html = pagecache.shared_block(
            self.name, self.topics, lambda: self.nodelist.render(context), context.get("request")
        )
        return mark_safe(html)  # noqa: S308 - the block's own template output


@register.tag(name="shared_block")
def shared_block_tag(parser: template.base.Parser, token: template.base.Token) -> SharedBlockNode:
    """``{% shared_block "name" "topic" … %}…{% endshared_block %}``: the enclosed HTML, kept
    while none of the topics changed (``portal.pagecache.shared_block``). What it shows must
    depend only on those topics, the language and the day — nothing of the request."""
    bits = token.split_contents()[1:]
    if not bits or any(len(b) < 2 or b[0] != b[-1] or b[0] not in "\"'" for b in bits):
        raise template.TemplateSyntaxError("shared_block takes a quoted name and quoted topics")
    nodelist = parser.parse(("endshared_block",))
    parser.delete_first_token()
    name, *topics = (b[1:-1] for b in bits)
    return SharedBlockNode(nodelist, name, tuple(topics))


@register.filter(name="display_name")
def display_name_filter(user: User | None) -> str:
    """{{ user|display_name }}: the person's name, not the login (portal.people)."""
    return display_name(user)


# 周一 … 周日: short ("Fri") for dates, long ("Friday") inside "本周五" / "下周五".
SHORT_WEEKDAYS = (
    pgettext_lazy("short weekday", "周一"),
    pgettext_lazy("short weekday", "周二"),
    pgettext_lazy("short weekday", "周三"),
    pgettext_lazy("short weekday", "周四"),
    pgettext_lazy("short weekday", "周五"),
    pgettext_lazy("short weekday", "周六"),
    pgettext_lazy("short weekday", "周日"),
)
WEEKDAYS = (
    pgettext_lazy("weekday", "周一"),
    pgettext_lazy("weekday", "周二"),
    pgettext_lazy("weekday", "周三"),
    pgettext_lazy("weekday", "周四"),
    pgettext_lazy("weekday", "周五"),
    pgettext_lazy("weekday", "周六"),
    pgettext_lazy("weekday", "周日"),
)


def _local_moment(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter(name="public_text")
def public_text_filter(value: str | None) -> str:
    """Staff-written text on a public page: no phone or ID number, no home's door
    (``portal.privacy.public_text``)."""
    return public_text(value or "")


@register.filter
def cn_weekday(value: date | datetime) -> str:
    """周五 / Fri"""
    return str(SHORT_WEEKDAYS[local_date(value).weekday()])


@register.filter
def cn_datetime(value: datetime | None) -> str:
    """2026年11月27日 14:30 / 27 Nov 2026 14:30"""
    if not value:
        return ""
    # Translators: a Django date format for a date with the time of day.
    return dateformat.format(_local_moment(value), pgettext("date format", "Y年n月j日 H:i"))


def date_with_weekday(value: date | datetime) -> str:
    """2026年11月27日（周五） / 27 Nov 2026 (Fri)"""
    return gettext("%(date)s（%(weekday)s）") % {
        "date": cn_date(value),
        "weekday": cn_weekday(value),
    }


def relative_day_text(value: date | datetime, today: date | None = None) -> str:
    """今天 / 明天 / 后天 / 本周五 / 下周五 / 12月19日（周五）, as residents say it.

    In English: today / tomorrow / the day after tomorrow / this Friday / next Friday /
    19 Dec (Fri).
    """
    day = local_date(value)
    today = today or clock.today()
    delta = (day - today).days
    if delta == 0:
        return pgettext("relative day", "今天")
    if delta == 1:
        return pgettext("relative day", "明天")
    if delta == 2:
        return pgettext("relative day", "后天")
    weekday = WEEKDAYS[day.weekday()]
    monday = today.toordinal() - today.weekday()
    week = (day.toordinal() - monday) // 7
    if week == 0 and delta > 0:
        return pgettext("relative day", "本%(weekday)s") % {"weekday": weekday}
    if week == 1:
        return pgettext("relative day", "下%(weekday)s") % {"weekday": weekday}
    if day.year != today.year:
        when = cn_date(day)
    else:
        # Translators: a Django date format for a date in the current year (no year shown).
        when = dateformat.format(day, pgettext("date format", "n月j日"))
    return gettext("%(date)s（%(weekday)s）") % {"date": when, "weekday": cn_weekday(day)}


@register.filter
def relative_day(value: date | datetime) -> str:
    return relative_day_text(value)


@register.filter
def local_time(value: datetime) -> str:
    return f"{timezone.localtime(value):%H:%M}"


@register.simple_tag(name="list_separator")
def list_separator_tag() -> str:
    return list_separator()


@register.filter(needs_autoescape=True)
def join_names(values: Iterable[Any] | None, attr: str = "", autoescape: bool = True) -> str:
    """{{ officials|join_names:"public_label" }} → 苏和、李慧敏 / Su He, Li Huimin.

    Each item (or its ``attr``) is escaped; the result is safe HTML.
    """
    escape = conditional_escape if autoescape else str
    names = [getattr(value, attr) if attr else value for value in values or ()]
    return mark_safe(  # noqa: S308 - every piece is escaped above
        escape(list_separator()).join(escape(str(n)) for n in names if n not in (None, ""))
    )
