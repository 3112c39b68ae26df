"""Realistic catalog data for page tests, built through the same services providers use.

The fixtures are made available by the ``conftest.py`` of each directory whose tests use them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from microcred.accreditation.services import accreditation_grant
from microcred.assessment.services import quiz_lesson_create
from microcred.catalog.models import MicroCredential
from microcred.catalog.services import lesson_create, microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from tests.factories import (
    QUIZ_QUESTIONS,
    AccreditorFactory,
    OrganisationFactory,
    SkillFactory,
    UserFactory,
    microcredential_fields,
)

PASSWORD = "correct horse battery staple"


def build_microcredential(*, provider, slug: str, skills=(), publish: bool = True, **overrides: Any) -> MicroCredential:
    """A micro-credential with a reading, an optional video, an assignment and a final quiz."""
    mc = microcredential_create(
        actor=SYSTEM,
        provider=provider,
        skills=[(skill, "intermediate") for skill in skills],
        **microcredential_fields(slug=slug, **overrides),
    )
    basics = module_create(actor=SYSTEM, microcredential=mc, title="Foundations", summary="Start here.")
    lesson_create(
        actor=SYSTEM,
        module=basics,
        title="Reading the data",
        kind="reading",
        body="## Tidy data\n\nEach variable is a **column**.\n\n<script>alert('x')</script>",
    )
    lesson_create(
        actor=SYSTEM,
        module=basics,
        title="A short talk",
        kind="video",
        required=False,
        video_url="https://videos.example.org/talk.mp4",
        transcript="Welcome to the course.",
    )
    lesson_create(
        actor=SYSTEM,
        module=basics,
        title="Clean a file",
        kind="assignment",
        instructions="Clean `bikes.csv` and describe **three** problems you fixed.",
    )
    final = module_create(actor=SYSTEM, microcredential=mc, title="Assessment")
    quiz_lesson_create(
        actor=SYSTEM, module=final, title="Final quiz", questions=QUIZ_QUESTIONS, passing_score=70, max_attempts=3
    )
    if publish:
        mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    return mc


@dataclass
class Catalog:
    accredited: Any
    plain: Any
    accreditor: Any
    python_skill: Any
    safety_skill: Any
    mcs: dict[str, MicroCredential] = field(default_factory=dict)


@pytest.fixture
def catalog(db) -> Catalog:
    accredited = OrganisationFactory(name="Northbridge University", slug="northbridge", city="Dublin")
    plain = OrganisationFactory(name="Forge Academy", slug="forge", country="DE", provider_type="bootcamp")
    accreditor = AccreditorFactory(name="European Quality Agency", slug="eqa")
    accreditation_grant(
        actor=SYSTEM,
        accreditor=accreditor,
        provider=accredited,
        scope="Short programmes up to EQF 7",
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 12, 31),
        reference="EQA-1",
    )
    python_skill = SkillFactory(label="Python programming", slug="python")
    safety_skill = SkillFactory(label="Electrical safety", slug="electrical-safety")
    mcs = {
        "python": build_microcredential(
            provider=accredited,
            slug="data-python",
            title="Data Analysis with Python",
            summary="Load, clean and chart tabular data with pandas.",
            skills=[python_skill],
            industry="Data & AI",
            level="beginner",
            workload_hours=50,
            price=Decimal("0"),
            ects=Decimal("2.0"),
        ),
        "ml": build_microcredential(
            provider=accredited,
            slug="applied-ml",
            title="Applied Machine Learning",
            summary="Train and evaluate supervised models.",
            skills=[python_skill],
            industry="Data & AI",
            level="expert",
            workload_hours=125,
            price=Decimal("650"),
            participation_form="blended",
            ects=Decimal("5.0"),
            eqf_level=6,
        ),
        "solar": build_microcredential(
            provider=plain,
            slug="solar-safety",
            title="Veilig werken aan zonnepanelen",
            summary="Veilig werken op hoogte en met gelijkspanning.",
            skills=[safety_skill],
            industry="Energy",
            level="beginner",
            workload_hours=28,
            price=Decimal("240"),
            language="nl",
            participation_form="onsite",
        ),
        "terraform": build_microcredential(
            provider=plain,
            slug="terraform",
            title="Cloud Infrastructure with Terraform",
            summary="Infrastructure as code for teams.",
            industry="Information technology",
            level="intermediate",
            workload_hours=62,
            price=Decimal("450"),
        ),
    }
    build_microcredential(provider=plain, slug="draft-only", title="Unreleased Draft Course", publish=False)
    return Catalog(accredited, plain, accreditor, python_skill, safety_skill, mcs)


@pytest.fixture
def learner(db):
    return UserFactory(email="learner@example.org", full_name="Lena Learner")


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client
