"""The portal's clock: the real time unless a block says otherwise, per thread."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from portal import clock

MOMENT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def test_the_clock_reads_the_real_time_by_default():
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()
    assert not clock.is_frozen()


def test_a_frozen_block_sees_its_moment_in_local_time_and_nests():
    with clock.frozen(MOMENT):
        assert clock.now() == MOMENT
        assert clock.localnow().hour == 9 and clock.today().isoformat() == "2026-03-02"
        with clock.frozen(MOMENT + timedelta(days=1)):
            assert clock.today().isoformat() == "2026-03-03"
        assert clock.now() == MOMENT
    assert not clock.is_frozen()


def test_another_thread_keeps_the_real_time():
    seen = []
    with clock.frozen(MOMENT):
        worker = threading.Thread(target=lambda: seen.append(clock.now()))
        worker.start()
        worker.join()
    assert seen[0] > MOMENT + timedelta(days=200)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError), clock.frozen(datetime(2026, 3, 2, 9, 30)):
        pass
