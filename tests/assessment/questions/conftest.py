"""A published micro-credential whose final quiz has one question of every kind, and a learner
enrolled on it. The right answers use words that appear nowhere else, so a test can look for
them in a page or a JSON document: finding one there is a leak."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from microcred.assessment.models import Question
from microcred.assessment.services import quiz_lesson_create
from microcred.catalog.services import microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.learning.services import enrolment_create
from tests.factories import OrganisationFactory, UserFactory, microcredential_fields

MIXED: list[dict[str, Any]] = [
    {
        "kind": "single",
        "text": "Which planet is red?",
        "hints": ["HINT-think-of-rust"],
        "choices": [
            {"text": "Mars", "correct": True, "feedback": "FB-RIGHT-MARS"},
            {"text": "Venus", "correct": False, "feedback": "FB-WRONG-VENUS"},
        ],
    },
    {
        "kind": "multiple",
        "text": "Which are primes?",
        "points": 4,
        "data": {"scoring": "partial"},
        "choices": [
            {"text": "2", "correct": True},
            {"text": "3", "correct": True},
            {"text": "4", "correct": False},
            {"text": "9", "correct": False},
        ],
    },
    {"kind": "truefalse", "text": "Water boils at 100 °C at sea level.", "data": {"correct": True}},
    {
        "kind": "numeric",
        "text": "How long is the rod?",
        "points": 2,
        "data": {
            "answers": [
                {"value": "42.125", "tolerance": "0.0625", "fraction": 1, "feedback": "FB-NUM-EXACT"},
                {"value": "42", "tolerance": "1", "fraction": "0.5"},
            ],
            "units": [{"unit": "m", "multiplier": 1}, {"unit": "cm", "multiplier": 100}],
        },
    },
    {
        "kind": "short",
        "text": "Name the island.",
        "data": {"alternatives": [{"text": "zanzib*r", "fraction": 1}, {"text": "unguja", "fraction": "0.5"}]},
    },
    {
        "kind": "matching",
        "text": "Match the capitals.",
        "points": 3,
        "data": {
            "pairs": [
                {"prompt": "France", "answer": "Paris"},
                {"prompt": "Italy", "answer": "Rome"},
                {"prompt": "Spain", "answer": "Madrid"},
            ],
            "distractors": ["Lisbon"],
        },
    },
    {
        "kind": "ordering",
        "text": "Order the steps.",
        "points": 4,
        "data": {"items": ["Wash", "Rinse", "Repeat", "Dry"]},
    },
    {
        "kind": "cloze",
        "text": "The {1:SHORTANSWER:=quokka#FB-CLOZE-Q} lives on {1:MULTICHOICE:=Rottnest~Tasmania} and weighs "
        "{1:NUMERICAL:=3.5:0.5} kg.",
        "points": 3,
    },
    {"kind": "essay", "text": "Describe your method.", "points": 5, "data": {"grader_info": "GRADER-ONLY-NOTE"}},
]

# What grades and must never reach a learner before grading.
SECRETS = ["42.125", "0.0625", "zanzib", "unguja", "quokka", "GRADER-ONLY-NOTE", "FB-RIGHT-MARS", "FB-NUM-EXACT"]


@pytest.fixture
def mixed(db):
    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="mixed-kinds"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Assessment")
    lesson = quiz_lesson_create(
        actor=SYSTEM, module=module, title="Mixed quiz", questions=MIXED, passing_score=50, max_attempts=3
    )
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    client = Client()
    client.force_login(learner)
    return {
        "provider": provider,
        "lesson": lesson,
        "quiz": lesson.quiz,
        "learner": learner,
        "enrolment": enrolment,
        "client": client,
    }


def by_kind(quiz) -> dict[str, Question]:
    return {q.kind: q for q in quiz.bank.questions.prefetch_related("choices")}


def right_answers(quiz) -> dict[str, Any]:
    """Full-marks answers (API form) to every question but the essay, which gets a text."""
    q = by_kind(quiz)
    single = [c.id for c in q["single"].choices.all() if c.is_correct]
    multiple = [c.id for c in q["multiple"].choices.all() if c.is_correct]
    options = sorted(["Paris", "Rome", "Madrid", "Lisbon"], key=str.casefold)
    return {
        str(q["single"].id): single,
        str(q["multiple"].id): multiple,
        str(q["truefalse"].id): True,
        str(q["numeric"].id): "4212.5 cm",
        str(q["short"].id): "Zanzibar",
        str(q["matching"].id): {"0": options.index("Paris"), "1": options.index("Rome"), "2": options.index("Madrid")},
        # Ids are places in alphabetical order: Dry 0, Repeat 1, Rinse 2, Wash 3.
        str(q["ordering"].id): [3, 2, 1, 0],
        str(q["cloze"].id): {"1": "Quokka", "2": "0", "3": "3.4"},
        str(q["essay"].id): "I measured twice.",
    }
