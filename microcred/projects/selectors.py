"""Reads of the projects app, each behind its permission: a learner sees their own submissions, a
grader those of their organisations' assignments; anything else answers 404, as ids that do not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from microcred.accounts.models import Organisation
from microcred.accounts.permissions import ALL_ROLES, has_org_role
from microcred.assessment.review.rubric import Rubric
from microcred.catalog.models import Lesson, LessonKind
from microcred.core.errors import NotFound

from .models import Assignment, RegradeRequest, RegradeStatus, Submission, SubmissionFile, SubmissionStatus
from .rubrics import rubric_from_spec

_SUBMISSION_RELATED = (
    "assignment__lesson__module__microcredential__provider",
    "enrolment__microcredential",
    "user",
    "grade__grader",
    "regrade",
)


def assignment_of(lesson: Lesson) -> Assignment | None:
    """The assignment that assesses ``lesson``: None for other lessons, and for an assignment lesson
    without a rubric (its learner marks it complete)."""
    if lesson.kind != LessonKind.ASSIGNMENT:
        return None
    try:
        return lesson.assignment  # type: ignore[no-any-return]
    except Assignment.DoesNotExist:
        return None


def assignment_rubric(assignment: Assignment) -> Rubric:
    return rubric_from_spec(assignment.rubric)


def submissions_for(*, enrolment: Any, assignment: Assignment) -> list[Submission]:
    """The learner's versions, the latest first."""
    return list(
        Submission.objects.filter(enrolment=enrolment, assignment=assignment)
        .select_related("grade", "regrade")
        .prefetch_related("files")
        .order_by("-version")
    )


def access_submission(*, actor: Any, submission_id: int) -> Submission:
    """The actor's own submission."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound("Submission not found.")
    submission = (
        Submission.objects.select_related(*_SUBMISSION_RELATED)
        .prefetch_related("files")
        .filter(pk=submission_id, user=actor)
        .first()
    )
    if submission is None:
        raise NotFound("Submission not found.")
    return submission


def _of_provider(queryset: QuerySet[Any], organisation: Organisation, path: str = "") -> QuerySet[Any]:
    return queryset.filter(**{f"{path}assignment__lesson__module__microcredential__provider": organisation})


def grader_submission(*, organisation: Organisation, submission_id: int) -> Submission:
    """A submission to one of ``organisation``'s assignments (the caller checked the actor's role
    there with ``access_organisation``); another provider's answers 404."""
    submission = (
        _of_provider(Submission.objects.select_related(*_SUBMISSION_RELATED), organisation)
        .prefetch_related("files")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise NotFound("Submission not found.")
    return submission


def grading_queue(*, actor: Any, organisation: Organisation) -> QuerySet[Submission]:
    """Submissions to ``organisation``'s assignments waiting for a grader, the oldest first; the
    actor's own work (a grader who is also a learner) is left out."""
    return (
        _of_provider(Submission.objects.filter(status=SubmissionStatus.SUBMITTED), organisation)
        .exclude(user_id=getattr(actor, "pk", None))
        .select_related(*_SUBMISSION_RELATED)
        .order_by("submitted_at", "id")
    )


def graded_recently(*, organisation: Organisation, limit: int = 20) -> list[Submission]:
    return list(
        _of_provider(Submission.objects.filter(status=SubmissionStatus.GRADED), organisation)
        .select_related(*_SUBMISSION_RELATED)
        .order_by("-grade__graded_at", "-id")[:limit]
    )


def regrades_open(*, actor: Any, organisation: Organisation) -> QuerySet[RegradeRequest]:
    """Regrade requests on ``organisation``'s assignments waiting for a decision, the oldest first."""
    return (
        _of_provider(RegradeRequest.objects.filter(status=RegradeStatus.OPEN), organisation, "submission__")
        .exclude(submission__user_id=getattr(actor, "pk", None))
        .select_related(*(f"submission__{path}" for path in _SUBMISSION_RELATED))
        .order_by("requested_at", "id")
    )


def grader_regrade(*, organisation: Organisation, regrade_id: int) -> RegradeRequest:
    """A regrade request on one of ``organisation``'s assignments; another provider's answers 404."""
    regrade = (
        _of_provider(RegradeRequest.objects.select_related("submission"), organisation, "submission__")
        .filter(pk=regrade_id)
        .first()
    )
    if regrade is None:
        raise NotFound("Regrade request not found.")
    return regrade


def access_submission_file(*, actor: Any, file_id: int) -> SubmissionFile:
    """A file of a submission, for its learner or a grader of the assignment's provider only."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound("File not found.")
    stored = (
        SubmissionFile.objects.select_related("submission__assignment__lesson__module__microcredential")
        .filter(pk=file_id)
        .first()
    )
    if stored is None:
        raise NotFound("File not found.")
    provider = stored.submission.assignment.lesson.module.microcredential.provider_id
    if stored.submission.user_id != actor.pk and not has_org_role(actor, provider, ALL_ROLES):
        raise NotFound("File not found.")
    return stored
