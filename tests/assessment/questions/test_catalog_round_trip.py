"""The catalog format carries every kind (``data``, per-choice fractions and feedback, hints,
categories, tags): a provider's catalog exported and imported elsewhere gives the same questions,
and a copied quiz (a new version of a micro-credential) too."""

from __future__ import annotations

import json

import pytest

from microcred.assessment.models import Quiz
from microcred.assessment.services import quiz_specs
from microcred.core.actors import SYSTEM
from microcred.core.errors import ValidationFailed
from microcred.exchange.services import catalog_export, catalog_import, validate_document
from tests.assessment.questions.conftest import MIXED

pytestmark = pytest.mark.django_db

EXTRAS = {"hints": ["Think of the colour."], "category": "Space/Planets", "tags": ["astro", "easy"]}


def test_a_catalog_with_every_kind_round_trips(mixed):
    quiz = mixed["quiz"]
    document = catalog_export(provider=mixed["provider"])
    text = json.dumps(document)
    assert '"kind": "cloze"' in text and "{#1}" in text
    specs = quiz_specs(quiz=quiz)
    # Into a fresh database row set: change the provider's slug so the import makes a new one.
    document["provider"]["slug"] = "copy-provider"
    validate_document(document)
    catalog_import(actor=SYSTEM, data=document)
    copy = Quiz.objects.exclude(pk=quiz.pk).get(lesson__module__microcredential__provider__slug="copy-provider")
    assert quiz_specs(quiz=copy) == specs


def test_extras_and_partial_fractions_survive_a_copy(db):
    from tests.factories import quiz_for

    spec = {**MIXED[1], **EXTRAS, "choices": [{**c, "feedback": f"fb{n}"} for n, c in enumerate(MIXED[1]["choices"])]}
    quiz = quiz_for(questions=[spec, MIXED[0]])
    exported = quiz_specs(quiz=quiz)[0]
    assert exported["hints"] == EXTRAS["hints"] and exported["category"] == "Space/Planets"
    assert exported["tags"] == ["astro", "easy"] and exported["data"] == {"scoring": "partial"}
    assert [c["fraction"] for c in exported["choices"]] == ["0.5", "0.5", "-0.5", "-0.5"]
    assert exported["choices"][2]["feedback"] == "fb2"
    again = quiz_for(questions=quiz_specs(quiz=quiz))
    assert quiz_specs(quiz=again) == quiz_specs(quiz=quiz)


def test_a_plain_choice_question_exports_as_before(db):
    from tests.factories import quiz_for

    plain = {"kind": "single", "text": "Which?", "choices": [{"text": "a", "correct": True}, {"text": "b"}]}
    quiz = quiz_for(questions=[plain])
    assert quiz_specs(quiz=quiz) == [
        {
            "kind": "single",
            "text": "Which?",
            "explanation": "",
            "points": 1,
            "choices": [{"text": "a", "correct": True}, {"text": "b", "correct": False}],
        }
    ]


def test_a_question_is_aligned_to_a_skill_by_its_uri(db):
    from microcred.skills.models import Skill
    from tests.factories import SkillFrameworkFactory, quiz_for

    framework = SkillFrameworkFactory()
    skill = Skill.objects.create(
        framework=framework, uri="https://skills.example.org/stats", label="Statistics", slug="statistics-q"
    )
    quiz = quiz_for(questions=[{**MIXED[2], "skill": skill.uri}, MIXED[0]])
    assert quiz.bank.questions.get(kind="truefalse").skill == skill
    assert quiz_specs(quiz=quiz)[0]["skill"] == skill.uri
    with pytest.raises(ValidationFailed, match="unknown skill"):
        quiz_for(questions=[{**MIXED[2], "skill": "https://nowhere.example/x"}])
