"""The pages people use: my credentials, the completion page's credential, the issuer's staff page."""

from __future__ import annotations

import pytest

from microcred.core.models import AuditLog
from microcred.credentials.models import Credential, CredentialStatus, IssuerKey

from .conftest import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def test_my_credentials_page(world, issued, client):
    assert client.get("/me/credentials/").status_code == 302  # to the login page
    client.force_login(world.learner)
    html = client.get("/me/credentials/").content.decode()
    assert "Data Basics" in html and "Example Academy" in html
    assert f"/credentials/{issued.uuid}?format=json&amp;download=1" in html
    assert f"/credentials/{issued.uuid}?format=jwt&amp;download=1" in html
    assert 'badge-success">Valid' in html

    from microcred.credentials.services import credential_suspend

    credential_suspend(actor=world.owner, credential=issued, reason="Checking identity")
    html = client.get("/me/credentials/").content.decode()
    assert 'badge-warning">Suspended' in html and "Checking identity" in html

    client.force_login(world.owner)
    assert "Data Basics" not in client.get("/me/credentials/").content.decode()


def test_completion_page_shows_the_issued_credential(world, issued, client):
    client.force_login(world.learner)
    html = client.get(f"/learn/{issued.completion.enrolment_id}/completion/").content.decode()
    assert "Congratulations" in html  # still the web app's page
    assert f'href="/credentials/{issued.uuid}"' in html and "Download VC-JWT" in html
    assert "is being prepared" not in html


def test_staff_page_lists_searches_and_changes_status(world, issued, client):
    client.force_login(world.instructor)
    page = client.get("/issuers/example-academy/manage/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ada Lovelace" in html and "Ada.Lovelace@Example.org" in html
    assert "Rotate signing key" not in html  # owners only
    assert "Data Basics" not in client.get("/issuers/example-academy/manage/?q=nobody").content.decode()

    action = f"/issuers/example-academy/manage/credentials/{issued.uuid}"
    response = client.post(f"{action}/revoke/", {"reason": ""})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == CredentialStatus.ACTIVE
    followed = client.get(response["Location"]).content.decode()
    assert "Give a reason" in followed

    client.post(f"{action}/suspend/", {"reason": "Checking"})
    issued.refresh_from_db()
    assert issued.status == CredentialStatus.SUSPENDED
    client.post(f"{action}/unsuspend/", {})
    issued.refresh_from_db()
    assert issued.status == CredentialStatus.ACTIVE
    client.post(f"{action}/revoke/", {"reason": "Fraud", "return_query": "q=ada"})
    issued.refresh_from_db()
    assert issued.status == CredentialStatus.REVOKED and issued.status_reason == "Fraud"
    assert client.post(f"{action}/explode/", {}).status_code == 404


def test_staff_page_is_not_found_for_everyone_else(world, issued, client):
    for person in (world.grader, world.learner, world.outsider_instructor):
        client.force_login(person)
        assert client.get("/issuers/example-academy/manage/").status_code == 404
        action = f"/issuers/example-academy/manage/credentials/{issued.uuid}/revoke/"
        assert client.post(action, {"reason": "x"}).status_code == 404
        assert client.post("/issuers/example-academy/manage/keys/rotate/").status_code in (403, 404)
    issued.refresh_from_db()
    assert issued.status == CredentialStatus.ACTIVE
    assert IssuerKey.objects.count() == 1


def test_owner_rotates_the_key_from_the_page(world, issued, client):
    client.force_login(world.owner)
    html = client.get("/issuers/example-academy/manage/").content.decode()
    assert "Rotate signing key" in html and issued.issuer_key.public_key_multibase in html
    client.post("/issuers/example-academy/manage/keys/rotate/")
    assert list(IssuerKey.objects.values_list("key_id", "active")) == [("key-1", False), ("key-2", True)]
    assert AuditLog.objects.filter(action="issuer_key.create", actor=world.owner).exists()
    client.force_login(world.instructor)
    client.post("/issuers/example-academy/manage/keys/rotate/")
    assert IssuerKey.objects.count() == 2
