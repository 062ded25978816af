"""Text as people type it: what cannot be seen is not content.

A name of zero-width spaces, a byte-order mark pasted from a word processor or a word joiner
shows as nothing on every page, yet Python's ``str.strip()`` keeps it, so a required field would
accept it. ``clean_text`` is the one rule for every text field of every form (through
``portal.forms.CleanTextMixin``) and for the services that take text directly: invisible
characters at either end are removed, and a value with nothing visible left is empty.

Invisible means white space, the Unicode format characters (category Cf: zero-width space and
joiners, BOM, word joiner, soft hyphen, direction marks), line and paragraph separators, and the
few letters and marks that render as blank (Hangul fillers, Braille blank, combining grapheme
joiner, variation selectors). Inside a text they stay: a zero-width joiner holds an emoji family
together, and a variation selector or tag character ending a text belongs to the emoji before it.
Control characters such as NUL are not invisible here: they are refused by the forms' validator
with their own message, never silently dropped.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext_lazy as _

# A note, reason, reply or comment: what one step of the work needs said.
TEXT_LIMIT = 2000
# Records written up at length: minutes, summaries, diaries, a letter's content.
LONG_TEXT_LIMIT = 20000
TOO_LONG = _("最多 %(limit_value)d 字（现在 %(show_value)d 字），请精简后再提交。")

# Blank-looking characters outside the format and separator categories.
_BLANK_LOOKING = frozenset(
    "\u034f"  # combining grapheme joiner
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u17b4\u17b5"  # Khmer inherent vowels
    "\u180b\u180c\u180d\u180f"  # Mongolian free variation selectors
    "\u2800"  # Braille pattern blank
)
_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp"})


def _variation_selector(ch: str) -> bool:
    code = ord(ch)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _tag(ch: str) -> bool:
    return 0xE0020 <= ord(ch) <= 0xE007F


def is_invisible(ch: str) -> bool:
    """Whether one character shows as nothing (see the module's docstring)."""
    return (
        ch.isspace()
        or unicodedata.category(ch) in _CATEGORIES
        or ch in _BLANK_LOOKING
        or _variation_selector(ch)
    )


def clean_text(value: Any) -> str:
    """``value`` as text without invisible characters at either end; "" when nothing visible
    is left (None counts as empty)."""
    if value is None:
        return ""
    text = str(value)
    start, end = 0, len(text)
    while start < end and is_invisible(text[start]):
        start += 1
    # Something visible is left: a selector or an emoji tag sequence ending the text belongs
    # to the character before it (❤️, the flag of Scotland).
    while end > start:
        ch = text[end - 1]
        if not is_invisible(ch) or _variation_selector(ch):
            break
        if _tag(ch) and _tag_sequence(text[start:end]):
            break
        end -= 1
    return text[start:end]


_TAGS = "".join(chr(code) for code in range(0xE0020, 0xE0080))


def _tag_sequence(text: str) -> bool:
    """The tag characters ending ``text`` follow a black flag: one emoji (🏴 + tags)."""
    return text.rstrip(_TAGS).endswith("\U0001f3f4")


def is_blank(value: Any) -> bool:
    """Nothing visible: empty, white space, or invisible characters only."""
    return not clean_text(value)


def too_long(text: str, limit: int) -> str:
    """The message for ``text`` over ``limit`` characters ("" when it is within)."""
    if len(text) <= limit:
        return ""
    return str(TOO_LONG % {"limit_value": limit, "show_value": len(text)})
