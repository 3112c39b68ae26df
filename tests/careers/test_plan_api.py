"""The gap and the learning plan through the JSON API: the caller's own only."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from microcred.careers.services import career_goal_set
from tests.api.conftest import assert_problem
from tests.careers.plan_world import PlanWorld, build_world

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def world(careers) -> PlanWorld:
    return build_world(careers)


@pytest.fixture
def token_client():
    from microcred.accounts.services import api_token_create

    def make(user) -> Client:
        _, secret = api_token_create(actor=user, name="tests")
        return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def post(client: Client, path: str, body=None):
    return client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/me/gap"), ("get", "/me/plan"), ("post", "/me/plan"), ("get", "/me/plan/1.ics")]
)
def test_the_gap_and_the_plan_need_authentication(careers, method, path):
    assert_problem(getattr(Client(), method)(f"{API}{path}"), 401, "authentication_required")


def test_gap_plan_accept_and_calendar(careers, world, token_client):
    client = token_client(careers.learner)
    assert client.get(f"{API}/me/gap").json() == {"target": "", "open": 0, "market_data": False, "items": []}
    assert_problem(post(client, "/me/plan"), 409, "no_goal")
    assert_problem(client.get(f"{API}/me/plan"), 404, "not_found")
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    gap = client.get(f"{API}/me/gap").json()
    assert (gap["target"], gap["open"]) == ("Data analyst", 2)
    assert gap["items"][0]["skill"]["label"] == "SQL" and gap["items"][0]["status"] == "missing"
    assert gap["items"][0]["explanation"].startswith("Essential for Data analyst, required at intermediate")

    created = post(client, "/me/plan", {"objective": "least_cost"})
    assert created.status_code == 201, created.content
    plan = created.json()
    assert [s["title"] for s in plan["steps"]] == ["SQL Basics", "SQL auf Deutsch"]
    assert plan["quality"] == "optimal" and plan["status"] == "current" and plan["accepted_at"] is None
    assert plan["totals"]["price"] == "190.00" and "sessions" not in plan["totals"]
    assert client.get(f"{API}/me/plan").json()["id"] == plan["id"]

    accepted = post(client, f"/me/plan/{plan['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["accepted_at"] is not None
    calendar = client.get(f"{API}/me/plan/{plan['id']}.ics")
    assert calendar.status_code == 200 and calendar["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in calendar.content

    newer = post(client, "/me/plan").json()
    assert newer["changes"] and newer["id"] != plan["id"]
    assert_problem(post(client, f"/me/plan/{plan['id']}/accept"), 409, "plan_superseded")


def test_a_bad_objective_is_a_field_error(careers, world, token_client):
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    body = assert_problem(
        post(token_client(careers.learner), "/me/plan", {"objective": "fastest"}), 422, "validation_failed"
    )
    assert [e["field"] for e in body["errors"]] == ["body.objective"]


def test_another_learners_plan_is_not_found(careers, world, token_client):
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    plan = post(token_client(careers.learner), "/me/plan").json()
    other = token_client(careers.other)
    assert_problem(post(other, f"/me/plan/{plan['id']}/accept"), 404, "not_found")
    assert_problem(other.get(f"{API}/me/plan/{plan['id']}.ics"), 404, "not_found")
