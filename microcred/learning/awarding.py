"""The seam between a completion and what is awarded for it.

Each dotted path in ``settings.MICROCRED_AWARDERS`` names a callable
``award(*, completion, actor) -> object`` that turns a completion into something the learner
holds (the credentials app plugs its signed Open Badge issuer in here). Awarding runs as a
background task after the completion commits, so a slow or failing awarder never undoes the
learner's completion; ``completion_award`` can be run again and awarders must be idempotent.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import task

from microcred.core.clock import now
from microcred.core.services import audit_record

from .models import Completion

logger = logging.getLogger(__name__)


def awarders() -> list[Any]:
    return [import_string(path) for path in settings.MICROCRED_AWARDERS]


def completion_award(*, completion: Completion, actor: Any = None) -> list[Any]:
    results = []
    for award in awarders():
        results.append(award(completion=completion, actor=actor))
    with transaction.atomic():
        locked = Completion.objects.select_for_update().get(pk=completion.pk)
        if results and locked.awarded_at is None:
            locked.awarded_at = now()
            locked.save(update_fields=["awarded_at"])
            audit_record(
                actor=actor,
                action="completion.award",
                target=locked,
                awards=[f"{type(r).__name__}:{getattr(r, 'pk', r)}" for r in results],
            )
    return results


@task()
def award_completion_task(completion_id: int, actor_id: int | None = None) -> None:
    """Award in the background; the audit rows name the person whose action completed the
    micro-credential (usually the learner passing the final quiz), or the system."""
    from django.contrib.auth import get_user_model

    completion = Completion.objects.select_related("enrolment__user", "enrolment__microcredential").get(
        pk=completion_id
    )
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id is not None else None
    completion_award(completion=completion, actor=actor)


def schedule_award(*, completion_id: int, actor_id: int | None = None) -> None:
    if not settings.MICROCRED_AWARDERS:
        return
    award_completion_task.enqueue(completion_id, actor_id)
