"""A placement quiz, taken without enrolling (issue 9 §7): a learner who already knows a
micro-credential's skills proves them here, and passing proves them at the course's target
levels in their skill profile, so their learning plan skips the course.

The attempt is the learner's own (no enrolment). ``next`` (a path on this site, e.g. the plan
page that offered the quiz) is kept through the pages and offered back on the result."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from microcred.accounts.http import AuthenticatedRequest
from microcred.catalog.models import MicroCredentialSkill
from microcred.core.errors import ValidationFailed
from microcred.web.views.common import app_errors

from .models import Attempt, Quiz
from .selectors import access_attempt, placement_attempts_of, placement_question_count, placement_quiz
from .services import attempt_expired, attempt_submit, placement_attempt_start_or_resume, placement_start_refusal
from .views import _answers_from, _served, _stored_answers, attempts_left


def _next_path(request: HttpRequest) -> str:
    """Where the learner came from, when it is a path on this site; else nothing."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None):
        return candidate
    return ""


def _with_next(url: str, next_path: str) -> str:
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def _placement_attempt(request: AuthenticatedRequest, quiz: Quiz, raw_id: str) -> Attempt:
    if not raw_id.isdigit():
        raise Http404("Attempt not found.")
    attempt = access_attempt(actor=request.user, attempt_id=int(raw_id))
    if attempt.enrolment_id is not None or attempt.quiz_id != quiz.pk:
        raise Http404("Attempt not found.")
    return attempt


def _skills_proven(quiz: Quiz) -> list[MicroCredentialSkill]:
    mc_id = quiz.lesson.module.microcredential_id
    return list(MicroCredentialSkill.objects.filter(microcredential_id=mc_id).select_related("skill"))


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def placement(request: AuthenticatedRequest, quiz_id: int) -> HttpResponse:
    the_quiz = placement_quiz(quiz_id=quiz_id)
    next_path = _next_path(request)
    here = _with_next(reverse("assessment:placement", args=[the_quiz.pk]), next_path)
    attempts = placement_attempts_of(user=request.user, quiz=the_quiz)
    open_attempt = next((a for a in attempts if not a.is_submitted), None)
    chosen = _stored_answers(open_attempt) if open_attempt else {}
    missing: set[int] = set()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            # A POST, so a prefetch or a reload never spends a limited attempt.
            placement_attempt_start_or_resume(actor=request.user, quiz=the_quiz)
            return HttpResponseRedirect(here)
        if action != "submit":
            return HttpResponseBadRequest("Unknown quiz action.")
        attempt = _placement_attempt(request, the_quiz, request.POST.get("attempt", ""))
        result = _with_next(reverse("assessment:placement_result", args=[the_quiz.pk, attempt.pk]), next_path)
        if attempt.is_submitted:
            return HttpResponseRedirect(result)
        if attempt_expired(attempt):  # graded with what was saved by its deadline
            attempt_submit(actor=request.user, attempt=attempt)
            return HttpResponseRedirect(result)
        try:
            chosen, missing = _answers_from(request, attempt)
        except ValidationFailed as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(here)
        if missing:
            messages.error(
                request, f"Answer every question before submitting — {len(missing)} still without an answer."
            )
        else:
            attempt_submit(actor=request.user, attempt=attempt, answers=chosen)
            return HttpResponseRedirect(result)
        open_attempt = attempt
    expired = open_attempt is not None and attempt_expired(open_attempt)
    mc = the_quiz.lesson.module.microcredential
    return render(
        request,
        "assessment/placement.html",
        {
            "quiz": the_quiz,
            "mc": mc,
            "next_path": next_path,
            "here": here,
            "question_count": placement_question_count(the_quiz),
            "skills": _skills_proven(the_quiz),
            "attempt": open_attempt,
            "expired": expired,
            "questions": _served(open_attempt, chosen, missing) if open_attempt and not expired else [],
            "attempts": [a for a in attempts if a.is_submitted],
            "attempts_left": attempts_left(the_quiz, attempts),
            "cannot_start": None if open_attempt else placement_start_refusal(quiz=the_quiz, user=request.user),
        },
    )


@require_GET
@login_required
@app_errors
def placement_result(request: AuthenticatedRequest, quiz_id: int, attempt_id: int) -> HttpResponse:
    the_quiz = placement_quiz(quiz_id=quiz_id)
    attempt = _placement_attempt(request, the_quiz, str(attempt_id))
    next_path = _next_path(request)
    if not attempt.is_submitted:
        return HttpResponseRedirect(_with_next(reverse("assessment:placement", args=[the_quiz.pk]), next_path))
    attempts = placement_attempts_of(user=request.user, quiz=the_quiz)
    left = attempts_left(the_quiz, attempts)
    return render(
        request,
        "assessment/placement_result.html",
        {
            "quiz": the_quiz,
            "mc": the_quiz.lesson.module.microcredential,
            "attempt": attempt,
            "skills": _skills_proven(the_quiz),
            "next_path": next_path,
            "retry": _with_next(reverse("assessment:placement", args=[the_quiz.pk]), next_path),
            "can_retake": attempt.passed is False and (left is None or left > 0),
        },
    )
