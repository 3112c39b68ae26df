"""A learner's quiz pages: taking a quiz lesson, and an attempt's result.

Every enrolment, lesson and attempt is fetched through the ownership guards, so another
learner's ids answer 404 exactly like ids that do not exist. The lesson page itself is
learning's; what it shows of a quiz comes from ``pages.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from microcred.accounts.http import AuthenticatedRequest
from microcred.catalog.models import Lesson
from microcred.core.errors import ValidationFailed
from microcred.learning.models import Enrolment, EnrolmentStatus
from microcred.learning.selectors import access_enrolment, lesson_in_enrolment
from microcred.web.views.common import app_errors

from .models import Attempt, Question, Quiz
from .questions import QuestionType, question_type
from .selectors import access_attempt, answers_revealed, attempt_questions, attempts_for, quiz_of
from .services import attempt_start, attempt_submit


def quiz_url(enrolment: Enrolment, lesson: Lesson) -> str:
    return reverse("assessment:quiz", args=[enrolment.pk, lesson.pk])


def attempts_left(quiz: Quiz | None, attempts: list[Attempt]) -> int | None:
    if quiz is None or quiz.max_attempts is None:
        return None
    return max(quiz.max_attempts - len(attempts), 0)


@dataclass
class ServedChoice:
    pk: int
    text: str
    checked: bool


@dataclass
class ServedQuestion:
    """What the quiz form may show: deliberately no field for correctness or explanation."""

    pk: int
    number: int
    text: str
    type: QuestionType  # its kind: the template and hint the page asks for an answer with
    points: int
    choices: list[ServedChoice] = field(default_factory=list)
    missing: bool = False


def _served(attempt: Attempt, chosen: dict[int, set[int]], missing: set[int]) -> list[ServedQuestion]:
    return [
        ServedQuestion(
            pk=q.pk,
            number=n,
            text=q.text,
            type=question_type(q.kind),
            points=q.points,
            choices=[ServedChoice(c.pk, c.text, c.pk in chosen.get(q.pk, set())) for c in q.choices.all()],
            missing=q.pk in missing,
        )
        for n, q in enumerate(attempt_questions(attempt), start=1)
    ]


def _stored_answers(attempt: Attempt) -> dict[int, set[int]]:
    return {int(qid): {int(c) for c in choices} for qid, choices in (attempt.answers or {}).items()}


def _answers_from(request: HttpRequest, attempt: Attempt) -> tuple[dict[int, set[int]], set[int]]:
    chosen: dict[int, set[int]] = {}
    missing: set[int] = set()
    for qid in attempt.question_ids:
        values = [v for v in request.POST.getlist(f"q{qid}") if v.isdigit()]
        if values:
            chosen[qid] = {int(v) for v in values}
        else:
            missing.add(qid)
    return chosen, missing


@dataclass
class ChoiceResult:
    text: str
    chosen: bool
    correct: bool


@dataclass
class QuestionResult:
    number: int
    text: str
    kind: str
    points: int
    right: bool
    explanation: str
    choices: list[ChoiceResult] = field(default_factory=list)


def _results(attempt: Attempt) -> list[QuestionResult]:
    """Per-question outcome of a submitted attempt; only ever built after submission."""
    assert attempt.is_submitted, "correctness is never shown before submission"
    results = []
    questions: list[Question] = attempt_questions(attempt)
    for number, question in enumerate(questions, start=1):
        chosen = set(attempt.answers.get(str(question.pk), []))
        choices = list(question.choices.all())
        correct = {c.pk for c in choices if c.is_correct}
        results.append(
            QuestionResult(
                number=number,
                text=question.text,
                kind=question.kind,
                points=question.points,
                right=chosen == correct,
                explanation=question.explanation,
                choices=[ChoiceResult(text=c.text, chosen=c.pk in chosen, correct=c.is_correct) for c in choices],
            )
        )
    return results


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def quiz(request: AuthenticatedRequest, enrolment_id: int, lesson_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    current = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    the_quiz = quiz_of(current)
    if the_quiz is None:
        raise Http404("This lesson is not a quiz.")
    here = quiz_url(enrolment, current)
    attempts = attempts_for(enrolment=enrolment, quiz_id=the_quiz.pk)
    open_attempt = next((a for a in attempts if not a.is_submitted), None)
    chosen: dict[int, set[int]] = {}
    missing: set[int] = set()

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            # Starting is a POST so a prefetch or a reload never spends a limited attempt.
            attempt_start(actor=request.user, quiz=the_quiz, enrolment=enrolment)
            return HttpResponseRedirect(here)
        if action != "submit":
            return HttpResponseBadRequest("Unknown quiz action.")
        raw_id = request.POST.get("attempt", "")
        if not raw_id.isdigit():
            raise Http404("Attempt not found.")
        attempt = access_attempt(actor=request.user, attempt_id=int(raw_id))
        if attempt.enrolment_id != enrolment.pk or attempt.quiz_id != the_quiz.pk:
            raise Http404("Attempt not found.")
        result = reverse("assessment:attempt_result", args=[enrolment.pk, attempt.pk])
        if attempt.is_submitted:
            messages.info(request, "This attempt was already submitted; here is its result.")
            return HttpResponseRedirect(result)
        chosen, missing = _answers_from(request, attempt)
        if missing:
            messages.error(
                request, f"Answer every question before submitting — {len(missing)} still without an answer."
            )
        else:
            try:
                attempt_submit(actor=request.user, attempt=attempt, answers={k: sorted(v) for k, v in chosen.items()})
            except ValidationFailed as exc:
                messages.error(request, exc.message)
            else:
                return HttpResponseRedirect(result)
        open_attempt = attempt

    context = {
        "enrolment": enrolment,
        "mc": enrolment.microcredential,
        "lesson": current,
        "quiz": the_quiz,
        "attempt": open_attempt,
        "attempts": [a for a in attempts if a.is_submitted],
        "attempts_left": attempts_left(the_quiz, attempts),
        "questions": _served(open_attempt, chosen, missing) if open_attempt else [],
        "withdrawn": enrolment.status == EnrolmentStatus.WITHDRAWN,
    }
    return render(request, "assessment/quiz.html", context)


@require_GET
@login_required
@app_errors
def attempt_result(request: AuthenticatedRequest, enrolment_id: int, attempt_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    attempt = access_attempt(actor=request.user, attempt_id=attempt_id)
    if attempt.enrolment_id != enrolment.pk:
        raise Http404("Attempt not found.")
    try:
        current = attempt.quiz.lesson
    except ObjectDoesNotExist as exc:
        raise Http404("Quiz not found.") from exc
    if not attempt.is_submitted:
        return HttpResponseRedirect(quiz_url(enrolment, current))
    attempts = attempts_for(enrolment=enrolment, quiz_id=attempt.quiz_id)
    left = attempts_left(attempt.quiz, attempts)
    completed = enrolment.status == EnrolmentStatus.COMPLETED
    shown = answers_revealed(attempt)
    return render(
        request,
        "assessment/attempt_result.html",
        {
            "enrolment": enrolment,
            "mc": enrolment.microcredential,
            "lesson": current,
            "quiz": attempt.quiz,
            "attempt": attempt,
            "answers_shown": shown,
            # Until the answers may be shown, only the learner's own choices reach the page.
            "review": _results(attempt) if shown else [],
            "own_answers": [] if shown else _served(attempt, _stored_answers(attempt), set()),
            "attempts_left": left,
            "can_retake": not attempt.passed
            and enrolment.status == EnrolmentStatus.ACTIVE
            and (left is None or left > 0),
            "completed": completed,
        },
    )
