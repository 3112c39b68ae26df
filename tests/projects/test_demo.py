"""The demo's capstones and assignments are real projects: work graded with a rubric, a regrade
overturned, and work waiting in a provider's grading queue."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from microcred.accounts.models import User
from microcred.projects.models import Assignment, PeerReview, RegradeStatus, Submission, SubmissionStatus

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
    waiting = Submission.objects.filter(status=SubmissionStatus.SUBMITTED, assignment__review_mode="instructor")
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


def test_the_demo_has_a_peer_review_round_in_every_state():
    call_command("demo", "--quiet", stdout=io.StringIO())
    capstone = Assignment.objects.get(review_mode="peer")
    assert capstone.lesson.title == "Capstone: from commit to canary" and capstone.allocation_seed is not None
    works = list(Submission.objects.filter(assignment=capstone).order_by("id"))
    assert len(works) == 3
    done = [PeerReview.objects.filter(submission=w, status="done").count() for w in works]
    assert done == [2, 1, 0]
    assert works[0].status == SubmissionStatus.GRADED and works[0].grade.source == "peer"
    assert {w.status for w in works[1:]} == {SubmissionStatus.SUBMITTED}
    assert all(r.reviewer_id != r.submission.user_id for r in PeerReview.objects.select_related("submission"))
    # Loading again adds nothing.
    call_command("demo", "--quiet", stdout=io.StringIO())
    assert Submission.objects.filter(assignment=capstone).count() == 3 and PeerReview.objects.count() == 6
