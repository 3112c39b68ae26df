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

from .models import Assignment, RegradeRequest, Submission, SubmissionStatus
from .selectors import (
    access_submission,
    assignment_of,
    grader_regrade,
    grader_submission,
    grading_queue,
    regrades_open,
    submissions_for,
)
from .services import regrade_request_create, regrade_request_decide, submission_create, submission_grade

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
    review_mode: Literal["instructor"]


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
            points=grade.points,
            max_points=grade.max_points,
            score=grade.score,
            passed=grade.passed,
            criteria=[
                CriterionGradeOut(
                    criterion=c["name"], level=grade.levels.get(c["name"], ""), points=_points(c, grade.levels)
                )
                for c in submission.assignment.rubric["criteria"]
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
