"""The calculated kind (issue 8, section 3): each learner gets their own values, drawn from the
attempt's seed, and the answer is computed and compared with a tolerance. Through the kind, the
API, the pages, the catalog file, GIFT export and the statistics."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from microcred.assessment.forms import parse_questions
from microcred.assessment.models import Attempt, Question
from microcred.assessment.questions import question_type, validate_question
from microcred.assessment.questions.calculated import problem_of, values_for
from microcred.assessment.review.parameters import expected_answer, format_value
from microcred.assessment.selectors import question_bank_gift, quiz_statistics, served_seed
from microcred.assessment.services import attempt_start, attempt_submit, quiz_lesson_create, quiz_specs
from microcred.catalog.services import microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.core.errors import ValidationFailed
from microcred.exchange.services import catalog_export, catalog_import, validate_document
from microcred.learning.services import enrolment_create
from tests.api.conftest import API
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, microcredential_fields, quiz_for

pytestmark = pytest.mark.django_db

POWER: dict[str, Any] = {
    "kind": "calculated",
    "text": "A resistor of {resistance} Ω carries {current} A. What power does it dissipate?",
    "points": 2,
    "data": {
        # 981 × 901 value pairs: two attempts drawing the same pair is a one-in-900,000 chance.
        "variables": {
            "resistance": {"min": 10, "max": 990, "step": 1},
            "current": {"min": "0.5", "max": "9.5", "step": "0.01"},
        },
        "answer": "current**2 * resistance",
        "tolerance": {"relative": "0.005"},
        "units": ["W", "watt", "watts"],
        "decimals": 2,
    },
}
# What grades and must never reach a learner before grading (the formula and the tolerance).
SECRETS = ["current**2", "0.005", "tolerance", "relative"]


def expected(question: Question, attempt: Attempt) -> Decimal:
    return expected_answer(problem_of(question), values_for(question, seed=served_seed(attempt)))


@pytest.fixture
def practical(db):
    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="circuits"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Practical")
    lesson = quiz_lesson_create(
        actor=SYSTEM, module=module, title="Power task", questions=[POWER], passing_score=50, max_attempts=3
    )
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    learners = []
    for _ in range(2):
        user = UserFactory()
        client = Client()
        client.force_login(user)
        learners.append({"user": user, "client": client, "enrolment": enrolment_create(actor=user, microcredential=mc)})
    question = lesson.quiz.bank.questions.get()
    return {"provider": provider, "lesson": lesson, "quiz": lesson.quiz, "question": question, "learners": learners}


def start(practical, n: int = 0, *, status: int = 201) -> dict:
    learner = practical["learners"][n]
    url = f"{API}/enrolments/{learner['enrolment'].pk}/quizzes/{practical['lesson'].pk}/attempts"
    response = learner["client"].post(url)
    assert response.status_code == status, response.content
    return response.json()


def learner_get(practical, attempt_id: int, n: int = 0) -> dict:
    response = practical["learners"][n]["client"].get(f"{API}/attempts/{attempt_id}")
    assert response.status_code == 200, response.content
    return response.json()


def submit(practical, started: dict, answer: str, n: int = 0) -> dict:
    qid = str(practical["question"].pk)
    response = practical["learners"][n]["client"].post(
        f"{API}/attempts/{started['id']}/submit", {"answers": {qid: answer}}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


# --- The kind --------------------------------------------------------------------------------


def test_a_valid_problem_is_stored_and_a_bad_one_lists_every_fault_where_it_is():
    qt = validate_question(POWER, where="question 1")
    assert qt.clean_data(POWER, where="question 1") == POWER["data"]
    bad = {
        **POWER,
        "text": "A resistor of {resistance} Ω and {voltage} V.",
        "data": {**POWER["data"], "answer": "current ^ 2", "tolerance": {"relative": 2}, "decimals": 99, "x": 1},
    }
    with pytest.raises(ValidationFailed) as caught:
        validate_question(bad, where="question 3")
    faults = caught.value.errors["question 3"]
    said = " | ".join(faults)
    assert str(caught.value).startswith("question 3: 5 problems")
    for part in ("unknown key 'x'", "'decimals'", "relative tolerance", "{voltage}", "^"):
        assert part in said, part
    with pytest.raises(ValidationFailed, match="no value for some learners"):
        validate_question({**POWER, "data": {**POWER["data"], "answer": "1 / (resistance - 10)"}}, where="question 1")


def test_parse_grade_and_solution_use_the_attempts_values():
    question = quiz_for(questions=[POWER]).bank.questions.get()
    qt = question_type("calculated")
    values = values_for(question, seed="42")
    assert values == values_for(question, seed="42") != values_for(question, seed="43")
    right = expected_answer(problem_of(question), values)
    assert right == Decimal(format(values["current"] ** 2 * values["resistance"], ".12g"))

    for written in (f"{right}", f"{right} W", f"{right}watts", f"{right * Decimal('1.004')} W"):
        assert qt.grade_for(question, qt.parse_answer(question, written), seed="42").points == 2, written
    assert qt.grade_for(question, qt.parse_answer(question, f"{right * Decimal('1.01')}"), seed="42").points == 0
    assert not qt.grade_for(question, None, seed="42").correct
    # Another attempt's values: the same number is wrong there.
    assert not qt.grade_for(question, str(right), seed="43").correct
    for unreadable, message in (("lots", "Enter a number"), ("12 kW", "in W, not 'kW'"), ("1,234", "could mean")):
        with pytest.raises(ValidationFailed, match=message):
            qt.parse_answer(question, unreadable)
    with pytest.raises(TypeError):
        qt.grade(question, str(right))  # never graded without its attempt's values

    shown = qt.text_for(question, seed="42")
    assert "{" not in shown and f"{format_value(values['resistance'])} Ω" in shown
    assert qt.display_text(question) == POWER["text"]  # outside an attempt: the template
    rounded = right.quantize(Decimal("0.01"))
    assert qt.solution_for(question, seed="42") == f"{rounded:f} W (within 0.5%)"
    served = qt.served(question, seed="42")
    assert served == {
        "values": {name: format_value(value) for name, value in values.items()},
        "units": ["W", "watt", "watts"],
        "units_required": False,
    }


def test_the_authoring_form_says_what_is_wrong():
    bad = {**POWER, "data": {**POWER["data"], "answer": "current * voltage"}}
    with pytest.raises(forms.ValidationError) as caught:
        parse_questions(json.dumps([bad]))
    assert "voltage" in " ".join(caught.value.messages)
    assert parse_questions(json.dumps([POWER]))[0]["kind"] == "calculated"


def test_units_can_be_required():
    spec = {**POWER, "data": {**POWER["data"], "units_required": True}}
    question = quiz_for(questions=[spec]).bank.questions.get()
    with pytest.raises(ValidationFailed, match="give the unit too, in W"):
        question_type("calculated").parse_answer(question, "12")
    with pytest.raises(ValidationFailed, match="'units_required' is true but no 'units'"):
        validate_question({**spec, "data": {**spec["data"], "units": []}}, where="q")


# --- Learners, through the API and the pages -------------------------------------------------


def test_each_learner_gets_their_own_values_and_nothing_that_grades(practical):
    question = practical["question"]
    first, second = start(practical, 0), start(practical, 1)
    texts = [started["questions"][0]["text"] for started in (first, second)]
    forms = [started["questions"][0]["form"] for started in (first, second)]
    assert texts[0] != texts[1] and forms[0]["values"] != forms[1]["values"]
    for started, text, form in zip((first, second), texts, forms, strict=True):
        attempt = Attempt.objects.get(pk=started["id"])
        values = values_for(question, seed=served_seed(attempt))
        assert form == {
            "type": "calculated",
            "values": {k: format_value(v) for k, v in values.items()},
            "units": ["W", "watt", "watts"],
            "units_required": False,
        }
        assert f"{format_value(values['current'])} A" in text and "{" not in text
        raw = json.dumps(started)
        for secret in [*SECRETS, format_value(expected(question, attempt))]:
            assert secret not in raw, secret

    # Replay: the same attempt is served the same values, by the API and by the page.
    resumed = start(practical, 0, status=200)
    assert (resumed["id"], resumed["questions"][0]["text"]) == (first["id"], texts[0])
    assert learner_get(practical, first["id"])["questions"][0]["form"] == forms[0]
    learner = practical["learners"][0]
    page = learner["client"].get(reverse("assessment:quiz", args=[learner["enrolment"].pk, practical["lesson"].pk]))
    html = page.content.decode()
    attempt = Attempt.objects.get(pk=first["id"])
    assert texts[0] in html
    assert f'name="q{question.pk}"' in html and "These values are yours" in html
    for secret in [*SECRETS, format_value(expected(question, attempt))]:
        assert secret not in html, secret
    # The OpenAPI document describes the served form.
    schema = learner["client"].get(f"{API}/openapi.json").json()
    assert "values" in schema["components"]["schemas"]["CalculatedForm"]["properties"]


def test_copying_a_failed_attempts_numbers_into_a_retake_does_not_pass(practical):
    question = practical["question"]
    first = start(practical)
    attempt = Attempt.objects.get(pk=first["id"])
    right_then = expected(question, attempt)
    # Wrong first: the review keeps the right answer back while attempts are left.
    failed = submit(practical, first, f"{right_then * 2} W")
    assert failed["result"]["passed"] is False and failed["result"]["questions"][0]["solution"] is None
    assert format_value(right_then) not in json.dumps(failed)
    # Its review page: its own values, the learner's answer, no right answer while attempts are left.
    learner = practical["learners"][0]
    page = learner["client"].get(reverse("assessment:attempt_result", args=[learner["enrolment"].pk, first["id"]]))
    html = page.content.decode()
    first_values = values_for(question, seed=served_seed(Attempt.objects.get(pk=first["id"])))
    assert f"{format_value(first_values['current'])} A" in html and f"{right_then * 2} W" in html
    assert format_value(right_then) not in html and "Right answer:" not in html
    # Someone else's right answer to the first paper, typed into the retake, is wrong there.
    retake = start(practical)
    assert retake["questions"][0]["text"] != first["questions"][0]["text"]
    copied = submit(practical, retake, f"{right_then} W")
    assert copied["result"]["passed"] is False
    third = start(practical)
    attempt = Attempt.objects.get(pk=third["id"])
    passed = submit(practical, third, format_value(expected(question, attempt)))
    assert passed["result"]["passed"] is True and Attempt.objects.get(pk=third["id"]).points_earned == 2
    solution = passed["result"]["questions"][0]["solution"]
    # Shown to the question's decimals, rounded half up as the question does (not Decimal's half even).
    shown = expected(question, attempt).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert solution == f"{shown:f} W (within 0.5%)"

    # The review page shows this attempt's values, the learner's answer and the right answer.
    learner = practical["learners"][0]
    page = learner["client"].get(reverse("assessment:attempt_result", args=[learner["enrolment"].pk, third["id"]]))
    html = page.content.decode()
    values = values_for(question, seed=served_seed(attempt))
    assert f"{format_value(values['current'])} A" in html and format_value(expected(question, attempt)) in html
    assert "Right answer:" in html and solution in html.replace("&nbsp;", " ")


def test_an_unreadable_answer_is_a_problem_the_page_explains(practical):
    started = start(practical)
    qid = str(practical["question"].pk)
    client = practical["learners"][0]["client"]
    response = client.post(
        f"{API}/attempts/{started['id']}/submit", {"answers": {qid: "12 kW"}}, content_type="application/json"
    )
    assert response.status_code == 422 and response["Content-Type"].startswith("application/problem+json")
    assert "in W, not 'kW'" in response.json()["detail"]
    learner = practical["learners"][0]
    url = reverse("assessment:quiz", args=[learner["enrolment"].pk, practical["lesson"].pk])
    refused = client.post(url, {"action": "submit", "attempt": started["id"], f"q{qid}": "lots"}, follow=True)
    assert refused.status_code == 200 and "Enter a number" in refused.content.decode()
    assert not Attempt.objects.get(pk=started["id"]).is_submitted
    # Answered on the page with a decimal comma and the unit: graded against this attempt's values.
    attempt = Attempt.objects.get(pk=started["id"])
    right = format_value(expected(practical["question"], attempt)).replace(".", ",")
    done = client.post(url, {"action": "submit", "attempt": attempt.pk, f"q{qid}": f"{right} W"})
    assert done.status_code == 302
    attempt.refresh_from_db()
    assert attempt.points_earned == 2 and attempt.passed


# --- The catalog file, GIFT, statistics --------------------------------------------------------


def test_the_catalog_file_carries_a_calculated_question(practical):
    specs = quiz_specs(quiz=practical["quiz"])
    assert specs[0]["kind"] == "calculated" and specs[0]["data"] == POWER["data"]
    document = catalog_export(provider=practical["provider"])
    document["provider"]["slug"] = "copy-provider"
    validate_document(json.loads(json.dumps(document)))
    catalog_import(actor=SYSTEM, data=document)
    copy = Question.objects.exclude(pk=practical["question"].pk).get(kind="calculated")
    assert (copy.text, copy.data) == (practical["question"].text, practical["question"].data)
    broken = json.loads(json.dumps(document))
    broken["provider"]["slug"] = "broken-provider"
    quiz = broken["microcredentials"][0]["modules"][0]["lessons"][0]["quiz"]
    quiz["questions"][0]["data"]["answer"] = "current * voltage"
    with pytest.raises(ValidationFailed, match="voltage"):
        validate_document(broken)


def test_gift_export_lists_a_calculated_question_as_skipped(practical):
    text, skipped = question_bank_gift(bank=practical["quiz"].bank)
    assert "resistor" not in text
    assert len(skipped) == 1 and "GIFT has no calculated questions" in skipped[0]


def test_statistics_regrade_each_attempt_with_its_own_values(practical):
    question, quiz = practical["question"], practical["quiz"]
    graded = []
    for n, learner in enumerate(practical["learners"]):
        attempt = attempt_start(actor=learner["user"], quiz=quiz, enrolment=learner["enrolment"])
        right = expected(question, attempt)
        answer = format_value(right) if n == 0 else format_value(right * 3)
        graded.append(attempt_submit(actor=learner["user"], attempt=attempt, answers={str(question.pk): answer}))
    assert [a.points_earned for a in graded] == [2, 0]
    report = quiz_statistics(quiz=quiz)
    assert report.stats.attempts == 2
    (item,) = report.stats.items
    assert item.facility == pytest.approx(0.5)
    # The instructor's page shows the question as written, with its placeholders, not a learner's values.
    staff = Client()
    staff.force_login(MembershipFactory(organisation=practical["provider"], role="instructor").user)
    mc_id = practical["learners"][0]["enrolment"].microcredential_id
    page = staff.get(
        reverse("assessment:quiz_statistics", args=[practical["provider"].slug, mc_id, practical["lesson"].pk])
    )
    assert page.status_code == 200 and "{resistance}" in page.content.decode()


def test_the_demos_learners_work_out_their_own_values(practical):
    from microcred.demo.loader import _answers

    learner = practical["learners"][0]
    wrong = attempt_start(actor=learner["user"], quiz=practical["quiz"], enrolment=learner["enrolment"])
    wrong = attempt_submit(actor=learner["user"], attempt=wrong, answers=_answers(wrong, correct=False))
    right = attempt_start(actor=learner["user"], quiz=practical["quiz"], enrolment=learner["enrolment"])
    right = attempt_submit(actor=learner["user"], attempt=right, answers=_answers(right, correct=True))
    assert (wrong.passed, right.passed) == (False, True)


def test_the_demo_catalog_has_a_calculated_practical_task():
    from microcred.demo.loader import DEMO_CATALOG_DIR

    document = json.loads((DEMO_CATALOG_DIR / "helix-energy.json").read_text(encoding="utf-8"))
    validate_document(document)
    questions = [
        question
        for mc in document["microcredentials"]
        for module in mc["modules"]
        for lesson in module["lessons"]
        for question in (lesson.get("quiz") or {}).get("questions", [])
    ]
    assert any(q["kind"] == "calculated" and "{charged}" in q["text"] for q in questions)
