"""Issue pending credentials from a page or the API: in the request when few, else as a task.

Up to ``SYNC_LIMIT`` pending completions are issued in the request, in the web process itself
(no worker processes are forked from a web server); more are handed to the task queue
(``django_tasks``), whose worker runs the same service with its signing processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_tasks import task

from microcred.accounts.models import User
from microcred.catalog.models import MicroCredential

from . import CohortReport, check_permission, credentials_issue_cohort
from .store import pending_completions

SYNC_LIMIT = 500


@dataclass(frozen=True)
class CohortOutcome:
    pending: int
    report: CohortReport | None = None  # issued in the request
    task_id: str | None = None  # queued


def cohort_issue_pending(*, actor: Any, microcredential: MicroCredential) -> CohortOutcome:
    check_permission(actor, microcredential)
    pending = pending_completions(microcredential).count()
    if pending <= SYNC_LIMIT:
        report = credentials_issue_cohort(actor=actor, microcredential=microcredential, workers=0)
        return CohortOutcome(pending=pending, report=report)
    result = issue_cohort_task.enqueue(microcredential.pk, getattr(actor, "pk", None))
    return CohortOutcome(pending=pending, task_id=str(result.id))


@task()
def issue_cohort_task(microcredential_id: int, actor_id: int | None) -> dict[str, Any]:
    # The actor's roles are checked again here: they may have changed while the task waited.
    actor = User.objects.get(pk=actor_id) if actor_id is not None else None
    microcredential = MicroCredential.objects.get(pk=microcredential_id)
    report = credentials_issue_cohort(actor=actor, microcredential=microcredential)
    return {"microcredential_id": report.microcredential_id, "issued": report.issued, "pending": report.pending}
