"""A learner's quiz pages: taking a quiz lesson, and an attempt's result.

Every enrolment, lesson and attempt is fetched through the ownership guards, so another
learner's ids answer 404 exactly like ids that do not exist. The lesson page itself is
learning's; what it shows of a quiz comes from ``pages.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.catalog.models import Lesson
from microcred.core.clock import now
from microcred.core.errors import AppError, ValidationFailed
from microcred.learning.models import Enrolment, EnrolmentStatus
from microcred.learning.selectors import access_enrolment, lesson_in_enrolment
from microcred.web.views.common import app_errors

from .attempt_rules import Shown
from .models import Attempt, Question, Quiz
from .questions import QuestionType, question_type
from .selectors import (
    access_attempt,
    answers_from_served,
    attempt_questions,
    attempt_review,
    attempt_shown,
    attempts_for,
    quiz_of,
    quiz_review_options,
    served_ids,
    served_seed,
)
from .services import (
    attempt_answers_save,
    attempt_close_if_expired,
    attempt_expired,
    attempt_start,
    attempt_submit,
    quiz_start_refusal,
)


def quiz_url(enrolment: Enrolment, lesson: Lesson) -> str:
    return reverse("assessment:quiz", args=[enrolment.pk, lesson.pk])


def attempts_left(quiz: Quiz | None, attempts: list[Attempt]) -> int | None:
    if quiz is None or quiz.max_attempts is None:
        return None
    return max(quiz.max_attempts - len(attempts), 0)


@dataclass
class ServedChoice:
    id: int  # the attempt's served id (``selectors.served_ids``), never the choice's row id
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
    # Question kinds (ADR 0027): the kind's served form (``QuestionType.served``, never grading
    # data), the learner's answer so far in the attempt's served ids, and that answer in words.
    form: dict[str, Any] = field(default_factory=dict)
    saved: Any = None
    said: str = ""
    hints: list[str] = field(default_factory=list)
    right: bool | None = None  # only on a review whose options show right or wrong


def _served(attempt: Attempt, chosen: dict[int, Any], missing: set[int]) -> list[ServedQuestion]:
    """The attempt's questions for the page. ``chosen``: answers in authored ids (stored, or as
    posted once translated); the page gets every id, and the answers, in the attempt's served ids."""
    served = []
    ids = served_ids(attempt)
    for n, q in enumerate(attempt_questions(attempt), start=1):
        qt = question_type(q.kind)
        saved = chosen.get(q.pk)
        shown = None if saved is None else qt.answer_out(q, saved, ids)
        form = qt.served(q, seed=served_seed(attempt), ids=ids)
        picked = set(shown) if qt.uses_choices and shown else set()
        served.append(
            ServedQuestion(
                pk=q.pk,
                number=n,
                text=qt.text_for(q, seed=served_seed(attempt)),
                type=qt,
                points=q.points,
                choices=[ServedChoice(c["id"], c["text"], c["id"] in picked) for c in form.get("choices", [])],
                missing=q.pk in missing,
                form=form,
                saved=shown,
                said=qt.describe_answer(q, None if saved is None else qt.load_answer(saved)),
                hints=list(q.hints or []),
            )
        )
    return served


def _stored_answers(attempt: Attempt) -> dict[int, Any]:
    """The attempt's answers as stored (each kind's JSON form), by question id."""
    return {int(qid): stored for qid, stored in (attempt.answers or {}).items()}


def _form_answers(request: HttpRequest, attempt: Attempt) -> dict[int, Any]:
    """Every served question's answer as its kind reads the posted form (None: left empty), with
    the served ids the page showed turned back into authored ids (refused if not served)."""
    served = attempt_questions(attempt)
    questions = {q.pk: q for q in served}
    ids = served_ids(attempt)
    posted = {
        qid: question_type(questions[qid].kind).answer_from_form(questions[qid], request.POST, f"q{qid}", ids)
        for qid in attempt.question_ids
        if qid in questions
    }
    return answers_from_served(attempt, posted, questions=served)


def _posted_answers(request: HttpRequest, attempt: Attempt) -> dict[int, Any]:
    """Every served question's answer as the form posted it (None: left empty), for autosave:
    an answer cleared on the page is cleared in the attempt too."""
    return _form_answers(request, attempt)


def _answers_from(request: HttpRequest, attempt: Attempt) -> tuple[dict[int, Any], set[int]]:
    posted = _form_answers(request, attempt)
    chosen = {qid: value for qid, value in posted.items() if value is not None}
    return chosen, {qid for qid in attempt.question_ids if qid not in chosen}


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
    # The other kinds (ADR 0027): the answer and the right one in words, feedback, essay grading.
    uses_choices: bool = True
    said: str = ""
    solution: str = ""
    feedback: tuple[str, ...] = ()
    points_awarded: Any = None
    pending: bool = False
    grader_feedback: str = ""


def _results(attempt: Attempt) -> list[QuestionResult]:
    """Per-question outcome of a submitted attempt, graded by each kind; only ever built after
    submission (``attempt_review`` refuses an open attempt)."""
    results = []
    for number, review in enumerate(attempt_review(attempt), start=1):
        question: Question = review.question
        qt = question_type(question.kind)
        chosen = set(review.chosen_ids)
        results.append(
            QuestionResult(
                number=number,
                text=review.text,
                kind=question.kind,
                points=question.points,
                right=review.is_correct,
                explanation=question.explanation,
                choices=[
                    ChoiceResult(text=c.text, chosen=c.pk in chosen, correct=c.is_correct)
                    for c in question.choices.all()
                ],
                uses_choices=qt.uses_choices,
                said=review.said,
                solution=review.solution,
                feedback=review.feedback,
                points_awarded=review.points_awarded,
                pending=review.pending,
                grader_feedback=review.grader_feedback,
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
    if open_attempt is not None and attempt_expired(open_attempt):
        if request.method == "GET":
            # A read writes nothing (ADR 0026, addendum): the page says time is up, takes no more
            # answers and offers the close as a POST; the next POST, or the scheduled
            # ``microcred attempts close-expired``, grades it with the answers saved by then.
            return _quiz_page(request, enrolment, current, the_quiz, attempts, open_attempt, {}, set(), expired=True)
        closed = attempt_close_if_expired(actor=request.user, attempt=open_attempt)
        if closed.is_submitted:
            messages.info(request, "Time was up for your attempt; it was graded with the answers saved by then.")
            return HttpResponseRedirect(reverse("assessment:attempt_result", args=[enrolment.pk, closed.pk]))
    chosen: dict[int, Any] = _stored_answers(open_attempt) if open_attempt else {}
    missing: set[int] = set()

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            # Starting is a POST so a prefetch or a reload never spends a limited attempt.
            attempt_start(actor=request.user, quiz=the_quiz, enrolment=enrolment)
            return HttpResponseRedirect(here)
        if action == "close":
            return HttpResponseRedirect(here)  # nothing to close: closed already, or time is not up
        if action not in {"submit", "save"}:
            return HttpResponseBadRequest("Unknown quiz action.")
        attempt = _posted_attempt(request, enrolment, the_quiz)
        result = reverse("assessment:attempt_result", args=[enrolment.pk, attempt.pk])
        if attempt.is_submitted:
            messages.info(request, "This attempt was already submitted; here is its result.")
            return HttpResponseRedirect(result)
        if action == "save":
            # Without JavaScript, saving is this button; with it, every change is saved as made.
            saved = _save_posted(request, attempt)
            if saved is None:
                return HttpResponseRedirect(result)
            messages.success(request, "Your answers are saved. You can leave and come back before time is up.")
            return HttpResponseRedirect(here)
        try:
            chosen, missing = _answers_from(request, attempt)
        except ValidationFailed as exc:
            # An id the page did not serve (a stale or edited form): say so, keep what was saved.
            messages.error(request, exc.message)
            return _quiz_page(request, enrolment, current, the_quiz, attempts, attempt, _stored_answers(attempt), set())
        if missing and _save_posted(request, attempt) is None:
            return HttpResponseRedirect(result)
        if missing and attempt.deadline is not None and now() >= attempt.deadline:
            missing = set()  # time is up (the page's timer submits): grade what there is
        if missing:
            messages.error(
                request, f"Answer every question before submitting — {len(missing)} still without an answer."
            )
        else:
            try:
                attempt_submit(actor=request.user, attempt=attempt, answers=chosen)
            except ValidationFailed as exc:
                messages.error(request, exc.message)
            else:
                return HttpResponseRedirect(result)
        open_attempt = attempt
    return _quiz_page(request, enrolment, current, the_quiz, attempts, open_attempt, chosen, missing)


def _quiz_page(
    request: HttpRequest,
    enrolment: Enrolment,
    lesson: Lesson,
    the_quiz: Quiz,
    attempts: list[Attempt],
    open_attempt: Attempt | None,
    chosen: dict[int, Any],
    missing: set[int],
    *,
    expired: bool = False,
) -> HttpResponse:
    """The quiz page: the open attempt's questions (none once its time is up), or the start."""
    context = {
        "enrolment": enrolment,
        "mc": enrolment.microcredential,
        "lesson": lesson,
        "quiz": the_quiz,
        "attempt": open_attempt,
        "expired": expired,
        "attempts": [a for a in attempts if a.is_submitted],
        "attempts_left": attempts_left(the_quiz, attempts),
        "questions": _served(open_attempt, chosen, missing) if open_attempt and not expired else [],
        "withdrawn": enrolment.status == EnrolmentStatus.WITHDRAWN,
        "cannot_start": None if open_attempt else quiz_start_refusal(quiz=the_quiz, enrolment=enrolment),
        "seconds_left": _seconds_left(open_attempt),
        "scores_shown": {a.pk for a in attempts if Shown.SCORE in attempt_shown(a)},
    }
    return render(request, "assessment/quiz.html", context)


def _seconds_left(attempt: Attempt | None) -> int | None:
    if attempt is None or attempt.deadline is None:
        return None
    return max(int((attempt.deadline - now()).total_seconds()), 0)


def _posted_attempt(request: HttpRequest, enrolment: Enrolment, the_quiz: Quiz) -> Attempt:
    raw_id = request.POST.get("attempt", "")
    if not raw_id.isdigit():
        raise Http404("Attempt not found.")
    attempt = access_attempt(actor=request.user, attempt_id=int(raw_id))
    if attempt.enrolment_id != enrolment.pk or attempt.quiz_id != the_quiz.pk:
        raise Http404("Attempt not found.")
    return attempt


def _save_posted(request: AuthenticatedRequest, attempt: Attempt) -> Attempt | None:
    """Save the posted answers; None when time was up and the attempt got closed instead."""
    try:
        return attempt_answers_save(actor=request.user, attempt=attempt, answers=_posted_answers(request, attempt))
    except AppError as exc:
        if getattr(exc, "code", "") in {"attempt_expired", "already_submitted"}:
            messages.info(request, exc.message)
            return None
        raise


@require_POST
@login_required
@app_errors
def quiz_autosave(request: AuthenticatedRequest, enrolment_id: int, lesson_id: int) -> HttpResponse:
    """htmx posts the quiz form here on every change: the answers are saved, nothing is graded,
    and the reply is the status line the page shows (a closed tab loses nothing)."""
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    current = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    the_quiz = quiz_of(current)
    if the_quiz is None:
        raise Http404("This lesson is not a quiz.")
    attempt = _posted_attempt(request, enrolment, the_quiz)
    if attempt.is_submitted:
        return render(request, "assessment/_autosave_status.html", {"closed": True})
    try:
        saved = attempt_answers_save(actor=request.user, attempt=attempt, answers=_posted_answers(request, attempt))
    except AppError as exc:
        if getattr(exc, "code", "") not in {"attempt_expired", "already_submitted"}:
            return render(request, "assessment/_autosave_status.html", {"error": exc.message})
        return render(request, "assessment/_autosave_status.html", {"closed": True})
    return render(request, "assessment/_autosave_status.html", {"saved_at": saved.saved_at})


def _own_answers(attempt: Attempt, *, correctness: bool) -> list[ServedQuestion]:
    own = _served(attempt, _stored_answers(attempt), set())
    if correctness:
        right = {r.question.pk: r.is_correct for r in attempt_review(attempt)}
        for question in own:
            question.right = right.get(question.pk)
    return own


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
    visible = attempt_shown(attempt)
    # The full review (right answers marked) only when the answers may be shown; otherwise only
    # the learner's own choices reach the page, with right/wrong if the review options allow it.
    shown = Shown.ANSWERS in visible
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
            "held": quiz_review_options(attempt.quiz).hold_until_settled,
            "score_shown": Shown.SCORE in visible,
            "correctness_shown": Shown.CORRECTNESS in visible,
            "feedback_shown": Shown.FEEDBACK in visible,
            "start_refusal": quiz_start_refusal(quiz=attempt.quiz, enrolment=enrolment),
            # Until the answers may be shown, only the learner's own choices reach the page.
            "review": _results(attempt) if shown else [],
            "own_answers": [] if shown else _own_answers(attempt, correctness=Shown.CORRECTNESS in visible),
            "attempts_left": left,
            "can_retake": not attempt.passed
            and enrolment.status == EnrolmentStatus.ACTIVE
            and (left is None or left > 0)
            and not any(not a.is_submitted for a in attempts),
            "completed": completed,
        },
    )
