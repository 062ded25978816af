"""What the pages call to show an article's body, figures included.

Residents read ``body_html``: the figures as 审发 froze them with the revision, never counted
again (no read function is called). The back office's preview (``panel.figures_panel``) shows
the same once frozen, and before that the figures counted from the records now.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from portal.news import figures
from portal.news.html import clean_body
from portal.news.models import Revision


def frozen_values(revision: Revision) -> dict[str, figures.Value]:
    """The figures kept with the revision when 审发 signed it (none before). Uses a prefetched
    ``frozen_figures`` when the caller loaded one (the feeds do)."""
    return {
        f.key: figures.Value(key=f.key, label=f.label, text=f.text, as_of=f.as_of)
        for f in revision.frozen_figures.all()
    }


def _filled(html: str, values: dict[str, figures.Value]) -> SafeString:
    filled = figures.fill(html, {key: value.text for key, value in values.items()})
    return mark_safe(filled)  # noqa: S308 - an allowlisted body with escaped sentences


def body_html(revision: Revision) -> SafeString:
    """The revision's body as residents read it: safe HTML (sanitised again on the way out,
    so a row written before the sanitiser existed cannot carry a script to a resident), each
    figure as it was frozen."""
    html = clean_body(revision.body)
    if not figures.asked(html):
        return mark_safe(html)  # noqa: S308 - clean_body is an allowlist
    return _filled(html, frozen_values(revision))


def filled_body(revision: Revision, values: dict[str, figures.Value]) -> SafeString:
    """The body with the given figures' sentences (the back office's preview passes the live
    ones until 审发 has frozen them)."""
    return _filled(clean_body(revision.body), values)
