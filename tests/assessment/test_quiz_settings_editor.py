"""The quiz settings in the workspace's lesson editor (catalog's page, assessment's fields):
attempt rules, shuffling, grading method and review options, with the publish-time rule on
unlimited attempts said while editing."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from microcred.assessment.models import Quiz
from microcred.catalog.services import microcredential_create, module_create
from microcred.core.actors import SYSTEM
from tests.factories import (
    QUIZ_QUESTIONS,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    microcredential_fields,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    provider = OrganisationFactory(slug="northbridge")
    instructor = UserFactory()
    MembershipFactory(user=instructor, organisation=provider, role="instructor")
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="editor"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Assessment")
    client = Client()
    client.force_login(instructor)
    add = reverse("catalog:workspace_lesson_add", args=["northbridge", mc.pk, module.pk, "quiz"])
    return client, add, mc, module


BASE = {"title": "Final", "estimated_minutes": "10", "required": "on", "questions": json.dumps(QUIZ_QUESTIONS)}


def test_a_required_quiz_must_say_how_many_attempts(editor):
    client, add, _mc, module = editor
    response = client.post(add, {**BASE, "passing_score": "70"})
    assert response.status_code == 200
    assert "set the number of attempts allowed, or tick “Unlimited attempts”" in response.content.decode()
    assert not module.lessons.exists()
    response = client.post(add, {**BASE, "passing_score": "70", "unlimited_attempts": "on"})
    assert response.status_code == 302
    assert Quiz.objects.get(lesson__module=module).unlimited_attempts


def test_the_settings_are_saved_and_shown_again(editor):
    client, add, mc, module = editor
    page = client.get(add).content.decode()
    for label in ("Grading method", "Question order", "Time limit (minutes)", "Right after the attempt"):
        assert label in page
    response = client.post(
        add,
        {
            **BASE,
            "passing_score": "70",
            "max_attempts": "2",
            "time_limit_minutes": "20",
            "attempt_delay_minutes": "30",
            "opens_at": "2026-01-01T09:00",
            "closes_at": "2030-01-01T09:00",
            "grading_method": "average",
            "shuffle_questions": "0",
            "shuffle_options": "1",
            "review_custom": "on",
            "review_immediately": ["score"],
            "review_open": ["score", "correctness"],
            "review_closed": ["score", "correctness", "answers", "feedback"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    quiz = Quiz.objects.get(lesson__module=module)
    assert (quiz.max_attempts, quiz.time_limit_minutes, quiz.attempt_delay_minutes) == (2, 20, 30)
    assert (quiz.grading_method, quiz.shuffle_questions, quiz.shuffle_options) == ("average", False, True)
    assert quiz.closes_at.year == 2030
    assert quiz.review_options == {
        "during": [],
        "immediately": ["score"],
        "open": ["correctness", "score"],
        "closed": ["answers", "correctness", "feedback", "score"],
        "hold_until_settled": False,
    }
    edit = client.get(reverse("catalog:workspace_lesson_edit", args=["northbridge", mc.pk, quiz.lesson_id]))
    initial = edit.context["form"].initial
    assert initial["review_custom"] is True and initial["review_open"] == ["correctness", "score"]
    assert initial["grading_method"] == "average" and initial["shuffle_questions"] == "0"


def test_a_close_before_the_opening_is_refused_on_the_form(editor):
    client, add, _mc, module = editor
    response = client.post(
        add,
        {
            **BASE,
            "passing_score": "70",
            "max_attempts": "2",
            "opens_at": "2026-02-01T09:00",
            "closes_at": "2026-01-01T09:00",
        },
    )
    assert response.status_code == 200 and "The quiz must open before it closes." in response.content.decode()
    assert not module.lessons.exists()
