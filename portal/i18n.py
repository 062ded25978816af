"""Small translation helpers the standard library of Django lacks."""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy


def _interpolate(message: Any, values: dict[str, Any]) -> str:
    return str(message) % values


# ``gettext_lazy("最多 %(n)d 字") % {...}`` would translate at import time (a lazy string's ``%``
# is not lazy); this keeps the message lazy until it is shown, in the reader's language.
interpolate_lazy = lazy(_interpolate, str)
