"""Proofreading before review: the revision's title, summary and body text checked against the
office's list of wrong forms and the forms to write instead (``ProofTerm``, 易错词、规范表述).

A finding is one place where a wrong form occurs: which field, a short context around it and
the suggested form. Text already in the correct form is never flagged, even when the correct
form contains the wrong one (the wrong form ``两学一做`` inside the correct ``“两学一做”学习教育``).
A finding the author keeps on purpose is dismissed with a reason (``ProofDismissal``, against
the revision and the wrong form), and stays dismissed in later revisions while the text around
it is unchanged; submission (``rules.may_submit``) waits for the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portal.news import diff
from portal.news.models import ProofDismissal, ProofTerm, Revision

# Characters of context shown on each side of a finding.
CONTEXT = 12
# Places listed per wrong form (a form repeated fifty times needs no fifty lines).
PLACES_SHOWN = 5


@dataclass(frozen=True)
class Place:
    """Where a wrong form occurs: the field's label and the text around it."""

    field: str
    before: str
    match: str
    after: str

    @property
    def context(self) -> str:
        return f"{self.before}{self.match}{self.after}"


@dataclass(frozen=True)
class Term:
    """What the checker needs of a list entry (a ``ProofTerm`` or a plain pair in tests)."""

    wrong: str
    right: str
    kind: str = ""
    note: str = ""


@dataclass
class Finding:
    """One wrong form found in a revision, with every place it occurs."""

    wrong: str
    right: str
    kind: str = ""
    note: str = ""
    places: list[Place] = field(default_factory=list)
    dismissal: ProofDismissal | None = None

    @property
    def count(self) -> int:
        return len(self.places)

    @property
    def shown_places(self) -> list[Place]:
        return self.places[:PLACES_SHOWN]


def _covered(text: str, start: int, wrong: str, right: str) -> bool:
    """Whether the wrong form at ``start`` is part of an occurrence of the correct form."""
    offset = right.find(wrong)
    while offset != -1:
        begin = start - offset
        if begin >= 0 and text.startswith(right, begin):
            return True
        offset = right.find(wrong, offset + 1)
    return False


def occurrences(text: str, wrong: str, right: str) -> list[int]:
    """Where ``wrong`` starts in ``text``, leaving out text already in the correct form."""
    found = []
    start = text.find(wrong)
    while start != -1:
        if not _covered(text, start, wrong, right):
            found.append(start)
        start = text.find(wrong, start + len(wrong))
    return found


def check_texts(fields: Iterable[tuple[str, str]], terms: Iterable[Term]) -> list[Finding]:
    """Findings for ``fields`` (label, text) against ``terms``, in the list's order; one
    finding per wrong form found, with its places in field order."""
    texts = [(label, text) for label, text in fields if text]
    findings = []
    for term in terms:
        places = []
        for label, text in texts:
            for start in occurrences(text, term.wrong, term.right):
                end = start + len(term.wrong)
                places.append(
                    Place(
                        field=label,
                        before=text[max(0, start - CONTEXT) : start],
                        match=term.wrong,
                        after=text[end : end + CONTEXT],
                    )
                )
        if places:
            findings.append(
                Finding(
                    wrong=term.wrong,
                    right=term.right,
                    kind=term.kind,
                    note=term.note,
                    places=places,
                )
            )
    return findings


def revision_fields(revision: Revision) -> list[tuple[str, str]]:
    """The text that is checked: the title, the summary and the body's text (no markup)."""
    return [
        (_("标题"), revision.title),
        (_("摘要"), revision.summary),
        (_("正文"), "\n".join(diff.paragraphs(revision.body))),
    ]


def active_terms() -> list[Term]:
    return [
        Term(wrong=t.wrong, right=t.right, kind=t.get_kind_display(), note=t.note)
        for t in ProofTerm.objects.active().order_by("kind", "wrong")
    ]


def check_revision(revision: Revision) -> list[Finding]:
    """Every finding of the active list in ``revision``, each with its dismissal if any: one
    made on this revision, or on an earlier revision of the article where the wrong form stood
    in the same places with the same text around it (an edit elsewhere does not ask again)."""
    terms = active_terms()
    findings = check_texts(revision_fields(revision), terms)
    if not findings:
        return findings
    dismissals = ProofDismissal.objects.filter(
        revision__article_id=revision.article_id,
        revision__number__lte=revision.number,
        wrong__in=[f.wrong for f in findings],
    ).select_related("revision", "dismissed_by__staff_profile")
    by_wrong = {f.wrong: f for f in findings}
    earlier: dict[int, list[Finding]] = {}  # an earlier revision's findings, checked once
    for dismissal in dismissals.order_by("-revision__number", "-pk"):
        finding = by_wrong.get(dismissal.wrong)
        if finding is None or finding.dismissal is not None:
            continue
        if dismissal.revision_id != revision.pk:
            if dismissal.revision_id not in earlier:
                earlier[dismissal.revision_id] = check_texts(
                    revision_fields(dismissal.revision), terms
                )
            then = next(
                (f for f in earlier[dismissal.revision_id] if f.wrong == finding.wrong), None
            )
            if then is None or _where(then) != _where(finding):
                continue
        finding.dismissal = dismissal
    return findings


def _where(finding: Finding) -> list[tuple[str, str]]:
    return [(place.field, place.context) for place in finding.places]


def pending(findings: Iterable[Finding]) -> list[Finding]:
    """The findings not dismissed: submission waits for these."""
    return [f for f in findings if f.dismissal is None]


def refusal_text(findings: list[Finding]) -> str:
    """Why the revision cannot be sent into review yet, listing each finding (Chinese)."""
    listed = "；".join(
        _("“{wrong}”应为“{right}”（{field}：……{context}……）").format(
            wrong=f.wrong, right=f.right, field=f.places[0].field, context=f.places[0].context
        )
        for f in findings
    )
    return _(
        "送审前请先处理{n}条校对提示：{listed}。改正后保存，或对确属正确的写法填写理由后点“忽略”。"
    ).format(n=len(findings), listed=listed)
