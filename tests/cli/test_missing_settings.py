"""`microcred` on a machine with no production settings: help and `verify` work, everything else
says in one line what to set. Run for real, in a fresh interpreter with a clean environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from microcred.credentials.models import Credential
from tests.credentials.conftest import complete
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, published_microcredential
from tests.verification.builders import LEARNER_EMAIL, badge, did_key_issuer, sign

SECRETS = {"SECRET_KEY", "MICROCRED_KEY_ENCRYPTION_KEYS", "DJANGO_SETTINGS_MODULE", "MICROCRED_ENV", "DATABASE_URL"}
# What the user's shell might set that would change what these tests see.
SITE_SETTINGS = {"SITE_URL", "MICROCRED_REMOTE_FETCH", "MICROCRED_VAR_DIR"}
W3C_VECTOR = (
    Path(__file__).resolve().parents[1] / "vc" / "vectors" / "vc-di-eddsa" / "eddsa-rdfc-2022" / "signedDataInt.json"
)


def microcred(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS | SITE_SETTINGS}
    clean.update(MICROCRED_VAR_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(
        [sys.executable, "-m", "microcred", *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("args", [["--help"], [], ["help"]])
def test_help_lists_every_command_without_production_settings(tmp_path, args):
    result = microcred(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    for command in ("migrate", "demo", "serve", "verify", "catalog_import", "credentials"):
        assert f"    {command}\n" in result.stdout, command
    assert "not properly configured" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_command_s_own_help_works_without_production_settings(tmp_path):
    result = microcred(tmp_path, "help", "catalog_import")
    assert result.returncode == 0, result.stderr
    assert "usage: microcred catalog_import" in result.stdout
    result = microcred(tmp_path, "verify", "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: microcred verify" in result.stdout


@pytest.mark.parametrize("args", [["migrate"], ["demo"], ["serve"]])
def test_other_commands_say_in_one_line_what_to_set(tmp_path, args):
    result = microcred(tmp_path, *args)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("microcred: Set SECRET_KEY")
    assert "MICROCRED_KEY_ENCRYPTION_KEYS" in lines[0] and "MICROCRED_ENV=dev" in lines[0]
    assert not (tmp_path / "var" / "microcred.sqlite3").exists()


def test_only_what_is_still_missing_is_named(tmp_path):
    result = microcred(tmp_path, "migrate", SECRET_KEY="s" * 50)
    line = result.stderr.strip()
    assert result.returncode != 0 and "\n" not in line
    assert "MICROCRED_KEY_ENCRYPTION_KEYS" in line and "SECRET_KEY to" not in line


def test_with_the_secrets_set_commands_run(tmp_path):
    result = microcred(
        tmp_path,
        "migrate",
        "--check",
        SECRET_KEY="s" * 50,
        MICROCRED_KEY_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    # An empty database has unapplied migrations: --check says so with status 1, and no refusal.
    assert "Set SECRET_KEY" not in result.stderr and "Traceback" not in result.stderr
    assert result.returncode == 1


@pytest.mark.parametrize("args", [["version"], ["--version"]])
def test_version_names_microcred_and_django_without_production_settings(tmp_path, args):
    result = microcred(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("microcred 0.") and "(Django 5.2" in result.stdout
    assert result.stderr == ""


def assert_no_database_was_made(tmp_path: Path) -> None:
    assert not (tmp_path / "var" / "microcred.sqlite3").exists()


def test_verify_needs_no_secret_and_no_database(tmp_path):
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    (tmp_path / "badge.json").write_text(json.dumps(signed))
    (tmp_path / "forged.json").write_text(json.dumps({**signed, "name": "Forged"}))

    valid = microcred(tmp_path, "verify", "badge.json", "--email", LEARNER_EMAIL)
    assert valid.returncode == 0, valid.stderr
    assert "Valid credential" in valid.stdout and "✓ Signature" in valid.stdout and "✓ Recipient" in valid.stdout
    assert f"<{issuer.id}>" in valid.stdout  # did:key:z6Mk..., not rich's emoji for ":key:"
    forged = microcred(tmp_path, "verify", "forged.json", "--json")
    assert forged.returncode == 1, forged.stderr
    assert json.loads(forged.stdout)["outcome"] == "invalid"
    missing = microcred(tmp_path, "verify", "missing.json")
    assert missing.returncode == 2 and "cannot read missing.json" in missing.stderr
    for result in (valid, forged, missing):
        assert "Traceback" not in result.stderr and "Set SECRET_KEY" not in result.stderr
    assert_no_database_was_made(tmp_path)


def test_verify_checks_the_official_w3c_vector_without_production_settings(tmp_path):
    # Data Integrity eddsa-rdfc-2022 test vector: its signature verifies, but it is signed by a
    # did:key that is not its issuer's, so it is not valid (exit 1).
    result = microcred(tmp_path, "verify", str(W3C_VECTOR), "--json")
    assert result.returncode == 1, result.stderr
    steps = {step["name"]: step for step in json.loads(result.stdout)["steps"]}
    assert steps["proof"]["status"] == "passed"
    assert steps["issuer"]["code"] == "issuer_mismatch"
    assert "Traceback" not in result.stderr
    assert_no_database_was_made(tmp_path)


@pytest.fixture
def our_credential(db, settings) -> Credential:
    settings.SITE_URL = "https://academy.example"
    provider = OrganisationFactory(name="Example Academy", slug="example-academy", email="badges@academy.example")
    MembershipFactory(organisation=provider, role="owner")
    completion = complete(published_microcredential(provider=provider), UserFactory(email=LEARNER_EMAIL))
    return Credential.objects.get(completion=completion)


def test_verify_of_our_credential_on_a_machine_without_our_database_says_so(tmp_path, our_credential):
    (tmp_path / "ours.json").write_text(json.dumps(our_credential.document))
    result = microcred(
        tmp_path, "verify", "ours.json", "--json", SITE_URL="https://academy.example", MICROCRED_REMOTE_FETCH="0"
    )
    # The issuer's key cannot be loaded here: that is "cannot check" (exit 3), never forgery.
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "cannot_check" and report["exit_code"] == 3
    proof = next(step for step in report["steps"] if step["name"] == "proof")
    assert proof["code"] == "key_unresolved"
    assert "this installation has no database to read it from" in proof["reason"]
    assert_no_database_was_made(tmp_path)
