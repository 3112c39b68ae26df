"""A published micro-credential with a peer-reviewed assignment (and one signed off by a mentor), its
instructor, and five enrolled learners (ADR 0030)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from microcred.accounts.models import Organisation, User
from microcred.catalog.models import Lesson, MicroCredential
from microcred.catalog.services import microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.learning.models import Enrolment
from microcred.learning.services import enrolment_create
from microcred.projects.models import Assignment, Submission
from microcred.projects.services import assignment_lesson_create, submission_create
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, microcredential_fields

from .conftest import RUBRIC


@dataclass
class PeerCourse:
    provider: Organisation
    mc: MicroCredential
    lesson: Lesson
    assignment: Assignment
    mentor_lesson: Lesson
    mentor_assignment: Assignment
    instructor: User
    grader: User
    stranger: User
    learners: list[User] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)

    def submit(self, index: int, text: str = "My work.") -> Submission:
        return submission_create(
            actor=self.learners[index], enrolment=self.enrolments[index], assignment=self.assignment, text=text
        )


def build_peer_course(learners: int = 5, per_submission: int = 3, **settings: Any) -> PeerCourse:
    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="peer-project"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Project")
    lesson = assignment_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Peer capstone",
        instructions="Write a **plan**.",
        rubric=RUBRIC,
        review_mode="peer",
        reviewers_per_submission=per_submission,
        submission_kinds=["text", "files"],
        file_extensions=["pdf"],
        **settings,
    )
    mentor_lesson = assignment_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Workplace task",
        instructions="Do the task at work.",
        rubric=RUBRIC,
        review_mode="mentor",
        submission_kinds=["text", "files"],
        file_extensions=["pdf"],
    )
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    instructor, grader, stranger = UserFactory(full_name="Ina Instructor"), UserFactory(), UserFactory()
    MembershipFactory(user=instructor, organisation=provider, role="instructor")
    MembershipFactory(user=grader, organisation=provider, role="grader")
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role="instructor")
    course = PeerCourse(
        provider=provider,
        mc=mc,
        lesson=lesson,
        assignment=lesson.assignment,
        mentor_lesson=mentor_lesson,
        mentor_assignment=mentor_lesson.assignment,
        instructor=instructor,
        grader=grader,
        stranger=stranger,
    )
    for n in range(learners):
        user = UserFactory(full_name=f"Learner Number{n}", email=f"learner{n}@example.org")
        course.learners.append(user)
        course.enrolments.append(enrolment_create(actor=user, microcredential=mc))
    return course
