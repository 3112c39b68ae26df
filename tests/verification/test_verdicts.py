"""Verdicts (valid, valid with warnings, invalid, cannot check, unreadable) and proof sets
(ADR 0040, issue 10 §2-3): the verdict function on its own, then the engine on real signed
documents, then `microcred verify`'s exit codes, POST /api/v1/verify and the verify page."""

from __future__ import annotations

import copy
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from microcred.credentials import vc
from microcred.credentials.vc.dataintegrity import ProofStatus, verify_each
from microcred.credentials.vc.verifier import CONFORMANCE, Outcome, Step, StepStatus, Verdict
from microcred.credentials.vc.verifier.report import outcome_of, verdict_of
from tests.verification.builders import (
    ISSUED,
    NOW,
    World,
    badge,
    did_key_issuer,
    https_issuer,
    sign,
    vc11_badge,
)

SUITE_VECTORS = Path(__file__).resolve().parents[1] / "vc" / "data" / "suites"
DCC_PROOF_SET = "dcc-v1-both-didkey-legacy-noStatus-noExpiry-basicOBv3.json"
DCC_2020_ONLY = "dcc-v1-ed25519-didkey-legacy-noStatus-noExpiry.json"
# A BBS+ proof as jsonld-signatures-bbs writes it: a suite we lack, whose type no bundled context defines.
BBS_PROOF = {
    "type": "BbsBlsSignature2020",
    "created": "2025-09-01T09:00:00Z",
    "proofPurpose": "assertionMethod",
    "proofValue": "kAkloZSlK79ARnlx54tPqmQyy6G7/36xU/LZgrdVmCqqI9M0muKLxkaHNsgVDBBvYp85VT3uouLFSXPMr7Stjgq62+OCunba7bNdGfhM/FUsx9zpfRtw7jeE182CN1cZakOoSVsQz61c16zQikXM3w==",
    "verificationMethod": "did:example:489398593#test",
}


def vector(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SUITE_VECTORS / name).read_text())
    return document


# --- the verdict function --------------------------------------------------------------------

ALL_PASS = {
    "read": StepStatus.PASSED,
    "structure": StepStatus.PASSED,
    "schema": StepStatus.PASSED,
    "subject": StepStatus.PASSED,
    "proof": StepStatus.PASSED,
    "issuer": StepStatus.PASSED,
    "status": StepStatus.SKIPPED,
    "validity": StepStatus.PASSED,
    "recipient": StepStatus.SKIPPED,
    "endorsements": StepStatus.SKIPPED,
}
RULE = "/issuer/image: 'https://x.example/i.png' is not of type 'object'"


def checklist(**changed: tuple[StepStatus, str | None] | Step) -> list[Step]:
    """The checklist of a valid credential with the given steps changed (status, code)."""
    steps = []
    for name, status in ALL_PASS.items():
        change = changed.get(name)
        if isinstance(change, Step):
            steps.append(change)
        elif change is not None:
            steps.append(Step(name, change[0], f"{name} is {change[0]}", code=change[1]))
        else:
            steps.append(Step(name, status, f"{name} is {status}"))
    return steps


def conformance(name: str = "schema", rule: str = RULE) -> Step:
    return Step(name, StepStatus.WARNING, f"Breaks {rule}.", code=CONFORMANCE, data={"rules": [rule]})


FAILED = StepStatus.FAILED
UNSUPPORTED = StepStatus.UNSUPPORTED
WARNING = StepStatus.WARNING


@pytest.mark.parametrize(
    ("changed", "outcome", "verdict"),
    [
        ({}, Outcome.VALID, Verdict.VALID),
        # Notes that are not OB 3.0 rules leave a valid credential valid.
        ({"endorsements": (WARNING, None), "schema": (WARNING, None)}, Outcome.VALID, Verdict.VALID),
        ({"schema": conformance()}, Outcome.VALID, Verdict.VALID_WITH_WARNINGS),
        ({"subject": conformance("subject", "AchievementSubject: an id")}, Outcome.VALID, Verdict.VALID_WITH_WARNINGS),
        # Forged, tampered, wrong key.
        ({"proof": (FAILED, "invalid_proof")}, Outcome.INVALID, Verdict.INVALID),
        ({"issuer": (FAILED, "issuer_mismatch")}, Outcome.INVALID, Verdict.INVALID),
        ({"structure": (FAILED, "undefined_term")}, Outcome.INVALID, Verdict.INVALID),
        ({"recipient": (FAILED, "recipient_mismatch")}, Outcome.INVALID, Verdict.INVALID),
        ({"validity": (FAILED, "malformed")}, Outcome.INVALID, Verdict.INVALID),
        # States: each is invalid now, the outcome says which.
        ({"status": (FAILED, "revoked")}, Outcome.REVOKED, Verdict.INVALID),
        ({"status": (FAILED, "suspended")}, Outcome.SUSPENDED, Verdict.INVALID),
        ({"validity": (FAILED, "expired")}, Outcome.EXPIRED, Verdict.INVALID),
        ({"validity": (FAILED, "not_yet_valid")}, Outcome.NOT_YET_VALID, Verdict.INVALID),
        # What we could not check.
        ({"structure": (UNSUPPORTED, "unknown_context")}, Outcome.UNSUPPORTED, Verdict.CANNOT_CHECK),
        ({"proof": (UNSUPPORTED, "unsupported")}, Outcome.UNSUPPORTED, Verdict.CANNOT_CHECK),
        ({"issuer": (UNSUPPORTED, "unsupported")}, Outcome.UNSUPPORTED, Verdict.CANNOT_CHECK),
        # Status fails closed: a declared status we cannot read is never valid.
        ({"status": (UNSUPPORTED, "status_method_unsupported")}, Outcome.UNSUPPORTED, Verdict.CANNOT_CHECK),
        ({"status": (UNSUPPORTED, "status_unavailable")}, Outcome.UNSUPPORTED, Verdict.CANNOT_CHECK),
        ({"status": (FAILED, "fetch_refused")}, Outcome.UNSUPPORTED, Verdict.CANNOT_CHECK),
        # Precedence: invalid > cannot check > warnings.
        ({"proof": (FAILED, "invalid_proof"), "status": (UNSUPPORTED, None)}, Outcome.INVALID, Verdict.INVALID),
        ({"proof": (UNSUPPORTED, "unsupported"), "validity": (FAILED, "expired")}, Outcome.EXPIRED, Verdict.INVALID),
        ({"status": (FAILED, "revoked"), "schema": conformance()}, Outcome.REVOKED, Verdict.INVALID),
        (
            {"status": (UNSUPPORTED, "status_unavailable"), "schema": conformance()},
            Outcome.UNSUPPORTED,
            Verdict.CANNOT_CHECK,
        ),
        ({"proof": (FAILED, "invalid_proof"), "status": (FAILED, "revoked")}, Outcome.INVALID, Verdict.INVALID),
        # Not a credential at all.
        ({"read": (FAILED, "malformed")}, Outcome.MALFORMED, Verdict.UNREADABLE),
        ({"structure": (FAILED, "malformed"), "proof": (UNSUPPORTED, None)}, Outcome.MALFORMED, Verdict.UNREADABLE),
    ],
)
def test_the_verdict_of_a_checklist(changed, outcome, verdict):
    steps = checklist(**changed)
    assert outcome_of(steps) is outcome
    assert verdict_of(outcome_of(steps), steps) is verdict


def test_conformance_warnings_name_each_rule_in_step_order():
    from microcred.credentials.vc.verifier.report import conformance_rules

    steps = checklist(schema=conformance(rule="/a: one"), subject=conformance("subject", "two"))
    assert conformance_rules(steps) == ("/a: one", "two")


# --- the engine, on real signed documents ----------------------------------------------------


def test_a_good_credential_is_valid(world):
    issuer = did_key_issuer()
    report = world.verify(sign(badge(issuer), issuer))
    assert report.verdict is Verdict.VALID and report.conformance_warnings == ()
    assert report.to_json()["verdict"] == "valid"


def test_the_dcc_samples_are_valid_or_valid_with_warnings_never_invalid(world):
    assert world.verify(vector(DCC_PROOF_SET)).verdict is Verdict.VALID
    report = world.verify(vector(DCC_2020_ONLY))
    assert report.verdict is Verdict.VALID_WITH_WARNINGS
    assert report.step("schema").code == CONFORMANCE and report.step("subject").code == CONFORMANCE
    assert report.to_json()["conformance_warnings"] == list(report.conformance_warnings)


def test_an_achievement_type_outside_the_enumeration_is_a_named_warning(world):
    issuer = did_key_issuer()
    unsigned = badge(issuer)
    unsigned["credentialSubject"]["achievement"]["achievementType"] = "Trophy"
    report = world.verify(sign(unsigned, issuer))
    assert report.verdict is Verdict.VALID_WITH_WARNINGS, report.to_json()
    assert any("achievementType" in rule for rule in report.conformance_warnings), report.conformance_warnings


def test_a_vc11_badge_without_issuance_date_is_a_named_warning(world):
    issuer = did_key_issuer()
    unsigned = vc11_badge(issuer)
    del unsigned["issuanceDate"]
    report = world.verify(sign(unsigned, issuer))
    assert report.verdict is Verdict.VALID_WITH_WARNINGS, report.to_json()
    assert report.conformance_warnings == ("A VC 1.1 credential needs issuanceDate.",)


def test_a_conformance_warning_on_a_tampered_credential_is_still_invalid(world):
    document = vector(DCC_2020_ONLY)
    document["name"] = "Forged"
    report = world.verify(document)
    assert report.step("schema").status is StepStatus.WARNING
    assert report.verdict is Verdict.INVALID and report.headline == "Not valid"


@pytest.mark.parametrize(
    ("remove", "why"),
    [("credentialSubject", "no credentialSubject"), ("issuer", "no issuer id")],
)
def test_a_credential_without_subject_or_issuer_is_unreadable(world, remove, why):
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    del signed[remove]
    report = world.verify(signed)
    assert report.verdict is Verdict.UNREADABLE and why in report.step("structure").reason


def test_an_undefined_term_under_a_signature_stays_invalid(world):
    issuer = did_key_issuer()
    unsigned = badge(issuer)
    unsigned["credentialSubject"]["favouriteColour"] = "blue"  # outside every context: unsigned by RDFC
    report = world.verify(sign(unsigned, issuer, cryptosuite="eddsa-jcs-2022"))
    assert report.step("structure").code == "undefined_term"
    assert report.verdict is Verdict.INVALID


def test_suspended_and_not_yet_valid_are_invalid(world, academy):
    report = world.verify(sign(badge(academy), academy), now=ISSUED - timedelta(days=1))
    assert report.outcome is Outcome.NOT_YET_VALID and report.verdict is Verdict.INVALID
    list_url = "https://academy.example/status/suspension"
    world.publish(list_url, _status_list(academy, list_url, purpose="suspension", set_bits=(4,)))
    unsigned = badge(academy)
    unsigned["credentialStatus"] = {
        "id": f"{list_url}#4",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "4",
        "statusListCredential": list_url,
    }
    report = world.verify(sign(unsigned, academy))
    assert report.outcome is Outcome.SUSPENDED and report.verdict is Verdict.INVALID


def _status_list(issuer, list_id: str, *, purpose: str, set_bits: tuple[int, ...]) -> dict[str, Any]:
    bits = vc.StatusList()
    for index in set_bits:
        bits.set(index)
    unsigned = vc.build_status_list_credential(
        list_id=list_id,
        issuer=issuer.id,
        status_list=bits,
        purpose=purpose,
        valid_from=ISSUED,
        valid_until=NOW + timedelta(days=7),
    )
    return sign(unsigned, issuer)


@pytest.mark.parametrize(
    "entry_type",
    ["BitstringStatusListEntry", "CredentialStatusList2099"],  # the list unreachable; a method we lack
)
def test_a_declared_status_we_cannot_check_fails_closed(world, entry_type):
    issuer = did_key_issuer()
    unsigned = badge(issuer)
    unsigned["@context"].append({"CredentialStatusList2099": "https://status.example/vocab#List2099"})
    unsigned["credentialStatus"] = {"id": "https://status.example/1#9", "type": entry_type}
    if entry_type == "BitstringStatusListEntry":
        unsigned["credentialStatus"].update(
            statusPurpose="revocation",
            statusListIndex="9",
            statusListCredential="https://status.example/1",  # not published: unreachable
        )
    report = world.verify(sign(unsigned, issuer))
    assert report.step("proof").status is StepStatus.PASSED
    assert report.step("status").status is StepStatus.UNSUPPORTED
    assert report.verdict is Verdict.CANNOT_CHECK and not report.valid


def test_a_key_that_needs_the_network_cannot_be_checked(world):
    issuer = https_issuer()  # its profile (with the key) is not published: the fetch is refused
    report = world.verify(sign(badge(issuer), issuer))
    proof = report.step("proof")
    assert proof.status is StepStatus.UNSUPPORTED and proof.data["proofs"][0]["outcome"] == "unchecked"
    assert report.verdict is Verdict.CANNOT_CHECK


def test_a_key_of_someone_else_is_invalid(world):
    issuer, stranger = did_key_issuer(), did_key_issuer(seed=9)
    report = world.verify(sign(badge(issuer), stranger))
    assert report.step("issuer").code == "issuer_mismatch" and report.verdict is Verdict.INVALID


# --- proof sets ----------------------------------------------------------------------------


def test_an_unknown_proof_type_beside_a_good_proof_is_unchecked_and_the_credential_valid(world):
    # The BBS proof's type is defined by no bundled context: the structure step does not read the
    # proofs (not part of the signed graph), the proof step lists it as unchecked.
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    signed["proof"] = [signed["proof"], copy.deepcopy(BBS_PROOF)]
    report = world.verify(signed)
    assert report.step("structure").status is StepStatus.PASSED
    proof = report.step("proof")
    assert proof.status is StepStatus.PASSED and "1 of 2 proofs verify" in proof.reason
    assert "BbsBlsSignature2020" in proof.reason and "does not mean it is wrong" in proof.reason
    listed = [(p["type"], p["cryptosuite"], p["verification_method"], p["outcome"]) for p in proof.data["proofs"]]
    assert listed == [
        ("DataIntegrityProof", "eddsa-rdfc-2022", issuer.vm, "verified"),
        ("BbsBlsSignature2020", None, BBS_PROOF["verificationMethod"], "unchecked"),
    ]
    assert proof.data["proofs"][1]["code"] == "unsupported"
    assert report.step("issuer").status is StepStatus.PASSED
    assert report.verdict is Verdict.VALID


def test_an_unknown_proof_type_alone_cannot_be_checked(world):
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    signed["proof"] = copy.deepcopy(BBS_PROOF)
    report = world.verify(signed)
    assert report.step("proof").status is StepStatus.UNSUPPORTED
    assert "does not mean it is wrong" in report.step("proof").reason
    assert report.verdict is Verdict.CANNOT_CHECK


def test_a_tampered_proof_in_a_set_makes_the_credential_invalid(world):
    issuer = did_key_issuer()
    twice = sign(sign(badge(issuer), issuer, proof_id="urn:proof:1"), issuer, cryptosuite="eddsa-jcs-2022")
    assert world.verify(twice).verdict is Verdict.VALID
    tampered = copy.deepcopy(twice)
    value = tampered["proof"][0]["proofValue"]
    tampered["proof"][0]["proofValue"] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    tampered["proof"].append(copy.deepcopy(BBS_PROOF))
    report = world.verify(tampered)
    proof = report.step("proof")
    assert proof.status is StepStatus.FAILED and proof.code == "invalid_proof"
    assert "1 of 3 proofs fail: urn:proof:1 (eddsa-rdfc-2022)" in proof.reason
    assert [p["outcome"] for p in proof.data["proofs"]] == ["failed", "verified", "unchecked"]
    assert report.verdict is Verdict.INVALID


def test_each_proof_is_verified_on_its_own():
    issuer = did_key_issuer()
    signed = sign(sign(badge(issuer), issuer), issuer, cryptosuite="eddsa-jcs-2022")
    signed["proof"].append(copy.deepcopy(BBS_PROOF))
    signed["proof"][1]["proofValue"] = signed["proof"][0]["proofValue"]  # a signature of another hash
    outcomes = verify_each(signed, resolve_key=World().resolve_key, now=NOW)
    assert [o.status for o in outcomes] == [ProofStatus.VERIFIED, ProofStatus.FAILED, ProofStatus.UNCHECKED]
    assert outcomes[0].verified is not None and outcomes[0].verified.controller == issuer.id
    assert outcomes[1].error is not None and outcomes[1].error.code == "invalid_proof"
    assert outcomes[2].suite == "BbsBlsSignature2020"
    with pytest.raises(vc.InvalidProof):
        vc.verify(signed, resolve_key=World().resolve_key, now=NOW)


def test_a_proof_chain_verifies_and_a_broken_link_fails_it(world):
    issuer, notary = did_key_issuer(), did_key_issuer(seed=7, name="Notary")
    first = sign(badge(issuer), issuer, proof_id="urn:proof:issuer")
    chained = sign(first, notary, proof_id="urn:proof:notary", previous_proof="urn:proof:issuer")
    report = world.verify(chained)
    assert report.verdict is Verdict.VALID, report.to_json()
    # The notary's proof vouches for the same bytes: noted, not counted as the issuer's.
    assert notary.id in report.step("issuer").reason
    broken = copy.deepcopy(chained)
    broken["proof"][0]["created"] = "2025-09-02T09:00:00Z"
    report = world.verify(broken)
    assert [p["outcome"] for p in report.step("proof").data["proofs"]] == ["failed", "failed"]
    assert report.verdict is Verdict.INVALID


def test_a_chained_proof_counts_only_when_the_proof_it_names_is_verified(world):
    # Data Integrity §4.5: a proof with previousProof is verified only if the proofs it names are.
    issuer = did_key_issuer()
    first = sign(badge(issuer), issuer, proof_id="urn:proof:1")
    chained = sign(first, issuer, proof_id="urn:proof:2", previous_proof="urn:proof:1")
    assert world.verify(chained).verdict is Verdict.VALID
    # A chain on a BBS proof we cannot check: the eddsa proof's own signature holds, yet it
    # vouches for a proof nobody here has checked.
    unsigned = badge(issuer)
    unsigned["proof"] = {**copy.deepcopy(BBS_PROOF), "id": "urn:proof:bbs"}
    on_bbs = sign(
        unsigned, issuer, cryptosuite="eddsa-jcs-2022", proof_id="urn:proof:2", previous_proof="urn:proof:bbs"
    )
    outcomes = verify_each(on_bbs, resolve_key=world.resolve_key, now=NOW)
    assert [o.status for o in outcomes] == [ProofStatus.UNCHECKED, ProofStatus.UNCHECKED]
    assert "previous proof urn:proof:bbs could not be checked" in str(outcomes[1].error)
    assert world.verify(on_bbs).verdict is Verdict.CANNOT_CHECK


def test_a_set_whose_only_verified_proof_is_not_the_issuers(world):
    issuer, stranger = did_key_issuer(), did_key_issuer(seed=9)
    by_stranger = sign(badge(issuer), stranger)
    report = world.verify(by_stranger)
    assert report.verdict is Verdict.INVALID  # nothing else to be the issuer's
    with_unchecked = copy.deepcopy(by_stranger)
    with_unchecked["proof"] = [with_unchecked["proof"], copy.deepcopy(BBS_PROOF)]
    report = world.verify(with_unchecked)
    # The unchecked proof could be the issuer's: we cannot tell, and it is not valid.
    assert report.step("issuer").status is StepStatus.UNSUPPORTED
    assert report.verdict is Verdict.CANNOT_CHECK


# --- endorsements --------------------------------------------------------------------------


def _endorsement(endorser, endorsed_id: str) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:6e0d3b5c-2222-4e4e-8c8c-000000000022",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Industry endorsement",
        "issuer": {"id": endorser.id, "type": ["Profile"], "name": "Data Guild"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": endorsed_id, "type": ["EndorsementSubject"]},
    }


def test_an_endorsement_with_conformance_warnings_still_counts(world):
    issuer, guild = did_key_issuer(), did_key_issuer(seed=21, name="Data Guild")
    endorsement = _endorsement(guild, "https://academy.example/achievements/dlf")
    endorsement["issuer"]["image"] = "https://guild.example/logo.png"  # OB 3.0 wants an Image object
    unsigned = badge(issuer)
    unsigned["endorsement"] = [sign(endorsement, guild)]
    report = world.verify(sign(unsigned, issuer))
    assert report.endorsements[0].verdict is Verdict.VALID_WITH_WARNINGS
    step = report.step("endorsements")
    assert step.status is StepStatus.PASSED and step.data["endorsements"][0]["accepted"] is True
    assert step.data["endorsements"][0]["verdict"] == "valid_with_warnings"
    # The credential's own schema reaches into what it embeds: the same rule, at its path there.
    assert report.verdict is Verdict.VALID_WITH_WARNINGS
    assert [rule.split(":")[0] for rule in report.conformance_warnings] == ["/endorsement/0/issuer/image"]


def test_an_endorsement_we_cannot_check_is_said_so(world):
    issuer, guild = did_key_issuer(), did_key_issuer(seed=21, name="Data Guild")
    endorsement = sign(_endorsement(guild, "https://academy.example/achievements/dlf"), guild)
    endorsement["proof"]["cryptosuite"] = "bbs-2023"
    unsigned = badge(issuer)
    unsigned["endorsement"] = [endorsement]
    report = world.verify(sign(unsigned, issuer))
    step = report.step("endorsements")
    assert step.status is StepStatus.WARNING and "could not be checked here" in step.reason
    assert report.verdict is Verdict.VALID


# --- microcred verify ----------------------------------------------------------------------


def _documents() -> dict[str, Any]:
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    unchecked = copy.deepcopy(signed)
    unchecked["proof"]["cryptosuite"] = "bbs-2023"
    return {
        "valid": signed,
        "valid_with_warnings": vector(DCC_2020_ONLY),
        "invalid": {**signed, "name": "Forged"},
        "cannot_check": unchecked,
        "unreadable": {"hello": "world"},
    }


def run_verify(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", *args, stdout=out, stderr=err)
    return int(exit_info.value.code), out.getvalue(), err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verdict", "exit_code"),
    [("valid", 0), ("valid_with_warnings", 0), ("invalid", 1), ("unreadable", 2), ("cannot_check", 3)],
)
def test_cli_exit_code_and_json_follow_the_verdict(tmp_path, verdict, exit_code):
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(_documents()[verdict]))
    code, out, _ = run_verify(str(path), "--json")
    answer = json.loads(out)
    assert (code, answer["verdict"], answer["exit_code"]) == (exit_code, verdict, exit_code)
    code, out, _ = run_verify(str(path))
    assert code == exit_code and f"({verdict}" in out


@pytest.mark.django_db
def test_cli_names_the_broken_rules_and_says_cannot_check_is_not_forgery(tmp_path):
    documents = _documents()
    warned = tmp_path / "warned.json"
    warned.write_text(json.dumps(documents["valid_with_warnings"]))
    _, out, _ = run_verify(str(warned))
    assert "Valid, with conformance warnings" in out and "- /issuer/image:" in out
    unchecked = tmp_path / "unchecked.json"
    unchecked.write_text(json.dumps(documents["cannot_check"]))
    _, out, _ = run_verify(str(unchecked))
    assert "Cannot be checked here" in out and "does not mean it is forged" in out


@pytest.mark.django_db
def test_cli_unreadable_input_in_json_carries_the_verdict(tmp_path):
    code, out, _ = run_verify(str(tmp_path / "missing.json"), "--json")
    assert code == 2 and json.loads(out)["verdict"] == "unreadable" and json.loads(out)["exit_code"] == 2


def test_cli_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        call_command("verify", "--help")
    text = capsys.readouterr().out
    for line in ("0  valid", "1  invalid", "2  unreadable", "3  cannot check"):
        assert line in text, text


# --- POST /api/v1/verify -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("verdict", ["valid", "valid_with_warnings", "invalid", "cannot_check", "unreadable"])
def test_api_answers_the_verdict(client, verdict):
    body = client.post("/api/v1/verify", {"credential": _documents()[verdict]}, content_type="application/json").json()
    assert body["verdict"] == verdict
    assert body["valid"] is (verdict in ("valid", "valid_with_warnings"))
    assert bool(body["conformance_warnings"]) is (verdict == "valid_with_warnings")


@pytest.mark.django_db
def test_openapi_documents_the_verdict(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["VerificationOut"]
    assert schema["properties"]["verdict"]["enum"] == [
        "valid",
        "valid_with_warnings",
        "invalid",
        "cannot_check",
        "unreadable",
    ]
    assert "verdict" in schema["required"] and "conformance_warnings" in schema["properties"]


# --- the verify page -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verdict", "look", "words"),
    [
        ("valid", "alert-success", "Every check passed"),
        ("valid_with_warnings", "alert-success", "breaks 2 Open Badges 3.0 rules"),
        ("invalid", "alert-error", "At least one check failed"),
        ("cannot_check", "alert-info", "That is not a sign of forgery"),
        ("unreadable", "verdict-unreadable", "not a credential we can read"),
    ],
)
def test_page_shows_each_verdict_its_own_way(client, verdict, look, words):
    html = client.post("/verify/", {"credential": json.dumps(_documents()[verdict])}).content.decode()
    assert f'data-verdict="{verdict}"' in html
    start = html.index('class="verdict alert')
    banner = html[start : html.index("</h2>", start)]
    assert f"verdict-{verdict}" in banner and look in banner
    if verdict in ("cannot_check", "invalid", "unreadable"):
        assert "alert-success" not in banner
    assert words in html


@pytest.mark.django_db
def test_page_lists_the_broken_rules_by_name(client):
    html = client.post("/verify/", {"credential": json.dumps(vector(DCC_2020_ONLY))}).content.decode()
    assert "Valid, with conformance warnings" in html
    listed = html[html.index('class="conformance-warnings') :]
    listed = listed[: listed.index("</ul>")]
    assert "/issuer/image:" in listed and "an id or at least one identifier" in listed
