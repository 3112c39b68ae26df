"""Issue 9 §6: a learner who enrols in something that does nothing for their goal is told so,
kindly, right after enrolling, on the page and in the API's answer (``notes.goal_relevance``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from microcred.careers.services import career_goal_set
from tests.careers.plan_world import PlanWorld, build_world

pytestmark = pytest.mark.django_db

KIND_WORD = (
    "This course doesn’t close any of the gaps for your goal of Data analyst — it may still be worth it for you."
)


@pytest.fixture
def world(careers) -> PlanWorld:
    return build_world(careers)


def _analyst(careers) -> None:
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)


def test_enrolling_in_a_course_that_closes_no_gap_says_so_kindly(careers, world, signed_in):
    _analyst(careers)
    client = signed_in(careers.learner)
    page = client.post(reverse("learning:enrol", args=[world.python_intro.pk]), follow=True).content.decode()
    assert "You are enrolled in Python Intro" in page
    assert KIND_WORD in page


def test_enrolling_in_a_step_towards_the_goal_says_nothing_more(careers, world, signed_in):
    _analyst(careers)
    client = signed_in(careers.learner)
    page = client.post(reverse("learning:enrol", args=[world.sql_basics.pk]), follow=True).content.decode()
    assert "You are enrolled in SQL Basics" in page
    assert "doesn’t close any of the gaps" not in page


def test_a_learner_without_a_goal_is_told_nothing_about_goals(careers, world, signed_in):
    page = signed_in(careers.learner).post(reverse("learning:enrol", args=[world.python_intro.pk]), follow=True)
    assert "gaps for your goal" not in page.content.decode()


def test_the_api_answers_the_kind_word_once_on_the_new_enrolment(careers, world, signed_in):
    _analyst(careers)
    client = signed_in(careers.learner)
    created = client.post(
        "/api/v1/enrolments", {"microcredential_id": world.python_intro.pk}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["notes"]["goal_relevance"].startswith(KIND_WORD)
    again = client.post(
        "/api/v1/enrolments", {"microcredential_id": world.python_intro.pk}, content_type="application/json"
    )
    assert again.status_code == 200 and again.json()["notes"] == {}
    helpful = client.post(
        "/api/v1/enrolments", {"microcredential_id": world.sql_basics.pk}, content_type="application/json"
    )
    assert helpful.status_code == 201 and helpful.json()["notes"] == {}
