"""Assignments, submissions, grades and regrade requests: every write of the projects app.

A grade is given with the assignment's rubric (a level per criterion, ``assessment.review``) and
reported to learning as the lesson's outcome (``lesson_outcome_record``), which may complete the
micro-credential and so issue its credential. Grades and regrade decisions are audited.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string

from microcred.accounts.mail import send_email_task, site_url
from microcred.accounts.models import User
from microcred.accounts.permissions import (
    ALL_ROLES,
    STAFF_ROLES,
    SYSTEM,
    Actor,
    has_org_role,
    is_system,
    require_authenticated,
    require_org_role,
)
from microcred.assessment.review.aggregation import aggregate_rubric
from microcred.assessment.review.allocation import Allocation, allocate
from microcred.assessment.review.errors import ReviewError
from microcred.assessment.review.rubric import score_rubric
from microcred.catalog.models import Lesson, LessonKind, Module
from microcred.catalog.services import assessed_lesson_create, lesson_update
from microcred.core import events
from microcred.core.clock import now
from microcred.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, full_clean_or_fail
from microcred.core.services import audit_record
from microcred.learning.models import Enrolment, EnrolmentStatus
from microcred.learning.services import lesson_outcome_record

from .files import DEFAULT_EXTENSIONS, KNOWN_EXTENSIONS, SNIFF_BYTES, FileRefused, check_file, clean_name
from .models import (
    Assignment,
    CalibrationExample,
    CalibrationReview,
    Grade,
    MentorSignoff,
    MentorStatus,
    PeerReview,
    PeerReviewStatus,
    RegradeRequest,
    RegradeStatus,
    ReviewMode,
    Submission,
    SubmissionFile,
    SubmissionKind,
    SubmissionStatus,
    mentor_token_hash,
)
from .rubrics import rubric_from_spec, rubric_to_spec

# An assignment's settings travel with its lesson in forms and catalog files.
ASSIGNMENT_SETTINGS: Final[frozenset[str]] = frozenset(
    {
        "submission_kinds",
        "file_extensions",
        "max_file_mb",
        "max_files",
        "passing_score",
        "due_at",
        "review_mode",
        "reviewers_per_submission",
        "review_due_at",
        "aggregation",
    }
)
MAX_LINKS: Final = 10
MAX_TEXT: Final = 50_000
MAX_REASON: Final = 5_000
MAX_FEEDBACK: Final = 20_000


def _check_settings(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - ASSIGNMENT_SETTINGS
    if unknown:
        raise ValidationFailed(f"Unknown assignment fields: {', '.join(sorted(unknown))}.")
    checked = dict(fields)
    if "submission_kinds" in checked:
        kinds = list(dict.fromkeys(checked["submission_kinds"] or []))
        bad = [kind for kind in kinds if kind not in SubmissionKind.values]
        if bad or not kinds:
            raise ValidationFailed(
                "Choose what a submission may hold: text, links, files.",
                errors={
                    "submission_kinds": [f"Unknown: {', '.join(map(str, bad))}." if bad else "Choose at least one."]
                },
            )
        checked["submission_kinds"] = kinds
    if "file_extensions" in checked:
        extensions = [str(ext).lower().lstrip(".") for ext in checked["file_extensions"] or []]
        bad = sorted(set(extensions) - KNOWN_EXTENSIONS)
        if bad:
            raise ValidationFailed(
                f"File types not supported: {', '.join(bad)} (supported: {', '.join(sorted(KNOWN_EXTENSIONS))}).",
                errors={"file_extensions": [f"Not supported: {', '.join(bad)}."]},
            )
        checked["file_extensions"] = list(dict.fromkeys(extensions))
    return checked


def _save_assignment(assignment: Assignment) -> None:
    if SubmissionKind.FILES in assignment.submission_kinds and not assignment.file_extensions:
        raise ValidationFailed(
            "An assignment that takes files needs at least one accepted file type.",
            errors={"file_extensions": ["Required when files are accepted."]},
        )
    full_clean_or_fail(assignment)
    assignment.save()


@transaction.atomic
def assignment_create(*, actor: Actor, lesson: Lesson, rubric: dict[str, Any], **fields: Any) -> Assignment:
    """The assignment of an assignment lesson: its rubric and rules (``ASSIGNMENT_SETTINGS``)."""
    require_org_role(actor, lesson.module.microcredential.provider)
    if lesson.kind != LessonKind.ASSIGNMENT:
        raise ValidationFailed("Only an assignment lesson has an assignment.", errors={"kind": ["Not an assignment."]})
    if Assignment.objects.filter(lesson=lesson).exists():
        raise Conflict("This lesson already has its assignment.", code="assignment_exists")
    fields = _check_settings(fields)
    fields.setdefault("submission_kinds", [SubmissionKind.TEXT, SubmissionKind.LINKS, SubmissionKind.FILES])
    fields.setdefault("file_extensions", list(DEFAULT_EXTENSIONS))
    assignment = Assignment(lesson=lesson, rubric=rubric_to_spec(rubric_from_spec(rubric)), **fields)
    _save_assignment(assignment)
    audit_record(actor=actor, action="assignment.create", target=assignment, lesson=lesson.pk)
    return assignment


@transaction.atomic
def assignment_update(
    *, actor: Actor, assignment: Assignment, rubric: dict[str, Any] | None = None, **fields: Any
) -> Assignment:
    """Change an assignment nobody has submitted to (its lesson is in a draft: ``lesson_update`` checks)."""
    assignment = (
        Assignment.objects.select_for_update().select_related("lesson__module__microcredential").get(pk=assignment.pk)
    )
    require_org_role(actor, assignment.lesson.module.microcredential.provider)
    if assignment.submissions.exists():
        raise Conflict("Learners have submitted to this assignment; it is kept as it is.", code="assignment_in_use")
    for key, value in _check_settings(fields).items():
        setattr(assignment, key, value)
    if rubric is not None:
        assignment.rubric = rubric_to_spec(rubric_from_spec(rubric))
    _save_assignment(assignment)
    audit_record(actor=actor, action="assignment.update", target=assignment, fields=sorted({*fields, "rubric"}))
    return assignment


@transaction.atomic
def assignment_discard(*, actor: Actor, assignment: Assignment) -> None:
    """Delete an assignment nobody has submitted to; submitted ones are kept as evidence."""
    require_org_role(actor, assignment.lesson.module.microcredential.provider)
    if assignment.submissions.exists():
        raise Conflict("Learners have submitted to this assignment; it is kept.", code="assignment_in_use")
    audit_record(actor=actor, action="assignment.discard", target=assignment, lesson=assignment.lesson_id)
    assignment.delete()


def assignment_spec(assignment: Assignment) -> dict[str, Any]:
    """The assignment as plain data, the form ``assignment_create`` takes (less the lesson)."""
    return {"rubric": assignment.rubric, **{name: getattr(assignment, name) for name in ASSIGNMENT_SETTINGS}}


def assignment_export(assignment: Assignment) -> dict[str, Any]:
    """The assignment as a catalog file holds it (docs/catalog-format.md): what ``assignment_create``
    takes, the due date as ISO 8601."""
    spec = assignment_spec(assignment)
    spec["due_at"] = assignment.due_at.isoformat() if assignment.due_at else None
    spec["review_due_at"] = assignment.review_due_at.isoformat() if assignment.review_due_at else None
    return spec


@transaction.atomic
def assignment_lesson_create(
    *, actor: Actor, module: Module, title: str, rubric: dict[str, Any] | None = None, **fields: Any
) -> Lesson:
    """An assignment lesson and, with a rubric, its assignment: learners then submit their work and
    graders grade it. Without a rubric the lesson is the learner's to mark as complete, as before."""
    settings = {key: fields.pop(key) for key in ASSIGNMENT_SETTINGS & set(fields)}
    if "kind" in fields:
        raise ValidationFailed("Unknown lesson fields: kind.")
    lesson = assessed_lesson_create(actor=actor, module=module, title=title, kind=LessonKind.ASSIGNMENT, **fields)
    if rubric is not None:
        assignment_create(actor=actor, lesson=lesson, rubric=rubric, **settings)
    return lesson


@transaction.atomic
def assignment_lesson_update(
    *, actor: Actor, lesson: Lesson, rubric: dict[str, Any] | None = None, **fields: Any
) -> Lesson:
    """Edit an assignment lesson of a draft: a rubric adds or changes its assignment, none removes it."""
    if lesson.kind != LessonKind.ASSIGNMENT:
        raise ValidationFailed("This lesson is not an assignment.")
    settings = {key: fields.pop(key) for key in ASSIGNMENT_SETTINGS & set(fields)}
    lesson = lesson_update(actor=actor, lesson=lesson, **fields)
    assignment = Assignment.objects.filter(lesson=lesson).first()
    if rubric is None:
        if assignment is not None:
            assignment_discard(actor=actor, assignment=assignment)
    elif assignment is None:
        assignment_create(actor=actor, lesson=lesson, rubric=rubric, **settings)
    else:
        assignment_update(actor=actor, assignment=assignment, rubric=rubric, **settings)
    return lesson


def assignments_discard_on_lessons_removing(event: events.LessonsRemoving) -> None:
    """Subscribes to ``LessonsRemoving`` in the transaction (``config/events.py``)."""
    for assignment in Assignment.objects.filter(lesson_id__in=event.lesson_ids).select_related(
        "lesson__module__microcredential__provider"
    ):
        assignment_discard(actor=event.actor, assignment=assignment)


def assignments_copy_on_lessons_copied(event: events.LessonsCopied) -> None:
    """Subscribes to ``LessonsCopied`` in the transaction: a new version's lessons get their own
    assignment, so editing it leaves the published one (and its submissions) intact."""
    copy_of = dict(event.copies)
    lessons = Lesson.objects.select_related("module__microcredential__provider").in_bulk(copy_of.values())
    for assignment in Assignment.objects.filter(lesson_id__in=copy_of):
        spec = assignment_spec(assignment)
        assignment_create(actor=event.actor, lesson=lessons[copy_of[assignment.lesson_id]], **spec)


# -- Submissions -------------------------------------------------------------------------------


def _clean_links(links: Iterable[Any]) -> list[str]:
    validate = URLValidator(schemes=["http", "https"])
    cleaned: list[str] = []
    for n, raw in enumerate(links, start=1):
        link = str(raw or "").strip()
        if not link:
            continue
        try:
            if len(link) > 2000:
                raise ValidationError("too long")
            validate(link)
        except ValidationError:
            raise ValidationFailed(
                f"Link {n} is not a web address (http:// or https://).", errors={"links": [f"Link {n}: not a URL."]}
            ) from None
        cleaned.append(link)
    if len(cleaned) > MAX_LINKS:
        raise ValidationFailed(f"At most {MAX_LINKS} links.", errors={"links": [f"At most {MAX_LINKS}."]})
    return list(dict.fromkeys(cleaned))


def _checked_files(assignment: Assignment, files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    if len(files) > assignment.max_files:
        raise ValidationFailed(
            f"At most {assignment.max_files} files.", errors={"files": [f"At most {assignment.max_files}."]}
        )
    checked = []
    for upload in files:
        upload.seek(0)
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        try:
            extension = check_file(
                name=upload.name or "",
                size=upload.size or 0,
                head=head,
                allowed=frozenset(assignment.file_extensions),
                max_bytes=assignment.max_file_mb * 1024 * 1024,
            )
        except FileRefused as error:
            raise ValidationFailed(str(error), errors={"files": [str(error)]}) from None
        checked.append((upload, extension))
    return checked


@transaction.atomic
def submission_create(
    *,
    actor: Actor,
    enrolment: Enrolment,
    assignment: Assignment,
    text: str = "",
    links: Sequence[str] = (),
    files: Sequence[UploadedFile] = (),
) -> Submission:
    """Submit work (a new version) until it is graded; after that only a regrade request reopens the
    question. The submission replaces any earlier one still waiting for a grader (kept, superseded)."""
    user = require_authenticated(actor)
    if enrolment.user_id != user.pk:
        raise NotFound("Enrolment not found.")
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise Conflict("You have withdrawn from this micro-credential; enrol again to continue.")
    lesson = assignment.lesson
    if lesson.module.microcredential_id != enrolment.microcredential_id:
        raise NotFound("Assignment not found.")
    kinds = set(assignment.submission_kinds)
    text = (text or "").strip()
    clean_links = _clean_links(links or [])
    for kind, given in (
        (SubmissionKind.TEXT, text),
        (SubmissionKind.LINKS, clean_links),
        (SubmissionKind.FILES, files),
    ):
        if given and kind not in kinds:
            raise ValidationFailed(
                f"This assignment does not take {SubmissionKind(kind).label.lower()}.", errors={kind: ["Not accepted."]}
            )
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"The text is longer than {MAX_TEXT} characters.", errors={"text": ["Too long."]})
    checked = _checked_files(assignment, files)
    if not (text or clean_links or checked):
        raise ValidationFailed("Your submission is empty: add your work first.", code="submission_empty")
    earlier = Submission.objects.filter(enrolment=enrolment, assignment=assignment)
    if earlier.filter(status=SubmissionStatus.GRADED).exists():
        raise Conflict(
            "Your work has been graded; to have it looked at again, request a regrade.", code="already_graded"
        )
    waiting = earlier.filter(status=SubmissionStatus.SUBMITTED)
    # Reviewers and mentors judge one version: it is not swapped under them.
    if PeerReview.objects.filter(submission__in=waiting).exclude(status=PeerReviewStatus.DROPPED).exists():
        raise Conflict("Your work is out for peer review; it can no longer be replaced.", code="under_review")
    if MentorSignoff.objects.filter(submission__in=waiting, status=MentorStatus.PENDING).exists():
        raise Conflict(
            "Your mentor has been asked to confirm this work; withdraw the request to submit a new version.",
            code="awaiting_mentor",
        )
    waiting.update(status=SubmissionStatus.SUPERSEDED)
    moment = now()
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                assignment=assignment,
                enrolment=enrolment,
                user=user,
                version=(earlier.aggregate(v=Max("version"))["v"] or 0) + 1,
                text=text,
                links=clean_links,
                submitted_at=moment,
                is_late=assignment.due_at is not None and moment > assignment.due_at,
            )
    except IntegrityError:
        raise Conflict("Another submission was made at the same time; try again.", code="submission_race") from None
    for upload, extension in checked:
        stored = SubmissionFile(submission=submission, name=clean_name(upload.name or ""), size=upload.size or 0)
        # A random name: the learner's name is kept for the download, never used as a path.
        stored.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
        stored.save()
    audit_record(actor=actor, action="submission.create", target=submission, version=submission.version)
    return submission


# -- Grading -----------------------------------------------------------------------------------


def _require_grader(actor: Actor, submission: Submission, roles: Iterable[str] = ALL_ROLES) -> User:
    """A person with one of ``roles`` at the assignment's provider, who is not the learner. The
    provider's other submissions answer as if they did not exist."""
    user = require_authenticated(actor)
    if not has_org_role(user, submission.assignment.lesson.module.microcredential.provider_id, ALL_ROLES):
        raise NotFound("Submission not found.")
    require_org_role(user, submission.assignment.lesson.module.microcredential.provider_id, roles)
    if user.pk == submission.user_id:
        raise PermissionDenied("You cannot grade your own work.")
    return user


def _score(assignment: Assignment, levels: dict[str, str]) -> tuple[Any, bool]:
    if not isinstance(levels, dict):
        raise ValidationFailed("Choose a level for every criterion.", errors={"levels": ["Expected an object."]})
    try:
        scored = score_rubric(rubric_from_spec(assignment.rubric), {str(k): str(v) for k, v in levels.items()})
    except ReviewError as error:
        raise ValidationFailed(str(error), errors={"levels": [str(error)]}) from None
    return scored, scored.percent >= assignment.passing_score


def _report_outcome(*, submission: Submission, grade: Grade) -> None:
    """Tell learning how the learner did. The grader's act is the grade, audited with their name;
    what follows from it (the outcome, maybe the completion and its credential) the platform does
    by the micro-credential's rules, so it acts as ``SYSTEM``: a Grader may not issue credentials."""
    lesson_outcome_record(
        actor=SYSTEM,
        enrolment=submission.enrolment,
        lesson=submission.assignment.lesson,
        passed=grade.passed,
        score=grade.score,
        details=_outcome_details(submission=submission, grade=grade),
    )


def _outcome_details(*, submission: Submission, grade: Grade) -> dict[str, Any]:
    """What the credential's results and evidence say of this work (ADR 0029): the rubric levels,
    the learner's links, who graded it, and for peers how many reviewed it and how they combined.
    Never the feedback or a reviewer's name: a credential is shown to anyone the learner chooses."""
    details: dict[str, Any] = {"levels": dict(grade.levels), "graded_by": grade.source}
    if submission.links:
        details["links"] = list(submission.links)
    if grade.source == ReviewMode.PEER:
        details["reviews"] = submission.peer_reviews.filter(status=PeerReviewStatus.DONE).count()
        details["aggregation"] = submission.assignment.aggregation
    return details


def _locked_submission(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("assignment__lesson__module__microcredential", "enrolment__microcredential")
        .get(pk=submission.pk)
    )


@transaction.atomic
def submission_grade(*, actor: Actor, submission: Submission, levels: dict[str, str], feedback: str = "") -> Grade:
    """Grade a submission waiting for a grader, a level per rubric criterion, with written feedback.
    Audited, and reported to learning as the lesson's outcome (a pass may complete the enrolment)."""
    submission = _locked_submission(submission)
    grader = _require_grader(actor, submission)
    if submission.status == SubmissionStatus.GRADED:
        raise Conflict("This submission has already been graded.", code="already_graded")
    if submission.status != SubmissionStatus.SUBMITTED:
        raise Conflict("A later version of this work was submitted; grade that one.", code="submission_superseded")
    if submission.assignment.review_mode != ReviewMode.INSTRUCTOR:
        raise Conflict("This assignment is not graded by instructors.")
    feedback = (feedback or "").strip()
    if len(feedback) > MAX_FEEDBACK:
        raise ValidationFailed("The feedback is too long.", errors={"feedback": ["Too long."]})
    scored, passed = _score(submission.assignment, levels)
    grade = Grade.objects.create(
        submission=submission,
        grader=grader,
        levels={score.criterion: score.level for score in scored.criteria},
        points=scored.total,
        max_points=scored.max_total,
        score=scored.percent,
        passed=passed,
        feedback=feedback,
        graded_at=now(),
    )
    submission.status = SubmissionStatus.GRADED
    submission.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="submission.grade",
        target=submission,
        levels=grade.levels,
        score=str(grade.score),
        passed=passed,
    )
    _report_outcome(submission=submission, grade=grade)
    return grade


@transaction.atomic
def regrade_request_create(*, actor: Actor, submission: Submission, reason: str) -> RegradeRequest:
    """The learner asks for their graded work to be looked at again, once, saying why."""
    user = require_authenticated(actor)
    submission = _locked_submission(submission)
    if submission.user_id != user.pk:
        raise NotFound("Submission not found.")
    if submission.status != SubmissionStatus.GRADED:
        raise Conflict("Only graded work can be regraded.", code="not_graded")
    if RegradeRequest.objects.filter(submission=submission).exists():
        raise Conflict("You have already asked for a regrade of this work.", code="regrade_exists")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the grade should be looked at again.", errors={"reason": ["Required."]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"At most {MAX_REASON} characters.", errors={"reason": ["Too long."]})
    regrade = RegradeRequest.objects.create(submission=submission, reason=reason, requested_at=now())
    audit_record(actor=actor, action="regrade.request", target=regrade, submission=submission.pk)
    return regrade


@transaction.atomic
def regrade_request_decide(
    *,
    actor: Actor,
    regrade: RegradeRequest,
    note: str,
    levels: dict[str, str] | None = None,
    feedback: str | None = None,
) -> RegradeRequest:
    """An instructor (Owner or Instructor) decides a regrade: without ``levels`` the grade is upheld;
    with them it is changed (the previous grade kept on the request). Audited, and the new outcome
    reported to learning (an outcome, once passed, stays passed)."""
    regrade = RegradeRequest.objects.select_for_update().get(pk=regrade.pk)
    submission = _locked_submission(regrade.submission)
    decider = _require_grader(actor, submission, STAFF_ROLES)
    if regrade.status != RegradeStatus.OPEN:
        raise Conflict("This regrade request has already been decided.", code="regrade_decided")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Tell the learner the reason for the decision.", errors={"note": ["Required."]})
    grade = Grade.objects.select_for_update().get(submission=submission)
    if levels is not None:
        scored, passed = _score(submission.assignment, levels)
        regrade.previous = {"levels": grade.levels, "score": str(grade.score), "passed": grade.passed}
        grade.levels = {score.criterion: score.level for score in scored.criteria}
        grade.points, grade.max_points, grade.score, grade.passed = (
            scored.total,
            scored.max_total,
            scored.percent,
            passed,
        )
        if feedback is not None:
            grade.feedback = feedback.strip()
        grade.source = ReviewMode.INSTRUCTOR
        grade.grader = decider
        grade.graded_at = now()
        grade.save()
    regrade.status = RegradeStatus.CHANGED if levels is not None else RegradeStatus.UPHELD
    regrade.decided_by = decider
    regrade.decided_at = now()
    regrade.decision_note = note
    regrade.save()
    audit_record(
        actor=actor,
        action="regrade.decide",
        target=regrade,
        submission=submission.pk,
        decision=regrade.status,
        previous=regrade.previous or None,
        score=str(grade.score),
        passed=grade.passed,
    )
    if levels is not None:
        _report_outcome(submission=submission, grade=grade)
    return regrade


# -- Peer review (ADR 0030) ---------------------------------------------------------------------
#
# The reviewers are the learners who submitted: ``assessment.review.allocation`` gives each waiting
# submission ``reviewers_per_submission`` of them (never its author, loads balanced) from a seed stored
# on the assignment, so every allocation replays. Allocating again keeps every review already given
# out and only fills what is missing (late submissions, dropped reviewers). A submission is graded once
# it has its reviews, or at the review deadline with at least one, by the assignment's aggregation.

MAX_COMMENT: Final = 10_000


def _require_staff(actor: Actor, assignment: Assignment) -> User | None:
    """An Owner or Instructor of the assignment's provider (``SYSTEM`` runs the scheduled rounds);
    anyone without a role there gets 404."""
    if is_system(actor):
        return None
    user = require_authenticated(actor)
    provider = assignment.lesson.module.microcredential.provider_id
    if not has_org_role(user, provider, ALL_ROLES):
        raise NotFound("Assignment not found.")
    require_org_role(user, provider, STAFF_ROLES)
    return user


def _locked_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("lesson__module__microcredential")
        .get(pk=assignment.pk)
    )


def _peer_allocation(assignment: Assignment) -> Allocation:
    """The allocation as it should be now: the reviews already given out kept, the rest filled."""
    waiting = list(
        Submission.objects.filter(assignment=assignment, status=SubmissionStatus.SUBMITTED)
        .exclude(enrolment__status=EnrolmentStatus.WITHDRAWN)
        .values_list("pk", "user_id")
    )
    submission_ids = [pk for pk, _ in waiting]
    authors: dict[Hashable, Hashable] = dict(waiting)
    dropped = set(
        PeerReview.objects.filter(submission__assignment=assignment, status=PeerReviewStatus.DROPPED).values_list(
            "reviewer_id", flat=True
        )
    )
    # Whoever submitted (and is still enrolled, and has not been taken out) reviews.
    pool = sorted(
        set(
            Submission.objects.filter(assignment=assignment)
            .exclude(status=SubmissionStatus.SUPERSEDED)
            .exclude(enrolment__status=EnrolmentStatus.WITHDRAWN)
            .values_list("user_id", flat=True)
        )
        - dropped
    )
    existing = list(
        PeerReview.objects.filter(submission_id__in=submission_ids)
        .exclude(status=PeerReviewStatus.DROPPED)
        .values_list("submission_id", "reviewer_id")
    )
    assert assignment.allocation_seed is not None
    return allocate(authors, pool, assignment.reviewers_per_submission, assignment.allocation_seed, existing)


def _apply_allocation(assignment: Assignment, allocation: Allocation) -> int:
    given = set(
        PeerReview.objects.filter(submission_id__in=list(allocation.authors)).values_list(
            "submission_id", "reviewer_id"
        )
    )
    moment = now()
    new = [
        PeerReview(submission_id=int(str(a.submission)), reviewer_id=int(str(a.reviewer)), assigned_at=moment)
        for a in allocation.assignments
        if (a.submission, a.reviewer) not in given
    ]
    PeerReview.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def peer_reviews_allocate(*, actor: Actor, assignment: Assignment) -> Allocation:
    """Give out the peer reviews of a peer-reviewed assignment's waiting submissions (an instructor's
    "Allocate reviews", or ``SYSTEM`` once the submission deadline has passed). The seed is drawn
    once and stored; reviews already given out are kept. Audited, with any shortfall."""
    assignment = _locked_assignment(assignment)
    _require_staff(actor, assignment)
    if assignment.review_mode != ReviewMode.PEER:
        raise Conflict("This assignment is not peer-reviewed.", code="not_peer_reviewed")
    if assignment.allocation_seed is None:
        assignment.allocation_seed = secrets.randbits(62)
    assignment.allocated_at = now()
    assignment.save(update_fields=["allocation_seed", "allocated_at"])
    allocation = _peer_allocation(assignment)
    added = _apply_allocation(assignment, allocation)
    audit_record(
        actor=actor,
        action="peer_reviews.allocate",
        target=assignment,
        seed=assignment.allocation_seed,
        submissions=len(allocation.authors),
        added=added,
        shortfalls={str(s.submission): s.assigned for s in allocation.shortfalls},
    )
    return allocation


@transaction.atomic
def peer_reviewer_drop(*, actor: Actor, assignment: Assignment, reviewer_id: int) -> Allocation:
    """Take a reviewer out of an assignment's peer review (an instructor's action, or their enrolment
    withdrawn): their finished reviews stay, their unfinished ones go to others. Audited."""
    assignment = _locked_assignment(assignment)
    _require_staff(actor, assignment)
    reviews = PeerReview.objects.filter(submission__assignment=assignment, reviewer_id=reviewer_id)
    if not reviews.exists():
        raise NotFound("Reviewer not found.")
    freed = reviews.filter(status=PeerReviewStatus.ASSIGNED).update(status=PeerReviewStatus.DROPPED)
    # A dropped review also keeps its reviewer out of later rounds (``_peer_allocation``'s pool).
    allocation = _peer_allocation(assignment)
    added = _apply_allocation(assignment, allocation)
    audit_record(
        actor=actor,
        action="peer_reviews.drop_reviewer",
        target=assignment,
        reviewer=reviewer_id,
        freed=freed,
        added=added,
        shortfalls={str(s.submission): s.assigned for s in allocation.shortfalls},
    )
    return allocation


def peer_reviews_drop_on_enrolment_withdrawn(event: events.EnrolmentWithdrawn) -> None:
    """Subscribes to ``EnrolmentWithdrawn`` in the transaction: a learner who leaves stops reviewing
    (their finished reviews count), and their unfinished reviews go to others."""
    enrolment = Enrolment.objects.get(pk=event.enrolment_id)
    assignments = Assignment.objects.filter(
        review_mode=ReviewMode.PEER,
        submissions__peer_reviews__reviewer_id=enrolment.user_id,
        submissions__peer_reviews__status=PeerReviewStatus.ASSIGNED,
        lesson__module__microcredential_id=enrolment.microcredential_id,
    ).distinct()
    for assignment in assignments:
        peer_reviewer_drop(actor=SYSTEM, assignment=assignment, reviewer_id=enrolment.user_id)


def _grade_by_peers(submission: Submission, *, deadline_passed: bool) -> Grade | None:
    """Combine the finished reviews into the grade when there are enough (or the deadline passed
    with at least one). The combined points per criterion are kept in ``Grade.levels`` as strings
    (a median need not be a level). Audited and reported as any grade."""
    assignment = submission.assignment
    done = list(submission.peer_reviews.filter(status=PeerReviewStatus.DONE))
    if not done or (len(done) < assignment.reviewers_per_submission and not deadline_passed):
        return None
    rubric = rubric_from_spec(assignment.rubric)
    combined = aggregate_rubric(
        rubric, [score_rubric(rubric, review.levels) for review in done], assignment.aggregation
    )
    grade = Grade.objects.create(
        submission=submission,
        grader=None,
        levels={name: str(points) for name, points in combined.criteria},
        points=combined.total,
        max_points=combined.max_total,
        score=combined.percent,
        passed=combined.percent >= assignment.passing_score,
        feedback="",
        graded_at=now(),
        source=ReviewMode.PEER,
    )
    submission.status = SubmissionStatus.GRADED
    submission.save(update_fields=["status"])
    # Reviews nobody wrote by then are no longer needed.
    submission.peer_reviews.filter(status=PeerReviewStatus.ASSIGNED).update(status=PeerReviewStatus.DROPPED)
    audit_record(
        actor=SYSTEM,
        action="submission.grade",
        target=submission,
        source=ReviewMode.PEER,
        reviews=len(done),
        method=assignment.aggregation,
        score=str(grade.score),
        passed=grade.passed,
    )
    _report_outcome(submission=submission, grade=grade)
    return grade


@transaction.atomic
def peer_review_submit(*, actor: Actor, review: PeerReview, levels: dict[str, str], comment: str = "") -> PeerReview:
    """A reviewer marks the submission they were given with the rubric and a comment for its author
    (who never sees who wrote it). The last review due grades the submission."""
    user = require_authenticated(actor)
    review = (
        PeerReview.objects.select_for_update(of=("self",))
        .select_related("submission__assignment__lesson__module__microcredential", "submission__enrolment")
        .get(pk=review.pk)
    )
    if review.reviewer_id != user.pk:
        raise NotFound("Review not found.")
    submission = _locked_submission(review.submission)
    if review.status == PeerReviewStatus.DONE:
        raise Conflict("You have already submitted this review.", code="review_done")
    if review.status == PeerReviewStatus.DROPPED or submission.status != SubmissionStatus.SUBMITTED:
        raise Conflict("This review is no longer needed.", code="review_closed")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed("The comment is too long.", errors={"comment": ["Too long."]})
    pending = CalibrationExample.objects.filter(assignment=submission.assignment).exclude(reviews__reviewer=user)
    if pending.exists():
        raise Conflict("Mark the calibration examples first.", code="calibration_pending")
    scored, _ = _score(submission.assignment, levels)
    review.levels = {score.criterion: score.level for score in scored.criteria}
    review.points, review.score = scored.total, scored.percent
    review.comment = comment
    review.status = PeerReviewStatus.DONE
    review.submitted_at = now()
    review.save()
    audit_record(
        actor=actor, action="peer_review.submit", target=review, submission=submission.pk, levels=review.levels
    )
    _grade_by_peers(submission, deadline_passed=False)
    return review


@transaction.atomic
def peer_reviews_settle(*, actor: Actor, assignment: Assignment) -> int:
    """After the review deadline, grade every waiting submission with at least one review (those
    with none stay for an instructor). Returns how many were graded."""
    assignment = _locked_assignment(assignment)
    _require_staff(actor, assignment)
    if assignment.review_due_at is None or now() < assignment.review_due_at:
        raise Conflict("The review deadline has not passed.", code="reviews_not_due")
    graded = 0
    for submission in Submission.objects.filter(assignment=assignment, status=SubmissionStatus.SUBMITTED):
        if _grade_by_peers(_locked_submission(submission), deadline_passed=True) is not None:
            graded += 1
    return graded


def peer_reviews_run_due(*, moment: Any = None) -> tuple[int, int]:
    """The scheduled pass (``microcred projects allocate-reviews``): allocate the peer reviews of
    assignments whose due date has passed, and settle those whose review deadline has. Returns
    (assignments allocated, submissions graded)."""
    moment = moment or now()
    allocated = graded = 0
    peer = Assignment.objects.filter(review_mode=ReviewMode.PEER).select_related("lesson__module__microcredential")
    for assignment in peer.filter(due_at__lte=moment):
        # Work that arrived since the last allocation (work left short then waits for more learners
        # or an instructor, rather than being retried, and audited, on every run).
        unallocated = Submission.objects.filter(
            assignment=assignment, status=SubmissionStatus.SUBMITTED, peer_reviews__isnull=True
        )
        if assignment.allocated_at is not None:
            unallocated = unallocated.filter(submitted_at__gt=assignment.allocated_at)
        if unallocated.exists():
            peer_reviews_allocate(actor=SYSTEM, assignment=assignment)
            allocated += 1
    for assignment in peer.filter(review_due_at__lte=moment):
        graded += peer_reviews_settle(actor=SYSTEM, assignment=assignment)
    return allocated, graded


@transaction.atomic
def peer_grade_override(
    *, actor: Actor, submission: Submission, levels: dict[str, str], feedback: str = "", note: str
) -> Grade:
    """An Owner or Instructor grades a peer-reviewed submission themselves, before or after the peers'
    grade; the reviews stay, the previous grade is kept in the audit row. Reported as any grade."""
    submission = _locked_submission(submission)
    decider = _require_grader(actor, submission, STAFF_ROLES)
    if submission.assignment.review_mode != ReviewMode.PEER:
        raise Conflict("This assignment is not peer-reviewed.", code="not_peer_reviewed")
    if submission.status == SubmissionStatus.SUPERSEDED:
        raise Conflict("A later version of this work was submitted.", code="submission_superseded")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say why you override the peers.", errors={"note": ["Required."]})
    scored, passed = _score(submission.assignment, levels)
    grade = Grade.objects.select_for_update().filter(submission=submission).first()
    previous = {"levels": grade.levels, "score": str(grade.score), "source": grade.source} if grade else None
    grade = grade or Grade(submission=submission)
    grade.grader = decider
    grade.levels = {score.criterion: score.level for score in scored.criteria}
    grade.points, grade.max_points, grade.score, grade.passed = scored.total, scored.max_total, scored.percent, passed
    grade.feedback = (feedback or "").strip()
    grade.graded_at = now()
    grade.source = ReviewMode.INSTRUCTOR
    grade.save()
    if submission.status != SubmissionStatus.GRADED:
        submission.status = SubmissionStatus.GRADED
        submission.save(update_fields=["status"])
        submission.peer_reviews.filter(status=PeerReviewStatus.ASSIGNED).update(status=PeerReviewStatus.DROPPED)
    audit_record(
        actor=actor,
        action="submission.grade_override",
        target=submission,
        note=note,
        previous=previous,
        levels=grade.levels,
        score=str(grade.score),
        passed=passed,
    )
    _report_outcome(submission=submission, grade=grade)
    return grade


# -- Calibration (ADR 0030) ---------------------------------------------------------------------
# An assignment with calibration examples asks each reviewer to mark them before their peer reviews
# count: their agreement with the instructor's reference is their calibration accuracy.


@transaction.atomic
def calibration_example_create(
    *, actor: Actor, assignment: Assignment, title: str, text: str, levels: dict[str, str]
) -> CalibrationExample:
    """An example submission with the instructor's reference marking (Owners and Instructors)."""
    assignment = _locked_assignment(assignment)
    _require_staff(actor, assignment)
    if assignment.review_mode != ReviewMode.PEER:
        raise Conflict("Only a peer-reviewed assignment has calibration examples.", code="not_peer_reviewed")
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise ValidationFailed(
            "Give the example a title and its text.", errors={"title" if not title else "text": ["Required."]}
        )
    scored, _ = _score(assignment, levels)
    example = CalibrationExample.objects.create(
        assignment=assignment,
        title=title[:200],
        text=text[:MAX_TEXT],
        reference_levels={score.criterion: score.level for score in scored.criteria},
        created_at=now(),
    )
    audit_record(actor=actor, action="calibration_example.create", target=example, assignment=assignment.pk)
    return example


@transaction.atomic
def calibration_review_submit(
    *, actor: Actor, example: CalibrationExample, levels: dict[str, str]
) -> CalibrationReview:
    """A reviewer marks a calibration example, once; only learners with review tasks on the
    assignment calibrate (anyone else: 404)."""
    user = require_authenticated(actor)
    example = CalibrationExample.objects.select_related("assignment").get(pk=example.pk)
    if not PeerReview.objects.filter(submission__assignment=example.assignment, reviewer=user).exists():
        raise NotFound("Calibration example not found.")
    if CalibrationReview.objects.filter(example=example, reviewer=user).exists():
        raise Conflict("You have already marked this example.", code="calibration_done")
    scored, _ = _score(example.assignment, levels)
    try:
        with transaction.atomic():
            review = CalibrationReview.objects.create(
                example=example,
                reviewer=user,
                levels={score.criterion: score.level for score in scored.criteria},
                submitted_at=now(),
            )
    except IntegrityError:
        raise Conflict("You have already marked this example.", code="calibration_done") from None
    audit_record(actor=actor, action="calibration_review.submit", target=example, levels=review.levels)
    return review


# -- Mentor sign-off (ADR 0030) ----------------------------------------------------------------
#
# The mentor needs no account: the link carries a random token, stored only as its SHA-256, valid
# for MENTOR_LINK_DAYS and once. The decision is the platform's act on the mentor's word (``SYSTEM``),
# with the mentor's name and e-mail in the audit row.

MENTOR_LINK_DAYS: Final = 14


def _send_mentor_link(signoff: MentorSignoff, token: str) -> None:
    submission = signoff.submission
    context = {
        "signoff": signoff,
        "learner": submission.user.full_name or submission.user.email,
        "lesson": submission.assignment.lesson,
        "microcredential": submission.assignment.lesson.module.microcredential,
        "link": site_url("projects:mentor", token),
    }
    subject = " ".join(render_to_string("projects/email/mentor_request_subject.txt", context).split())
    body = render_to_string("projects/email/mentor_request.txt", context)
    transaction.on_commit(lambda: send_email_task.enqueue(signoff.email, subject, body))


def _new_token(signoff: MentorSignoff) -> str:
    token = secrets.token_urlsafe(32)
    signoff.token_hash = mentor_token_hash(token)
    signoff.sent_at = now()
    signoff.expires_at = signoff.sent_at + timedelta(days=MENTOR_LINK_DAYS)
    return token


@transaction.atomic
def mentor_signoff_request(
    *,
    actor: Actor,
    submission: Submission,
    name: str,
    email: str,
    role: str = "",
    send_link: Callable[[MentorSignoff, str], None] | None = None,
) -> MentorSignoff:
    """The learner names the mentor or supervisor who confirms their evidence; they get an e-mailed
    link. One request waits at a time (resend or withdraw it). ``send_link`` delivers the link
    instead of the e-mail: only the demo passes it, playing the supervisor's mailbox (ADR 0033);
    pages and the API never do, so a learner still cannot obtain their mentor's link."""
    user = require_authenticated(actor)
    submission = _locked_submission(submission)
    if submission.user_id != user.pk:
        raise NotFound("Submission not found.")
    if submission.assignment.review_mode != ReviewMode.MENTOR:
        raise Conflict("This assignment is not signed off by a mentor.", code="not_mentor_signoff")
    if submission.status != SubmissionStatus.SUBMITTED:
        raise Conflict("Only work waiting for its sign-off can be sent to a mentor.", code="not_waiting")
    if submission.mentor_signoffs.filter(status=MentorStatus.PENDING).exists():
        raise Conflict("Your mentor already has a link; resend or withdraw it.", code="signoff_pending")
    signoff = MentorSignoff(
        submission=submission, name=(name or "").strip(), email=(email or "").strip(), role=(role or "").strip()
    )
    if not signoff.name:
        raise ValidationFailed("Give your mentor's name.", errors={"name": ["Required."]})
    token = _new_token(signoff)
    full_clean_or_fail(signoff)
    signoff.save()
    audit_record(actor=actor, action="mentor_signoff.request", target=submission, mentor_email=signoff.email)
    (send_link or _send_mentor_link)(signoff, token)
    return signoff


def _own_pending_signoff(actor: Actor, signoff: MentorSignoff) -> MentorSignoff:
    user = require_authenticated(actor)
    signoff = (
        MentorSignoff.objects.select_for_update(of=("self",))
        .select_related("submission__user", "submission__assignment__lesson__module__microcredential")
        .get(pk=signoff.pk)
    )
    provider = signoff.submission.assignment.lesson.module.microcredential.provider_id
    if signoff.submission.user_id != user.pk and not has_org_role(user, provider, STAFF_ROLES):
        raise NotFound("Sign-off request not found.")
    if signoff.status != MentorStatus.PENDING:
        raise Conflict("This request has already been answered or withdrawn.", code="signoff_closed")
    return signoff


@transaction.atomic
def mentor_signoff_resend(*, actor: Actor, signoff: MentorSignoff) -> MentorSignoff:
    """A new link (the old one stops working), valid from now; by the learner or the provider's staff."""
    signoff = _own_pending_signoff(actor, signoff)
    token = _new_token(signoff)
    signoff.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit_record(actor=actor, action="mentor_signoff.resend", target=signoff.submission, mentor_email=signoff.email)
    _send_mentor_link(signoff, token)
    return signoff


@transaction.atomic
def mentor_signoff_revoke(*, actor: Actor, signoff: MentorSignoff) -> MentorSignoff:
    """Withdraw a request: its link then shows that it was withdrawn."""
    signoff = _own_pending_signoff(actor, signoff)
    signoff.status = MentorStatus.REVOKED
    signoff.decided_at = now()
    signoff.save(update_fields=["status", "decided_at"])
    audit_record(actor=actor, action="mentor_signoff.revoke", target=signoff.submission, mentor_email=signoff.email)
    return signoff


@transaction.atomic
def mentor_signoff_decide(*, actor: Actor, token: str, confirm: bool, comment: str = "") -> MentorSignoff:
    """The mentor's answer from their link. ``actor`` is ``SYSTEM`` (the mentor has no account); the
    audit row names the mentor. A confirmation grades the work as passed (full marks: the mentor
    confirms, they do not mark); a decline records a failed outcome and lets the learner submit again."""
    if not is_system(actor):
        raise PermissionDenied("Only the platform records a mentor's answer.")
    signoff = (
        MentorSignoff.objects.select_for_update(of=("self",))
        .select_related("submission")
        .filter(token_hash=mentor_token_hash(token or ""))
        .first()
    )
    if signoff is None:
        raise NotFound("This link is not valid.")
    if signoff.status != MentorStatus.PENDING:
        raise Conflict("This link has already been used or withdrawn.", code="link_used")
    if now() >= signoff.expires_at:
        raise Conflict("This link has expired.", code="link_expired")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed("The comment is too long.", errors={"comment": ["Too long."]})
    if not confirm and not comment:
        raise ValidationFailed("Tell the learner why you decline.", errors={"comment": ["Required to decline."]})
    submission = _locked_submission(signoff.submission)
    signoff.status = MentorStatus.CONFIRMED if confirm else MentorStatus.DECLINED
    signoff.comment = comment
    signoff.decided_at = now()
    signoff.save(update_fields=["status", "comment", "decided_at"])
    audit_record(
        actor=actor,
        action="mentor_signoff.confirm" if confirm else "mentor_signoff.decline",
        target=submission,
        mentor_name=signoff.name,
        mentor_email=signoff.email,
        mentor_role=signoff.role,
    )
    if confirm and submission.status == SubmissionStatus.SUBMITTED:
        maximum = rubric_from_spec(submission.assignment.rubric).max_points
        grade = Grade.objects.create(
            submission=submission,
            grader=None,
            levels={},
            points=maximum,
            max_points=maximum,
            score=Decimal(100),
            passed=True,
            feedback=comment,
            graded_at=signoff.decided_at,
            source=ReviewMode.MENTOR,
        )
        submission.status = SubmissionStatus.GRADED
        submission.save(update_fields=["status"])
        _report_outcome(submission=submission, grade=grade)
    elif not confirm:
        lesson_outcome_record(
            actor=SYSTEM, enrolment=submission.enrolment, lesson=submission.assignment.lesson, passed=False, score=None
        )
    return signoff
