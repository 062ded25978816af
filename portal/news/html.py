"""The one sanitiser for article bodies: every path that stores body HTML calls `clean_body`.

An allowlist (nh3): ordinary formatting survives; scripts, event handlers, inline styles,
classes (Word's ``mso-*``), ``<font>``/``<o:p>`` and URLs other than http(s), mailto and
relative ones do not. Images are kept only when they come from our own media.
"""

from __future__ import annotations

import re

import nh3
from django.conf import settings

TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "a", "img", "blockquote", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# An image whose source was refused is dropped whole.
_BARE_IMG = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# Contents dropped along with the tag (not just unwrapped).
DROP_CONTENT = {"script", "style", "svg", "math", "iframe", "object", "embed", "noscript"}


def _media_only(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        return value if value.startswith(settings.MEDIA_URL) and "//" not in value else None
    return value


def clean_body(html: str) -> str:
    """The body as it may be stored and shown: allowlisted tags, attributes and URL schemes."""
    cleaned = nh3.clean(
        html or "",
        tags=TAGS,
        clean_content_tags=DROP_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_media_only,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _BARE_IMG.sub("", cleaned).strip()
