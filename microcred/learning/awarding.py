"""What a completion is turned into: the after-commit subscribers of ``CompletionRecorded``.

``completion_evaluate`` emits the event; each awarding subscriber (the credentials app's issuer,
listed in ``microcred/config/events.py``) runs as a background task after the completion
commits, so a slow or failing awarder never undoes the learner's completion. An awarder returns
what it awarded and notes it with ``learning.services.completion_mark_awarded``; awarders are
idempotent, so ``completion_award`` can run them again.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from microcred.core import events
from microcred.core.actors import SYSTEM, actor_from_id

from .models import Completion


def completion_award(*, completion: Completion, actor: Any = SYSTEM) -> list[Any]:
    """Award ``completion`` here and now, as the queued task would, and return the awards."""
    awarded = events.deliver_now(
        events.CompletionRecorded(actor=actor, completion_id=completion.pk), runs=events.Runs.AFTER_COMMIT
    )
    return [award for award in awarded if award is not None]


@task()
def award_completion_task(completion_id: int, actor_id: int | None = None) -> None:
    """Tasks queued before the event seam name this one: award as the seam's task would."""
    completion_award(completion=Completion.objects.get(pk=completion_id), actor=actor_from_id(actor_id))
