"""The one write of engagement: add to a credential's counter for a day and kind (ADR 0047).

Cheap on the hot path (the anonymous credential page): one ``UPDATE … SET count = count + 1``
(written in SQL: see ``_increment``); the first event of a day for a credential and kind inserts
the row instead. Two first events at once both find no row and both insert: the unique
constraint lets one in and the other adds its one with a second UPDATE, on SQLite and PostgreSQL
alike. A counter is never worth failing a page or a verification for: a database error while
counting is logged and the event dropped. No actor and no audit row, by design: nothing records
who did it. Page views go through ``engagement_count_soon``: held in the process and written
together every few seconds (served, a write per view cost most of the page's CPU).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from ..models import CredentialEngagement, EngagementKind

logger = logging.getLogger(__name__)


def engagement_day(moment: datetime) -> date:
    """Counters are kept per UTC day, whatever the installation's time zone."""
    return moment.astimezone(UTC).date()


def engagement_count(*, credential_id: int, kind: EngagementKind, now: datetime, by: int = 1) -> None:
    """Add ``by`` to the credential's counter of ``kind`` for the UTC day of ``now``."""
    if by < 1:
        raise ValueError("An engagement counter only grows.")
    try:
        if transaction.get_connection().in_atomic_block:
            # Inside the caller's transaction, a failed count must not break it: a savepoint.
            with transaction.atomic():
                _add(credential_id, kind, engagement_day(now), by)
        else:
            _add(credential_id, kind, engagement_day(now), by)
    except DatabaseError:
        logger.warning("Could not count a %s of credential %s; the event is not counted.", kind, credential_id)


def _add(credential_id: int, kind: EngagementKind, day: date, by: int) -> None:
    if _increment(credential_id, kind, day, by):
        return
    try:
        with transaction.atomic():  # a savepoint when the caller holds a transaction
            CredentialEngagement.objects.create(credential_id=credential_id, day=day, kind=kind, count=by)
    except IntegrityError:
        # Another request inserted the day's row between our UPDATE and INSERT: add to it.
        _increment(credential_id, kind, day, by)


def _increment(credential_id: int, kind: EngagementKind, day: date, by: int) -> bool:
    """``UPDATE … SET count = count + by`` on the day's row; False when there is none yet.

    Written as SQL because the credential page runs it on every anonymous view: the ORM's
    ``filter(…).update(count=F("count") + by)`` spent 0.4 ms of CPU building the statement,
    against 0.02 ms for this one, the same statement (measured on SQLite; ADR 0047)."""
    connection = transaction.get_connection()
    meta = CredentialEngagement._meta
    quote = connection.ops.quote_name
    table, count, credential, day_column, kind_column = (
        quote(name)
        for name in (
            meta.db_table,
            meta.get_field("count").column,
            meta.get_field("credential").column,
            meta.get_field("day").column,
            meta.get_field("kind").column,
        )
    )
    sql = (
        f"UPDATE {table} SET {count} = {count} + %s "  # noqa: S608 (names from the model, values bound)
        f"WHERE {credential} = %s AND {day_column} = %s AND {kind_column} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [by, credential_id, connection.ops.adapt_datefield_value(day), str(kind)])
        return bool(cursor.rowcount)


# Page views, the hot path, are added up in the process and written every few seconds (ADR 0047):
# on the served page (gunicorn, SQLite in WAL mode) a write per view cost ~3 ms of the page's 4.
_pending: dict[tuple[int, str, date], int] = {}
_pending_lock = threading.Lock()
_flush_timer: threading.Timer | None = None
_flush_timer_pid = 0


def flush_seconds() -> float:
    """How long a view may wait in the process before it is written; 0 writes each at once."""
    return float(getattr(settings, "MICROCRED_ENGAGEMENT_FLUSH_SECONDS", 10))


def engagement_count_soon(*, credential_id: int, kind: EngagementKind, now: datetime) -> None:
    """Add one to the counter within ``flush_seconds()``: held in this process, then written with
    the others by :func:`engagement_flush` (a timer thread, or the process's exit). A process
    killed outright loses what it held: at most a few seconds of views."""
    global _flush_timer, _flush_timer_pid
    seconds = flush_seconds()
    if seconds <= 0:
        engagement_count(credential_id=credential_id, kind=kind, now=now)
        return
    key = (credential_id, str(kind), engagement_day(now))
    with _pending_lock:
        _pending[key] = _pending.get(key, 0) + 1
        # A timer started before a fork (gunicorn's preload) does not run in the child.
        if _flush_timer is None or _flush_timer_pid != os.getpid():
            _flush_timer = threading.Timer(seconds, _flush_in_timer)
            _flush_timer.daemon = True
            _flush_timer_pid = os.getpid()
            _flush_timer.start()


def engagement_flush() -> int:
    """Write every count this process holds, in one transaction; how many events it wrote."""
    global _flush_timer
    with _pending_lock:
        batch = dict(_pending)
        _pending.clear()
        if _flush_timer is not None and _flush_timer_pid == os.getpid():
            _flush_timer.cancel()
        _flush_timer = None
    if not batch:
        return 0
    try:
        with transaction.atomic():
            for (credential_id, kind, day), by in batch.items():
                _add(credential_id, EngagementKind(kind), day, by)
    except DatabaseError:
        logger.warning("Could not write %s held engagement counts; they are not counted.", sum(batch.values()))
        return 0
    return sum(batch.values())


def _flush_in_timer() -> None:
    try:
        engagement_flush()
    finally:
        connection.close()  # the timer thread's own connection


@atexit.register
def _flush_at_exit() -> None:
    try:
        engagement_flush()
    except Exception:  # the process is ending: nothing left to tell
        logger.warning("Could not write the held engagement counts at exit.")
