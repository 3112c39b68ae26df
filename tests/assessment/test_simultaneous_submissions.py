"""200 learners submitting at the same moment against PostgreSQL (issue 8, §7): every attempt is
recorded exactly once, none lost, none doubled, even when each learner's client sends it twice."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from microcred.assessment.models import Attempt, Quiz
from microcred.assessment.services import attempt_start
from microcred.catalog.models import Lesson, LessonKind
from microcred.core.models import AuditLog
from microcred.learning.models import LessonOutcome
from microcred.learning.services import enrolment_create
from tests.api.conftest import API
from tests.concurrency import bearer_header, run_concurrently, skip_unless_real_concurrency
from tests.factories import UserFactory, correct_answers, published_microcredential

LEARNERS = 200
# One database connection per thread: the server allows 100 in all, so 50 threads carry the 200
# learners, all released together by the barrier and each submitting for 4 of them.
THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_two_hundred_learners_submit_at_once_and_each_attempt_is_graded_once():
    skip_unless_real_concurrency()
    mc = published_microcredential()
    lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)
    Quiz.objects.filter(lesson=lesson).update(max_attempts=2, unlimited_attempts=False)
    quiz = Quiz.objects.get(lesson=lesson)
    learners = []
    for _ in range(LEARNERS):
        learner = UserFactory()
        enrolment = enrolment_create(actor=learner, microcredential=mc)
        attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
        learners.append((bearer_header(learner), attempt.pk, correct_answers(attempt, served=True)))

    def submit_for_mine(index: int) -> list[tuple[int, int, str]]:
        seen = []
        for auth, attempt_id, answers in learners[index::THREADS]:
            client = Client(HTTP_AUTHORIZATION=auth)
            url = f"{API}/attempts/{attempt_id}/submit"
            # A client that retries (a lost response) sends the same submission twice.
            for _ in range(2):
                response = client.post(url, {"answers": answers}, content_type="application/json")
                seen.append((attempt_id, response.status_code, response.json()["result"]["score"]))
        return seen

    results = run_concurrently(THREADS, submit_for_mine)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:3]
    responses = [row for rows in results for row in rows]  # type: ignore[union-attr]
    assert len(responses) == 2 * LEARNERS
    assert Counter(status for _, status, _ in responses) == {200: 2 * LEARNERS}
    assert {score for _, _, score in responses} == {"100.00"}
    # Each attempt recorded exactly once: none lost, none doubled.
    assert Attempt.objects.filter(quiz=quiz).count() == LEARNERS
    assert Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False, passed=True).count() == LEARNERS
    grades = Counter(AuditLog.objects.filter(action="attempt.grade").values_list("target_id", flat=True))
    assert len(grades) == LEARNERS and set(grades.values()) == {1}
    assert LessonOutcome.objects.filter(lesson=lesson, passed=True).count() == LEARNERS
