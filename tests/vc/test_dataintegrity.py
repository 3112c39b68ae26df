"""Data Integrity EdDSA proofs: official vectors, proof sets/chains and failure modes."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from microcred.credentials.vc import dataintegrity as di
from microcred.credentials.vc.errors import (
    InvalidProof,
    KeyResolutionError,
    UndefinedTerm,
    UnknownContext,
    UnsupportedSuite,
    UntrustedIssuer,
)
from microcred.credentials.vc.multikey import (
    did_key_public_key,
    ed25519_private_from_multibase,
    ed25519_public_from_multibase,
    multibase_encode,
)

from .conftest import (
    EDDSA,
    OB_VECTOR,
    OB_VECTOR_CREATED,
    OB_VECTOR_MULTIKEY,
    OB_VECTOR_SEED,
    OB_VECTOR_VM,
    read_json,
    read_text,
    teamwork_badge,
)

VECTOR_CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)


def _vector_vm() -> str:
    public = read_json(EDDSA / "keyPair.json")["publicKeyMultibase"]
    return f"did:key:{public}#{public}"


def _hex(path: str) -> str:
    return read_text(EDDSA / path).strip()


@pytest.mark.parametrize(
    ("suite", "folder", "suffix", "signed_name"),
    [
        ("eddsa-rdfc-2022", "eddsa-rdfc-2022", "DataInt", "signedDataInt.json"),
        ("eddsa-jcs-2022", "eddsa-jcs-2022", "JCS", "signedJCS.json"),
    ],
)
def test_official_vector_every_step(
    suite: str, folder: str, suffix: str, signed_name: str, vector_key: Ed25519PrivateKey
) -> None:
    unsigned = read_json(EDDSA / "unsigned.json")
    proof_config = read_json(EDDSA / folder / f"proofConfig{suffix}.json")
    proof_config["@context"] = unsigned["@context"]
    steps = di.transform_and_hash(unsigned, proof_config, suite)
    canon_doc = "canonDocDataInt.txt" if suite == "eddsa-rdfc-2022" else "canonDocJCS.txt"
    assert steps.canonical_document == read_text(EDDSA / folder / canon_doc)
    assert steps.canonical_proof_config == read_text(EDDSA / folder / f"proofCanon{suffix}.txt")
    assert steps.document_hash.hex() == _hex(f"{folder}/docHash{suffix}.txt")
    assert steps.proof_hash.hex() == _hex(f"{folder}/proofHash{suffix}.txt")
    assert steps.combined.hex() == _hex(f"{folder}/combinedHash{suffix}.txt")
    signature = vector_key.sign(steps.combined)
    assert signature.hex() == _hex(f"{folder}/sigHex{suffix}.txt")
    assert multibase_encode(signature) == _hex(f"{folder}/sigBTC58{suffix}.txt")

    signed = di.sign(
        unsigned, private_key=vector_key, verification_method=_vector_vm(), created=VECTOR_CREATED, cryptosuite=suite
    )
    assert signed == read_json(EDDSA / folder / signed_name)
    (result,) = di.verify(read_json(EDDSA / folder / signed_name), resolve_key=did_key_public_key)
    assert result.cryptosuite == suite
    assert result.verification_method == _vector_vm()
    assert result.controller == _vector_vm().split("#")[0]
    assert result.created == VECTOR_CREATED


def test_employ_vector_from_its_canonical_text(vector_key: Ed25519PrivateKey) -> None:
    # The employ/ document needs https://w3id.org/citizenship/v4rc1, which is not bundled,
    # so its document is checked from the canonical text; its proof config uses only VC 2.0
    # terms, so dropping the citizenship context from it leaves the same RDF.
    folder = EDDSA / "eddsa-rdfc-2022" / "employ"
    canon_doc = read_text(folder / "canonDocDataInt.txt")
    config = read_json(folder / "proofConfigDataInt.json")
    with pytest.raises(UnknownContext):
        di.transform_and_hash({"@context": config["@context"]}, config, "eddsa-rdfc-2022")
    canon_proof = di.transform_and_hash(
        {"@context": []}, {**config, "@context": config["@context"][:1]}, "eddsa-rdfc-2022"
    ).canonical_proof_config
    assert canon_proof == read_text(folder / "proofCanonDataInt.txt")
    steps = di.HashData(canonical_document=canon_doc, canonical_proof_config=canon_proof)
    assert steps.document_hash.hex() == read_text(folder / "docHashDataInt.txt").strip()
    assert steps.proof_hash.hex() == read_text(folder / "proofHashDataInt.txt").strip()
    assert steps.combined.hex() == read_text(folder / "combinedHashDataInt.txt").strip()
    signature = vector_key.sign(steps.combined)
    assert signature.hex() == read_text(folder / "sigHexDataInt.txt").strip()
    assert multibase_encode(signature) == read_text(folder / "sigBTC58DataInt.txt").strip()
    assert read_json(folder / "signedDataInt.json")["proof"]["proofValue"] == multibase_encode(signature)


def test_ob_vector_hashes_and_proof_value() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(OB_VECTOR_SEED))
    signed = di.sign(teamwork_badge(), private_key=key, verification_method=OB_VECTOR_VM, created=OB_VECTOR_CREATED)
    proof = signed["proof"]
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    steps = di.transform_and_hash(
        teamwork_badge(), {**config, "@context": teamwork_badge()["@context"]}, "eddsa-rdfc-2022"
    )
    assert steps.canonical_document == read_text(OB_VECTOR / "document-canon.txt")
    assert steps.canonical_proof_config == read_text(OB_VECTOR / "proof-canon.txt")
    assert steps.document_hash.hex() == "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
    assert steps.proof_hash.hex() == "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
    assert proof["proofValue"] == (
        "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
    )

    def resolve(vm: str) -> tuple[Ed25519PublicKey, str]:
        assert vm == OB_VECTOR_VM
        return ed25519_public_from_multibase(OB_VECTOR_MULTIKEY), "https://example.edu/issuers/565049"

    (result,) = di.verify(signed, resolve_key=resolve, expected_controller="https://example.edu/issuers/565049")
    assert result.controller == "https://example.edu/issuers/565049"


def _chain_keys() -> dict[str, Ed25519PrivateKey]:
    pairs = read_json(EDDSA / "proof-set-chain" / "multiKeyPairs.json")
    return {name: ed25519_private_from_multibase(pair["privateKeyMultibase"]) for name, pair in pairs.items()}


def _sign_with_config(document: dict[str, Any], config_name: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    config = read_json(EDDSA / "proof-set-chain" / config_name)
    return di.sign(
        document,
        private_key=key,
        verification_method=config["verificationMethod"],
        created=datetime.fromisoformat(config["created"]),
        proof_id=config.get("id"),
        previous_proof=config.get("previousProof"),
    )


def test_proof_set_and_chain_vectors_are_reproduced_and_verified() -> None:
    keys = _chain_keys()
    folder = EDDSA / "proof-set-chain"
    set1 = _sign_with_config(read_json(folder / "unsigned.json"), "proofSetConfig1.json", keys["keyPair1"])
    assert set1 == read_json(folder / "signedProofSet1.json")
    set2 = _sign_with_config(set1, "proofSetConfig2.json", keys["keyPair2"])
    assert set2 == read_json(folder / "signedProofSet2.json")
    chain1 = _sign_with_config(set2, "proofChainConfig1.json", keys["keyPair3"])
    assert chain1 == read_json(folder / "signedProofChain1.json")
    chain2 = _sign_with_config(chain1, "proofChainConfig2.json", keys["keyPair4"])
    assert chain2 == read_json(folder / "signedProofChain2.json")

    for name, count in [
        ("signedProofSet1", 1),
        ("signedProofSet2", 2),
        ("signedProofChain1", 3),
        ("signedProofChain2", 4),
    ]:
        results = di.verify(read_json(folder / f"{name}.json"), resolve_key=did_key_public_key)
        assert len(results) == count


def test_proof_set_fails_if_any_proof_fails() -> None:
    document = read_json(EDDSA / "proof-set-chain" / "signedProofSet2.json")
    document["proof"][1]["proofValue"] = document["proof"][0]["proofValue"]
    with pytest.raises(InvalidProof):
        di.verify(document, resolve_key=did_key_public_key)


def test_proof_chain_fails_when_a_previous_proof_is_missing_or_changed() -> None:
    document = read_json(EDDSA / "proof-set-chain" / "signedProofChain2.json")
    missing = copy.deepcopy(document)
    del missing["proof"][2]  # the proof that proof 4 chains to
    with pytest.raises(InvalidProof, match="previousProof"):
        di.verify(missing, resolve_key=did_key_public_key)
    changed = copy.deepcopy(document)
    changed["proof"][2]["created"] = "2023-02-26T22:06:39Z"  # proof 3 itself fails, and proof 4 with it
    with pytest.raises(InvalidProof):
        di.verify(changed, resolve_key=did_key_public_key)


def _signed(suite: str = "eddsa-rdfc-2022", **kwargs: Any) -> dict[str, Any]:
    key = ed25519_private_from_multibase(read_json(EDDSA / "keyPair.json")["privateKeyMultibase"])
    return di.sign(
        read_json(EDDSA / "unsigned.json"),
        private_key=key,
        verification_method=_vector_vm(),
        created=VECTOR_CREATED,
        cryptosuite=suite,
        **kwargs,
    )


@pytest.mark.parametrize("suite", sorted(di.SUPPORTED_CRYPTOSUITES))
def test_tampered_document_or_proof_fails(suite: str) -> None:
    mutations: list[tuple[tuple[str, ...], str]] = [
        (("credentialSubject", "alumniOf"), "Another School"),
        (("validFrom",), "2023-01-02T00:00:00Z"),
        (("proof", "created"), "2023-02-24T23:36:39Z"),
        (("proof", "proofValue"), multibase_encode(bytes(64))),
    ]
    for path, value in mutations:
        document = _signed(suite)
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        with pytest.raises(InvalidProof):
            di.verify(document, resolve_key=did_key_public_key)


def test_wrong_key_fails() -> None:
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(InvalidProof, match="signature"):
        di.verify(_signed(), resolve_key=lambda vm: (other, vm.split("#")[0]))


def test_key_resolution_errors_propagate() -> None:
    def unresolvable(vm: str) -> tuple[Ed25519PublicKey, str]:
        raise KeyResolutionError("no such key", url=vm)

    with pytest.raises(KeyResolutionError):
        di.verify(_signed(), resolve_key=unresolvable)


def test_controller_binding() -> None:
    with pytest.raises(UntrustedIssuer):
        di.verify(_signed(), resolve_key=did_key_public_key, expected_controller="https://vc.example/issuers/5678")


@pytest.mark.parametrize(
    ("field", "value"),
    [("cryptosuite", "bbs-2023"), ("type", "JsonWebSignature2020"), ("type", "RsaSignature2018")],
)
def test_unsupported_suites_are_not_invalid_but_unsupported(field: str, value: str) -> None:
    document = _signed()
    document["proof"][field] = value
    with pytest.raises(UnsupportedSuite) as info:
        di.verify(document, resolve_key=did_key_public_key)
    assert info.value.code == "unsupported"
    with pytest.raises(UnsupportedSuite):
        _signed("bbs-2023")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("proofPurpose", "authentication", "proofPurpose"),
        ("created", "2023-02-24T23:36:38", "dateTimeStamp"),  # no time zone
        ("created", "2023-02-30T23:36:38Z", "date-time"),
        ("proofValue", "uAAAA", "multibase"),
        ("proofValue", "z3", "64-byte"),
        ("verificationMethod", "", "verificationMethod"),
    ],
)
def test_malformed_proofs_are_invalid(field: str, value: str, message: str) -> None:
    document = _signed()
    document["proof"][field] = value
    with pytest.raises(InvalidProof, match=message):
        di.verify(document, resolve_key=did_key_public_key)


def test_expired_proof_and_missing_proof() -> None:
    document = _signed()
    document["proof"]["expires"] = "2024-01-01T00:00:00Z"
    with pytest.raises(InvalidProof, match="expired"):
        di.verify(document, resolve_key=did_key_public_key, now=datetime(2025, 1, 1, tzinfo=UTC))
    document.pop("proof")
    with pytest.raises(InvalidProof, match="no proof"):
        di.verify(document, resolve_key=did_key_public_key)


def test_added_undefined_term_is_reported_as_such() -> None:
    document = _signed()
    document["credentialSubject"]["nickname"] = "x"  # examples context @vocab defines it...
    with pytest.raises(InvalidProof):
        di.verify(document, resolve_key=did_key_public_key)
    ob = di.sign(
        teamwork_badge(),
        private_key=Ed25519PrivateKey.from_private_bytes(bytes.fromhex(OB_VECTOR_SEED)),
        verification_method=OB_VECTOR_VM,
        created=OB_VECTOR_CREATED,
    )
    ob["credentialSubject"]["nickname"] = "x"  # ...OB 3.0 has no @vocab: undefined, never unsigned
    with pytest.raises(UndefinedTerm):
        di.verify(ob, resolve_key=lambda vm: (ed25519_public_from_multibase(OB_VECTOR_MULTIKEY), "x"))


def test_proof_as_list_and_object_both_verify() -> None:
    as_list = _signed(proof_as_list=True)
    assert isinstance(as_list["proof"], list) and len(as_list["proof"]) == 1
    as_object = _signed()
    assert as_list["proof"][0] == as_object["proof"]
    assert di.verify(as_list, resolve_key=did_key_public_key) == di.verify(as_object, resolve_key=did_key_public_key)


def test_jcs_proof_context_must_prefix_the_document_context() -> None:
    document = _signed("eddsa-jcs-2022")
    document["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    with pytest.raises(InvalidProof, match="@context"):
        di.verify(document, resolve_key=did_key_public_key)


def test_sign_requires_an_aware_created_time(vector_key: Ed25519PrivateKey) -> None:
    with pytest.raises(ValueError, match="timezone"):
        di.sign(
            read_json(EDDSA / "unsigned.json"),
            private_key=vector_key,
            verification_method=_vector_vm(),
            created=datetime(2023, 2, 24, 23, 36, 38),
        )
    # Any aware time is written in UTC with Z.
    local = VECTOR_CREATED.astimezone(datetime.now(UTC).astimezone().tzinfo) + timedelta(0)
    assert di.format_datetime(local) == "2023-02-24T23:36:38Z"


def test_hash_data_is_proof_hash_then_document_hash() -> None:
    steps = di.HashData(canonical_document="doc", canonical_proof_config="proof")
    assert steps.combined == hashlib.sha256(b"proof").digest() + hashlib.sha256(b"doc").digest()
