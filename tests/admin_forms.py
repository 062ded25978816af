"""Read an admin form the way a browser sends it back: every field with its current value."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

_SKIPPED_INPUTS = {"submit", "button", "file", "image", "reset"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in _SKIPPED_INPUTS:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
                return
            self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select[0], a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that follows <textarea>.
            text = "".join(self._text)
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None


def admin_form_data(html: str, model: Any) -> dict[str, Any]:
    """The fields of the admin add/change form of ``model`` on this page, as a dict the test
    client can post: single values as strings, multiple selections as lists. File inputs and
    buttons are left out, as a browser leaves them out until they are chosen or clicked."""
    return form_data(html, f"{model._meta.model_name}_form")


def form_data(html: str, form_id: str) -> dict[str, Any]:
    """The fields of the form with this id on this page, as a browser would post them."""
    reader = _FormReader(form_id)
    reader.feed(html)
    out: dict[str, Any] = {}
    for name, values in reader.data.items():
        out[name] = values if len(values) != 1 else values[0]
    return out
