"""The attempt limit holds however many requests arrive at once, and starting is idempotent."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from microcred.assessment.models import Attempt, Quiz
from microcred.assessment.services import attempt_start, attempt_submit
from microcred.catalog.models import Lesson, LessonKind
from microcred.core.errors import Conflict
from microcred.learning.services import enrolment_create
from tests.api.conftest import API, assert_problem
from tests.concurrency import bearer_header, run_concurrently, skip_unless_real_concurrency
from tests.factories import UserFactory, published_microcredential

MAX_ATTEMPTS = 3
THREADS = 50


def limited_quiz_world(max_attempts: int = MAX_ATTEMPTS):
    mc = published_microcredential()
    lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)
    # The quiz is published, so its settings are read-only through the services; a test may set them.
    Quiz.objects.filter(lesson=lesson).update(max_attempts=max_attempts)
    lesson.refresh_from_db()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    return learner, enrolment, lesson


def start_url(enrolment, lesson) -> str:
    return f"{API}/enrolments/{enrolment.pk}/quizzes/{lesson.pk}/attempts"


@pytest.mark.django_db(transaction=True)
def test_fifty_learners_windows_racing_start_and_submit_never_exceed_the_limit():
    """Each thread starts an attempt and fails it, again and again, until it is refused."""
    skip_unless_real_concurrency()
    learner, enrolment, lesson = limited_quiz_world()
    auth = bearer_header(learner)

    def keep_trying(_: int) -> list[int]:
        client = Client(HTTP_AUTHORIZATION=auth)
        statuses = []
        for _round in range(MAX_ATTEMPTS * 4):
            started = client.post(start_url(enrolment, lesson))
            statuses.append(started.status_code)
            if started.status_code != 200 and started.status_code != 201:
                assert started.json()["code"] == "no_attempts_left", started.content
                return statuses
            submitted = client.post(
                f"{API}/attempts/{started.json()['id']}/submit", {"answers": {}}, content_type="application/json"
            )
            statuses.append(submitted.status_code)
            assert submitted.status_code in (200, 409), submitted.content
        raise AssertionError(f"never refused: {statuses}")

    results = run_concurrently(THREADS, keep_trying)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:3]
    assert all(statuses[-1] == 409 for statuses in results)  # type: ignore[index]
    assert Attempt.objects.filter(enrolment=enrolment).count() == MAX_ATTEMPTS
    assert sorted(Attempt.objects.values_list("number", flat=True)) == list(range(1, MAX_ATTEMPTS + 1))


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_starts_share_one_new_attempt():
    """One 201, forty-nine 200s with the same open attempt; with the last attempt left, still one."""
    skip_unless_real_concurrency()
    learner, enrolment, lesson = limited_quiz_world()
    for _ in range(MAX_ATTEMPTS - 1):
        attempt_submit(
            actor=learner, attempt=attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment), answers={}
        )
    auth = bearer_header(learner)

    def start(_: int) -> tuple[int, int]:
        response = Client(HTTP_AUTHORIZATION=auth).post(start_url(enrolment, lesson))
        return response.status_code, response.json()["id"]

    results = run_concurrently(THREADS, start)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:3]
    assert Counter(status for status, _ in results) == {201: 1, 200: THREADS - 1}  # type: ignore[misc]
    assert len({attempt_id for _, attempt_id in results}) == 1  # type: ignore[misc]
    assert Attempt.objects.filter(enrolment=enrolment).count() == MAX_ATTEMPTS


def test_the_limit_through_the_api_one_request_at_a_time(db):
    learner, enrolment, lesson = limited_quiz_world(max_attempts=2)
    client = Client(HTTP_AUTHORIZATION=bearer_header(learner))
    for _ in range(2):
        started = client.post(start_url(enrolment, lesson))
        assert started.status_code == 201
        again = client.post(start_url(enrolment, lesson))
        assert again.status_code == 200 and again.json()["id"] == started.json()["id"]
        graded = client.post(
            f"{API}/attempts/{started.json()['id']}/submit", {"answers": {}}, content_type="application/json"
        )
        assert graded.status_code == 200 and graded.json()["result"]["passed"] is False
    body = assert_problem(client.post(start_url(enrolment, lesson)), 409, "no_attempts_left")
    assert "2 attempts" in body["detail"]
    assert Attempt.objects.filter(enrolment=enrolment).count() == 2


def test_attempts_are_numbered_per_enrolment_and_quiz(db):
    learner, enrolment, lesson = limited_quiz_world(max_attempts=2)
    first = attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment)
    assert attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment).pk == first.pk
    attempt_submit(actor=learner, attempt=first, answers={})
    second = attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=second, answers={})
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(Conflict) as refused:
        attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment)
    assert refused.value.code == "no_attempts_left"


def test_the_database_refuses_a_second_attempt_with_the_same_number_or_a_second_open_one(db):
    from django.db import IntegrityError, transaction

    learner, enrolment, lesson = limited_quiz_world()
    first = attempt_start(actor=learner, quiz=lesson.quiz, enrolment=enrolment)
    duplicate = {"quiz": lesson.quiz, "user": learner, "enrolment": enrolment, "started_at": first.started_at}
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(**duplicate, number=2)  # a second open attempt
    attempt_submit(actor=learner, attempt=first, answers={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(**duplicate, number=1)  # the same number again
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(**duplicate, number=0)
