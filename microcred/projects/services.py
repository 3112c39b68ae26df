"""Assignments, submissions, grades and regrade requests: every write of the projects app.

A grade is given with the assignment's rubric (a level per criterion, ``assessment.review``) and
reported to learning as the lesson's outcome (``lesson_outcome_record``), which may complete the
micro-credential and so issue its credential. Grades and regrade decisions are audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max

from microcred.accounts.models import User
from microcred.accounts.permissions import (
    ALL_ROLES,
    STAFF_ROLES,
    SYSTEM,
    Actor,
    has_org_role,
    require_authenticated,
    require_org_role,
)
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
    Grade,
    RegradeRequest,
    RegradeStatus,
    ReviewMode,
    Submission,
    SubmissionFile,
    SubmissionKind,
    SubmissionStatus,
)
from .rubrics import rubric_from_spec, rubric_to_spec

# An assignment's settings travel with its lesson in forms and catalog files.
ASSIGNMENT_SETTINGS: Final[frozenset[str]] = frozenset(
    {"submission_kinds", "file_extensions", "max_file_mb", "max_files", "passing_score", "due_at", "review_mode"}
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
    earlier.filter(status=SubmissionStatus.SUBMITTED).update(status=SubmissionStatus.SUPERSEDED)
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
    )


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
