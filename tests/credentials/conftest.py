"""A learner who completed a micro-credential the real way, and the people around them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client, TestCase

from microcred.accounts.models import Organisation, User
from microcred.assessment.services import attempt_start, attempt_submit
from microcred.catalog.models import Lesson, LessonKind, MicroCredential
from microcred.credentials import links
from microcred.credentials.certificates.content import fetched_fonts_dir
from microcred.credentials.certificates.fallback_fonts import CJK_FONT_FILE
from microcred.learning.models import Completion
from microcred.learning.services import enrolment_create, lesson_complete
from tests.factories import MembershipFactory, UserFactory, correct_answers, published_microcredential

SITE = "https://academy.example"


@pytest.fixture(autouse=True)
def _site(settings):
    # An HTTPS host name, as in production, so did:web documents can be built too.
    settings.SITE_URL = SITE


def served_contexts(document: Mapping[str, Any]) -> dict[str, Any]:
    """The contexts a credential names on this installation (ADR 0041), as its view serves them:
    handed to the JavaScript reference stack, which never fetches, along with the key."""
    served: dict[str, Any] = {}
    for url in document.get("@context", []):
        if isinstance(url, str) and links.is_local(url):
            response = Client().get(urlsplit(url).path, HTTP_ACCEPT="application/ld+json")
            assert response.status_code == 200, (url, response.status_code)
            served[url] = response.json()
    return served


def complete(mc: MicroCredential, learner: User, *, award: bool = True) -> Completion:
    """Enrol, do every required lesson and pass the final quiz, through the learner's services;
    with ``award=False`` the awarding (after commit) is left out, for a test that issues itself."""
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    for lesson in Lesson.objects.filter(module__microcredential=mc, required=True).exclude(kind=LessonKind.QUIZ):
        lesson_complete(actor=learner, enrolment=enrolment, lesson=lesson)
    quiz = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ).quiz
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    # Awarding runs after the completion commits; the test transaction never commits, so run
    # the on-commit callbacks (the immediate task backend then issues the credential).
    with TestCase.captureOnCommitCallbacks(execute=award):
        attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))
    return Completion.objects.get(enrolment=enrolment)


@dataclass
class World:
    provider: Organisation
    mc: MicroCredential
    learner: User
    owner: User
    instructor: User
    grader: User
    outsider_instructor: User


@pytest.fixture
def world(db) -> World:
    from tests.factories import OrganisationFactory

    provider = OrganisationFactory(name="Example Academy", slug="example-academy", email="badges@academy.example")
    other = OrganisationFactory(name="Other Academy", slug="other-academy")
    mc = published_microcredential(provider=provider)
    people: dict[str, Any] = {}
    for role in ("owner", "instructor", "grader"):
        people[role] = MembershipFactory(organisation=provider, role=role).user
    outsider = MembershipFactory(organisation=other, role="instructor").user
    return World(
        provider=provider,
        mc=mc,
        learner=UserFactory(email="Ada.Lovelace@Example.org", full_name="Ada Lovelace"),
        owner=people["owner"],
        instructor=people["instructor"],
        grader=people["grader"],
        outsider_instructor=outsider,
    )


@pytest.fixture
def cjk_fonts():
    """The fetched Noto Sans CJK (``make fonts``): without it these tests skip, or fail in CI."""
    directory = fetched_fonts_dir()
    if not (directory / CJK_FONT_FILE).is_file():
        message = f"{CJK_FONT_FILE} is not in {directory}: run `make fonts`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return directory
