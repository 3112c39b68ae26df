"""The demo's project work: an assignment lesson graded with a rubric is done by submitting work,
which the provider's instructor (or owner) grades; the other lessons by a click. Plans that
completed get a passing grade, a completion after a retry a failing grade overturned on a regrade,
and plans still under way leave their work in the provider's grading queue."""

from __future__ import annotations

from typing import Literal

from microcred.accounts.models import Membership, MembershipRole, User
from microcred.catalog.models import Lesson
from microcred.learning.models import Enrolment, EnrolmentStatus
from microcred.learning.services import enrolment_get_or_create, lesson_complete
from microcred.projects.models import Assignment, PeerReview, ReviewMode
from microcred.projects.selectors import assignment_of, submissions_for
from microcred.projects.services import (
    peer_review_submit,
    peer_reviews_allocate,
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


def peer_review_rounds(learners: list[User]) -> None:
    """Each peer-reviewed assignment of the demo (the DevOps capstone) with a round in every state:
    ``learners`` (enrolled if they are not) submit, the provider's instructor allocates the reviews,
    one piece of work has all its reviews (graded from them), one has one of two (in progress) and
    one has none yet. Once per assignment: loading the demo again adds nothing."""
    for assignment in Assignment.objects.filter(review_mode=ReviewMode.PEER).select_related(
        "lesson__module__microcredential"
    ):
        lesson = assignment.lesson
        instructor = _grader(lesson)
        if instructor is None or PeerReview.objects.filter(submission__assignment=assignment).exists():
            continue
        mc = lesson.module.microcredential
        status = dict(Enrolment.objects.filter(microcredential=mc, user__in=learners).values_list("user_id", "status"))
        # Those already on the course first; a completed or withdrawn enrolment is left alone.
        chosen = sorted(
            (u for u in learners if status.get(u.pk, EnrolmentStatus.ACTIVE) == EnrolmentStatus.ACTIVE),
            key=lambda u: u.pk not in status,
        )[:3]
        works = []
        for learner in chosen:
            enrolment, _ = enrolment_get_or_create(actor=learner, microcredential=mc)
            work = next(iter(submissions_for(enrolment=enrolment, assignment=assignment)), None)
            works.append(
                work
                or submission_create(
                    actor=learner,
                    enrolment=enrolment,
                    assignment=assignment,
                    text=f"{learner.full_name}: our pipeline from commit to canary, and the rollback we rehearsed.",
                    links=[f"https://git.example.org/{learner.email.split('@')[0]}/canary"],
                )
            )
        if len(works) < 2:
            continue
        peer_reviews_allocate(actor=instructor, assignment=assignment)
        best, partial = _levels(assignment, best=True), _levels(assignment, best=False)
        for n, work in enumerate(works[:2]):
            reviews = list(PeerReview.objects.filter(submission=work).select_related("reviewer").order_by("id"))
            for m, review in enumerate(reviews[: len(reviews) if n == 0 else 1]):
                peer_review_submit(
                    actor=review.reviewer,
                    review=review,
                    levels=best if m == 0 else partial,
                    comment="The canary and its rollback are convincing; the DORA dashboard needs more context."
                    if m == 0
                    else "Clear design document, but the schema change is not expand/contract yet.",
                )
