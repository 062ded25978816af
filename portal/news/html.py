"""The one sanitiser for article bodies: every path that stores body HTML calls `clean_body`.

An allowlist (nh3) matching what the body editor can produce (portal.news.editor; a test keeps
the two in step), so ordinary formatting survives; scripts, event handlers, inline styles,
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
    "ol": {"start", "type", "data-type"},
}
# The numbering styles the editor's list settings offer (portal.news.editor), as the HTML
# ``type`` and the editor's own ``data-type``; anything else is dropped.
OL_TYPES = {"1", "a", "A", "i", "I"}
OL_DATA_TYPES = {"decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman"}
# Word writes a list's bullet or number as text between "supportLists" conditionals (in both
# the downlevel-revealed and the comment form); the editor's own list replaces it.
_WORD_LIST_MARKER = re.compile(
    r"<!(?:--)?\[if !supportLists\](?:--)?>.{0,500}?<!(?:--)?\[endif\](?:--)?>", re.S | re.I
)
# Word's <o:p> holds nothing but the filler (&nbsp;) it puts into empty paragraphs.
_WORD_FILLER = re.compile(r"<o:p>[^<]{0,100}</o:p>", re.I)
# An image whose source was refused is dropped whole.
_BARE_IMG = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# Contents dropped along with the tag (not just unwrapped).
DROP_CONTENT = {"script", "style", "svg", "math", "iframe", "object", "embed", "noscript"}


def _filter_value(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        return value if value.startswith(settings.MEDIA_URL) and "//" not in value else None
    if tag == "ol" and attr == "type":
        return value if value in OL_TYPES else None
    if tag == "ol" and attr == "data-type":
        return value if value in OL_DATA_TYPES else None
    return value


def clean_body(html: str) -> str:
    """The body as it may be stored and shown: allowlisted tags, attributes and URL schemes."""
    cleaned = nh3.clean(
        _WORD_FILLER.sub("", _WORD_LIST_MARKER.sub("", html or "")),
        tags=TAGS,
        clean_content_tags=DROP_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_filter_value,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _BARE_IMG.sub("", cleaned).strip()
