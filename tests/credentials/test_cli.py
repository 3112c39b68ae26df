"""``microcred credentials ...``: export that verifies offline, issue-pending, revoke, rotate-key."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from microcred.core.events import CredentialIssued, CredentialRevoked
from microcred.core.models import AuditLog
from microcred.credentials.export import ExportCorrupted, load_export
from microcred.credentials.models import Credential, CredentialStatus, IssuerKey
from microcred.credentials.services import credential_revoke
from microcred.credentials.vc import Revoked, check_entry, make_key_resolver, verify, verify_vc_jwt
from microcred.credentials.vc.fetch import StaticFetcher
from microcred.credentials.vc.jwt import public_key_from_jwk
from microcred.learning.models import Completion
from tests.factories import UserFactory
from tests.subscriptions import NO_AWARDING, heard

from .conftest import SITE, complete

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("credentials", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_verifies_offline_from_the_exported_files_alone(world, tmp_path: Path):
    from microcred.credentials.services import issuer_key_rotate
    from tests.factories import published_microcredential

    kept = Credential.objects.get(completion=complete(world.mc, world.learner))
    issuer_key_rotate(actor=world.owner, organisation=world.provider)  # old key must be exported too
    other_mc = published_microcredential(provider=world.provider, slug="other")
    revoked = Credential.objects.get(completion=complete(other_mc, UserFactory()))
    credential_revoke(actor=world.owner, credential=revoked, reason="Issued in error")

    out, err = run("export", str(tmp_path / "export"))
    assert "Exported 2 credential(s)" in out
    assert "Exporting" in err  # the progress bar

    root = tmp_path / "export"
    manifest = json.loads((root / "manifest.json").read_text())
    for entry in manifest["files"]:
        assert hashlib.sha256((root / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    paths = {entry["path"] for entry in manifest["files"]}
    assert {
        f"credentials/{kept.uuid}.json",
        f"credentials/{kept.uuid}.jwt",
        "issuers/example-academy/profile.json",
        "issuers/example-academy/did.json",
        "issuers/example-academy/jwks.json",
        "status/example-academy/revocation/1.json",
        "status/example-academy/suspension/1.json",
        ".well-known/jwks.json",
        "contexts/microcred-v1.jsonld",
    } <= paths

    # Offline: the database is wiped; only the files speak.
    Credential.objects.all().delete()
    IssuerKey.objects.update(public_key_multibase="z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    documents = load_export(root)
    fetcher = StaticFetcher(documents)
    resolve = make_key_resolver(fetcher)
    jwks = json.loads(documents[f"{SITE}/.well-known/jwks.json"])
    issuer_id = f"{SITE}/issuers/example-academy"
    keys = {k["kid"]: k for k in jwks["keys"]}
    verdicts = {}
    for uuid in (kept.uuid, revoked.uuid):
        credential = json.loads((root / f"credentials/{uuid}.json").read_bytes())
        verify(credential, resolve_key=resolve, expected_controller=issuer_id)
        token = (root / f"credentials/{uuid}.jwt").read_text()
        assert (
            verify_vc_jwt(token, resolve_key=lambda kid, _h: public_key_from_jwk(keys[kid]))["id"] == credential["id"]
        )
        entry = credential["credentialStatus"]
        status_list = json.loads(documents[entry["statusListCredential"]])
        verify(status_list, resolve_key=resolve, expected_controller=issuer_id)
        try:
            check_entry(entry, status_list, now=timezone.now())
            verdicts[uuid] = "valid"
        except Revoked:
            verdicts[uuid] = "revoked"
    assert verdicts == {kept.uuid: "valid", revoked.uuid: "revoked"}
    assert kept.document["proof"][0]["verificationMethod"].endswith("#key-1")

    # A file changed after export is caught by the manifest.
    (root / f"credentials/{kept.uuid}.json").write_text("{}")
    with pytest.raises(ExportCorrupted):
        load_export(root)


def test_export_refuses_a_file_as_target(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(CommandError, match="not a directory"):
        run("export", str(target))


def test_issue_pending_issues_what_is_missing(world, settings):
    settings.MICROCRED_EVENT_SUBSCRIBERS = NO_AWARDING
    completion = complete(world.mc, world.learner)
    assert not Credential.objects.exists()

    out, err = run("issue-pending")
    assert "Issued 1 credential(s); 0 failed." in out and "Issuing" in err
    assert Credential.objects.get().completion == completion
    assert Completion.objects.get(pk=completion.pk).awarded_at is not None
    out, _ = run("issue-pending")
    assert "Issued 0 credential(s)" in out and Credential.objects.count() == 1


def test_issuing_and_revoking_are_heard_by_an_installations_subscriber(world, settings):
    settings.MICROCRED_EVENT_SUBSCRIBERS = [
        *settings.MICROCRED_EVENT_SUBSCRIBERS,
        "tests.subscriptions.HEAR_CREDENTIALS",
    ]
    heard.clear()
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    run("revoke", str(credential.uuid), "--reason", "Duplicate award", "--as", world.owner.email)
    with pytest.raises(CommandError, match="already revoked"):
        run("revoke", str(credential.uuid), "--reason", "again")  # refused: nothing happened, nothing heard

    assert heard == [
        CredentialIssued(actor=world.learner, credential_id=credential.pk, completion_id=credential.completion_id),
        CredentialRevoked(actor=world.owner, credential_id=credential.pk, reason="Duplicate award"),
    ]
    heard.clear()


def test_revoke_and_rotate_from_the_command_line(world):
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    with pytest.raises(CommandError):
        run("revoke", str(credential.uuid))  # --reason is required
    with pytest.raises(CommandError, match="reason"):
        run("revoke", str(credential.uuid), "--reason", "  ")
    with pytest.raises(CommandError, match=r"permission|role"):
        run("revoke", str(credential.uuid), "--reason", "x", "--as", world.grader.email)
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.ACTIVE

    out, _ = run("revoke", str(credential.uuid), "--reason", "Duplicate award", "--as", world.owner.email)
    assert f"Revoked {credential.uuid}" in out
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.REVOKED and credential.status_reason == "Duplicate award"
    with pytest.raises(CommandError, match="already revoked"):
        run("revoke", str(credential.uuid), "--reason", "again")
    with pytest.raises(CommandError, match="not found"):
        run("revoke", "00000000-0000-0000-0000-000000000000", "--reason", "x")

    out, _ = run("rotate-key", "example-academy")
    assert "now signs with key-2" in out
    assert AuditLog.objects.filter(action="issuer_key.create", data__key_id="key-2").exists()
    with pytest.raises(CommandError, match="No organisation"):
        run("rotate-key", "nope")
