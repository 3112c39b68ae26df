"""Question kinds live in a registry: each kind validates its spec, reads an answer and grades it,
and the service, the workspace form and the catalog importer share the one validator."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from microcred.assessment.forms import parse_questions
from microcred.assessment.models import Attempt, Question, Quiz
from microcred.assessment.questions import (
    Answer,
    Grade,
    question_kind_choices,
    question_type,
    register,
    unregister,
)
from microcred.assessment.questions.choice import ChoiceQuestion
from microcred.assessment.services import attempt_submit, quiz_lesson_create
from microcred.catalog.forms import lesson_form
from microcred.catalog.models import MicroCredential
from microcred.catalog.services import microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.core.errors import ValidationFailed
from microcred.exchange.services import catalog_import, validate_document
from microcred.learning.services import enrolment_create
from tests.factories import OrganisationFactory, UserFactory, microcredential_fields, quiz_for

pytestmark = pytest.mark.django_db

CATALOG = Path(__file__).resolve().parents[1] / "cli" / "data" / "small_catalog.json"


def choices(*marks: bool) -> list[dict[str, Any]]:
    return [{"text": f"choice {n}", "correct": mark} for n, mark in enumerate(marks, start=1)]


def saved_question(kind: str, *marks: bool, points: int = 2) -> Question:
    spec = {"kind": kind, "text": "Which?", "points": points, "choices": choices(*marks)}
    quiz = quiz_for(questions=[spec])
    return quiz.bank.questions.prefetch_related("choices").get()


def ids(question: Question, *positions: int) -> list[int]:
    by_position = {c.position: c.id for c in question.choices.all()}
    return [by_position[p] for p in positions]


# --- One kind at a time ------------------------------------------------------------------------


def test_the_built_in_kinds_are_registered_and_are_the_models_choices():
    kinds = [
        "single",
        "multiple",
        "truefalse",
        "numeric",
        "short",
        "matching",
        "ordering",
        "cloze",
        "essay",
        "calculated",
    ]
    assert [kind for kind, _ in question_kind_choices()] == kinds
    assert question_kind_choices()[:2] == [("single", "Single choice"), ("multiple", "Multiple choice")]
    assert [c for c, _ in Question._meta.get_field("kind").choices] == kinds


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        ((True,), "q: a question needs at least two choices."),
        ((True, True), "q: a single-choice question has exactly one correct choice."),
        ((False, False), "q: a single-choice question has exactly one correct choice."),
    ],
)
def test_single_choice_validation(marks, message):
    single = question_type("single")
    single.validate({"kind": "single", "text": "t", "choices": choices(True, False, False)}, where="q")
    with pytest.raises(ValidationFailed) as refused:
        single.validate({"kind": "single", "text": "t", "choices": choices(*marks)}, where="q")
    assert refused.value.message == message and list(refused.value.errors) == ["q"]


def test_single_choice_reads_one_answer_and_grades_all_or_nothing():
    question = saved_question("single", False, True, False)
    single = question_type("single")
    right, wrong = ids(question, 2, 1)
    assert single.parse_answer(question, right) == frozenset({right})
    assert single.parse_answer(question, [str(right)]) == frozenset({right})
    with pytest.raises(ValidationFailed, match=f"Question {question.id} takes one answer."):
        single.parse_answer(question, [right, wrong])
    with pytest.raises(ValidationFailed, match=f"Unknown choice for question {question.id}."):
        single.parse_answer(question, [999_999])
    with pytest.raises(ValidationFailed, match=r"Answers must map question ids to lists of choice ids\."):
        single.parse_answer(question, ["x"])
    assert single.grade(question, frozenset({right})) == Grade(points=2, correct=True)
    assert single.grade(question, frozenset({wrong})) == Grade(points=0, correct=False)
    assert single.grade(question, None) == Grade(points=0, correct=False)


def test_multiple_choice_validation_reading_and_grading():
    multiple = question_type("multiple")
    for marks in [(True, True), (False, False), (True,)]:
        with pytest.raises(ValidationFailed):
            multiple.validate({"kind": "multiple", "text": "t", "choices": choices(*marks)}, where="q")
    with pytest.raises(ValidationFailed, match="q: a multiple-choice question needs at least one correct and one"):
        multiple.validate({"kind": "multiple", "text": "t", "choices": choices(True, True)}, where="q")
    question = saved_question("multiple", True, True, False, points=3)
    first, second, wrong = ids(question, 1, 2, 3)
    assert multiple.parse_answer(question, [first, second]) == frozenset({first, second})
    assert multiple.grade(question, frozenset({first, second})) == Grade(points=3, correct=True)
    assert multiple.grade(question, frozenset({first})) == Grade(points=0, correct=False)
    assert multiple.grade(question, frozenset({first, second, wrong})) == Grade(points=0, correct=False)


# --- One validator: the service, the form and the importer -------------------------------------

INVALID_SPECS = {
    "bad kind": {"kind": "poem", "text": "t", "choices": choices(True, False)},
    "no text": {"kind": "single", "text": "  ", "choices": choices(True, False)},
    "one choice": {"kind": "single", "text": "t", "choices": choices(True)},
    "two right of a single": {"kind": "single", "text": "t", "choices": choices(True, True)},
    "all right of a multiple": {"kind": "multiple", "text": "t", "choices": choices(True, True)},
}
MESSAGES = {
    "bad kind": (
        "questions[1]: kind must be 'single', 'multiple', 'truefalse', 'numeric', 'short', 'matching', "
        "'ordering', 'cloze', 'essay' or 'calculated'."
    ),
    "no text": "questions[1]: the question needs text.",
    "one choice": "questions[1]: a question needs at least two choices.",
    "two right of a single": "questions[1]: a single-choice question has exactly one correct choice.",
    "all right of a multiple": (
        "questions[1]: a multiple-choice question needs at least one correct and one wrong choice."
    ),
}
GOOD = {"kind": "single", "text": "Fine", "choices": choices(False, True)}


@pytest.mark.parametrize("case", list(INVALID_SPECS))
def test_service_form_and_importer_refuse_the_same_spec_with_the_same_message(case):
    questions = [GOOD, INVALID_SPECS[case]]
    quizzes = Quiz.objects.count()

    with pytest.raises(ValidationFailed) as by_service:
        quiz_for(questions=questions)

    with pytest.raises(forms.ValidationError) as by_parser:
        parse_questions(json.dumps(questions))
    form = lesson_form(
        data={"title": "Q", "estimated_minutes": "5", "passing_score": "70", "questions": json.dumps(questions)},
        kind="quiz",
    )
    assert not form.is_valid()

    document = json.loads(CATALOG.read_text())
    quiz_lesson = next(
        lesson
        for module in document["microcredentials"][0]["modules"]
        for lesson in module["lessons"]
        if lesson["kind"] == "quiz"
    )
    quiz_lesson["quiz"]["questions"] = copy.deepcopy(questions)
    with pytest.raises(ValidationFailed) as by_importer:
        catalog_import(actor=SYSTEM, data=document)
    # Refused while the document is checked, before anything is written.
    with pytest.raises(ValidationFailed) as by_document_check:
        validate_document(document)

    slug = document["microcredentials"][0]["slug"]
    assert by_service.value.message == MESSAGES[case]
    assert by_parser.value.messages == [MESSAGES[case]]
    assert form.errors["questions"] == [MESSAGES[case]]
    assert by_importer.value.message == by_document_check.value.message == f"{slug}: {MESSAGES[case]}"
    assert (
        by_importer.value.errors == by_service.value.errors == {"questions[1]": by_service.value.errors["questions[1]"]}
    )
    assert Quiz.objects.count() == quizzes and not MicroCredential.objects.filter(slug=slug).exists()


# --- A new kind is one class, registered -------------------------------------------------------


class AnyRightChoice(ChoiceQuestion):
    """Defined here only: picking any of the right choices, and none of the wrong ones, scores."""

    kind = "any-right"
    label = "Any right choice"
    answer_hint = "Pick any right answer."
    choice_input = "checkbox"

    def grade(self, question: Question, answer: Answer | None) -> Grade:
        right = {c.id for c in question.choices.all() if c.is_correct}
        correct = bool(answer) and answer is not None and answer <= right
        return Grade(points=question.points if correct else 0, correct=correct)


@pytest.fixture
def any_right_kind():
    register(AnyRightChoice())
    yield
    unregister(AnyRightChoice.kind)


def test_a_kind_registered_elsewhere_is_created_and_graded_through_the_services(any_right_kind):
    provider = OrganisationFactory()
    spec = {"kind": "any-right", "text": "Name a primary colour.", "points": 4, "choices": choices(True, True, False)}
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="colours"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Only")
    lesson = quiz_lesson_create(
        actor=SYSTEM, module=module, title="Colours", questions=[spec], passing_score=100, max_attempts=3
    )
    quiz = lesson.quiz
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    question = quiz.bank.questions.get()
    first, second, wrong = ids(question, 1, 2, 3)

    # The quiz page asks for the answer as the kind says: its hint, and its inputs' template.
    client = Client()
    client.force_login(learner)
    page = client.post(reverse("assessment:quiz", args=[enrolment.pk, lesson.pk]), {"action": "start"})
    page = client.get(reverse("assessment:quiz", args=[enrolment.pk, lesson.pk]))
    html = page.content.decode()
    assert "Pick any right answer." in html
    assert html.count(f'type="checkbox" name="q{question.id}"') == 3

    # Either right choice alone scores, which neither built-in kind would grade so.
    graded = attempt_submit(
        actor=learner,
        attempt=Attempt.objects.get(quiz=quiz, user=learner),
        answers={question.id: [second]},
    )
    assert (graded.points_earned, graded.points_possible, graded.passed) == (4, 4, True)
    assert graded.answers == {str(question.id): [second]}

    # The kind's checks run in the service: a spec without a right choice is refused.
    with pytest.raises(ValidationFailed, match="at least two choices"):
        quiz_for(provider=provider, title="Bad", questions=[{**spec, "choices": choices(True)}])
    assert Attempt.objects.filter(quiz=quiz).count() == 1
    assert question_type("any-right").grade(question, frozenset({first, wrong})).points == 0


def test_an_unregistered_kind_is_refused_again():
    with pytest.raises(ValidationFailed, match=r"kind must be 'single', 'multiple', .* or 'calculated'"):
        quiz_for(
            questions=[{"kind": "any-right", "text": "t", "choices": choices(True, False)}],
        )
