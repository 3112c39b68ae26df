"""factory_boy factories for every app, built through the same services users go through where it matters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from microcred.accounts.models import LearnerProfile, Membership, Organisation, OrganisationKind, User
from microcred.catalog.models import Industry
from microcred.core.actors import SYSTEM
from microcred.skills.models import Skill, SkillFramework


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            LearnerProfile.objects.get_or_create(user=obj)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.PROVIDER
    provider_type = "university"
    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")
    country = "IE"
    website = "https://provider.example"


class AccreditorFactory(OrganisationFactory):
    kind = OrganisationKind.ACCREDITOR
    provider_type = ""
    name = factory.Sequence(lambda n: f"Accreditor {n}")
    slug = factory.Sequence(lambda n: f"accreditor-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "owner"


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("name",)

    name = "Information technology"
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class SkillFrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillFramework
        django_get_or_create = ("slug",)

    slug = "microcred-skills"
    name = "Microcred Skills"


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    framework = factory.SubFactory(SkillFrameworkFactory)
    label = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.Sequence(lambda n: f"skill-{n}")
    uri = factory.LazyAttribute(lambda o: f"https://skills.microcred.org/skill/{o.slug}")


def microcredential_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "slug": "data-basics",
        "title": "Data Basics",
        "summary": "Read, clean and summarise tabular data.",
        "description": "A **short** course.",
        "learning_outcomes": ["Clean a data set", "Summarise a data set"],
        "workload_hours": 25,
        "ects": Decimal("1.0"),
        "eqf_level": 5,
        "assessment_type": "quiz",
        "participation_form": "online",
        "quality_assurance": "Internal review by the academic board",
        "level": "beginner",
        "industry": "Data & AI",
        "language": "en",
        "price": Decimal("0"),
        "currency": "EUR",
        "criteria": "Complete the required lessons and pass the quiz.",
    }
    fields.update(overrides)
    return fields


QUIZ_QUESTIONS = [
    {
        "kind": "single",
        "text": "Which function reads a CSV file in pandas?",
        "explanation": "read_csv parses CSV into a DataFrame.",
        "choices": [{"text": "pd.read_csv", "correct": True}, {"text": "pd.open", "correct": False}],
    },
    {
        "kind": "multiple",
        "text": "Which are summary statistics?",
        "points": 2,
        "choices": [
            {"text": "mean", "correct": True},
            {"text": "median", "correct": True},
            {"text": "join", "correct": False},
        ],
    },
]


def published_microcredential(*, provider: Organisation | None = None, slug: str = "data-basics", **overrides: Any):
    """A published micro-credential with two modules: a reading, an optional video, and a final quiz."""
    from microcred.assessment.services import quiz_lesson_create
    from microcred.catalog.services import (
        lesson_create,
        microcredential_create,
        microcredential_publish,
        module_create,
    )

    provider = provider or OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug=slug, **overrides))
    first = module_create(actor=SYSTEM, microcredential=mc, title="Getting started")
    lesson_create(
        actor=SYSTEM, module=first, title="What is tidy data?", kind="reading", body="# Tidy\n\nRows and columns."
    )
    lesson_create(
        actor=SYSTEM,
        module=first,
        title="Optional talk",
        kind="video",
        required=False,
        video_url="https://videos.example.org/tidy",
        transcript="Hello.",
    )
    second = module_create(actor=SYSTEM, microcredential=mc, title="Assessment")
    # Unlimited on purpose, as publishing requires it to be said (ADR 0026): tests set a limit when they need one.
    quiz_lesson_create(
        actor=SYSTEM,
        module=second,
        title="Final quiz",
        questions=QUIZ_QUESTIONS,
        passing_score=70,
        unlimited_attempts=True,
    )
    return microcredential_publish(actor=SYSTEM, microcredential=mc)


def quiz_for(
    *, questions: list[dict[str, Any]], provider: Organisation | None = None, title: str = "Q", **settings: Any
):
    """A quiz, made as every quiz is: the quiz of a quiz lesson (here in a draft of its own)."""
    from microcred.assessment.services import quiz_lesson_create
    from microcred.catalog.services import microcredential_create, module_create

    provider = provider or OrganisationFactory()
    slug = f"quiz-{Organisation.objects.count()}-{provider.question_banks.count()}"
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug=slug))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Quiz")
    return quiz_lesson_create(actor=SYSTEM, module=module, title=title, questions=questions, **settings).quiz


def correct_answers(attempt, *, served: bool = False) -> dict[str, list[int]]:
    """The right choices of ``attempt``'s questions: their row ids, as the services take them, or
    (``served``) the ids the attempt's page and API show for them, to post through those."""
    from microcred.assessment.models import Question

    answers = {}
    for question in Question.objects.filter(id__in=attempt.question_ids).prefetch_related("choices"):
        answers[str(question.id)] = [c.id for c in question.choices.all() if c.is_correct]
    return as_served(attempt, answers) if served else answers


def as_served(attempt, answers: dict[str, Any]) -> dict[str, Any]:
    """``answers`` (authored ids, as the services take and store them) in the ids ``attempt``
    serves on its page and API (ADR 0026 addendum), to post them through those."""
    from microcred.assessment.selectors import answers_served

    return answers_served(attempt, answers)
