"""Revoking, suspending and reinstating: the bits anyone can check, and who may flip them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from microcred.core.actors import SYSTEM
from microcred.core.errors import AuthenticationRequired, Conflict, PermissionDenied, ValidationFailed
from microcred.core.models import AuditLog
from microcred.credentials.models import Credential, CredentialStatus, StatusEntry
from microcred.credentials.resolver import local_key_resolver, local_status_entries
from microcred.credentials.services import credential_revoke, credential_suspend, credential_unsuspend
from microcred.credentials.statuslists import entry_json
from microcred.credentials.vc import Revoked, Suspended, check_entry, verify
from microcred.credentials.vc.statuslist import StatusList as Bitstring
from tests.subscriptions import NO_AWARDING

from .conftest import SITE, complete

pytestmark = pytest.mark.django_db


def served_list(client, url: str) -> dict:
    response = client.get(url.removeprefix(SITE), HTTP_ACCEPT="application/vc+ld+json")
    assert response.status_code == 200
    document = response.json()
    # A list is only trusted after its own proof checks out, under the issuer's key.
    verify(document, resolve_key=local_key_resolver, expected_controller=document["issuer"])
    return document


def entries_of(credential: Credential) -> dict[str, dict]:
    return {
        e.status_list.purpose: entry_json(e)
        for e in StatusEntry.objects.filter(credential=credential).select_related("status_list__organisation")
    }


def bit(client, entry: dict) -> int:
    document = served_list(client, entry["statusListCredential"])
    return Bitstring.decode(document["credentialSubject"]["encodedList"]).get(int(entry["statusListIndex"]))


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def test_revoke_sets_the_revocation_bit_for_good(world, issued, client):
    entries = entries_of(issued)
    assert entries["revocation"] == issued.document["credentialStatus"]
    before = served_list(client, entries["revocation"]["statusListCredential"])
    assert check_entry(entries["revocation"], before, now=timezone.now()) == 0

    revoked = credential_revoke(actor=world.instructor, credential=issued, reason="Assessment misconduct")

    assert revoked.status == CredentialStatus.REVOKED and revoked.status_reason == "Assessment misconduct"
    after = served_list(client, entries["revocation"]["statusListCredential"])
    assert after["credentialSubject"]["encodedList"] != before["credentialSubject"]["encodedList"]
    with pytest.raises(Revoked):
        check_entry(entries["revocation"], after, now=timezone.now())
    # Only that one bit changed, and the suspension list is untouched.
    bits = Bitstring.decode(after["credentialSubject"]["encodedList"]).to_bytes()
    changed = [i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))]
    assert changed == [int(entries["revocation"]["statusListIndex"])]
    assert bit(client, entries["suspension"]) == 0
    audit = AuditLog.objects.get(action="credential.revoke")
    assert audit.actor_id == world.instructor.pk and audit.data["reason"] == "Assessment misconduct"

    with pytest.raises(Conflict) as exc:
        credential_revoke(actor=world.owner, credential=issued, reason="again")
    assert exc.value.code == "already_revoked"
    with pytest.raises(Conflict):
        credential_suspend(actor=world.owner, credential=issued, reason="too late")


def test_suspend_and_unsuspend_flip_the_suspension_bit(world, issued, client):
    entries = entries_of(issued)
    credential_suspend(actor=world.owner, credential=issued, reason="Under review")
    assert bit(client, entries["suspension"]) == 1
    with pytest.raises(Suspended):
        check_entry(entries["suspension"], served_list(client, entries["suspension"]["statusListCredential"]))
    assert bit(client, entries["revocation"]) == 0
    with pytest.raises(Conflict):
        credential_suspend(actor=world.owner, credential=issued, reason="twice")

    reinstated = credential_unsuspend(actor=world.instructor, credential=issued)
    assert reinstated.status == CredentialStatus.ACTIVE and reinstated.status_reason == ""
    document = served_list(client, entries["suspension"]["statusListCredential"])
    assert check_entry(entries["suspension"], document) == 0
    with pytest.raises(Conflict) as exc:
        credential_unsuspend(actor=world.owner, credential=issued)
    assert exc.value.code == "not_suspended"
    assert list(AuditLog.objects.filter(action__startswith="credential.").values_list("action", flat=True)) == [
        "credential.unsuspend",
        "credential.suspend",
        "credential.issue",
    ]
    # Our own verifier learns both entries, although the credential can name only one.
    assert sorted(e["statusPurpose"] for e in local_status_entries(issued.document["id"])) == [
        "revocation",
        "suspension",
    ]


@pytest.mark.parametrize("who", ["learner", "grader", "outsider_instructor"])
def test_only_the_issuers_owners_and_instructors_may_change_status(world, issued, who, client):
    actor = getattr(world, who)
    for change in (credential_revoke, credential_suspend):
        with pytest.raises(PermissionDenied):
            change(actor=actor, credential=issued, reason="no")
    issued.refresh_from_db()
    assert issued.status == CredentialStatus.ACTIVE
    assert bit(client, entries_of(issued)["revocation"]) == 0


def test_anonymous_cannot_revoke(issued):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AuthenticationRequired):
        credential_revoke(actor=AnonymousUser(), credential=issued, reason="x")


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_reason_is_required_and_nothing_changes_without_one(world, issued, client, reason):
    with pytest.raises(ValidationFailed) as exc:
        credential_revoke(actor=world.owner, credential=issued, reason=reason)
    assert "reason" in exc.value.errors
    with pytest.raises(ValidationFailed):
        credential_suspend(actor=world.owner, credential=issued, reason=reason)
    issued.refresh_from_db()
    assert issued.status == CredentialStatus.ACTIVE
    assert bit(client, entries_of(issued)["revocation"]) == 0
    assert not AuditLog.objects.filter(action="credential.revoke").exists()


def test_status_list_is_cached_until_a_bit_changes(world, issued, client):
    url = issued.document["credentialStatus"]["statusListCredential"].removeprefix(SITE)
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=300"
    assert first.json()["credentialSubject"]["ttl"] == 300_000
    assert first["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url).json() == first.json()  # same signature: served from the cache

    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]


def test_a_full_list_rolls_over_to_the_next_number(world, issued):
    from microcred.credentials.cohort.services import StatusSlots
    from microcred.credentials.models import StatusList
    from microcred.credentials.statuslists import LIST_SIZE

    StatusList.objects.filter(purpose="revocation").update(allocated=StatusList.objects.first().size)
    slots = StatusSlots(world.provider, list_size=LIST_SIZE)
    numbers = {sl.purpose: sl.number for purpose in ("revocation", "suspension") for sl, _ in slots.reserve(purpose, 1)}
    assert numbers == {"revocation": 2, "suspension": 1}
    assert StatusList.objects.get(purpose="revocation", number=2).published_document is not None  # signed as it opens


def test_expired_credential_shows_expired(world, client):
    from microcred.credentials.selectors import display_status

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.MICROCRED_EVENT_SUBSCRIBERS", NO_AWARDING)
        from microcred.credentials.services import credential_issue
        from tests.factories import published_microcredential

        mc = published_microcredential(provider=world.provider, slug="short-lived", validity_months=1)
        completion = complete(mc, world.learner)
    completion.completed_at = timezone.now() - timedelta(days=90)
    completion.save()
    credential = credential_issue(actor=SYSTEM, completion=completion)
    assert display_status(credential, now=timezone.now()).code == "expired"
    page = client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT="text/html")
    assert b"Expired" in page.content and b"This credential expired on" in page.content
