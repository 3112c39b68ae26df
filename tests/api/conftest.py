"""Clients for the JSON API: anonymous, signed in through the session, or holding a personal token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from microcred.accounts.models import User
from microcred.accounts.services import api_token_create
from microcred.catalog.models import Lesson, LessonKind, MicroCredential
from tests.factories import UserFactory, published_microcredential

API = "/api/v1"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Every error is RFC 9457 problem details with our stable code; returns the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"https://microcred.org/problems/{code}"
    assert body["instance"] == response.wsgi_request.path
    assert body["title"] and body["detail"]
    return body


def error_fields(body: dict[str, Any]) -> set[str]:
    return {error["field"] for error in body.get("errors") or []}


@pytest.fixture
def mc(db) -> MicroCredential:
    return published_microcredential()


@pytest.fixture
def learner(db) -> User:
    return UserFactory()


@pytest.fixture
def session_client() -> Callable[[User], Client]:
    def make(user: User, *, enforce_csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def token_client() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        _, secret = api_token_create(actor=user, name="tests")
        # Token requests must pass the real CSRF machinery untouched, as scripts would.
        return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


@pytest.fixture
def api(learner, session_client) -> Client:
    """The learner's browser session."""
    return session_client(learner)


def lesson_of(mc: MicroCredential, kind: str) -> Lesson:
    return Lesson.objects.get(module__microcredential=mc, kind=kind)


def reading(mc: MicroCredential) -> Lesson:
    return lesson_of(mc, LessonKind.READING)


def quiz_lesson(mc: MicroCredential) -> Lesson:
    return lesson_of(mc, LessonKind.QUIZ)
