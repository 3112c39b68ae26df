from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from microcred.catalog.models import Lesson, LessonKind
from microcred.core.errors import Conflict, NotFound

from .models import Attempt, Question, Quiz
from .questions import question_type


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


def quiz_of(lesson: Lesson) -> Quiz | None:
    """The quiz that assesses ``lesson``: None for other kinds of lesson."""
    if lesson.kind != LessonKind.QUIZ:
        return None
    try:
        return lesson.quiz  # type: ignore[no-any-return]
    except Quiz.DoesNotExist:
        return None


def quiz_counts_towards_credential(quiz_id: int) -> bool:
    """Passing this quiz is required to complete a micro-credential (a required quiz lesson, as
    ``completion_requirements`` reads it), and completing one is what awards its credential."""
    return Quiz.objects.filter(pk=quiz_id, lesson__kind=LessonKind.QUIZ, lesson__required=True).exists()


def answers_revealed(attempt: Attempt) -> bool:
    """Whether a submitted attempt may show which choices were right (and the explanations).

    For a quiz that counts towards a credential, only once the learner can no longer use them
    to pass: they have passed it, or every allowed attempt is submitted. Otherwise a learner
    could fail once on purpose, read the answers and pass with a spare attempt. Other quizzes
    are practice and show them straight away."""
    if not attempt.is_submitted:
        return False
    if not quiz_counts_towards_credential(attempt.quiz_id):
        return True
    siblings = Attempt.objects.filter(quiz_id=attempt.quiz_id, user_id=attempt.user_id)
    if attempt.enrolment_id is None:
        siblings = siblings.filter(enrolment__isnull=True)
    else:
        siblings = siblings.filter(enrolment_id=attempt.enrolment_id)
    if attempt.passed or siblings.filter(passed=True).exists():
        return True
    max_attempts = attempt.quiz.max_attempts
    return max_attempts is not None and siblings.filter(submitted_at__isnull=False).count() >= max_attempts


@dataclass(frozen=True)
class QuestionReview:
    question: Question
    chosen_ids: list[int]
    correct_ids: list[int]
    is_correct: bool
    points_awarded: int


def attempt_review(attempt: Attempt) -> list[QuestionReview]:
    """How each served question went, graded by its kind as ``attempt_submit`` grades it.
    Only for submitted attempts: before that it would reveal the answers."""
    if not attempt.is_submitted:
        raise Conflict("The attempt has not been submitted yet.", code="attempt_open")
    reviews = []
    for question in attempt_questions(attempt):
        stored = (attempt.answers or {}).get(str(question.id))
        chosen = sorted(int(c) for c in stored or [])
        grade = question_type(question.kind).grade(question, None if stored is None else frozenset(chosen))
        reviews.append(
            QuestionReview(
                question=question,
                chosen_ids=chosen,
                correct_ids=sorted(c.id for c in question.choices.all() if c.is_correct),
                is_correct=grade.correct,
                points_awarded=grade.points,
            )
        )
    return reviews
