"""Expired tokens and grants leave by themselves while a background worker runs (ADR 0049).

Issuing a token (a code traded, a refresh) queues ``expired_tokens_clear_task`` for a day later,
unless one is already queued. The task clears what expired (``services.expired_tokens_clear``)
and queues the next one while anything is left to expire; with nothing left the chain stops, and
the next token issued starts it again.

"Already queued" is a question only django-tasks-db's table answers (a READY row of this task):
with another backend nothing is queued here, and ``microcred cleartokens`` from cron does the
work, as it still can beside the worker (clearing twice removes nothing more). Two chains can
start together (two tokens issued at the same instant both find none queued); each run that
finds another run queued stops its own chain, so they fold back into one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from django.db import transaction
from django_tasks import TaskResultStatus, task
from django_tasks.base import TaskContext
from django_tasks_db.backend import DatabaseBackend

from microcred.core import clock

from .services import expired_tokens_clear

CLEAR_EVERY: Final = timedelta(days=1)


def _clear_queued(*, besides: str | None) -> bool:
    """Whether a clearing other than ``besides`` (the running one) waits in the queue."""
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(
        task_path=expired_tokens_clear_task.module_path,
        backend_name=expired_tokens_clear_task.get_backend().alias,
        status=TaskResultStatus.READY,  # django-tasks-db's partial index covers exactly these rows
    )
    if besides is not None:
        queued = queued.exclude(id=besides)
    return queued.exists()


def expired_tokens_clear_schedule(*, besides: str | None = None) -> bool:
    """Queue the next clearing for ``CLEAR_EVERY`` from now unless one is queued already;
    returns whether it queued one. Not with a backend that cannot defer (the immediate one of
    development and tests) or that cannot say what is queued: there cron runs ``cleartokens``."""
    if not isinstance(expired_tokens_clear_task.get_backend(), DatabaseBackend):
        return False
    if _clear_queued(besides=besides):
        return False
    expired_tokens_clear_task.using(run_after=clock.now() + CLEAR_EVERY).enqueue()
    return True


@task(takes_context=True)
def expired_tokens_clear_task(context: TaskContext) -> dict[str, Any]:
    cleared = expired_tokens_clear()
    queued_next = cleared.remaining > 0 and expired_tokens_clear_schedule(besides=str(context.task_result.id))
    return {**cleared.to_json(), "queued_next": queued_next}


def on_token_issued(sender: Any, request: Any, token: Any, **kwargs: Any) -> None:
    """django-oauth-toolkit's ``app_authorized``: a token was issued, so one will expire."""
    transaction.on_commit(expired_tokens_clear_schedule)
