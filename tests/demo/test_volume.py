"""``seed_demo --scale 2``: the volume for benchmarks is written in bulk, holds together, and
``check_consistency`` says so — and says so no longer when a row is broken.

The volume is written once for the module on top of the package's demo (``tests/demo``), in a
savepoint rolled back at the end; each test runs in its own savepoint on top of that.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from outreach.models import PRACTICE_MODELS, ActivityEvent, ActivityEventKind
from petitions import consistency
from petitions.consistency import case_problems
from petitions.models import Case, CaseEvent, CaseStatus, EventKind, FollowUp
from portal.models import Community, Grid
from portal.volume import Plan

pytestmark = pytest.mark.django_db

PLAN = Plan(2)


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", allow_production=True, quiet_logins=True, stdout=out, **options)
    return out.getvalue()


def check(**options) -> str:
    out = StringIO()
    call_command("check_consistency", stdout=out, seed=1, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def volume(demo, django_db_blocker):
    with django_db_blocker.unblock():
        savepoint = transaction.atomic()
        savepoint.__enter__()
        try:
            yield seed(scale=2)
        finally:
            transaction.set_rollback(True)
            savepoint.__exit__(None, None, None)


def volume_cases():
    return Case.objects.filter(community__code__startswith="vol-")


def test_scale_2_reaches_its_targets(volume):
    assert Case.objects.count() == PLAN.cases == 20_000
    assert sum(m.objects.count() for m in PRACTICE_MODELS) == PLAN.activities == 2_000
    assert Community.objects.count() == PLAN.communities == 6
    assert Grid.objects.count() == PLAN.grids == 20
    assert "压测数据：诉求及办理记录" in volume


def test_the_volume_has_every_status_with_its_timeline(volume):
    statuses = dict(volume_cases().values_list("status").annotate(n=Count("pk")))
    assert set(statuses) >= {
        CaseStatus.IN_PROGRESS,
        CaseStatus.CONCLUDED,
        CaseStatus.VISITED,
        CaseStatus.ARCHIVED,
        CaseStatus.NOT_ACCEPTED,
    }
    assert statuses[CaseStatus.VISITED] + statuses[CaseStatus.ARCHIVED] > 0.8 * sum(
        statuses.values()
    )
    # An ordinary request that went the whole way (some archived ones were never accepted).
    archived = (
        volume_cases()
        .filter(status=CaseStatus.ARCHIVED, triage="", events__kind=EventKind.FOLLOWED_UP)
        .first()
    )
    kinds = list(archived.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [
        EventKind.REGISTERED,
        EventKind.ACCEPTED,
        EventKind.ASSIGNED,
        EventKind.SIGNED,
        EventKind.CONCLUDED,
        EventKind.FOLLOWED_UP,
        EventKind.ARCHIVED,
    ]
    assert archived.followups.count() == 1
    assert archived.parties.count() == 1
    # Every case is on some timeline, every visited one rated once.
    assert not Case.objects.filter(events__isnull=True).exists()
    visited = volume_cases().filter(visited_at__isnull=False)
    assert FollowUp.objects.filter(case__in=visited).count() == visited.count()


def test_activities_are_on_the_record(volume):
    for model in PRACTICE_MODELS:
        added = model.objects.filter(community__code__startswith="vol-")
        assert added.exists(), model
        assert ActivityEvent.objects.of(added.first()).first().kind == ActivityEventKind.RECORDED


def test_the_check_passes_on_the_seeded_data(volume):
    output = check(sample=400)

    assert "全部通过" in output
    assert "问题" not in output


def test_the_check_fails_on_a_case_concluded_without_its_conclusion(volume, monkeypatch):
    case = volume_cases().filter(status=CaseStatus.IN_PROGRESS).first()
    # A status written around the services: concluded, with a result, but no 办结 entry.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CONCLUDED, result="已处理")
    case.refresh_from_db()
    assert any("记录止于 in_progress" in p for p in case_problems(case))
    # The sample includes it.
    drawn = consistency.sample_ids
    monkeypatch.setattr(
        consistency, "sample_ids", lambda model, n, rng: [*drawn(model, n, rng), case.pk]
    )

    out = StringIO()
    with pytest.raises(CommandError, match="1 项检查发现问题"):
        call_command("check_consistency", stdout=out, seed=1, sample=100)

    assert f"{case.number}: 记录止于 in_progress，状态却是 concluded" in out.getvalue()


def test_the_check_fails_on_a_wrong_deadline(volume):
    case = volume_cases().filter(status=CaseStatus.VISITED).first()
    Case.objects.filter(pk=case.pk).update(conclude_due=case.conclude_due.replace(year=2000))
    case.refresh_from_db()

    assert any("conclude_due" in p for p in case_problems(case))


def test_the_timeline_cannot_be_edited(volume):
    event = CaseEvent.objects.filter(case__in=volume_cases()).first()
    with pytest.raises(Exception, match="只能追加"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="改动")


def test_a_second_run_writes_nothing_and_a_larger_scale_is_refused(volume):
    before = (Case.objects.count(), CaseEvent.objects.count(), Community.objects.count())

    output = seed(scale=2)

    assert (Case.objects.count(), CaseEvent.objects.count(), Community.objects.count()) == before
    assert "未重复生成" in output
    with pytest.raises(CommandError, match="新数据库"):
        seed(scale=3)
