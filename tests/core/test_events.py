"""The event seam: in-transaction subscribers share the action's fate, after-commit ones run as
tasks only once it commits, and an installation adds its own through the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase

from microcred.accreditation.models import Accreditation
from microcred.accreditation.services import accreditation_grant
from microcred.core import events
from microcred.core.actors import SYSTEM
from microcred.core.errors import ValidationFailed
from microcred.core.models import AuditLog
from microcred.credentials.models import AccreditationEndorsement
from microcred.learning.models import Enrolment
from microcred.learning.services import enrolment_create
from tests.factories import (
    AccreditorFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    published_microcredential,
)

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = "microcred.config.events.SUBSCRIPTIONS"
received: list[events.Event] = []


class Refused(Exception):
    pass


def record(event: events.Event) -> None:
    received.append(event)


def refuse_accreditation(event: events.AccreditationChanged) -> None:
    raise ValidationFailed("The national register refuses this accreditation.")


RECORD_ENROLMENTS = events.Subscription(events.EnrolmentCreated, record, events.Runs.AFTER_COMMIT)
REFUSE_ACCREDITATIONS = [
    events.Subscription(events.AccreditationChanged, refuse_accreditation, events.Runs.IN_TRANSACTION)
]
BY_LAMBDA = events.Subscription(events.EnrolmentCreated, lambda event: None, events.Runs.AFTER_COMMIT)
NOT_A_SUBSCRIPTION = "record"


@pytest.fixture(autouse=True)
def _nothing_received():
    received.clear()
    yield
    received.clear()


@pytest.fixture
def with_installation_subscribers(settings):
    def add(*paths: str) -> None:
        settings.MICROCRED_EVENT_SUBSCRIBERS = [BUILT_IN, *(f"{__name__}.{path}" for path in paths)]

    return add


@pytest.mark.django_db
def test_an_in_transaction_subscriber_that_fails_undoes_the_action(with_installation_subscribers):
    with_installation_subscribers("REFUSE_ACCREDITATIONS")
    accreditor = AccreditorFactory()
    owner = MembershipFactory(organisation=accreditor, role="owner").user
    provider = OrganisationFactory()

    with pytest.raises(ValidationFailed, match="national register"):
        accreditation_grant(
            actor=owner, accreditor=accreditor, provider=provider, scope="Data science", valid_from=date(2025, 1, 1)
        )

    # The built-in endorsement subscriber ran first and signed; the refusal undid it with the grant.
    assert not Accreditation.objects.exists() and not AccreditationEndorsement.objects.exists()
    assert not AuditLog.objects.filter(action__in=["accreditation.grant", "endorsement.issue"]).exists()


@pytest.mark.django_db(transaction=True)
def test_an_after_commit_subscriber_runs_as_a_task_once_the_action_commits(with_installation_subscribers, settings):
    from django_tasks_db.models import DBTaskResult

    with_installation_subscribers("RECORD_ENROLMENTS")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    learner = UserFactory()
    mc = published_microcredential()

    with transaction.atomic():  # as a request would
        enrolment = enrolment_create(actor=learner, microcredential=mc)
        assert not DBTaskResult.objects.exists()  # nothing is queued before the commit

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "microcred.core.events.deliver_event_task"
    assert received == []  # queued, not run: a worker runs it
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    assert received == [events.EnrolmentCreated(actor=learner, enrolment_id=enrolment.pk)]
    assert received[0].actor is not learner  # the task reloaded the learner from their id


@pytest.mark.django_db
def test_an_after_commit_subscriber_does_not_run_when_the_action_rolls_back(with_installation_subscribers):
    with_installation_subscribers("RECORD_ENROLMENTS")
    learner = UserFactory()
    mc = published_microcredential()

    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks, pytest.raises(Refused), transaction.atomic():
        enrolment_create(actor=learner, microcredential=mc)
        raise Refused

    assert callbacks == [] and received == [] and not Enrolment.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        enrolment = enrolment_create(actor=learner, microcredential=mc)
    assert received == [events.EnrolmentCreated(actor=learner, enrolment_id=enrolment.pk)]


@pytest.mark.django_db
def test_the_system_stays_the_system_in_an_after_commit_task(with_installation_subscribers):
    with_installation_subscribers("RECORD_ENROLMENTS")
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        events.emit(events.EnrolmentCreated(actor=SYSTEM, enrolment_id=7))
    assert received == [events.EnrolmentCreated(actor=SYSTEM, enrolment_id=7)]


def test_emitting_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        events.emit(events.EnrolmentCreated(actor=SYSTEM, enrolment_id=1))


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("BY_LAMBDA", "must be a module-level function"),
        ("NOT_A_SUBSCRIPTION", "not a Subscription"),
        ("NO_SUCH_NAME", "cannot import"),
    ],
)
def test_a_misconfigured_installation_subscriber_is_named(with_installation_subscribers, path, message):
    with_installation_subscribers(path)
    with pytest.raises(ImproperlyConfigured, match=message):
        events.subscriptions()


def test_the_built_in_subscriptions_keep_todays_transaction_rules(settings):
    settings.MICROCRED_EVENT_SUBSCRIBERS = [BUILT_IN]
    rules = {(s.event, s.handler_path): s.runs for s in events.subscriptions()}
    assert rules == {
        (
            events.CompletionRecorded,
            "microcred.credentials.services.credential_award_on_completion",
        ): events.Runs.AFTER_COMMIT,
        (
            events.AccreditationChanged,
            "microcred.credentials.services.endorsement_sync_on_accreditation_changed",
        ): events.Runs.IN_TRANSACTION,
        # A quiz lesson's quiz goes and is copied with its lesson, or not at all.
        (
            events.LessonsRemoving,
            "microcred.assessment.services.quizzes_discard_on_lessons_removing",
        ): events.Runs.IN_TRANSACTION,
        (
            events.LessonsCopied,
            "microcred.assessment.services.quizzes_copy_on_lessons_copied",
        ): events.Runs.IN_TRANSACTION,
        # Publishing refuses a required quiz left with unlimited attempts by default (ADR 0026).
        (
            events.MicroCredentialPublishing,
            "microcred.assessment.services.quizzes_check_on_publishing",
        ): events.Runs.IN_TRANSACTION,
        # An assignment lesson's assignment follows its lesson the same way (ADR 0028).
        (
            events.LessonsRemoving,
            "microcred.projects.services.assignments_discard_on_lessons_removing",
        ): events.Runs.IN_TRANSACTION,
        (
            events.LessonsCopied,
            "microcred.projects.services.assignments_copy_on_lessons_copied",
        ): events.Runs.IN_TRANSACTION,
        # A learner who withdraws stops peer reviewing, in the same transaction (ADR 0030).
        (
            events.EnrolmentWithdrawn,
            "microcred.projects.services.peer_reviews_drop_on_enrolment_withdrawn",
        ): events.Runs.IN_TRANSACTION,
        # A credential's change re-plans a learner's path once it commits; in it, only a look-up (ADR 0037).
        (
            events.CredentialIssued,
            "microcred.careers.services.plan_refresh_on_credential_issued",
        ): events.Runs.IN_TRANSACTION,
        **{
            (event, "microcred.careers.services.plan_refresh_on_credential_status_changed"): events.Runs.IN_TRANSACTION
            for event in (events.CredentialRevoked, events.CredentialSuspended, events.CredentialReinstated)
        },
        # A passed placement quiz re-plans the learner's path the same way (ADR 0037).
        (
            events.AttemptGraded,
            "microcred.careers.services.plan_refresh_on_placement_passed",
        ): events.Runs.IN_TRANSACTION,
    }


def test_an_installation_adds_subscribers_through_the_environment():
    """``MICROCRED_EVENT_SUBSCRIBERS=a.b,c.d`` adds to the built-in list; it does not replace it."""
    script = (
        "import django; django.setup(); from microcred.core.events import subscriptions; "
        "print(' '.join(f'{s.event.__name__}:{s.handler.__name__}' for s in subscriptions()))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "microcred.config.settings.test"}
    env["MICROCRED_EVENT_SUBSCRIBERS"] = "tests.subscriptions.HEAR_CREDENTIALS"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "CompletionRecorded:credential_award_on_completion",
        "AccreditationChanged:endorsement_sync_on_accreditation_changed",
        "LessonsRemoving:quizzes_discard_on_lessons_removing",
        "LessonsCopied:quizzes_copy_on_lessons_copied",
        "MicroCredentialPublishing:quizzes_check_on_publishing",
        "LessonsRemoving:assignments_discard_on_lessons_removing",
        "LessonsCopied:assignments_copy_on_lessons_copied",
        "EnrolmentWithdrawn:peer_reviews_drop_on_enrolment_withdrawn",
        "CredentialIssued:plan_refresh_on_credential_issued",
        "CredentialRevoked:plan_refresh_on_credential_status_changed",
        "CredentialSuspended:plan_refresh_on_credential_status_changed",
        "CredentialReinstated:plan_refresh_on_credential_status_changed",
        "AttemptGraded:plan_refresh_on_placement_passed",
        "CredentialIssued:hear",
        "CredentialRevoked:hear",
        "CredentialSuspended:hear",
        "CredentialReinstated:hear",
    ]
