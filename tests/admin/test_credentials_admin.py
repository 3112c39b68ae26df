"""The staff admin of keys, credentials and status lists: view-only pages that never show a
private key, and actions that go through the services (a reason asked for first, an audit row
after)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.contrib.auth.models import Permission
from django.urls import reverse

from microcred.accounts.models import Organisation, User
from microcred.core.models import AuditLog
from microcred.credentials.keys import private_key_of
from microcred.credentials.models import Credential, CredentialStatus, IssuerKey, StatusEntry, StatusList
from microcred.credentials.statuslists import list_url
from microcred.credentials.vc import ed25519_private_to_multibase
from microcred.verification.services import verify_credential
from tests.credentials.conftest import complete
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, published_microcredential

pytestmark = pytest.mark.django_db

MODELS = (IssuerKey, Credential, StatusList, StatusEntry)


@dataclass
class World:
    provider: Organisation
    credential: Credential
    learner: User


@pytest.fixture
def staff(client) -> User:
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return superuser


@pytest.fixture
def world(staff) -> World:
    provider = OrganisationFactory(slug="northbridge", name="Northbridge")
    MembershipFactory(organisation=provider, role="owner")
    learner = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    completion = complete(published_microcredential(provider=provider), learner)
    return World(provider=provider, credential=Credential.objects.get(completion=completion), learner=learner)


def admin_url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def private_key_material(key: IssuerKey) -> list[str]:
    private = private_key_of(key)
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return [
        key.private_key_encrypted,
        key.private_key_encrypted[:40],
        ed25519_private_to_multibase(private),
        raw.hex(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    ]


def status_of(credential: Credential) -> str:
    credential.refresh_from_db()
    return credential.status


def run_action(client, action: str, credential: Credential, **extra: str):
    data = {"action": action, "_selected_action": [credential.pk], **extra}
    return client.post(admin_url(Credential, "changelist"), data, follow=True)


def test_pages_render_and_nothing_can_be_added_changed_or_deleted(client, world):
    for model in MODELS:
        obj = model.objects.order_by("pk").first()
        assert obj is not None, model
        assert client.get(admin_url(model, "changelist")).status_code == 200, model
        assert client.get(admin_url(model, "changelist"), {"q": "north"}).status_code == 200, model
        change = client.get(admin_url(model, "change", obj.pk))
        assert change.status_code == 200, model
        assert 'name="_save"' not in change.content.decode(), model
        assert client.get(admin_url(model, "add")).status_code == 403, model
        assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403, model
        assert model.objects.filter(pk=obj.pk).exists()


def test_credential_pages_show_what_staff_need(client, world):
    credential = world.credential
    listing = client.get(admin_url(Credential, "changelist"), {"q": str(credential.uuid)}).content.decode()
    for text in (str(credential.uuid), "ada@example.org", credential.microcredential.title, "Northbridge", "Active"):
        assert text in listing
    assert client.get(admin_url(Credential, "changelist"), {"q": "nobody-matches"}).context["cl"].result_count == 0
    assert client.get(admin_url(Credential, "changelist"), {"status__exact": "revoked"}).context["cl"].result_count == 0

    page = client.get(admin_url(Credential, "change", credential.pk)).content.decode()
    assert f"/credentials/{credential.uuid}" in page
    assert "revocation" in page and "suspension" in page  # its two status entries


def test_status_list_shows_allocation_and_link_not_the_bits(client, world):
    status_list = StatusList.objects.get(purpose="revocation")
    # Publish it, so the signed list document exists to be (not) shown.
    published = client.get(f"/status/northbridge/revocation/{status_list.number}").json()
    encoded = published["credentialSubject"]["encodedList"]
    proof = published["proof"][0] if isinstance(published["proof"], list) else published["proof"]
    for url in (admin_url(StatusList, "changelist"), admin_url(StatusList, "change", status_list.pk)):
        page = client.get(url).content.decode()
        assert f"1 / {status_list.size}" in page
        assert f'href="{list_url(status_list)}"' in page
        assert encoded not in page
        assert proof["proofValue"] not in page


def test_no_admin_page_shows_a_private_key(client, staff, world):
    client.post(
        admin_url(IssuerKey, "changelist"),
        {"action": "rotate_key", "_selected_action": [IssuerKey.objects.get().pk]},
    )
    keys = list(IssuerKey.objects.all())
    assert len(keys) == 2
    secrets = [s for key in keys for s in private_key_material(key)]
    credential = world.credential
    pages = [admin_url(model, "changelist") for model in MODELS]
    pages += [admin_url(IssuerKey, "changelist") + "?q=key", admin_url(Credential, "change", credential.pk)]
    pages += [admin_url(IssuerKey, "change", key.pk) for key in keys]
    pages += [admin_url(model, "change", model.objects.first().pk) for model in (StatusList, StatusEntry)]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in secrets:
            assert secret not in html, f"private key material on {url}"
    confirmation = run_action(client, "revoke_selected", credential).content.decode()
    for secret in secrets:
        assert secret not in confirmation


def test_revoke_asks_for_a_reason_then_revokes_through_the_service(client, staff, world):
    credential = world.credential

    # Choosing the action only asks: a confirmation page with a reason field, nothing changed.
    asked = run_action(client, "revoke_selected", credential)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert 'name="reason"' in html and "Revocation is final" in html and credential.user.email in html
    assert status_of(credential) == CredentialStatus.ACTIVE

    # Without a reason it asks again.
    refused = run_action(client, "revoke_selected", credential, confirm="yes", reason="   ")
    assert "This field is required." in refused.content.decode()
    assert status_of(credential) == CredentialStatus.ACTIVE
    assert not AuditLog.objects.filter(action="credential.revoke").exists()

    done = run_action(client, "revoke_selected", credential, confirm="yes", reason="Assessment fraud")
    assert "Revoked: 1." in done.content.decode()
    assert status_of(credential) == CredentialStatus.REVOKED
    assert credential.status_reason == "Assessment fraud"
    row = AuditLog.objects.get(action="credential.revoke", target_id=str(credential.pk))
    assert row.actor == staff and row.data["reason"] == "Assessment fraud"
    # The published revocation bit is set: a verifier sees it from the signed document.
    assert verify_credential(data=credential.document).outcome == "revoked"

    # Revocation is final: a second try is refused with the service's reason, nothing audited.
    again = run_action(client, "revoke_selected", credential, confirm="yes", reason="Twice")
    assert "already revoked" in again.content.decode()
    assert AuditLog.objects.filter(action="credential.revoke").count() == 1


def test_suspend_and_reinstate(client, staff, world):
    credential = world.credential
    done = run_action(client, "suspend_selected", credential, confirm="yes", reason="Under review")
    assert "Suspended: 1." in done.content.decode()
    assert status_of(credential) == CredentialStatus.SUSPENDED
    assert verify_credential(data=credential.document).outcome == "suspended"

    # Reinstating takes an optional reason.
    done = run_action(client, "unsuspend_selected", credential, confirm="yes", reason="")
    assert "Reinstated: 1." in done.content.decode()
    assert status_of(credential) == CredentialStatus.ACTIVE
    assert verify_credential(data=credential.document).outcome == "valid"
    actions = list(AuditLog.objects.filter(target_id=str(credential.pk)).values_list("action", "actor"))
    assert ("credential.suspend", staff.pk) in actions and ("credential.unsuspend", staff.pk) in actions


def test_staff_without_a_role_at_the_issuer_are_refused_by_the_service(client, world):
    clerk = UserFactory(email="clerk@example.org", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_credential", "view_issuerkey"]))
    client.force_login(clerk)
    credential = world.credential

    response = run_action(client, "revoke_selected", credential, confirm="yes", reason="Not mine to revoke")
    assert "do not have a role in this organisation" in response.content.decode()
    assert status_of(credential) == CredentialStatus.ACTIVE
    key = IssuerKey.objects.get()
    client.post(admin_url(IssuerKey, "changelist"), {"action": "rotate_key", "_selected_action": [key.pk]})
    assert IssuerKey.objects.count() == 1


def test_rotate_key_action_retires_the_old_key_and_audits(client, staff, world):
    old = IssuerKey.objects.get()
    response = client.post(
        admin_url(IssuerKey, "changelist"), {"action": "rotate_key", "_selected_action": [old.pk]}, follow=True
    )
    assert "New active keys: 1." in response.content.decode()
    old.refresh_from_db()
    new = IssuerKey.objects.get(active=True)
    assert not old.active and old.retired_at is not None
    assert (new.organisation, new.key_id) == (world.provider, "key-2")
    assert AuditLog.objects.get(action="issuer_key.create", target_id=str(new.pk)).actor == staff
    # Credentials signed by the retired key still verify.
    assert verify_credential(data=world.credential.document).outcome == "valid"
