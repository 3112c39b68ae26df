"""The registry of Data Integrity proof suites we verify (ADR 0038).

A proof names its suite either by ``type: DataIntegrityProof`` + ``cryptosuite`` (the 2025
vc-di-eddsa REC) or by a legacy proof ``type`` (Linked Data Proofs of the W3C CCG, which most
VC 1.1 credentials in circulation still carry). Each :class:`Suite` knows, for its proofs:

* how the verify data is computed (``transform_and_hash``): canonicalize the proof options
  and the document, hash each with SHA-256, concatenate (proof hash first). Every suite here
  hashes this way; they differ in the canonicalization (RDFC-1.0 or JCS) only;
* which verification method types carry its keys (``key_types``), read by
  :func:`ed25519_key_of_method`;
* how the signature is carried: ``proofValue`` as multibase base58btc (eddsa-*-2022,
  Ed25519Signature2020) or ``jws`` as a detached JWS with unencoded payload (RFC 7797,
  ``b64: false``, ``alg: EdDSA``) whose signing input is the JWS header, ``.``, then the
  verify data (Ed25519Signature2018).

Suites: ``eddsa-rdfc-2022`` (``eddsa-2022``, its pre-REC name, is an alias), ``eddsa-jcs-2022``,
``Ed25519Signature2020``, ``Ed25519Signature2018``. Anything else raises
:class:`UnsupportedSuite` ("unsupported suite X"), which the verifier reports as *cannot
check*, never as forged. The Ed25519 arithmetic is ``cryptography``'s; nothing here is crypto.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import InvalidProof, MalformedCredential, UnsupportedSuite
from .jsonld import canonicalize
from .multikey import ED25519_KEY_LEN, ed25519_public_from_multibase, multibase_decode, multibase_encode

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_2022_LEGACY = "eddsa-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
ED25519_SIGNATURE_2018 = "Ed25519Signature2018"

ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"

MULTIKEY = "Multikey"
ED25519_VERIFICATION_KEY_2020 = "Ed25519VerificationKey2020"
ED25519_VERIFICATION_KEY_2018 = "Ed25519VerificationKey2018"

# The members left out of the signed proof options: a DataIntegrityProof drops its
# proofValue; jsonld-signatures drops all three from the legacy suites' proofs.
_DATA_INTEGRITY_UNSIGNED = ("proofValue",)
_LINKED_DATA_UNSIGNED = ("proofValue", "jws", "signatureValue")
# The JWS header jsonld-signatures writes for Ed25519Signature2018 (RFC 7797 detached payload).
_JWS_2018_HEADER = {"alg": "EdDSA", "b64": False, "crit": ["b64"]}
_SIGNATURE_LEN = 64

# jsonld.canonicalize or anything proven to return exactly what it returns (fastpath).
Canonicalizer = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class HashData:
    """The intermediate values of the suites' transform + hash steps (as in the vectors)."""

    canonical_document: str
    canonical_proof_config: str

    @property
    def document_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_document.encode("utf-8")).digest()

    @property
    def proof_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_proof_config.encode("utf-8")).digest()

    @property
    def combined(self) -> bytes:
        return self.proof_hash + self.document_hash


@dataclass(frozen=True)
class Suite:
    """One proof suite: its names, canonicalization, key types and signature encoding."""

    name: str
    proof_type: str
    cryptosuite: str | None
    canonicalization: Literal["rdfc-1.0", "jcs"]
    signature_encoding: Literal["multibase", "detached-jws"]
    key_types: frozenset[str]
    unsigned_members: tuple[str, ...]
    # eddsa-jcs-2022 signs the document's @context inside the attached proof.
    context_in_proof: bool = False

    def proof_options(self, proof: Mapping[str, Any]) -> dict[str, Any]:
        """The proof without the members that carry its signature: what the signature covers."""
        return {key: value for key, value in proof.items() if key not in self.unsigned_members}

    def transform_and_hash(
        self,
        document: dict[str, Any],
        proof_config: dict[str, Any],
        *,
        canonicalizer: Canonicalizer = canonicalize,
    ) -> HashData:
        if self.canonicalization == "jcs":
            try:
                canonical_document = rfc8785.dumps(document).decode("utf-8")
                canonical_config = rfc8785.dumps(proof_config).decode("utf-8")
            except rfc8785.CanonicalizationError as exc:
                raise MalformedCredential(f"document cannot be JCS-canonicalized: {exc}") from exc
            return HashData(canonical_document, canonical_config)
        return HashData(canonicalizer(document), canonicalizer(proof_config))

    def verify_signature(self, proof: Mapping[str, Any], public_key: Ed25519PublicKey, hash_data: HashData) -> None:
        """Raise :class:`InvalidProof` unless ``proof``'s signature covers ``hash_data``."""
        signature, signing_input = self._signature_and_input(proof, hash_data)
        try:
            public_key.verify(signature, signing_input)
        except InvalidSignature as exc:
            raise InvalidProof(
                "signature does not match the document", verification_method=proof.get("verificationMethod")
            ) from exc

    def check_signature_form(self, proof: Mapping[str, Any]) -> None:
        """Refuse a malformed signature member before any canonicalization is paid for."""
        self._signature_and_input(proof, HashData("", ""))

    def signature_members(self, private_key: Ed25519PrivateKey, hash_data: HashData) -> dict[str, str]:
        """The member(s) a new proof of this suite carries its signature in."""
        if self.signature_encoding == "multibase":
            return {"proofValue": multibase_encode(private_key.sign(hash_data.combined))}
        header = _b64url(json.dumps(_JWS_2018_HEADER, separators=(",", ":")).encode("utf-8"))
        signature = private_key.sign(header.encode("ascii") + b"." + hash_data.combined)
        return {"jws": f"{header}..{_b64url(signature)}"}

    def _signature_and_input(self, proof: Mapping[str, Any], hash_data: HashData) -> tuple[bytes, bytes]:
        if self.signature_encoding == "multibase":
            value = proof.get("proofValue")
            try:
                signature = multibase_decode(value) if isinstance(value, str) else b""
            except MalformedCredential as exc:
                raise InvalidProof("proofValue is not multibase base58btc") from exc
            if len(signature) != _SIGNATURE_LEN:
                raise InvalidProof("proofValue is not a 64-byte Ed25519 signature")
            return signature, hash_data.combined
        return _detached_jws(proof.get("jws"), hash_data)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(value: str, what: str) -> bytes:
    if not value or any(char in value for char in "=+/"):
        raise InvalidProof(f"{what} is not base64url without padding")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidProof(f"{what} is not base64url") from exc


def _detached_jws(jws: Any, hash_data: HashData) -> tuple[bytes, bytes]:
    """RFC 7797 detached JWS with ``b64: false``: the signing input is the encoded header,
    ``.``, and the verify data itself (not base64url-encoded)."""
    if not isinstance(jws, str) or jws.count(".") != 2:
        raise InvalidProof("jws is not a detached JSON Web Signature")
    encoded_header, payload, encoded_signature = jws.split(".")
    if payload:
        raise InvalidProof("jws must have a detached (empty) payload")
    try:
        header = json.loads(_b64url_decode(encoded_header, "the jws header"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidProof("the jws header is not JSON") from exc
    if not isinstance(header, dict):
        raise InvalidProof("the jws header is not a JSON object")
    if header.get("alg") != "EdDSA":
        raise UnsupportedSuite(f"unsupported suite: jws algorithm {header.get('alg')!r}", alg=header.get("alg"))
    crit = header.get("crit")
    if header.get("b64") is not False or not isinstance(crit, list) or "b64" not in crit:
        raise InvalidProof('the jws header must declare "b64": false as critical')
    if any(name not in ("b64",) for name in crit):
        raise InvalidProof("the jws header names critical parameters we do not understand", crit=crit)
    signature = _b64url_decode(encoded_signature, "the jws signature")
    if len(signature) != _SIGNATURE_LEN:
        raise InvalidProof("the jws signature is not a 64-byte Ed25519 signature")
    return signature, encoded_header.encode("ascii") + b"." + hash_data.combined


_MULTIBASE_KEYS = frozenset({MULTIKEY, ED25519_VERIFICATION_KEY_2020})

_EDDSA_RDFC = Suite(
    name=EDDSA_RDFC_2022,
    proof_type=DATA_INTEGRITY_PROOF,
    cryptosuite=EDDSA_RDFC_2022,
    canonicalization="rdfc-1.0",
    signature_encoding="multibase",
    key_types=_MULTIBASE_KEYS,
    unsigned_members=_DATA_INTEGRITY_UNSIGNED,
)
_EDDSA_JCS = Suite(
    name=EDDSA_JCS_2022,
    proof_type=DATA_INTEGRITY_PROOF,
    cryptosuite=EDDSA_JCS_2022,
    canonicalization="jcs",
    signature_encoding="multibase",
    key_types=_MULTIBASE_KEYS,
    unsigned_members=_DATA_INTEGRITY_UNSIGNED,
    context_in_proof=True,
)
_ED25519_2020 = Suite(
    name=ED25519_SIGNATURE_2020,
    proof_type=ED25519_SIGNATURE_2020,
    cryptosuite=None,
    canonicalization="rdfc-1.0",
    signature_encoding="multibase",
    key_types=_MULTIBASE_KEYS,
    unsigned_members=_LINKED_DATA_UNSIGNED,
)
_ED25519_2018 = Suite(
    name=ED25519_SIGNATURE_2018,
    proof_type=ED25519_SIGNATURE_2018,
    cryptosuite=None,
    canonicalization="rdfc-1.0",
    signature_encoding="detached-jws",
    key_types=frozenset({ED25519_VERIFICATION_KEY_2018, *_MULTIBASE_KEYS}),
    unsigned_members=_LINKED_DATA_UNSIGNED,
)

# cryptosuite value (of a DataIntegrityProof) -> suite; the pre-REC name signs the same way.
CRYPTOSUITES: Mapping[str, Suite] = {
    EDDSA_RDFC_2022: _EDDSA_RDFC,
    EDDSA_2022_LEGACY: _EDDSA_RDFC,
    EDDSA_JCS_2022: _EDDSA_JCS,
}
# legacy proof type -> suite.
PROOF_TYPES: Mapping[str, Suite] = {
    ED25519_SIGNATURE_2020: _ED25519_2020,
    ED25519_SIGNATURE_2018: _ED25519_2018,
}
SUITE_NAMES = frozenset({*CRYPTOSUITES, *PROOF_TYPES})


def suite_of(proof: Mapping[str, Any]) -> Suite:
    """The suite a proof is in, or :class:`UnsupportedSuite` naming what it asked for."""
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        cryptosuite = proof.get("cryptosuite")
        suite = CRYPTOSUITES.get(cryptosuite) if isinstance(cryptosuite, str) else None
        if suite is None:
            raise UnsupportedSuite(f"unsupported suite {cryptosuite!r} (cryptosuite)", cryptosuite=cryptosuite)
        return suite
    suite = PROOF_TYPES.get(proof_type) if isinstance(proof_type, str) else None
    if suite is None:
        raise UnsupportedSuite(f"unsupported suite {proof_type!r} (proof type)", proof_type=proof_type)
    return suite


def suite_named(name: str) -> Suite:
    """The suite for a cryptosuite or legacy proof type name (signing, benchmarks)."""
    suite = CRYPTOSUITES.get(name) or PROOF_TYPES.get(name)
    if suite is None:
        raise UnsupportedSuite(f"unsupported suite {name!r}", cryptosuite=name)
    return suite


def ed25519_key_of_method(method: Mapping[str, Any]) -> Ed25519PublicKey | None:
    """The Ed25519 key of a verification method of a type some suite accepts, else ``None``.

    ``Multikey`` and ``Ed25519VerificationKey2020`` carry ``publicKeyMultibase`` (multicodec
    prefixed); ``Ed25519VerificationKey2018`` carries ``publicKeyBase58``, the 32 raw bytes.
    Malformed key material raises ``MalformedCredential`` or ``ValueError``.
    """
    vm_type = method.get("type")
    if vm_type in _MULTIBASE_KEYS and isinstance(method.get("publicKeyMultibase"), str):
        return ed25519_public_from_multibase(method["publicKeyMultibase"])
    if vm_type == ED25519_VERIFICATION_KEY_2018 and isinstance(method.get("publicKeyBase58"), str):
        raw = base58.b58decode(method["publicKeyBase58"].encode("ascii"))
        if len(raw) != ED25519_KEY_LEN:
            raise MalformedCredential("publicKeyBase58 is not a 32-byte Ed25519 key")
        return Ed25519PublicKey.from_public_bytes(raw)
    return None
