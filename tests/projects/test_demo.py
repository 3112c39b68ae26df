"""The demo's capstones and assignments are real projects: work graded with a rubric, a regrade
overturned, and work waiting in a provider's grading queue."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from microcred.accounts.models import User
from microcred.projects.models import Assignment, RegradeStatus, Submission, SubmissionStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_projects_in_every_state():
    call_command("demo", "--quiet", stdout=io.StringIO())
    capstone = Assignment.objects.get(lesson__title="Capstone project: a model you can defend")
    assert [c["name"] for c in capstone.rubric["criteria"]] == ["Problem framing", "Validation", "Model card"]
    assert Assignment.objects.count() >= 5

    aoife = Submission.objects.get(
        user__email="learner@demo.microcred.org", assignment__lesson__title="Clean the bikes data"
    )
    assert aoife.status == SubmissionStatus.GRADED and aoife.grade.passed and aoife.grade.feedback
    jonas = Submission.objects.get(user__email="jonas.weber@demo.microcred.org", status=SubmissionStatus.GRADED)
    assert jonas.regrade.status == RegradeStatus.CHANGED and jonas.grade.passed and not jonas.regrade.previous["passed"]
    waiting = Submission.objects.filter(status=SubmissionStatus.SUBMITTED)
    assert waiting.exists()

    # A provider's instructor finds that work in the grading queue.
    work = waiting.select_related("assignment__lesson__module__microcredential__provider").first()
    provider = work.assignment.lesson.module.microcredential.provider
    staff = User.objects.filter(
        memberships__organisation=provider, memberships__role__in=["owner", "instructor"]
    ).first()
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("projects:grading", args=[provider.slug])).content.decode()
    assert reverse("projects:grade", args=[provider.slug, work.pk]) in page
