"""A published micro-credential whose completion needs a reading and a graded assignment, its
provider's staff (a grader, an instructor), two enrolled learners, and another provider's grader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcred.accounts.models import Organisation, User
from microcred.catalog.models import Lesson, MicroCredential
from microcred.catalog.services import lesson_create, microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.learning.models import Enrolment
from microcred.learning.services import enrolment_create
from microcred.projects.models import Assignment
from microcred.projects.services import assignment_lesson_create
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, microcredential_fields

RUBRIC: dict[str, Any] = {
    "criteria": [
        {
            "name": "Analysis",
            "description": "Reasoning from the data.",
            "levels": [
                {"name": "Missing", "points": 0, "descriptor": "No analysis."},
                {"name": "Partial", "points": 2, "descriptor": "Some claims supported."},
                {"name": "Thorough", "points": 4, "descriptor": "Every claim supported."},
            ],
        },
        {
            "name": "Clarity",
            "levels": [
                {"name": "Unclear", "points": 0},
                {"name": "Clear", "points": 2, "descriptor": "Easy to follow."},
            ],
        },
    ]
}
PASSING = {"Analysis": "Thorough", "Clarity": "Clear"}  # 6 of 6
FAILING = {"Analysis": "Missing", "Clarity": "Clear"}  # 2 of 6: 33.33%

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def pdf(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class Course:
    provider: Organisation
    mc: MicroCredential
    reading: Lesson
    lesson: Lesson
    assignment: Assignment
    learner: User
    enrolment: Enrolment
    other_learner: User
    other_enrolment: Enrolment
    grader: User
    instructor: User
    stranger: User  # a grader of another provider


def build_course(slug: str = "field-project") -> Course:
    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug=slug))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Project")
    reading = lesson_create(actor=SYSTEM, module=module, title="Read first", kind="reading", body="Read.")
    lesson = assignment_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Capstone",
        instructions="Analyse the **survey** data and report.",
        rubric=RUBRIC,
        passing_score=50,
        file_extensions=["pdf", "txt"],
        max_file_mb=1,
        max_files=2,
    )
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    learner, other_learner = UserFactory(), UserFactory()
    grader, instructor, stranger = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(user=grader, organisation=provider, role="grader")
    MembershipFactory(user=instructor, organisation=provider, role="instructor")
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role="grader")
    return Course(
        provider=provider,
        mc=mc,
        reading=reading,
        lesson=lesson,
        assignment=lesson.assignment,
        learner=learner,
        enrolment=enrolment_create(actor=learner, microcredential=mc),
        other_learner=other_learner,
        other_enrolment=enrolment_create(actor=other_learner, microcredential=mc),
        grader=grader,
        instructor=instructor,
        stranger=stranger,
    )


@pytest.fixture
def course(db) -> Course:
    return build_course()
