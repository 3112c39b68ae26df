"""No page, API answer, admin page, export file, command output or log line carries a private key."""

from __future__ import annotations

import base64
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from microcred.credentials.keys import private_key_of
from microcred.credentials.models import Credential, IssuerKey
from microcred.credentials.services import credential_revoke, issuer_key_rotate
from microcred.credentials.vc import ed25519_private_to_multibase
from tests.api.conftest import API

from .conftest import complete

pytestmark = pytest.mark.django_db


def secrets_of(key: IssuerKey) -> list[str]:
    from cryptography.hazmat.primitives import serialization

    private = private_key_of(key)
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return [
        ed25519_private_to_multibase(private),
        key.private_key_encrypted,
        key.private_key_encrypted[:40],  # any recognisable part of the Fernet token
        raw.hex(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),  # the JWK "d" member
        base64.b64encode(raw).decode(),
    ]


def assert_clean(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"private key material in {where}"


def test_private_keys_never_leave_the_server(world, client, tmp_path: Path, caplog):
    caplog.set_level(logging.DEBUG)
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    old = IssuerKey.objects.get()
    issuer_key_rotate(actor=world.owner, organisation=world.provider)
    credential_revoke(actor=world.owner, credential=credential, reason="Test")
    secrets = secrets_of(old) + secrets_of(IssuerKey.objects.get(active=True))
    status_url = credential.document["credentialStatus"]["statusListCredential"].split("academy.example")[1]

    public = [
        f"/credentials/{credential.uuid}",
        f"/credentials/{credential.uuid}?format=jwt",
        "/issuers/example-academy",
        "/issuers/example-academy/did.json",
        "/issuers/example-academy/jwks.json",
        "/.well-known/jwks.json",
        status_url,
    ]
    for path in public:
        for accept in ("application/ld+json", "text/html"):
            response = client.get(path, HTTP_ACCEPT=accept)
            assert response.status_code == 200, path
            assert_clean(response.content.decode(), secrets, path)

    client.force_login(world.owner)
    for path in (
        "/issuers/example-academy/manage/",
        f"{API}/issuers/example-academy/credentials",
        "/api/v1/openapi.json",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_clean(response.content.decode(), secrets, path)
    client.force_login(world.learner)
    for path in ("/me/credentials/", f"{API}/me/credentials", f"{API}/me/credentials/{credential.uuid}"):
        assert_clean(client.get(path).content.decode(), secrets, path)

    # The admin, for a superuser, wherever the credentials models are registered.
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    for model in ("issuerkey", "credential", "statuslist"):
        listing = client.get(f"/admin/credentials/{model}/")
        if listing.status_code == 404:
            continue
        assert_clean(listing.content.decode(), secrets, f"admin {model} list")
    for key in IssuerKey.objects.all():
        change = client.get(f"/admin/credentials/issuerkey/{key.pk}/change/")
        if change.status_code == 200:
            assert_clean(change.content.decode(), secrets, "admin key page")

    out, err = StringIO(), StringIO()
    call_command("credentials", "export", str(tmp_path / "export"), stdout=out, stderr=err)
    call_command("credentials", "rotate-key", "example-academy", stdout=out, stderr=err)
    assert_clean(out.getvalue() + err.getvalue(), secrets, "command output")
    for file in (tmp_path / "export").rglob("*"):
        if file.is_file():
            assert_clean(file.read_text(encoding="utf-8"), secrets, str(file))

    assert_clean(caplog.text, secrets, "logs")
