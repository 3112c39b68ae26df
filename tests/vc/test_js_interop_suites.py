"""ECDSA and Ed25519Signature2020 credentials against the JavaScript reference stack, both ways.

The peer is Digital Bazaar's ``@digitalbazaar/vc`` with ``ecdsa-rdfc-2019-cryptosuite``,
``ecdsa-sd-2023-cryptosuite``, ``ecdsa-multikey`` and ``ed25519-signature-2020``, pinned in
``bench/peer`` and served our bundled contexts (``bench/peer/ecdsa.mjs``). The ECDSA keys are the
vc-di-ecdsa vectors' key pairs; the Ed25519 key is the benchmark issuer's.
Skipped, with the reason, when Node is missing or ``npm ci`` cannot install the pinned packages.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from bench import credential as bench_credential
from bench import peer
from bench import suite as bench_suite
from microcred.credentials.vc import dataintegrity as di
from microcred.credentials.vc import fastpath
from microcred.credentials.vc.errors import InvalidProof
from microcred.credentials.vc.multikey import did_key_public_key, ec_private_from_multibase

from .conftest import VECTORS, read_json

ECDSA = VECTORS / "vc-di-ecdsa"
CREATED = "2025-03-01T09:00:05Z"


@pytest.fixture(scope="session")
def js_peer() -> None:
    try:
        peer.ensure_installed()
    except peer.PeerUnavailable as exc:
        pytest.skip(f"JavaScript reference stack unavailable: {exc}")


def _key(curve: str) -> dict[str, str]:
    pair = read_json(ECDSA / f"{curve}KeyPair.json")
    multikey = pair["publicKeyMultibase"]
    return {
        "controller": f"did:key:{multikey}",
        "vmId": f"did:key:{multikey}#{multikey}",
        "publicKeyMultibase": multikey,
        "secretKeyMultibase": pair.get("secretKeyMultibase") or pair["privateKeyMultibase"],
    }


def _ob_credential(key: dict[str, str]) -> dict[str, Any]:
    credential = copy.deepcopy(bench_credential.credential(7))
    credential["issuer"]["id"] = key["controller"]
    return credential


def _alumni(key: dict[str, str]) -> dict[str, Any]:
    return {**read_json(ECDSA / "unsigned.json"), "issuer": key["controller"]}


def _run(payload: dict[str, Any]) -> dict[str, Any]:
    return peer.run_script("ecdsa.mjs", payload)


@pytest.mark.parametrize("curve", ["p256", "p384"])
@pytest.mark.parametrize("document", ["alumni", "open-badge"])
def test_javascript_ecdsa_rdfc_credentials_verify_with_ours(js_peer: None, curve: str, document: str) -> None:
    key = _key(curve)
    unsigned = _alumni(key) if document == "alumni" else _ob_credential(key)
    signed = _run({"action": "sign-rdfc", "key": key, "created": CREATED, "credential": unsigned})
    assert signed["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
    (verified,) = di.verify(signed, resolve_key=did_key_public_key, expected_controller=key["controller"])
    assert verified.cryptosuite == "ecdsa-rdfc-2019"
    assert fastpath.verify_fast(signed, resolve_key=did_key_public_key) == (verified,)
    tampered = copy.deepcopy(signed)
    tampered["validFrom"] = "2020-01-01T00:00:00Z"
    with pytest.raises(InvalidProof):
        di.verify(tampered, resolve_key=did_key_public_key)


@pytest.mark.parametrize("curve", ["p256", "p384"])
def test_our_ecdsa_rdfc_credentials_verify_in_the_javascript_stack(js_peer: None, curve: str) -> None:
    key = _key(curve)
    signed = di.sign(
        _ob_credential(key),
        private_key=ec_private_from_multibase(key["secretKeyMultibase"]),
        verification_method=key["vmId"],
        created=datetime(2025, 3, 1, 9, 0, 5, tzinfo=UTC),
        cryptosuite="ecdsa-rdfc-2019",
    )
    assert _run({"action": "verify", "key": key, "suite": "ecdsa-rdfc-2019", "credential": signed}) == {
        "verified": True
    }
    signed["name"] = "Changed"
    assert _run({"action": "verify", "key": key, "suite": "ecdsa-rdfc-2019", "credential": signed})["verified"] is False


@pytest.mark.parametrize(
    ("mandatory", "selective"),
    [
        (["/issuer", "/validFrom"], ["/credentialSubject/achievement/name"]),
        (["/issuer"], ["/credentialSubject/achievement/alignment/1", "/name"]),
        ([], ["/issuer", "/credentialSubject/identifier"]),  # every disclosed statement selective
    ],
    ids=["name-only", "one-alignment", "no-mandatory"],
)
def test_javascript_ecdsa_sd_derived_credentials_verify_with_ours(
    js_peer: None, mandatory: list[str], selective: list[str]
) -> None:
    key = _key("p256")
    result = _run(
        {
            "action": "sign-sd",
            "key": key,
            "created": CREATED,
            "credential": _ob_credential(key),
            "mandatoryPointers": mandatory,
            "selectivePointers": selective,
        }
    )
    base, derived = result["base"], result["derived"]
    assert "description" not in derived["credentialSubject"].get("achievement", {})  # never selected
    (verified,) = di.verify(derived, resolve_key=did_key_public_key, expected_controller=key["controller"])
    assert verified.cryptosuite == "ecdsa-sd-2023"
    assert fastpath.verify_fast(derived, resolve_key=did_key_public_key) == (verified,)

    # The holder's base proof is not for verifiers (the spec makes it a verification error).
    with pytest.raises(InvalidProof, match="base proof"):
        di.verify(base, resolve_key=did_key_public_key)

    tampered = copy.deepcopy(derived)
    tampered["credentialSubject"]["type"] = ["AchievementSubject", "Profile"]
    with pytest.raises(InvalidProof):
        di.verify(tampered, resolve_key=did_key_public_key)
    if "/issuer" in mandatory:
        tampered = copy.deepcopy(derived)
        tampered["issuer"]["name"] = "Someone Else"
        with pytest.raises(InvalidProof):
            di.verify(tampered, resolve_key=did_key_public_key)


def test_our_ed25519_signature_2020_credentials_verify_in_the_javascript_stack(js_peer: None) -> None:
    (signed,) = bench_suite.legacy_2020_credentials([bench_credential.credential(3)])
    assert signed["proof"]["type"] == "Ed25519Signature2020"
    key = bench_credential.key_info(with_secret=False)
    verify = {"action": "verify", "key": key, "suite": "Ed25519Signature2020", "credential": signed}
    assert _run(verify) == {"verified": True}
    signed["credentialSubject"]["achievement"]["name"] = "Changed"
    assert _run(verify | {"credential": signed})["verified"] is False
