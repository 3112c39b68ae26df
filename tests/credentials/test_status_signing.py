"""Status lists are signed by the writers that change them and on a schedule; serving a list and
verifying a credential only read (issue 7: "Verification never writes")."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from microcred.credentials.models import Credential, StatusList
from microcred.credentials.resolver import local_key_resolver
from microcred.credentials.services import credential_revoke, credential_suspend, credential_unsuspend
from microcred.credentials.statuslists import LIST_VALIDITY, RESIGN_BEFORE_EXPIRY, list_url
from microcred.credentials.statuslists.services import status_list_refresh_task
from microcred.credentials.vc import verify
from microcred.credentials.vc.statuslist import StatusList as Bitstring
from microcred.verification.services import verify_credential

from .conftest import SITE, complete

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "COPY", "MERGE")
# The one write a verification of our credential makes on purpose: its daily engagement counter
# (ADR 0047), a bare number. Nothing about the credential, its lists or its keys is written.
ENGAGEMENT_TABLE = "CREDENTIALS_CREDENTIALENGAGEMENT"


@contextmanager
def no_database_writes() -> Iterator[list[str]]:
    """Fail any statement that writes (or locks rows for writing) on the default connection, but
    for the engagement counter."""
    seen: list[str] = []

    def refuse(execute, sql, params, many, context):
        text = sql.lstrip().upper()
        seen.append(sql)
        counter = text.startswith(("UPDATE", "INSERT")) and ENGAGEMENT_TABLE in text.split("SET")[0].split("(")[0]
        if (text.startswith(WRITES) and not counter) or " FOR UPDATE" in text or " FOR NO KEY UPDATE" in text:
            raise AssertionError(f"a read wrote to the database: {sql[:200]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield seen


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def _lists_of(credential: Credential) -> dict[str, StatusList]:
    return {
        entry.status_list.purpose: entry.status_list
        for entry in credential.status_entries.select_related("status_list__organisation")
    }


def _age(status_list: StatusList, by: timedelta) -> None:
    """As if the stored copy had been signed ``by`` ago (the document itself is left as it is)."""
    StatusList.objects.filter(pk=status_list.pk).update(published_at=timezone.now() - by)


def _get_list(client, status_list: StatusList) -> dict:
    response = client.get(list_url(status_list).removeprefix(SITE), HTTP_ACCEPT="application/vc+ld+json")
    assert response.status_code == 200
    document = response.json()
    verify(document, resolve_key=local_key_resolver, expected_controller=document["issuer"])
    return document


def _bit(document: dict, index: int) -> int:
    return Bitstring.decode(document["credentialSubject"]["encodedList"]).get(index)


def test_a_list_is_signed_as_it_opens(issued):
    for status_list in _lists_of(issued).values():
        assert status_list.published_document is not None
        assert status_list.published_at is not None


@pytest.mark.parametrize(
    "age",
    [timedelta(0), LIST_VALIDITY - timedelta(hours=1), LIST_VALIDITY + timedelta(days=3)],
    ids=["fresh", "near-expiry", "expired"],
)
def test_verifying_our_credential_and_serving_its_lists_write_nothing(issued, client, age, caplog):
    lists = _lists_of(issued)
    for status_list in lists.values():
        _age(status_list, age)
    stored = {purpose: StatusList.objects.get(pk=s.pk).published_document for purpose, s in lists.items()}

    with caplog.at_level(logging.WARNING), no_database_writes() as statements:
        by_service = verify_credential(data=issued.document, recipient_email="ada.lovelace@example.org")
        by_url = verify_credential(url=issued.document["id"])
        by_api = client.post("/api/v1/verify", {"credential": issued.document}, content_type="application/json")
        served = {purpose: _get_list(client, status_list) for purpose, status_list in lists.items()}

    assert statements, "the wrapper saw the queries"
    assert by_url.valid, by_url.to_json()
    assert by_api.status_code == 200
    if age < LIST_VALIDITY:
        assert by_service.valid, by_service.to_json()
        assert by_api.json()["valid"] is True
    assert served == stored  # the stored copy, byte for byte, however old
    for status_list in lists.values():
        assert StatusList.objects.get(pk=status_list.pk).published_document == stored[status_list.purpose]
    expired_warnings = [r for r in caplog.records if "expired" in r.getMessage()]
    assert bool(expired_warnings) == (age >= LIST_VALIDITY)


def test_a_list_without_a_stored_copy_is_served_signed_without_writing(issued, client, caplog):
    revocation = _lists_of(issued)["revocation"]
    StatusList.objects.filter(pk=revocation.pk).update(published_document=None, published_at=None)

    with caplog.at_level(logging.WARNING), no_database_writes():
        document = _get_list(client, revocation)
        report = verify_credential(data=issued.document)

    assert document["id"] == list_url(revocation)
    assert report.valid, report.to_json()
    assert StatusList.objects.get(pk=revocation.pk).published_document is None
    assert any("refresh-status-lists" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("change", ["revoke", "suspend", "unsuspend"])
def test_a_status_change_re_signs_the_list_at_once(world, issued, client, change):
    lists = _lists_of(issued)
    purpose = "revocation" if change == "revoke" else "suspension"
    index = int(issued.status_entries.get(status_list__purpose=purpose).index)
    if change == "unsuspend":
        credential_suspend(actor=world.instructor, credential=issued, reason="Under review")
    before = _get_list(client, lists[purpose])

    if change == "revoke":
        credential_revoke(actor=world.instructor, credential=issued, reason="Assessment misconduct")
    elif change == "suspend":
        credential_suspend(actor=world.instructor, credential=issued, reason="Under review")
    else:
        credential_unsuspend(actor=world.instructor, credential=issued)

    with no_database_writes():
        after = _get_list(client, lists[purpose])  # verified: a valid proof over the new bits
        report = verify_credential(data=issued.document)
    assert _bit(after, index) == (0 if change == "unsuspend" else 1)
    assert _bit(before, index) == (1 if change == "unsuspend" else 0)
    expected = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "valid"}[change]
    assert report.outcome.value == expected, report.to_json()


def test_refresh_command_re_signs_lists_near_expiry_only(issued, client):
    lists = _lists_of(issued)
    due, current = lists["revocation"], lists["suspension"]
    _age(due, LIST_VALIDITY - timedelta(hours=12))
    _age(current, timedelta(days=2))
    untouched = StatusList.objects.get(pk=current.pk).published_document

    out = StringIO()
    call_command("credentials", "refresh-status-lists", stdout=out)

    assert list_url(due) in out.getvalue() and list_url(current) not in out.getvalue()
    assert "Re-signed 1 status list(s)" in out.getvalue()
    refreshed = StatusList.objects.get(pk=due.pk)
    assert timezone.now() - refreshed.published_at < timedelta(minutes=1)
    document = _get_list(client, refreshed)
    assert document == refreshed.published_document
    valid_until = document["validUntil"].replace("Z", "+00:00")
    assert valid_until > (timezone.now() + LIST_VALIDITY - timedelta(minutes=1)).isoformat()
    assert StatusList.objects.get(pk=current.pk).published_document == untouched

    again = StringIO()
    call_command("credentials", "refresh-status-lists", stdout=again)
    assert "Re-signed 0 status list(s)" in again.getvalue()


def test_refresh_signs_a_list_that_has_no_copy_yet(issued):
    suspension = _lists_of(issued)["suspension"]
    StatusList.objects.filter(pk=suspension.pk).update(published_document=None, published_at=None)

    call_command("credentials", "refresh-status-lists", stdout=StringIO())

    stored = StatusList.objects.get(pk=suspension.pk).published_document
    assert stored is not None
    verify(stored, resolve_key=local_key_resolver, expected_controller=stored["issuer"])


def test_the_scheduled_task_re_signs_a_due_list_and_leaves_a_current_one(issued):
    lists = _lists_of(issued)
    _age(lists["revocation"], LIST_VALIDITY - timedelta(hours=1))
    current = StatusList.objects.get(pk=lists["suspension"].pk).published_document

    assert status_list_refresh_task.call(lists["revocation"].pk)["outcome"] == "re-signed"
    assert status_list_refresh_task.call(lists["suspension"].pk)["outcome"] == "not due"
    assert StatusList.objects.get(pk=lists["suspension"].pk).published_document == current
    refreshed = StatusList.objects.get(pk=lists["revocation"].pk)
    assert timezone.now() - refreshed.published_at < timedelta(minutes=1)
    assert refreshed.published_document["validFrom"] == refreshed.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_each_signing_queues_the_lists_next_re_signing_for_its_due_time(world, issued, settings):
    from django.test import TestCase
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    revocation = _lists_of(issued)["revocation"]

    with TestCase.captureOnCommitCallbacks(execute=True):
        credential_revoke(actor=world.instructor, credential=issued, reason="Issued in error")

    signed_at = StatusList.objects.get(pk=revocation.pk).published_at
    queued = DBTaskResult.objects.filter(task_path=status_list_refresh_task.module_path)
    assert [(task.args_kwargs["args"], task.run_after) for task in queued] == [
        ([revocation.pk], signed_at + LIST_VALIDITY - RESIGN_BEFORE_EXPIRY)
    ]


def test_a_list_opened_while_replaying_the_past_is_signed_for_today(world):
    """The demo issues past credentials under a shifted clock; their lists are published today."""
    from microcred.core.clock import shifted_to

    with shifted_to(timezone.now() - timedelta(days=400)):
        credential = Credential.objects.get(completion=complete(world.mc, world.learner))

    assert credential.issued_at < timezone.now() - timedelta(days=399)
    for status_list in _lists_of(credential).values():
        assert timezone.now() - status_list.published_at < timedelta(minutes=1)
    report = verify_credential(data=credential.document)
    assert report.valid, report.to_json()
