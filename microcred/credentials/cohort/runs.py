"""Cohort runs that survive their runner: a lease, a heartbeat, and a takeover.

Every cohort issuance from a page, the API, the command line or a task is a ``CohortRun``. Its
runner takes it (``cohort_run_take``, in ``services/runs.py`` with the lease's other writes: one
conditional UPDATE, so two would-be runners cannot both win), refreshes ``heartbeat_at`` after
every committed chunk, and marks it finished or failed. A runner that is killed (``kill -9``,
OOM, a lost machine) leaves it ``running`` with a heartbeat that stops; once that is older than
the lease (``MICROCRED_COHORT_LEASE_SECONDS``) the run is *stale* and the next runner takes it
over and finishes it. Nothing is lost or doubled because the issuing itself is idempotent per
completion (``store.claim``): what the dead runner committed stays, what it had not committed
was rolled back with its connection (its reserved status indexes stay burnt, ADR 0024), and the
takeover issues exactly the completions still without a credential. A runner that only *looked*
dead (paused longer than the lease) finds its lease gone at its next heartbeat and stops; until
then both run side by side, which the per-completion locks make safe.

Who takes stale runs over, since the database worker (``django_tasks_db``) never retries a
task it had claimed:

- the task itself: every ``cohort_run_task`` first enqueues a successor due one lease later,
  a watchdog; when it runs it finishes a run whose runner died, or, if the runner is alive,
  enqueues the next one. A restarted worker thus resumes the run by itself;
- every cohort task that starts, and every issue action on a page or the API, hands the
  stale runs it finds to the queue;
- ``microcred credentials resume-stale`` resumes them in the foreground (cron, or by hand).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, Q
from django_tasks import default_task_backend, task
from django_tasks.base import TaskContext

from microcred.catalog.models import MicroCredential
from microcred.core.actors import SYSTEM
from microcred.core.clock import now as clock_now

from ..models import CohortRun, CohortRunStatus
from .services import CohortReport, credentials_issue_cohort
from .services.runs import (
    Lease,
    LeaseLost,
    WorkerLost,
    cohort_run_create,
    cohort_run_open,
    cohort_run_take,
    lease_duration,
    stale,
    stale_runs,
)

__all__ = [
    # Written by the lease's service (``services/runs.py``), named here for the callers of runs.
    "LeaseLost",
    "WorkerLost",
    "cohort_run_create",
    "cohort_run_enqueue",
    "cohort_run_execute",
    "cohort_run_now",
    "cohort_run_open",
    "cohort_run_take",
    "cohort_run_task",
    "lease_duration",
    "live_run",
    "run_state",
    "run_states",
    "runner_identity",
    "stale_runs",
    "stale_runs_requeue",
]

Progress = Callable[[int, int], None]


def runner_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def live_run(*, microcredential: MicroCredential, now: datetime) -> CohortRun | None:
    """A run of this version that is queued or whose runner is alive: issuing again would only
    race it."""
    cutoff = now - lease_duration()
    return (
        CohortRun.objects.filter(microcredential=microcredential)
        .filter(Q(status=CohortRunStatus.QUEUED) | Q(status=CohortRunStatus.RUNNING, heartbeat_at__gte=cutoff))
        .order_by("pk")
        .first()
    )


def cohort_run_execute(
    *, run: CohortRun, owner: str, progress: Progress | None = None, inline: bool = False
) -> CohortReport | None:
    """Issue what ``run`` (taken by ``owner``) still has to issue; None if it was taken over
    meanwhile. ``inline`` signs in this process (a web request forks nothing). Failures mark it
    failed and propagate; a worker shutting down (``SystemExit``) releases the lease so the next
    runner resumes at once."""
    lease = Lease(run=run, owner=owner)
    microcredential = MicroCredential.objects.get(pk=run.microcredential_id)
    try:
        report = credentials_issue_cohort(
            actor=run.actor or SYSTEM,  # an empty actor is the system's run
            microcredential=microcredential,
            workers=0 if inline else run.workers,
            chunk_size=run.chunk_size,
            progress=progress,
            on_chunk=lease.renew,
        )
    except LeaseLost:
        return None
    except SystemExit:
        lease.end(heartbeat_at=None)
        raise
    except BaseException as exc:
        message = "Interrupted." if isinstance(exc, KeyboardInterrupt) else str(exc) or type(exc).__name__
        lease.end(status=CohortRunStatus.FAILED, error=message[:2000], finished_at=clock_now())
        raise
    lease.end(
        status=CohortRunStatus.FINISHED,
        pending=report.pending,
        finished_at=clock_now(),
        heartbeat_at=clock_now(),
    )
    return report


def cohort_run_now(
    *, run: CohortRun, progress: Progress | None = None, now: datetime | None = None, inline: bool = False
) -> CohortReport | None:
    """Take ``run`` and run it in this process; None if someone else holds it."""
    owner = runner_identity()
    if not cohort_run_take(run=run, owner=owner, now=now or clock_now()):
        return None
    return cohort_run_execute(run=run, owner=owner, progress=progress, inline=inline)


def cohort_run_enqueue(*, run: CohortRun) -> str:
    # The task records its own id when it takes the run.
    return str(cohort_run_task.enqueue(run.pk).id)


def stale_runs_requeue(*, now: datetime, microcredential: MicroCredential | None = None) -> list[int]:
    """Hand stale runs to the task queue; whichever task takes one first finishes it."""
    requeued = []
    for run in stale_runs(now=now, microcredential=microcredential):
        cohort_run_task.enqueue(run.pk)
        requeued.append(run.pk)
    return requeued


def _schedule_watchdog(run_id: int) -> None:
    backend = default_task_backend
    if not backend.supports_defer:
        return
    cohort_run_task.using(run_after=clock_now() + lease_duration() + timedelta(seconds=1)).enqueue(run_id)


@task(takes_context=True)
def cohort_run_task(context: TaskContext, run_id: int) -> dict[str, Any]:
    run = CohortRun.objects.filter(pk=run_id).first()
    if run is None or run.status in (CohortRunStatus.FINISHED, CohortRunStatus.FAILED):
        return {"run": run_id, "outcome": "done"}
    # First the watchdog: if this worker dies below, the successor finds the run stale.
    _schedule_watchdog(run_id)
    owner = runner_identity()
    moment = clock_now()
    if not cohort_run_take(run=run, owner=owner, now=moment, task_id=str(context.task_result.id)):
        return {"run": run_id, "outcome": "held by another runner"}
    stale_runs_requeue(now=moment)
    report = cohort_run_execute(run=run, owner=owner)
    if report is None:
        return {"run": run_id, "outcome": "taken over"}
    return {"run": run_id, "outcome": "finished", "issued": report.issued, "pending": report.pending}


def run_state(run: CohortRun, *, now: datetime) -> str:
    """What an issuer sees of a run that has not finished."""
    if run.status == CohortRunStatus.QUEUED:
        return "Queued for the background worker."
    if run.status == CohortRunStatus.FAILED:
        return f"The last run failed: {run.error}"
    if run.status == CohortRunStatus.RUNNING:
        if CohortRun.objects.filter(stale(now), pk=run.pk).exists():
            return (
                f"Interrupted after {run.issued} credential(s): its worker stopped. "
                "It resumes by itself; issuing now resumes it at once."
            )
        return f"Being issued: {run.issued} so far."
    return ""


def run_states(*, microcredentials: list[MicroCredential], now: datetime) -> dict[int, str]:
    """The state of each version's latest run, for those whose latest run did not finish."""
    latest = (
        CohortRun.objects.filter(microcredential__in=microcredentials)
        .values("microcredential_id")
        .annotate(latest=Max("pk"))
        .values("latest")
    )
    states = {run.microcredential_id: run_state(run, now=now) for run in CohortRun.objects.filter(pk__in=latest)}
    return {pk: state for pk, state in states.items() if state}
