"""What every form of the portal does with typed text (public forms, admin screens, step forms).

``CleanTextMixin`` runs ``portal.text.clean_text`` over the value of every text field before the
form checks it, so a value with nothing visible in it is empty (a required field says so in the
usual words) and what is stored has no invisible characters at its ends. It also gives every text
field without a length of its own a limit, so a note cannot be 100,000 characters long, and says
the limit and the current length when it is exceeded.

Use ``PortalForm`` and ``PortalModelForm`` as bases; the admin's base classes in
``portal.admin_base`` use ``PortalModelForm``. ``tests/portal/test_forms.py`` checks that every
form of the project and every admin screen does.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.datastructures import MultiValueDict

from portal.text import LONG_TEXT_LIMIT, TEXT_LIMIT, TOO_LONG, clean_text

# Fields written up at length get the longer limit, whichever form shows them.
LONG_TEXT_FIELDS = frozenset(
    {"content", "summary", "minutes", "diary", "notes", "facts", "terms", "description"}
)


def _cleaned(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


class CleanTextMixin:
    """Invisible characters never count as text; every text field has a length limit."""

    text_limit = TEXT_LIMIT
    long_text_limit = LONG_TEXT_LIMIT
    long_text_fields = LONG_TEXT_FIELDS

    def _limit_text_field(self, name: str, field: forms.Field) -> None:
        if not isinstance(field, forms.CharField) or isinstance(field, forms.JSONField):
            return
        if getattr(field, "checks_own_length", False):  # e.g. a phone number: its own message
            return
        if field.max_length is None:
            limit = self.long_text_limit if name in self.long_text_fields else self.text_limit
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
        field.error_messages.setdefault("max_length", TOO_LONG)

    def _text_keys(self) -> list[str]:
        """The submitted keys of the text fields whose edges may be cleaned (not passwords:
        Django keeps their spaces, and so do we)."""
        return [
            self.add_prefix(name)
            for name, field in self.fields.items()
            if isinstance(field, forms.CharField)
            and not isinstance(field, forms.JSONField)
            and field.strip
            and not field.disabled
        ]

    def full_clean(self) -> None:
        # Here rather than in __init__: subclasses add and remove fields after super().__init__.
        for name, field in self.fields.items():
            self._limit_text_field(name, field)
        if self.is_bound:
            self.data = self._clean_data(self.data)
        super().full_clean()

    def _clean_data(self, data: Any) -> Any:
        keys = [key for key in self._text_keys() if key in data]
        if not keys:
            return data
        if isinstance(data, MultiValueDict):
            data = data.copy()
            for key in keys:
                data.setlist(key, [_cleaned(value) for value in data.getlist(key)])
            return data
        data = dict(data)
        for key in keys:
            value = data[key]
            data[key] = (
                [_cleaned(v) for v in value] if isinstance(value, list | tuple) else _cleaned(value)
            )
        return data


class PortalForm(CleanTextMixin, forms.Form):
    """Base of every plain form in the portal."""


class PortalModelForm(CleanTextMixin, forms.ModelForm):
    """Base of every model form in the portal (and of the admin's forms)."""
