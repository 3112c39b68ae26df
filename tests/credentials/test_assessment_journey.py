"""Issue 8, done when: a provider imports its Moodle question bank and runs a timed, randomised quiz
and a peer-reviewed project, and its learners' credentials carry the results.

One journey through the interfaces people use: the instructor imports a real Moodle GIFT export on
the question-bank page, builds and publishes the micro-credential on the workspace pages (a quiz
drawing three of the bank's four questions of one category, timed, two attempts; a project reviewed
by two peers each); three learners enrol on the page, take the quiz through the API (each gets its
own draw and order, with a deadline), submit their projects on the lesson page and review each
other's on the review pages. Each credential then carries the quiz score and the project's peer
grade with its rubric levels, passes the official OB 3.0 schema, verifies (both proofs, and the
JavaScript reference stack where installed) and verifies again through the public verify API."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from microcred.assessment import services as assessment_services
from microcred.assessment.models import Attempt, Question, QuestionBank, Quiz
from microcred.catalog.models import MicroCredential
from microcred.credentials.models import Credential
from microcred.learning.models import Enrolment, EnrolmentStatus
from microcred.projects.models import Assignment, PeerReview, SubmissionStatus
from tests.api.conftest import API
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.web.test_workspace import mc_form_data

from .test_results import check

pytestmark = pytest.mark.django_db

GIFT = Path(__file__).resolve().parents[1] / "assessment" / "formats" / "data" / "moodle_questions_in_category.gift.txt"
CATEGORY = "Default for New Features"
RUBRIC = {
    "criteria": [
        {
            "name": "Pipeline",
            "levels": [
                {"name": "Fragile", "points": 0, "descriptor": "Manual steps remain."},
                {"name": "Automated", "points": 2, "descriptor": "Every step runs unattended."},
                {"name": "Trustworthy", "points": 4, "descriptor": "Signed artefacts, canary and rollback."},
            ],
        },
        {"name": "Write-up", "levels": [{"name": "Unclear", "points": 0}, {"name": "Clear", "points": 2}]},
    ]
}


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answer_correctly(served: dict[str, Any]) -> Any:
    """What a learner who knows the material answers, read from the question as served (texts, never
    ids the learner could not see) and the provider's own bank."""
    question = Question.objects.prefetch_related("choices").get(pk=served["id"])
    data = question.data or {}
    if question.kind == "single":
        right = {c.text for c in question.choices.all() if c.is_correct}
        return [c["id"] for c in served["choices"] if c["text"] in right]
    if question.kind == "truefalse":
        return bool(data["correct"])
    if question.kind == "short":
        return max(data["alternatives"], key=lambda a: float(a.get("fraction", 1)))["text"]
    if question.kind == "matching":
        form = served["form"]
        wanted = {p["prompt"]: p["answer"] for p in data["pairs"]}
        option = {o["text"]: o["id"] for o in form["options"]}
        return {str(p["id"]): option[wanted[p["text"]]] for p in form["prompts"]}
    raise AssertionError(f"no answer written for a {question.kind} question")


def test_a_moodle_bank_a_timed_random_quiz_and_a_peer_project_travel_into_each_credential(monkeypatch):
    provider = OrganisationFactory(name="Example Academy", slug="example-academy")
    instructor = UserFactory(full_name="Ina Instructor")
    MembershipFactory(user=instructor, organisation=provider, role="instructor")
    staff = logged_in(instructor)

    # 1. The Moodle export, imported on the question-bank page.
    imported = staff.post(
        reverse("assessment:banks", args=[provider.slug]),
        {"file": SimpleUploadedFile(GIFT.name, GIFT.read_bytes()), "format": "gift", "title": "Moodle export"},
        follow=True,
    )
    assert imported.status_code == 200
    bank = QuestionBank.objects.get(provider=provider)
    assert bank.questions.filter(category=CATEGORY).count() == 4

    # 2. The micro-credential, built and published on the workspace pages.
    ws = lambda name, *args: reverse(f"catalog:{name}", args=[provider.slug, *args])  # noqa: E731
    staff.post(ws("workspace_mc_create"), mc_form_data(slug="trusted-delivery", title="Trusted Delivery"))
    mc = MicroCredential.objects.get(provider=provider, slug="trusted-delivery")
    staff.post(ws("workspace_module_add", mc.pk), {"title": "Delivery"})
    module = mc.modules.get()
    quiz_added = staff.post(
        ws("workspace_lesson_add", mc.pk, module.pk, "quiz"),
        {
            "title": "Final quiz",
            "estimated_minutes": "20",
            "required": "on",
            "source": "bank",
            "bank": str(bank.pk),
            "category": CATEGORY,
            "question_count": "3",
            "passing_score": "60",
            "max_attempts": "2",
            "time_limit_minutes": "20",
        },
    )
    assert quiz_added.status_code == 302, quiz_added.context and quiz_added.context["form"].errors
    project_added = staff.post(
        ws("workspace_lesson_add", mc.pk, module.pk, "assignment"),
        {
            "title": "Capstone: from commit to canary",
            "estimated_minutes": "600",
            "required": "on",
            "instructions": "Build the pipeline and write it up.",
            "rubric": json.dumps(RUBRIC),
            "submission_kinds": ["text", "links"],
            "passing_score": "50",
            "review_mode": "peer",
            "reviewers_per_submission": "2",
            "aggregation": "median",
        },
    )
    assert project_added.status_code == 302, project_added.context and project_added.context["form"].errors
    published = staff.post(ws("workspace_mc_publish", mc.pk), follow=True)
    assert "is published" in " ".join(str(m) for m in published.context["messages"])
    mc.refresh_from_db()
    quiz = Quiz.objects.get(lesson__module__microcredential=mc)
    assignment = Assignment.objects.get(lesson__module__microcredential=mc)
    assert (quiz.bank_id, quiz.question_count, quiz.time_limit_minutes) == (bank.pk, 3, 20)

    # 3. Three learners enrol and take the quiz: each its own draw, order and deadline.
    learners = [UserFactory(full_name=f"Learner {name}") for name in ("Ada", "Ben", "Cleo")]
    clients = [logged_in(learner) for learner in learners]
    served_orders = []
    seeds = itertools.count(101, 101)  # fixed, so that the draws below differ on every run
    monkeypatch.setattr(assessment_services.secrets, "randbits", lambda _bits: next(seeds))
    for client in clients:
        client.post(reverse("learning:enrol", args=[mc.pk]))
    enrolments = [Enrolment.objects.get(user=learner, microcredential=mc) for learner in learners]
    for client, enrolment in zip(clients, enrolments, strict=True):
        started = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz.lesson_id}/attempts")
        assert started.status_code == 201, started.content
        body = started.json()
        assert body["deadline"] is not None and len(body["questions"]) == 3
        html = json.dumps(body)
        assert "is_correct" not in html and "Moodler" not in html  # nothing that grades is served
        served_orders.append(tuple((q["id"], tuple(c["text"] for c in q["choices"])) for q in body["questions"]))
        answers = {str(q["id"]): answer_correctly(q) for q in body["questions"]}
        submitted = client.post(
            f"{API}/attempts/{body['id']}/submit", {"answers": answers}, content_type="application/json"
        )
        assert submitted.status_code == 200, submitted.content
        attempt = Attempt.objects.get(pk=body["id"])
        assert attempt.points_earned == attempt.points_possible > 0
    assert len(set(served_orders)) > 1  # randomised: not everyone sat the same paper

    # 4. Projects, submitted on the lesson page and reviewed by two peers each on the review pages.
    for client, enrolment, learner in zip(clients, enrolments, learners, strict=True):
        response = client.post(
            reverse("projects:submit", args=[enrolment.pk, assignment.lesson_id]),
            {
                "text": f"Pipeline {learner.pk}: signed images, a canary at 5 % and an automatic rollback.",
                "links": f"https://git.example.org/{learner.pk}/pipeline",
            },
        )
        assert response.status_code == 302
    assert staff.post(reverse("projects:peer_allocate", args=[provider.slug, assignment.pk])).status_code == 302
    reviews = list(PeerReview.objects.filter(submission__assignment=assignment).select_related("reviewer"))
    assert len(reviews) == 6 and all(r.reviewer_id != r.submission.user_id for r in reviews)
    with TestCase.captureOnCommitCallbacks(execute=True):
        for review in reviews:
            reviewer = clients[learners.index(review.reviewer)]
            page = reviewer.get(reverse("projects:review", args=[review.pk])).content.decode()
            author = review.submission.user
            assert "canary at 5 %" in page and author.full_name not in page  # anonymous
            best = review.submission.user == learners[0]
            response = reviewer.post(
                reverse("projects:review", args=[review.pk]),
                {
                    "criterion-0": "Trustworthy" if best else "Automated",
                    "criterion-1": "Clear",
                    "feedback": "The rollback rehearsal convinced me.",
                },
            )
            assert response.status_code == 302

    # 5. Each learner holds a credential carrying both results, verifiable anywhere.
    anonymous = Client()
    for learner, enrolment in zip(learners, enrolments, strict=True):
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.COMPLETED
        work = assignment.submissions.get(user=learner)
        assert work.status == SubmissionStatus.GRADED
        credential = Credential.objects.get(completion__enrolment=enrolment)
        check(credential)
        served = anonymous.get(reverse("credentials:credential", args=[credential.uuid]), {"format": "json"})
        document = json.loads(served.content)
        assert document == credential.document
        achievement = document["credentialSubject"]["achievement"]
        descriptions = {rd["id"]: rd for rd in achievement["resultDescription"]}
        results = document["credentialSubject"]["result"]
        base = f"https://academy.example/achievements/{mc.public_id}/results"
        part = f"{base}/lesson-{assignment.lesson_id}"
        project = "100" if learner == learners[0] else "66.67"
        best = "3" if learner == learners[0] else "2"
        assert [(r["resultDescription"], r.get("value"), r.get("achievedLevel")) for r in results] == [
            (f"{base}/final-score", "100", None),
            (part, project, None),
            (f"{part}/criteria/1", None, f"{part}/criteria/1/levels/{best}"),
            (f"{part}/criteria/2", None, f"{part}/criteria/2/levels/2"),
        ]
        assert descriptions[part]["name"] == "Capstone: from commit to canary: score"
        assert descriptions[f"{part}/criteria/1"]["resultType"] == "RubricCriterionLevel"
        quiz_evidence, project_evidence = document["evidence"]
        assert (quiz_evidence["name"], quiz_evidence["genre"]) == ("Final quiz", "Assessment")
        assert "passed with 100 % (pass mark 60 %)" in quiz_evidence["description"]
        assert project_evidence["genre"] == "Project"
        assert project_evidence["id"] == f"https://git.example.org/{learner.pk}/pipeline"
        assert "2 peer reviews, combined by their median" in project_evidence["description"]
        assert not any(reviewer.full_name in json.dumps(document) for reviewer in learners if reviewer != learner)

        verified = anonymous.post(f"{API}/verify", {"credential": document}, content_type="application/json")
        assert verified.status_code == 200
        assert verified.json()["valid"] is True, verified.json()
