"""Multibase / Multikey codecs and local did:key resolution."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from microcred.credentials.vc import multikey as mk
from microcred.credentials.vc.errors import KeyResolutionError, MalformedCredential

from .conftest import EDDSA, read_json


def _key_pairs() -> list[dict[str, str]]:
    pairs = [read_json(EDDSA / "keyPair.json")]
    pairs += list(read_json(EDDSA / "proof-set-chain" / "multiKeyPairs.json").values())
    return pairs


@pytest.mark.parametrize("pair", _key_pairs(), ids=lambda p: p["publicKeyMultibase"][:12])
def test_official_key_pairs_decode_and_reencode(pair: dict[str, str]) -> None:
    secret = mk.ed25519_private_from_multibase(pair["privateKeyMultibase"])
    assert mk.ed25519_private_to_multibase(secret) == pair["privateKeyMultibase"]
    assert mk.ed25519_public_to_multibase(secret.public_key()) == pair["publicKeyMultibase"]
    public = mk.ed25519_public_from_multibase(pair["publicKeyMultibase"])
    assert public.public_bytes(Encoding.Raw, PublicFormat.Raw) == secret.public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw
    )


def test_ob_vector_key_from_digest() -> None:
    seed = bytes.fromhex("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert raw.hex() == "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
    assert mk.ed25519_public_to_multibase(key.public_key()) == "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def test_base58btc_known_answers() -> None:
    assert mk.multibase_encode(b"hello world") == "zStV1DL6CwTryKyV"
    assert mk.multibase_encode(b"\x00\x00\x01") == "z112"  # leading zero bytes -> '1'
    assert mk.multibase_decode("z112") == b"\x00\x00\x01"


def test_random_keys_round_trip_with_expected_prefixes() -> None:
    for _ in range(20):
        key = Ed25519PrivateKey.generate()
        public = mk.ed25519_public_to_multibase(key.public_key())
        secret = mk.ed25519_private_to_multibase(key)
        assert public.startswith("z6Mk") and secret.startswith("z3u2")
        assert mk.ed25519_public_from_multibase(public) == key.public_key()
        again = mk.ed25519_private_from_multibase(secret)
        assert mk.ed25519_private_to_multibase(again) == secret


@pytest.mark.parametrize(
    "value",
    [
        "",  # empty
        "u6Mk",  # another multibase (base64url) is refused
        "z0OIl",  # characters outside the base58 alphabet
        mk.multibase_encode(b"\xe7\x01" + bytes(33)),  # secp256k1 multicodec
        mk.multibase_encode(b"\xed\x01" + bytes(31)),  # too short
        mk.multibase_encode(b"\xed\x01" + bytes(33)),  # too long
        mk.multibase_encode(b"\x80\x26" + bytes(32)),  # a secret key is not a public key
    ],
)
def test_bad_public_multikeys_are_rejected(value: str) -> None:
    with pytest.raises(MalformedCredential):
        mk.ed25519_public_from_multibase(value)


def test_public_key_is_not_accepted_as_secret() -> None:
    public = read_json(EDDSA / "keyPair.json")["publicKeyMultibase"]
    with pytest.raises(MalformedCredential):
        mk.ed25519_private_from_multibase(public)


def test_did_key_document_and_resolution() -> None:
    public = read_json(EDDSA / "keyPair.json")["publicKeyMultibase"]
    key = mk.ed25519_public_from_multibase(public)
    did = mk.did_key_from_public(key)
    assert did == f"did:key:{public}"
    vm_id = f"{did}#{public}"
    assert mk.did_key_vm_id(key) == vm_id
    doc = mk.resolve_did_key(vm_id)
    assert doc["id"] == did
    assert doc["verificationMethod"] == [
        {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": public}
    ]
    for relationship in ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation"):
        assert doc[relationship] == [vm_id]
    assert mk.resolve_did_key(did) == doc
    resolved, controller = mk.did_key_public_key(vm_id)
    assert resolved == key and controller == did


@pytest.mark.parametrize(
    "url",
    [
        "did:web:academy.example",
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",  # secp256k1 did:key
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkOther",
        "did:key:not-base58-0OIl",
    ],
)
def test_did_key_resolution_failures(url: str) -> None:
    with pytest.raises(KeyResolutionError):
        mk.resolve_did_key(url)
