"""Fixtures shared by the whole suite."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

import pytest

from portal import clock
from portal.models import Community, Compound, Grid
from portal.roles import Role
from tests.factories import make_community, make_compound, make_grid, make_staff


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    from portal.config import READ_ENV_FILE

    # The settings this process runs on never read .env (only the entry points do); the
    # manage.py and WSGI processes the tests start inherit this and leave it unread too.
    os.environ[READ_ENV_FILE] = "false"

    # Argon2 costs ~0.5 s per hash on this machine; tests need a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def migration_data(request):
    """The rows the data migrations write, present in every transactional test.

    Serialized rollback restores them after another transactional test emptied the database,
    but under Playwright's sync API the test thread can end up with a fresh connection that
    lost the serialized copy; then they are written again here.
    """
    if not _transactional(request.node):
        return
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import DEFAULT_DB_ALIAS

    from petitions.models import Category
    from portal.calendar_data import import_calendar
    from portal.models import CalendarDay
    from portal.news.models import Column, ProofTerm, ReviewStep

    if not Category.objects.exists():
        seed = importlib.import_module("petitions.migrations.0002_rules_categories_append_only")
        seed.seed(apps, None)
        jiucuo = importlib.import_module("petitions.migrations.0014_jiucuo_category")
        jiucuo.add_category(apps, None)
    if not CalendarDay.objects.exists():
        import_calendar(CalendarDay)
    if not Column.objects.exists():
        news = importlib.import_module("portal.news.migrations.0002_append_only_columns_chain")
        for order, (name, slug, description) in enumerate(news.COLUMNS):
            Column.objects.create(slug=slug, name=name, description=description, sort_order=order)
        for order, name, role in news.CHAIN:
            ReviewStep.objects.get_or_create(order=order, defaults={"name": name, "role": role})
    if not ProofTerm.objects.exists():
        proof = importlib.import_module("portal.news.migrations.0004_proofreading_list")
        for wrong, right, kind, note in proof.TERMS:
            ProofTerm.objects.create(wrong=wrong, right=right, kind=kind, note=note)
    if not Group.objects.exists():
        # Content types, permissions and the role groups come from post_migrate, which a flush
        # after serialized rollback does not send: send it as migrate would.
        emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)


@dataclass
class Place:
    """Three communities, four grids, one compound per grid: enough to tell scopes apart."""

    north: Community
    south: Community
    west: Community
    north_a: Grid
    north_b: Grid
    south_a: Grid
    west_a: Grid
    compounds: dict[str, Compound]


@pytest.fixture
def place(db) -> Place:
    north = make_community(name="北苑社区", code="beiyuan")
    south = make_community(name="南湖社区", code="nanhu")
    north_a = make_grid(north, name="北苑第一网格")
    north_b = make_grid(north, name="北苑第二网格")
    south_a = make_grid(south, name="南湖第一网格")
    west = make_community(name="西山社区", code="xishan")
    west_a = make_grid(west, name="西山第一网格")
    compounds = {
        g.name: make_compound(g, name=f"{g.name}小区") for g in (north_a, north_b, south_a, west_a)
    }
    return Place(north, south, west, north_a, north_b, south_a, west_a, compounds)


@pytest.fixture
def staff(place):
    """One approved account per role; the scoped roles cover part of `place`."""
    return {
        Role.SECRETARY: make_staff(Role.SECRETARY, username="secretary"),
        Role.AREA_LEADER: make_staff(
            Role.AREA_LEADER, communities=[place.north, place.south], username="area"
        ),
        Role.COMMUNITY_SECRETARY: make_staff(
            Role.COMMUNITY_SECRETARY, communities=[place.north], username="community"
        ),
        Role.GRID_WORKER: make_staff(Role.GRID_WORKER, grids=[place.north_a], username="grid"),
        Role.MEDIATOR: make_staff(Role.MEDIATOR, username="mediator"),
        Role.OFFICIAL: make_staff(Role.OFFICIAL, username="official"),
        Role.EDITOR: make_staff(Role.EDITOR, username="editor_fixture"),
        Role.SYSADMIN: make_staff(Role.SYSADMIN, username="sysadmin"),
    }


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        or (marker is not None and marker.kwargs.get("transaction"))
    )


def _serialized(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return "django_db_serialized_rollback" in getattr(item, "fixturenames", ()) or bool(
        marker is not None and marker.kwargs.get("serialized_rollback")
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    # A transactional test empties the database afterwards, taking the rows data migrations
    # wrote (categories, deadline rules, holidays) with it unless it restores them.
    careless = [item.nodeid for item in items if _transactional(item) and not _serialized(item)]
    if careless:
        raise pytest.UsageError(
            "transactional tests must use serialized_rollback=True (or request "
            f"django_db_serialized_rollback): {careless}"
        )

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def freeze():
    """Run code as if it were a given moment: ``with freeze(datetime(...)): ...`` (the portal's
    clock, ``portal.clock.frozen``; a live server's thread keeps the real time)."""
    return clock.frozen


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    """Test transactions never commit, so the page cache's on-commit bumps never run: it is off
    except in the tests that turn it on (tests/portal/test_pagecache.py); so are its shared
    blocks, whose counters would otherwise repeat from one test's rolled-back data to the next."""
    settings.PORTAL_PAGE_CACHE = False
    settings.PORTAL_FRAGMENT_CACHE = False
