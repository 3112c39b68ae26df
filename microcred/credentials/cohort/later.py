"""Issue pending credentials from a page or the API: in the request when few, else as a task.

Up to ``SYNC_LIMIT`` pending completions are issued in the request, in the web process itself
(no worker processes are forked from a web server); more are handed to the task queue
(``django_tasks``), whose worker runs the same service with its signing processes. Either way
the work is a ``CohortRun`` with a lease (``runs.py``): a run whose runner died is resumed
here rather than started afresh, and a run still alive is not doubled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_tasks import task

from microcred.catalog.models import MicroCredential
from microcred.core.actors import actor_from_id
from microcred.core.clock import now as clock_now

from .runs import cohort_run_create, cohort_run_enqueue, cohort_run_now, cohort_run_open, live_run, stale_runs
from .services import CohortReport, check_permission
from .store import pending_completions

SYNC_LIMIT = 500


@dataclass(frozen=True)
class CohortOutcome:
    pending: int
    report: CohortReport | None = None  # issued in the request
    task_id: str | None = None  # queued
    run_id: int | None = None
    already_running: bool = False  # another runner has it in hand; nothing new was started


def cohort_issue_pending(*, actor: Any, microcredential: MicroCredential) -> CohortOutcome:
    check_permission(actor, microcredential)
    moment = clock_now()
    pending = pending_completions(microcredential).count()
    if not stale_runs(now=moment, microcredential=microcredential).exists():
        live = live_run(microcredential=microcredential, now=moment)
        if live is not None:
            return CohortOutcome(pending=pending, task_id=live.task_id or None, run_id=live.pk, already_running=True)
        if pending == 0:
            return CohortOutcome(pending=0, report=CohortReport(microcredential_id=microcredential.pk, pending=0))
    run = cohort_run_open(actor=actor, microcredential=microcredential, now=moment)
    if pending <= SYNC_LIMIT:
        report = cohort_run_now(run=run, inline=True, now=moment)
        if report is None:
            return CohortOutcome(pending=pending, run_id=run.pk, already_running=True)
        return CohortOutcome(pending=pending, report=report, run_id=run.pk)
    return CohortOutcome(pending=pending, task_id=cohort_run_enqueue(run=run), run_id=run.pk)


@task()
def issue_cohort_task(microcredential_id: int, actor_id: int | None) -> dict[str, Any]:
    """Tasks queued before cohort runs existed: run them as one."""
    # The actor's roles are checked again here: they may have changed while the task waited.
    actor = actor_from_id(actor_id)
    microcredential = MicroCredential.objects.get(pk=microcredential_id)
    run = cohort_run_create(actor=actor, microcredential=microcredential)
    report = cohort_run_now(run=run)
    if report is None:
        return {"microcredential_id": microcredential_id, "issued": 0, "pending": 0}
    return {"microcredential_id": report.microcredential_id, "issued": report.issued, "pending": report.pending}
