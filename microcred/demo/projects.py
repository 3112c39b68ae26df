"""The demo's project work: an assignment lesson graded with a rubric is done by submitting work,
which the provider's instructor (or owner) grades; the other lessons by a click. Plans that
completed get a passing grade, a completion after a retry a failing grade overturned on a regrade,
and plans still under way leave their work in the provider's grading queue. Peer-reviewed work is
reviewed in ``peer_review_rounds``; work signed off by a supervisor is sent to one, who answers
through the link the demo delivers to itself (``mentor_signoff_states``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from microcred.accounts.models import Membership, MembershipRole, User
from microcred.catalog.models import Lesson
from microcred.core.actors import SYSTEM
from microcred.learning.models import Enrolment, EnrolmentStatus
from microcred.learning.services import enrolment_get_or_create, lesson_complete
from microcred.projects.models import (
    Assignment,
    MentorSignoff,
    MentorStatus,
    PeerReview,
    ReviewMode,
    Submission,
    SubmissionStatus,
)
from microcred.projects.selectors import assignment_of, submissions_for
from microcred.projects.services import (
    mentor_signoff_decide,
    mentor_signoff_request,
    mentor_signoff_revoke,
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
    if assignment.review_mode == ReviewMode.MENTOR:
        if grading != "none":
            _mentor_answers(learner, work, SIGNED_OFF)
        return
    if assignment.review_mode != ReviewMode.INSTRUCTOR:
        return  # peers review it (``peer_review_rounds``)
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
        # The second reviewer marks each criterion at its middle level: combined, a pass with room to
        # improve, which the learner's course page weighs against the overall pass mark.
        best = _levels(assignment, best=True)
        partial = {c["name"]: c["levels"][len(c["levels"]) // 2]["name"] for c in assignment.rubric["criteria"]}
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


@dataclass(frozen=True)
class MentorAnswer:
    """What becomes of one learner's request for a supervisor's sign-off."""

    state: MentorStatus
    mentor: str
    email: str
    role: str
    comment: str = ""


_SUPERVISOR = "Commissioning supervisor, Helix storage test facility"
SIGNED_OFF = MentorAnswer(
    MentorStatus.CONFIRMED,
    "Pieter de Vries",
    "pieter.devries@helix-energy.example.nl",
    _SUPERVISOR,
    "Isolation proven before every check, all values logged; the simulated BMS fault tripped the PCS in 180 ms "
    "against the 500 ms specified.",
)
# A request in each state a learner can meet, handed out in this order by ``mentor_signoff_states``.
MENTOR_ANSWERS = (
    SIGNED_OFF,
    MentorAnswer(MentorStatus.PENDING, "Sanne Jansen", "sanne.jansen@helix-energy.example.nl", _SUPERVISOR),
    MentorAnswer(
        MentorStatus.DECLINED,
        "Pieter de Vries",
        "pieter.devries@helix-energy.example.nl",
        _SUPERVISOR,
        "The insulation-resistance values of rack 3 are missing from the log, and the rack was not proven dead "
        "before the torque check. Repeat both on the next on-site day.",
    ),
    # Named the trainer rather than the supervisor who watched, and took the request back.
    MentorAnswer(MentorStatus.REVOKED, "Joost Bakker", "joost.bakker@helix-energy.example.nl", "Trainer"),
)


def _mentor_answers(learner: User, work: Submission, answer: MentorAnswer) -> MentorSignoff:
    """The learner names the supervisor; the demo delivers the link to itself instead of e-mailing it
    (no mail leaves a demo load) and, as the supervisor, answers through it as the mentor's page
    would (ADR 0033)."""
    links: list[str] = []
    signoff = mentor_signoff_request(
        actor=learner,
        submission=work,
        name=answer.mentor,
        email=answer.email,
        role=answer.role,
        send_link=lambda _signoff, token: links.append(token),
    )
    if answer.state in {MentorStatus.CONFIRMED, MentorStatus.DECLINED}:
        confirm = answer.state == MentorStatus.CONFIRMED
        mentor_signoff_decide(actor=SYSTEM, token=links[0], confirm=confirm, comment=answer.comment)
    elif answer.state == MentorStatus.REVOKED:
        mentor_signoff_revoke(actor=learner, signoff=signoff)
    return signoff


def mentor_signoff_states(learners: list[User]) -> None:
    """Each supervised practical of the demo (signed off by a mentor, ADR 0030) with a request in
    every state: signed off, waiting, declined and withdrawn. A state the plans already produced (a
    completed plan's practical is signed off) is not repeated; ``learners`` not asked yet (enrolled
    if they are not; a completed or withdrawn enrolment is left alone) submit their evidence and
    name a supervisor for each state still missing. Loading the demo again adds nothing: everyone
    asked is skipped, and no state is missing."""
    for assignment in Assignment.objects.filter(review_mode=ReviewMode.MENTOR).select_related(
        "lesson__module__microcredential"
    ):
        mc = assignment.lesson.module.microcredential
        asked = MentorSignoff.objects.filter(submission__assignment=assignment)
        present = set(asked.values_list("status", flat=True))
        answers = [answer for answer in MENTOR_ANSWERS if answer.state not in present]
        done = set(asked.values_list("submission__user_id", flat=True))
        status = dict(Enrolment.objects.filter(microcredential=mc, user__in=learners).values_list("user_id", "status"))
        chosen = [
            u
            for u in learners
            if u.pk not in done and status.get(u.pk, EnrolmentStatus.ACTIVE) == EnrolmentStatus.ACTIVE
        ]
        for learner, answer in zip(chosen, answers, strict=False):
            enrolment, _ = enrolment_get_or_create(actor=learner, microcredential=mc)
            works = submissions_for(enrolment=enrolment, assignment=assignment)
            work = next((w for w in works if w.status == SubmissionStatus.SUBMITTED), None)
            if work is None and works:
                continue  # already graded: nothing left to sign off
            work = work or submission_create(
                actor=learner,
                enrolment=enrolment,
                assignment=assignment,
                text=f"{learner.full_name}: commissioning log of rack 3 and the protection-chain test, "
                "with the permit to work and the isolation plan.",
                links=[f"https://files.example.org/{learner.email.split('@')[0]}/bess-practical"],
            )
            _mentor_answers(learner, work, answer)
