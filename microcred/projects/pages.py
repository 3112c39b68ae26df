"""What projects adds to lower apps' pages (listed in ``config/pages.py``): the learner's submissions
and grades on learning's lesson page of an assignment lesson, and the assignment's rubric and rules in
catalog's lesson editor."""

from __future__ import annotations

import json
from typing import Any

from microcred.catalog.models import Lesson, LessonKind
from microcred.catalog.parts import LessonEditor
from microcred.learning.models import Enrolment, EnrolmentStatus
from microcred.learning.parts import LessonPanel

from .forms import AssignmentLessonFields, SubmissionForm
from .models import MentorStatus, PeerReviewStatus, SubmissionKind, SubmissionStatus
from .selectors import assignment_of, submissions_for
from .services import assignment_lesson_create, assignment_lesson_update
from .views import graded_rows


def _assignment_panel_context(enrolment: Enrolment, lesson: Lesson) -> dict[str, Any]:
    assignment = assignment_of(lesson)
    if assignment is None:
        return {"assignment": None}
    submissions = submissions_for(enrolment=enrolment, assignment=assignment)
    graded = next((s for s in submissions if s.status == SubmissionStatus.GRADED), None)
    waiting = next((s for s in submissions if s.status == SubmissionStatus.SUBMITTED), None)
    # Work out for peer review, or with its mentor, is not swapped under them (the services refuse too).
    locked = waiting is not None and (
        waiting.peer_reviews.exclude(status=PeerReviewStatus.DROPPED).exists()
        or waiting.mentor_signoffs.filter(status=MentorStatus.PENDING).exists()
    )
    kinds = set(assignment.submission_kinds)
    return {
        "assignment": assignment,
        "submissions": submissions,
        "latest": submissions[0] if submissions else None,
        "graded": graded,
        "grade_rows": graded_rows(graded) if graded is not None else [],
        "can_submit": graded is None and not locked and enrolment.status != EnrolmentStatus.WITHDRAWN,
        "locked": locked,
        "takes_text": SubmissionKind.TEXT in kinds,
        "takes_links": SubmissionKind.LINKS in kinds,
        "takes_files": SubmissionKind.FILES in kinds,
        "accept": ",".join(f".{ext}" for ext in assignment.file_extensions),
        "submission_form": SubmissionForm(),
    }


ASSIGNMENT_LESSON_PANEL = LessonPanel(
    kind=LessonKind.ASSIGNMENT, template="projects/_lesson_panel.html", context=_assignment_panel_context
)


def _assignment_initial(lesson: Lesson) -> dict[str, Any]:
    assignment = assignment_of(lesson)
    if assignment is None:
        return {}
    return {
        "rubric": json.dumps(assignment.rubric, indent=2, ensure_ascii=False),
        "submission_kinds": assignment.submission_kinds,
        "file_extensions": ", ".join(assignment.file_extensions),
        "max_file_mb": assignment.max_file_mb,
        "passing_score": assignment.passing_score,
        "due_at": assignment.due_at,
        "review_mode": assignment.review_mode,
        "reviewers_per_submission": assignment.reviewers_per_submission,
        "review_due_at": assignment.review_due_at,
        "aggregation": assignment.aggregation,
    }


ASSIGNMENT_LESSON_EDITOR = LessonEditor(
    kind=LessonKind.ASSIGNMENT,
    fields=AssignmentLessonFields,
    lesson_fields=("instructions", "body"),
    initial=_assignment_initial,
    create_lesson=assignment_lesson_create,
    update_lesson=assignment_lesson_update,
    aside="projects/_assignment_help.html",
)
