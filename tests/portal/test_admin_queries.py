"""Every reference-data changelist costs the same number of queries for 1 row and for 50."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Qualification, StaffProfile, TeamMember
from portal.roles import Role
from tests.factories import make_community, make_compound, make_grid, make_staff, make_team

_n = itertools.count()


def grow(label: str, n: int, place) -> None:
    for _ in range(n):
        i = next(_n)
        if label == "portal.community":
            make_grid(make_community())
        elif label == "portal.grid":
            make_grid(place.north)
        elif label == "portal.compound":
            make_compound(make_grid(make_community()))
        elif label == "portal.team":
            TeamMember.objects.create(team=make_team(), name=f"队员{i}")
        elif label == "portal.teammember":
            member = TeamMember.objects.create(team=make_team(), name=f"队员{i}")
            member.qualifications.add(Qualification.objects.get_or_create(name=f"资质{i}")[0])
        elif label == "portal.qualification":
            Qualification.objects.create(name=f"资质{i}")
        elif label in {"portal.staffprofile", "auth.user"}:
            make_staff(Role.AREA_LEADER, communities=[make_community(), place.north])
        elif label == "auth.group":
            continue  # the seven role groups are fixed
        else:
            raise AssertionError(f"no way to grow {label}")


def changelist_queries(client, label: str) -> tuple[int, int]:
    app_label, model = label.split(".")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(f"admin:{app_label}_{model}_changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["cl"].result_list)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "label",
    [
        "portal.community",
        "portal.grid",
        "portal.compound",
        "portal.team",
        "portal.teammember",
        "portal.qualification",
        "portal.staffprofile",
        "auth.user",
        "auth.group",
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(client, place, staff, label):
    viewer = staff[Role.SYSADMIN] if label.startswith("auth") else staff[Role.SECRETARY]
    client.force_login(viewer)
    grow(label, 1, place)
    few, few_rows = changelist_queries(client, label)
    grow(label, 49, place)
    many, many_rows = changelist_queries(client, label)
    if label != "auth.group":
        assert many_rows >= few_rows + 40
    assert many == few, f"{label}: {few} queries for {few_rows} rows, {many} for {many_rows}"
    assert StaffProfile.objects.exists()
