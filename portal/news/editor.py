"""The article body editor: django-prose-editor (ProseMirror/Tiptap, BSD) in the back office, so
staff write headings, bold, lists, links, tables and pictures without typing HTML.

What the editor may produce is ``EXTENSIONS``; what is stored is decided by ``clean_body`` alone
(``portal.news.html``), which the form field runs as its sanitiser and the services run again on
every save. tests/news/test_editor.py checks that the two agree.

The site's Content-Security-Policy allows no inline script. django-prose-editor's own presets
need an import map (an inline ``<script type="importmap">``) and let Tiptap inject a ``<style>``
element; our widget needs neither: it loads one module of ours (static/news/body_editor.js), which
imports the editor bundle by the address given in a data attribute and starts Tiptap with
``injectCSS`` off (the few rules it would inject are in static/news/css/body_editor.css).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.forms.widgets import Script
from django.templatetags.static import static
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import ProseEditorWidget

from portal.images import ACCEPT, IngestedImage, ingest_image
from portal.news.html import clean_body

EXTENSIONS: dict[str, Any] = {
    "Heading": {"levels": [2, 3, 4]},  # the title is the page's h1
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "HardBreak": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    # No "open in a new window": links open where the reader is, and rel is ours (html.py).
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "Image": True,
    "History": True,
}

# Uploaded pictures of news bodies: public (articles are), under the prefix the portal serves.
BODY_IMAGE_DIR = "photos/news/body"


class BodyEditorWidget(ProseEditorWidget):
    """A textarea the editor replaces; without JavaScript it stays a plain textarea."""

    preset = "news"

    def __init__(self, *args: Any, upload_url: str = "", **kwargs: Any) -> None:
        self.upload_url = upload_url
        super().__init__(*args, **kwargs)

    @property
    def media(self) -> forms.Media:
        return forms.Media(
            css={
                "all": [
                    "django_prose_editor/material-icons.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                    "news/css/body_editor.css",
                ]
            },
            js=[Script("news/body_editor.js", type="module")],
        )

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-news-body-editor"] = widget_attrs.pop(
            f"data-django-prose-editor-{self.preset}"
        )
        widget_attrs["data-editor-module"] = static("django_prose_editor/editor.js")
        if self.upload_url:
            widget_attrs["data-upload-url"] = self.upload_url
            widget_attrs["data-upload-accept"] = ACCEPT
        return context


class BodyField(ProseEditorFormField):
    """The body: edited with ``EXTENSIONS``, cleaned by ``clean_body``."""

    def __init__(self, *, upload_url: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("widget", BodyEditorWidget(upload_url=upload_url, attrs={"rows": 16}))
        super().__init__(
            config={"extensions": EXTENSIONS}, sanitize=clean_body, preset="news", **kwargs
        )


def store_body_image(upload: Any) -> str:
    """Ingest an uploaded picture (``portal.images``: decoded, re-encoded, no EXIF, size limits)
    and store its display rendition; the URL to place in a body. ``ImageRejected`` says why not."""
    ingested: IngestedImage = ingest_image(upload)
    ext = ingested.display.name.rsplit(".", 1)[-1]
    name = default_storage.save(
        f"{BODY_IMAGE_DIR}/{uuid.uuid4().hex}.{ext}", ContentFile(ingested.display.read())
    )
    return default_storage.url(name)
