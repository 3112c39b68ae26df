"""A quiz with every kind, taken through the API and the pages: each kind is served in its own
form without what grades it, answered, graded with partial credit, and an essay keeps the
attempt in "needs grading" until an instructor grades it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from microcred.assessment.models import Attempt
from microcred.assessment.services import attempt_answer_grade
from microcred.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from microcred.learning.models import LessonOutcome
from tests.api.conftest import API
from tests.assessment.questions.conftest import SECRETS, by_kind, right_answers
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, as_served

pytestmark = pytest.mark.django_db


def start(mixed) -> dict:
    response = mixed["client"].post(f"{API}/enrolments/{mixed['enrolment'].pk}/quizzes/{mixed['lesson'].pk}/attempts")
    assert response.status_code == 201, response.content
    return response.json()


def assert_no_secrets(raw: str) -> None:
    for secret in SECRETS:
        assert secret not in raw, secret


def test_the_api_serves_each_kind_in_its_form_and_nothing_that_grades(mixed):
    started = start(mixed)
    raw = json.dumps(started)
    assert_no_secrets(raw)
    forms = {q["kind"]: q["form"] for q in started["questions"]}
    assert next(q for q in started["questions"] if q["kind"] == "single")["hints"] == ["HINT-think-of-rust"]
    assert forms["single"]["type"] == forms["multiple"]["type"] == "choice"
    assert forms["numeric"] == {"type": "numeric", "units": ["m", "cm"], "unit_required": False}
    assert forms["short"] == {"type": "short"} and forms["essay"] == {"type": "essay"}
    assert [o["text"] for o in forms["matching"]["options"]] == ["Lisbon", "Madrid", "Paris", "Rome"]
    assert [i["text"] for i in forms["ordering"]["items"]] != ["Wash", "Rinse", "Repeat", "Dry"]
    gaps = [p for p in forms["cloze"]["parts"] if p.get("gap")]
    assert [g["kind"] for g in gaps] == ["short", "choice", "numeric"]
    cloze = next(q for q in started["questions"] if q["kind"] == "cloze")
    assert "{#" not in cloze["text"] and "_____" in cloze["text"]


def test_the_openapi_document_describes_the_served_forms(client):
    schema = client.get(f"{API}/openapi.json").json()
    question = schema["components"]["schemas"]["QuestionOut"]["properties"]["form"]
    assert question["discriminator"]["propertyName"] == "type"
    assert {"ChoiceForm", "NumericForm", "ClozeForm", "OrderingForm"} <= set(schema["components"]["schemas"])


def test_right_answers_through_the_api_wait_for_the_essay_then_pass(mixed):
    started = start(mixed)
    answers = as_served(Attempt.objects.get(pk=started["id"]), right_answers(mixed["quiz"]))
    submitted = mixed["client"].post(
        f"{API}/attempts/{started['id']}/submit", {"answers": answers}, content_type="application/json"
    )
    assert submitted.status_code == 200, submitted.content
    attempt = Attempt.objects.get(pk=started["id"])
    assert attempt.needs_grading and attempt.score is None and attempt.points_earned == Decimal(19)
    assert not LessonOutcome.objects.filter(enrolment=mixed["enrolment"]).exists()
    result = submitted.json()["result"]
    assert next(q for q in result["questions"] if q["pending"])

    essay = by_kind(mixed["quiz"])["essay"]
    learner = mixed["learner"]
    with pytest.raises(PermissionDenied):  # a learner is no grader
        attempt_answer_grade(actor=learner, attempt=attempt, question_id=essay.id, points=5)
    grader = UserFactory()
    MembershipFactory(user=grader, organisation=mixed["provider"], role="grader")
    with pytest.raises(ValidationFailed, match="from 0 to 5"):
        attempt_answer_grade(actor=grader, attempt=attempt, question_id=essay.id, points=6)
    with pytest.raises(NotFound):
        attempt_answer_grade(actor=grader, attempt=attempt, question_id=by_kind(mixed["quiz"])["short"].id, points=1)
    graded = attempt_answer_grade(actor=grader, attempt=attempt, question_id=essay.id, points="4.5", feedback="Clear.")
    assert graded.points_earned == Decimal("23.50") and graded.points_possible == 24
    assert graded.score == Decimal("97.92") and graded.passed
    assert LessonOutcome.objects.get(enrolment=mixed["enrolment"]).passed
    with pytest.raises(Conflict):
        attempt_answer_grade(actor=grader, attempt=graded, question_id=essay.id, points=5)


def test_wrong_and_partial_answers_score_fractions(mixed):
    started = start(mixed)
    q = by_kind(mixed["quiz"])
    answers = right_answers(mixed["quiz"])
    answers[str(q["numeric"].id)] = "42.5"  # half of 2
    answers[str(q["short"].id)] = "unguja"  # half of 1
    answers[str(q["ordering"].id)] = [3, 2, 0, 1]  # half of 4
    answers[str(q["truefalse"].id)] = False  # none of 1
    del answers[str(q["essay"].id)]  # nothing written: nothing to grade by hand
    answers = as_served(Attempt.objects.get(pk=started["id"]), answers)
    submitted = mixed["client"].post(
        f"{API}/attempts/{started['id']}/submit", {"answers": answers}, content_type="application/json"
    )
    attempt = Attempt.objects.get(pk=started["id"])
    assert not attempt.needs_grading
    assert attempt.points_earned == Decimal("14.50")  # 19 - 1 (numeric) - 0.5 - 2 - 1
    assert submitted.json()["result"]["points_earned"] == 14.5


def test_a_bad_answer_is_a_problem_not_a_500(mixed):
    started = start(mixed)
    q = by_kind(mixed["quiz"])
    for bad in ({str(q["numeric"].id): "forty"}, {str(q["ordering"].id): [1, 1, 2, 3]}, {str(q["cloze"].id): "x"}):
        response = mixed["client"].post(
            f"{API}/attempts/{started['id']}/submit", {"answers": bad}, content_type="application/json"
        )
        assert response.status_code == 422, response.content
        assert response["Content-Type"].startswith("application/problem+json")
    assert not Attempt.objects.get(pk=started["id"]).is_submitted


def test_the_quiz_page_renders_each_kind_and_takes_its_answers(mixed):
    client, enrolment, lesson = mixed["client"], mixed["enrolment"], mixed["lesson"]
    url = reverse("assessment:quiz", args=[enrolment.pk, lesson.pk])
    client.post(url, {"action": "start"})
    page = client.get(url).content.decode()
    assert_no_secrets(page)
    assert "HINT-think-of-rust" in page  # hints are there to ask for while answering
    attempt = Attempt.objects.get(enrolment=enrolment)
    q = by_kind(mixed["quiz"])
    right = as_served(attempt, right_answers(mixed["quiz"]))  # in the ids the page shows
    last_prompt = list(right[str(q["matching"].id)])[2]
    first_item = right[str(q["ordering"].id)][0]
    for name in (
        f'name="q{q["numeric"].id}"',
        f'name="q{q["matching"].id}_{last_prompt}"',
        f'name="q{q["ordering"].id}_{first_item}"',
        f'name="q{q["cloze"].id}_2"',
        f'name="q{q["truefalse"].id}" value="true"',
        "<textarea",
    ):
        assert name in page, name
    form = {"action": "submit", "attempt": attempt.pk}
    form[f"q{q['single'].id}"] = right[str(q["single"].id)]
    form[f"q{q['multiple'].id}"] = right[str(q["multiple"].id)]
    form[f"q{q['truefalse'].id}"] = "true"
    form[f"q{q['numeric'].id}"] = "42.1 m"
    form[f"q{q['short'].id}"] = "zanzibar"
    form[f"q{q['essay'].id}"] = "My method."
    for prompt, option in right[str(q["matching"].id)].items():
        form[f"q{q['matching'].id}_{prompt}"] = option
    for position, item in enumerate(right[str(q["ordering"].id)], start=1):
        form[f"q{q['ordering'].id}_{item}"] = position
    # A cloze with two positions the same is refused with a message, the answers kept.
    for gap, value in right[str(q["cloze"].id)].items():
        form[f"q{q['cloze'].id}_{gap}"] = value
    clash = {**form, f"q{q['ordering'].id}_{first_item}": 2}
    refused = client.post(url, clash, follow=True)
    assert "give every item its own position" in refused.content.decode()
    response = client.post(url, form)
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.needs_grading and attempt.points_earned == Decimal(19)
    result = client.get(response["Location"]).content.decode()
    assert "Needs grading" in result


def test_another_learners_attempt_cannot_be_graded_by_another_provider(mixed):
    started = start(mixed)
    mixed["client"].post(
        f"{API}/attempts/{started['id']}/submit",
        {"answers": as_served(Attempt.objects.get(pk=started["id"]), right_answers(mixed["quiz"]))},
        content_type="application/json",
    )
    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role="grader")
    essay = by_kind(mixed["quiz"])["essay"]
    with pytest.raises(PermissionDenied):
        attempt_answer_grade(
            actor=stranger, attempt=Attempt.objects.get(pk=started["id"]), question_id=essay.id, points=1
        )


def test_a_failed_attempt_keeps_every_kinds_answers_back_then_a_pass_shows_them(mixed):
    started = start(mixed)
    q = by_kind(mixed["quiz"])
    wrong = {
        str(q["short"].id): "Pemba",
        str(q["numeric"].id): "7",
        str(q["cloze"].id): {"1": "wombat", "2": "1", "3": "9"},
        str(q["truefalse"].id): False,
    }
    wrong = as_served(Attempt.objects.get(pk=started["id"]), wrong)
    failed = (
        mixed["client"]
        .post(f"{API}/attempts/{started['id']}/submit", {"answers": wrong}, content_type="application/json")
        .json()
    )
    assert failed["result"]["answers_shown"] is False
    assert all(r["solution"] is None for r in failed["result"]["questions"])
    assert_no_secrets(json.dumps(failed))
    page = mixed["client"].get(reverse("assessment:attempt_result", args=[mixed["enrolment"].pk, started["id"]]))
    assert_no_secrets(page.content.decode())
    assert "Pemba" in page.content.decode()  # the learner's own answer is theirs to see

    second = start(mixed)
    answers = as_served(Attempt.objects.get(pk=second["id"]), right_answers(mixed["quiz"]))
    del answers[str(q["essay"].id)]
    passed = (
        mixed["client"]
        .post(f"{API}/attempts/{second['id']}/submit", {"answers": answers}, content_type="application/json")
        .json()
    )
    assert passed["result"]["passed"] and passed["result"]["answers_shown"]
    solutions = {r["question_id"]: r["solution"] for r in passed["result"]["questions"]}
    assert solutions[q["short"].id] == "zanzib*r" and solutions[q["numeric"].id] == "42.125 ± 0.0625 m"
    page = mixed["client"].get(reverse("assessment:attempt_result", args=[mixed["enrolment"].pk, second["id"]]))
    assert "Right answer:" in page.content.decode() and "Wash → Rinse → Repeat → Dry" in page.content.decode()
