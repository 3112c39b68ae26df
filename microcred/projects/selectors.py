"""Reads of the projects app, each behind its permission: a learner sees their own submissions, a
grader those of their organisations' assignments; anything else answers 404, as ids that do not exist."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from microcred.accounts.models import Organisation
from microcred.accounts.permissions import ALL_ROLES, has_org_role
from microcred.assessment.review.calibration import calibration_accuracy, review_quality
from microcred.assessment.review.rubric import Rubric, RubricScore, score_rubric
from microcred.catalog.models import Lesson, LessonKind
from microcred.core.errors import NotFound

from . import gradestats
from .models import (
    Assignment,
    CalibrationExample,
    Grade,
    MentorSignoff,
    PeerReview,
    PeerReviewStatus,
    RegradeRequest,
    RegradeStatus,
    ReviewMode,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    mentor_token_hash,
)
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
        # Peer-reviewed and mentor-signed work is graded by peers and mentors, not from this queue.
        .filter(assignment__review_mode=ReviewMode.INSTRUCTOR)
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
    if (
        stored.submission.user_id != actor.pk
        and not has_org_role(actor, provider, ALL_ROLES)
        and not is_file_reviewer(actor=actor, stored=stored)
    ):
        raise NotFound("File not found.")
    return stored


def is_file_reviewer(*, actor: Any, stored: SubmissionFile) -> bool:
    """Whether ``actor`` reads the file as a peer reviewer of its submission (then the download hides
    the learner's file name, which may carry their name)."""
    return (
        stored.submission.user_id != actor.pk
        and PeerReview.objects.filter(submission_id=stored.submission_id, reviewer_id=actor.pk)
        .exclude(status=PeerReviewStatus.DROPPED)
        .exists()
    )


# -- Peer review ---------------------------------------------------------------------------------


def review_tasks(*, actor: Any) -> list[PeerReview]:
    """The reviews a learner was given, the open ones first (those of work already graded without
    them are left out)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return list(
        PeerReview.objects.filter(reviewer=actor)
        .exclude(status=PeerReviewStatus.DROPPED)
        .select_related("submission__assignment__lesson__module__microcredential")
        .order_by("-status", "assigned_at", "id")
    )


def access_review(*, actor: Any, review_id: int) -> PeerReview:
    """One of the actor's own review tasks; anyone else's answers 404."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound("Review not found.")
    review = (
        PeerReview.objects.select_related("submission__assignment__lesson__module__microcredential")
        .prefetch_related("submission__files")
        .filter(pk=review_id, reviewer=actor)
        .first()
    )
    if review is None:
        raise NotFound("Review not found.")
    return review


def reviews_of(submission: Submission) -> list[PeerReview]:
    """A submission's reviews, finished or not (staff see the reviewers' names)."""
    return list(submission.peer_reviews.select_related("reviewer").order_by("assigned_at", "id"))


def peer_feedback(submission: Submission) -> list[PeerReview]:
    """The finished reviews of a submission for its author: shown as "Reviewer 1, 2, …", never named."""
    return list(submission.peer_reviews.filter(status=PeerReviewStatus.DONE).order_by("submitted_at", "id"))


def peer_assignments(*, organisation: Organisation) -> list[Assignment]:
    """``organisation``'s peer-reviewed assignments, for its instructors."""
    return list(
        Assignment.objects.filter(
            review_mode=ReviewMode.PEER, lesson__module__microcredential__provider=organisation
        ).select_related("lesson__module__microcredential")
    )


def staff_assignment(*, organisation: Organisation, assignment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.filter(pk=assignment_id, lesson__module__microcredential__provider=organisation)
        .select_related("lesson__module__microcredential")
        .first()
    )
    if assignment is None:
        raise NotFound("Assignment not found.")
    return assignment


def peer_round(assignment: Assignment) -> list[Submission]:
    """The latest version of each learner's work with its reviews (reviewers named: staff only)."""
    return list(
        Submission.objects.filter(assignment=assignment)
        .exclude(status=SubmissionStatus.SUPERSEDED)
        .select_related("user", "grade", "enrolment")
        .prefetch_related("peer_reviews__reviewer")
        .order_by("submitted_at", "id")
    )


def reviewer_quality(assignment: Assignment) -> dict[Hashable, Decimal | None]:
    """Each reviewer's review quality (0..100): agreement of their finished reviews with the other
    reviewers' combined marking of the same submissions (``assessment.review.calibration``)."""
    rubric = rubric_from_spec(assignment.rubric)
    markings: dict[Hashable, dict[Hashable, RubricScore]] = {}
    for review in PeerReview.objects.filter(submission__assignment=assignment, status=PeerReviewStatus.DONE):
        markings.setdefault(review.submission_id, {})[review.reviewer_id] = score_rubric(rubric, review.levels)
    reviewers = {who for by in markings.values() for who in by}
    return {who: review_quality(rubric, who, markings, method=assignment.aggregation) for who in reviewers}


def calibration_examples(assignment: Assignment) -> list[CalibrationExample]:
    return list(CalibrationExample.objects.filter(assignment=assignment))


def calibration_pending(*, actor: Any, assignment: Assignment) -> list[CalibrationExample]:
    """The examples ``actor`` still has to mark before their reviews of ``assignment`` are taken."""
    return list(CalibrationExample.objects.filter(assignment=assignment).exclude(reviews__reviewer=actor))


def access_calibration_example(*, actor: Any, example_id: int) -> CalibrationExample:
    """An example of an assignment the actor reviews for; anyone else's answers 404."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound("Calibration example not found.")
    example = CalibrationExample.objects.select_related("assignment__lesson").filter(pk=example_id).first()
    if (
        example is None
        or not PeerReview.objects.filter(submission__assignment=example.assignment_id, reviewer=actor).exists()
    ):
        raise NotFound("Calibration example not found.")
    return example


def calibration_accuracy_of(assignment: Assignment) -> dict[Hashable, Decimal]:
    """Each reviewer's calibration accuracy (0..100) against the instructor's reference markings."""
    rubric = rubric_from_spec(assignment.rubric)
    references: dict[Hashable, RubricScore] = {}
    marked: dict[Hashable, dict[Hashable, RubricScore]] = {}
    for example in CalibrationExample.objects.filter(assignment=assignment).prefetch_related("reviews"):
        references[example.pk] = score_rubric(rubric, example.reference_levels)
        for review in example.reviews.all():
            marked.setdefault(review.reviewer_id, {})[example.pk] = score_rubric(rubric, review.levels)
    return {who: calibration_accuracy(rubric, by, references) for who, by in marked.items()}


# -- Mentor sign-off -----------------------------------------------------------------------------


def mentor_signoff_by_token(token: str) -> MentorSignoff | None:
    """The request behind a mentor's link (by the token's hash), whatever its state."""
    return (
        MentorSignoff.objects.select_related(
            "submission__user", "submission__assignment__lesson__module__microcredential__provider"
        )
        .prefetch_related("submission__files")
        .filter(token_hash=mentor_token_hash(token))
        .first()
    )


def access_signoff(*, actor: Any, signoff_id: int) -> MentorSignoff:
    """A sign-off request of the actor's own work."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound("Sign-off request not found.")
    signoff = MentorSignoff.objects.filter(pk=signoff_id, submission__user=actor).select_related("submission").first()
    if signoff is None:
        raise NotFound("Sign-off request not found.")
    return signoff


# -- Statistics (issue 8, section 5): what the statistics pages, their CSV and the API read -------
# The figures are ``gradestats`` (pure, its docstring defines them); here the rows are read.


@dataclass(frozen=True)
class AssignmentStatistics:
    assignment: Assignment
    rubric: Rubric
    submissions: list[Submission]  # each learner's latest version, graded or waiting, the oldest first
    scores: gradestats.ScoreSummary
    criteria: tuple[gradestats.CriterionLevels, ...]
    waiting: int
    reviews: gradestats.ReviewFigures | None  # peer-reviewed assignments only
    reviews_done: dict[int, int]  # submission id -> finished peer reviews
    regrades: gradestats.RegradeFigures


def assignment_statistics(*, assignment: Assignment, now: datetime) -> AssignmentStatistics:
    """How ``assignment`` performs (the caller checked the actor may see it: ``staff_assignment``)."""
    rubric = rubric_from_spec(assignment.rubric)
    submissions = list(
        Submission.objects.filter(assignment=assignment)
        .exclude(status=SubmissionStatus.SUPERSEDED)
        .select_related("user", "grade", "regrade")
        .order_by("submitted_at", "id")
    )
    works = [
        gradestats.GradedWork(
            score=float(s.grade.score), passed=s.grade.passed, levels=s.grade.levels, source=s.grade.source
        )
        for s in submissions
        if s.status == SubmissionStatus.GRADED
    ]
    reviews = None
    reviews_done: dict[int, int] = {}
    if assignment.review_mode == ReviewMode.PEER:
        late = assignment.review_due_at is not None and now >= assignment.review_due_at
        rows = list(
            PeerReview.objects.filter(submission__assignment=assignment).values_list("submission_id", "status", "score")
        )
        scores: dict[Hashable, list[float]] = {}
        for submission_id, status, score in rows:
            if status == PeerReviewStatus.DONE and score is not None:
                scores.setdefault(submission_id, []).append(float(score))
                reviews_done[submission_id] = reviews_done.get(submission_id, 0) + 1
        reviews = gradestats.review_figures(
            statuses=[(status, late) for _id, status, _score in rows],
            scores_by_submission=scores,
            quality=[None if q is None else float(q) for q in reviewer_quality(assignment).values()],
            accuracy=[float(a) for a in calibration_accuracy_of(assignment).values()],
        )
    return AssignmentStatistics(
        assignment=assignment,
        rubric=rubric,
        submissions=submissions,
        scores=gradestats.score_summary(works),
        criteria=gradestats.criterion_levels(rubric, works),
        waiting=sum(1 for s in submissions if s.status == SubmissionStatus.SUBMITTED),
        reviews=reviews,
        reviews_done=reviews_done,
        regrades=gradestats.regrade_figures(
            RegradeRequest.objects.filter(submission__assignment=assignment).values_list("status", flat=True)
        ),
    )


@dataclass(frozen=True)
class AssignmentQueue:
    """One assignment's line of the grading overview."""

    assignment: Assignment
    waiting: int
    ages: tuple[int, ...]  # waiting work per ``gradestats.AGE_BANDS``
    oldest: datetime | None  # when the longest-waiting work was submitted
    graded: int  # graded submissions, ever
    pace: gradestats.GradingPace
    regrades_open: int


@dataclass(frozen=True)
class GradingOverview:
    rows: list[AssignmentQueue]  # assignments with submissions, by micro-credential and position
    ages: tuple[int, ...]
    pace: gradestats.GradingPace
    waiting: int
    in_queue: int  # of the waiting work, what the graders' queue holds (the instructor-graded)
    regrades_open: int


def grading_overview(*, organisation: Organisation, now: datetime) -> GradingOverview:
    """How ``organisation``'s grading stands, every review mode (the queue itself: ``grading_queue``).
    ``now`` is local: weeks start on its Monday. Five queries, however many assignments."""
    provider = "lesson__module__microcredential__provider"
    assignments = list(
        Assignment.objects.filter(**{provider: organisation}, pk__in=Submission.objects.values("assignment_id"))
        .select_related("lesson__module__microcredential")
        .order_by(
            "lesson__module__microcredential__title",
            "lesson__module__microcredential__version",
            "lesson__module__position",
            "lesson__position",
            "id",
        )
    )
    waiting: dict[int, list[datetime]] = {}
    for assignment_id, submitted_at in Submission.objects.filter(
        **{f"assignment__{provider}": organisation}, status=SubmissionStatus.SUBMITTED
    ).values_list("assignment_id", "submitted_at"):
        waiting.setdefault(assignment_id, []).append(submitted_at)
    events: dict[int, list[gradestats.GradingEvent]] = {}
    for assignment_id, submitted_at, graded_at, regrade in Grade.objects.filter(
        **{f"submission__assignment__{provider}": organisation}, graded_at__gte=gradestats.window_start(now)
    ).values_list("submission__assignment_id", "submission__submitted_at", "graded_at", "submission__regrade__status"):
        events.setdefault(assignment_id, []).append(
            gradestats.GradingEvent(submitted_at, graded_at, changed_on_regrade=regrade == RegradeStatus.CHANGED)
        )
    graded = dict(
        Submission.objects.filter(**{f"assignment__{provider}": organisation}, status=SubmissionStatus.GRADED)
        .values("assignment_id")
        .annotate(n=Count("id"))
        .values_list("assignment_id", "n")
    )
    open_regrades = RegradeRequest.objects.filter(status=RegradeStatus.OPEN)
    regrades = dict(
        open_regrades.filter(**{f"submission__assignment__{provider}": organisation})
        .values("submission__assignment_id")
        .annotate(n=Count("id"))
        .values_list("submission__assignment_id", "n")
    )
    rows = [
        AssignmentQueue(
            assignment=a,
            waiting=len(waiting.get(a.pk, [])),
            ages=gradestats.age_counts(now, waiting.get(a.pk, [])),
            oldest=min(waiting[a.pk]) if a.pk in waiting else None,
            graded=graded.get(a.pk, 0),
            pace=gradestats.grading_pace(now, events.get(a.pk, [])),
            regrades_open=regrades.get(a.pk, 0),
        )
        for a in assignments
    ]
    every_wait = [moment for moments in waiting.values() for moment in moments]
    return GradingOverview(
        rows=rows,
        ages=gradestats.age_counts(now, every_wait),
        pace=gradestats.grading_pace(now, [e for evs in events.values() for e in evs]),
        waiting=len(every_wait),
        in_queue=sum(row.waiting for row in rows if row.assignment.review_mode == ReviewMode.INSTRUCTOR),
        regrades_open=sum(regrades.values()),
    )
