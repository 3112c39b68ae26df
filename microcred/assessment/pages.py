"""What assessment adds to lower apps' pages (listed in ``config/pages.py``): the quiz of a quiz
lesson on learning's lesson page, and the quiz fields of catalog's lesson editor."""

from __future__ import annotations

import json
from typing import Any

from microcred.accounts.permissions import Actor
from microcred.catalog.models import Lesson, LessonKind, Module
from microcred.catalog.parts import LessonEditor
from microcred.learning.models import Enrolment
from microcred.learning.parts import LessonPanel

from .attempt_rules import Shown
from .forms import QuizLessonFields, offer_banks, review_initial
from .selectors import attempt_shown, attempts_for, quiz_of, shared_bank_of
from .services import quiz_lesson_create, quiz_lesson_update, quiz_specs, quiz_start_refusal
from .views import attempts_left


def _quiz_panel_context(enrolment: Enrolment, lesson: Lesson) -> dict[str, Any]:
    quiz = quiz_of(lesson)
    if quiz is None:
        return {"quiz": None}
    attempts = attempts_for(enrolment=enrolment, quiz_id=quiz.pk)
    return {
        "quiz": quiz,
        "attempts": attempts,
        "open_attempt": next((a for a in attempts if not a.is_submitted), None),
        "attempts_left": attempts_left(quiz, attempts),
        "cannot_start": quiz_start_refusal(quiz=quiz, enrolment=enrolment),
        "scores_shown": {a.pk for a in attempts if Shown.SCORE in attempt_shown(a)},
    }


QUIZ_LESSON_PANEL = LessonPanel(
    kind=LessonKind.QUIZ, template="assessment/_lesson_panel.html", context=_quiz_panel_context
)


def _quiz_initial(lesson: Lesson) -> dict[str, Any]:
    quiz = quiz_of(lesson)
    if quiz is None:
        return {}
    if quiz.bank.is_shared:
        source = {"source": "bank", "bank": quiz.bank_id, "category": quiz.category}
    else:
        source = {"source": "questions", "questions": json.dumps(quiz_specs(quiz=quiz), indent=2, ensure_ascii=False)}
    return {
        **source,
        "passing_score": quiz.passing_score,
        "max_attempts": quiz.max_attempts,
        "unlimited_attempts": quiz.unlimited_attempts,
        "question_count": quiz.question_count,
        "time_limit_minutes": quiz.time_limit_minutes,
        "attempt_delay_minutes": quiz.attempt_delay_minutes,
        "opens_at": quiz.opens_at,
        "closes_at": quiz.closes_at,
        "grading_method": quiz.grading_method,
        "shuffle_questions": "1" if quiz.shuffle_questions else "0",
        "shuffle_options": "1" if quiz.shuffle_options else "0",
        "placement": quiz.placement,
        **review_initial(quiz.review_options),
    }


def _bank_chosen(data: dict[str, Any], *, provider: Any) -> None:
    """The form's bank number as the provider's shared bank; any other is refused on the form."""
    if data.get("bank") is not None:
        data["bank"] = shared_bank_of(provider=provider, bank_id=data["bank"])


def _quiz_lesson_create(*, actor: Actor, module: Module, **data: Any) -> Lesson:
    _bank_chosen(data, provider=module.microcredential.provider)
    return quiz_lesson_create(actor=actor, module=module, **data)


def _quiz_lesson_update(*, actor: Actor, lesson: Lesson, **data: Any) -> Lesson:
    quiz = quiz_of(lesson)
    _bank_chosen(data, provider=lesson.module.microcredential.provider)
    if data.get("questions") is None or (quiz is not None and data["questions"] == quiz_specs(quiz=quiz)):
        data.pop("questions", None)  # unchanged (or drawn from a bank): keep the quiz rather than copy it
    return quiz_lesson_update(actor=actor, lesson=lesson, **data)


QUIZ_LESSON_EDITOR = LessonEditor(
    kind=LessonKind.QUIZ,
    fields=QuizLessonFields,
    lesson_fields=("body",),
    initial=_quiz_initial,
    create_lesson=_quiz_lesson_create,
    update_lesson=_quiz_lesson_update,
    aside="assessment/_quiz_help.html",
    prepare=offer_banks,
)
