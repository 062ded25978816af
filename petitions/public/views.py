"""Residents' pages: 我要反映 → receipt, 进度查询 and rating, 办理公开; and the staff-only view that
opens residents' photos.

Views parse, check and call: cases are created by ``petitions.services.register_case`` (through
``submission.submit_request``) and rated by ``petitions.services.record_followup``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext, override
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from petitions import deadlines, stats
from petitions.models import Case, CaseAttachment, CaseStatus, OnlineSubmission
from petitions.models.attachments import RENDITIONS
from petitions.public import limits
from petitions.public.forms import (
    HONEYPOT,
    PAGE_MAX,
    ErrorReportForm,
    Prefill,
    RatingForm,
    RequestForm,
    ResultsFilterForm,
    TrackForm,
)
from petitions.public.submission import (
    FormToken,
    error_report_category,
    new_form_token,
    read_form_token,
    submission_of_token,
    submit_error_report,
    submit_request,
    token_problem,
)
from petitions.public.tracking import find_case, read_rating_token, tracking_context
from petitions.receipt import deadline_text, qr_svg
from petitions.services import CaseConflict, CaseError, record_followup
from portal import clock
from portal.pagecache import public_page
from portal.ratelimit import client_id, remember_client

RECEIPT_KEY = "petitions.receipt"
# The case this browser looked up last, and until when its result page shows it: the lookup
# and the rating POST redirect to that page (POST-redirect-GET), so Back and reload never ask
# to send a form again, and neither the code nor the case is ever in an address.
TRACKED_KEY = "petitions.tracked"
# Cases whose receipt the resident cleared in this session ("我已记下查询码，清除本页").
CLEARED_KEY = "petitions.receipt-cleared"
RESULTS_PAGE_SIZE = 20
TOO_MANY = 429

# Source (Chinese) texts, translated where they are shown.
NOT_FOUND = gettext_noop("未找到与查询码和手机尾号相符的诉求，请核对后重试。")
PHOTOS_LOST = gettext_noop("为了安全，照片不能随表单保留：请重新选择照片。")
_SUBMIT_LIMITED = gettext_noop(
    "提交太频繁了：同一台设备每 %(window)s最多提交 %(n)d 件。您填写的内容都还在，"
    "请过一段时间再提交；急事请直接联系所在社区。"
)


def _submit_limited() -> str:
    return gettext(_SUBMIT_LIMITED) % {
        "window": limits.SUBMIT.window_text,
        "n": limits.SUBMIT.per_browser,
    }


with override(settings.LANGUAGE_CODE):  # the source text, as tests quote it
    SUBMIT_LIMITED = _submit_limited()


# --- 我要反映 ---------------------------------------------------------------------------------


def _photos_sent(request: HttpRequest) -> int:
    return len([f for f in request.FILES.getlist("photos") if f])


def _render_form(
    request: HttpRequest,
    form: RequestForm,
    token: str,
    *,
    status: int = 200,
    limited: bool = False,
) -> HttpResponse:
    photos_lost = request.method == "POST" and _photos_sent(request) > 0
    response = render(
        request,
        "petitions/request_form.html",
        {
            "form": form,
            "form_token": token,
            "honeypot": HONEYPOT,
            "limit_message": _submit_limited() if limited else "",
            "photos_lost": gettext(PHOTOS_LOST) if photos_lost else "",
            "prefill": form.prefill,
        },
        status=status,
    )
    return remember_client(request, response)


@never_cache
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """我要反映: no account; phone-first; everything typed is kept when something is wrong."""
    if request.method != "POST":
        form = RequestForm(prefill=Prefill.from_query(request.GET))
        return _render_form(request, form, new_form_token(client_id(request)).value)

    token = read_form_token(request.POST.get("form_token"))
    # A second POST of a form that already made a case (double click, resend).
    if token is not None and (earlier := submission_of_token(token)) is not None:
        return _submitted_again(request, token, earlier)
    problem = token_problem(token)
    page_token = token.value if token is not None else new_form_token(client_id(request)).value
    limited = limits.SUBMIT.exceeded(request)
    # Photos are decoded only for a submission that can succeed: decoding costs real CPU.
    refused = limited or problem or request.POST.get(HONEYPOT)
    form = RequestForm(request.POST, None if refused else request.FILES, token_problem=problem)
    if limited:
        return _render_form(request, form, page_token, status=TOO_MANY, limited=True)
    if not form.is_valid():
        return _render_form(request, form, page_token, status=200)
    # Counted before the case is made, in one atomic step: simultaneous posts cannot all pass.
    if not limits.SUBMIT.take(request):
        return _render_form(request, form, page_token, status=TOO_MANY, limited=True)
    try:
        case, created = submit_request(token, form.cleaned_data)
    except CaseError as exc:
        limits.SUBMIT.give_back(request)
        form.add_error(None, str(exc))
        return _render_form(request, form, page_token)
    if not created:  # a simultaneous POST of the same form made the case first
        limits.SUBMIT.give_back(request)
        return _submitted_again(request, token, submission_of_token(token))
    return _to_receipt(request, case, submitted_at=clock.now())


# --- 网站纠错 ---------------------------------------------------------------------------------

_REPORT_LIMITED = gettext_noop(
    "提交太频繁了：同一台设备每 %(window)s最多提交 %(n)d 条纠错。您填写的内容都还在，"
    "请过一段时间再提交。"
)


def _render_report_form(
    request: HttpRequest,
    form: ErrorReportForm,
    token: str,
    *,
    status: int = 200,
    limited: bool = False,
) -> HttpResponse:
    message = ""
    if limited:
        message = gettext(_REPORT_LIMITED) % {
            "window": limits.ERROR_REPORT.window_text,
            "n": limits.ERROR_REPORT.per_browser,
        }
    response = render(
        request,
        "petitions/error_report_form.html",
        {
            "form": form,
            "form_token": token,
            "honeypot": HONEYPOT,
            "limit_message": message,
            "accepting": error_report_category() is not None,
        },
        status=status,
    )
    return remember_client(request, response)


@never_cache
@require_http_methods(["GET", "POST"])
def error_report(request: HttpRequest) -> HttpResponse:
    """网站纠错: the 纠错 link of a page opens this with the page's address filled in; the
    report becomes a case the news editors answer within its limit (3 working days)."""
    host = request.get_host()
    if request.method != "POST":
        page = str(request.GET.get("url") or "")[:PAGE_MAX].replace("\x00", "")
        form = ErrorReportForm(host=host, initial={"page": page})
        return _render_report_form(request, form, new_form_token(client_id(request)).value)

    token = read_form_token(request.POST.get("form_token"))
    if token is not None and (earlier := submission_of_token(token)) is not None:
        return _submitted_again(request, token, earlier)
    problem = token_problem(token)
    page_token = token.value if token is not None else new_form_token(client_id(request)).value
    form = ErrorReportForm(request.POST, host=host, token_problem=problem)
    if limits.ERROR_REPORT.exceeded(request):
        return _render_report_form(request, form, page_token, status=TOO_MANY, limited=True)
    if not form.is_valid():
        return _render_report_form(request, form, page_token)
    if not limits.ERROR_REPORT.take(request):
        return _render_report_form(request, form, page_token, status=TOO_MANY, limited=True)
    try:
        case, created = submit_error_report(token, form.cleaned_data)
    except CaseError as exc:
        limits.ERROR_REPORT.give_back(request)
        form.add_error(None, str(exc))
        return _render_report_form(request, form, page_token)
    if not created:
        limits.ERROR_REPORT.give_back(request)
        return _submitted_again(request, token, submission_of_token(token))
    return _to_receipt(request, case, submitted_at=clock.now())


def _to_receipt(request: HttpRequest, case: Case, *, submitted_at: datetime) -> HttpResponse:
    until = (submitted_at + timedelta(seconds=limits.RECEIPT_SECONDS)).timestamp()
    request.session[RECEIPT_KEY] = {"case": case.pk, "until": until}
    return remember_client(request, redirect("petitions:request-receipt"))


def _may_reopen_receipt(
    request: HttpRequest, token: FormToken, submission: OnlineSubmission
) -> bool:
    """Whether the browser posting this form again is the one that submitted it.

    The form token alone is not proof: it sits in the page, so whoever gets hold of it (another
    browser, a later user of a shared computer) could otherwise post it and be shown the
    receipt with the tracking code.
    """
    if submission.case_id in request.session.get(CLEARED_KEY, []):
        return False
    shown = request.session.get(RECEIPT_KEY)
    if isinstance(shown, dict) and shown.get("case") == submission.case_id:
        return True  # this session was given the receipt; request_receipt checks the time
    # A double click can send the second POST before the first one's session cookie arrived:
    # the browser id the page was shown to stands in, for as long as the receipt lasts.
    fresh = clock.now() - submission.created_at < timedelta(seconds=limits.RECEIPT_SECONDS)
    return fresh and token.made_for(client_id(request))


def _submitted_again(
    request: HttpRequest, token: FormToken, submission: OnlineSubmission | None
) -> HttpResponse:
    """The same form posted again: its receipt for the browser that submitted it, otherwise
    only that it was submitted (nothing about the case)."""
    if submission is not None and _may_reopen_receipt(request, token, submission):
        return _to_receipt(request, submission.case, submitted_at=submission.created_at)
    return remember_client(request, render(request, "petitions/request_already_submitted.html"))


def _minutes_text(seconds: int) -> str:
    minutes = max(1, seconds // 60)
    return ngettext("%(n)d 分钟", "%(n)d 分钟", minutes) % {"n": minutes}


def _forget_receipt(request: HttpRequest) -> HttpResponse:
    """我已记下查询码，清除本页: this browser stops showing the receipt at once."""
    data = request.session.pop(RECEIPT_KEY, None)
    if isinstance(data, dict) and isinstance(data.get("case"), int):
        # Remembered so that posting the same form again does not bring the receipt back.
        cleared = [*request.session.get(CLEARED_KEY, []), data["case"]]
        request.session[CLEARED_KEY] = cleared[-20:]
    # A new session cookie: browsers do not restore a no-store page from their back-forward
    # cache once the cookies changed.
    request.session.cycle_key()
    messages.success(request, gettext("回执已清除，这台手机或电脑不会再显示这件事的查询码。"))
    return redirect("petitions:request-receipt")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_receipt(request: HttpRequest) -> HttpResponse:
    """The receipt: shown to the browser that submitted, for a short while after submitting,
    until the resident clears it (POST)."""
    if request.method == "POST":
        return _forget_receipt(request)
    data = request.session.get(RECEIPT_KEY) or {}
    case = None
    until = float(data.get("until", 0)) if isinstance(data, dict) else 0.0
    if until > clock.now().timestamp():
        case = (
            Case.objects.filter(pk=data.get("case"))
            .select_related("category", "community", "compound")
            .first()
        )
    if case is None:
        request.session.pop(RECEIPT_KEY, None)
        return render(request, "petitions/request_receipt_missing.html", status=200)
    track_url = request.build_absolute_uri(reverse("petitions:request-track"))
    return render(
        request,
        "petitions/request_receipt.html",
        {
            "case": case,
            # The resident's own words, shown back to them as they typed them.
            "title": case.title,
            "address": case.address,
            "deadline_text": deadline_text(case),
            "qr_svg": qr_svg(track_url),
            "track_url": track_url,
            "photo_count": case.attachments.count(),
            "receipt_window": _minutes_text(limits.RECEIPT_SECONDS),
            "receipt_until": datetime.fromtimestamp(until, tz=timezone.get_current_timezone()),
            # A 纠错 report: the page it is about instead of a place, and the promised days.
            "error_report": bool(case.category.handled_by),
            "conclude_rule": deadlines.rule_for(case, "conclude"),
        },
    )


# --- 进度查询 and rating ----------------------------------------------------------------------


def _track_page(
    request: HttpRequest,
    form: TrackForm,
    *,
    status: int = 200,
    message: str = "",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    response = render(
        request,
        "petitions/request_track.html",
        {"form": form, "message": message, "limit": limits.TRACK, **(context or {})},
        status=status,
    )
    return remember_client(request, response)


@never_cache
@require_http_methods(["GET", "POST"])
def request_track(request: HttpRequest) -> HttpResponse:
    """进度查询 by POST only, so the code never sits in an address bar, history or log."""
    if request.method != "POST":
        return _track_page(request, TrackForm())
    form = TrackForm(request.POST)
    if not limits.TRACK.take(request):  # counted and checked in one atomic step
        return _track_page(
            request,
            form,
            status=TOO_MANY,
            message=gettext("查询太频繁了：同一台设备每 %(window)s最多查询 %(n)d 次，请稍后再试。")
            % {"window": limits.TRACK.window_text, "n": limits.TRACK.per_browser},
        )
    if not form.is_valid():
        return _track_page(request, form)
    code, last4 = form.cleaned_data["code"], form.cleaned_data["last4"]
    # Every attempt on the code takes a count first (so simultaneous guesses cannot all pass);
    # a right answer gives it back: what is counted is wrong answers.
    if not limits.TRACK_CODE.take(code):
        return _track_page(
            request,
            form,
            status=TOO_MANY,
            message=gettext("这个查询码的核对错误次数过多，为保护您的信息，请 %(window)s后再试。")
            % {"window": limits.TRACK_CODE.window_text},
        )
    case = find_case(code, last4)
    if case is None:
        return _track_page(request, form, message=gettext(NOT_FOUND))
    limits.TRACK_CODE.give_back(code)
    return _to_result(request, case)


def _to_result(request: HttpRequest, case: Case, notice: str = "") -> HttpResponse:
    until = (clock.now() + timedelta(seconds=limits.TRACK_RESULT_SECONDS)).timestamp()
    request.session[TRACKED_KEY] = {"case": case.pk, "until": until, "notice": notice}
    return remember_client(request, redirect("petitions:request-track-result"))


def _tracked_case(request: HttpRequest) -> Case | None:
    data = request.session.get(TRACKED_KEY)
    if not isinstance(data, dict) or float(data.get("until", 0)) <= clock.now().timestamp():
        request.session.pop(TRACKED_KEY, None)
        return None
    return (
        Case.objects.filter(pk=data.get("case"))
        .select_related("category", "community", "compound", "handler")
        .first()
    )


@never_cache
@require_safe
def request_track_result(request: HttpRequest) -> HttpResponse:
    """The case this browser looked up, for a while after the lookup: an ordinary page, so
    Back and reload show it again instead of resending the form."""
    case = _tracked_case(request)
    if case is None:
        messages.info(
            request,
            gettext("查询结果只保留 %(window)s，请重新输入查询码和手机尾号。")
            % {"window": _minutes_text(limits.TRACK_RESULT_SECONDS)},
        )
        return redirect("petitions:request-track")
    data = request.session[TRACKED_KEY]
    notice = data.pop("notice", "")
    if notice:
        request.session.modified = True  # shown once; a reload shows the page without it
    return _track_page(
        request,
        TrackForm(),
        context={**tracking_context(case), "rating_form": RatingForm(), "notice": notice},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_rate(request: HttpRequest) -> HttpResponse:
    """回访评价 online: the signed token from a lookup minutes ago stands in for code + phone.

    A GET (the address reloaded or bookmarked after rating) goes back to the tracking form.
    """
    if request.method != "POST":
        return HttpResponseRedirect(reverse("petitions:request-track"))
    proof = read_rating_token(request.POST.get("token"))
    if proof is None:
        request.session.pop(TRACKED_KEY, None)
        return _track_page(
            request,
            TrackForm(),
            message=gettext("评价页面已超过 30 分钟或已失效，请重新输入查询码和手机尾号后再评价。"),
        )
    case_id, conclusion = proof
    case = (
        Case.objects.filter(pk=case_id)
        .select_related("category", "community", "compound", "handler")
        .first()
    )
    if case is None:
        raise Http404
    form = RatingForm(request.POST)
    notice = ""
    if case.conclusion_count != conclusion:
        notice = gettext("办理情况已有更新，请查看最新进展。")
    elif not form.is_valid():
        # Shown on this response, with what was typed kept.
        return _track_page(
            request,
            TrackForm(),
            context={**tracking_context(case), "rating_form": form},
        )
    else:
        try:
            case = record_followup(
                case,
                actor=None,
                satisfaction=form.cleaned_data["satisfaction"],
                method="online",
                comment=form.cleaned_data["comment"],
                conclusion_number=conclusion,
            )
        except CaseConflict:
            notice = gettext("办理情况已有更新，请查看最新进展。")
        except CaseError:
            notice = gettext("这次办理结果已经评价过了，感谢您！下次办结后可以再次评价。")
        else:
            notice = (
                gettext(
                    "感谢您的评价。您对办理结果不满意，已转回重新办理（重办），"
                    "办结后您可以再次评价。"
                )
                if case.status in (CaseStatus.IN_PROGRESS, CaseStatus.ACCEPTED)
                else gettext("感谢您的评价！")
            )
    # The token proved this browser looked the case up minutes ago: it shows the case again,
    # on the result page, with what became of the rating.
    return _to_result(request, case, notice)


# --- 办理公开 ---------------------------------------------------------------------------------


@require_safe
@public_page(topics=("results",))
def request_results(request: HttpRequest) -> HttpResponse:
    form = ResultsFilterForm(request.GET or None)
    filters = form.filters()
    today = clock.today()
    month = filters.get("month") or stats.month_of(today)
    rows = stats.public_results(
        community=filters.get("community"),
        category=filters.get("category"),
        month=filters.get("month"),
    )
    page = Paginator(rows, RESULTS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "petitions/request_results.html",
        {
            "form": form,
            "page_obj": page,
            "results": stats.published_rows(page.object_list),
            "totals": stats.public_result_totals(
                start=month[0],
                end=month[1],
                community=filters.get("community"),
                category=filters.get("category"),
            ),
            "month": month,
            # The totals count the month shown; the list counts that month only when one
            # was chosen, else every published result to date — each says which.
            "filtered_month": bool(filters.get("month")),
            "today": today,
            "query": query.urlencode(),
        },
    )


# --- Staff: residents' photos -----------------------------------------------------------------


@login_required
@require_safe
def attachment_file(request: HttpRequest, pk: int, rendition: str) -> FileResponse:
    """A resident's photo, for staff who may see its case; never cached, never public."""
    if rendition not in RENDITIONS or not request.user.has_perm("petitions.view_case"):
        raise Http404
    attachment = CaseAttachment.objects.filter(
        pk=pk, case__in=Case.objects.visible_to(request.user)
    ).first()
    if attachment is None:
        raise Http404
    file = getattr(attachment, rendition)
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    content_type = "image/png" if file.name.endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response
