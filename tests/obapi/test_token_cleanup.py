"""Expired tokens and grants leave by themselves while the background worker runs (ADR 0049):
issuing a token queues one clearing a day later, the worker's run clears what expired and queues
the next, and the queue never holds more than one."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from microcred.obapi.token_cleanup import CLEAR_EVERY, expired_tokens_clear_schedule, expired_tokens_clear_task
from tests.factories import UserFactory
from tests.obapi.conftest import authorize, basic, register, token

pytestmark = pytest.mark.django_db(transaction=True)  # the worker takes its task in a transaction of its own

WORKER = ["db_worker", "--batch", "--no-startup-delay", "--interval", "0"]


@pytest.fixture
def worker_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def clearings(status: str = "READY"):
    return DBTaskResult.objects.filter(task_path=expired_tokens_clear_task.module_path, status=status)


def make_due(*results: DBTaskResult) -> None:
    DBTaskResult.objects.filter(pk__in=[result.pk for result in results]).update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def checksum(value: str) -> str:
    """How django-oauth-toolkit stores a token (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE)."""
    return hashlib.sha256(value.encode()).hexdigest()


def tokens_for(client: Client, registration: dict) -> dict:
    code, verifier = authorize(client, UserFactory(), registration)
    return token(client, registration, code, verifier)


def test_issuing_tokens_queues_one_clearing_a_day_later_however_many_are_issued(worker_queue):
    client = Client()
    registration = register(client)
    before = timezone.now()
    tokens_for(client, registration)
    tokens_for(client, registration)
    refreshed = client.post(
        "/ims/ob/v3p0/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens_for(client, registration)["refresh_token"]},
        HTTP_AUTHORIZATION=basic(registration),
    )
    assert refreshed.status_code == 200

    [queued] = clearings()
    assert before + CLEAR_EVERY <= queued.run_after <= timezone.now() + CLEAR_EVERY
    assert expired_tokens_clear_schedule() is False  # one is queued: no second


def test_the_worker_clears_expired_tokens_keeps_live_ones_and_queues_the_next_clearing(worker_queue):
    client = Client()
    registration = register(client)
    live = tokens_for(client, registration)
    dormant = tokens_for(client, registration)  # unused for longer than a refresh token lives
    lapsed = tokens_for(client, registration)  # its access token expired, its refresh token still good
    authorize(client, UserFactory(), registration)  # a code never traded
    now = timezone.now()
    AccessToken.objects.filter(refresh_token__token_checksum=checksum(dormant["refresh_token"])).update(
        expires=now - timedelta(days=91)
    )
    AccessToken.objects.filter(refresh_token__token_checksum=checksum(lapsed["refresh_token"])).update(
        expires=now - timedelta(hours=1)
    )
    Grant.objects.update(expires=now - timedelta(seconds=1))
    [queued] = clearings()
    make_due(queued)

    call_command(*WORKER, verbosity=0)

    assert {t.token_checksum for t in RefreshToken.objects.all()} == {
        checksum(live["refresh_token"]),
        checksum(lapsed["refresh_token"]),
    }
    assert AccessToken.objects.count() == 2 and not Grant.objects.exists()
    ran = DBTaskResult.objects.get(pk=queued.pk)
    assert ran.status == "SUCCESSFUL"
    assert ran.return_value == {
        "access_tokens": 1,
        "refresh_tokens": 1,
        "grants": 1,
        "remaining": 4,
        "queued_next": True,
    }
    [following] = clearings()
    assert timezone.now() + CLEAR_EVERY - timedelta(minutes=1) < following.run_after <= timezone.now() + CLEAR_EVERY
    # Live tokens still work.
    response = client.get("/ims/ob/v3p0/profile", HTTP_AUTHORIZATION=f"Bearer {live['access_token']}")
    assert response.status_code == 200


def test_two_clearings_queued_together_fold_back_into_one(worker_queue):
    client = Client()
    tokens_for(client, register(client))
    first = clearings().get()
    second_result = expired_tokens_clear_task.enqueue()  # as a race between two issuances would
    make_due(first, DBTaskResult.objects.get(pk=second_result.id))

    call_command(*WORKER, verbosity=0)

    ran = clearings("SUCCESSFUL")
    assert sorted(result.return_value["queued_next"] for result in ran) == [False, True]
    assert clearings().count() == 1


def test_with_nothing_left_to_expire_the_chain_stops_until_the_next_token(worker_queue):
    expired_tokens_clear_task.enqueue()
    make_due(*clearings())

    call_command(*WORKER, verbosity=0)

    assert clearings("SUCCESSFUL").get().return_value["queued_next"] is False
    assert not clearings().exists()
    client = Client()
    tokens_for(client, register(client))
    assert clearings().count() == 1


def test_without_a_worker_queue_nothing_is_queued_and_cleartokens_still_clears():
    """The immediate backend (development, tests) cannot defer: cron's `cleartokens` does it."""
    client = Client()
    tokens = tokens_for(client, register(client))
    assert expired_tokens_clear_schedule() is False and not clearings().exists()
    AccessToken.objects.update(expires=timezone.now() - timedelta(days=91))

    call_command("cleartokens")

    assert not RefreshToken.objects.filter(token_checksum=checksum(tokens["refresh_token"])).exists()
    assert not AccessToken.objects.exists()
