"""Validators: person names, and the password rules chosen for 等保 2.0 level 2 (see README
"Security choices")."""

from __future__ import annotations

import string
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The middle dot of ethnic-minority and foreign names (阿依古丽·买买提), as phones type it:
# U+00B7 (the standard one), the katakana and bullet look-alikes, and the full-width dot.
NAME_DOTS = frozenset("\u00b7\u30fb\u2022\uff0e")
# Inside Latin names only: Jean-Luc, O'Neil.
NAME_JOINERS = frozenset("-'\u2019")
PERSON_NAME_MIN = 2


@deconstructible
class PersonNameValidator:
    """A person's name: letters of any script (汉字 included, the rare ones beyond the basic
    plane too), the middle dot, and single spaces between parts. No digits, punctuation, angle
    brackets or emoji: a name is shown masked (田**) to many people, and markup or a phone
    number inside it would reach them."""

    message = gettext_lazy(
        "姓名只能由汉字或字母组成，少数民族或外国姓名可用间隔号“·”和空格分隔"
        "（如 阿依古丽·买买提），不能含数字、符号或表情。"
    )
    short_message = gettext_lazy("姓名至少 %(n)d 个字。")

    def __call__(self, value: str) -> None:
        name = (value or "").strip()
        if not name:
            return  # required or not is the field's business
        if not is_person_name(name):
            raise ValidationError(self.message, code="person_name")
        if sum(1 for c in name if unicodedata.category(c)[0] == "L") < PERSON_NAME_MIN:
            raise ValidationError(
                self.short_message, code="person_name_short", params={"n": PERSON_NAME_MIN}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PersonNameValidator)

    def __hash__(self) -> int:
        return hash(PersonNameValidator)


def is_person_name(name: str) -> bool:
    """Whether every character may stand in a name: letters (and the marks some scripts put
    on them), a dot or a space between letters, a hyphen or apostrophe between Latin
    letters."""
    if not name or unicodedata.category(name[0])[0] != "L":
        return False
    previous = ""
    for char in name:
        kind = unicodedata.category(char)
        if kind[0] == "L" or (kind[0] == "M" and previous):
            pass
        elif char in NAME_DOTS or char == " ":
            if previous in NAME_DOTS or previous == " ":
                return False
        elif char in NAME_JOINERS:
            if not (previous.isascii() and previous.isalpha()):
                return False
        else:
            return False
        previous = char
    return unicodedata.category(previous)[0] in "LM"


validate_person_name = PersonNameValidator()


class CharacterClassValidator:
    """Require characters from at least three of: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def _classes(self, password: str) -> int:
        return sum(
            [
                any(c.isupper() for c in password),
                any(c.islower() for c in password),
                any(c in string.digits for c in password),
                any(not c.isalnum() for c in password),
            ]
        )

    def validate(self, password: str, user: object = None) -> None:
        if self._classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")
