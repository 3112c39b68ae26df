"""VC-JWT through the verifier: embedded keys (``jwk`` header), realistic headers, ES256,
and payloads that are not JSON-LD checked. Every token is signed here, except the official
1EdTech samples in tests/vc/data/jwt (see its README)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jws
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey

from microcred.credentials import vc
from microcred.credentials.vc.verifier import Outcome, StepStatus
from tests.verification.builders import Issuer, World, badge, did_key_issuer, https_issuer, seeded_key, sign_jwt

# joserfc warns about the "EdDSA" name when tests sign with it directly; that is expected.
pytestmark = pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")

SAMPLES = Path(__file__).parents[1] / "vc" / "data" / "jwt"
EMBEDDED_DID_KEY = "the key embedded in the token header, equal to the issuer's did:key"


def _payload(credential: dict[str, Any]) -> bytes:
    # The registered claims sign_vc_jwt adds, taken from a token it signs.
    signed = sign_jwt(credential, seeded_key(99), "unused")
    segment = signed.split(".")[1]
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _token(credential: dict[str, Any], key: Key, header: dict[str, Any]) -> str:
    return jws.serialize_compact(header, _payload(credential), key, algorithms=[header["alg"]])


def _ed25519_jwk(issuer: Issuer) -> tuple[Key, dict[str, Any]]:
    key = OKPKey.import_key(issuer.key)
    return key, dict(key.as_dict(private=False))


def test_a_did_key_issuer_may_embed_its_own_key(world: World) -> None:
    issuer = did_key_issuer(seed=21)
    key, jwk = _ed25519_jwk(issuer)
    report = world.verify(_token(badge(issuer), key, {"alg": "EdDSA", "typ": "JWT", "jwk": jwk}))
    assert report.outcome is Outcome.VALID, [(s.name, s.reason) for s in report.steps]
    proof = report.step("proof")
    assert proof.data["key"] == EMBEDDED_DID_KEY
    assert EMBEDDED_DID_KEY in report.step("issuer").reason
    assert world.fetched == []  # nothing to look up: the DID is the key


def test_a_did_key_issuer_with_a_kid_and_its_embedded_key(world: World) -> None:
    issuer = did_key_issuer(seed=22)
    key, jwk = _ed25519_jwk(issuer)
    report = world.verify(_token(badge(issuer), key, {"alg": "Ed25519", "kid": issuer.vm, "jwk": jwk}))
    assert report.outcome is Outcome.VALID
    assert report.step("proof").data["key"] == EMBEDDED_DID_KEY


def test_a_p256_did_key_issuer_signs_es256_with_its_embedded_key(world: World) -> None:
    private = ec.derive_private_key(0x5EED, ec.SECP256R1())
    did = vc.did_key_from_public(private.public_key())
    issuer = Issuer(id=did, name="P-256 Academy", key=seeded_key(1), vm=vc.did_key_vm_id(private.public_key()))
    key = ECKey.import_key(private)
    report = world.verify(_token(badge(issuer), key, {"alg": "ES256", "jwk": dict(key.as_dict(private=False))}))
    assert report.outcome is Outcome.VALID, [(s.name, s.reason) for s in report.steps]
    assert report.step("proof").data == {"alg": "ES256", "key": EMBEDDED_DID_KEY}


def test_an_embedded_key_that_is_not_the_issuers_is_refused_with_its_reason(world: World) -> None:
    issuer = did_key_issuer(seed=23)
    stranger = did_key_issuer(seed=24)
    key, jwk = _ed25519_jwk(stranger)
    report = world.verify(_token(badge(issuer), key, {"alg": "EdDSA", "jwk": jwk}))
    # The signature is sound (the stranger's key made it) but nothing makes it the issuer's.
    assert report.step("proof").status is StepStatus.PASSED
    binding = report.step("issuer")
    assert binding.status is StepStatus.FAILED and binding.code == "issuer_mismatch"
    assert "embedded in the token header" in binding.reason and "which nothing ties to the issuer" in binding.reason
    assert report.outcome is Outcome.INVALID


def test_an_embedded_key_listed_by_the_issuers_document_is_trusted(world: World, academy: Issuer) -> None:
    key, jwk = _ed25519_jwk(academy)
    report = world.verify(_token(badge(academy), key, {"alg": "EdDSA", "kid": academy.vm, "jwk": jwk}))
    assert report.outcome is Outcome.VALID
    assert report.step("proof").data["key"] == (
        f"the key embedded in the token header, equal to the verification method {academy.vm}"
    )


def test_an_embedded_key_that_differs_from_the_key_its_kid_names_is_refused(world: World, academy: Issuer) -> None:
    stranger = https_issuer(seed=25)
    key, jwk = _ed25519_jwk(stranger)
    report = world.verify(_token(badge(academy), key, {"alg": "EdDSA", "kid": academy.vm, "jwk": jwk}))
    proof = report.step("proof")
    assert proof.status is StepStatus.FAILED and proof.code == "issuer_mismatch"
    assert f"not the key {academy.vm!r} names" in proof.reason
    assert report.outcome is Outcome.INVALID


def test_an_rsa_header_over_512_bytes_with_the_key_its_kid_names(world: World) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    issuer = https_issuer(base="https://rsa.example", seed=26)
    world.publish("https://rsa.example/.well-known/jwks.json", vc.jwks_for([("rsa-1", rsa_key.public_key())]))
    key = RSAKey.import_key(rsa_key)
    header = {"alg": "RS256", "kid": "rsa-1", "typ": "JWT", "jwk": dict(key.as_dict(private=False))}
    token = _token(badge(issuer), key, header)
    assert len(token.split(".")[0]) > 700
    report = world.verify(token)
    assert report.outcome is Outcome.VALID, [(s.name, s.reason) for s in report.steps]
    assert report.step("proof").data["key"] == (
        "the key embedded in the token header, equal to the issuer's key set https://rsa.example/.well-known/jwks.json"
    )


def test_jwt_payload_terms_are_not_checked_against_the_contexts(world: World) -> None:
    issuer = did_key_issuer(seed=27)
    credential = badge(issuer)
    credential["madeUpTerm"] = "no context defines this"
    credential["@context"] = [*credential["@context"], "https://contexts.example/unbundled/v1"]
    report = world.verify(sign_jwt(credential, issuer.key, issuer.vm))
    structure = report.step("structure")
    assert structure.status is StepStatus.PASSED and structure.data == {"jsonld_terms_checked": False}
    assert "not JSON-LD processed" in structure.reason
    assert report.step("proof").status is StepStatus.PASSED
    assert report.step("proof").data["key"] == f"the verification method {issuer.vm}"


def test_a_jwt_that_is_not_a_credential_is_still_refused(world: World) -> None:
    issuer = did_key_issuer(seed=28)
    credential = badge(issuer)
    credential["type"] = ["OpenBadgeCredential"]
    report = world.verify(sign_jwt(credential, issuer.key, issuer.vm))
    structure = report.step("structure")
    assert structure.status is StepStatus.FAILED and structure.code == "malformed"
    assert "VerifiableCredential" in structure.reason


@pytest.mark.parametrize(
    ("name", "container", "issuer"),
    [
        ("1edtech-spec-ob-v3p0-example-35.jwt", "jwt", "https://example.com/issuers/876543"),
        ("1edtech-validator-simple-jwt_v1.svg", "svg", "https://example.edu/issuers/565049"),
    ],
)
def test_the_official_1edtech_samples(world: World, name: str, container: str, issuer: str) -> None:
    """Both embed an RSA key in a header over 512 bytes, for an https issuer that does not list
    it: read, signature checked, and refused at the binding with the reason."""
    report = world.verify((SAMPLES / name).read_bytes())
    assert report.format == container
    assert report.step("structure").status is StepStatus.PASSED
    proof = report.step("proof")
    assert proof.status is StepStatus.PASSED and proof.data["alg"] == "RS256"
    binding = report.step("issuer")
    assert binding.code == "issuer_mismatch" and issuer in binding.reason
    assert "embedded in the token header" in binding.reason
    assert report.outcome is Outcome.INVALID


def test_a_tampered_official_sample_fails_its_signature(world: World) -> None:
    token = (SAMPLES / "1edtech-spec-ob-v3p0-example-35.jwt").read_text().strip()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Forged Badge"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    report = world.verify(f"{header}.{forged}.{signature}")
    assert report.step("proof").code == "invalid_proof"
    assert report.outcome is Outcome.INVALID
