"""Projects: assignments, submissions, grading and regrades.

Learners read an assignment lesson's brief and rubric, submit work (multipart: text, links, files),
read their grade and feedback and ask for a regrade. Graders (any role at the provider) read the
grading queue and grade with the rubric; owners and instructors decide regrades. Another learner's
submissions, and another provider's, answer 404. Files are downloaded from their ``url`` (a page,
with the same permission check), never from a public address.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.accounts.permissions import STAFF_ROLES
from microcred.accounts.selectors import access_organisation
from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH, PROBLEMS_WRITE, fields_under
from microcred.api.schemas import Page, PageParams, page_of
from microcred.core.errors import NotFound, ValidationFailed
from microcred.learning.selectors import access_enrolment, lesson_in_enrolment

from .models import Assignment, PeerReview, RegradeRequest, ReviewMode, Submission, SubmissionStatus
from .selectors import (
    access_calibration_example,
    access_review,
    access_signoff,
    access_submission,
    assignment_of,
    calibration_pending,
    grader_regrade,
    grader_submission,
    grading_queue,
    peer_feedback,
    regrades_open,
    review_tasks,
    reviews_of,
    staff_assignment,
    submissions_for,
)
from .services import (
    calibration_example_create,
    calibration_review_submit,
    mentor_signoff_request,
    mentor_signoff_resend,
    mentor_signoff_revoke,
    peer_grade_override,
    peer_review_submit,
    peer_reviewer_drop,
    peer_reviews_allocate,
    regrade_request_create,
    regrade_request_decide,
    submission_create,
    submission_grade,
)

router = Router(tags=["projects"])
GRADERS = ("owner", "instructor", "grader")


class LevelOut(Schema):
    name: str
    points: Decimal
    descriptor: str


class CriterionOut(Schema):
    name: str
    description: str
    levels: list[LevelOut] = Field(description="From the lowest to the highest.")


class AssignmentOut(Schema):
    lesson_id: int
    title: str
    brief_html: str = Field(description="The lesson's instructions, sanitised HTML.")
    rubric: list[CriterionOut]
    max_points: Decimal
    passing_score: int = Field(description="Percent of the rubric's maximum needed to pass.")
    submission_kinds: list[Literal["text", "links", "files"]]
    file_extensions: list[str]
    max_file_mb: int
    max_files: int
    due_at: datetime | None
    review_mode: Literal["instructor", "peer", "mentor"] = Field(
        description="Who grades: the provider's graders, the learners' peers (anonymous), or a mentor the "
        "learner names, who confirms the work by an e-mailed link."
    )
    reviewers_per_submission: int = Field(description="Peer review: reviews each submission gets.")
    review_due_at: datetime | None = Field(description="Peer review: when reviews are due.")
    aggregation: Literal["median", "trimmed_mean", "mean"] = Field(
        description="Peer review: how the reviews combine, criterion by criterion."
    )


class FileOut(Schema):
    id: int
    name: str
    size: int
    url: str = Field(description="Download address (the learner and the provider's graders only).")


class CriterionGradeOut(Schema):
    criterion: str
    level: str
    points: Decimal


class GradeOut(Schema):
    source: Literal["instructor", "peer", "mentor"] = Field(
        description="Who gave it: a grader or instructor, the peers' reviews combined ('level' is then empty "
        "and 'points' the combined points), or a mentor's confirmation (no criteria)."
    )
    points: Decimal
    max_points: Decimal
    score: Decimal = Field(description="Percent of the rubric's maximum, two decimals.")
    passed: bool
    criteria: list[CriterionGradeOut]
    feedback: str
    graded_at: datetime


class RegradeOut(Schema):
    id: int
    reason: str
    requested_at: datetime
    status: Literal["open", "upheld", "changed"]
    decided_at: datetime | None
    decision_note: str
    previous_score: Decimal | None = Field(description="The score before a change.")


class PeerFeedbackOut(Schema):
    reviewer: int = Field(description="Reviewer 1, 2, …: reviewers are never named to the author.")
    levels: dict[str, str] = Field(description="Criterion name → the level this reviewer chose.")
    score: Decimal
    comment: str


class MentorSignoffOut(Schema):
    id: int
    name: str
    email: str
    role: str
    status: Literal["pending", "confirmed", "declined", "revoked"]
    sent_at: datetime
    expires_at: datetime = Field(description="The link works until then, and once.")
    decided_at: datetime | None
    comment: str = Field(description="The mentor's comment.")


class SubmissionOut(Schema):
    id: int
    lesson_id: int
    version: int
    status: Literal["submitted", "superseded", "graded"] = Field(
        description="'submitted': waiting for a grader (it can still be replaced); 'superseded': a later "
        "version replaced it; 'graded': see ``grade``."
    )
    submitted_at: datetime
    is_late: bool
    text: str
    links: list[str]
    files: list[FileOut]
    grade: GradeOut | None
    regrade: RegradeOut | None
    peer_feedback: list[PeerFeedbackOut] = Field(
        description="Peer-reviewed work, once graded: each finished review, anonymous."
    )
    mentor_signoffs: list[MentorSignoffOut] = Field(description="Mentor sign-off: the requests made, latest first.")


class LearnerAssignmentOut(AssignmentOut):
    submissions: list[SubmissionOut] = Field(description="The learner's versions, the latest first.")


class GraderSubmissionOut(SubmissionOut):
    learner_name: str
    learner_email: str
    microcredential_title: str
    lesson_title: str


class GradeIn(Schema):
    levels: dict[str, str] = Field(
        max_length=30, description="Criterion name → the chosen level's name, for every criterion."
    )
    feedback: str = Field("", max_length=20000, description="Written feedback for the learner.")


class RegradeIn(Schema):
    reason: str = Field(max_length=5000, description="Why the grade should be looked at again.")


class DecisionIn(Schema):
    decision: Literal["uphold", "change"]
    note: str = Field(max_length=5000, description="The reason for the decision, shown to the learner.")
    levels: dict[str, str] | None = Field(
        None, max_length=30, description="With 'change': the new level of every criterion."
    )
    feedback: str | None = Field(None, max_length=20000, description="With 'change': new feedback (else kept).")


def _assignment_fields(assignment: Assignment) -> dict[str, Any]:
    lesson = assignment.lesson
    rubric = assignment.rubric["criteria"]
    return {
        "lesson_id": lesson.pk,
        "title": lesson.title,
        "brief_html": lesson.instructions_html,
        "rubric": rubric,
        "max_points": sum((Decimal(str(c["levels"][-1]["points"])) for c in rubric), Decimal(0)),
        "passing_score": assignment.passing_score,
        "submission_kinds": assignment.submission_kinds,
        "file_extensions": assignment.file_extensions,
        "max_file_mb": assignment.max_file_mb,
        "max_files": assignment.max_files,
        "due_at": assignment.due_at,
        "review_mode": assignment.review_mode,
        "reviewers_per_submission": assignment.reviewers_per_submission,
        "review_due_at": assignment.review_due_at,
        "aggregation": assignment.aggregation,
    }


def _submission_fields(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    grade = getattr(submission, "grade", None) if submission.status == SubmissionStatus.GRADED else None
    regrade: RegradeRequest | None = getattr(submission, "regrade", None) if grade is not None else None
    return {
        "id": submission.pk,
        "lesson_id": submission.assignment.lesson_id,
        "version": submission.version,
        "status": submission.status,
        "submitted_at": submission.submitted_at,
        "is_late": submission.is_late,
        "text": submission.text,
        "links": submission.links,
        "files": [
            FileOut(
                id=f.pk,
                name=f.name,
                size=f.size,
                url=request.build_absolute_uri(reverse("projects:file", args=[f.pk])),
            )
            for f in submission.files.all()
        ],
        "grade": GradeOut(
            source=grade.source,  # type: ignore[arg-type]
            points=grade.points,
            max_points=grade.max_points,
            score=grade.score,
            passed=grade.passed,
            criteria=[
                CriterionGradeOut(
                    criterion=c["name"],
                    level="" if grade.source == ReviewMode.PEER else grade.levels.get(c["name"], ""),
                    points=Decimal(grade.levels.get(c["name"], "0"))
                    if grade.source == ReviewMode.PEER
                    else _points(c, grade.levels),
                )
                for c in submission.assignment.rubric["criteria"]
                if grade.source != ReviewMode.MENTOR
            ],
            feedback=grade.feedback,
            graded_at=grade.graded_at,
        )
        if grade is not None
        else None,
        "regrade": RegradeOut(
            id=regrade.pk,
            reason=regrade.reason,
            requested_at=regrade.requested_at,
            status=regrade.status,  # type: ignore[arg-type]
            decided_at=regrade.decided_at,
            decision_note=regrade.decision_note,
            previous_score=Decimal(regrade.previous["score"]) if regrade.previous.get("score") else None,
        )
        if regrade is not None
        else None,
        "peer_feedback": [
            PeerFeedbackOut(reviewer=n, levels=r.levels, score=r.score or Decimal(0), comment=r.comment)
            for n, r in enumerate(peer_feedback(submission), start=1)
        ]
        if grade is not None and submission.assignment.review_mode == ReviewMode.PEER
        else [],
        "mentor_signoffs": [
            MentorSignoffOut(
                id=m.pk,
                name=m.name,
                email=m.email,
                role=m.role,
                status=m.status,  # type: ignore[arg-type]
                sent_at=m.sent_at,
                expires_at=m.expires_at,
                decided_at=m.decided_at,
                comment=m.comment,
            )
            for m in submission.mentor_signoffs.all()
        ],
    }


def _points(criterion: dict[str, Any], levels: dict[str, str]) -> Decimal:
    chosen = levels.get(criterion["name"])
    return next((Decimal(str(lvl["points"])) for lvl in criterion["levels"] if lvl["name"] == chosen), Decimal(0))


def _learner_assignment(request: HttpRequest, enrolment_id: int, lesson_id: int) -> tuple[Any, Assignment]:
    enrolment = access_enrolment(actor=actor_of(request), enrolment_id=enrolment_id)
    lesson = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    assignment = assignment_of(lesson)
    if assignment is None:
        raise NotFound("This lesson takes no submissions.")
    return enrolment, assignment


@router.get(
    "/enrolments/{enrolment_id}/assignments/{lesson_id}",
    response={200: LearnerAssignmentOut, **PROBLEMS_AUTH},
    summary="An assignment lesson's brief, rubric and my submissions",
)
def get_assignment(request: HttpRequest, enrolment_id: int, lesson_id: int) -> LearnerAssignmentOut:
    enrolment, assignment = _learner_assignment(request, enrolment_id, lesson_id)
    return LearnerAssignmentOut(
        **_assignment_fields(assignment),
        submissions=[
            SubmissionOut(**_submission_fields(request, s))
            for s in submissions_for(enrolment=enrolment, assignment=assignment)
        ],
    )


@router.post(
    "/enrolments/{enrolment_id}/assignments/{lesson_id}/submissions",
    response={201: SubmissionOut, **PROBLEMS_WRITE},
    summary="Submit work on an assignment (multipart/form-data)",
)
def create_submission(
    request: HttpRequest,
    enrolment_id: int,
    lesson_id: int,
    text: Form[str] = "",
    links: Form[list[str]] = [],  # noqa: B006 - ninja reads the default, never mutates it
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[SubmissionOut]:
    """A new version of the learner's work: ``text``, ``links`` (http/https, repeat the field) and
    ``files`` (repeat the field), as the assignment accepts them. Files are checked by extension and
    by their first bytes, and against the size and count limits (422, nothing stored). A version
    replaces the one waiting for a grader; once graded, 409 ``already_graded``: request a regrade."""
    enrolment, assignment = _learner_assignment(request, enrolment_id, lesson_id)
    with fields_under("body"):
        submission = submission_create(
            actor=actor_of(request),
            enrolment=enrolment,
            assignment=assignment,
            text=text,
            links=links,
            files=files or [],
        )
    return Status(
        201,
        SubmissionOut(
            **_submission_fields(request, access_submission(actor=actor_of(request), submission_id=submission.pk))
        ),
    )


@router.get(
    "/submissions/{submission_id}", response={200: SubmissionOut, **PROBLEMS_AUTH}, summary="One of my submissions"
)
def get_submission(request: HttpRequest, submission_id: int) -> SubmissionOut:
    return SubmissionOut(
        **_submission_fields(request, access_submission(actor=actor_of(request), submission_id=submission_id))
    )


@router.post(
    "/submissions/{submission_id}/regrade",
    response={201: SubmissionOut, **PROBLEMS_WRITE},
    summary="Ask for a regrade of my graded work",
)
def request_regrade(request: HttpRequest, submission_id: int, payload: RegradeIn) -> Status[SubmissionOut]:
    """Once per submission, and only once it is graded (409 ``not_graded``, ``regrade_exists``).
    An instructor decides; ``regrade.status`` and ``regrade.decision_note`` then say what they decided."""
    actor = actor_of(request)
    own = access_submission(actor=actor, submission_id=submission_id)
    with fields_under("body"):
        regrade_request_create(actor=actor, submission=own, reason=payload.reason)
    return Status(
        201, SubmissionOut(**_submission_fields(request, access_submission(actor=actor, submission_id=own.pk)))
    )


# -- Graders -------------------------------------------------------------------------------------


def _provider(request: HttpRequest, slug: str, roles: tuple[str, ...] = GRADERS) -> Organisation:
    return access_organisation(actor=actor_of(request), slug=slug, roles=roles, kind=OrganisationKind.PROVIDER)


def _grader_out(request: HttpRequest, submission: Submission) -> GraderSubmissionOut:
    return GraderSubmissionOut(
        **_submission_fields(request, submission),
        learner_name=submission.user.full_name or submission.user.display_name,
        learner_email=submission.user.email,
        microcredential_title=submission.enrolment.microcredential.title,
        lesson_title=submission.assignment.lesson.title,
    )


@router.get(
    "/orgs/{slug}/grading/queue",
    response={200: Page[GraderSubmissionOut], **PROBLEMS_AUTH},
    summary="Submissions waiting for a grade (the provider's graders, instructors and owners)",
)
def list_queue(request: HttpRequest, response: HttpResponse, slug: str, params: Query[PageParams]) -> dict[str, Any]:
    """The oldest first; your own work, if you are also a learner, is never in your queue."""
    organisation = _provider(request, slug)
    queue = grading_queue(actor=actor_of(request), organisation=organisation).prefetch_related("files")
    rows, count = page_of(request, response, queue, params)
    return {
        "items": [_grader_out(request, s) for s in rows],
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.get(
    "/orgs/{slug}/grading/submissions/{submission_id}",
    response={200: GraderSubmissionOut, **PROBLEMS_AUTH},
    summary="A submission to grade",
)
def get_grader_submission(request: HttpRequest, slug: str, submission_id: int) -> GraderSubmissionOut:
    organisation = _provider(request, slug)
    return _grader_out(request, grader_submission(organisation=organisation, submission_id=submission_id))


@router.get(
    "/orgs/{slug}/grading/submissions/{submission_id}/assignment",
    response={200: AssignmentOut, **PROBLEMS_AUTH},
    summary="The brief and rubric a submission is graded with",
)
def get_grader_assignment(request: HttpRequest, slug: str, submission_id: int) -> AssignmentOut:
    organisation = _provider(request, slug)
    return AssignmentOut(
        **_assignment_fields(grader_submission(organisation=organisation, submission_id=submission_id).assignment)
    )


@router.post(
    "/orgs/{slug}/grading/submissions/{submission_id}/grade",
    response={200: GraderSubmissionOut, **PROBLEMS_WRITE},
    summary="Grade a submission with the rubric",
)
def grade_submission(request: HttpRequest, slug: str, submission_id: int, payload: GradeIn) -> GraderSubmissionOut:
    """A level for every criterion, and feedback. Recorded once (409 ``already_graded``,
    ``submission_superseded``), audited, and reported as the lesson's outcome: a pass may complete
    the learner's micro-credential and issue its credential. Your own work: 403."""
    organisation = _provider(request, slug)
    work = grader_submission(organisation=organisation, submission_id=submission_id)
    with fields_under("body"):
        submission_grade(actor=actor_of(request), submission=work, levels=payload.levels, feedback=payload.feedback)
    return _grader_out(request, grader_submission(organisation=organisation, submission_id=work.pk))


@router.get(
    "/orgs/{slug}/grading/regrades",
    response={200: Page[GraderSubmissionOut], **PROBLEMS_AUTH},
    summary="Submissions with a regrade request waiting (owners and instructors)",
)
def list_regrades(request: HttpRequest, response: HttpResponse, slug: str, params: Query[PageParams]) -> dict[str, Any]:
    organisation = _provider(request, slug, tuple(STAFF_ROLES))
    rows, count = page_of(request, response, regrades_open(actor=actor_of(request), organisation=organisation), params)
    return {
        "items": [_grader_out(request, r.submission) for r in rows],
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.post(
    "/orgs/{slug}/grading/regrades/{regrade_id}/decision",
    response={200: GraderSubmissionOut, **PROBLEMS_WRITE},
    summary="Decide a regrade request (owners and instructors)",
)
def decide_regrade(request: HttpRequest, slug: str, regrade_id: int, payload: DecisionIn) -> GraderSubmissionOut:
    """'uphold' keeps the grade; 'change' needs ``levels`` and replaces it (the previous score is
    kept on the request). Audited; 409 ``regrade_decided`` when already decided."""
    organisation = _provider(request, slug, tuple(STAFF_ROLES))
    regrade = grader_regrade(organisation=organisation, regrade_id=regrade_id)
    change = payload.decision == "change"
    if change and payload.levels is None:
        raise ValidationFailed("Give the new level of every criterion.", errors={"levels": ["Required to change."]})
    with fields_under("body"):
        regrade_request_decide(
            actor=actor_of(request),
            regrade=regrade,
            note=payload.note,
            levels=payload.levels if change else None,
            feedback=payload.feedback if change else None,
        )
    return _grader_out(request, grader_submission(organisation=organisation, submission_id=regrade.submission_id))


# -- Peer review (ADR 0030) ------------------------------------------------------------------------


class ReviewTaskOut(Schema):
    id: int
    status: Literal["assigned", "done"] = Field(description="'assigned': to do; 'done': submitted.")
    lesson_title: str
    microcredential_title: str
    review_due_at: datetime | None
    assigned_at: datetime
    submitted_at: datetime | None
    levels: dict[str, str] = Field(description="Your levels, once done.")
    score: Decimal | None
    comment: str


class AnonymousWorkOut(Schema):
    """The work to review, without its author: no name, no e-mail, files under neutral names."""

    text: str
    links: list[str]
    files: list[FileOut]
    submitted_at: datetime


class CalibrationExampleOut(Schema):
    id: int
    title: str
    text: str


class ReviewTaskDetailOut(ReviewTaskOut):
    assignment: AssignmentOut
    work: AnonymousWorkOut
    open: bool = Field(description="Whether the review can still be submitted.")
    calibration_pending: list[CalibrationExampleOut] = Field(
        description="Examples to mark first (POST /calibration-examples/{id}); until then 409 calibration_pending."
    )


class CalibrationIn(Schema):
    levels: dict[str, str] = Field(max_length=30, description="Criterion name → the chosen level, every criterion.")


class CalibrationResultOut(Schema):
    example_id: int
    levels: dict[str, str] = Field(description="Your levels.")
    reference_levels: dict[str, str] = Field(description="The instructor's levels, shown once you have marked it.")


class CalibrationExampleIn(CalibrationIn):
    title: str = Field(max_length=200)
    text: str = Field(max_length=50000, description="The example work, as a learner would submit it.")


class ReviewIn(Schema):
    levels: dict[str, str] = Field(max_length=30, description="Criterion name → the chosen level, every criterion.")
    comment: str = Field("", max_length=10000, description="For the author, who never sees your name.")


class StaffReviewOut(Schema):
    id: int
    reviewer_id: int
    reviewer_name: str = Field(description="Staff see reviewers' names; authors and reviewers never do.")
    reviewer_email: str
    status: Literal["assigned", "done", "dropped"]
    levels: dict[str, str]
    score: Decimal | None
    comment: str
    submitted_at: datetime | None


class AllocationOut(Schema):
    seed: int = Field(description="The stored seed: the same submissions and reviewers give the same allocation.")
    reviews: int = Field(description="Reviews given out in all, done or not.")
    shortfalls: dict[str, int] = Field(description="Submission id → reviewers it got, when fewer than asked.")


class OverrideIn(GradeIn):
    note: str = Field(max_length=5000, description="Why you override the peers (kept in the audit log).")


class MentorIn(Schema):
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    role: str = Field("", max_length=200, description="E.g. 'Site supervisor'.")


def _task_out(task: PeerReview) -> dict[str, Any]:
    lesson = task.submission.assignment.lesson
    return {
        "id": task.pk,
        "status": task.status,
        "lesson_title": lesson.title,
        "microcredential_title": lesson.module.microcredential.title,
        "review_due_at": task.submission.assignment.review_due_at,
        "assigned_at": task.assigned_at,
        "submitted_at": task.submitted_at,
        "levels": task.levels,
        "score": task.score,
        "comment": task.comment,
    }


def _task_detail(request: HttpRequest, task: PeerReview) -> ReviewTaskDetailOut:
    work = task.submission
    return ReviewTaskDetailOut(
        **_task_out(task),
        assignment=AssignmentOut(**_assignment_fields(work.assignment)),
        work=AnonymousWorkOut(
            text=work.text,
            links=work.links,
            submitted_at=work.submitted_at,
            files=[
                FileOut(
                    id=f.pk,
                    name=f"File {n}",
                    size=f.size,
                    url=request.build_absolute_uri(reverse("projects:file", args=[f.pk])),
                )
                for n, f in enumerate(work.files.all(), start=1)
            ],
        ),
        open=task.status == "assigned" and work.status == SubmissionStatus.SUBMITTED,
        calibration_pending=[
            CalibrationExampleOut(id=e.pk, title=e.title, text=e.text)
            for e in calibration_pending(actor=task.reviewer, assignment=work.assignment)
        ],
    )


@router.get("/reviews", response={200: list[ReviewTaskOut], **PROBLEMS_AUTH}, summary="My peer-review tasks")
def list_review_tasks(request: HttpRequest) -> list[ReviewTaskOut]:
    """The reviews you were given, to do and done (those closed without you are left out)."""
    return [ReviewTaskOut(**_task_out(t)) for t in review_tasks(actor=actor_of(request))]


@router.get(
    "/reviews/{review_id}",
    response={200: ReviewTaskDetailOut, **PROBLEMS_AUTH},
    summary="A peer-review task: the anonymous work and the rubric",
)
def get_review_task(request: HttpRequest, review_id: int) -> ReviewTaskDetailOut:
    return _task_detail(request, access_review(actor=actor_of(request), review_id=review_id))


@router.post(
    "/reviews/{review_id}",
    response={200: ReviewTaskDetailOut, **PROBLEMS_WRITE},
    summary="Submit a peer review",
)
def submit_review(request: HttpRequest, review_id: int, payload: ReviewIn) -> ReviewTaskDetailOut:
    """A level for every criterion, and a comment. Once (409 ``review_done``); 409 ``review_closed``
    when the work was graded without it. The last review due grades the work."""
    actor = actor_of(request)
    task = access_review(actor=actor, review_id=review_id)
    with fields_under("body"):
        peer_review_submit(actor=actor, review=task, levels=payload.levels, comment=payload.comment)
    return _task_detail(request, access_review(actor=actor, review_id=review_id))


def _allocation_out(assignment: Assignment, allocation: Any) -> AllocationOut:
    assignment.refresh_from_db(fields=["allocation_seed"])
    return AllocationOut(
        seed=assignment.allocation_seed or 0,
        reviews=len(allocation.assignments),
        shortfalls={str(s.submission): s.assigned for s in allocation.shortfalls},
    )


@router.post(
    "/orgs/{slug}/peer/assignments/{assignment_id}/allocate",
    response={200: AllocationOut, **PROBLEMS_WRITE},
    summary="Allocate peer reviews (owners and instructors)",
)
def allocate_reviews(request: HttpRequest, slug: str, assignment_id: int) -> AllocationOut:
    """Gives each waiting submission its reviewers among the learners who submitted (never its
    author, loads balanced). Reviews already given out are kept, so calling it again only fills gaps."""
    organisation = _provider(request, slug, tuple(STAFF_ROLES))
    assignment = staff_assignment(organisation=organisation, assignment_id=assignment_id)
    return _allocation_out(assignment, peer_reviews_allocate(actor=actor_of(request), assignment=assignment))


@router.post(
    "/orgs/{slug}/peer/assignments/{assignment_id}/reviewers/{user_id}/drop",
    response={200: AllocationOut, **PROBLEMS_WRITE},
    summary="Take a reviewer out and reallocate their unfinished reviews (owners and instructors)",
)
def drop_reviewer(request: HttpRequest, slug: str, assignment_id: int, user_id: int) -> AllocationOut:
    organisation = _provider(request, slug, tuple(STAFF_ROLES))
    assignment = staff_assignment(organisation=organisation, assignment_id=assignment_id)
    allocation = peer_reviewer_drop(actor=actor_of(request), assignment=assignment, reviewer_id=user_id)
    return _allocation_out(assignment, allocation)


@router.get(
    "/orgs/{slug}/grading/submissions/{submission_id}/reviews",
    response={200: list[StaffReviewOut], **PROBLEMS_AUTH},
    summary="A submission's peer reviews, with the reviewers' names (owners and instructors)",
)
def list_submission_reviews(request: HttpRequest, slug: str, submission_id: int) -> list[StaffReviewOut]:
    organisation = _provider(request, slug, tuple(STAFF_ROLES))
    work = grader_submission(organisation=organisation, submission_id=submission_id)
    return [
        StaffReviewOut(
            id=r.pk,
            reviewer_id=r.reviewer_id,
            reviewer_name=r.reviewer.full_name or r.reviewer.display_name,
            reviewer_email=r.reviewer.email,
            status=r.status,  # type: ignore[arg-type]
            levels=r.levels,
            score=r.score,
            comment=r.comment,
            submitted_at=r.submitted_at,
        )
        for r in reviews_of(work)
    ]


@router.post(
    "/orgs/{slug}/grading/submissions/{submission_id}/override",
    response={200: GraderSubmissionOut, **PROBLEMS_WRITE},
    summary="Grade peer-reviewed work yourself, before or after the peers (owners and instructors)",
)
def override_grade(request: HttpRequest, slug: str, submission_id: int, payload: OverrideIn) -> GraderSubmissionOut:
    """The reviews stay; the previous grade is kept in the audit log; reported as the lesson's outcome."""
    organisation = _provider(request, slug, tuple(STAFF_ROLES))
    work = grader_submission(organisation=organisation, submission_id=submission_id)
    with fields_under("body"):
        peer_grade_override(
            actor=actor_of(request),
            submission=work,
            levels=payload.levels,
            feedback=payload.feedback,
            note=payload.note,
        )
    return _grader_out(request, grader_submission(organisation=organisation, submission_id=work.pk))


@router.post(
    "/calibration-examples/{example_id}",
    response={201: CalibrationResultOut, **PROBLEMS_WRITE},
    summary="Mark a calibration example (reviewers), then read the instructor's reference",
)
def mark_calibration(request: HttpRequest, example_id: int, payload: CalibrationIn) -> Status[CalibrationResultOut]:
    actor = actor_of(request)
    example = access_calibration_example(actor=actor, example_id=example_id)
    with fields_under("body"):
        review = calibration_review_submit(actor=actor, example=example, levels=payload.levels)
    return Status(
        201,
        CalibrationResultOut(example_id=example.pk, levels=review.levels, reference_levels=example.reference_levels),
    )


@router.post(
    "/orgs/{slug}/peer/assignments/{assignment_id}/calibration-examples",
    response={201: CalibrationExampleOut, **PROBLEMS_WRITE},
    summary="Add a calibration example with your reference levels (owners and instructors)",
)
def add_calibration_example(
    request: HttpRequest, slug: str, assignment_id: int, payload: CalibrationExampleIn
) -> Status[CalibrationExampleOut]:
    organisation = _provider(request, slug, tuple(STAFF_ROLES))
    assignment = staff_assignment(organisation=organisation, assignment_id=assignment_id)
    with fields_under("body"):
        example = calibration_example_create(
            actor=actor_of(request),
            assignment=assignment,
            title=payload.title,
            text=payload.text,
            levels=payload.levels,
        )
    return Status(201, CalibrationExampleOut(id=example.pk, title=example.title, text=example.text))


# -- Mentor sign-off -------------------------------------------------------------------------------


@router.post(
    "/submissions/{submission_id}/mentor",
    response={201: SubmissionOut, **PROBLEMS_WRITE},
    summary="Ask a mentor or supervisor to confirm my work (e-mails them a link)",
)
def request_mentor(request: HttpRequest, submission_id: int, payload: MentorIn) -> Status[SubmissionOut]:
    """The mentor needs no account: they get a link that works once, for 14 days, and answer on its
    page (HTML only). One request waits at a time (409 ``signoff_pending``). The link is never in
    this response: only the mentor's mailbox has it."""
    actor = actor_of(request)
    own = access_submission(actor=actor, submission_id=submission_id)
    with fields_under("body"):
        mentor_signoff_request(actor=actor, submission=own, name=payload.name, email=payload.email, role=payload.role)
    return Status(
        201, SubmissionOut(**_submission_fields(request, access_submission(actor=actor, submission_id=own.pk)))
    )


@router.post(
    "/mentor-signoffs/{signoff_id}/{action}",
    response={200: SubmissionOut, **PROBLEMS_WRITE},
    summary="Resend (a new link; the old one stops working) or withdraw my request to a mentor",
)
def manage_mentor(request: HttpRequest, signoff_id: int, action: Literal["resend", "revoke"]) -> SubmissionOut:
    actor = actor_of(request)
    signoff = access_signoff(actor=actor, signoff_id=signoff_id)
    if action == "resend":
        mentor_signoff_resend(actor=actor, signoff=signoff)
    else:
        mentor_signoff_revoke(actor=actor, signoff=signoff)
    return SubmissionOut(
        **_submission_fields(request, access_submission(actor=actor, submission_id=signoff.submission_id))
    )
