"""The demo's project work: an assignment lesson graded with a rubric is done by submitting work,
which the provider's instructor (or owner) grades; the other lessons by a click. Plans that
completed get a passing grade, a completion after a retry a failing grade overturned on a regrade,
and plans still under way leave their work in the provider's grading queue."""

from __future__ import annotations

from typing import Literal

from microcred.accounts.models import Membership, MembershipRole, User
from microcred.catalog.models import Lesson
from microcred.learning.models import Enrolment
from microcred.learning.services import lesson_complete
from microcred.projects.models import Assignment
from microcred.projects.selectors import assignment_of, submissions_for
from microcred.projects.services import (
    regrade_request_create,
    regrade_request_decide,
    submission_create,
    submission_grade,
)

Grading = Literal["pass", "fail_then_regrade", "none"]


def _grader(lesson: Lesson) -> User | None:
    """The provider's instructor if it has one, else its owner."""
    membership = (
        Membership.objects.filter(
            organisation_id=lesson.module.microcredential.provider_id,
            role__in=[MembershipRole.INSTRUCTOR, MembershipRole.OWNER],
        )
        .select_related("user")
        .order_by("role", "id")  # "instructor" sorts before "owner"
        .first()
    )
    return membership.user if membership is not None else None


def _levels(assignment: Assignment, *, best: bool) -> dict[str, str]:
    return {c["name"]: c["levels"][-1 if best else 0]["name"] for c in assignment.rubric["criteria"]}


def lesson_done(learner: User, enrolment: Enrolment, lesson: Lesson, *, grading: Grading) -> None:
    """Do ``lesson`` as the learner would; once per lesson, so loading the demo again adds nothing."""
    assignment = assignment_of(lesson)
    if assignment is None:
        lesson_complete(actor=learner, enrolment=enrolment, lesson=lesson)
        return
    if submissions_for(enrolment=enrolment, assignment=assignment):
        return
    work = submission_create(
        actor=learner,
        enrolment=enrolment,
        assignment=assignment,
        text=f"{learner.full_name}: my work on “{lesson.title}”, with the steps I took and what I would do next.",
        links=[f"https://git.example.org/{learner.email.split('@')[0]}/{lesson.pk}"]
        if "links" in assignment.submission_kinds
        else [],
    )
    grader = _grader(lesson)
    if grading == "none" or grader is None:
        return  # waiting in the provider's grading queue
    if grading == "pass":
        submission_grade(
            actor=grader,
            submission=work,
            levels=_levels(assignment, best=True),
            feedback="Thorough and clear: well done.",
        )
        return
    submission_grade(
        actor=grader,
        submission=work,
        levels=_levels(assignment, best=False),
        feedback="The required evidence is missing from what you submitted.",
    )
    regrade = regrade_request_create(
        actor=learner, submission=work, reason="The evidence is in the appendix of the report I linked."
    )
    regrade_request_decide(
        actor=grader,
        regrade=regrade,
        note="You are right: the appendix covers every criterion. Grade changed.",
        levels=_levels(assignment, best=True),
    )
