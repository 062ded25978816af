"""A readable diff of two revisions of an article, character by character (Chinese has no spaces
to split words on).

The stored body is HTML; the diff is of its text, one paragraph per block element, never of the
markup. Paragraphs are paired first (an unchanged paragraph stays whole, a new one is one
insertion), then the characters of each changed pair are compared. ``difflib`` runs with
``autojunk=False``: with it on, characters as common as 的, 社 and 区 count as junk in a long
paragraph and the whole paragraph reads as replaced. Short equal runs between two changes are
absorbed into one replacement, so "网格驿站召开" → "邻里议事亭举行" does not shatter around a
shared character. Every piece of text is escaped here; the markup (``del``/``ins``) is ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html.parser import HTMLParser

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# One paragraph of text per element of these; ``br`` breaks a line inside one.
BLOCKS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre", "div", "tr"}
)
SKIPPED = frozenset({"script", "style", "template"})
# Equal runs shorter than this, between two changes, read better as part of one replacement.
ABSORB = 2
# Two paragraphs at least this alike are one paragraph edited, not one removed and one added.
PAIRED = 0.5


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def flush(self) -> None:
        text = "".join(self.current).strip()
        if text:
            self.paragraphs.append(" ".join(text.split()))
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS or tag == "br":
            self.flush()
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.current.append(_("[图片：{alt}]").format(alt=alt) if alt else _("[图片]"))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        # Plain text typed without markup: a line is a paragraph.
        lines = data.split("\n")
        for i, line in enumerate(lines):
            if i:
                self.flush()
            self.current.append(line)


def paragraphs(body: str) -> list[str]:
    """The text of a body, one string per paragraph (whitespace runs as one space)."""
    parser = _Paragraphs()
    parser.feed(body or "")
    parser.close()
    parser.flush()
    return parser.paragraphs


@dataclass(frozen=True)
class Piece:
    kind: str  # "equal", "del" or "ins"
    text: str


@dataclass(frozen=True)
class Paragraph:
    kind: str  # "equal", "changed", "del" (removed whole) or "ins" (added whole)
    pieces: list[Piece] = field(default_factory=list)


def _opcodes(old: str, new: str) -> list[list[str]]:
    ops: list[list[str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        ops.append([str(tag), old[i1:i2], new[j1:j2]])
    # Absorb a short equal run between two changes into one replacement.
    merged: list[list[str]] = []
    i = 0
    while i < len(ops):
        kind, a, b = ops[i]
        if (
            kind == "equal"
            and len(a) < ABSORB
            and merged
            and merged[-1][0] != "equal"
            and i + 1 < len(ops)
            and ops[i + 1][0] != "equal"
        ):
            _tag, na, nb = ops[i + 1]
            merged[-1] = ["replace", merged[-1][1] + a + na, merged[-1][2] + b + nb]
            i += 2
            continue
        if merged and kind != "equal" and merged[-1][0] != "equal":
            merged[-1] = ["replace", merged[-1][1] + a, merged[-1][2] + b]
        else:
            merged.append([kind, a, b])
        i += 1
    return merged


def text_pieces(old: str, new: str) -> list[Piece]:
    """The characters of ``old`` → ``new`` as equal, deleted and inserted pieces."""
    pieces = []
    for tag, a, b in _opcodes(old, new):
        if tag == "equal":
            pieces.append(Piece("equal", a))
            continue
        if a:
            pieces.append(Piece("del", a))
        if b:
            pieces.append(Piece("ins", b))
    return pieces


def _pair(old: list[str], new: list[str]) -> list[Paragraph]:
    """Old and new paragraphs of a replaced block, paired in order where they are alike."""
    out: list[Paragraph] = []
    j = 0
    for paragraph in old:
        match = next(
            (
                k
                for k in range(j, len(new))
                if SequenceMatcher(None, paragraph, new[k], autojunk=False).ratio() > PAIRED
            ),
            None,
        )
        if match is None:
            out.append(Paragraph("del", [Piece("del", paragraph)]))
            continue
        out += [Paragraph("ins", [Piece("ins", text)]) for text in new[j:match]]
        out.append(Paragraph("changed", text_pieces(paragraph, new[match])))
        j = match + 1
    out += [Paragraph("ins", [Piece("ins", text)]) for text in new[j:]]
    return out


def body_diff(old_body: str, new_body: str) -> list[Paragraph]:
    """The paragraphs of two bodies, each equal, changed (with its pieces), removed or added."""
    old, new = paragraphs(old_body), paragraphs(new_body)
    out: list[Paragraph] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [Paragraph("equal", [Piece("equal", text)]) for text in old[i1:i2]]
        elif tag == "delete":
            out += [Paragraph("del", [Piece("del", text)]) for text in old[i1:i2]]
        elif tag == "insert":
            out += [Paragraph("ins", [Piece("ins", text)]) for text in new[j1:j2]]
        else:
            out += _pair(old[i1:i2], new[j1:j2])
    return out


def render_pieces(pieces: list[Piece]) -> SafeString:
    """Pieces as HTML: the text escaped, deletions in ``del`` and insertions in ``ins``."""
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html('<del class="news-del">{}</del>', piece.text)
                if piece.kind == "del"
                else format_html('<ins class="news-ins">{}</ins>', piece.text)
                if piece.kind == "ins"
                else format_html("{}", piece.text),
            )
            for piece in pieces
        ),
    )


def render_body(diff: list[Paragraph]) -> SafeString:
    """The body's paragraphs as HTML, a whole added or removed paragraph labelled as such."""
    rows = []
    for paragraph in diff:
        label = {"ins": _("新增段落"), "del": _("删除段落")}.get(paragraph.kind, "")
        rows.append(
            format_html(
                '<p class="news-diff-p news-diff-{}">{}{}</p>',
                paragraph.kind,
                format_html('<span class="news-diff-label">{}</span>', label) if label else "",
                render_pieces(paragraph.pieces),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every part was built by format_html
