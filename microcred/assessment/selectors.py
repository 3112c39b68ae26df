from __future__ import annotations

from typing import Any

from microcred.core.errors import NotFound

from .models import Attempt, Question


def access_attempt(*, actor: Any, attempt_id: int) -> Attempt:
    if actor is None or not actor.is_authenticated:
        raise NotFound("Attempt not found.")
    attempt = Attempt.objects.select_related("quiz", "enrolment").filter(pk=attempt_id, user=actor).first()
    if attempt is None:
        raise NotFound("Attempt not found.")
    return attempt


def attempt_questions(attempt: Attempt) -> list[Question]:
    """The served questions in served order, with choices. Callers must not expose ``is_correct``
    before the attempt is submitted; the API and page schemas leave it out."""
    by_id = {q.id: q for q in Question.objects.filter(id__in=attempt.question_ids).prefetch_related("choices")}
    return [by_id[qid] for qid in attempt.question_ids if qid in by_id]


def attempts_for(*, enrolment: Any, quiz_id: int) -> list[Attempt]:
    return list(Attempt.objects.filter(enrolment=enrolment, quiz_id=quiz_id).order_by("-started_at", "-id"))
