"""Personal data: canonical phone and ID numbers, masking, and scrubbing free text.

Numbers are normalised with NFKC (full-width ８ → 8) and then must consist of ASCII digits only:
Python's ``\\d`` also matches other scripts' digits, so every pattern here uses ``[0-9]``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _

MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}")
ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_SEPARATORS = re.compile(r"[\s\-－—()（）+]")

# In free text, not glued to other digits: an 11-digit mobile number, also as people write it
# (139 1234 5678, 139-1234-5678, 139.1234.5678, +86 139…); an 18-character ID number, also grouped
# 6-8-4, and an old 15-digit one (still on many elderly residents' papers); a landline with its
# area code.
_GAP = r"[ .\-]?"
_TEXT_MOBILE = re.compile(
    rf"(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:{_GAP}[0-9]){{8}}(?![0-9])"
)
_TEXT_ID = re.compile(rf"(?<![0-9])[0-9]{{6}}{_GAP}[0-9]{{8}}{_GAP}[0-9]{{3}}[0-9Xx](?![0-9])")
_TEXT_OLD_ID = re.compile(rf"(?<![0-9])[0-9]{{6}}{_GAP}[0-9]{{6}}{_GAP}[0-9]{{3}}(?![0-9])")
_TEXT_LANDLINE = re.compile(r"(?<![0-9])0[0-9]{2,3}[ -]?[0-9]{7,8}(?![0-9])")
_TEXT_NUMBERS = (_TEXT_ID, _TEXT_MOBILE, _TEXT_OLD_ID, _TEXT_LANDLINE)
# A home's door: 12号楼3单元501(室), 5栋2单元, 3单元502室. Hidden only where every trace of who
# wrote must go (``hide_numbers``): elsewhere the place of a problem is what staff work with.
_TEXT_DOOR = re.compile(
    r"[0-9一二三四五六七八九十]+\s*(?:号楼|栋|幢)(?:\s*[0-9]+\s*单元)?(?:\s*[0-9]+\s*(?:室|号|户)?)?"
    r"|[0-9]+\s*单元\s*[0-9]+\s*(?:室|号|户)?"
)
# A name or number already masked (郑**, 139****5678, 1501**********1234, 0471-****801): where
# nothing may narrow down who wrote (``hide_numbers``), the surname and digits left go too.
_TEXT_MASKED = re.compile(r"(?:[0-9]{2,4}-?|[\u3400-\u9fff])?\*{2,}[0-9Xx]*")
# What stands for a number or a name that must not be narrowed down at all (the accuser of a
# 检举控告, see petitions.privacy.safe_text).
HIDDEN = "***"


def _digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text).upper()


class InvalidNumber(ValueError):
    """The message is shown to the user as it is."""


def normalise_digits(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def canonical_phone(value: str) -> str:
    """A mobile (13912345678) or landline (0471-6521801) number, or InvalidNumber."""
    text = normalise_digits(value)
    if text.startswith("+86"):
        text = text[3:]
    compact = _SEPARATORS.sub("", text)
    if MOBILE.fullmatch(compact):
        return compact
    if LANDLINE.fullmatch(compact) and compact.isascii():
        area = (
            3
            if compact[:3] in {"010", "020", "021", "022", "023", "024", "025", "027", "028", "029"}
            else 4
        )
        return f"{compact[:area]}-{compact[area:]}"
    raise InvalidNumber(_("请填写正确的手机号码（11 位数字）或带区号的固定电话。"))


def id_check_digit(first17: str) -> str:
    """The check digit (ISO 7064 MOD 11-2) of an ID number's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def canonical_id_number(value: str) -> str:
    """An 18-character resident ID number with a valid birth date and check digit."""
    text = _SEPARATORS.sub("", normalise_digits(value)).upper()
    if not ID_NUMBER.fullmatch(text):
        raise InvalidNumber(_("身份证号码应为 18 位（最后一位可以是 X）。"))
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError as exc:
        raise InvalidNumber(_("身份证号码中的出生日期不正确。")) from exc
    if id_check_digit(text[:17]) != text[17]:
        raise InvalidNumber(_("身份证号码校验位不正确，请核对。"))
    return text


def mask_name(name: str) -> str:
    """田会平 → 田**. Only a letter is ever shown: a name typed before names were checked
    (``<b>王</b>``) is all stars, never a markup character."""
    name = (name or "").strip()
    if not name:
        return ""
    first = name[0] if unicodedata.category(name[0])[0] == "L" else "*"
    return first + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13912345678 → 139****5678; 0471-6521801 → 0471-****801"""
    if not phone:
        return ""
    if MOBILE.fullmatch(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    area, _sep, number = phone.partition("-")
    if number:
        return f"{area}-{'*' * (len(number) - 3)}{number[-3:]}"
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_id_number(value: str) -> str:
    """150102199003071234 → 1501**********1234"""
    if not value:
        return ""
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


# Full-width digits, letters and hyphens → ASCII, one character for one, so positions found in
# the translated text are positions in the original (NFKC could change the length).
_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "－": "-",
        "．": ".",
        "\u3000": " ",
    }
)


def scrub(
    text: str,
    *,
    names: Iterable[str] = (),
    hidden_names: Iterable[str] = (),
    hide_numbers: bool = False,
) -> str:
    """Mask phone and ID numbers, and the given full names, wherever they appear in free text.

    ``names`` keep their surname (田**); ``hidden_names`` and, with ``hide_numbers``, every number
    and home door (12号楼3单元501) become *** so that nothing is left to narrow down who it was.
    Everything else is left exactly as written (Chinese punctuation included).
    """
    if not text:
        return text
    plain = text.translate(_WIDTH)
    spans: list[tuple[int, int, str]] = []
    patterns = [
        (_TEXT_ID, lambda s: mask_id_number(_digits(s))),
        (_TEXT_MOBILE, lambda s: mask_phone(_digits(s)[-11:])),
        (_TEXT_OLD_ID, lambda s: mask_id_number(_digits(s))),
        (_TEXT_LANDLINE, lambda s: mask_phone(s.replace(" ", "-"))),
    ]
    if hide_numbers:
        patterns += [(_TEXT_DOOR, lambda s: HIDDEN), (_TEXT_MASKED, lambda s: HIDDEN)]
    for pattern, mask in patterns:
        for match in pattern.finditer(plain):
            if not any(start < match.end() and match.start() < end for start, end, _m in spans):
                masked = HIDDEN if hide_numbers else mask(match.group(0))
                spans.append((match.start(), match.end(), masked))
    for start, end, masked in sorted(spans, reverse=True):
        text = text[:start] + masked + text[end:]
    hidden = {n.strip() for n in hidden_names if n and len(n.strip()) >= 2}
    replacements = {n.strip(): mask_name(n) for n in names if n and len(n.strip()) >= 2}
    replacements.update(dict.fromkeys(hidden, HIDDEN))
    for name in sorted(replacements, key=len, reverse=True):
        text = text.replace(name, replacements[name])
    return text


# What may stand next to a number in free text: "电话：", "手机号", "身份证号码是" …
_NUMBER_LABEL = r"(?:(?:联系)?(?:电话|手机|座机|固话|方式|身份证)(?:号码|号)?(?:是|为)?[:：]?\s*)?"
_EMPTY_BRACKETS = re.compile(r"[（(]\s*[，,、;；\s]*[)）]")
_PAUSES = re.compile(r"([，,、；;])[，,、；;\s]+")
_PAUSE_BEFORE_STOP = re.compile(r"[，,、；;\s]+([。.！!？?]|$)")


# Below a building, down to a home's door: the unit with its floor and room (3单元301室,
# 2单元5层), a floor and room (5层502, 301室), a bare room number after a building (4号楼301),
# the 4-3-301 shorthand, and a street door number (凤凰路18号). What says where a problem is
# stays: the compound, the building (4号楼, 5栋, 3号院), a unit's stairwell (2单元楼道), the
# street. The building or street (the first group that took part) is kept.
_CN_NUMBER = r"[0-9一二三四五六七八九十两〇零]+"
_NOT_A_COUNT = r"(?![0-9户人个名位天次家件辆台元米])"
_ROOM_WORD = r"(?:室|房间?|号(?![楼院]))"
# A room on its own: three or four digits (12户 counts households, 12月3号 is a date).
_ROOM = rf"(?<![0-9])[0-9]{{3,4}}\s*{_ROOM_WORD}"
# A floor with a room on it (5层502, 3楼301, 五层五〇二); a floor alone (3楼楼道) stays.
_FLOOR_ROOM = (
    rf"{_CN_NUMBER}\s*[层楼](?![道下前后顶房梯])\s*-?\s*"
    rf"(?:[0-9]{{3,4}}(?:\s*{_ROOM_WORD})?{_NOT_A_COUNT}|{_CN_NUMBER}\s*{_ROOM_WORD}|[一二三四五六七八九〇零]{{3,4}})"
)
# A unit (单元, or 门 as some compounds say) with a floor or a room in it (a unit alone,
# 2单元楼道, says where a problem is).
_UNIT = (
    rf"第?{_CN_NUMBER}\s*(?:单元|门(?![前口外内卫岗]))\s*-?\s*"
    rf"(?:{_CN_NUMBER}\s*[层楼](?![道下前后顶房梯])"
    rf"(?:\s*-?\s*{_CN_NUMBER}\s*{_ROOM_WORD}?)?|{_CN_NUMBER}\s*{_ROOM_WORD}?)"
)
# The 4-3-301 shorthand (building-unit-room), spaces allowed around the dashes.
_SHORTHAND = r"(?<![0-9-])[0-9]{1,3}\s*-\s*[0-9]{1,2}\s*-\s*[0-9]{3,4}(?![0-9-])"
_TEXT_PUBLIC_DOOR = re.compile(
    rf"({_CN_NUMBER}\s*(?:号楼|栋|幢|座|#))\s*-?\s*"
    rf"(?:{_UNIT}|{_FLOOR_ROOM}|[0-9]{{1,2}}\s*-\s*[0-9]{{3,4}}(?![0-9-])"
    rf"|[0-9]{{3,4}}\s*{_ROOM_WORD}?{_NOT_A_COUNT})"
    rf"|()(?:{_SHORTHAND}|{_UNIT}|{_FLOOR_ROOM}|{_ROOM})"
    rf"|((?:路|街|巷|道|弄|胡同))\s*[0-9]+\s*号(?![楼院])(?:\s*[0-9]+\s*室)?"
)


def without_doors(text: str) -> str:
    """`text` with every home's door (see _TEXT_PUBLIC_DOOR) removed, buildings and streets
    kept: 住凤凰商住楼4号楼3单元301室 → 住凤凰商住楼4号楼."""
    if not text:
        return text
    plain = text.translate(_WIDTH)
    spans = []
    for match in _TEXT_PUBLIC_DOOR.finditer(plain):
        kept = next((g for g in match.groups() if g is not None), "")
        spans.append((match.start() + len(kept), match.end()))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    return text


def public_text(text: str, *, names: Iterable[str] = ()) -> str:
    """Free text fit for a public page: numbers removed with their labels, every home's door
    (3单元301室) with them, and each given full name reduced to the surname and 某 (田会平 →
    田某), the usual form in published decisions.

    Unlike `scrub`, nothing of a number is left: a masked 139****5678 in public still narrows
    who it was.
    """
    if not text:
        return text
    plain = text.translate(_WIDTH)
    spans: list[tuple[int, int]] = []
    for pattern in _TEXT_NUMBERS:
        labelled = re.compile(_NUMBER_LABEL + pattern.pattern)
        for match in labelled.finditer(plain):
            if not any(start < match.end() and match.start() < end for start, end in spans):
                spans.append((match.start(), match.end()))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    doorless = without_doors(text)
    if spans or doorless != text:
        text = _EMPTY_BRACKETS.sub("", doorless)
        text = _PAUSE_BEFORE_STOP.sub(r"\1", _PAUSES.sub(r"\1", text)).lstrip("，,、；; ")
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(name, f"{name[0]}某")
    return text.strip()
