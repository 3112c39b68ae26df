"""A learner's pages: dashboard, enrolment, lessons, quizzes and the completion record.

Every enrolment, lesson and attempt is fetched through the ownership guards, so another
learner's ids answer 404 exactly like ids that do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcred.assessment.models import Attempt
from microcred.assessment.selectors import access_attempt, answers_revealed, attempt_questions, attempts_for
from microcred.assessment.services import attempt_start, attempt_submit
from microcred.catalog.models import Lesson, LessonKind
from microcred.catalog.selectors import microcredential_get
from microcred.core.errors import AppError, ValidationFailed
from microcred.learning.models import Enrolment, EnrolmentStatus
from microcred.learning.selectors import (
    access_enrolment,
    enrolment_progress,
    enrolments_of,
    enrolments_with_modules,
    lesson_in_enrolment,
    progress_for_many,
)
from microcred.learning.services import enrolment_get_or_create, lesson_complete

from . import reads
from .common import AuthenticatedRequest, app_errors, is_htmx, login_url_with_next


def lesson_url(enrolment: Enrolment, lesson: Lesson) -> str:
    return reverse("web:lesson", args=[enrolment.pk, lesson.pk])


def quiz_url(enrolment: Enrolment, lesson: Lesson) -> str:
    return reverse("web:quiz", args=[enrolment.pk, lesson.pk])


def completion_url(enrolment: Enrolment) -> str:
    return reverse("web:completion", args=[enrolment.pk])


@require_GET
@login_required
@app_errors
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    enrolments = list(enrolments_of(actor=request.user).select_related("completion"))
    progress = progress_for_many(enrolments)
    for enrolment in enrolments:
        enrolment.learner_progress = progress[enrolment.pk]  # type: ignore[attr-defined]
    memberships = list(request.user.memberships.select_related("organisation").order_by("organisation__name"))
    return render(
        request,
        "web/dashboard.html",
        {
            "active": [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE],
            "completed": [e for e in enrolments if e.status == EnrolmentStatus.COMPLETED],
            "withdrawn": [e for e in enrolments if e.status == EnrolmentStatus.WITHDRAWN],
            "memberships": memberships,
        },
    )


@require_http_methods(["GET", "POST"])
@app_errors
def enrol(request: HttpRequest, mc_id: int) -> HttpResponse:
    mc = microcredential_get(pk=mc_id)
    detail = reverse("web:microcredential", args=[mc.provider.slug, mc.slug])
    if request.method == "GET":
        # Where a login round-trip lands: back on the page with the Enrol button, nothing written.
        return HttpResponseRedirect(detail)
    if not request.user.is_authenticated:
        messages.info(request, "Log in or create a free account to enrol.")
        return HttpResponseRedirect(login_url_with_next(detail))
    try:
        enrolment, created = enrolment_get_or_create(actor=request.user, microcredential=mc)
    except AppError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(detail)
    if created:
        messages.success(request, f"You are enrolled in {mc.title}. Let’s begin!")
    else:
        messages.info(request, f"You are already enrolled in {mc.title}; here is where you left off.")
    return redirect("web:resume", enrolment_id=enrolment.pk)


@dataclass
class Course:
    """The outline of an enrolment with the learner's progress folded in."""

    modules: list
    sequence: list[Lesson]
    done: set[int]
    percent: int
    done_count: int
    total: int


def course_for(enrolment: Enrolment) -> Course:
    modules = list(enrolments_with_modules(enrolment))
    sequence = [lesson for module in modules for lesson in module.lessons.all()]
    progress = enrolment_progress(enrolment)
    done = reads.done_lesson_ids(sequence, progress)
    return Course(modules, sequence, done, progress.percent, progress.done, progress.total)


@require_GET
@login_required
@app_errors
def resume(request: AuthenticatedRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return HttpResponseRedirect(completion_url(enrolment))
    course = course_for(enrolment)
    target = reads.next_lesson(course.sequence, course.done) or (course.sequence[0] if course.sequence else None)
    if target is None:
        messages.info(request, "This micro-credential has no lessons yet.")
        return redirect("web:dashboard")
    return HttpResponseRedirect(lesson_url(enrolment, target))


def _lesson_context(request: HttpRequest, enrolment: Enrolment, lesson: Lesson) -> dict:
    course = course_for(enrolment)
    index = next(i for i, item in enumerate(course.sequence) if item.pk == lesson.pk)
    context = {
        "enrolment": enrolment,
        "mc": enrolment.microcredential,
        "lesson": lesson,
        "course": course,
        "previous": course.sequence[index - 1] if index > 0 else None,
        "next": course.sequence[index + 1] if index + 1 < len(course.sequence) else None,
        "is_done": lesson.pk in course.done,
        "position": index + 1,
        "withdrawn": enrolment.status == EnrolmentStatus.WITHDRAWN,
        "completed": enrolment.status == EnrolmentStatus.COMPLETED,
    }
    if lesson.kind == LessonKind.QUIZ and lesson.quiz_id:
        attempts = attempts_for(enrolment=enrolment, quiz_id=lesson.quiz_id)
        context["attempts"] = attempts
        context["open_attempt"] = next((a for a in attempts if not a.is_submitted), None)
        context["attempts_left"] = _attempts_left(lesson, attempts)
    return context


def _attempts_left(lesson: Lesson, attempts: list[Attempt]) -> int | None:
    if lesson.quiz is None or lesson.quiz.max_attempts is None:
        return None
    return max(lesson.quiz.max_attempts - len(attempts), 0)


@require_GET
@login_required
@app_errors
def lesson(request: AuthenticatedRequest, enrolment_id: int, lesson_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    current = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    return render(request, "web/learn/lesson.html", _lesson_context(request, enrolment, current))


@require_POST
@login_required
@app_errors
def lesson_mark_complete(request: AuthenticatedRequest, enrolment_id: int, lesson_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    current = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    error = None
    try:
        lesson_complete(actor=request.user, enrolment=enrolment, lesson=current)
    except AppError as exc:
        error = exc.message
    enrolment.refresh_from_db(fields=["status", "completed_at"])
    if is_htmx(request):
        context = _lesson_context(request, enrolment, current)
        context.update(error=error, oob=True)
        return render(request, "web/learn/_lesson_progress.html", context)
    if error:
        messages.error(request, error)
        return HttpResponseRedirect(lesson_url(enrolment, current))
    if enrolment.status == EnrolmentStatus.COMPLETED:
        messages.success(request, "That was the last requirement — you have completed this micro-credential!")
        return HttpResponseRedirect(completion_url(enrolment))
    course = course_for(enrolment)
    following = reads.next_lesson(course.sequence, course.done, after=current)
    messages.success(request, f"“{current.title}” marked as complete.")
    return HttpResponseRedirect(lesson_url(enrolment, following or current))


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
    kind: str
    points: int
    choices: list[ServedChoice] = field(default_factory=list)
    missing: bool = False


def _served(attempt: Attempt, chosen: dict[int, set[int]], missing: set[int]) -> list[ServedQuestion]:
    return [
        ServedQuestion(
            pk=q.pk,
            number=n,
            text=q.text,
            kind=q.kind,
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


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def quiz(request: AuthenticatedRequest, enrolment_id: int, lesson_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    current = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    if current.kind != LessonKind.QUIZ or current.quiz is None:
        raise Http404("This lesson is not a quiz.")
    here = quiz_url(enrolment, current)
    attempts = attempts_for(enrolment=enrolment, quiz_id=current.quiz.pk)
    open_attempt = next((a for a in attempts if not a.is_submitted), None)
    chosen: dict[int, set[int]] = {}
    missing: set[int] = set()

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            # Starting is a POST so a prefetch or a reload never spends a limited attempt.
            attempt_start(actor=request.user, quiz=current.quiz, enrolment=enrolment)
            return HttpResponseRedirect(here)
        if action != "submit":
            return HttpResponseBadRequest("Unknown quiz action.")
        raw_id = request.POST.get("attempt", "")
        if not raw_id.isdigit():
            raise Http404("Attempt not found.")
        attempt = access_attempt(actor=request.user, attempt_id=int(raw_id))
        if attempt.enrolment_id != enrolment.pk or attempt.quiz_id != current.quiz_id:
            raise Http404("Attempt not found.")
        result = reverse("web:attempt_result", args=[enrolment.pk, attempt.pk])
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
        "quiz": current.quiz,
        "attempt": open_attempt,
        "attempts": [a for a in attempts if a.is_submitted],
        "attempts_left": _attempts_left(current, attempts),
        "questions": _served(open_attempt, chosen, missing) if open_attempt else [],
        "withdrawn": enrolment.status == EnrolmentStatus.WITHDRAWN,
    }
    return render(request, "web/learn/quiz.html", context)


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
    attempts_left = _attempts_left(current, attempts)
    completed = enrolment.status == EnrolmentStatus.COMPLETED
    shown = answers_revealed(attempt)
    return render(
        request,
        "web/learn/attempt_result.html",
        {
            "enrolment": enrolment,
            "mc": enrolment.microcredential,
            "lesson": current,
            "quiz": attempt.quiz,
            "attempt": attempt,
            "answers_shown": shown,
            # Until the answers may be shown, only the learner's own choices reach the page.
            "review": reads.attempt_review(attempt) if shown else [],
            "own_answers": [] if shown else _served(attempt, _stored_answers(attempt), set()),
            "attempts_left": attempts_left,
            "can_retake": not attempt.passed
            and enrolment.status == EnrolmentStatus.ACTIVE
            and (attempts_left is None or attempts_left > 0),
            "completed": completed,
        },
    )


@require_GET
@login_required
@app_errors
def completion(request: AuthenticatedRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    try:
        record = enrolment.completion
    except ObjectDoesNotExist:
        messages.info(request, "You have not completed this micro-credential yet — here is where you left off.")
        return redirect("web:resume", enrolment_id=enrolment.pk)
    return render(
        request,
        "web/learn/completion.html",
        {"enrolment": enrolment, "mc": enrolment.microcredential, "completion": record},
    )
