"""Projects pages. Learners: submit work on an assignment lesson (its panel is on learning's lesson
page, ``pages.py``), see a version's grade and feedback, ask for a regrade. Graders: their
organisation's grading queue and the grading page; instructors decide regrades. Files are served only
here, after the permission check, as attachments.

Every object is fetched through a guard: another learner's, or another provider's, ids answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.models import OrganisationKind
from microcred.accounts.permissions import STAFF_ROLES, has_org_role
from microcred.accounts.selectors import access_organisation
from microcred.accounts.workspace import workspace_context
from microcred.core.errors import Conflict, NotFound, ValidationFailed
from microcred.learning.selectors import access_enrolment, lesson_in_enrolment
from microcred.web.views.common import app_errors, service_error_to_form

from .forms import GradeForm, RegradeDecisionForm, RegradeRequestForm, SubmissionForm
from .models import RegradeStatus, Submission, SubmissionStatus
from .selectors import (
    access_submission,
    access_submission_file,
    assignment_of,
    assignment_rubric,
    graded_recently,
    grader_regrade,
    grader_submission,
    grading_queue,
    regrades_open,
)
from .services import regrade_request_create, regrade_request_decide, submission_create, submission_grade

GRADERS = ("owner", "instructor", "grader")


@dataclass(frozen=True)
class GradeRow:
    criterion: str
    level: str
    points: Decimal
    max_points: Decimal
    descriptor: str


def graded_rows(submission: Submission) -> list[GradeRow]:
    """A graded submission's rubric, criterion by criterion: the level given and what it means."""
    grade = submission.grade
    rubric = assignment_rubric(submission.assignment)
    rows = []
    for criterion in rubric.criteria:
        chosen = grade.levels.get(criterion.name)
        level = next((lvl for lvl in criterion.levels if lvl.name == chosen), None)
        rows.append(
            GradeRow(
                criterion.name,
                chosen or "",
                level.points if level else Decimal(0),
                criterion.max_points,
                level.descriptor if level else "",
            )
        )
    return rows


def _lesson_url(enrolment_id: int, lesson_id: int) -> str:
    return reverse("learning:lesson", args=[enrolment_id, lesson_id])


# -- Learners ------------------------------------------------------------------------------------


@require_POST
@login_required
@app_errors
def submit(request: AuthenticatedRequest, enrolment_id: int, lesson_id: int) -> HttpResponse:
    enrolment = access_enrolment(actor=request.user, enrolment_id=enrolment_id)
    lesson = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    assignment = assignment_of(lesson)
    if assignment is None:
        raise Http404("This lesson takes no submissions.")
    back = _lesson_url(enrolment.pk, lesson.pk) + "#submission"
    # Refuse a body larger than the assignment's files could be before Django spools it to disk.
    limit = assignment.max_files * assignment.max_file_mb * 1024 * 1024 + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    length = str(request.META.get("CONTENT_LENGTH") or "0")
    if length.isdigit() and int(length) > limit:
        messages.error(request, f"Your files are too large: at most {assignment.max_file_mb} MB each.")
        return HttpResponseRedirect(back)
    form = SubmissionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your submission could not be read; please try again.")
        return HttpResponseRedirect(back)
    try:
        submission = submission_create(
            actor=request.user,
            enrolment=enrolment,
            assignment=assignment,
            text=form.cleaned_data["text"],
            links=form.cleaned_data["links"],
            files=request.FILES.getlist("files"),
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    messages.success(
        request,
        f"Version {submission.version} submitted"
        + (" (after the due date)" if submission.is_late else "")
        + ". You can replace it until it is graded.",
    )
    return HttpResponseRedirect(back)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def submission(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    """A version of the learner's work, its grade and feedback, and the regrade request."""
    own = access_submission(actor=request.user, submission_id=submission_id)
    form = RegradeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            regrade_request_create(actor=request.user, submission=own, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(
                request, "Your regrade request is sent. An instructor will decide and you will see it here."
            )
            return HttpResponseRedirect(reverse("projects:submission", args=[own.pk]))
    graded = own.status == SubmissionStatus.GRADED
    regrade = getattr(own, "regrade", None) if graded else None
    return render(
        request,
        "projects/submission.html",
        {
            "submission": own,
            "assignment": own.assignment,
            "lesson": own.assignment.lesson,
            "grade_rows": graded_rows(own) if graded else [],
            "regrade": regrade,
            "regrade_form": form if graded and regrade is None else None,
            "lesson_url": _lesson_url(own.enrolment_id, own.assignment.lesson_id),
        },
    )


@require_GET
@login_required
def submission_file(request: AuthenticatedRequest, file_id: int) -> FileResponse:
    """A submitted file, for its learner and the provider's graders only: always a download, never
    rendered by the browser (a file is whatever the learner uploaded)."""
    try:
        stored = access_submission_file(actor=request.user, file_id=file_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- Graders -------------------------------------------------------------------------------------


def _provider_for_graders(request: AuthenticatedRequest, slug: str) -> Any:
    return access_organisation(actor=request.user, slug=slug, roles=GRADERS, kind=OrganisationKind.PROVIDER)


@require_GET
@login_required
@app_errors
def grading(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = _provider_for_graders(request, slug)
    context = workspace_context(request, organisation, "grading")
    can_decide = has_org_role(request.user, organisation, STAFF_ROLES)
    context.update(
        queue=list(grading_queue(actor=request.user, organisation=organisation)[:200]),
        regrades=list(regrades_open(actor=request.user, organisation=organisation)[:200]) if can_decide else [],
        recent=graded_recently(organisation=organisation),
        can_decide=can_decide,
    )
    return render(request, "projects/grading.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def grade(request: AuthenticatedRequest, slug: str, submission_id: int) -> HttpResponse:
    organisation = _provider_for_graders(request, slug)
    work = grader_submission(organisation=organisation, submission_id=submission_id)
    rubric = assignment_rubric(work.assignment)
    form = GradeForm(request.POST or None, rubric=rubric)
    if request.method == "POST" and work.status == SubmissionStatus.SUBMITTED and form.is_valid():
        try:
            given = submission_grade(
                actor=request.user, submission=work, levels=form.levels(), feedback=form.cleaned_data["feedback"]
            )
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(
                request,
                f"Graded: {given.points} of {given.max_points} points ({given.score}%), "
                f"{'passed' if given.passed else 'not passed'}.",
            )
            return HttpResponseRedirect(reverse("projects:grading", args=[organisation.slug]))
    elif request.method == "POST" and work.status != SubmissionStatus.SUBMITTED:
        messages.error(request, "This submission is no longer waiting for a grade.")
    context = workspace_context(request, organisation, "grading")
    graded = work.status == SubmissionStatus.GRADED
    context.update(
        submission=work,
        assignment=work.assignment,
        lesson=work.assignment.lesson,
        rubric=rubric,
        form=form if work.status == SubmissionStatus.SUBMITTED else None,
        grade_rows=graded_rows(work) if graded else [],
        regrade=getattr(work, "regrade", None) if graded else None,
    )
    return render(request, "projects/grade.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def regrade(request: AuthenticatedRequest, slug: str, regrade_id: int) -> HttpResponse:
    """An instructor decides a regrade request: uphold, or change the grade."""
    organisation = access_organisation(
        actor=request.user, slug=slug, roles=tuple(STAFF_ROLES), kind=OrganisationKind.PROVIDER
    )
    request_ = grader_regrade(organisation=organisation, regrade_id=regrade_id)
    work = grader_submission(organisation=organisation, submission_id=request_.submission_id)
    rubric = assignment_rubric(work.assignment)
    form = RegradeDecisionForm(request.POST or None, rubric=rubric)
    if request.method == "POST" and request_.status == RegradeStatus.OPEN and form.is_valid():
        change = form.cleaned_data["decision"] == "change"
        try:
            decided = regrade_request_decide(
                actor=request.user,
                regrade=request_,
                note=form.cleaned_data["note"],
                levels=form.levels() if change else None,
                feedback=(form.cleaned_data["feedback"] or None) if change else None,
            )
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"Regrade decided: {decided.get_status_display().lower()}.")
            return HttpResponseRedirect(reverse("projects:grading", args=[organisation.slug]))
    context = workspace_context(request, organisation, "grading")
    context.update(
        regrade=request_,
        submission=work,
        assignment=work.assignment,
        lesson=work.assignment.lesson,
        grade_rows=graded_rows(work),
        form=form if request_.status == RegradeStatus.OPEN else None,
    )
    return render(request, "projects/regrade.html", context)
