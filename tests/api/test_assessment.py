from __future__ import annotations

import json
from typing import Any

import pytest

from microcred.assessment.models import Attempt, Choice, Question
from microcred.core.models import AuditLog
from microcred.learning.models import Completion
from microcred.learning.services import enrolment_create
from tests.factories import UserFactory, correct_answers

from .conftest import API, assert_problem, error_fields, quiz_lesson, reading

pytestmark = pytest.mark.django_db

SECRET_KEYS = {"is_correct", "correct", "explanation", "correct_choice_ids"}


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def start(client, enrolment, mc):
    return client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz_lesson(mc).pk}/attempts")


def submit(client, attempt_id, answers):
    return client.post(f"{API}/attempts/{attempt_id}/submit", {"answers": answers}, content_type="application/json")


def test_the_whole_journey_enrol_learn_pass_complete(api, learner, mc):
    enrolled = api.post(f"{API}/enrolments", {"microcredential_id": mc.pk}, content_type="application/json")
    assert enrolled.status_code == 201
    enrolment_id = enrolled.json()["id"]
    lessons = [lesson for module in enrolled.json()["modules"] for lesson in module["lessons"]]

    for lesson in lessons:
        if lesson["kind"] != "quiz":
            content = api.get(f"{API}/enrolments/{enrolment_id}/lessons/{lesson['id']}")
            assert content.status_code == 200
            done = api.post(f"{API}/enrolments/{enrolment_id}/lessons/{lesson['id']}/complete")
            assert done.status_code == 200 and done.json()["completion"] is None

    quiz = next(lesson for lesson in lessons if lesson["kind"] == "quiz")
    started = api.post(f"{API}/enrolments/{enrolment_id}/quizzes/{quiz['id']}/attempts")
    assert started.status_code == 201
    attempt = started.json()
    assert attempt["state"] == "open" and attempt["result"] is None
    assert len(attempt["questions"]) == 2

    answers = correct_answers(Attempt.objects.get(pk=attempt["id"]), served=True)
    graded = submit(api, attempt["id"], answers)

    assert graded.status_code == 200, graded.content
    result = graded.json()["result"]
    assert result["score"] == "100.00" and result["passed"] is True
    assert result["points_earned"] == 3 and result["points_possible"] == 3
    assert all(q["is_correct"] for q in result["questions"])
    assert "read_csv parses CSV into a DataFrame." in {q["explanation"] for q in result["questions"]}
    completion = result["completion"]
    assert completion["enrolment_id"] == enrolment_id and completion["score"] == "100.00"

    record = api.get(f"{API}/enrolments/{enrolment_id}/completion")
    assert record.status_code == 200 and record.json()["id"] == completion["id"]
    assert record.json()["microcredential_id"] == mc.pk
    detail = api.get(f"{API}/enrolments/{enrolment_id}").json()
    assert detail["status"] == "completed" and detail["progress"]["percent"] == 100
    assert detail["completion"]["id"] == completion["id"]
    assert Completion.objects.filter(enrolment_id=enrolment_id).count() == 1
    assert api.get(f"{API}/attempts/{attempt['id']}").json()["result"]["passed"] is True


def test_starting_an_attempt_reveals_no_correctness(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    response = start(api, enrolment, mc)
    assert response.status_code == 201
    payload = response.json()
    assert not keys_in(payload) & SECRET_KEYS
    assert "read_csv parses" not in response.content.decode()
    # Each choice is served under an id of the attempt's own, never its row id (which runs in the
    # order the author wrote, often the right answer first).
    served = {q["id"]: {c["id"] for c in q["choices"]} for q in payload["questions"]}
    stored = {q.id: {c.id for c in q.choices.all()} for q in Question.objects.filter(id__in=served)}
    assert {qid: len(ids) for qid, ids in served.items()} == {qid: len(ids) for qid, ids in stored.items()}
    assert not set().union(*served.values()) & set().union(*stored.values())
    # Reading the open attempt back is just as discreet.
    again = api.get(f"{API}/attempts/{payload['id']}").json()
    assert not keys_in(again) & SECRET_KEYS


def test_starting_twice_resumes_the_open_attempt(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    first = start(api, enrolment, mc)
    second = start(api, enrolment, mc)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Attempt.objects.count() == 1


def test_a_lesson_without_a_quiz_has_no_attempts(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    response = api.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{reading(mc).pk}/attempts")
    assert_problem(response, 404, "not_found")
    assert not Attempt.objects.exists()


def test_failing_then_resubmitting(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    attempt_id = start(api, enrolment, mc).json()["id"]
    answers = correct_answers(Attempt.objects.get(pk=attempt_id), served=True)
    multi = next(qid for qid, ids in answers.items() if len(ids) == 2)
    answers[multi] = answers[multi][:1]

    graded = submit(api, attempt_id, answers).json()["result"]

    assert graded["passed"] is False and graded["points_earned"] == 1 and graded["completion"] is None
    wrong = next(q for q in graded["questions"] if str(q["question_id"]) == multi)
    assert wrong["chosen_choice_ids"] == answers[multi]
    # Attempts are unlimited, so the answers stay hidden until the learner passes.
    assert graded["answers_shown"] is False
    assert wrong["is_correct"] is None and wrong["correct_choice_ids"] is None and wrong["points_awarded"] is None
    # Submitting again is idempotent: the same result, and nothing graded a second time.
    again = submit(api, attempt_id, correct_answers(Attempt.objects.get(pk=attempt_id), served=True))
    assert again.status_code == 200 and again.json()["result"] == graded
    assert AuditLog.objects.filter(action="attempt.grade").count() == 1
    assert not Completion.objects.exists()

    retake = start(api, enrolment, mc)
    assert retake.status_code == 201
    passed = submit(api, retake.json()["id"], correct_answers(Attempt.objects.get(pk=retake.json()["id"]), served=True))
    assert passed.json()["result"]["answers_shown"] is True
    # Having passed, the first attempt's review names the answers too.
    first = api.get(f"{API}/attempts/{attempt_id}").json()["result"]
    wrong = next(q for q in first["questions"] if str(q["question_id"]) == multi)
    assert first["answers_shown"] is True and wrong["is_correct"] is False and len(wrong["correct_choice_ids"]) == 2


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ("not a map", "body.answers"),
        ({"q1": [1]}, "body.answers.q1.[key]"),
        ({"1": "many"}, "body.answers.1"),
        ({"1": ["x"]}, "body.answers.1.0"),
    ],
)
def test_malformed_answers_are_422_with_field_paths(api, learner, mc, answers, field):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    attempt_id = start(api, enrolment, mc).json()["id"]
    body = assert_problem(submit(api, attempt_id, answers), 422, "validation_failed")
    assert field in error_fields(body), body
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.submitted_at is None and attempt.score is None
    assert not AuditLog.objects.filter(action="attempt.grade").exists()


def test_unknown_choices_or_questions_are_422_and_nothing_is_graded(api, learner, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    attempt_id = start(api, enrolment, mc).json()["id"]
    answers = correct_answers(Attempt.objects.get(pk=attempt_id), served=True)
    question_id = next(iter(answers))
    foreign_choice = Choice.objects.exclude(question_id=question_id).first()

    wrong_choice = submit(api, attempt_id, {**answers, question_id: [foreign_choice.pk]})
    body = assert_problem(wrong_choice, 422, "validation_failed")
    assert error_fields(body) == {f"body.answers.{question_id}"}
    assert body["errors"][0]["loc"] == ["body", "answers", question_id]

    unknown_question = submit(api, attempt_id, {**answers, "999999": [1]})
    assert error_fields(assert_problem(unknown_question, 422, "validation_failed")) == {"body.answers.999999"}

    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.submitted_at is None and attempt.answers == {}
    assert not AuditLog.objects.filter(action="attempt.grade").exists() and not Completion.objects.exists()


def test_another_learners_attempt_is_404(mc, session_client):
    owner, intruder = UserFactory(), UserFactory()
    enrolment = enrolment_create(actor=owner, microcredential=mc)
    attempt_id = start(session_client(owner), enrolment, mc).json()["id"]
    answers = correct_answers(Attempt.objects.get(pk=attempt_id), served=True)
    client = session_client(intruder)
    assert_problem(client.get(f"{API}/attempts/{attempt_id}"), 404, "not_found")
    assert_problem(submit(client, attempt_id, answers), 404, "not_found")
    assert Attempt.objects.get(pk=attempt_id).submitted_at is None


def test_submit_with_a_token(learner, token_client, mc):
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    client = token_client(learner)
    attempt_id = start(client, enrolment, mc).json()["id"]
    graded = submit(client, attempt_id, correct_answers(Attempt.objects.get(pk=attempt_id), served=True))
    assert graded.status_code == 200 and graded.json()["result"]["passed"] is True
    assert json.loads(graded.content)["state"] == "submitted"
