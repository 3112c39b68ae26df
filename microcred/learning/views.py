"""A learner's pages: dashboard, enrolment and lessons. A quiz is assessment's page, shown in
the lesson page through a ``LessonPanel`` (``parts.py``); the completion record is credentials'
page.

Every enrolment, lesson and attempt is fetched through the ownership guards, so another
learner's ids answer 404 exactly like ids that do not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.catalog.models import Lesson, LessonKind
from microcred.catalog.selectors import microcredential_get
from microcred.core.errors import AppError
from microcred.web.views.common import app_errors, is_htmx, login_url_with_next

from .models import Enrolment, EnrolmentStatus
from .parts import enrolment_notes, lesson_panel
from .selectors import (
    Progress,
    access_enrolment,
    enrolment_progress,
    enrolments_of,
    enrolments_with_modules,
    lesson_in_enrolment,
    progress_for_many,
)
from .services import completion_standing, enrolment_get_or_create, lesson_complete


def lesson_url(enrolment: Enrolment, lesson: Lesson) -> str:
    return reverse("learning:lesson", args=[enrolment.pk, lesson.pk])


def completion_url(enrolment: Enrolment) -> str:
    return reverse("credentials:completion", args=[enrolment.pk])


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
        "learning/dashboard.html",
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
    detail = reverse("catalog:microcredential", args=[mc.provider.slug, mc.slug])
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
        for note in enrolment_notes(request.user, mc).values():
            messages.info(request, note)
    else:
        messages.info(request, f"You are already enrolled in {mc.title}; here is where you left off.")
    return redirect("learning:resume", enrolment_id=enrolment.pk)


def done_lesson_ids(lessons: Iterable[Lesson], progress: Progress) -> set[int]:
    """Lessons a learner has finished: clicked done, or an assessed lesson its assessment reported passed."""
    return {lesson.pk for lesson in lessons if progress.lesson_done(lesson)}


def next_lesson(sequence: list[Lesson], done: set[int], after: Lesson | None = None) -> Lesson | None:
    """The first unfinished required lesson (after ``after`` when given), else the first unfinished one."""
    start = sequence.index(after) + 1 if after is not None and after in sequence else 0
    rest = sequence[start:]
    for lesson in rest:
        if lesson.required and lesson.pk not in done:
            return lesson
    for lesson in rest:
        if lesson.pk not in done:
            return lesson
    return None


@dataclass
class Course:
    """The outline of an enrolment with the learner's progress folded in."""

    modules: list
    sequence: list[Lesson]
    done: set[int]
    percent: int
    done_count: int
    total: int
    assessed: set[int]  # lessons completed by their assessment's outcome, never by a click
    # The assessed lessons' scores against weights and minimums (ADR 0029); None without them.
    standing: dict[str, Any] | None = None


def course_for(enrolment: Enrolment) -> Course:
    modules = list(enrolments_with_modules(enrolment))
    sequence = [lesson for module in modules for lesson in module.lessons.all()]
    progress = enrolment_progress(enrolment)
    done = done_lesson_ids(sequence, progress)
    return Course(
        modules,
        sequence,
        done,
        progress.percent,
        progress.done,
        progress.total,
        progress.assessed_lesson_ids,
        completion_standing(enrolment=enrolment),
    )


@require_GET
@login_required
@app_errors
def resume(request: AuthenticatedRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return HttpResponseRedirect(completion_url(enrolment))
    course = course_for(enrolment)
    target = next_lesson(course.sequence, course.done) or (course.sequence[0] if course.sequence else None)
    if target is None:
        messages.info(request, "This micro-credential has no lessons yet.")
        return redirect("learning:dashboard")
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
        "is_assessed": lesson.kind == LessonKind.QUIZ or lesson.pk in course.assessed,
        "position": index + 1,
        "withdrawn": enrolment.status == EnrolmentStatus.WITHDRAWN,
        "completed": enrolment.status == EnrolmentStatus.COMPLETED,
    }
    panel = lesson_panel(lesson.kind)
    if panel is not None:
        # A kind another app owns (a quiz): it says what the page shows of it.
        context["lesson_panel"] = panel
        context.update(panel.context(enrolment, lesson))
    return context


@require_GET
@login_required
@app_errors
def lesson(request: AuthenticatedRequest, enrolment_id: int, lesson_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    current = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    return render(request, "learning/lesson.html", _lesson_context(request, enrolment, current))


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
        return render(request, "learning/_lesson_progress.html", context)
    if error:
        messages.error(request, error)
        return HttpResponseRedirect(lesson_url(enrolment, current))
    if enrolment.status == EnrolmentStatus.COMPLETED:
        messages.success(request, "That was the last requirement — you have completed this micro-credential!")
        return HttpResponseRedirect(completion_url(enrolment))
    course = course_for(enrolment)
    following = next_lesson(course.sequence, course.done, after=current)
    messages.success(request, f"“{current.title}” marked as complete.")
    return HttpResponseRedirect(lesson_url(enrolment, following or current))
