"""Multibase / Multikey encodings of Ed25519 keys and local ``did:key`` resolution.

A Multikey is ``"z"`` + base58btc(multicodec varint prefix || raw key bytes):

* public key: prefix ``0xed 0x01`` (varint of 0xed), always renders as ``z6Mk...``;
* secret key: prefix ``0x80 0x26`` (varint of 0x1300), renders as ``z3u2...``.

Any other prefix or length is rejected: a key of the wrong type must never be read
as Ed25519 by accident. ``did:key`` documents are built locally (no network).
"""

from __future__ import annotations

from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from .errors import KeyResolutionError, MalformedCredential

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
ED25519_KEY_LEN = 32

DID_KEY_PREFIX = "did:key:"
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"

# did:key documents list their one key under every verification relationship
# (did-key spec v0.9); keyAgreement is left out because Ed25519 is a signing key.
_DID_KEY_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)


def multibase_encode(data: bytes) -> str:
    """Encode bytes as multibase base58btc (the ``z`` prefix)."""
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_decode(value: str) -> bytes:
    """Decode a multibase base58btc string; other multibase encodings are refused."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise MalformedCredential("expected a multibase base58btc value starting with 'z'")
    try:
        return base58.b58decode(value[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise MalformedCredential("invalid base58btc encoding") from exc


def _decode_prefixed(value: str, prefix: bytes, what: str) -> bytes:
    raw = multibase_decode(value)
    if not raw.startswith(prefix) or len(raw) != len(prefix) + ED25519_KEY_LEN:
        raise MalformedCredential(f"not an Ed25519 {what} Multikey", value=value)
    return raw[len(prefix) :]


def ed25519_public_to_multibase(pub: Ed25519PublicKey) -> str:
    raw = pub.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return multibase_encode(ED25519_PUB_PREFIX + raw)


def ed25519_public_from_multibase(value: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_decode_prefixed(value, ED25519_PUB_PREFIX, "public"))


def ed25519_private_to_multibase(key: Ed25519PrivateKey) -> str:
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return multibase_encode(ED25519_PRIV_PREFIX + seed)


def ed25519_private_from_multibase(value: str) -> Ed25519PrivateKey:
    seed = _decode_prefixed(value, ED25519_PRIV_PREFIX, "secret")
    return Ed25519PrivateKey.from_private_bytes(seed)


def did_key_from_public(pub: Ed25519PublicKey) -> str:
    return DID_KEY_PREFIX + ed25519_public_to_multibase(pub)


def did_key_vm_id(pub: Ed25519PublicKey) -> str:
    """The verification method URL of a did:key: the fragment repeats the key."""
    multikey = ed25519_public_to_multibase(pub)
    return f"{DID_KEY_PREFIX}{multikey}#{multikey}"


def did_key_vm_url(did: str) -> str:
    """``did:key:z6Mk...`` -> its one verification method URL (the fragment repeats the key)."""
    return f"{did}#{did.removeprefix(DID_KEY_PREFIX)}"


def multikey_document(*, vm_id: str, controller: str, public_key: Ed25519PublicKey) -> dict[str, Any]:
    """A Multikey verification method object (W3C CID / Data Integrity)."""
    return {
        "id": vm_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": ed25519_public_to_multibase(public_key),
    }


def did_key_document(pub: Ed25519PublicKey) -> dict[str, Any]:
    did = did_key_from_public(pub)
    vm = multikey_document(vm_id=did_key_vm_id(pub), controller=did, public_key=pub)
    doc: dict[str, Any] = {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": did,
        "verificationMethod": [vm],
    }
    for relationship in _DID_KEY_RELATIONSHIPS:
        doc[relationship] = [vm["id"]]
    return doc


def resolve_did_key(did_or_vm_url: str) -> dict[str, Any]:
    """Resolve ``did:key:z6Mk...`` (optionally ``#fragment``) to its DID document.

    A fragment, if present, must name the document's one verification method;
    anything else would let a caller point at a key the DID does not contain.
    """
    if not did_or_vm_url.startswith(DID_KEY_PREFIX):
        raise KeyResolutionError("not a did:key identifier", url=did_or_vm_url)
    did, _, fragment = did_or_vm_url.partition("#")
    multikey = did[len(DID_KEY_PREFIX) :]
    try:
        pub = ed25519_public_from_multibase(multikey)
    except (MalformedCredential, ValueError) as exc:
        raise KeyResolutionError("did:key does not hold an Ed25519 Multikey", url=did_or_vm_url) from exc
    if fragment and fragment != multikey:
        raise KeyResolutionError("did:key fragment does not match its key", url=did_or_vm_url)
    return did_key_document(pub)


def did_key_public_key(did_or_vm_url: str) -> tuple[Ed25519PublicKey, str]:
    """Resolve a did:key verification method to ``(public key, controller)``.

    This has the shape of the ``resolve_key`` callable that ``dataintegrity.verify`` takes.
    """
    doc = resolve_did_key(did_or_vm_url)
    vm = doc["verificationMethod"][0]
    return ed25519_public_from_multibase(vm["publicKeyMultibase"]), str(vm["controller"])
