"""An action repeated, one after another or all at once, takes effect once and says so (issue 6)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from microcred.assessment.models import Attempt
from microcred.assessment.services import attempt_start
from microcred.catalog.models import Lesson, LessonKind
from microcred.core.models import AuditLog
from microcred.learning.models import Completion, Enrolment, EnrolmentStatus, LessonProgress
from microcred.learning.services import enrolment_create, enrolment_get_or_create, enrolment_withdraw, lesson_complete
from tests.api.conftest import API, assert_problem
from tests.concurrency import bearer_header, run_concurrently, skip_unless_real_concurrency
from tests.factories import UserFactory, correct_answers, published_microcredential

THREADS = 50


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=bearer_header(user))


def lesson_of(mc, kind: str) -> Lesson:
    return Lesson.objects.get(module__microcredential=mc, kind=kind)


def failures(results: list) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


# One after another: SQLite and PostgreSQL alike.


@pytest.mark.django_db
def test_withdrawing_twice_changes_nothing_the_second_time():
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    client = token_client(learner)
    url = f"{API}/enrolments/{enrolment.pk}/withdraw"

    first = client.post(url)
    again = client.post(url)

    assert first.status_code == again.status_code == 200
    assert again.json()["status"] == "withdrawn"
    assert again.json()["withdrawn_at"] == first.json()["withdrawn_at"] is not None
    assert AuditLog.objects.filter(action="enrolment.withdraw").count() == 1
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at.isoformat().replace("+00:00", "Z")[:19] == first.json()["withdrawn_at"][:19]


@pytest.mark.django_db
def test_withdrawing_a_completed_enrolment_is_still_a_conflict():
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.COMPLETED)
    assert_problem(token_client(learner).post(f"{API}/enrolments/{enrolment.pk}/withdraw"), 409, "conflict")
    assert not AuditLog.objects.filter(action="enrolment.withdraw").exists()


@pytest.mark.django_db
def test_a_stale_enrolment_object_cannot_withdraw_twice():
    """Two requests that read the enrolment before either withdrew: the row lock decides."""
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    stale = Enrolment.objects.get(pk=enrolment.pk)
    first = enrolment_withdraw(actor=learner, enrolment=enrolment)
    second = enrolment_withdraw(actor=learner, enrolment=stale)
    assert second.withdrawn_at == first.withdrawn_at
    assert AuditLog.objects.filter(action="enrolment.withdraw").count() == 1


@pytest.mark.django_db
def test_enrolment_get_or_create_reports_whether_it_created():
    mc = published_microcredential()
    learner = UserFactory()
    enrolment, created = enrolment_get_or_create(actor=learner, microcredential=mc)
    assert created is True
    assert enrolment_get_or_create(actor=learner, microcredential=mc) == (enrolment, False)
    enrolment_withdraw(actor=learner, enrolment=enrolment)
    back, created = enrolment_get_or_create(actor=learner, microcredential=mc)
    assert (back.pk, back.status, created) == (enrolment.pk, EnrolmentStatus.ACTIVE, False)
    assert [a.action for a in AuditLog.objects.filter(action__startswith="enrolment.").order_by("pk")] == [
        "enrolment.create",
        "enrolment.withdraw",
        "enrolment.reactivate",
    ]


@pytest.mark.django_db
def test_enrolling_again_on_the_page_says_so(client):
    mc = published_microcredential()
    learner = UserFactory()
    client.force_login(learner)
    first = client.post(reverse("learning:enrol", args=[mc.pk]), follow=True).content.decode()
    again = client.post(reverse("learning:enrol", args=[mc.pk]), follow=True).content.decode()
    assert "You are enrolled in" in first and "already enrolled" not in first
    assert "You are already enrolled in" in again and "You are enrolled in" not in again
    assert Enrolment.objects.filter(user=learner).count() == 1


@pytest.mark.django_db
def test_submitting_twice_grades_once():
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    attempt = attempt_start(actor=learner, quiz=lesson_of(mc, LessonKind.QUIZ).quiz, enrolment=enrolment)
    client = token_client(learner)
    url = f"{API}/attempts/{attempt.pk}/submit"
    body = {"answers": correct_answers(attempt, served=True)}
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 200
    # Idempotent (issue 8): the second submission answers with the same result and grades nothing.
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 200 and again.json() == first.json()
    assert AuditLog.objects.filter(action="attempt.grade").count() == 1


# All at once: PostgreSQL only.


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_enrolments_create_one_and_say_201_once():
    skip_unless_real_concurrency()
    mc = published_microcredential()
    learner = UserFactory()
    auth = bearer_header(learner)

    def enrol(_: int) -> tuple[int, int]:
        response = Client(HTTP_AUTHORIZATION=auth).post(
            f"{API}/enrolments", {"microcredential_id": mc.pk}, content_type="application/json"
        )
        return response.status_code, response.json()["id"]

    results = run_concurrently(THREADS, enrol)

    assert not failures(results), failures(results)[:3]
    assert Counter(status for status, _ in results) == {201: 1, 200: THREADS - 1}  # type: ignore[misc]
    assert len({enrolment_id for _, enrolment_id in results}) == 1  # type: ignore[misc]
    assert Enrolment.objects.filter(user=learner).count() == 1
    assert AuditLog.objects.filter(action="enrolment.create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_withdrawals_withdraw_once():
    skip_unless_real_concurrency()
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    auth = bearer_header(learner)

    def withdraw(_: int) -> tuple[int, str]:
        response = Client(HTTP_AUTHORIZATION=auth).post(f"{API}/enrolments/{enrolment.pk}/withdraw")
        return response.status_code, response.json()["withdrawn_at"]

    results = run_concurrently(THREADS, withdraw)

    assert not failures(results), failures(results)[:3]
    assert {status for status, _ in results} == {200}  # type: ignore[misc]
    assert len({moment for _, moment in results}) == 1  # type: ignore[misc]
    assert AuditLog.objects.filter(action="enrolment.withdraw").count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_lesson_completions_record_one_and_complete_once():
    skip_unless_real_concurrency()
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    quiz = lesson_of(mc, LessonKind.QUIZ).quiz
    from microcred.assessment.services import attempt_submit

    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))  # the reading is last
    reading = lesson_of(mc, LessonKind.READING)
    auth = bearer_header(learner)

    def complete(_: int) -> tuple[int, str]:
        response = Client(HTTP_AUTHORIZATION=auth).post(
            f"{API}/enrolments/{enrolment.pk}/lessons/{reading.pk}/complete"
        )
        return response.status_code, response.json()["completed_at"]

    results = run_concurrently(THREADS, complete)

    assert not failures(results), failures(results)[:3]
    assert {status for status, _ in results} == {200}  # type: ignore[misc]
    assert len({moment for _, moment in results}) == 1  # type: ignore[misc]
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 1
    assert Completion.objects.filter(enrolment=enrolment).count() == 1
    assert AuditLog.objects.filter(action="completion.record").count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submissions_grade_once():
    skip_unless_real_concurrency()
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    lesson_complete(actor=learner, enrolment=enrolment, lesson=lesson_of(mc, LessonKind.READING))
    attempt = attempt_start(actor=learner, quiz=lesson_of(mc, LessonKind.QUIZ).quiz, enrolment=enrolment)
    body = {"answers": correct_answers(attempt, served=True)}
    auth = bearer_header(learner)

    def submit(_: int) -> int:
        response = Client(HTTP_AUTHORIZATION=auth).post(
            f"{API}/attempts/{attempt.pk}/submit", body, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        return response.status_code

    results = run_concurrently(THREADS, submit)

    assert not failures(results), failures(results)[:3]
    # Every submission answers with the one result (idempotent); it was graded once.
    assert Counter(results) == {200: THREADS}
    assert AuditLog.objects.filter(action="attempt.grade").count() == 1
    assert Completion.objects.filter(enrolment=enrolment).count() == 1
    assert Attempt.objects.get(pk=attempt.pk).passed is True
