"""Turning a valid 我要反映 or 网站纠错 form into a case, exactly once per form.

The form carries a signed one-time token made when the page was shown: it proves when the form
was opened (a script that posts within a second is refused) and identifies the submission, so a
double click or a resent POST returns the first receipt instead of creating a second case.

The token also names the browser it was made for (a keyed hash of its ``portal_client`` cookie),
because a token that made a case must not work as a key to that case's receipt: the same form
posted again from another browser is told only that it was already submitted.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from petitions.models import (
    Case,
    CaseAttachment,
    CaseKind,
    Category,
    Channel,
    OnlineSubmission,
    PartyRole,
)
from petitions.public import limits
from petitions.public.forms import TITLE_MAX
from petitions.services import CaseError, CaseIntake, PartyData, register_case
from portal import clock
from portal.images import IngestedImage, save_renditions
from portal.models import Community
from portal.pagetitles import Page
from portal.roles import Role

_TOKEN_SALT = "petitions.public.request-form"  # noqa: S105 - a signing salt, not a secret


def _browser_mark(client: str) -> str:
    return salted_hmac(f"{_TOKEN_SALT}.browser", client).hexdigest()[:20] if client else ""


@dataclass(frozen=True)
class FormToken:
    value: str  # what the page carries
    id: str
    issued: float  # POSIX seconds
    browser: str = ""  # keyed hash of the browser id the page was shown to ("" if none)

    def made_for(self, client: str) -> bool:
        """Whether the page with this token was shown to the browser with this id."""
        return bool(self.browser) and constant_time_compare(self.browser, _browser_mark(client))

    @property
    def age(self) -> float:
        return clock.now().timestamp() - self.issued

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.id.encode()).hexdigest()


def new_form_token(client: str = "") -> FormToken:
    """A token for a form page shown now to the browser with id ``client``
    (``portal.ratelimit.client_id``)."""
    token_id = uuid.uuid4().hex
    issued = clock.now().timestamp()
    browser = _browser_mark(client)
    value = signing.dumps({"id": token_id, "t": issued, "b": browser}, salt=_TOKEN_SALT)
    return FormToken(value=value, id=token_id, issued=issued, browser=browser)


def read_form_token(value: str | None) -> FormToken | None:
    """The token the page carried, or None if it is missing or was not made by us."""
    if not value or len(value) > 200:
        return None
    try:
        data = signing.loads(value, salt=_TOKEN_SALT)
        return FormToken(
            value=value,
            id=str(data["id"]),
            issued=float(data["t"]),
            browser=str(data.get("b") or ""),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def token_problem(token: FormToken | None) -> str | None:
    """Why this token cannot submit now (shown on the form), or None."""
    if token is None:
        return _("页面已过期，请确认填写的内容后再次点击提交。")
    if token.age < limits.min_fill_seconds():
        return _("提交得太快了，请确认填写的内容后再次点击提交。")
    return None


def submission_of_token(token: FormToken) -> OnlineSubmission | None:
    """The earlier POST of this same form that created a case (with the case), if any."""
    return (
        OnlineSubmission.objects.filter(token_hash=token.hash, case__isnull=False)
        .select_related("case")
        .first()
    )


def case_of_token(token: FormToken) -> Case | None:
    """The case an earlier POST of this same form created, if any."""
    row = submission_of_token(token)
    return row.case if row else None


def submit_request(token: FormToken, data: dict[str, Any]) -> tuple[Case, bool]:
    """Register the resident's request (and its photos); returns (case, created).

    ``created`` is False when this token already made a case: the caller shows that receipt.
    """
    if (earlier := case_of_token(token)) is not None:
        return earlier, False
    try:
        with transaction.atomic():
            # Taken first: a concurrent second POST of the same form waits here for this
            # transaction, then fails on the unique token and finds the case below.
            submission = OnlineSubmission.objects.create(token_hash=token.hash)
            intake = CaseIntake(
                kind=CaseKind.ORDINARY,
                channel=Channel.ONLINE,
                category=data["category"],
                community=data["community"],
                grid=data.get("grid"),
                compound=data.get("compound"),
                address=data.get("address", ""),
                title=data["title"],
                content=data["content"],
                triage="",
                parties=[
                    PartyData(name=data["name"], phone=data["phone"], role=PartyRole.PETITIONER)
                ],
            )
            case = register_case(intake, actor=None)
            _attach(case, data.get("photos") or [])
            submission.case = case
            submission.save(update_fields=["case"])
    except IntegrityError:
        if (earlier := case_of_token(token)) is not None:
            return earlier, False
        raise
    return case, True


def _attach(case: Case, photos: list[IngestedImage]) -> None:
    for order, photo in enumerate(photos):
        attachment = CaseAttachment(case=case, sort_order=order)
        save_renditions(attachment, photo)
        attachment.save()


def error_report_category() -> Category | None:
    """The category 纠错 reports are filed under: the active one the news editors handle."""
    return Category.objects.filter(is_active=True, handled_by=Role.EDITOR).first()


def _report_title(page: Page) -> str:
    """《page title》页面纠错, within the case summary's length."""
    suffix = "页面纠错"  # stored text: in Chinese whatever language the page was read in
    room = TITLE_MAX - len(suffix) - 2
    name = page.title or page.path
    if len(name) > room:
        name = name[: room - 1] + "…"
    return f"《{name}》{suffix}" if page.title else f"{name} {suffix}"[:TITLE_MAX]


def report_text(page: Page, problem: str, correction: str) -> str:
    """The case text: the page, then the resident's words as typed."""
    lines = [f"页面：{page.title}"] if page.title else []
    lines += [f"地址：{page.path}", f"哪里有误：{problem}"]
    if correction:
        lines.append(f"建议改为：{correction}")
    return "\n".join(lines)


def register_error_report(
    page: Page,
    *,
    problem: str,
    correction: str = "",
    name: str,
    phone: str,
    received_at: datetime | None = None,
) -> Case:
    """登记 a 纠错 report as a case of the editors' category (the form, and demo data).

    The case is filed under the sub-district's first community because every case has one; the
    category takes it out of the places' reach (``Case.objects.visible_to``).
    """
    category = error_report_category()
    community = Community.objects.filter(is_active=True).first()
    if category is None or community is None:
        raise CaseError(_("网站纠错暂时无法提交，请直接联系街道办事处。"))
    intake = CaseIntake(
        kind=CaseKind.ORDINARY,
        channel=Channel.ONLINE,
        category=category,
        community=community,
        address=page.path,
        title=_report_title(page),
        content=report_text(page, problem, correction),
        parties=[PartyData(name=name, phone=phone, role=PartyRole.PETITIONER)],
        received_at=received_at,
    )
    return register_case(intake, actor=None)


def submit_error_report(token: FormToken, data: dict[str, Any]) -> tuple[Case, bool]:
    """Register the 网站纠错 form's report; returns (case, created), as ``submit_request``."""
    if (earlier := case_of_token(token)) is not None:
        return earlier, False
    try:
        with transaction.atomic():
            submission = OnlineSubmission.objects.create(token_hash=token.hash)
            case = register_error_report(
                data["page"],
                problem=data["problem"],
                correction=data.get("correction", ""),
                name=data["name"],
                phone=data["phone"],
            )
            submission.case = case
            submission.save(update_fields=["case"])
    except IntegrityError:
        if (earlier := case_of_token(token)) is not None:
            return earlier, False
        raise
    return case, True
