"""Quiz attempts. Grading happens on the server; until an attempt is submitted its questions go
out without any hint of which choice is right, and afterwards with the review, whose answers a
credential's quiz keeps back while the learner can still use them (``answers_revealed``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH, PROBLEMS_WRITE, fields_under
from microcred.assessment.models import Attempt
from microcred.assessment.selectors import access_attempt, answers_revealed, attempt_questions, attempt_review, quiz_of
from microcred.assessment.services import attempt_start_or_resume, attempt_submit
from microcred.core.errors import NotFound
from microcred.learning.api import CompletionOut, QuizInfoOut, completion_out
from microcred.learning.selectors import access_enrolment, completion_for, lesson_in_enrolment

router = Router(tags=["assessment"])


class ChoiceOut(Schema):
    id: int
    text: str


class QuestionOut(Schema):
    id: int
    kind: str = Field(description="'single': pick one choice; 'multiple': pick every right one.")
    text: str
    points: int
    choices: list[ChoiceOut]


WITHHELD = " Null while ``answers_shown`` is false."


class QuestionResultOut(Schema):
    question_id: int
    chosen_choice_ids: list[int] = Field(description="The learner's own answer.")
    correct_choice_ids: list[int] | None = Field(description="The right choices." + WITHHELD)
    is_correct: bool | None = Field(description="Whether the chosen set equals the right set." + WITHHELD)
    points_awarded: int | None = Field(description=WITHHELD.strip())
    explanation: str | None = Field(description="The author's explanation, which may name the answer." + WITHHELD)


class AttemptResultOut(Schema):
    score: str = Field(description="Percent, two decimals.")
    passed: bool
    passing_score: int
    points_earned: int
    points_possible: int
    answers_shown: bool = Field(
        description=(
            "Whether the per-question review below says what was right. For a quiz that must be passed "
            "to earn a credential it is false, and every correctness field is null, while the learner "
            "has not passed and still has attempts left; it turns true once they pass or have "
            "submitted every allowed attempt. Practice quizzes always show it."
        )
    )
    questions: list[QuestionResultOut]
    completion: CompletionOut | None = Field(description="Present once the enrolment is complete.")


class AttemptOut(Schema):
    id: int
    state: Literal["open", "submitted"]
    enrolment_id: int | None
    quiz: QuizInfoOut
    started_at: datetime
    submitted_at: datetime | None
    questions: list[QuestionOut] = Field(description="In the order served.")
    result: AttemptResultOut | None = Field(description="Only once submitted.")


class SubmitIn(Schema):
    answers: dict[int, list[int]] = Field(
        max_length=500,
        description="Question id → the chosen choice ids. Unanswered questions score nothing.",
        examples=[{"12": [40], "13": [43, 44]}],
    )


def _attempt_out(attempt: Attempt) -> AttemptOut:
    quiz = attempt.quiz
    questions = attempt_questions(attempt)
    result = None
    if attempt.is_submitted:
        completion = completion_for(enrolment=attempt.enrolment) if attempt.enrolment else None
        shown = answers_revealed(attempt)
        result = AttemptResultOut(
            score=str(attempt.score),
            passed=bool(attempt.passed),
            passing_score=quiz.passing_score,
            points_earned=attempt.points_earned or 0,
            points_possible=attempt.points_possible or 0,
            answers_shown=shown,
            questions=[
                QuestionResultOut(
                    question_id=review.question.pk,
                    chosen_choice_ids=review.chosen_ids,
                    correct_choice_ids=review.correct_ids if shown else None,
                    is_correct=review.is_correct if shown else None,
                    points_awarded=review.points_awarded if shown else None,
                    explanation=review.question.explanation if shown else None,
                )
                for review in attempt_review(attempt)
            ],
            completion=completion_out(completion, attempt.enrolment) if completion and attempt.enrolment else None,
        )
    return AttemptOut(
        id=attempt.pk,
        state="submitted" if attempt.is_submitted else "open",
        enrolment_id=attempt.enrolment_id,
        quiz=QuizInfoOut(
            id=quiz.pk,
            title=quiz.title,
            passing_score=quiz.passing_score,
            max_attempts=quiz.max_attempts,
            time_limit_minutes=quiz.time_limit_minutes,
        ),
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
        # Built field by field from the question, never from its choices' is_correct.
        questions=[
            QuestionOut(
                id=q.pk,
                kind=q.kind,
                text=q.text,
                points=q.points,
                choices=[ChoiceOut(id=c.pk, text=c.text) for c in q.choices.all()],
            )
            for q in questions
        ],
        result=result,
    )


@router.post(
    "/enrolments/{enrolment_id}/quizzes/{lesson_id}/attempts",
    response={200: AttemptOut, 201: AttemptOut, **PROBLEMS_WRITE},
    summary="Start or resume a quiz attempt",
)
def start_attempt(request: HttpRequest, enrolment_id: int, lesson_id: int) -> Status[AttemptOut]:
    """201 with a new attempt, or 200 with the open one if there is one: a learner has at most
    one open attempt per quiz, and of simultaneous requests exactly one gets 201. The questions
    come without correctness; 409 ``no_attempts_left`` once the quiz's attempts are used up,
    however many requests arrive at once."""
    actor = actor_of(request)
    enrolment = access_enrolment(actor=actor, enrolment_id=enrolment_id)
    lesson = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    quiz = quiz_of(lesson)
    if quiz is None:
        raise NotFound("This lesson has no quiz.")
    attempt, created = attempt_start_or_resume(actor=actor, quiz=quiz, enrolment=enrolment)
    return Status(201 if created else 200, _attempt_out(attempt))


@router.get("/attempts/{attempt_id}", response={200: AttemptOut, **PROBLEMS_AUTH}, summary="One of my attempts")
def get_attempt(request: HttpRequest, attempt_id: int) -> AttemptOut:
    return _attempt_out(access_attempt(actor=actor_of(request), attempt_id=attempt_id))


@router.post(
    "/attempts/{attempt_id}/submit",
    response={200: AttemptOut, **PROBLEMS_WRITE},
    summary="Submit answers and get the grade",
)
def submit_attempt(request: HttpRequest, attempt_id: int, payload: SubmitIn) -> AttemptOut:
    """Graded all-or-nothing per question. Unknown questions or choices are refused (422, nothing
    graded); a second submission is refused (409 ``already_submitted``, nothing graded again: the
    attempt's result stays readable at ``GET /attempts/{id}``). When passing completes the
    enrolment, ``result.completion`` carries the new record. See ``result.answers_shown`` for when
    the review names the right answers."""
    actor = actor_of(request)
    attempt = access_attempt(actor=actor, attempt_id=attempt_id)
    with fields_under("body", "answers"):
        graded = attempt_submit(actor=actor, attempt=attempt, answers=payload.answers)
    return _attempt_out(graded)
