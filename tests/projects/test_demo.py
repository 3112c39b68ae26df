"""The demo's capstones and assignments are real projects: work graded with a rubric, a regrade
overturned, and work waiting in a provider's grading queue."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from microcred.accounts.models import User
from microcred.core.models import AuditLog
from microcred.learning.models import LessonOutcome
from microcred.projects.models import (
    Assignment,
    MentorSignoff,
    MentorStatus,
    PeerReview,
    RegradeStatus,
    Submission,
    SubmissionStatus,
)

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
    jonas = Submission.objects.get(
        user__email="jonas.weber@demo.microcred.org",
        status=SubmissionStatus.GRADED,
        assignment__review_mode="instructor",
    )
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


def test_the_demo_has_a_supervised_practical_signed_off_in_every_state(mailoutbox, django_capture_on_commit_callbacks):
    # What runs after the demo's commit runs too, so an e-mail to a supervisor would be sent.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--quiet", stdout=io.StringIO())
    practical = Assignment.objects.get(review_mode="mentor")
    assert practical.lesson.module.microcredential.slug == "bess-commissioning"
    signoffs = {
        s.submission.user.email: s
        for s in MentorSignoff.objects.filter(submission__assignment=practical).select_related("submission__user")
    }
    assert {email: s.status for email, s in signoffs.items()} == {
        "jonas.weber@demo.microcred.org": MentorStatus.CONFIRMED,
        "sofia.rossi@demo.microcred.org": MentorStatus.PENDING,
        "lukas.nowak@demo.microcred.org": MentorStatus.DECLINED,
        "amara.diallo@demo.microcred.org": MentorStatus.REVOKED,
    }
    assert all(s.name and s.email.endswith(".example.nl") for s in signoffs.values())

    # Signed off: a passing grade from the mentor, and the lesson passed for the learner.
    confirmed = signoffs["jonas.weber@demo.microcred.org"].submission
    assert confirmed.status == SubmissionStatus.GRADED
    assert confirmed.grade.source == "mentor" and confirmed.grade.passed and confirmed.grade.score == 100
    outcome = LessonOutcome.objects.get(enrolment=confirmed.enrolment, lesson=practical.lesson)
    assert outcome.passed and outcome.details["graded_by"] == "mentor"
    # Declined with a reason: a failed outcome, and the learner may submit again.
    declined = signoffs["lukas.nowak@demo.microcred.org"]
    assert declined.comment and declined.submission.status == SubmissionStatus.SUBMITTED
    assert not LessonOutcome.objects.get(enrolment=declined.submission.enrolment, lesson=practical.lesson).passed
    # Waiting and withdrawn: the work waits for a sign-off, nothing graded.
    for email in ("sofia.rossi@demo.microcred.org", "amara.diallo@demo.microcred.org"):
        assert signoffs[email].submission.status == SubmissionStatus.SUBMITTED
    assert signoffs["amara.diallo@demo.microcred.org"].decided_at is not None
    # Each answer is audited with the supervisor's name, and the demo sent no e-mail to anyone.
    actions = set(AuditLog.objects.filter(action__startswith="mentor_signoff.").values_list("action", flat=True))
    assert actions == {
        "mentor_signoff.request",
        "mentor_signoff.confirm",
        "mentor_signoff.decline",
        "mentor_signoff.revoke",
    }
    assert AuditLog.objects.get(action="mentor_signoff.confirm").data["mentor_name"] == "Pieter de Vries"
    assert not [m for m in mailoutbox if any(to.endswith("@helix-energy.example.nl") for to in m.to)]

    # The learner sees who was asked on their submission's page.
    waiting = signoffs["sofia.rossi@demo.microcred.org"].submission
    client = Client()
    client.force_login(waiting.user)
    page = client.get(reverse("projects:submission", args=[waiting.pk]))
    assert page.status_code == 200 and "Sanne Jansen" in page.content.decode()

    # Loading again adds nothing.
    call_command("demo", "--quiet", stdout=io.StringIO())
    assert MentorSignoff.objects.count() == 4
    assert Submission.objects.filter(assignment=practical).count() == 4
