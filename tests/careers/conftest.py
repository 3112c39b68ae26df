"""A small taxonomy, a micro-credential aligned with it (and a quiz question aligned with a skill
it does not list), and learners who earn it the real way."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from microcred.accounts.models import Organisation, User
from microcred.assessment.services import quiz_lesson_create
from microcred.catalog.models import MicroCredential
from microcred.catalog.services import lesson_create, microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.credentials.models import Credential
from microcred.learning.models import Completion
from microcred.skills.models import Occupation, OccupationSkill, Skill
from tests.credentials.conftest import complete
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SkillFactory,
    UserFactory,
    microcredential_fields,
)

SITE = "https://academy.example"
ESCO = "http://data.europa.eu/esco/skill/"


@pytest.fixture(autouse=True)
def _site(settings):
    # Our own credentials verify in-process when their URLs are this site's.
    settings.SITE_URL = SITE


@dataclass
class Careers:
    provider: Organisation
    owner: User
    learner: User
    other: User
    mc: MicroCredential
    cleaning: Skill  # the micro-credential's, at intermediate
    spreadsheets: Skill  # the micro-credential's, at beginner
    python: Skill  # only its quiz question's
    sql: Skill  # nobody's
    analyst: Occupation

    def complete(self, learner: User | None = None, *, award: bool = True) -> Completion:
        return complete(self.mc, learner or self.learner, award=award)

    def credential(self, learner: User | None = None) -> Credential:
        """The credential issued for the learner's completion (whoever holds it: see ``earn_elsewhere``)."""
        return Credential.objects.get(completion__enrolment__user=learner or self.learner, microcredential=self.mc)

    def earn_elsewhere(self, learner: User | None = None, *, mc: MicroCredential | None = None) -> Credential:
        """Earn the credential as on another installation, to import it here: issued, hosted and
        revocable by the real services, but held by the same person's account on the issuing side
        (another user here), so to the learner it is a credential from elsewhere. One issued here to
        the learner is already theirs and is refused as an import."""
        learner, mc = learner or self.learner, mc or self.mc
        complete(mc, learner)
        credential = Credential.objects.get(completion__enrolment__user=learner, microcredential=mc)
        there = UserFactory(email=f"account-{learner.pk}@issuing-installation.example")
        Credential.objects.filter(pk=credential.pk).update(user=there)
        credential.refresh_from_db()
        return credential


def aligned_microcredential(*, provider: Organisation, skills, question_skill: Skill, **overrides) -> MicroCredential:
    mc = microcredential_create(actor=SYSTEM, provider=provider, skills=skills, **microcredential_fields(**overrides))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Learn")
    lesson_create(actor=SYSTEM, module=module, title="Tidy data", kind="reading", body="# Tidy\n\nRows.")
    quiz_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Final quiz",
        passing_score=50,
        unlimited_attempts=True,
        questions=[
            {
                "kind": "single",
                "text": "Which reads a CSV file?",
                "skill": question_skill.uri,
                "choices": [{"text": "pandas.read_csv", "correct": True}, {"text": "open_csv", "correct": False}],
            },
            {
                "kind": "single",
                "text": "Which removes duplicate rows?",
                "choices": [{"text": "drop_duplicates", "correct": True}, {"text": "dedupe", "correct": False}],
            },
        ],
    )
    return microcredential_publish(actor=SYSTEM, microcredential=mc)


@pytest.fixture
def careers(db) -> Careers:
    provider = OrganisationFactory(name="Example Academy", slug="example-academy", email="badges@academy.example")
    owner = MembershipFactory(organisation=provider, role="owner").user
    cleaning = SkillFactory(label="Data cleaning", slug="data-cleaning", uri=f"{ESCO}data-cleaning")
    spreadsheets = SkillFactory(
        label="Use spreadsheets software", slug="spreadsheets", alt_labels=["pivot tables", "Excel"]
    )
    python = SkillFactory(label="Python programming", slug="python", alt_labels=["Python"])
    sql = SkillFactory(label="SQL", slug="sql", alt_labels=["structured query language"])
    mc = aligned_microcredential(
        provider=provider,
        skills=[(cleaning, "intermediate"), (spreadsheets, "beginner")],
        question_skill=python,
        slug="tidy-data",
        title="Tidy Data",
        validity_months=12,
    )
    analyst = Occupation.objects.create(
        framework=cleaning.framework,
        uri="http://data.europa.eu/esco/occupation/analyst",
        code="2511.4",
        label="Data analyst",
    )
    OccupationSkill.objects.create(
        occupation=analyst, skill=sql, relation="essential", importance=0.9, level="intermediate"
    )
    OccupationSkill.objects.create(occupation=analyst, skill=cleaning, relation="optional", importance=0.4)
    return Careers(
        provider=provider,
        owner=owner,
        learner=UserFactory(email="Ada.Lovelace@Example.org", full_name="Ada Lovelace"),
        other=UserFactory(email="grace@example.org", full_name="Grace Hopper"),
        mc=mc,
        cleaning=cleaning,
        spreadsheets=spreadsheets,
        python=python,
        sql=sql,
        analyst=analyst,
    )


@pytest.fixture
def signed_in():
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
