"""Rate-limit counters behind the residents' forms (portal.ratelimit, petitions.public.limits)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone

from petitions.models import Case
from petitions.public import limits
from petitions.public.views import NOT_FOUND
from portal.models import RateLimitCounter
from portal.ratelimit import CLIENT_COOKIE, Limit, client_address, client_id
from tests.factories import make_case
from tests.petitions.test_public_submit import NEW, form_data

TRACK = "/requests/track/"


def request(remote="203.0.113.7", forwarded=None, cookie=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    req = RequestFactory().post("/requests/track/", **extra)
    if cookie:
        req.COOKIES[CLIENT_COOKIE] = cookie
    return req


def test_documented_numbers():
    assert (limits.SUBMIT.per_browser, limits.SUBMIT.per_address, limits.SUBMIT.seconds) == (
        5,
        30,
        3600,
    )
    assert (limits.TRACK.per_browser, limits.TRACK.per_address, limits.TRACK.seconds) == (
        10,
        30,
        600,
    )
    assert (limits.TRACK_CODE.hits, limits.TRACK_CODE.seconds) == (5, 3600)
    assert limits.SUBMIT.window_text == "1 小时" and limits.TRACK.window_text == "10 分钟"


def test_ipv6_clients_are_grouped_by_their_network_and_ipv4_kept():
    assert client_address(request("203.0.113.7")) == "203.0.113.7"
    one = client_address(request("2001:db8:abcd:12::1"))
    other = client_address(request("2001:db8:abcd:12:ffff::9"))
    assert one == other == "2001:db8:abcd:12::/64"
    assert client_address(request("::ffff:198.51.100.4")) == "198.51.100.4"
    assert client_address(request("not-an-address")) == "not-an-address"


def test_forwarded_address_is_used_only_behind_a_declared_proxy(settings):
    spoofed = request("10.0.0.2", forwarded="1.2.3.4, 198.51.100.20")
    assert client_address(spoofed) == "10.0.0.2"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    # The address the proxy saw (the last hop), not what the client wrote before it.
    assert client_address(spoofed) == "198.51.100.20"


def test_browser_id_comes_from_a_well_formed_cookie_or_is_new():
    good = "0123456789abcdef0123456789abcdef"
    assert client_id(request(cookie=good)) == good
    forged = request(cookie="x' OR 1=1")
    new = client_id(forged)
    assert new != "x' OR 1=1" and len(new) == 32 and client_id(forged) == new


@pytest.mark.django_db
def test_counter_counts_per_window_and_stores_no_raw_key(freeze):
    limit = Limit("test", hits=2, seconds=600)
    assert [limit.hit("13912345678"), limit.hit("13912345678")] == [1, 2]
    assert limit.exceeded("13912345678") and not limit.exceeded("other")
    assert not RateLimitCounter.objects.filter(key__contains="1391234").exists()
    with freeze(timezone.now() + timedelta(seconds=600)):
        assert not limit.exceeded("13912345678")
        assert limit.hit("13912345678") == 1


@pytest.mark.django_db
def test_limits_can_be_switched_off(settings):
    settings.PORTAL_RATELIMIT_ENABLED = False
    limit = Limit("test", hits=1, seconds=600)
    for _ in range(3):
        limit.hit("x")
    assert not limit.exceeded("x") and not RateLimitCounter.objects.exists()


# --- Simultaneous bursts (PostgreSQL, real connections in threads) ------------------------------

BURST = 20


def burst(post) -> list:
    """``post(i)`` from BURST threads released at the same moment; their results."""
    barrier = threading.Barrier(BURST)
    results, lock = [], threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            result = post(i)
            with lock:
                results.append(result)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_submissions_from_one_browser_makes_no_more_cases_than_the_limit(
    place, settings
):
    settings.PETITIONS_MIN_FILL_SECONDS = 0
    cookie = "0123456789abcdef0123456789abcdef"

    def post(i: int) -> int:
        browser = Client()
        browser.cookies[CLIENT_COOKIE] = cookie
        return browser.post(NEW, form_data(place, title=f"第{i}件事")).status_code

    statuses = burst(post)
    assert sorted(set(statuses)) == [302, 429]
    assert statuses.count(302) == limits.SUBMIT.per_browser
    assert Case.objects.count() == limits.SUBMIT.per_browser


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_guesses_at_one_code_gets_no_more_answers_than_the_limit(place):
    case = make_case(place.north_a)

    def post(i: int) -> str:
        page = Client().post(TRACK, {"code": case.tracking_code, "last4": f"{i:04d}"})
        return "wrong" if NOT_FOUND in page.content.decode() else str(page.status_code)

    answers = burst(post)
    assert answers.count("wrong") == limits.TRACK_CODE.hits
    assert answers.count("429") == BURST - limits.TRACK_CODE.hits
    # The code is now blocked even with the right ending (5678), as after five slow guesses.
    right = Client().post(TRACK, {"code": case.tracking_code, "last4": "5678"})
    assert right.status_code == 429
