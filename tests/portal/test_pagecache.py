"""The page cache: anonymous public pages served from the cache, invalidated on change."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal import clock, pagecache
from portal.models import PageGeneration
from tests.factories import make_talk

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _clear(settings):
    settings.PORTAL_PAGE_CACHE = True
    cache.clear()
    pagecache.forget_local_generations()
    yield
    cache.clear()
    pagecache.forget_local_generations()


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


def _talks_counter(response) -> int:
    page = response.content.decode()
    found = re.search(r'counter__label">政策宣讲</span><span class="counter__value">(\d+)', page)
    assert found, page
    return int(found.group(1))


def test_a_rebuilt_page_reuses_the_blocks_whose_topics_did_not_change(client, settings):
    settings.PORTAL_PAGE_CACHE = False  # every visit rebuilds the page from its blocks
    settings.PORTAL_FRAGMENT_CACHE = True
    with clock.frozen(datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        make_talk(starts_at=clock.now() - timedelta(days=2))
        first = _talks_counter(client.get("/"))
        with CaptureQueriesContext(connection) as ctx:
            assert _talks_counter(client.get("/")) == first
        assert len(ctx.captured_queries) <= 1, ctx.captured_queries
        make_talk(starts_at=clock.now() - timedelta(days=1))
        # News changed, activities did not (as far as the counters know): kept.
        pagecache._bump_now("news")
        assert _talks_counter(client.get("/")) == first
        pagecache._bump_now("outreach")
        assert _talks_counter(client.get("/")) == first + 1
    # A new day: "this year" is counted again.
    with clock.frozen(datetime(2027, 1, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        assert _talks_counter(client.get("/")) == 0


def test_blocks_are_kept_per_language(client, settings):
    settings.PORTAL_PAGE_CACHE = False
    settings.PORTAL_FRAGMENT_CACHE = True
    assert "新闻动态" in client.get("/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/").content.decode()
    assert "新闻动态" not in page, page


def test_a_process_reuses_the_counters_it_read_but_not_after_its_own_bump(monkeypatch):
    monkeypatch.setattr(pagecache, "LOCAL_SECONDS", 3600.0)  # however slow this machine is
    before = pagecache.current_generations()
    cache.delete(pagecache.GENERATIONS_KEY)
    PageGeneration.objects.update_or_create(topic="outreach", defaults={"value": 999})
    assert pagecache.current_generations() == before  # within the second: as read
    pagecache._bump_now("outreach")  # here: read afresh
    assert pagecache.current_generations()["outreach"] == 1000
