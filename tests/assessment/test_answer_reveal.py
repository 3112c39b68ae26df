"""A credential's quiz keeps its answers back while the learner could still use them to pass
(issue 6): in the API's JSON and on the result page. Practice quizzes show them at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from microcred.assessment.models import Attempt, Choice, Quiz
from microcred.assessment.selectors import answers_revealed
from microcred.assessment.services import attempt_start, attempt_submit
from microcred.catalog.models import Lesson, LessonKind
from microcred.learning.services import enrolment_create
from tests.api.conftest import API
from tests.factories import UserFactory, as_served, correct_answers, published_microcredential

pytestmark = pytest.mark.django_db

EXPLANATION = "read_csv parses CSV into a DataFrame."
# What only a review that names the right answers puts on the result page.
PAGE_CORRECTNESS_MARKS = ["Correct answer", "is-correct", "is-wrong", "· correct", "Right</span>", "Wrong</span>"]


@pytest.fixture
def world():
    mc = published_microcredential()
    lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)
    Quiz.objects.filter(lesson=lesson).update(max_attempts=2)
    lesson.refresh_from_db()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    client = Client()
    client.force_login(learner)
    return learner, enrolment, lesson, client


def wrong_answers(attempt: Attempt) -> dict[str, list[int]]:
    return {
        qid: [Choice.objects.filter(question_id=int(qid)).exclude(pk__in=right).first().pk]
        for qid, right in correct_answers(attempt).items()
    }


def fail_through_the_api(client: Client, enrolment, lesson) -> tuple[int, dict]:
    started = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{lesson.pk}/attempts").json()
    attempt = Attempt.objects.get(pk=started["id"])
    answers = as_served(attempt, wrong_answers(attempt))  # in the ids the API serves
    graded = client.post(
        f"{API}/attempts/{started['id']}/submit", {"answers": answers}, content_type="application/json"
    )
    assert graded.status_code == 200
    return started["id"], graded.json()


def correct_ids(attempt_id: int) -> set[int]:
    """The right choices as the API names them in this attempt (its served ids)."""
    served = correct_answers(Attempt.objects.get(pk=attempt_id), served=True)
    return {c for ids in served.values() for c in ids}


def assert_withheld(payload: dict, raw: str, attempt_id: int) -> None:
    result = payload["result"]
    assert result["answers_shown"] is False
    for question in result["questions"]:
        assert question["correct_choice_ids"] is None and question["is_correct"] is None
        assert question["points_awarded"] is None and question["explanation"] is None
    chosen = {c for q in result["questions"] for c in q["chosen_choice_ids"]}
    assert not chosen & correct_ids(attempt_id)  # the learner chose only wrong ones ...
    served = {c["id"] for q in payload["questions"] for c in q["choices"]}
    # ... so no right choice id appears anywhere except in the list of choices served.
    for choice_id in correct_ids(attempt_id):
        assert choice_id in served
        assert f'"correct_choice_ids": [{choice_id}' not in raw
    assert EXPLANATION not in raw


def test_the_api_withholds_answers_while_a_retake_is_left(world):
    _learner, enrolment, lesson, client = world
    attempt_id, graded = fail_through_the_api(client, enrolment, lesson)
    assert graded["result"]["passed"] is False
    assert_withheld(graded, "", attempt_id)
    read_back = client.get(f"{API}/attempts/{attempt_id}")
    assert_withheld(read_back.json(), read_back.content.decode(), attempt_id)

    # While the last attempt is open the first one stays discreet: it could still be passed.
    last = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{lesson.pk}/attempts")
    assert last.status_code == 201
    read_back = client.get(f"{API}/attempts/{attempt_id}")
    assert_withheld(read_back.json(), read_back.content.decode(), attempt_id)


def test_the_api_shows_answers_once_every_attempt_is_used(world):
    _learner, enrolment, lesson, client = world
    first_id, _ = fail_through_the_api(client, enrolment, lesson)
    _, last = fail_through_the_api(client, enrolment, lesson)
    assert last["result"]["answers_shown"] is True
    assert all(q["is_correct"] is False and q["correct_choice_ids"] for q in last["result"]["questions"])
    first = client.get(f"{API}/attempts/{first_id}").json()["result"]
    assert first["answers_shown"] is True
    assert {c for q in first["questions"] for c in q["correct_choice_ids"]} == correct_ids(first_id)
    assert EXPLANATION in {q["explanation"] for q in first["questions"]}


def test_a_practice_quiz_shows_its_answers_at_once(world):
    _learner, enrolment, lesson, client = world
    Lesson.objects.filter(pk=lesson.pk).update(required=False)
    attempt_id, graded = fail_through_the_api(client, enrolment, lesson)
    assert graded["result"]["answers_shown"] is True
    assert {c for q in graded["result"]["questions"] for c in q["correct_choice_ids"]} == correct_ids(attempt_id)


def test_the_result_page_withholds_answers_while_a_retake_is_left(world):
    learner, enrolment, lesson, client = world
    attempt = attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment)
    chosen = wrong_answers(attempt)
    attempt_submit(actor=learner, attempt=attempt, answers=chosen)
    page = client.get(reverse("assessment:attempt_result", args=[enrolment.pk, attempt.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Not passed" in html and "Retake the quiz" in html
    assert "shown once you pass this quiz or have used all your attempts" in html
    assert html.count("Your answer</span>") == len(chosen)  # the learner's own choices are shown
    for mark in [*PAGE_CORRECTNESS_MARKS, EXPLANATION]:
        assert mark not in html, mark

    last = attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=last, answers=wrong_answers(last))
    html = client.get(reverse("assessment:attempt_result", args=[enrolment.pk, attempt.pk])).content.decode()
    assert "Correct answer" in html and "Wrong</span>" in html and EXPLANATION in html
    assert "shown once you pass" not in html


def test_the_result_page_of_a_passed_attempt_shows_the_answers(world):
    learner, enrolment, lesson, client = world
    attempt = attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))
    html = client.get(reverse("assessment:attempt_result", args=[enrolment.pk, attempt.pk])).content.decode()
    assert "Well done" in html and "Right</span>" in html and EXPLANATION in html


def test_answers_revealed_never_before_submission(world):
    learner, enrolment, lesson, _ = world
    Lesson.objects.filter(pk=lesson.pk).update(required=False)
    attempt = attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment)
    assert answers_revealed(attempt) is False
