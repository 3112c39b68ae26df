"""The Django-free checklist engine, driven with credentials signed in the tests."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import OKPKey

from microcred.credentials import vc
from microcred.credentials.vc import ob3
from microcred.credentials.vc.verifier import Outcome, StepStatus, Verdict
from tests.verification.builders import (
    ISSUED,
    LEARNER_EMAIL,
    NOW,
    SALT,
    SVG_IMAGE,
    badge,
    did_key_issuer,
    png_image,
    sign,
    sign_jwt,
    status_list,
    vc11_badge,
)

VECTORS = Path(__file__).resolve().parents[1] / "vc" / "vectors" / "vc-di-eddsa"
LIST_URL = "https://academy.example/status/1"


def statuses(report) -> dict[str, str]:
    return {step.name: step.status.value for step in report.steps}


def test_did_key_issuer_credential_is_valid_and_summarised(world):
    issuer = did_key_issuer()
    report = world.verify(sign(badge(issuer), issuer))

    assert report.valid and report.outcome is Outcome.VALID and report.verdict is Verdict.VALID
    assert [step.name for step in report.steps] == [
        "read",
        "structure",
        "schema",
        "subject",
        "proof",
        "issuer",
        "status",
        "validity",
        "recipient",
        "endorsements",
    ]
    assert statuses(report) == {
        "read": "passed",
        "structure": "passed",
        "schema": "passed",
        "subject": "passed",
        "proof": "passed",
        "issuer": "passed",
        "status": "skipped",
        "validity": "passed",
        "recipient": "skipped",
        "endorsements": "skipped",
    }
    assert report.issuer_id == issuer.id and report.issuer_name == "Key Academy"
    assert report.achievement_name == "Data Literacy Fundamentals"
    assert report.subject == "emailAddress (hashed)"
    assert report.valid_from == "2025-09-01T09:00:00Z"
    assert report.format == "json" and report.vc_version == "2.0"
    assert report.to_json()["steps"][4] == {
        "name": "proof",
        "label": "Signature",
        "status": "passed",
        "reason": "The proof verifies (Data Integrity, eddsa-rdfc-2022).",
        "data": {
            "proofs": [
                {
                    "index": 0,
                    "id": None,
                    "type": "DataIntegrityProof",
                    "cryptosuite": "eddsa-rdfc-2022",
                    "verification_method": issuer.vm,
                    "outcome": "verified",
                    "reason": "The signature verifies.",
                    "controller": issuer.id,
                }
            ],
            "verification_methods": [issuer.vm],
            "cryptosuites": ["eddsa-rdfc-2022"],
        },
    }


def test_https_issuer_key_is_read_from_its_profile_document(world, academy):
    report = world.verify(sign(badge(academy), academy))
    assert report.valid, report.to_json()
    assert academy.id in world.fetched
    assert "controlled by the issuer https://academy.example/issuers/1" in report.step("issuer").reason


def test_compacted_foreign_credential_passes_with_the_jsonld_adaptation_schema(world):
    issuer = did_key_issuer()
    unsigned = badge(issuer)
    unsigned["type"] = ["VerifiableCredential", "OpenBadgeCredential"]
    unsigned["credentialSubject"]["type"] = "AchievementSubject"  # a JSON-LD compacted single value
    report = world.verify(sign(unsigned, issuer))
    assert report.valid
    assert "JSON-LD adaptation" in report.step("schema").reason


@pytest.mark.parametrize(
    "path",
    [
        "eddsa-rdfc-2022/signedDataInt.json",
        "eddsa-jcs-2022/signedJCS.json",
        "proof-set-chain/signedProofSet1.json",
        "proof-set-chain/signedProofSet2.json",
        "proof-set-chain/signedProofChain1.json",
        "proof-set-chain/signedProofChain2.json",
    ],
)
def test_official_vectors_pass_the_proof_step(world, path):
    document = json.loads((VECTORS / path).read_text("utf-8"))
    report = world.verify(document)
    proof = report.step("proof")
    assert proof.status is StepStatus.PASSED, proof.reason
    # Not Open Badges, and issued by an https id while signed with did:keys.
    assert report.step("schema").status is StepStatus.WARNING
    assert report.step("issuer").code == "issuer_mismatch"
    proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
    assert len(proof.data["verification_methods"]) == len(proofs)


def test_tampered_vector_fails_the_proof_with_a_reason(world):
    document = json.loads((VECTORS / "eddsa-rdfc-2022/signedDataInt.json").read_text("utf-8"))
    document["credentialSubject"]["alumniOf"] = "The School of Forgery"
    proof = world.verify(document).step("proof")
    assert proof.status is StepStatus.FAILED and proof.code == "invalid_proof"
    assert proof.reason == "Signature does not match the document."


@pytest.mark.parametrize(
    "tamper",
    [
        lambda doc: doc.update(name="Advanced Data Science"),
        lambda doc: doc.update(validFrom="2020-01-01T00:00:00Z"),
        lambda doc: doc["credentialSubject"]["identifier"][0].update(salt="other"),
        lambda doc: doc["issuer"].update(name="Someone Else"),
        lambda doc: doc["proof"].update(created="2025-09-02T09:00:00Z"),
    ],
)
def test_tampered_credential_is_invalid(world, tamper):
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    tamper(signed)
    report = world.verify(signed)
    assert report.outcome is Outcome.INVALID
    assert report.step("proof").code == "invalid_proof"
    assert report.step("issuer").status is StepStatus.SKIPPED


def test_key_not_controlled_by_the_issuer_fails_binding(world, academy):
    stranger = did_key_issuer(seed=9)
    claimed = badge(academy)  # names https://academy.example/issuers/1 as issuer
    signed = vc.sign(claimed, private_key=stranger.key, verification_method=stranger.vm, created=ISSUED)
    report = world.verify(signed)
    assert report.step("proof").status is StepStatus.PASSED
    binding = report.step("issuer")
    assert binding.status is StepStatus.FAILED and binding.code == "issuer_mismatch"
    assert stranger.id in binding.reason
    assert report.outcome is Outcome.INVALID


def test_an_unknown_context_cannot_be_checked_offline(world):
    # Without the context the document cannot be read as it was signed: not a forgery (ADR 0040).
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    signed["@context"].append("https://contexts.example/unknown/v1")
    report = world.verify(signed)
    structure = report.step("structure")
    assert structure.status is StepStatus.UNSUPPORTED and structure.code == "unknown_context"
    assert "https://contexts.example/unknown/v1" in structure.reason
    assert report.outcome is Outcome.UNSUPPORTED and report.verdict is Verdict.CANNOT_CHECK


def test_undefined_term_fails_with_its_code(world):
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    signed["credentialSubject"]["favouriteColour"] = "blue"  # would not be covered by the proof
    report = world.verify(signed)
    structure = report.step("structure")
    assert structure.code == "undefined_term" and "favouriteColour" in structure.reason
    assert report.outcome is Outcome.INVALID


def test_expired(world):
    issuer = did_key_issuer()
    signed = sign(badge(issuer, valid_until=NOW - timedelta(days=1)), issuer)
    report = world.verify(signed)
    assert report.outcome is Outcome.EXPIRED and not report.valid
    assert report.step("validity").code == "expired"
    assert report.step("proof").status is StepStatus.PASSED


def test_not_yet_valid(world):
    issuer = did_key_issuer()
    signed = sign(badge(issuer, valid_from=NOW + timedelta(hours=1)), issuer)
    report = world.verify(signed)
    assert report.outcome is Outcome.NOT_YET_VALID
    assert report.step("validity").code == "not_yet_valid"


def _with_status(world, academy, *, index: int, purpose: str = "revocation", set_bits=()):
    url = f"{LIST_URL}-{purpose}"
    world.publish(url, status_list(academy, url, set_bits=set_bits, purpose=purpose))
    entry = ob3.StatusEntry(
        id=f"{url}#{index}", status_list_credential=url, status_list_index=index, status_purpose=purpose
    )
    return sign(badge(academy, status=entry), academy)


def test_status_list_with_the_bit_clear_passes(world, academy):
    report = world.verify(_with_status(world, academy, index=4711, set_bits=(4710, 4712)))
    assert report.valid
    assert report.step("status").status is StepStatus.PASSED
    assert f"{LIST_URL}-revocation" in world.fetched


def test_revoked(world, academy):
    report = world.verify(_with_status(world, academy, index=4711, set_bits=(4711,)))
    assert report.outcome is Outcome.REVOKED
    status = report.step("status")
    assert status.code == "revoked" and "revoked" in status.reason and LIST_URL in status.reason


def test_suspended(world, academy):
    report = world.verify(_with_status(world, academy, index=12, purpose="suspension", set_bits=(12,)))
    assert report.outcome is Outcome.SUSPENDED
    assert report.step("status").code == "suspended"


def test_status_list_whose_proof_fails_is_not_trusted(world, academy):
    signed = _with_status(world, academy, index=3, set_bits=(3,))
    forged = copy.deepcopy(world.documents[f"{LIST_URL}-revocation"])
    forged["credentialSubject"]["encodedList"] = vc.StatusList().encode()  # "nobody is revoked"
    world.publish(f"{LIST_URL}-revocation", forged)
    report = world.verify(signed)
    status = report.step("status")
    assert status.status is StepStatus.FAILED and status.code == "status_error"
    assert "does not verify" in status.reason
    assert report.outcome is Outcome.INVALID


def test_status_list_signed_by_someone_else_is_not_trusted(world, academy):
    signed = _with_status(world, academy, index=3)
    stranger = did_key_issuer(seed=7)
    url = f"{LIST_URL}-revocation"
    hijacked = status_list(stranger, url)
    hijacked["issuer"] = academy.id  # claims the academy, signed by a stranger
    world.publish(
        url,
        vc.sign(
            {k: v for k, v in hijacked.items() if k != "proof"},
            private_key=stranger.key,
            verification_method=stranger.vm,
            created=ISSUED,
        ),
    )
    report = world.verify(signed)
    assert report.step("status").code == "issuer_mismatch"
    assert report.outcome is Outcome.INVALID


def test_unreachable_status_list_fails_the_status_step(world, academy):
    signed = _with_status(world, academy, index=3)
    del world.documents[f"{LIST_URL}-revocation"]
    report = world.verify(signed)
    # Fails closed: a status that cannot be read never reads as valid, nor as a forgery.
    assert report.step("status").status in (StepStatus.UNSUPPORTED, StepStatus.FAILED)
    assert report.step("status").code in ("fetch_refused", "status_unavailable")
    assert report.outcome is Outcome.UNSUPPORTED and report.verdict is Verdict.CANNOT_CHECK


def test_1edtech_revocation_list(world, academy):
    credential_id = "https://academy.example/credentials/77"
    entry = {"id": "https://academy.example/revocations/1", "type": "1EdTechRevocationList"}
    unsigned = badge(academy, credential_id=credential_id)
    unsigned["credentialStatus"] = entry
    signed = sign(unsigned, academy)
    world.publish(entry["id"], {"id": entry["id"], "issuer": academy.id, "revokedCredentials": []})
    assert world.verify(signed).valid
    world.publish(
        entry["id"],
        {
            "id": entry["id"],
            "issuer": academy.id,
            "revokedCredentials": [{"id": credential_id, "revocationReason": "Issued in error"}],
        },
    )
    report = world.verify(signed)
    assert report.outcome is Outcome.REVOKED
    assert "Issued in error" in report.step("status").reason


def test_unsupported_cryptosuite_is_unsupported_not_invalid(world):
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    signed["proof"]["cryptosuite"] = "bbs-2023"
    report = world.verify(signed)
    proof = report.step("proof")
    assert proof.status is StepStatus.UNSUPPORTED and proof.code == "unsupported"
    assert "bbs-2023" in proof.reason
    assert report.outcome is Outcome.UNSUPPORTED and not report.valid


def test_legacy_proof_type_is_unsupported(world):
    # Ed25519Signature2020/2018 are verified now (test_suites_verification.py); RSA is not.
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    signed["proof"]["type"] = "RsaSignature2018"
    assert world.verify(signed).step("proof").status is StepStatus.UNSUPPORTED


def test_missing_proof_is_invalid(world):
    report = world.verify(badge(did_key_issuer()))
    assert report.step("proof").code == "invalid_proof"
    assert report.outcome is Outcome.INVALID


def test_vc_jwt_eddsa_is_valid(world):
    issuer = did_key_issuer()
    report = world.verify(sign_jwt(badge(issuer), issuer.key, issuer.vm))
    assert report.valid, report.to_json()
    assert report.format == "jwt"
    assert "EdDSA" in report.step("proof").reason


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_vc_jwt_rs256_with_the_issuers_jwks(world, rsa_key):
    issuer_id = "https://rsa.example/issuers/9"
    credential = badge(did_key_issuer())
    credential["issuer"] = {"id": issuer_id, "type": ["Profile"], "name": "RSA College"}
    world.publish("https://rsa.example/.well-known/jwks.json", vc.jwks_for([("rsa-1", rsa_key.public_key())]))
    token = sign_jwt(credential, rsa_key, "rsa-1")
    report = world.verify(token)
    assert report.valid, report.to_json()
    assert "RS256" in report.step("proof").reason
    assert "https://rsa.example/.well-known/jwks.json" in report.step("issuer").reason


def test_vc_jwt_rs256_with_a_json_web_key_verification_method(world, rsa_key):
    issuer_id = "https://rsa.example/issuers/10"
    vm = f"{issuer_id}#rsa"
    world.publish(
        issuer_id,
        {
            "@context": ["https://www.w3.org/ns/cid/v1"],
            "id": issuer_id,
            "verificationMethod": [
                {
                    "id": vm,
                    "type": "JsonWebKey",
                    "controller": issuer_id,
                    "publicKeyJwk": vc.jwk_for_public_key("rsa", rsa_key.public_key()),
                }
            ],
            "assertionMethod": [vm],
        },
    )
    credential = badge(did_key_issuer())
    credential["issuer"] = {"id": issuer_id, "type": ["Profile"], "name": "RSA College"}
    assert world.verify(sign_jwt(credential, rsa_key, vm)).valid


def test_vc_jwt_with_a_tampered_payload_is_invalid(world):
    issuer = did_key_issuer()
    header, payload, signature = sign_jwt(badge(issuer), issuer.key, issuer.vm).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["name"] = "Forged"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    report = world.verify(f"{header}.{forged_payload}.{signature}")
    assert report.step("proof").code == "invalid_proof"
    assert report.outcome is Outcome.INVALID


def test_vc_jwt_with_only_an_embedded_key_is_not_bound_to_the_issuer(world, academy):
    stranger = did_key_issuer(seed=5)
    credential = badge(academy)
    token = sign_jwt(credential, stranger.key, stranger.vm)
    # Re-sign with the stranger's key embedded as jwk instead of a kid.
    key = OKPKey.import_key(stranger.key)
    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==")
    embedded = jws.serialize_compact(
        {"alg": "Ed25519", "jwk": key.as_dict(private=False), "typ": "JWT"},
        payload,
        key,
        algorithms=["Ed25519"],
    )
    report = world.verify(embedded)
    assert report.step("proof").status is StepStatus.PASSED
    assert report.step("issuer").code == "issuer_mismatch"
    assert report.outcome is Outcome.INVALID


@pytest.mark.parametrize("payload", ["json", "jwt"])
def test_baked_png_and_svg_are_verified(world, payload):
    issuer = did_key_issuer()
    signed = sign(badge(issuer), issuer)
    content = signed if payload == "json" else sign_jwt(badge(issuer), issuer.key, issuer.vm)
    png = world.verify(vc.bake_png(png_image(), content))
    svg = world.verify(vc.bake_svg(SVG_IMAGE, content).encode("utf-8"))
    for report, container in ((png, "png"), (svg, "svg")):
        assert report.valid, report.to_json()
        assert report.format == container
        assert container.upper() in report.step("read").reason


def test_vc11_open_badge_is_valid(world):
    issuer = did_key_issuer(seed=11)
    report = world.verify(sign(vc11_badge(issuer), issuer))
    assert report.valid, report.to_json()
    assert report.vc_version == "1.1"
    assert "VC 1.1" in report.step("schema").reason
    assert report.valid_until == "2029-01-01T00:00:00Z"


def test_vc11_open_badge_expires_by_expiration_date(world):
    issuer = did_key_issuer(seed=11)
    report = world.verify(sign(vc11_badge(issuer, expiration="2025-01-01T00:00:00Z"), issuer))
    assert report.outcome is Outcome.EXPIRED


@pytest.mark.parametrize("typed", [LEARNER_EMAIL, LEARNER_EMAIL.lower(), f"  {LEARNER_EMAIL.upper()} "])
def test_recipient_email_matches_the_hashed_identifier(world, typed):
    issuer = did_key_issuer()
    report = world.verify(sign(badge(issuer), issuer), recipient_email=typed)
    assert report.step("recipient").status is StepStatus.PASSED
    assert report.valid


def test_recipient_email_mismatch(world):
    issuer = did_key_issuer()
    report = world.verify(sign(badge(issuer), issuer), recipient_email="someone.else@example.org")
    recipient = report.step("recipient")
    assert recipient.code == "recipient_mismatch" and "someone.else@example.org" in recipient.reason
    assert report.outcome is Outcome.INVALID


@pytest.mark.parametrize(
    "identifier",
    [
        {"type": "IdentityObject", "identityType": "emailAddress", "hashed": False, "identityHash": "ADA@example.org"},
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "salt": SALT,
            "identityHash": "md5$" + hashlib.md5(("ada@example.org" + SALT).encode()).hexdigest(),
        },
    ],
)
def test_recipient_plaintext_and_md5_identifiers(world, identifier):
    issuer = did_key_issuer()
    unsigned = badge(issuer)
    unsigned["credentialSubject"]["identifier"] = [identifier]
    signed = sign(unsigned, issuer)
    assert world.verify(signed, recipient_email="ada@example.org").step("recipient").status is StepStatus.PASSED
    assert world.verify(signed, recipient_email="eve@example.org").step("recipient").status is StepStatus.FAILED


@pytest.mark.parametrize(
    "garbage",
    [b"\x00\x01\x02 not a credential", "hello world", b"", "{not json", "[1, 2, 3]", b"\x89PNG\r\n\x1a\nbroken"],
)
def test_garbage_is_malformed(world, garbage):
    report = world.verify(garbage)
    assert report.outcome is Outcome.MALFORMED
    assert report.step("read").status is StepStatus.FAILED and report.step("read").code == "malformed"
    assert all(step.status is StepStatus.SKIPPED for step in report.steps[1:])


@pytest.mark.parametrize(
    "document",
    [{}, {"hello": "world"}, {"@context": 5}, {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "Thing"}],
)
def test_json_that_is_not_a_credential_is_malformed(world, document):
    report = world.verify(document)
    assert report.outcome is Outcome.MALFORMED
    assert report.step("structure").code == "malformed"


def test_png_without_a_credential_is_malformed(world):
    report = world.verify(png_image())
    assert report.outcome is Outcome.MALFORMED
    assert "no openbadgecredential" in report.step("read").reason


def test_a_bare_open_badges_2_assertion_is_read_as_the_legacy_format_and_is_not_valid(world):
    # No recipient, badge or verification object: the OB 2.0 checklist (tests/vc/test_ob2.py) says why.
    report = world.verify({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "urn:x"})
    assert report.format == "ob2" and report.vc_version is None
    assert report.verdict.value == "invalid"
    assert report.step("schema").status is StepStatus.FAILED


def _endorsement(endorser, endorsed_id: str) -> dict:
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
        "credentialSubject": {
            "id": endorsed_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": "Meets our hiring bar.",
        },
    }


def test_embedded_endorsements_are_verified_and_reported(world):
    issuer, guild = did_key_issuer(), did_key_issuer(seed=21, name="Data Guild")
    unsigned = badge(issuer)
    good = vc.sign(
        _endorsement(guild, "https://academy.example/achievements/dlf"),
        private_key=guild.key,
        verification_method=guild.vm,
        created=ISSUED,
    )
    unsigned["credentialSubject"]["achievement"]["endorsement"] = [good]
    unsigned["endorsement"] = [good]
    report = world.verify(sign(unsigned, issuer))
    assert report.valid, report.to_json()
    step = report.step("endorsements")
    assert step.status is StepStatus.PASSED and step.reason == "1 of 1 endorsement(s) verified."
    assert len(report.endorsements) == 1 and report.endorsements[0].valid
    assert report.endorsements[0].issuer_name == "Data Guild"


def test_a_bad_endorsement_warns_without_invalidating_the_credential(world):
    issuer, guild = did_key_issuer(), did_key_issuer(seed=21)
    forged = vc.sign(
        _endorsement(guild, "https://academy.example/achievements/dlf"),
        private_key=guild.key,
        verification_method=guild.vm,
        created=ISSUED,
    )
    forged["credentialSubject"]["endorsementComment"] = "Changed afterwards."
    unsigned = badge(issuer)
    unsigned["endorsement"] = [forged]
    report = world.verify(sign(unsigned, issuer))
    assert report.valid
    step = report.step("endorsements")
    assert step.status is StepStatus.WARNING and "not valid" in step.reason
    assert report.endorsements[0].step("proof").code == "invalid_proof"


def test_endorsement_recursion_is_depth_limited(world):
    guild = did_key_issuer(seed=21)
    inner = _endorsement(guild, "urn:uuid:6e0d3b5c-2222-4e4e-8c8c-000000000022")
    for _ in range(4):
        outer = _endorsement(guild, "urn:uuid:6e0d3b5c-2222-4e4e-8c8c-000000000022")
        outer["endorsement"] = [inner]
        inner = outer
    report = world.verify(inner)
    depth = 0
    while report.endorsements:
        report = report.endorsements[0]
        depth += 1
    assert depth == 2
    assert "nested more than 2 levels" in report.step("endorsements").reason


def test_naive_now_is_a_programming_error(world):
    with pytest.raises(ValueError):
        world.verify({}, now=NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    ("list_from", "passes"), [(NOW + timedelta(minutes=1), True), (NOW + timedelta(days=1), False)]
)
def test_a_just_republished_status_list_is_accepted_but_a_future_one_is_not(world, academy, list_from, passes):
    url = f"{LIST_URL}-fresh"
    unsigned = vc.build_status_list_credential(
        list_id=url,
        issuer=academy.id,
        status_list=vc.StatusList(),
        purpose="revocation",
        valid_from=list_from,
        valid_until=list_from + timedelta(days=1),
    )
    world.publish(url, sign(unsigned, academy))
    entry = ob3.StatusEntry(id=f"{url}#1", status_list_credential=url, status_list_index=1)
    report = world.verify(sign(badge(academy, status=entry), academy))
    assert report.valid is passes
    if not passes:
        assert "not valid before" in report.step("status").reason
