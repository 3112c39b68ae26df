"""VC-JWT (OB 3.0 profile): signing, verification, tamper and algorithm tests."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from microcred.credentials.vc.errors import (
    InvalidProof,
    KeyResolutionError,
    MalformedCredential,
    UnsupportedSuite,
)
from microcred.credentials.vc.jwt import (
    MAX_HEADER_BYTES,
    jwk_for_public_key,
    jwks_for,
    public_key_from_jwk,
    sign_vc_jwt,
    unverified_parts,
    verify_vc_jwt,
)

# _forge() uses joserfc directly, which warns about the "EdDSA" name; that is expected.
pytestmark = pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")

KID = "https://academy.example/issuers/1#key-1"
ISSUER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "https://academy.example/credentials/0c5e7a52",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Data Literacy Fundamentals — niveau 1",
    "issuer": {"id": "https://academy.example/issuers/1", "type": ["Profile"], "name": "Example Academy"},
    "validFrom": "2025-03-01T09:00:00Z",
    "validUntil": "2028-03-01T09:00:00Z",
    "credentialSubject": {
        "id": "did:example:learner",
        "type": ["AchievementSubject"],
        "achievement": {"id": "https://academy.example/achievements/dlf", "type": ["Achievement"]},
    },
}


def _resolver(key: object) -> Any:
    calls: list[str | None] = []

    def resolve(kid: str | None, header: Mapping[str, Any]) -> Any:
        calls.append(kid)
        return key

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64json(value: object) -> str:
    return _b64(json.dumps(value).encode())


def _forge(header: dict[str, Any], payload: dict[str, Any], key: Any) -> str:
    """Sign arbitrary header/payload with joserfc directly (lets tests build bad tokens)."""
    return jws.serialize_compact(header, json.dumps(payload).encode(), key, algorithms=[header["alg"]])


def test_round_trip_adds_and_strips_registered_claims() -> None:
    token = sign_vc_jwt(CREDENTIAL, private_key=ISSUER_KEY, kid=KID)
    header, payload = unverified_parts(token)
    assert header == {"alg": "EdDSA", "kid": KID, "typ": "JWT"}
    assert payload["iss"] == "https://academy.example/issuers/1"
    assert payload["jti"] == CREDENTIAL["id"]
    assert payload["sub"] == "did:example:learner"
    assert payload["nbf"] == 1740819600
    assert payload["exp"] == 1835514000
    resolver = _resolver(ISSUER_KEY.public_key())
    assert verify_vc_jwt(token, resolve_key=resolver) == CREDENTIAL
    assert resolver.calls == [KID]


def test_both_eddsa_names_verify() -> None:
    token = sign_vc_jwt(CREDENTIAL, private_key=ISSUER_KEY, kid=KID, alg="Ed25519")
    assert unverified_parts(token)[0]["alg"] == "Ed25519"
    assert verify_vc_jwt(token, resolve_key=_resolver(ISSUER_KEY.public_key())) == CREDENTIAL
    # A JWKS entry published for "EdDSA" must still verify an "Ed25519" token (RFC 9864).
    jwk = jwk_for_public_key(KID, ISSUER_KEY.public_key())
    assert jwk["alg"] == "EdDSA"
    assert verify_vc_jwt(token, resolve_key=_resolver(jwk)) == CREDENTIAL


def test_tampered_payload_fails() -> None:
    token = sign_vc_jwt(CREDENTIAL, private_key=ISSUER_KEY, kid=KID)
    header, payload, signature = token.split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["name"] = "Doctor of Everything"
    with pytest.raises(InvalidProof, match="does not verify"):
        verify_vc_jwt(f"{header}.{_b64json(forged)}.{signature}", resolve_key=_resolver(ISSUER_KEY.public_key()))


def test_tampered_header_and_signature_fail() -> None:
    token = sign_vc_jwt(CREDENTIAL, private_key=ISSUER_KEY, kid=KID)
    header, payload, signature = token.split(".")
    other_kid = _b64json({"alg": "EdDSA", "kid": KID + "x", "typ": "JWT"})
    resolver = _resolver(ISSUER_KEY.public_key())
    with pytest.raises(InvalidProof):
        verify_vc_jwt(f"{other_kid}.{payload}.{signature}", resolve_key=resolver)
    flipped = bytearray(base64.urlsafe_b64decode(signature + "=="))
    flipped[0] ^= 1
    with pytest.raises(InvalidProof):
        verify_vc_jwt(f"{header}.{payload}.{_b64(bytes(flipped))}", resolve_key=resolver)


def test_wrong_key_fails() -> None:
    token = sign_vc_jwt(CREDENTIAL, private_key=ISSUER_KEY, kid=KID)
    with pytest.raises(InvalidProof):
        verify_vc_jwt(token, resolve_key=_resolver(OTHER_KEY.public_key()))
    with pytest.raises(InvalidProof, match="cannot produce EdDSA"):
        verify_vc_jwt(token, resolve_key=_resolver(RSA_KEY.public_key()))
    with pytest.raises(KeyResolutionError, match="Ed448PublicKey"):
        verify_vc_jwt(token, resolve_key=_resolver(Ed448PrivateKey.generate().public_key()))


def test_alg_none_and_hmac_are_refused() -> None:
    claims = {**CREDENTIAL, "iss": "https://academy.example/issuers/1"}
    unsigned = f"{_b64json({'alg': 'none'})}.{_b64json(claims)}."
    with pytest.raises(UnsupportedSuite, match="'none'"):
        verify_vc_jwt(unsigned, resolve_key=_resolver(ISSUER_KEY.public_key()))
    with_fake_sig = f"{_b64json({'alg': 'none'})}.{_b64json(claims)}.AAAA"
    with pytest.raises(UnsupportedSuite, match="'none'"):
        verify_vc_jwt(with_fake_sig, resolve_key=_resolver(ISSUER_KEY.public_key()))
    secret = OctKey.import_key(b"k" * 32)
    hmac_token = _forge({"alg": "HS256", "kid": KID}, claims, secret)
    resolver = _resolver(secret)
    with pytest.raises(UnsupportedSuite, match="HS256"):
        verify_vc_jwt(hmac_token, resolve_key=resolver)
    assert resolver.calls == []  # refused before any key lookup


def test_rs256_signs_and_verifies() -> None:
    token = sign_vc_jwt(CREDENTIAL, private_key=RSA_KEY, kid=KID)
    assert unverified_parts(token)[0]["alg"] == "RS256"
    assert verify_vc_jwt(token, resolve_key=_resolver(RSA_KEY.public_key())) == CREDENTIAL
    jwk = jwk_for_public_key(KID, RSA_KEY.public_key())
    assert verify_vc_jwt(token, resolve_key=_resolver(jwk)) == CREDENTIAL
    with pytest.raises(InvalidProof):
        verify_vc_jwt(token, resolve_key=_resolver(ISSUER_KEY.public_key()))


def test_weak_rsa_is_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(UnsupportedSuite, match="2048"):
        sign_vc_jwt(CREDENTIAL, private_key=weak, kid=KID)
    claims = {**CREDENTIAL, "iss": "https://academy.example/issuers/1"}
    token = _forge({"alg": "RS256", "kid": KID}, claims, RSAKey.import_key(weak))
    with pytest.raises(InvalidProof, match="too weak"):
        verify_vc_jwt(token, resolve_key=_resolver(weak.public_key()))


def test_es256_verifies() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    claims = {**CREDENTIAL, "iss": "https://academy.example/issuers/1"}
    token = _forge({"alg": "ES256", "kid": KID}, claims, ECKey.import_key(private))
    assert verify_vc_jwt(token, resolve_key=_resolver(private.public_key())) == CREDENTIAL


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "https://evil.example/issuers/1"),
        ("jti", "https://academy.example/credentials/other"),
        ("sub", "did:example:someone-else"),
        ("nbf", 1700000000),
        ("exp", 1900000000),
    ],
)
def test_claims_must_agree_with_the_credential(claim: str, value: object) -> None:
    token = sign_vc_jwt(CREDENTIAL, private_key=ISSUER_KEY, kid=KID)
    payload = unverified_parts(token)[1]
    payload[claim] = value
    forged = _forge({"alg": "EdDSA", "kid": KID}, payload, OKPKey.import_key(ISSUER_KEY))
    with pytest.raises(InvalidProof, match=f"claim {claim}="):
        verify_vc_jwt(forged, resolve_key=_resolver(ISSUER_KEY.public_key()))


def test_claim_without_counterpart_is_malformed() -> None:
    credential = {key: value for key, value in CREDENTIAL.items() if key != "validUntil"}
    payload = {**credential, "iss": "https://academy.example/issuers/1", "exp": 1900000000}
    token = _forge({"alg": "EdDSA", "kid": KID}, payload, OKPKey.import_key(ISSUER_KEY))
    with pytest.raises(MalformedCredential, match="exp has no counterpart"):
        verify_vc_jwt(token, resolve_key=_resolver(ISSUER_KEY.public_key()))


def test_vc11_vc_claim_is_unwrapped_and_restored() -> None:
    vc = copy.deepcopy(CREDENTIAL)
    vc["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    for field in ("id", "issuer", "validFrom", "validUntil"):
        del vc[field]
    del vc["credentialSubject"]["id"]
    payload = {
        "iss": "https://academy.example/issuers/1",
        "jti": "urn:uuid:1",
        "sub": "did:example:learner",
        "nbf": 1740819600,
        "exp": 1835514000,
        "vc": vc,
    }
    token = _forge({"alg": "RS256", "kid": KID}, payload, RSAKey.import_key(RSA_KEY))
    credential = verify_vc_jwt(token, resolve_key=_resolver(RSA_KEY.public_key()))
    assert credential["issuer"] == "https://academy.example/issuers/1"
    assert credential["id"] == "urn:uuid:1"
    assert credential["issuanceDate"] == "2025-03-01T09:00:00Z"
    assert credential["expirationDate"] == "2028-03-01T09:00:00Z"
    assert credential["credentialSubject"]["id"] == "did:example:learner"
    assert "vc" not in credential and "iss" not in credential


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.???.***",
        f"{_b64json([1])}.{_b64json({})}.AAAA",
        f"{_b64json({'alg': 'EdDSA'})}.{_b64json(CREDENTIAL)}.",
        "é.é.é",
    ],
)
def test_garbage_is_malformed(token: str) -> None:
    with pytest.raises(MalformedCredential):
        verify_vc_jwt(token, resolve_key=_resolver(ISSUER_KEY.public_key()))


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"alg": "EdDSA", "kid": KID, "jku": "https://evil.example/jwks"}, "not allowed"),
        ({"alg": "EdDSA", "kid": KID, "crit": ["b64"], "b64": False}, "not allowed"),
        ({"alg": "EdDSA", "kid": KID, "typ": "JWE"}, "typ"),
        ({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AA", "d": "AA"}}, "public key"),
    ],
)
def test_disallowed_headers(header: dict[str, Any], reason: str) -> None:
    token = f"{_b64json(header)}.{_b64json(CREDENTIAL)}.AAAA"
    with pytest.raises(MalformedCredential, match=reason):
        verify_vc_jwt(token, resolve_key=_resolver(ISSUER_KEY.public_key()))


def test_resolver_errors_propagate_and_private_keys_are_refused() -> None:
    token = sign_vc_jwt(CREDENTIAL, private_key=ISSUER_KEY, kid=KID)

    def failing(kid: str | None, header: Mapping[str, Any]) -> Any:
        raise KeyResolutionError("no such key")

    with pytest.raises(KeyResolutionError, match="no such key"):
        verify_vc_jwt(token, resolve_key=failing)
    with pytest.raises(KeyResolutionError, match="private"):
        verify_vc_jwt(token, resolve_key=_resolver(OKPKey.import_key(ISSUER_KEY)))


def test_signing_refuses_bad_input() -> None:
    with pytest.raises(MalformedCredential, match="validFrom"):
        sign_vc_jwt({**CREDENTIAL, "validFrom": None} | {}, private_key=ISSUER_KEY, kid=KID)
    without_from = {key: value for key, value in CREDENTIAL.items() if key != "validFrom"}
    with pytest.raises(MalformedCredential, match="validFrom"):
        sign_vc_jwt(without_from, private_key=ISSUER_KEY, kid=KID)
    with pytest.raises(MalformedCredential, match="already holds"):
        sign_vc_jwt({**CREDENTIAL, "iss": "x"}, private_key=ISSUER_KEY, kid=KID)
    with pytest.raises(UnsupportedSuite):
        sign_vc_jwt(CREDENTIAL, private_key=ISSUER_KEY, kid=KID, alg="RS256")
    with pytest.raises(UnsupportedSuite):
        sign_vc_jwt(CREDENTIAL, private_key=RSA_KEY, kid=KID, alg="HS256")


def test_jwks_and_jwk_import() -> None:
    jwks = jwks_for([(KID, ISSUER_KEY.public_key())])
    (jwk,) = jwks["keys"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    assert jwk["kid"] == KID and jwk["alg"] == "EdDSA" and jwk["use"] == "sig"
    assert "d" not in jwk
    assert jwk["x"] == _b64(bytes.fromhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"))
    assert public_key_from_jwk(jwk) == ISSUER_KEY.public_key()
    with pytest.raises(KeyResolutionError, match="private"):
        public_key_from_jwk({**jwk, "d": "AA"})
    with pytest.raises(KeyResolutionError, match="use"):
        public_key_from_jwk({**jwk, "use": "enc"})
    with pytest.raises(KeyResolutionError):
        public_key_from_jwk({"kty": "oct", "k": "AA"})


# --- header size, ES384, the official 1EdTech samples ---------------------------------------

DATA = Path(__file__).parent / "data" / "jwt"


def _header_jwk_resolver(kid: str | None, header: Mapping[str, Any]) -> Any:
    return header["jwk"]


def test_a_header_carrying_an_rsa_jwk_is_accepted() -> None:
    # joserfc's default cap is 512 bytes; an RS256 header with the key as jwk exceeds it.
    key = RSAKey.import_key(RSA_KEY)
    header = {"alg": "RS256", "typ": "JWT", "jwk": key.as_dict(private=False)}
    token = _forge(header, {**CREDENTIAL, "iss": "https://academy.example/issuers/1"}, key)
    assert len(token.split(".")[0]) > 512
    assert verify_vc_jwt(token, resolve_key=_header_jwk_resolver) == CREDENTIAL


def test_a_header_over_16_kib_is_refused_before_it_is_decoded() -> None:
    header = {"alg": "EdDSA", "kid": "k" * (MAX_HEADER_BYTES)}
    token = f"{_b64json(header)}.{_b64json(CREDENTIAL)}.AAAA"
    with pytest.raises(MalformedCredential, match="larger than 16 KiB"):
        verify_vc_jwt(token, resolve_key=_resolver(ISSUER_KEY.public_key()))


def test_es384_verifies_with_a_p384_key_only() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1())
    claims = {**CREDENTIAL, "iss": "https://academy.example/issuers/1"}
    token = _forge({"alg": "ES384", "kid": KID}, claims, ECKey.import_key(p384))
    assert verify_vc_jwt(token, resolve_key=_resolver(p384.public_key())) == CREDENTIAL
    assert jwk_for_public_key(KID, p384.public_key())["alg"] == "ES384"
    p256 = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(InvalidProof, match="cannot produce ES384"):
        verify_vc_jwt(token, resolve_key=_resolver(p256.public_key()))
    es256 = _forge({"alg": "ES256", "kid": KID}, claims, ECKey.import_key(p256))
    with pytest.raises(InvalidProof, match="cannot produce ES256"):
        verify_vc_jwt(es256, resolve_key=_resolver(p384.public_key()))


def test_es256_verifies_with_a_p256_jwk() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    claims = {**CREDENTIAL, "iss": "https://academy.example/issuers/1"}
    token = _forge({"alg": "ES256", "kid": KID}, claims, ECKey.import_key(private))
    jwk = jwk_for_public_key(KID, private.public_key())
    assert jwk["crv"] == "P-256" and jwk["alg"] == "ES256"
    assert verify_vc_jwt(token, resolve_key=_resolver(jwk)) == CREDENTIAL


@pytest.mark.parametrize(
    ("name", "header_bytes"),
    [("1edtech-spec-ob-v3p0-example-35.jwt", 543), ("1edtech-validator-simple-jwt_v1.svg", 527)],
)
def test_the_official_1edtech_samples_verify_with_their_embedded_key(name: str, header_bytes: int) -> None:
    text = (DATA / name).read_text()
    token = text if name.endswith(".jwt") else text.split('verify="')[1].split('"')[0]
    token = token.strip()
    assert len(token.split(".")[0]) == header_bytes
    credential = verify_vc_jwt(token, resolve_key=_header_jwk_resolver)
    assert "OpenBadgeCredential" in credential["type"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body = claims.get("vc", claims)
    body["name"] = "Forged " + str(body.get("name"))
    with pytest.raises(InvalidProof):
        verify_vc_jwt(f"{header}.{_b64json(claims)}.{signature}", resolve_key=_header_jwk_resolver)
