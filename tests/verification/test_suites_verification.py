"""Credentials and status lists signed with Ed25519Signature2020/2018, through the verifier,
POST /api/v1/verify and `microcred verify` (issue 10, ADR 0038)."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from microcred.credentials import vc
from microcred.credentials.vc import ob3
from microcred.credentials.vc.verifier import Outcome, StepStatus, Verdict
from tests.verification.builders import ISSUED, NOW, World, badge, did_key_issuer, sign

SUITE_VECTORS = Path(__file__).resolve().parents[1] / "vc" / "data" / "suites"
# Digital Credentials Consortium fixture: an OB 3.0 / VC 1.1 badge signed twice, with
# eddsa-rdfc-2022 and Ed25519Signature2020 (tests/vc/data/suites/README.md).
DCC_PROOF_SET = "dcc-v1-both-didkey-legacy-noStatus-noExpiry-basicOBv3.json"
DCC_2020_ONLY = "dcc-v1-ed25519-didkey-legacy-noStatus-noExpiry.json"
LIST_URL = "https://status.example/lists/2020"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"


def vector(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SUITE_VECTORS / name).read_text())
    return document


def status_list_2020(issuer: Any, *, set_bits: tuple[int, ...] = ()) -> dict[str, Any]:
    bits = vc.StatusList()
    for index in set_bits:
        bits.set(index)
    unsigned = vc.build_status_list_credential(
        list_id=LIST_URL,
        issuer=issuer.id,
        status_list=bits,
        purpose="revocation",
        valid_from=ISSUED,
        valid_until=NOW + timedelta(days=7),
    )
    unsigned["@context"] = [*unsigned["@context"], ED25519_2020]
    return sign(unsigned, issuer, cryptosuite="Ed25519Signature2020")


def badge_with_status(world: World, *, set_bits: tuple[int, ...]) -> dict[str, Any]:
    issuer = did_key_issuer()
    world.publish(LIST_URL, status_list_2020(issuer, set_bits=set_bits))
    entry = ob3.StatusEntry(
        id=f"{LIST_URL}#41", status_list_credential=LIST_URL, status_list_index=41, status_purpose="revocation"
    )
    return sign(badge(issuer, status=entry), issuer)


def test_a_real_2020_credential_verifies(world):
    report = world.verify(vector(DCC_PROOF_SET))
    assert report.outcome is Outcome.VALID, report.to_json()
    proof = report.step("proof")
    assert proof.status is StepStatus.PASSED and "Ed25519Signature2020" in proof.reason
    assert proof.data["cryptosuites"] == ["Ed25519Signature2020", "eddsa-rdfc-2022"]


def test_a_2020_only_credential_that_breaks_ob3_rules_is_valid_with_warnings(world):
    # The signature holds; the OB 3.0 rules it breaks are named, not reported as forgery (issue 10 §3).
    report = world.verify(vector(DCC_2020_ONLY))
    assert report.step("proof").status is StepStatus.PASSED
    assert report.step("issuer").status is StepStatus.PASSED
    assert report.verdict is Verdict.VALID_WITH_WARNINGS and report.valid
    assert report.headline == "Valid, with conformance warnings"
    rules = report.conformance_warnings
    assert any(rule.startswith("/issuer/image:") for rule in rules), rules
    assert any("an id or at least one identifier" in rule for rule in rules), rules


def test_a_tampered_2020_credential_is_invalid(world):
    document = vector(DCC_2020_ONLY)
    document["credentialSubject"]["achievement"]["name"] = "Badgf"
    report = world.verify(document)
    assert report.step("proof").status is StepStatus.FAILED and report.step("proof").code == "invalid_proof"
    assert report.outcome is Outcome.INVALID


def test_a_status_list_signed_with_2020_is_read_as_a_status_list(world):
    report = world.verify(badge_with_status(world, set_bits=(40, 42)))
    assert report.valid, report.to_json()
    assert report.step("status").status is StepStatus.PASSED
    assert LIST_URL in world.fetched


def test_a_revoked_bit_in_a_2020_status_list_revokes(world):
    report = world.verify(badge_with_status(world, set_bits=(41,)))
    assert report.outcome is Outcome.REVOKED


def test_a_2020_status_list_that_was_tampered_with_is_not_trusted(world):
    signed = badge_with_status(world, set_bits=(41,))
    tampered = json.loads(world.fetch(LIST_URL))
    tampered["credentialSubject"]["encodedList"] = vc.build_status_list_credential(
        list_id=LIST_URL,
        issuer=tampered["issuer"],
        status_list=vc.StatusList(),
        purpose="revocation",
        valid_from=ISSUED,
    )["credentialSubject"]["encodedList"]
    world.publish(LIST_URL, tampered)
    report = world.verify(signed)
    assert report.step("status").status is StepStatus.FAILED and not report.valid


def test_a_proof_in_an_unsupported_suite_beside_a_good_one_is_listed_unchecked(world):
    # A real proof set whose 2020 proof is relabelled as a suite we lack (a type the VC 1.1
    # context defines, so that only the suite is in question): judged on the eddsa proof (ADR 0040).
    document = vector(DCC_PROOF_SET)
    document["proof"][1]["type"] = "EcdsaSecp256k1Signature2019"
    report = world.verify(document)
    proof = report.step("proof")
    assert proof.status is StepStatus.PASSED and "1 of 2 proofs verify" in proof.reason
    assert "unsupported suite" in proof.reason.lower() and "does not mean it is wrong" in proof.reason
    assert [(p["type"], p["outcome"]) for p in proof.data["proofs"]] == [
        ("DataIntegrityProof", "verified"),
        ("EcdsaSecp256k1Signature2019", "unchecked"),
    ]
    assert report.verdict is Verdict.VALID


def test_a_proof_set_with_no_proof_we_can_check_cannot_be_checked(world):
    document = vector(DCC_PROOF_SET)
    document["proof"][1]["type"] = "EcdsaSecp256k1Signature2019"
    document["proof"][0]["cryptosuite"] = "bbs-2023"
    report = world.verify(document)
    assert report.step("proof").status is StepStatus.UNSUPPORTED
    assert report.step("issuer").status is StepStatus.SKIPPED
    assert report.outcome is Outcome.UNSUPPORTED and report.verdict is Verdict.CANNOT_CHECK


@pytest.mark.django_db
def test_api_verifies_a_real_2020_credential(client):
    body = client.post("/api/v1/verify", {"credential": vector(DCC_PROOF_SET)}, content_type="application/json").json()
    assert body["valid"] is True and body["outcome"] == "valid"
    proof = next(step for step in body["steps"] if step["name"] == "proof")
    assert proof["status"] == "passed" and "Ed25519Signature2020" in proof["reason"]


@pytest.mark.django_db
def test_cli_verifies_a_real_2020_credential(tmp_path):
    path = tmp_path / "dcc.json"
    path.write_text(json.dumps(vector(DCC_PROOF_SET)))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", str(path), "--json", stdout=out, stderr=io.StringIO())
    assert exit_info.value.code == 0
    assert json.loads(out.getvalue())["outcome"] == "valid"
