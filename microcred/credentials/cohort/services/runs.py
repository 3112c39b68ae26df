"""The writes of a cohort run's lease (see ``cohort/runs.py`` for how runs survive their runner):
creating or reopening a run, taking it (one conditional UPDATE, so of two would-be runners
exactly one wins), renewing its heartbeat with each chunk and ending it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django_tasks import TaskResultStatus

from microcred.catalog.models import MicroCredential
from microcred.core.clock import now as clock_now

from ...models import CohortRun, CohortRunStatus
from ..checks import check_permission
from .issue import CHUNK_SIZE

__all__ = [
    "Lease",
    "LeaseLost",
    "WorkerLost",
    "cohort_run_create",
    "cohort_run_open",
    "cohort_run_take",
    "lease_duration",
    "stale",
    "stale_runs",
]


class LeaseLost(Exception):
    """Another runner took the run over: this one must stop (what it committed stays)."""


class WorkerLost(Exception):
    """Recorded on the task result of a runner that died, when its run is taken over."""


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.MICROCRED_COHORT_LEASE_SECONDS)


def stale(now: datetime) -> Q:
    """Running, and its runner stopped reporting a lease ago (or released it on shutdown)."""
    return Q(Q(heartbeat_at__lt=now - lease_duration()) | Q(heartbeat_at__isnull=True), status=CohortRunStatus.RUNNING)


def stale_runs(*, now: datetime, microcredential: MicroCredential | None = None) -> QuerySet[CohortRun]:
    runs = CohortRun.objects.filter(stale(now))
    if microcredential is not None:
        runs = runs.filter(microcredential=microcredential)
    return runs.order_by("pk")


def cohort_run_create(
    *,
    actor: Any,
    microcredential: MicroCredential,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> CohortRun:
    check_permission(actor, microcredential)
    return CohortRun.objects.create(
        microcredential=microcredential,
        actor=actor if getattr(actor, "pk", None) is not None else None,
        workers=workers,
        chunk_size=chunk_size,
    )


def cohort_run_open(
    *,
    actor: Any,
    microcredential: MicroCredential,
    now: datetime,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> CohortRun:
    """The version's stale run, to be resumed with these settings, or else a new run."""
    check_permission(actor, microcredential)
    stale = stale_runs(now=now, microcredential=microcredential).first()
    if stale is None:
        return cohort_run_create(actor=actor, microcredential=microcredential, workers=workers, chunk_size=chunk_size)
    CohortRun.objects.filter(pk=stale.pk).update(workers=workers, chunk_size=chunk_size)
    stale.workers, stale.chunk_size = workers, chunk_size
    return stale


def cohort_run_take(*, run: CohortRun, owner: str, now: datetime, task_id: str = "") -> bool:
    """Become the runner of ``run`` if it is queued or stale. One conditional UPDATE: of two
    runners trying at once exactly one wins. A taken-over runner's task is closed as failed
    (the database worker would otherwise show it ``RUNNING`` for ever)."""
    takeable = Q(status=CohortRunStatus.QUEUED) | stale(now)
    previous = CohortRun.objects.filter(pk=run.pk).values_list("status", "task_id", "lease_owner").first()
    if previous is None:
        return False
    # Compare-and-set on the owner seen: of two takers of one stale run, the second finds it changed.
    taken = CohortRun.objects.filter(takeable, pk=run.pk, lease_owner=previous[2]).update(
        status=CohortRunStatus.RUNNING,
        lease_owner=owner,
        heartbeat_at=now,
        task_id=task_id,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return False
    dead_task = previous[1]
    if previous[0] == CohortRunStatus.RUNNING and dead_task and dead_task != task_id:
        _close_dead_task(dead_task, run_id=run.pk, owner=previous[2], now=now)
    run.refresh_from_db()
    return True


def _close_dead_task(task_id: str, *, run_id: int, owner: str, now: datetime) -> None:
    from django_tasks_db.models import DBTaskResult

    try:
        uuid.UUID(task_id)
    except ValueError:
        return
    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"Its worker ({owner}) stopped reporting; cohort run {run_id} was taken over and resumed.\n",
    )


@dataclass
class Lease:
    run: CohortRun
    owner: str

    def renew(self, issued: int) -> None:
        """In the chunk's transaction: the count commits with the credentials, and a runner whose
        lease was taken over commits nothing more."""
        held = CohortRun.objects.filter(pk=self.run.pk, lease_owner=self.owner, status=CohortRunStatus.RUNNING).update(
            heartbeat_at=clock_now(), issued=F("issued") + issued
        )
        if not held:
            raise LeaseLost(f"cohort run {self.run.pk} was taken over")

    def end(self, **fields: Any) -> None:
        CohortRun.objects.filter(pk=self.run.pk, lease_owner=self.owner).update(**fields)
