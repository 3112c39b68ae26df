"""Simultaneous requests against PostgreSQL: graders racing on one submission record one grade, and
a learner's simultaneous submissions leave exactly one version waiting."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from microcred.core.models import AuditLog
from microcred.projects.models import Grade, Submission, SubmissionStatus
from microcred.projects.services import submission_create
from tests.api.conftest import API
from tests.concurrency import bearer_header, run_concurrently, skip_unless_real_concurrency

from .conftest import PASSING, build_course

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_simultaneous_grades_of_one_submission_record_one():
    skip_unless_real_concurrency()
    course = build_course("race-grades")
    work = submission_create(actor=course.learner, enrolment=course.enrolment, assignment=course.assignment, text="x")
    auth = bearer_header(course.grader)
    url = f"{API}/orgs/{course.provider.slug}/grading/submissions/{work.pk}/grade"

    def grade(_: int) -> int:
        return (
            Client(HTTP_AUTHORIZATION=auth).post(url, {"levels": PASSING}, content_type="application/json").status_code
        )

    results = run_concurrently(THREADS, grade)
    assert Counter(results) == {200: 1, 409: THREADS - 1}
    assert Grade.objects.count() == 1
    assert AuditLog.objects.filter(action="submission.grade").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_leave_one_version_waiting():
    skip_unless_real_concurrency()
    course = build_course("race-submissions")
    auth = bearer_header(course.learner)
    url = f"{API}/enrolments/{course.enrolment.pk}/assignments/{course.lesson.pk}/submissions"

    def submit(index: int) -> int:
        return Client(HTTP_AUTHORIZATION=auth).post(url, {"text": f"version {index}"}).status_code

    results = run_concurrently(THREADS, submit)
    assert set(results) == {201}
    versions = Submission.objects.filter(enrolment=course.enrolment)
    assert sorted(versions.values_list("version", flat=True)) == list(range(1, THREADS + 1))
    assert versions.filter(status=SubmissionStatus.SUBMITTED).count() == 1
