"""Shared test data for the admin tests: a superuser signed in, and one of everything, made
through the services."""

from __future__ import annotations

from datetime import date

import pytest

from microcred.accounts.services import api_token_create, membership_invite
from microcred.accreditation.services import accreditation_grant
from microcred.assessment.services import attempt_start, attempt_submit
from microcred.catalog.models import Lesson, LessonKind, MicroCredentialSkill
from microcred.catalog.services import lesson_create, microcredential_create, module_create, programme_create
from microcred.core.actors import SYSTEM
from microcred.learning.models import Completion
from microcred.learning.services import enrolment_create, lesson_complete
from microcred.skills.importers.records import OccupationRecord, OccupationSkillRecord, Source
from microcred.skills.services import taxonomy_import
from tests.factories import (
    AccreditorFactory,
    MembershipFactory,
    OrganisationFactory,
    SkillFactory,
    UserFactory,
    correct_answers,
    microcredential_fields,
    published_microcredential,
)


@pytest.fixture
def staff(client):
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return superuser


@pytest.fixture
def world(staff):
    """One of everything, made through the services."""
    provider = OrganisationFactory(slug="northbridge", name="Northbridge")
    MembershipFactory(organisation=provider, role="owner")
    accreditor = AccreditorFactory()
    accreditation = accreditation_grant(
        actor=SYSTEM,
        accreditor=accreditor,
        provider=provider,
        scope="Data courses",
        valid_from=date(2025, 1, 1),
        valid_until=date(2028, 12, 31),
        reference="ACC-1",
    )
    published = published_microcredential(provider=provider)
    skill = SkillFactory()
    MicroCredentialSkill.objects.create(microcredential=published, skill=skill, target_level="beginner")
    occupation = "https://occupations.example.org/data-analyst"
    taxonomy_import(
        actor=SYSTEM,
        framework=skill.framework,
        records=[
            OccupationRecord(uri=occupation, label="Data analyst", source=Source("world", 1)),
            OccupationSkillRecord(
                occupation_uri=occupation, skill_uri=skill.uri, relation="essential", source=Source("world", 2)
            ),
        ],
    )
    draft = microcredential_create(
        actor=SYSTEM,
        provider=provider,
        builds_on=[published],
        **microcredential_fields(slug="draft-course", title="Draft Course"),
    )
    programme_create(
        actor=SYSTEM,
        provider=provider,
        microcredentials=[published, draft],
        slug="track",
        title="Track",
        leads_to="A certificate",
    )
    module = module_create(actor=SYSTEM, microcredential=draft, title="Only module")
    lesson_create(actor=SYSTEM, module=module, title="Read me", kind="reading", body="Hello")

    learner = UserFactory(email="learner@example.org")
    enrolment = enrolment_create(actor=learner, microcredential=published)
    lesson_complete(
        actor=learner,
        enrolment=enrolment,
        lesson=Lesson.objects.get(module__microcredential=published, kind=LessonKind.READING),
    )
    quiz = Lesson.objects.get(module__microcredential=published, kind=LessonKind.QUIZ).quiz
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))
    token, secret = api_token_create(actor=learner, name="laptop")
    membership_invite(actor=SYSTEM, organisation=provider, email="invitee@example.org", role="grader")
    assert Completion.objects.filter(enrolment=enrolment).exists()
    return {
        "provider": provider,
        "published": published,
        "draft": draft,
        "token": token,
        "secret": secret,
        "accreditation": accreditation,
        "learner": learner,
    }
