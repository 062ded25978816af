"""The page cache: anonymous public pages served from the cache, invalidated on change."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal import pagecache

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _clear(settings):
    settings.PORTAL_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


def test_second_anonymous_visit_is_served_from_the_cache(client):
    first = client.get("/activities/upcoming/")
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        second = client.get("/activities/upcoming/")
    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert len(ctx.captured_queries) <= 1
    assert second.content == first.content


def test_a_bump_shows_the_change_on_next_load(client):
    client.get("/activities/upcoming/")
    assert client.get("/activities/upcoming/").get("X-Page-Cache") == "hit"
    pagecache._bump_now("outreach")
    assert client.get("/activities/upcoming/").get("X-Page-Cache") is None


def test_bump_waits_for_commit_and_survives_cache_flush(client):
    before = pagecache.generations(["results"])["results"]
    pagecache.bump("results")  # autocommit: runs at once
    cache.clear()
    assert pagecache.generations(["results"])["results"] == before + 1


def test_many_changes_in_one_transaction_bump_once_and_a_rolled_back_one_does_not_count():
    before = pagecache.generations(["results", "news"])
    with transaction.atomic():
        for _ in range(50):
            pagecache.bump("results")
        try:
            with transaction.atomic():
                pagecache.bump("news")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        pagecache.bump("news")  # the rolled-back hook is gone: this one must register
        hooks = [hook for _sids, hook, _robust in connection.run_on_commit]
        assert len(hooks) == 2
    after = pagecache.generations(["results", "news"])
    assert after == {"results": before["results"] + 1, "news": before["news"] + 1}


def test_large_type_and_language_are_separate_pages(client):
    client.get("/activities/upcoming/")
    client.cookies["portal_text_size"] = "large"
    assert client.get("/activities/upcoming/").get("X-Page-Cache") is None


def test_logged_in_users_never_get_a_cached_page(client):
    client.get("/activities/upcoming/")
    user = get_user_model().objects.create_user("pc-staff", password="x")
    client.force_login(user)
    assert client.get("/activities/upcoming/").get("X-Page-Cache") is None
    assert client.get("/activities/upcoming/").get("X-Page-Cache") is None


def test_csrf_forms_are_never_cached(client):
    client.get("/requests/new/")
    response = client.get("/requests/new/")
    assert response.get("X-Page-Cache") is None
