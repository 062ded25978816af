"""Changelist rows as cards on a phone: each cell carries its column's title (data-label).

Django renders each cell of a changelist row as finished HTML (``<td class="field-status">…``);
templates/admin/portal/_card_results.html passes it here with the column headers, and the
stylesheet shows ``data-label`` as the caption of the value once a row becomes a card
(static/portal/css/admin.css, ≤ 600 px). At desktop widths nothing changes: the table stays.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

register = template.Library()

_OPENING = re.compile(r"^\s*<(td|th)\b")
# What Django and our display functions show for "nothing" (empty_value_display, "—").
EMPTY_VALUES = {"", "-", "—"}
# A boolean column whose icon says nothing on a card: the words it stands for there.
BOOLEAN_WORDS = {
    "is_published": (_("已公开"), _("待公开")),
}


@register.simple_tag
def card_cell(item: SafeString, headers: list[dict[str, Any]], index: int) -> SafeString:
    """The changelist cell `item` (column `index`), labelled with its header's text."""
    header = headers[index] if index < len(headers) else None
    if header is None or "action-checkbox-column" in str(header.get("class_attrib", "")):
        return item
    label = strip_tags(str(header.get("text", ""))).strip()
    html = str(item)
    for field, (yes, no) in BOOLEAN_WORDS.items():
        if f'class="field-{field}' in html and "<img " in html:
            word = yes if 'alt="True"' in html else no
            html = html.replace(
                "</td>", f'<span class="cl-card-word">{escape(word)}</span></td>', 1
            )
    attrs = f' data-label="{escape(label)}"' if label else ""
    if strip_tags(html).strip() in EMPTY_VALUES:
        attrs += " data-empty"  # a card may leave out a column with nothing to say
    return mark_safe(  # noqa: S308 - Django's own cell markup, plus escaped attributes
        _OPENING.sub(lambda m: f"<{m.group(1)}{attrs}", html, count=1)
    )
