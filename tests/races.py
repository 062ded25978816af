"""Several staff acting on one record at the same moment, each on a connection of their own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def race(
    work: Callable[[int], Any], *, refused: type[Exception], threads: int
) -> tuple[list, list[str]]:
    """Run ``work(i)`` in ``threads`` threads released together; return what the winners got
    back and the messages of those refused with ``refused``."""
    barrier = threading.Barrier(threads)
    wins, losses = [], []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            result = work(i)
            with lock:
                wins.append(result)
        except refused as exc:
            with lock:
                losses.append(str(exc))
        finally:
            connection.close()  # each thread has its own connection

    running = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join()
    return wins, losses
