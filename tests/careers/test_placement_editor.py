"""A provider marks a quiz lesson as a placement quiz in the workspace's lesson editor (issue 9
§7): the flag is saved, shown again, and can be cleared."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from microcred.assessment.models import Quiz
from microcred.catalog.services import microcredential_create, module_create
from microcred.core.actors import SYSTEM
from tests.factories import QUIZ_QUESTIONS, MembershipFactory, OrganisationFactory, UserFactory, microcredential_fields

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "Placement",
    "estimated_minutes": "10",
    "questions": json.dumps(QUIZ_QUESTIONS),
    "passing_score": "70",
    "max_attempts": "1",
}


def test_the_lesson_editor_sets_shows_and_clears_the_placement_flag():
    provider = OrganisationFactory(slug="northbridge")
    instructor = UserFactory()
    MembershipFactory(user=instructor, organisation=provider, role="instructor")
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="placed"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Assessment")
    client = Client()
    client.force_login(instructor)
    add = reverse("catalog:workspace_lesson_add", args=["northbridge", mc.pk, module.pk, "quiz"])
    assert "Placement quiz" in client.get(add).content.decode()

    response = client.post(add, {**FIELDS, "placement": "on"})
    assert response.status_code == 302, response.context["form"].errors
    quiz = Quiz.objects.get(lesson__module=module)
    assert quiz.placement

    edit = reverse("catalog:workspace_lesson_edit", args=["northbridge", mc.pk, quiz.lesson_id])
    html = client.get(edit).content.decode()
    assert re.search(r"<input[^>]*name=\"placement\"[^>]*checked", html)
    assert client.post(edit, FIELDS).status_code == 302
    assert not Quiz.objects.get(lesson__module=module).placement
