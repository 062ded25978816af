"""Password rules chosen for 等保 2.0 level 2 (see README "Security choices")."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
