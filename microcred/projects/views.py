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
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.models import OrganisationKind
from microcred.accounts.permissions import STAFF_ROLES, has_org_role
from microcred.accounts.selectors import access_organisation
from microcred.accounts.workspace import workspace_context
from microcred.core.actors import SYSTEM
from microcred.core.clock import now
from microcred.core.errors import Conflict, NotFound, ValidationFailed
from microcred.learning.selectors import access_enrolment, lesson_in_enrolment
from microcred.web.views.common import app_errors, service_error_to_form

from . import selectors
from .forms import (
    CalibrationExampleForm,
    GradeForm,
    MentorDecisionForm,
    MentorRequestForm,
    OverrideForm,
    PeerReviewForm,
    RegradeDecisionForm,
    RegradeRequestForm,
    SubmissionForm,
)
from .models import MentorStatus, PeerReviewStatus, RegradeStatus, ReviewMode, Submission, SubmissionStatus
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
from .services import (
    MENTOR_LINK_DAYS,
    calibration_example_create,
    calibration_review_submit,
    mentor_signoff_decide,
    mentor_signoff_request,
    mentor_signoff_resend,
    mentor_signoff_revoke,
    peer_grade_override,
    peer_review_submit,
    peer_reviewer_drop,
    peer_reviews_allocate,
    peer_reviews_settle,
    regrade_request_create,
    regrade_request_decide,
    submission_create,
    submission_grade,
)

GRADERS = ("owner", "instructor", "grader")
# What a learner reads after submitting, by who grades.
SUBMITTED_NEXT: dict[str, str] = {
    ReviewMode.PEER: ". You can replace it until it is sent to your peers for review.",
    ReviewMode.MENTOR: ". Now ask your mentor to confirm it, from the submission's page.",
}


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
    if grade.source == ReviewMode.MENTOR:
        return [GradeRow("Mentor sign-off", "Confirmed", grade.points, grade.max_points, "")]
    if grade.source == ReviewMode.PEER:
        # The peers' combined points per criterion (a median need not be a level).
        label = submission.assignment.get_aggregation_display()
        return [
            GradeRow(c.name, f"{label} of the peer reviews", Decimal(grade.levels.get(c.name, "0")), c.max_points, "")
            for c in rubric.criteria
        ]
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
        + SUBMITTED_NEXT.get(str(assignment.review_mode), ". You can replace it until it is graded."),
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
    mode = own.assignment.review_mode
    signoffs = list(own.mentor_signoffs.all()) if mode == ReviewMode.MENTOR else []
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
            "peer_reviews": selectors.peer_feedback(own) if mode == ReviewMode.PEER and graded else [],
            "signoffs": signoffs,
            "mentor_form": MentorRequestForm()
            if mode == ReviewMode.MENTOR
            and own.status == SubmissionStatus.SUBMITTED
            and not any(s.status == MentorStatus.PENDING for s in signoffs)
            else None,
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
    # A peer reviewer gets a neutral name: the learner's file name may carry their own.
    name = stored.name
    if selectors.is_file_reviewer(actor=request.user, stored=stored):
        name = f"submission-file-{stored.pk}{('.' + stored.name.rsplit('.', 1)[-1]) if '.' in stored.name else ''}"
    return _attachment(stored, name)


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
        peer_assignments=selectors.peer_assignments(organisation=organisation) if can_decide else [],
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


# -- Peer review (ADR 0030) ------------------------------------------------------------------------
# Reviewers and authors never see each other's names: the review page shows the work without its
# author (files under neutral names), the author sees "Reviewer 1, 2, …". Staff see everything.


@require_GET
@login_required
def review_tasks(request: AuthenticatedRequest) -> HttpResponse:
    tasks = selectors.review_tasks(actor=request.user)
    return render(
        request,
        "projects/review_tasks.html",
        {
            "open": [t for t in tasks if t.status == PeerReviewStatus.ASSIGNED],
            "done": [t for t in tasks if t.status == PeerReviewStatus.DONE],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def review(request: AuthenticatedRequest, review_id: int) -> HttpResponse:
    task = selectors.access_review(actor=request.user, review_id=review_id)
    work = task.submission
    rubric = assignment_rubric(work.assignment)
    is_open = task.status == PeerReviewStatus.ASSIGNED and work.status == SubmissionStatus.SUBMITTED
    form = PeerReviewForm(request.POST or None, rubric=rubric)
    if request.method == "POST" and not is_open:
        messages.error(request, "This review is closed.")
    elif request.method == "POST" and form.is_valid():
        try:
            peer_review_submit(
                actor=request.user, review=task, levels=form.levels(), comment=form.cleaned_data["feedback"]
            )
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("projects:review_tasks"))
        else:
            messages.success(request, "Thank you: your review is recorded.")
            return HttpResponseRedirect(reverse("projects:review_tasks"))
    return render(
        request,
        "projects/review.html",
        {
            "task": task,
            "submission": work,
            "assignment": work.assignment,
            "lesson": work.assignment.lesson,
            "rubric": rubric,
            "form": form if is_open else None,
            "calibration": selectors.calibration_pending(actor=request.user, assignment=work.assignment)
            if is_open
            else [],
        },
    )


def _peer_staff(request: AuthenticatedRequest, slug: str) -> Any:
    return access_organisation(actor=request.user, slug=slug, roles=tuple(STAFF_ROLES), kind=OrganisationKind.PROVIDER)


@require_GET
@login_required
@app_errors
def peer_round(request: AuthenticatedRequest, slug: str, assignment_id: int) -> HttpResponse:
    """An instructor's view of a peer-reviewed assignment: every submission, its reviewers by name,
    their reviews and the quality of each reviewer's reviews."""
    organisation = _peer_staff(request, slug)
    assignment = selectors.staff_assignment(organisation=organisation, assignment_id=assignment_id)
    quality = selectors.reviewer_quality(assignment)
    works = selectors.peer_round(assignment)
    reviewers: dict[int, Any] = {}
    for work in works:
        for r in work.peer_reviews.all():
            reviewers.setdefault(r.reviewer_id, {"user": r.reviewer, "done": 0, "open": 0, "dropped": 0})
            reviewers[r.reviewer_id][{"done": "done", "assigned": "open", "dropped": "dropped"}[r.status]] += 1
    accuracy = selectors.calibration_accuracy_of(assignment)
    context = workspace_context(request, organisation, "grading")
    context.update(
        assignment=assignment,
        lesson=assignment.lesson,
        works=works,
        reviewers=[{**row, "quality": quality.get(pk), "accuracy": accuracy.get(pk)} for pk, row in reviewers.items()],
        examples=selectors.calibration_examples(assignment),
        example_form=CalibrationExampleForm(rubric=assignment_rubric(assignment)),
        unallocated=sum(1 for w in works if w.status == SubmissionStatus.SUBMITTED and not list(w.peer_reviews.all())),
        deadline_passed=assignment.review_due_at is not None and now() >= assignment.review_due_at,
    )
    return render(request, "projects/peer_round.html", context)


@require_POST
@login_required
@app_errors
def calibration_example_add(request: AuthenticatedRequest, slug: str, assignment_id: int) -> HttpResponse:
    organisation = _peer_staff(request, slug)
    assignment = selectors.staff_assignment(organisation=organisation, assignment_id=assignment_id)
    back = reverse("projects:peer_round", args=[organisation.slug, assignment.pk]) + "#calibration"
    form = CalibrationExampleForm(request.POST, rubric=assignment_rubric(assignment))
    if not form.is_valid():
        messages.error(request, "Give the example a title, its text and a level for every criterion.")
        return HttpResponseRedirect(back)
    try:
        calibration_example_create(
            actor=request.user,
            assignment=assignment,
            title=form.cleaned_data["title"],
            text=form.cleaned_data["text"],
            levels=form.levels(),
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Calibration example added: reviewers mark it before their reviews.")
    return HttpResponseRedirect(back)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def calibration(request: AuthenticatedRequest, example_id: int) -> HttpResponse:
    """A reviewer marks a calibration example, then sees the instructor's reference."""
    example = selectors.access_calibration_example(actor=request.user, example_id=example_id)
    rubric = assignment_rubric(example.assignment)
    mine = example.reviews.filter(reviewer=request.user).first()
    form = GradeForm(request.POST or None, rubric=rubric)
    del form.fields["feedback"]
    if request.method == "POST" and mine is None and form.is_valid():
        try:
            calibration_review_submit(actor=request.user, example=example, levels=form.levels())
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Marked. Compare your levels with the instructor's below.")
            return HttpResponseRedirect(reverse("projects:calibration", args=[example.pk]))
    return render(
        request,
        "projects/calibration.html",
        {
            "example": example,
            "lesson": example.assignment.lesson,
            "form": form if mine is None else None,
            "mine": mine,
            "rows": [
                (c.name, mine.levels.get(c.name, ""), example.reference_levels.get(c.name, "")) for c in rubric.criteria
            ]
            if mine
            else [],
        },
    )


def _confirm(
    request: AuthenticatedRequest, organisation: Any, *, title: str, question: str, button: str, back: str
) -> HttpResponse:
    context = workspace_context(request, organisation, "grading")
    context.update(title=title, question=question, button=button, back=back)
    return render(request, "projects/confirm.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def peer_allocate(request: AuthenticatedRequest, slug: str, assignment_id: int) -> HttpResponse:
    """Asks first (GET), allocates on the confirmation (POST)."""
    organisation = _peer_staff(request, slug)
    assignment = selectors.staff_assignment(organisation=organisation, assignment_id=assignment_id)
    back = reverse("projects:peer_round", args=[organisation.slug, assignment.pk])
    if request.method == "GET":
        return _confirm(
            request,
            organisation,
            title="Allocate reviews",
            question=f"Give each waiting submission to {assignment.reviewers_per_submission} reviewers among the "
            "learners who submitted? Reviewers are told at once; reviews already given out are kept.",
            button="Allocate reviews",
            back=back,
        )
    try:
        allocation = peer_reviews_allocate(actor=request.user, assignment=assignment)
    except Conflict as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    if allocation.shortfalls:
        messages.warning(
            request,
            f"Reviews allocated, but {len(allocation.shortfalls)} submission(s) could not get "
            f"{assignment.reviewers_per_submission} reviewers: too few learners have submitted.",
        )
    else:
        messages.success(request, "Reviews allocated.")
    return HttpResponseRedirect(back)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def peer_settle(request: AuthenticatedRequest, slug: str, assignment_id: int) -> HttpResponse:
    organisation = _peer_staff(request, slug)
    assignment = selectors.staff_assignment(organisation=organisation, assignment_id=assignment_id)
    back = reverse("projects:peer_round", args=[organisation.slug, assignment.pk])
    if request.method == "GET":
        return _confirm(
            request,
            organisation,
            title="Grade from the reviews given",
            question="The review deadline has passed. Grade every waiting submission that has at least one review "
            "from the reviews it has? Reviews not written by now are closed.",
            button="Grade now",
            back=back,
        )
    try:
        graded = peer_reviews_settle(actor=request.user, assignment=assignment)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{graded} submission(s) graded from their reviews.")
    return HttpResponseRedirect(back)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def peer_drop(request: AuthenticatedRequest, slug: str, assignment_id: int, user_id: int) -> HttpResponse:
    organisation = _peer_staff(request, slug)
    assignment = selectors.staff_assignment(organisation=organisation, assignment_id=assignment_id)
    back = reverse("projects:peer_round", args=[organisation.slug, assignment.pk])
    if request.method == "GET":
        return _confirm(
            request,
            organisation,
            title="Take a reviewer out",
            question="Take this reviewer out of the peer review? Their finished reviews count; their unfinished "
            "ones go to other reviewers.",
            button="Take them out",
            back=back,
        )
    allocation = peer_reviewer_drop(actor=request.user, assignment=assignment, reviewer_id=user_id)
    messages.success(
        request,
        "Reviewer taken out; their reviews were given to others."
        + (f" {len(allocation.shortfalls)} submission(s) are short of reviewers." if allocation.shortfalls else ""),
    )
    return HttpResponseRedirect(back)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def peer_submission(request: AuthenticatedRequest, slug: str, submission_id: int) -> HttpResponse:
    """A peer-reviewed submission for its instructors: the reviews with their reviewers' names, the
    grade, and an override."""
    organisation = _peer_staff(request, slug)
    work = grader_submission(organisation=organisation, submission_id=submission_id)
    if work.assignment.review_mode != ReviewMode.PEER:
        raise Http404("Not a peer-reviewed submission.")
    rubric = assignment_rubric(work.assignment)
    form = OverrideForm(request.POST or None, rubric=rubric)
    if request.method == "POST" and form.is_valid():
        try:
            given = peer_grade_override(
                actor=request.user,
                submission=work,
                levels=form.levels(),
                feedback=form.cleaned_data["feedback"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Grade recorded: {given.score}%.")
            return HttpResponseRedirect(reverse("projects:peer_round", args=[organisation.slug, work.assignment_id]))
    work = grader_submission(organisation=organisation, submission_id=submission_id)
    graded = work.status == SubmissionStatus.GRADED
    context = workspace_context(request, organisation, "grading")
    context.update(
        submission=work,
        assignment=work.assignment,
        lesson=work.assignment.lesson,
        reviews=selectors.reviews_of(work),
        grade_rows=graded_rows(work) if graded else [],
        form=form if work.status != SubmissionStatus.SUPERSEDED else None,
    )
    return render(request, "projects/peer_submission.html", context)


# -- Mentor sign-off (ADR 0030) --------------------------------------------------------------------


@require_POST
@login_required
@app_errors
def mentor_request(request: AuthenticatedRequest, submission_id: int) -> HttpResponse:
    own = access_submission(actor=request.user, submission_id=submission_id)
    back = reverse("projects:submission", args=[own.pk])
    form = MentorRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give your mentor's name and a valid e-mail address.")
        return HttpResponseRedirect(back)
    try:
        signoff = mentor_signoff_request(actor=request.user, submission=own, **form.cleaned_data)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"We have e-mailed {signoff.name} a link to confirm your work.")
    return HttpResponseRedirect(back)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def mentor_manage(request: AuthenticatedRequest, signoff_id: int, action: str) -> HttpResponse:
    """Resend (POST) or withdraw (asks first) the learner's request to their mentor."""
    signoff = selectors.access_signoff(actor=request.user, signoff_id=signoff_id)
    back = reverse("projects:submission", args=[signoff.submission_id])
    if action not in ("resend", "revoke"):
        raise Http404("Unknown action.")
    if request.method == "GET":
        return render(
            request,
            "projects/mentor_revoke.html",
            {"signoff": signoff, "back": back, "action": action},
        )
    try:
        if action == "resend":
            mentor_signoff_resend(actor=request.user, signoff=signoff)
            messages.success(request, f"A new link is on its way to {signoff.email}; the old one no longer works.")
        else:
            mentor_signoff_revoke(actor=request.user, signoff=signoff)
            messages.success(request, "Request withdrawn: its link no longer works.")
    except Conflict as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(back)


def _attachment(stored: Any, name: str) -> FileResponse:
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def mentor_file(request: HttpRequest, token: str, file_id: int) -> FileResponse:
    """A file of the evidence, for the mentor while their link is open (the token is the permission)."""
    signoff = selectors.mentor_signoff_by_token(token)
    if signoff is None or signoff.status != MentorStatus.PENDING or now() >= signoff.expires_at:
        raise Http404("File not found.")
    stored = signoff.submission.files.filter(pk=file_id).first()
    if stored is None:
        raise Http404("File not found.")
    return _attachment(stored, stored.name)


@require_http_methods(["GET", "POST"])
def mentor(request: HttpRequest, token: str) -> HttpResponse:
    """The mentor's page, opened from the e-mailed link, without an account. Every state is a page:
    not valid (404), used or withdrawn, expired (410), and the decision recorded."""
    signoff = selectors.mentor_signoff_by_token(token)
    if signoff is None:
        return render(request, "projects/mentor_closed.html", {"state": "invalid"}, status=404)
    if signoff.status != MentorStatus.PENDING:
        return render(request, "projects/mentor_closed.html", {"state": signoff.status, "signoff": signoff}, status=410)
    if now() >= signoff.expires_at:
        return render(
            request,
            "projects/mentor_closed.html",
            {"state": "expired", "signoff": signoff, "days": MENTOR_LINK_DAYS},
            status=410,
        )
    form = MentorDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decided = mentor_signoff_decide(
                actor=SYSTEM,
                token=token,
                confirm=form.cleaned_data["decision"] == "confirm",
                comment=form.cleaned_data["comment"],
            )
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        except (Conflict, NotFound):
            return render(request, "projects/mentor_closed.html", {"state": "used", "signoff": signoff}, status=410)
        else:
            return render(request, "projects/mentor_closed.html", {"state": "thanks", "signoff": decided})
    submission = signoff.submission
    response = render(
        request,
        "projects/mentor.html",
        {
            "signoff": signoff,
            "submission": submission,
            "learner": submission.user.full_name or submission.user.email,
            "lesson": submission.assignment.lesson,
            "microcredential": submission.assignment.lesson.module.microcredential,
            "form": form,
            "token": token,
        },
    )
    # The token is in the address: keep it out of other sites' Referer headers and shared caches.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
