"""Run the same call from many threads at once, each thread on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection, connections

T = TypeVar("T")


def skip_unless_real_concurrency() -> None:
    """SQLite serialises every writer, and the in-memory test database is not shared across
    threads, so races are only reproducible on PostgreSQL."""
    import pytest

    if connection.vendor == "sqlite":
        pytest.skip("Needs concurrent writers: run with DATABASE_URL pointing at PostgreSQL.")


def bearer_header(user: object) -> str:
    """An ``Authorization`` value for ``user``: threads each make their own ``Client`` with it,
    since a session login is per client."""
    from microcred.accounts.services import api_token_create

    return f"Bearer {api_token_create(actor=user, name='concurrency')[1]}"


def run_concurrently(count: int, call: Callable[[int], T]) -> list[T | BaseException]:
    """Start ``count`` threads that wait for each other, then run ``call(index)`` together.
    Returns each thread's result, or the exception it raised, in thread order."""
    barrier = threading.Barrier(count)
    results: list[T | BaseException] = [RuntimeError("thread did not finish")] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call(index)
        except BaseException as exc:  # handed back to the test to assert on
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
