"""Quiz attempts. Grading happens on the server; until an attempt is submitted its questions go
out without any hint of which choice is right, and afterwards with the review, of which the
quiz's review options say what shows when (``selectors.attempt_shown``, ADR 0026): by default a
credential's quiz keeps the answers back while the learner can still use them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH, PROBLEMS_WRITE, fields_under
from microcred.assessment.attempt_rules import Shown
from microcred.assessment.models import Attempt, Quiz
from microcred.assessment.question_schemas import AnswerValue, ServedForm, check_answer_shapes, served_form
from microcred.assessment.questions import question_type
from microcred.assessment.selectors import (
    access_attempt,
    answers_from_served,
    answers_served,
    attempt_questions,
    attempt_review,
    attempt_shown,
    quiz_of,
    served_ids,
    served_seed,
)
from microcred.assessment.services import (
    attempt_answers_save,
    attempt_expired,
    attempt_start_or_resume,
    attempt_submit,
)
from microcred.core.clock import now
from microcred.core.errors import NotFound
from microcred.learning.api import CompletionOut, QuizInfoOut, completion_out
from microcred.learning.selectors import access_enrolment, completion_for, lesson_in_enrolment

router = Router(tags=["assessment"])


class ChoiceOut(Schema):
    id: int = Field(description="An id of this attempt's own: another attempt shows the same choice under another.")
    text: str


class QuestionOut(Schema):
    id: int
    kind: str = Field(
        description="'single': pick one choice; 'multiple': pick every right one; 'truefalse', 'numeric', "
        "'short', 'matching', 'ordering', 'cloze', 'essay' (graded by a person): see ``form``."
    )
    text: str = Field(description="A cloze question's gaps show as _____; ``form.parts`` has them.")
    points: int
    choices: list[ChoiceOut] = Field(description="The choice kinds' choices; empty for the other kinds.")
    form: ServedForm = Field(description="How to answer, by ``type``: never what grades the answer.")
    hints: list[str] = Field(description="The author's hints, to show on request.")


HIDDEN = " Null unless ``shown`` lists ``{}`` (the quiz's review options)."


class QuestionResultOut(Schema):
    question_id: int
    chosen_choice_ids: list[int] = Field(description="The learner's own answer.")
    correct_choice_ids: list[int] | None = Field(description="The right choices." + HIDDEN.format("answers"))
    is_correct: bool | None = Field(
        description="Whether the chosen set equals the right set." + HIDDEN.format("correctness")
    )
    points_awarded: int | float | None = Field(description=HIDDEN.format("correctness").strip())
    answer: AnswerValue | None = Field(None, description="The learner's own answer as stored (any kind).")
    solution: str | None = Field(None, description="The right answer in words." + HIDDEN.format("answers"))
    feedback: list[str] | None = Field(
        None, description="The author's feedback on this answer, and a grader's." + HIDDEN.format("feedback")
    )
    pending: bool = Field(False, description="An essay answer still waiting for a person to grade it.")
    explanation: str | None = Field(
        description="The author's explanation, which may name the answer." + HIDDEN.format("feedback")
    )


class AttemptResultOut(Schema):
    shown: list[Literal["score", "correctness", "answers", "feedback"]] = Field(
        description="What the quiz's review options let the learner see of this attempt now (it depends on "
        "the moment: right after submitting, later while the quiz is open, after it closes)."
    )
    score: str | None = Field(description="Percent, two decimals." + HIDDEN.format("score"))
    passed: bool | None = Field(description=HIDDEN.format("score").strip())
    passing_score: int
    points_earned: int | float | None = Field(
        description="Partial credit makes it a number to two places." + HIDDEN.format("score")
    )
    points_possible: int
    timed_out: bool = Field(description="Closed after its deadline and grace, graded with the answers saved by then.")
    answers_shown: bool = Field(
        description=(
            "Whether the per-question review below says what was right (``shown`` lists ``answers``). By "
            "default, for a quiz that must be passed to earn a credential it is false, and every correctness "
            "field is null, while the learner has not passed, still has attempts left and the quiz is open; "
            "practice quizzes show it once submitted. The quiz's review options may say otherwise."
        )
    )
    questions: list[QuestionResultOut]
    completion: CompletionOut | None = Field(description="Present once the enrolment is complete.")


class AttemptOut(Schema):
    id: int
    number: int = Field(description="1 for the learner's first attempt at this quiz, then 2, 3, …")
    state: Literal["open", "submitted"]
    enrolment_id: int | None
    quiz: QuizInfoOut
    started_at: datetime
    submitted_at: datetime | None
    deadline: datetime | None = Field(
        description="When time is up (time limit or the quiz closing); answers are still taken for a short grace."
    )
    seconds_left: int | None = Field(description="Until the deadline, while open and timed.")
    expired: bool = Field(
        False,
        description="Open, but its deadline and grace are past: it takes no more answers. Reading it changes "
        "nothing; submitting it (``POST …/submit``, answers ignored) grades it with the answers saved by then, "
        "as does the scheduled close (``microcred attempts close-expired``).",
    )
    saved_answers: dict[str, AnswerValue] = Field(
        description="The learner's own answers saved so far (question id → answer, in the form ``SubmitIn`` "
        "takes): what a reload resumes."
    )
    questions: list[QuestionOut] = Field(description="In the order served, each with its options in served order.")
    result: AttemptResultOut | None = Field(description="Only once submitted.")


class AnswersIn(Schema):
    answers: dict[int, AnswerValue | None] = Field(
        max_length=500,
        description="Question id → the answer, as for ``SubmitIn``, in the ids this attempt serves; null or [] "
        "clears an answer. Merged into the saved answers.",
        examples=[{"12": [210318046637162], "13": []}],
    )


class SubmitIn(Schema):
    answers: dict[int, AnswerValue] = Field(
        max_length=500,
        default_factory=dict,
        description="Question id → the answer, over the answers already saved: choice ids (single, multiple), "
        "true or false (truefalse), a text (numeric with its unit, short, essay), {prompt id: option id} "
        "(matching), item ids in order (ordering), {gap number: text or option id} (cloze). Unanswered "
        "questions score nothing. Every id is one this attempt serves (``questions[].form``): the ids are the "
        "attempt's own, so ids from another attempt are refused (422).",
        examples=[{"12": [210318046637162], "13": [158820443210877, 263015557210118]}],
    )


def quiz_info_out(quiz: Quiz) -> QuizInfoOut:
    return QuizInfoOut(
        id=quiz.pk,
        title=quiz.title,
        passing_score=quiz.passing_score,
        max_attempts=quiz.max_attempts,
        time_limit_minutes=quiz.time_limit_minutes,
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        attempt_delay_minutes=quiz.attempt_delay_minutes,
        grading_method=quiz.grading_method,
    )


def _number(points: Any) -> int | float:
    """Points as JSON: whole points stay integers; partial credit is a number to two places."""
    return int(points) if points == int(points) else float(points)


def _attempt_out(attempt: Attempt) -> AttemptOut:
    quiz = attempt.quiz
    questions = attempt_questions(attempt)
    # Every option id and every answer goes out in the attempt's served ids (ADR 0026 addendum).
    ids = served_ids(attempt)
    by_id = {q.pk: q for q in questions}

    def shown_choices(question_id: int, authored: list[int]) -> list[int]:
        question = by_id.get(question_id)
        if question is None or not authored:
            return []
        return question_type(question.kind).answer_out(question, authored, ids)  # type: ignore[no-any-return]

    def shown_answer(question_id: int, stored: Any) -> Any:
        question = by_id.get(question_id)
        if question is None or stored is None:
            return stored
        return question_type(question.kind).answer_out(question, stored, ids)

    result = None
    if attempt.is_submitted:
        completion = completion_for(enrolment=attempt.enrolment) if attempt.enrolment else None
        # Each field goes out only when the review options show it now: what is hidden is not sent.
        shown = attempt_shown(attempt)
        score, correctness = Shown.SCORE in shown, Shown.CORRECTNESS in shown
        answers, feedback = Shown.ANSWERS in shown, Shown.FEEDBACK in shown
        result = AttemptResultOut(
            shown=sorted(shown),  # type: ignore[arg-type]
            score=str(attempt.score) if score else None,
            passed=bool(attempt.passed) if score else None,
            passing_score=quiz.passing_score,
            points_earned=_number(attempt.points_earned or 0) if score else None,
            points_possible=attempt.points_possible or 0,
            timed_out=attempt.timed_out,
            answers_shown=answers,
            questions=[
                QuestionResultOut(
                    question_id=review.question.pk,
                    chosen_choice_ids=shown_choices(review.question.pk, review.chosen_ids),
                    correct_choice_ids=shown_choices(review.question.pk, review.correct_ids) if answers else None,
                    is_correct=review.is_correct if correctness else None,
                    points_awarded=_number(review.points_awarded) if correctness else None,
                    answer=shown_answer(review.question.pk, review.answer),
                    solution=review.solution if answers else None,
                    feedback=[*review.feedback, *filter(None, [review.grader_feedback])] if feedback else None,
                    pending=review.pending,
                    explanation=review.question.explanation if feedback else None,
                )
                for review in attempt_review(attempt)
            ],
            completion=completion_out(completion, attempt.enrolment) if completion and attempt.enrolment else None,
        )
    seconds_left = None
    if not attempt.is_submitted and attempt.deadline is not None:
        seconds_left = max(int((attempt.deadline - now()).total_seconds()), 0)
    return AttemptOut(
        id=attempt.pk,
        state="submitted" if attempt.is_submitted else "open",
        enrolment_id=attempt.enrolment_id,
        number=attempt.number,
        quiz=quiz_info_out(quiz),
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
        deadline=attempt.deadline,
        seconds_left=seconds_left,
        expired=attempt_expired(attempt),
        saved_answers=answers_served(attempt, attempt.answers or {}, questions=questions),
        # Built field by field from the question, never from its choices' is_correct.
        questions=[
            QuestionOut(
                id=q.pk,
                kind=q.kind,
                text=question_type(q.kind).text_for(q, seed=served_seed(attempt)),
                points=q.points,
                choices=[
                    ChoiceOut(**choice)
                    for choice in question_type(q.kind).served(q, seed=served_seed(attempt), ids=ids).get("choices", [])
                ]
                if question_type(q.kind).uses_choices
                else [],
                form=served_form(q, seed=served_seed(attempt), ids=ids),
                hints=list(q.hints or []),
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
    come without correctness, drawn and ordered (questions and options) from the new attempt's own
    seed, so a retake is a different paper. 409 ``no_attempts_left`` once the quiz's attempts are
    used up, however many requests arrive at once; ``quiz_not_open`` / ``quiz_closed`` outside its
    dates; ``attempt_too_soon`` within its delay after the last attempt. An open attempt whose
    time (and grace) ran out is graded with its saved answers first."""
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
    """Reading writes nothing: an open attempt whose time and grace are up stays open, with
    ``expired`` true, until it is submitted (graded with the answers saved by its deadline) or
    closed by the scheduled ``microcred attempts close-expired``."""
    actor = actor_of(request)
    return _attempt_out(access_attempt(actor=actor, attempt_id=attempt_id))


@router.put(
    "/attempts/{attempt_id}/answers",
    response={200: AttemptOut, **PROBLEMS_WRITE},
    summary="Save answers without submitting (autosave)",
)
def save_answers(request: HttpRequest, attempt_id: int, payload: AnswersIn) -> AttemptOut:
    """Merges the answers into the open attempt, checked as a submission is (422 for questions or
    choices not served), and grades nothing: a closed tab loses nothing saved. 409
    ``already_submitted`` once submitted; 409 ``attempt_expired`` once its deadline and grace are
    past, and the attempt is then closed with what was saved before."""
    actor = actor_of(request)
    attempt = access_attempt(actor=actor, attempt_id=attempt_id)
    with fields_under("body", "answers"):
        check_answer_shapes(payload.answers)
        answers = answers_from_served(attempt, dict(payload.answers))
        saved = attempt_answers_save(actor=actor, attempt=attempt, answers=answers)
    return _attempt_out(saved)


@router.post(
    "/attempts/{attempt_id}/submit",
    response={200: AttemptOut, **PROBLEMS_WRITE},
    summary="Submit answers and get the grade",
)
def submit_attempt(request: HttpRequest, attempt_id: int, payload: SubmitIn) -> AttemptOut:
    """Graded all-or-nothing per question, from the saved answers with ``answers`` over them.
    Unknown questions or choices are refused (422, nothing graded). Idempotent: submitting an
    attempt already submitted returns it as graded, and grades nothing again. After the deadline
    and its grace the answers sent are ignored and the attempt is graded with those saved by then
    (``result.timed_out``). When passing completes the enrolment, ``result.completion`` carries
    the new record. ``result.shown`` says what the quiz's review options let the learner see."""
    actor = actor_of(request)
    attempt = access_attempt(actor=actor, attempt_id=attempt_id)
    with fields_under("body", "answers"):
        check_answer_shapes(payload.answers)
        answers = answers_from_served(attempt, dict(payload.answers))
        graded = attempt_submit(actor=actor, attempt=attempt, answers=answers)
    return _attempt_out(graded)
