"""Multibase / Multikey encodings of Ed25519 and ECDSA keys and local ``did:key`` resolution.

A Multikey is ``"z"`` + base58btc(multicodec varint prefix || key bytes):

* Ed25519 public key: prefix ``0xed 0x01`` (varint of 0xed), always renders as ``z6Mk...``;
  secret key: prefix ``0x80 0x26`` (varint of 0x1300), renders as ``z3u2...``;
* P-256 public key: prefix ``0x80 0x24`` (0x1200) + the 33-byte compressed point (``zDn...``);
  secret key: ``0x86 0x26`` (0x1306) + the 32-byte scalar;
* P-384 public key: prefix ``0x81 0x24`` (0x1201) + the 49-byte compressed point (``z82...``);
  secret key: ``0x87 0x26`` (0x1307) + the 48-byte scalar.

Any other prefix or length is rejected: a key of one type must never be read as another by
accident. Points are decoded by ``cryptography`` (which checks they lie on the curve).
``did:key`` documents are built locally (no network).
"""

from __future__ import annotations

from typing import Any, TypeAlias

import base58
from cryptography.hazmat.primitives.asymmetric import ec
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
P256_PUB_PREFIX = b"\x80\x24"
P384_PUB_PREFIX = b"\x81\x24"
P256_PRIV_PREFIX = b"\x86\x26"
P384_PRIV_PREFIX = b"\x87\x26"

# A key a Data Integrity suite verifies with: Ed25519 (eddsa-*, Ed25519Signature2020/2018)
# or an EC key on P-256 / P-384 (ecdsa-*). Which suite takes which is the suite's business.
VerificationKey: TypeAlias = Ed25519PublicKey | ec.EllipticCurvePublicKey

# multicodec public prefix -> (curve, compressed point length); and the secret prefixes.
_EC_PUBLIC: dict[bytes, tuple[ec.EllipticCurve, int]] = {
    P256_PUB_PREFIX: (ec.SECP256R1(), 33),
    P384_PUB_PREFIX: (ec.SECP384R1(), 49),
}
_EC_SECRET: dict[bytes, tuple[ec.EllipticCurve, int]] = {
    P256_PRIV_PREFIX: (ec.SECP256R1(), 32),
    P384_PRIV_PREFIX: (ec.SECP384R1(), 48),
}

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


def public_key_from_multibase(value: str) -> VerificationKey:
    """An Ed25519, P-256 or P-384 public Multikey; any other key type is ``MalformedCredential``."""
    raw = multibase_decode(value)
    if raw.startswith(ED25519_PUB_PREFIX):
        return ed25519_public_from_multibase(value)
    for prefix, (curve, length) in _EC_PUBLIC.items():
        if raw.startswith(prefix):
            if len(raw) != len(prefix) + length:
                raise MalformedCredential(f"not a compressed {curve.name} public Multikey", value=value)
            try:
                return ec.EllipticCurvePublicKey.from_encoded_point(curve, raw[len(prefix) :])
            except ValueError as exc:
                raise MalformedCredential(f"not a point on {curve.name}", value=value) from exc
    raise MalformedCredential("not an Ed25519, P-256 or P-384 public Multikey", value=value)


def public_key_to_multibase(public_key: VerificationKey) -> str:
    if isinstance(public_key, Ed25519PublicKey):
        return ed25519_public_to_multibase(public_key)
    for prefix, (curve, _length) in _EC_PUBLIC.items():
        if public_key.curve.name == curve.name:
            return multibase_encode(prefix + public_key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint))
    raise MalformedCredential(f"no Multikey encoding for curve {public_key.curve.name}")


def ec_private_from_multibase(value: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 or P-384 secret Multikey (the vc-di-ecdsa vectors' key pairs)."""
    raw = multibase_decode(value)
    for prefix, (curve, length) in _EC_SECRET.items():
        if raw.startswith(prefix) and len(raw) == len(prefix) + length:
            return ec.derive_private_key(int.from_bytes(raw[len(prefix) :], "big"), curve)
    raise MalformedCredential("not a P-256 or P-384 secret Multikey", value=value)


def ed25519_private_to_multibase(key: Ed25519PrivateKey) -> str:
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return multibase_encode(ED25519_PRIV_PREFIX + seed)


def ed25519_private_from_multibase(value: str) -> Ed25519PrivateKey:
    seed = _decode_prefixed(value, ED25519_PRIV_PREFIX, "secret")
    return Ed25519PrivateKey.from_private_bytes(seed)


def did_key_from_public(pub: VerificationKey) -> str:
    return DID_KEY_PREFIX + public_key_to_multibase(pub)


def did_key_vm_id(pub: VerificationKey) -> str:
    """The verification method URL of a did:key: the fragment repeats the key."""
    multikey = public_key_to_multibase(pub)
    return f"{DID_KEY_PREFIX}{multikey}#{multikey}"


def did_key_vm_url(did: str) -> str:
    """``did:key:z6Mk...`` -> its one verification method URL (the fragment repeats the key)."""
    return f"{did}#{did.removeprefix(DID_KEY_PREFIX)}"


def multikey_document(*, vm_id: str, controller: str, public_key: VerificationKey) -> dict[str, Any]:
    """A Multikey verification method object (W3C CID / Data Integrity)."""
    return {
        "id": vm_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key_to_multibase(public_key),
    }


def did_key_document(pub: VerificationKey) -> dict[str, Any]:
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
    """Resolve ``did:key:z6Mk...`` (Ed25519), ``zDn...`` (P-256) or ``z82...`` (P-384),
    optionally with a ``#fragment``, to its DID document.

    A fragment, if present, must name the document's one verification method;
    anything else would let a caller point at a key the DID does not contain.
    """
    if not did_or_vm_url.startswith(DID_KEY_PREFIX):
        raise KeyResolutionError("not a did:key identifier", url=did_or_vm_url)
    did, _, fragment = did_or_vm_url.partition("#")
    multikey = did[len(DID_KEY_PREFIX) :]
    try:
        pub = public_key_from_multibase(multikey)
    except (MalformedCredential, ValueError) as exc:
        raise KeyResolutionError(
            "did:key does not hold an Ed25519, P-256 or P-384 Multikey", url=did_or_vm_url
        ) from exc
    if fragment and fragment != multikey:
        raise KeyResolutionError("did:key fragment does not match its key", url=did_or_vm_url)
    return did_key_document(pub)


def did_key_public_key(did_or_vm_url: str) -> tuple[VerificationKey, str]:
    """Resolve a did:key verification method to ``(public key, controller)``.

    This has the shape of the ``resolve_key`` callable that ``dataintegrity.verify`` takes.
    """
    doc = resolve_did_key(did_or_vm_url)
    vm = doc["verificationMethod"][0]
    return public_key_from_multibase(vm["publicKeyMultibase"]), str(vm["controller"])
