"""Acceptance point 2 of issue 9: a crawl, not a hand-picked list.

1. Everything the handling unit of an accusation (检举控告) can reach — every back-office page
   linked from the admin index and from those pages (case list and page, 办理记录, history,
   search, filters, autocomplete, the Excel export read back, any JSON) — holds nothing of the
   accuser's name, phone, ID number or door address, after the party secretary has revealed
   the accuser, exported the case, and staff have written the accuser into the case's texts.
2. Every public page reachable from the home page, the feeds and JSON, and the tracking page,
   after a publishable result mentions a full door address, hold neither the door nor the
   accuser.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html import unescape
from io import BytesIO
from urllib.parse import parse_qs, quote, quote_plus, urlencode, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from outreach.models import DeliberationDecision
from petitions import services
from petitions.models import MediationSession, PartyRole, Triage
from petitions.services import PartyData
from portal.roles import Role
from tests.factories import make_deliberation, make_talk
from tests.petitions.factories_admin import new_case, profile

ACCUSER = PartyData(
    name="郑国强",
    phone="13812345679",
    id_number="110105197708234617",
    address="北苑小区3号楼1单元202室",
    role=PartyRole.PETITIONER,
)
# Every form of them that would tell who accused: in full, masked, or the digits left by a mask.
ACCUSER_TRACES = (
    "郑国强",
    "郑**",
    "郑某",
    "13812345679",
    "138****5679",
    "5679",
    "110105197708234617",
    "1101**********4617",
    "4617",
    "1单元202",
    "202室",
)
DOOR_RESULT = "已上门为住凤凰商住楼4号楼3单元301室的居民更换水管。"
DOOR_TRACES = ("3单元301室", "3单元", "301室", "4号楼3单元")

EXPORT = reverse("admin:petitions_case_export")
# Pages whose GET changes something or leaves: never followed.
NOT_FOLLOWED = re.compile(r"/logout/|/password_change/|/i18n/|/static/|/media/")
PAGE_LIMIT = 400
VARIANTS_PER_SHAPE = 4  # pages per path shape: filter variants, objects of one list


def export(client: Client, query: dict | None = None):
    """The case list's 导出Excel: a form post carrying the list's filters in its address."""
    return client.post(f"{EXPORT}?{urlencode(query)}" if query else EXPORT)


def _text_of(response) -> str:
    """What a response shows, as text: HTML and JSON decoded, spreadsheets read back."""
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        book = load_workbook(BytesIO(content), read_only=True)
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    if "json" in kind:
        # Compared as the characters a reader sees (JSON may escape them as \\uXXXX).
        return json.dumps(json.loads(text), ensure_ascii=False)
    return unescape(text)


def _links(base: str, html: str) -> list[str]:
    found = []
    for href in re.findall(r'(?:href|src|action)="([^"#]+)', html):
        url = urljoin(base, unescape(href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(
    client: Client, starts: list[str], *, within: tuple[str, ...], focus: str = ""
) -> dict[str, str]:
    """GET every page reachable from `starts` by links under the `within` prefixes; returns
    {url: text}. Pages of one shape (the path with its numbers as N, any query) are capped,
    so filters and long lists do not explode; pages whose path contains `focus` never are."""
    seen: dict[str, str] = {}
    shapes: Counter[str] = Counter()
    queue = list(starts)
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or NOT_FOLLOWED.search(path) or not path.startswith(within):
            continue
        shape = re.sub(r"[0-9]+", "N", path)
        if not (focus and focus in path) and url not in starts:
            if shapes[shape] >= VARIANTS_PER_SHAPE:
                continue
            shapes[shape] += 1
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            seen[url] = ""
            continue
        text = _text_of(response) if response.status_code == 200 else ""
        seen[url] = text
        if "html" in response.get("Content-Type", ""):
            queue += [link for link in _links(url, text) if link not in seen]
    assert len(seen) < PAGE_LIMIT, "the crawl hit its limit: raise it or narrow the prefixes"
    return seen


SHORT_NUMBER = re.compile(r"\d{1,4}")
ATTRIBUTE_VALUES = re.compile(
    r"""\b(?:value|href|action|src|id|for|name|data-[\w-]+)=("[^"]*"|'[^']*')"""
)


def hits(pages: dict[str, str], traces: tuple[str, ...]) -> list[str]:
    found = []
    for url, text in pages.items():
        # What the user typed into a search or autocomplete is echoed back to them: not a leak.
        query = parse_qs(urlsplit(url).query)
        for typed in query.get("q", []) + query.get("term", []):
            for form in (typed, quote(typed, safe=""), quote_plus(typed)):
                text = text.replace(form, "")
        # Four digits alone (the end of a phone or ID number) are looked for as a number of
        # their own in what the page says, not inside ids and links: a row's database id
        # (option value="4617", /grid/4617/) is not the accuser's ID number.
        said = ATTRIBUTE_VALUES.sub("", text)
        found += [
            f"{trace} on {url}"
            for trace in traces
            if (
                re.search(rf"(?<!\d){trace}(?!\d)", said)
                if SHORT_NUMBER.fullmatch(trace)
                else trace in text
            )
        ]
    return found


@pytest.fixture
def accusation(place, staff):
    """An accusation in 北苑第一网格 whose texts staff wrote with the accuser in them; handled by
    the grid worker with the mediator; revealed and exported by the party secretary."""
    secretary, worker = staff[Role.SECRETARY], staff[Role.GRID_WORKER]
    case = new_case(
        place.north_a,
        actor=secretary,
        is_accusation=True,
        triage=Triage.LEDGER,
        title="郑国强检举某工作人员",
        content="举报人郑国强（13812345679，身份证110105197708234617，住北苑小区3号楼1单元202室）"
        "检举某工作人员违规收费。",
        address="北苑小区3号楼1单元202室门口",
        parties=[ACCUSER, PartyData(name="王建设", role=PartyRole.OTHER)],
    )
    case = services.accept_case(case, actor=secretary)
    case = services.assign_case(
        case,
        actor=secretary,
        handler=profile(worker),
        mediators=[profile(staff[Role.MEDIATOR])],
        note="请核查郑国强反映的问题，勿向他人透露",
    )
    case = services.sign_case(case, actor=worker)
    services.add_progress(case, actor=worker, note="已约谈被反映人，举报人电话13812345679未透露")
    MediationSession.objects.create(
        case=case,
        method="face_to_face",
        outcome="agreement",
        parties_present="郑国强（13812345679）、王建设",
        notes="郑国强住3号楼1单元202室，双方当面沟通。",
        recorded_by=staff[Role.MEDIATOR],
    )
    chief = Client()
    chief.force_login(secretary)
    party = case.parties.get(role=PartyRole.PETITIONER)
    reveal = reverse("admin:petitions_case_reveal", args=[case.pk, party.pk])
    assert "13812345679" in chief.post(reveal, {"reason": "核实郑国强的身份"}).content.decode()
    # Exported by searching the accuser's phone: the filters go on the case's timeline.
    assert export(chief, {"q": "138****5679"}).status_code == 200
    return case


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    # The news editors handle cases too (网站纠错 only): none of this one reaches them either.
    [Role.GRID_WORKER, Role.MEDIATOR, Role.COMMUNITY_SECRETARY, Role.OFFICIAL, Role.EDITOR],
)
def test_nothing_of_the_accuser_reaches_anyone_who_may_not_reveal_them(
    place, staff, accusation, role
):
    client = Client(raise_request_exception=False)  # a refused page is a 403, as users get it
    client.force_login(staff[role])
    change = reverse("admin:petitions_case_change", args=[accusation.pk])
    changelist = reverse("admin:petitions_case_changelist")
    starts = [
        reverse("admin:index"),
        changelist,
        change,
        reverse("admin:petitions_case_history", args=[accusation.pk]),
        reverse("admin:petitions_caseevent_changelist"),
    ]
    # Searching for the accuser by what one might know of them.
    starts += [
        f"{changelist}?q={term}"
        for term in ("郑国强", "郑", "5679", "138****5679", "13812345679", "4617", "202")
    ]
    starts += [
        f"{reverse('admin:autocomplete')}?app_label=petitions&model_name=mediationsession"
        f"&field_name=case&term={term}"
        for term in ("郑", "5679", accusation.number)
    ]
    pages = crawl(
        client,
        starts,
        within=("/admin/", "/staff/", "/dashboard/", "/ledger/"),
        focus=f"/{accusation.pk}/",
    )
    if role in (Role.GRID_WORKER, Role.MEDIATOR):  # handling it; the others may not see it
        assert "检举某工作人员" in pages[change]  # the case is there, its accuser is not
    response = export(client)
    if response.status_code == 200:  # the roles that may export (read back with openpyxl)
        pages["export"] = _text_of(response)
    assert len(pages) > 30, sorted(pages)  # a crawl, not two pages
    found = hits(pages, ACCUSER_TRACES)
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_no_public_response_carries_a_door_or_an_accuser(client, place, staff, accusation):
    secretary = staff[Role.SECRETARY]
    published = new_case(
        place.north_a,
        actor=secretary,
        title="楼上漏水",
        triage=Triage.ON_THE_SPOT,
        on_the_spot_result=DOOR_RESULT,
        on_the_spot_reply=DOOR_RESULT,
    )
    published.__class__.objects.filter(pk=published.pk).update(is_publishable=True)
    # Published activities whose staff-written texts name a door too.
    talk = make_talk(place.north_a, summary=f"宣讲后走访了{DOOR_RESULT[3:]}")
    meeting = make_deliberation(place.north_a, summary="议事会在凤凰商住楼4号楼召开。")
    DeliberationDecision.objects.create(
        deliberation=meeting, text="为凤凰商住楼4号楼3单元301室更换水管"
    )
    starts = [
        "/",
        "/requests/results/",
        "/open311/v2/requests.json",
        "/open311/v2/requests.json?status=closed",
        "/activities/upcoming/",
        "/activities/upcoming.ics",
        "/news/",
        "/news/feed/",
        "/sitemap.xml",
    ]
    pages = crawl(Client(), starts, within=("/",))
    pages = {url: text for url, text in pages.items() if not url.startswith("/admin/")}
    for code_of in (published, accusation):
        response = Client().post(
            "/requests/track/", {"code": code_of.tracking_code, "last4": "5678"}, follow=True
        )
        pages[f"track {code_of.number}"] = _text_of(response)
    response = Client().post(
        "/requests/track/", {"code": accusation.tracking_code, "last4": "5679"}, follow=True
    )
    pages["track accusation"] = _text_of(response)

    assert published.number in pages["/requests/results/"]
    assert "凤凰商住楼4号楼" in pages["/requests/results/"]
    assert "凤凰商住楼4号楼" in pages[f"track {published.number}"]
    assert "检举某工作人员" in pages["track accusation"]  # the accuser's own tracking page
    assert "凤凰商住楼4号楼" in pages[f"/activities/talks/{talk.pk}/"]
    assert "为凤凰商住楼4号楼更换水管" in pages[f"/activities/deliberations/{meeting.pk}/"]
    assert len(pages) > 10, sorted(pages)
    found = hits(pages, DOOR_TRACES + ACCUSER_TRACES)
    assert not found, "\n".join(found)
