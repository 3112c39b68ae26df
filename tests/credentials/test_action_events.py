"""Cohort issuing, grading and key rotation tell an installation's subscribers what happened, once
the action commits, and nothing when it is refused or rolled back."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import TestCase

from microcred.assessment.models import Attempt
from microcred.assessment.services import attempt_start, attempt_submit
from microcred.catalog.models import Lesson, LessonKind
from microcred.core import events
from microcred.core.actors import SYSTEM
from microcred.core.errors import PermissionDenied
from microcred.credentials.cohort import CohortCheckFailed
from microcred.credentials.keys.services import issuer_key_active, issuer_key_rotate
from microcred.credentials.models import Credential
from microcred.credentials.services import credentials_issue_cohort
from microcred.learning.services import enrolment_create
from tests import subscriptions
from tests.factories import UserFactory, correct_answers
from tests.subscriptions import NO_AWARDING

from .conftest import complete

pytestmark = pytest.mark.django_db
HEAR_ACTIONS = "tests.subscriptions.HEAR_ACTIONS"


class Refused(Exception):
    pass


@pytest.fixture(autouse=True)
def heard():
    subscriptions.heard.clear()
    yield subscriptions.heard
    subscriptions.heard.clear()


@pytest.fixture
def hearing(settings):
    settings.MICROCRED_EVENT_SUBSCRIBERS = [*NO_AWARDING, HEAR_ACTIONS]


def of_type(heard, event_type):
    return [event for event in heard if type(event) is event_type]


def refuse(count: int) -> None:
    raise CohortCheckFailed("The registrar stopped the run.")


def test_a_cohort_emits_credential_issued_for_each_credential_as_single_issuing_does(world, hearing, heard):
    for _ in range(4):
        complete(world.mc, UserFactory())
    heard.clear()  # grading the quizzes was heard too

    with TestCase.captureOnCommitCallbacks(execute=True):
        report = credentials_issue_cohort(actor=world.owner, microcredential=world.mc, chunk_size=3, workers=0)

    assert report.issued == 4
    issued = {(c.pk, c.completion_id) for c in Credential.objects.all()}
    assert {(e.credential_id, e.completion_id) for e in of_type(heard, events.CredentialIssued)} == issued
    assert all(e.actor == world.owner for e in of_type(heard, events.CredentialIssued))
    assert len(of_type(heard, events.CredentialIssued)) == 4


def test_a_rolled_back_cohort_chunk_emits_nothing(world, hearing, heard):
    for _ in range(3):
        complete(world.mc, UserFactory())
    heard.clear()

    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(CohortCheckFailed):
        credentials_issue_cohort(actor=world.owner, microcredential=world.mc, workers=0, on_chunk=refuse)

    assert not Credential.objects.exists() and of_type(heard, events.CredentialIssued) == []


def graded(attempt: Attempt, *, score: str, passed: bool) -> events.AttemptGraded:
    return events.AttemptGraded(
        actor=attempt.user,
        attempt_id=attempt.pk,
        quiz_id=attempt.quiz_id,
        enrolment_id=attempt.enrolment_id,
        score=score,
        passed=passed,
    )


def test_grading_an_attempt_emits_attempt_graded(world, settings, heard):
    settings.MICROCRED_EVENT_SUBSCRIBERS = [*NO_AWARDING, HEAR_ACTIONS]
    enrolment = enrolment_create(actor=world.learner, microcredential=world.mc)
    quiz = Lesson.objects.get(module__microcredential=world.mc, kind=LessonKind.QUIZ).quiz
    attempt = attempt_start(actor=world.learner, quiz=quiz, enrolment=enrolment)
    assert (attempt.quiz_id, attempt.enrolment_id) == (quiz.pk, enrolment.pk)

    with TestCase.captureOnCommitCallbacks(execute=True):
        submitted = attempt_submit(actor=world.learner, attempt=attempt, answers=correct_answers(attempt))

    assert heard == [graded(attempt, score="100.00", passed=True)]
    assert submitted.score == 100

    # Submitting again returns the same result (idempotent, issue 8): nothing more is heard.
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = attempt_submit(actor=world.learner, attempt=attempt, answers=correct_answers(attempt))
    assert again.score == submitted.score
    assert len(heard) == 1


def test_a_failed_attempt_is_heard_as_failed_and_a_rolled_back_one_not_at_all(world, settings, heard):
    settings.MICROCRED_EVENT_SUBSCRIBERS = [*NO_AWARDING, HEAR_ACTIONS]
    enrolment = enrolment_create(actor=world.learner, microcredential=world.mc)
    quiz = Lesson.objects.get(module__microcredential=world.mc, kind=LessonKind.QUIZ).quiz
    failed = attempt_start(actor=world.learner, quiz=quiz, enrolment=enrolment)
    with TestCase.captureOnCommitCallbacks(execute=True):
        attempt_submit(actor=world.learner, attempt=failed, answers={})
    assert heard == [graded(failed, score="0.00", passed=False)]

    rolled_back = attempt_start(actor=world.learner, quiz=quiz, enrolment=enrolment)
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(Refused), transaction.atomic():
        attempt_submit(actor=world.learner, attempt=rolled_back, answers={})
        raise Refused
    assert len(heard) == 1 and not Attempt.objects.get(pk=rolled_back.pk).is_submitted


def test_rotating_an_issuer_key_emits_issuer_key_rotated(world, settings, heard):
    settings.MICROCRED_EVENT_SUBSCRIBERS = [*NO_AWARDING, HEAR_ACTIONS]
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = issuer_key_active(organisation=world.provider)
        second = issuer_key_rotate(actor=world.owner, organisation=world.provider)

    assert heard == [
        events.IssuerKeyRotated(
            actor=SYSTEM, organisation_id=world.provider.pk, old_key_id=None, new_key_id=first.key_id
        ),
        events.IssuerKeyRotated(
            actor=world.owner, organisation_id=world.provider.pk, old_key_id="key-1", new_key_id=second.key_id
        ),
    ]
    assert second.key_id == "key-2"


def test_a_refused_or_rolled_back_rotation_emits_nothing(world, settings, heard):
    settings.MICROCRED_EVENT_SUBSCRIBERS = [*NO_AWARDING, HEAR_ACTIONS]
    issuer_key_active(organisation=world.provider)
    heard.clear()

    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(PermissionDenied):
        issuer_key_rotate(actor=world.instructor, organisation=world.provider)
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(Refused), transaction.atomic():
        issuer_key_rotate(actor=world.owner, organisation=world.provider)
        raise Refused

    assert heard == []
    assert issuer_key_active(organisation=world.provider).key_id == "key-1"
