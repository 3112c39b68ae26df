"""Ed25519Signature2020 and Ed25519Signature2018 through the suite registry (ADR 0038).

The 2020 vectors are real credentials signed by other stacks (tests/vc/data/suites/README.md
names each source); no public 2018 vector uses only contexts we bundle, so 2018 is signed
here with the published test key of digitalbazaar/ed25519-signature-2018 and checked for
the exact JWS header jsonld-signatures writes.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from microcred.credentials.vc import dataintegrity as di
from microcred.credentials.vc import suites
from microcred.credentials.vc.didweb import resolve_public_key, resolve_verification_method
from microcred.credentials.vc.errors import InvalidProof, MalformedCredential, UnsupportedSuite
from microcred.credentials.vc.multikey import did_key_from_public, did_key_public_key, did_key_vm_id
from microcred.credentials.vc.statuslist import StatusList, build_status_list_credential, status_of

DATA = Path(__file__).parent / "data" / "suites"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
CREATED = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)

ALUMNI_2020 = "vc-di-eddsa-ed25519signature2020-alumni.json"
DCC_OB3_2020 = "dcc-v1-ed25519-didkey-legacy-noStatus-noExpiry.json"
DCC_PROOF_SET = "dcc-v1-both-didkey-legacy-noStatus-noExpiry-basicOBv3.json"
REAL_2020 = (ALUMNI_2020, DCC_OB3_2020, DCC_PROOF_SET)

# digitalbazaar/ed25519-signature-2018 test/mock-data.js: a published test key pair.
KEY_2018_PUBLIC = "GycSSui454dpYRKiFdsQ5uaE8Gy3ac6dSMPcAoQsk8yq"
KEY_2018_PRIVATE = "3Mmk4UzTRJTEtxaKk61LxtgUxAa2Dg36jF6VogPtRiKvfpsQWKPCLesKSV182RMmvMJKk6QErH3wgdHp8itkSSiF"
CONTROLLER_2018 = "https://example.edu/issuers/565049"
VM_2018 = CONTROLLER_2018 + "#z6MkjLrk3gKS2nnkeWcmcxiZPGskmesDpuwRBorgHxUXfxnG"
# The protected header jsonld-signatures writes (seen verbatim in every public 2018 proof).
JSIGS_2018_HEADER = "eyJhbGciOiJFZERTQSIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19"


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DATA / name).read_text())
    return document


def proofs(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document["proof"]
    return proof if isinstance(proof, list) else [proof]


def key_2018() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base58.b58decode(KEY_2018_PRIVATE)[:32])


def vc11_credential(issuer: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "https://example.com/credentials/123",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "issuanceDate": "2019-12-03T12:19:52Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
    }


class ControllerDocuments:
    """A Fetcher over fixed controller documents (no network)."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents

    def fetch(self, url: str, *, accept: str = "application/json") -> bytes:
        return json.dumps(self.documents[url]).encode()


def controller_2018() -> ControllerDocuments:
    method = {
        "id": VM_2018,
        "type": "Ed25519VerificationKey2018",
        "controller": CONTROLLER_2018,
        "publicKeyBase58": KEY_2018_PUBLIC,
    }
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/ed25519-2018/v1"],
        "id": CONTROLLER_2018,
        "assertionMethod": [method],
    }
    return ControllerDocuments({CONTROLLER_2018: document})


def resolve_2018(vm_url: str) -> tuple[Ed25519PublicKey, str]:
    key, controller = resolve_verification_method(vm_url, fetcher=controller_2018())
    return key, controller


# --- the registry -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proof", "name"),
    [
        ({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}, "eddsa-rdfc-2022"),
        ({"type": "DataIntegrityProof", "cryptosuite": "eddsa-2022"}, "eddsa-rdfc-2022"),
        ({"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022"}, "eddsa-jcs-2022"),
        ({"type": "Ed25519Signature2020"}, "Ed25519Signature2020"),
        ({"type": "Ed25519Signature2018"}, "Ed25519Signature2018"),
    ],
)
def test_registry_finds_the_suite_of_a_proof(proof: dict[str, Any], name: str) -> None:
    assert suites.suite_of(proof).name == name


@pytest.mark.parametrize(
    ("proof", "named"),
    [
        ({"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"}, "bbs-2023"),
        ({"type": "DataIntegrityProof"}, "None"),
        ({"type": "RsaSignature2018"}, "RsaSignature2018"),
        ({"type": "JsonWebSignature2020"}, "JsonWebSignature2020"),
    ],
)
def test_unknown_suites_are_unsupported_and_named(proof: dict[str, Any], named: str) -> None:
    with pytest.raises(UnsupportedSuite) as info:
        suites.suite_of(proof)
    assert str(info.value).startswith("unsupported suite") and named in str(info.value)
    assert info.value.code == "unsupported"


# --- Ed25519Signature2020: real credentials -------------------------------------------------


@pytest.mark.parametrize("name", REAL_2020)
def test_real_2020_credentials_verify(name: str) -> None:
    verified = di.verify(load(name), resolve_key=did_key_public_key, now=NOW)
    assert "Ed25519Signature2020" in [proof.cryptosuite for proof in verified]
    assert len(verified) == len(proofs(load(name)))


def test_the_dcc_proof_set_verifies_both_suites_under_the_issuer() -> None:
    document = load(DCC_PROOF_SET)
    verified = di.verify(document, resolve_key=did_key_public_key, expected_controller=document["issuer"]["id"])
    assert [proof.cryptosuite for proof in verified] == ["eddsa-rdfc-2022", "Ed25519Signature2020"]


@pytest.mark.parametrize("name", REAL_2020)
def test_one_character_of_the_document_changed_fails(name: str) -> None:
    document = load(name)
    subject = document["credentialSubject"]
    field = "alumniOf" if "alumniOf" in subject else "name" if "name" in subject else "id"
    subject[field] = subject[field][:-1] + ("X" if subject[field][-1] != "X" else "Y")
    with pytest.raises(InvalidProof, match="signature does not match"):
        di.verify(document, resolve_key=did_key_public_key, now=NOW)


@pytest.mark.parametrize("name", REAL_2020)
def test_one_character_of_the_proof_changed_fails(name: str) -> None:
    document = load(name)
    proof = proofs(document)[-1]
    created = proof["created"]
    proof["created"] = created[:-2] + ("1" if created[-2] != "1" else "2") + "Z"
    with pytest.raises(InvalidProof):
        di.verify(document, resolve_key=did_key_public_key, now=NOW)


def test_one_character_of_the_signature_changed_fails() -> None:
    document = load(ALUMNI_2020)
    value = document["proof"]["proofValue"]
    document["proof"]["proofValue"] = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    with pytest.raises(InvalidProof):
        di.verify(document, resolve_key=did_key_public_key, now=NOW)


def test_a_2020_proof_checked_against_another_key_fails() -> None:
    other = Ed25519PrivateKey.generate().public_key()

    def wrong_key(vm_url: str) -> tuple[Ed25519PublicKey, str]:
        return other, vm_url.partition("#")[0]

    with pytest.raises(InvalidProof, match="signature does not match"):
        di.verify(load(DCC_OB3_2020), resolve_key=wrong_key, now=NOW)


def test_a_2020_proof_relabelled_as_data_integrity_fails() -> None:
    # Same key and options but another suite: the signed options change, so must the verdict.
    document = load(ALUMNI_2020)
    document["proof"] = {**document["proof"], "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}
    with pytest.raises(InvalidProof):
        di.verify(document, resolve_key=did_key_public_key, now=NOW)


def test_our_2020_signature_matches_the_vc_di_eddsa_fixture() -> None:
    # The fixture's secret key is published with it (vc-di-eddsa keyPair); Ed25519 is
    # deterministic, so signing the same credential must give the very same proofValue.
    secret = suites.multibase_decode("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")[2:]
    fixture = load(ALUMNI_2020)
    unsigned = {key: value for key, value in fixture.items() if key != "proof"}
    signed = di.sign(
        unsigned,
        private_key=Ed25519PrivateKey.from_private_bytes(secret),
        verification_method=fixture["proof"]["verificationMethod"],
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
        cryptosuite="Ed25519Signature2020",
    )
    assert signed["proof"] == fixture["proof"]


def test_a_bare_did_key_names_its_own_key() -> None:
    did = load(DCC_OB3_2020)["issuer"]["id"]
    key, controller = resolve_public_key(did, fetcher=ControllerDocuments({}))
    assert controller == did and isinstance(key, Ed25519PublicKey)
    # The VM URL is signed, so the bare form is checked on a proof made with it.
    private = Ed25519PrivateKey.generate()
    own_did = did_key_from_public(private.public_key())
    signed = di.sign(
        vc11_credential(own_did),
        private_key=private,
        verification_method=own_did,
        created=CREATED,
        cryptosuite="Ed25519Signature2018",
    )
    verified = di.verify(
        signed,
        resolve_key=lambda vm: resolve_verification_method(vm, fetcher=ControllerDocuments({})),
        expected_controller=own_did,
    )
    assert verified[0].controller == own_did


# --- status lists ---------------------------------------------------------------------------


def test_a_status_list_signed_with_2020_verifies_as_a_status_list() -> None:
    private = Ed25519PrivateKey.generate()
    issuer = did_key_from_public(private.public_key())
    bits = StatusList()
    bits.set(7)
    list_url = "https://status.example/lists/1"
    unsigned = build_status_list_credential(
        list_id=list_url, issuer=issuer, status_list=bits, purpose="revocation", valid_from=CREATED
    )
    unsigned["@context"] = [*unsigned["@context"], suites.ED25519_2020_CONTEXT]
    signed = di.sign(
        unsigned,
        private_key=private,
        verification_method=did_key_vm_id(private.public_key()),
        created=CREATED,
        cryptosuite="Ed25519Signature2020",
    )
    assert signed["proof"]["type"] == "Ed25519Signature2020" and "cryptosuite" not in signed["proof"]
    verified = di.verify(signed, resolve_key=did_key_public_key, expected_controller=issuer, now=NOW)
    assert verified[0].cryptosuite == "Ed25519Signature2020"
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": list_url,
    }
    assert status_of(entry, signed, now=NOW) == 1
    assert status_of({**entry, "statusListIndex": "8"}, signed, now=NOW) == 0
    encoded = signed["credentialSubject"]["encodedList"]
    signed["credentialSubject"]["encodedList"] = encoded[:-1] + ("B" if encoded[-1] != "B" else "C")
    with pytest.raises(InvalidProof):
        di.verify(signed, resolve_key=did_key_public_key, now=NOW)


# --- Ed25519Signature2018 -------------------------------------------------------------------


def signed_2018() -> dict[str, Any]:
    return di.sign(
        vc11_credential(CONTROLLER_2018),
        private_key=key_2018(),
        verification_method=VM_2018,
        created=CREATED,
        cryptosuite="Ed25519Signature2018",
    )


def test_2018_writes_the_jsonld_signatures_detached_jws() -> None:
    proof = signed_2018()["proof"]
    assert proof["type"] == "Ed25519Signature2018" and "proofValue" not in proof
    header, payload, signature = proof["jws"].split(".")
    assert header == JSIGS_2018_HEADER and payload == ""
    assert len(base64.urlsafe_b64decode(signature + "==")) == 64


def test_2018_verifies_with_an_ed25519_verification_key_2018() -> None:
    assert key_2018().public_key().public_bytes_raw() == base58.b58decode(KEY_2018_PUBLIC)
    verified = di.verify(signed_2018(), resolve_key=resolve_2018, expected_controller=CONTROLLER_2018, now=NOW)
    assert verified[0].cryptosuite == "Ed25519Signature2018"
    assert verified[0].verification_method == VM_2018


def test_2018_tampered_document_or_proof_fails() -> None:
    document = signed_2018()
    document["credentialSubject"]["id"] += "2"
    with pytest.raises(InvalidProof, match="signature does not match"):
        di.verify(document, resolve_key=resolve_2018)
    document = signed_2018()
    document["proof"]["created"] = "2025-09-01T09:00:01Z"
    with pytest.raises(InvalidProof, match="signature does not match"):
        di.verify(document, resolve_key=resolve_2018)


def test_2018_wrong_key_fails() -> None:
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(InvalidProof, match="signature does not match"):
        di.verify(signed_2018(), resolve_key=lambda vm: (other, CONTROLLER_2018))


@pytest.mark.parametrize(
    ("header", "error"),
    [
        ({"alg": "ES256", "b64": False, "crit": ["b64"]}, UnsupportedSuite),
        ({"alg": "EdDSA"}, InvalidProof),  # an encoded payload is not what jsigs signs
        ({"alg": "EdDSA", "b64": False, "crit": ["b64", "exp"]}, InvalidProof),
    ],
)
def test_2018_jws_headers_we_do_not_accept(header: dict[str, Any], error: type[Exception]) -> None:
    document = signed_2018()
    _, _, signature = document["proof"]["jws"].split(".")
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    document["proof"]["jws"] = f"{encoded}..{signature}"
    with pytest.raises(error):
        di.verify(document, resolve_key=resolve_2018)


@pytest.mark.parametrize("jws", [None, "abc", "a.b.c", JSIGS_2018_HEADER + "..", JSIGS_2018_HEADER + "..!!"])
def test_2018_malformed_jws_is_an_invalid_proof(jws: Any) -> None:
    document = signed_2018()
    document["proof"]["jws"] = jws
    with pytest.raises(InvalidProof):
        di.verify(document, resolve_key=resolve_2018)


def test_a_2018_key_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(MalformedCredential, match="32-byte"):
        suites.ed25519_key_of_method(
            {"type": "Ed25519VerificationKey2018", "publicKeyBase58": base58.b58encode(b"\x01" * 31).decode()}
        )
