"""The case demo: a year of requests that reaches the headline figures (200+ research problems
and 410+ on-site requests solved), every channel and class, today's spread of states, timelines
written as they happened, deadlines the rules agree with, a year of petition receptions (180+)
with the requests registered at them, and nothing duplicated by a second run.

The whole demo is seeded once for every module of tests/demo (see its conftest); each test
runs in its own savepoint on top of it.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from outreach.models import ActivityStatus
from outreach.stats import upcoming_activities
from petitions import deadlines
from petitions.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseExclusion,
    CaseKind,
    CaseStatus,
    Channel,
    EventKind,
    FollowUp,
    LeadershipDecision,
    MediationAgreement,
    MediationSession,
    Person,
    Reception,
    ReceptionKind,
    ReceptionPhoto,
    ReplyTemplate,
    Satisfaction,
    Triage,
)
from petitions.stats import reception_totals
from portal import clock
from portal.demo import ACCOUNTS
from portal.formats import cn_period
from portal.models import Community, Compound, Grid
from portal.periods import year_back
from portal.privacy import canonical_id_number
from portal.roles import Role
from portal.workdays import add_working_days

pytestmark = pytest.mark.django_db

SETTLED = (CaseStatus.CONCLUDED, CaseStatus.VISITED, CaseStatus.ARCHIVED)
OPEN = OPEN_STATUSES
DEMO_PHONE = re.compile(r"^13[7-9]000[0-9]{5}$")
ANY_NUMBER = re.compile(r"(?<![0-9])(1[3-9][0-9]{9}|[0-9]{17}[0-9X])(?![0-9])")


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", allow_production=True, quiet_logins=True, stdout=out)
    return out.getvalue()


def user(username: str):
    return get_user_model().objects.get(username=username)


def test_the_headline_figures_come_from_linked_cases(demo):
    research = Case.objects.filter(channel=Channel.RESEARCH)
    onsite = Case.objects.filter(channel=Channel.ONSITE)
    assert research.filter(status__in=SETTLED).count() >= 200
    assert onsite.filter(status__in=SETTLED).count() >= 410
    # Solved means solved: nearly all on-site requests visited and rated 满意 or 基本满意.
    rated = onsite.filter(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])
    assert rated.count() >= 0.85 * onsite.count()
    assert research.filter(triage=Triage.ON_THE_SPOT, status__in=SETTLED).count() >= (
        0.5 * research.count()
    )

    # Each one was raised at a held activity, in its place, while it was on.
    assert not research.filter(field_visit__isnull=True).exists()
    assert not onsite.filter(onsite_session__isnull=True).exists()
    assert not research.exclude(field_visit__status=ActivityStatus.HELD).exists()
    assert not onsite.exclude(onsite_session__status=ActivityStatus.HELD).exists()
    assert not research.exclude(grid=F("field_visit__grid")).exists()
    assert not research.exclude(compound=F("field_visit__compound")).exists()
    assert not onsite.exclude(grid=F("onsite_session__grid")).exists()
    assert not research.filter(received_at__lt=F("field_visit__starts_at")).exists()
    assert not onsite.filter(received_at__lt=F("onsite_session__starts_at")).exists()
    assert not Case.objects.exclude(channel=Channel.RESEARCH).filter(field_visit__isnull=False)
    assert not Case.objects.exclude(channel=Channel.ONSITE).filter(onsite_session__isnull=False)
    assert not Case.objects.exclude(channel=Channel.RECEPTION).filter(reception__isnull=False)

    # The seeder's summary says what the records say.
    total, overdue = Case.objects.count(), Case.objects.overdue().count()
    assert f"：共 {total:,} 件，" in demo.output
    assert f"超期 {overdue:,}" in demo.output
    # The year's solved ones, as the seed article counts them (调研发现并解决问题200余件,
    # 解决诉求410余件), with their period.
    start, end = year_back(clock.today())
    year = {"status__in": SETTLED, "received_at__date__range": (start, end)}
    solved = f"调查研究发现 {research.filter(**year).count():,} 件"
    solved += f"，现场办公 {onsite.filter(**year).count():,} 件"
    assert f"  {cn_period(start, end)}收到并已办结的：{solved}\n" in demo.output


def test_every_channel_class_and_kind_is_there(demo):
    channels = set(Case.objects.values_list("channel", flat=True))
    assert channels >= {
        Channel.VISIT,
        Channel.LETTER,
        Channel.PHONE,
        Channel.ONLINE,
        Channel.ONSITE,
        Channel.RESEARCH,
        Channel.PATROL,
        Channel.REFERRAL,
    }
    # Online requests were submitted by residents; most are ordinary requests, with no class.
    online = Case.objects.filter(channel=Channel.ONLINE)
    assert online.exists() and not online.filter(registered_by__isnull=False).exists()
    assert Case.objects.filter(triage="").count() >= 300
    # Categories are the seeded table's, all of them used.
    assert Case.objects.values("category").distinct().count() >= 10

    # 当场解决: concluded in the same moment it was registered.
    spot = Case.objects.filter(triage=Triage.ON_THE_SPOT, accepted_at=F("received_at"))
    assert spot.filter(concluded_at=F("received_at")).count() >= 300
    # 台账: settled by a deliberation decision of the outreach demo or a leadership decision.
    ledger = Case.objects.filter(triage=Triage.LEDGER, status__in=SETTLED)
    assert ledger.filter(deliberation_decision__isnull=False).count() >= 5
    assert ledger.filter(leadership_decision__isnull=False).count() >= 5
    assert not ledger.filter(
        deliberation_decision__isnull=True, leadership_decision__isnull=True
    ).exists()
    assert LeadershipDecision.objects.filter(recorded_by__username="shuji").exists()
    # A decision comes before the case it settles is concluded, and after the case came in.
    for case in ledger.select_related("deliberation_decision__deliberation", "leadership_decision"):
        held = (
            timezone.localtime(case.deliberation_decision.deliberation.starts_at).date()
            if case.deliberation_decision_id
            else case.leadership_decision.held_on
        )
        assert timezone.localtime(case.received_at).date() < held
        assert held <= timezone.localtime(case.concluded_at).date()
    # 长期跟踪: progress notes on the way, and some follow-ups missed just now.
    long_term = Case.objects.filter(triage=Triage.LONG_TERM)
    assert long_term.filter(status__in=SETTLED, progress=100).count() >= 10
    assert (
        long_term.annotate(notes=Count("events", filter=Q(events__kind=EventKind.PROGRESS)))
        .filter(notes__gte=3)
        .exists()
    )
    assert Case.objects.followup_due().count() >= 2

    kinds = set(Case.objects.values_list("kind", flat=True))
    assert {CaseKind.ORDINARY, CaseKind.PETITION, CaseKind.REVIEW} <= kinds


def test_on_the_spot_cases_were_concluded_at_capture(demo):
    spot = Case.objects.filter(triage=Triage.ON_THE_SPOT)
    assert spot.count() >= 300
    # Never open, never late: registered, accepted and concluded in the same moment.
    assert not spot.filter(status__in=OPEN).exists()
    assert not spot.exclude(accepted_at=F("received_at")).exists()
    assert not spot.exclude(concluded_at=F("received_at")).exists()
    assert not spot.filter(concluded_on_time=False).exists()
    # The work still open is ordinary, ledger or long-term, and is what the counts call late.
    assert Case.objects.overdue().exists()
    assert not Case.objects.overdue().filter(triage=Triage.ON_THE_SPOT).exists()


def test_ledger_cases_were_settled_by_decisions_about_them(demo):
    ledger = Case.objects.filter(triage=Triage.LEDGER, status__in=SETTLED)
    by_meeting = ledger.filter(deliberation_decision__isnull=False)
    assert by_meeting.exists()
    assert not by_meeting.exclude(deliberations=F("deliberation_decision__deliberation")).exists()
    assert not by_meeting.exclude(
        deliberation_decision__deliberation__status=ActivityStatus.HELD
    ).exists()
    by_leaders = ledger.filter(leadership_decision__isnull=False)
    assert by_leaders.exists()
    assert not by_leaders.exclude(naming_decisions=F("leadership_decision")).exists()


def test_todays_spread_of_states(demo):
    today = clock.today()
    assert Case.objects.overdue(today).count() >= 5
    assert Case.objects.due_soon(today).exists()
    assert Case.objects.awaiting_visit().exists()

    # Extended once, by the party secretary, with a reason; one still open.
    extended = Case.objects.filter(extension_days__gt=0)
    assert extended.count() >= 2
    assert set(extended.values_list("extension_approved_by__username", flat=True)) == {"shuji"}
    assert not extended.filter(extension_reason="").exists()
    assert extended.filter(status=CaseStatus.IN_PROGRESS).exists()

    # Rated 不满意 and being redone; three redos put one under supervision (督办).
    assert Case.objects.filter(redo_count__gte=1, status=CaseStatus.IN_PROGRESS).count() >= 2
    three = Case.objects.get(redo_count=3)
    assert three.is_supervised and three.status == CaseStatus.IN_PROGRESS
    assert three.followups.filter(satisfaction=Satisfaction.DISSATISFIED).count() == 3
    assert Case.objects.filter(
        is_supervised=True, events__kind=EventKind.SUPERVISED, events__actor__username="shuji"
    ).exists()

    # Bounced (退单) with a reason, then assigned to someone else.
    bounced = Case.objects.filter(bounce_count__gt=0)
    assert bounced.count() >= 2
    for case in bounced:
        kinds = list(case.events.values_list("kind", flat=True))
        bounce = kinds.index(EventKind.BOUNCED)
        assert EventKind.ASSIGNED in kinds[bounce:]
        assert case.events.get(kind=EventKind.BOUNCED).note
    assert bounced.filter(status__in=SETTLED).exists()

    # Not accepted, with the reason the resident is told.
    refused = Case.objects.filter(events__kind=EventKind.NOT_ACCEPTED)
    assert refused.count() >= 2 and not refused.filter(not_accepted_reason="").exists()

    # The grid worker and the community secretary have something to sign for.
    for username in ("wanggeyuan", "sqshuji"):
        assert Case.objects.to_sign_by(user(username)).count() >= 2


def test_accusations_and_exclusions_keep_people_out(demo):
    accusations = Case.objects.filter(is_accusation=True)
    assert accusations.exists()
    assert set(accusations.values_list("handler__user__username", flat=True)) == {"shuji"}
    assert not accusations.filter(is_publishable=True).exists()
    for username in ("sqshuji", "wanggeyuan", "baopian", "lingdao", "tiaojieyuan"):
        assert not Case.objects.visible_to(user(username)).filter(is_accusation=True).exists()

    # The grid worker is the person a case complains about: it is in her grid, yet she never
    # sees it.
    worker = user("wanggeyuan")
    exclusion = CaseExclusion.objects.select_related("case").get(user=worker)
    assert exclusion.case.grid_id in set(worker.staff_profile.grids.values_list("pk", flat=True))
    assert not Case.objects.visible_to(worker).filter(pk=exclusion.case_id).exists()
    assert Case.objects.visible_to(user("sqshuji")).filter(pk=exclusion.case_id).exists()

    # A few good results are published; none names anyone.
    published = Case.objects.filter(is_publishable=True)
    assert 5 <= published.count() <= 0.1 * Case.objects.count()


def test_mediation_by_the_mediation_teams(demo):
    sessions = MediationSession.objects.all()
    assert sessions.count() >= 20
    mediators = {
        m
        for s in sessions.prefetch_related("mediators__qualifications", "mediators__team")
        for m in s.mediators.all()
    }
    assert mediators
    for member in mediators:
        assert member.team.name in ("和为贵", "邻里凤姐")
        assert "人民调解员" in {q.name for q in member.qualifications.all()}
    assert not sessions.exclude(case__mediators__user__username="tiaojieyuan").exists()

    agreements = MediationAgreement.objects.all()
    assert agreements.count() >= 5
    today = clock.today()
    live = [
        a
        for a in agreements.filter(judicial_confirmation_applied_on__isnull=True)
        if 0 < a.judicial_confirmation_days_left(today) <= 30
    ]
    assert len(live) >= 2
    for agreement in agreements:
        assert agreement.session.case_id == agreement.case_id
        assert agreement.mediators.exists() and agreement.terms

    # 事心双解: settled with a conversation on record.
    dual = Case.objects.filter(dual_settlement=True)
    assert dual.count() >= 5
    assert not dual.exclude(events__kind=EventKind.CONVERSATION).exists()
    assert dual.filter(kind=CaseKind.PETITION).count() == dual.count()


def test_petitioners_are_invented_and_some_come_back(demo):
    # Each case keeps its own record of its parties; a resident who comes back is found by
    # name and phone.
    assert not Person.objects.annotate(parts=Count("case_parts")).filter(parts__gt=1).exists()
    residents = Person.objects.values("name", "phone").annotate(
        cases=Count("case_parts__case", distinct=True)
    )
    assert residents.filter(cases__gte=2).count() >= 10
    assert not residents.filter(cases__gt=4).exists()
    staff_names = {account["name"] for account in ACCOUNTS}
    ids = 0
    for person in Person.objects.all():
        assert DEMO_PHONE.match(person.phone), person.phone
        assert person.name not in staff_names
        if person.id_number:
            assert canonical_id_number(person.id_number) == person.id_number
            assert person.id_number.startswith("159900"), "a region no one is issued"
            ids += 1
    assert ids >= 0.2 * Person.objects.count()
    # Case texts carry no phone or ID numbers: personal data lives with the parties.
    for row in Case.objects.values_list("title", "content", "result", "reply"):
        for text in row:
            assert not ANY_NUMBER.search(text), text


def test_timelines_were_written_as_they_happened(demo):
    now = clock.now()
    events = defaultdict(list)
    for row in CaseEvent.objects.order_by("case_id", "pk").values_list("case_id", "at", "kind"):
        events[row[0]].append(row[1:])
    cases = Case.objects.values_list("pk", "received_at", "concluded_at", "visited_at", "status")
    assert len(events) == Case.objects.count()
    for pk, received, concluded, visited, status in cases:
        timeline = events[pk]
        assert timeline[0] == (received, EventKind.REGISTERED), pk
        moments = [at for at, _kind in timeline]
        assert moments == sorted(moments), pk  # appended in time order
        assert moments[-1] <= now
        assert received >= now - timedelta(days=367)
        if concluded is not None:
            assert (concluded, EventKind.CONCLUDED) in timeline, pk
        if visited is not None and status in (CaseStatus.VISITED, CaseStatus.ARCHIVED):
            assert (visited, EventKind.FOLLOWED_UP) in timeline, pk
    # A follow-up rates the latest conclusion after it was made.
    latest = FollowUp.objects.filter(conclusion_number=F("case__conclusion_count"))
    assert not latest.filter(at__lt=F("case__concluded_at")).exists()
    assert not FollowUp.objects.filter(conclusion_number__gt=F("case__conclusion_count")).exists()


def test_deadlines_agree_with_the_rules(demo):
    """Re-running the deadline arithmetic changes nothing: on every open case, every formal
    petition and a sample of the rest."""
    cases = list(Case.objects.open()) + list(Case.objects.exclude(kind=CaseKind.ORDINARY))
    settled = list(Case.objects.filter(kind=CaseKind.ORDINARY).exclude(status__in=OPEN))
    cases += random.Random(3).sample(settled, k=min(150, len(settled)))
    for case in cases:
        assert deadlines.refresh(case) == [], case.number
    # 受理 within 15 days for formal petitions, and their 60 days run from acceptance.
    for case in Case.objects.filter(kind=CaseKind.PETITION, accepted_at__isnull=False):
        accepted = timezone.localtime(case.accepted_at).date()
        assert case.conclude_due == accepted + timedelta(days=60 + case.extension_days)
        assert accepted <= case.accept_due


def test_every_actor_could_see_the_case(demo):
    """The demo acts only within each account's scope or assignment (the seeder relies on it
    to skip the per-step scope query)."""
    visible = {}
    for account in get_user_model().objects.filter(staff_profile__isnull=False):
        visible[account.pk] = set(Case.objects.visible_to(account).values_list("pk", flat=True))
    acted = CaseEvent.objects.filter(actor__isnull=False).values_list("case_id", "actor_id")
    for case_id, actor_id in acted.distinct():
        assert case_id in visible[actor_id], (case_id, actor_id)


def test_a_year_of_petition_receptions(demo):
    """信访接待下基层: 180+ held in the year before today across the five communities, every
    kind, a few cancelled with a reason, the next ones planned and public, about twenty with
    photos; the seeder's summary says what the records say."""
    totals = reception_totals()
    assert totals.events >= 180
    assert totals.residents_served > 0
    assert totals.cases_opened >= 50
    assert all(n >= 20 for n in totals.by_kind.values()), totals.by_kind
    assert (
        f"：{totals.events:,} 次，接待群众 {totals.residents_served:,} 人次，"
        f"现场登记诉求 {totals.cases_opened:,} 件" in demo.output
    )

    now = clock.now()
    held = Reception.objects.held()
    assert not held.filter(starts_at__gte=now).exists()
    assert not held.filter(starts_at__lt=now - timedelta(days=367)).exists()
    assert held.values("community").distinct().count() == 5
    assert not held.filter(residents_served__lt=5).exists()
    assert not held.filter(residents_served__gt=60).exists()
    cancelled = Reception.objects.filter(status=ActivityStatus.CANCELLED)
    assert 1 <= cancelled.count() <= 0.06 * Reception.objects.count()
    assert not cancelled.filter(cancel_reason="").exists()
    assert not Reception.objects.filter(created_by__isnull=True).exists()

    # The next ones are planned, published and listed among the coming activities.
    upcoming = [a for a in upcoming_activities() if isinstance(a, Reception)]
    assert len(upcoming) >= 3
    assert all(now < a.starts_at < now + timedelta(days=21) for a in upcoming)

    # Leaders' days are the demo leaders'; lawyers and mediators come from their teams.
    for reception in Reception.objects.prefetch_related(
        "officials__user", "advisers__team", "advisers__qualifications"
    ):
        officials = {p.user.username for p in reception.officials.all()}
        if reception.kind == ReceptionKind.LEADER_DAY:
            assert officials and officials <= {"shuji", "baopian", "sqshuji"}, reception
        teams = {a.team.name for a in reception.advisers.all()}
        if reception.kind in (ReceptionKind.LEGAL_ADVICE, ReceptionKind.LEGAL_OUTREACH):
            assert "街道法律顾问团" in teams, reception
        if reception.kind == ReceptionKind.MEDIATION:
            assert teams and teams <= {"和为贵", "邻里凤姐"}, reception
            for adviser in reception.advisers.all():
                assert "人民调解员" in {q.name for q in adviser.qualifications.all()}
        if reception.grid_id:
            assert reception.grid.community_id == reception.community_id
        # Public summaries name no one's number.
        assert not ANY_NUMBER.search(reception.summary), reception.summary

    photos = ReceptionPhoto.objects.select_related("activity")
    assert 15 <= photos.values("activity").distinct().count() <= 25
    assert len({p.image.name for p in photos}) == photos.count()
    assert all(p.activity.status == ActivityStatus.HELD and p.activity.is_published for p in photos)


def test_requests_registered_at_receptions(demo):
    cases = Case.objects.filter(channel=Channel.RECEPTION).select_related("reception")
    assert cases.count() >= 50
    assert not cases.filter(reception__isnull=True).exists()
    assert not cases.exclude(reception__status=ActivityStatus.HELD).exists()
    # In the reception's place, while it was on, by staff.
    assert not cases.exclude(community=F("reception__community")).exists()
    assert not cases.filter(reception__grid__isnull=False).exclude(grid=F("reception__grid"))
    assert not cases.filter(received_at__lt=F("reception__starts_at")).exists()
    assert not cases.filter(received_at__gt=F("reception__ends_at")).exists()
    assert not cases.filter(registered_by__isnull=True).exists()
    # Legal and mediation matters, mostly settled; some mediated by the teams.
    assert set(cases.values_list("category__name", flat=True)) <= {
        "邻里纠纷",
        "婚姻家庭",
        "劳动纠纷",
        "政策咨询",
        "物业纠纷",
    }
    assert cases.filter(status__in=SETTLED).count() >= 0.8 * cases.count()
    assert MediationSession.objects.filter(case__channel=Channel.RECEPTION).exists()
    # Each summary's figure is the number of requests linked to it.
    for reception in Reception.objects.held().annotate(n=Count("cases")):
        found = re.search(r"现场登记诉求([0-9]+)件", reception.summary)
        assert (int(found.group(1)) if found else 0) == reception.n, reception


def test_a_second_run_creates_nothing(demo):
    models = [
        Case,
        CaseEvent,
        Person,
        FollowUp,
        MediationSession,
        LeadershipDecision,
        Reception,
        ReceptionPhoto,
        ReplyTemplate,
    ]
    before = {m.__name__: m.objects.count() for m in models}

    output = seed()

    assert {m.__name__: m.objects.count() for m in models} == before
    assert "已有演示诉求，未重复生成" in output


def test_reply_templates_for_the_common_categories(demo):
    templates = ReplyTemplate.objects.filter(is_active=True).select_related("category")
    assert templates.filter(category__isnull=True).exists()
    assert {"环境卫生", "物业纠纷", "消防通道/停车"} <= {
        t.category.name for t in templates if t.category
    }
    # None names a resident or carries a number.
    assert not any(ANY_NUMBER.search(t.text) for t in templates)


PROGRESS = re.compile(r"^  \[(\d+)/(\d+)\] (.+) … (.+)，(\d+) s$")


def test_the_long_first_run_shows_every_stage_as_it_goes(demo):
    """One line per stage, numbered to the total announced, each with what it wrote and its
    seconds; the cases (the longest part) come a stretch of the year at a time and add up."""
    stages = [m for m in map(PROGRESS.match, demo.output.splitlines()) if m]
    assert [int(m[1]) for m in stages] == list(range(1, len(stages) + 1))
    assert {int(m[2]) for m in stages} == {len(stages)}
    case_stages = [m for m in stages if m[3].startswith("诉求（")]
    assert len(case_stages) >= 3
    written = sum(int(re.fullmatch(r"([\d,]+) 件", m[4])[1].replace(",", "")) for m in case_stages)
    assert written == Case.objects.count()
    talks = next(m for m in stages if m[3].startswith("下基层活动"))
    units = r"政策宣讲 \d+ 场，调查研究 \d+ 次，现场办公 \d+ 场，议事协商 \d+ 场"
    assert re.search(units, talks[4])


def test_the_summary_prints_what_the_home_page_shows_and_every_period(demo, client):
    """`make run` printed 84 talks where the home page showed 80, both without a period and
    with 场 in one place and 次 in another: the summary now repeats the home page's counters
    from the same read function (same period, same units) and every line names its period."""
    summary = [line for line in demo.output.splitlines() if line.startswith("  ") and "：" in line]
    summary = [line for line in summary if not PROGRESS.match(line)]
    for line in summary:
        heading = line.split("：", 1)[0]
        assert re.search(r"\d{4}年\d+月\d+日至|截至\d{4}年", heading), line

    home_line = next(line for line in summary if line.startswith("  首页显示（"))
    html = client.get("/").content.decode()
    period = re.match(r"  首页显示（(.+)，已公开的）", home_line)[1]
    assert f"{period}，根据公开的活动记录实时统计" in html
    counters = re.findall(r"([^，\s]+) ([\d,]+) (场|次)", home_line.split("：", 1)[1])
    assert [label for label, _n, _unit in counters] == [
        "政策宣讲",
        "调查研究",
        "现场办公",
        "信访接待",
        "议事协商",
    ]
    for label, number, unit in counters:
        counter = re.search(
            rf'counter__label">{label}</span><span class="counter__value">(\d+)<small>(.)</small>',
            html,
        )
        assert counter, label
        assert (counter[1], counter[2]) == (number.replace(",", ""), unit), label


def test_results_and_replies_vary_as_real_ones_do(demo):
    """Each result and reply is composed from parts and the case's specifics (when and how it
    came in, who handled it): they do not repeat word for word across cases, even with their
    dates, numbers and place names (compound, community, grid) masked."""
    names = [m.objects.values_list("name", flat=True) for m in (Compound, Community, Grid)]
    places = sorted({n for group in names for n in group if n}, key=len, reverse=True)
    place = re.compile("|".join(map(re.escape, places)))
    # Measured: 92.7 % of results and 95.6 % of replies distinct so masked.
    for field, bar in (("result", 0.9), ("reply", 0.93)):
        texts = [t for t in Case.objects.values_list(field, flat=True) if t]
        assert len(texts) >= 900, field
        masked = [re.sub(r"[0-9]+", "#", place.sub("某", t)) for t in texts]
        assert len(set(masked)) >= bar * len(masked), field


def test_replies_say_nothing_twice(demo):
    """No result or reply repeats a sentence (an opening's thanks and the matter's) or a date
    (the day it came in, in the opening and again in the body)."""
    for number, *texts in Case.objects.values_list("number", "result", "reply"):
        for text in texts:
            sentences = [s.strip() for s in re.split(r"[。！？]", text) if s.strip()]
            assert len(sentences) == len(set(sentences)), (number, text)
            dates = re.findall(r"[0-9]+月[0-9]+日", text)
            assert len(dates) == len(set(dates)), (number, text)


def test_one_error_report_waits_in_the_editors_queue(demo):
    reports = Case.objects.filter(category__handled_by=Role.EDITOR)
    assert reports.count() == 1
    report = reports.get()
    assert report.status == CaseStatus.REGISTERED and report.channel == Channel.ONLINE
    assert "页面纠错" in report.title and "/activities/receptions/" in report.content
    received = timezone.localtime(report.received_at).date()
    assert report.conclude_due == add_working_days(received, 3)
    resident = report.parties.get().person
    assert DEMO_PHONE.match(resident.phone), resident.phone
