"""W3C Data Integrity proofs with the EdDSA cryptosuites (vc-di-eddsa, 2025 REC).

Allow-listed suites: ``eddsa-rdfc-2022`` (RDFC-1.0, the one Open Badges conformance
accepts) and ``eddsa-jcs-2022`` (RFC 8785 JCS). For both:

    hashData = SHA-256(canonical proof config) || SHA-256(canonical document)

signed with pure Ed25519; ``proofValue`` = multibase base58btc of the 64-byte signature.
The proof config is the proof without ``proofValue`` plus the document's ``@context``
(JCS keeps that ``@context`` inside the attached proof; RDFC drops it).

``verify`` never returns a bool: it returns what was verified or raises a typed error.
Keys are resolved by an injected ``resolve_key(vm_url) -> (public key, controller)``
so that did:key resolves locally and did:web / HTTPS documents come from the fetcher.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .errors import (
    InvalidProof,
    MalformedCredential,
    UnsupportedSuite,
    UntrustedIssuer,
)
from .jsonld import canonicalize
from .multikey import multibase_decode, multibase_encode

PROOF_TYPE = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
SUPPORTED_CRYPTOSUITES = frozenset({EDDSA_RDFC_2022, EDDSA_JCS_2022})

ResolveKey = Callable[[str], tuple[Ed25519PublicKey, str]]
# jsonld.canonicalize or anything proven to return exactly what it returns (fastpath).
Canonicalizer = Callable[[dict[str, Any]], str]

# XSD dateTimeStamp: a dateTime whose time zone is mandatory.
_DATETIME_STAMP = re.compile(
    r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_SIGNATURE_LEN = 64


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
class VerifiedProof:
    verification_method: str
    controller: str
    cryptosuite: str
    proof_purpose: str
    created: datetime | None
    proof_id: str | None


def format_datetime(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC; a naive datetime is refused, not guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime_stamp(value: Any, field: str) -> datetime:
    if not isinstance(value, str) or not _DATETIME_STAMP.fullmatch(value):
        raise InvalidProof(f"proof {field} is not an XSD dateTimeStamp", value=value)
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidProof(f"proof {field} is not a valid date-time", value=value) from exc


def _proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document.get("proof")
    if proof is None:
        return []
    proofs = proof if isinstance(proof, list) else [proof]
    if not all(isinstance(item, dict) for item in proofs):
        raise InvalidProof("proof must be an object or an array of objects")
    return proofs


def transform_and_hash(
    unsecured_document: dict[str, Any],
    proof_config: dict[str, Any],
    cryptosuite: str,
    *,
    canonicalizer: Canonicalizer = canonicalize,
) -> HashData:
    """Canonicalize document and proof config per ``cryptosuite`` (steps of the spec)."""
    if cryptosuite == EDDSA_RDFC_2022:
        return HashData(canonicalizer(unsecured_document), canonicalizer(proof_config))
    if cryptosuite == EDDSA_JCS_2022:
        try:
            document = rfc8785.dumps(unsecured_document).decode("utf-8")
            config = rfc8785.dumps(proof_config).decode("utf-8")
        except rfc8785.CanonicalizationError as exc:
            raise MalformedCredential(f"document cannot be JCS-canonicalized: {exc}") from exc
        return HashData(document, config)
    raise UnsupportedSuite(f"cryptosuite {cryptosuite!r} is unsupported", cryptosuite=cryptosuite)


def _with_previous_proofs(unsecured: dict[str, Any], proofs: list[dict[str, Any]], previous: Any) -> dict[str, Any]:
    """Per the proof-chain algorithm, a proof naming ``previousProof`` signs those proofs too."""
    if previous is None:
        return unsecured
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list) or not all(isinstance(item, str) for item in wanted):
        raise InvalidProof("previousProof must be a string or an array of strings")
    matching = [proof for proof in proofs if proof.get("id") in wanted]
    if len(matching) != len(set(wanted)):
        raise InvalidProof("previousProof refers to a proof that is not in the document")
    return {**unsecured, "proof": matching}


def sign(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    cryptosuite: str = EDDSA_RDFC_2022,
    proof_purpose: str = "assertionMethod",
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    proof_as_list: bool = False,
    canonicalizer: Canonicalizer = canonicalize,
) -> dict[str, Any]:
    """Return a copy of ``document`` with a new Data Integrity proof added.

    Existing proofs are kept (a proof set); they are covered by the new signature only
    when named in ``previous_proof`` (a proof chain). ``proof_as_list`` emits ``proof``
    as an array even for one proof, as the strict OB 3.0 JSON schema requires.
    """
    if cryptosuite not in SUPPORTED_CRYPTOSUITES:
        raise UnsupportedSuite(f"cryptosuite {cryptosuite!r} is unsupported")
    if "@context" not in document:
        raise MalformedCredential("document has no @context")
    existing = _proofs_of(document)
    unsecured = {key: value for key, value in document.items() if key != "proof"}

    options: dict[str, Any] = {"type": PROOF_TYPE}
    if proof_id is not None:
        options["id"] = proof_id
    options.update(
        cryptosuite=cryptosuite,
        created=format_datetime(created),
        verificationMethod=verification_method,
        proofPurpose=proof_purpose,
    )
    if previous_proof is not None:
        options["previousProof"] = previous_proof
    if cryptosuite == EDDSA_JCS_2022:
        # eddsa-jcs-2022 signs (and attaches) the document's @context inside the proof.
        options["@context"] = document["@context"]

    to_sign = _with_previous_proofs(unsecured, existing, previous_proof)
    proof_config = {**options, "@context": document["@context"]}
    hash_data = transform_and_hash(to_sign, proof_config, cryptosuite, canonicalizer=canonicalizer)
    signature = private_key.sign(hash_data.combined)
    proof = {**options, "proofValue": multibase_encode(signature)}

    proofs = [*existing, proof]
    if len(proofs) == 1 and not proof_as_list:
        return {**unsecured, "proof": proof}
    return {**unsecured, "proof": proofs}


def _verify_one(
    unsecured: dict[str, Any],
    proofs: list[dict[str, Any]],
    proof: dict[str, Any],
    *,
    resolve_key: ResolveKey,
    expected_proof_purpose: str,
    expected_controller: str | None,
    now: datetime | None,
    canonicalizer: Canonicalizer = canonicalize,
) -> VerifiedProof:
    proof_type = proof.get("type")
    cryptosuite = proof.get("cryptosuite")
    if proof_type != PROOF_TYPE:
        raise UnsupportedSuite(f"proof type {proof_type!r} is unsupported", proof_type=proof_type)
    if not isinstance(cryptosuite, str) or cryptosuite not in SUPPORTED_CRYPTOSUITES:
        raise UnsupportedSuite(f"cryptosuite {cryptosuite!r} is unsupported", cryptosuite=cryptosuite)
    purpose = proof.get("proofPurpose")
    if purpose != expected_proof_purpose:
        raise InvalidProof(
            f"proofPurpose is {purpose!r}, expected {expected_proof_purpose!r}",
            purpose=purpose,
        )
    vm_url = proof.get("verificationMethod")
    if not isinstance(vm_url, str) or not vm_url:
        raise InvalidProof("proof has no verificationMethod")
    created = parse_datetime_stamp(proof["created"], "created") if "created" in proof else None
    if "expires" in proof:
        expires = parse_datetime_stamp(proof["expires"], "expires")
        if now is not None and now > expires:
            raise InvalidProof("proof has expired", expires=proof["expires"])

    proof_value = proof.get("proofValue")
    try:
        signature = multibase_decode(proof_value) if isinstance(proof_value, str) else b""
    except MalformedCredential as exc:
        raise InvalidProof("proofValue is not multibase base58btc") from exc
    if len(signature) != _SIGNATURE_LEN:
        raise InvalidProof("proofValue is not a 64-byte Ed25519 signature")

    options = {key: value for key, value in proof.items() if key != "proofValue"}
    document = unsecured
    if "@context" in options:
        # The signed config's @context must be a prefix of the document's, and the
        # document is verified under exactly the signed @context.
        signed_ctx = options["@context"]
        signed_list = signed_ctx if isinstance(signed_ctx, list) else [signed_ctx]
        doc_ctx = unsecured.get("@context")
        doc_list = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        if doc_list[: len(signed_list)] != signed_list:
            raise InvalidProof("proof @context does not match the document's @context")
        document = {**unsecured, "@context": signed_ctx}
    document = _with_previous_proofs(document, proofs, proof.get("previousProof"))
    proof_config = {**options, "@context": document.get("@context")}

    hash_data = transform_and_hash(document, proof_config, cryptosuite, canonicalizer=canonicalizer)
    public_key, controller = resolve_key(vm_url)
    try:
        public_key.verify(signature, hash_data.combined)
    except InvalidSignature as exc:
        raise InvalidProof("signature does not match the document", verification_method=vm_url) from exc
    if expected_controller is not None and controller != expected_controller:
        raise UntrustedIssuer(
            "the verification method is not controlled by the expected controller",
            controller=controller,
            expected=expected_controller,
        )
    return VerifiedProof(
        verification_method=vm_url,
        controller=controller,
        cryptosuite=cryptosuite,
        proof_purpose=purpose,
        created=created,
        proof_id=proof.get("id"),
    )


def verify(
    document: dict[str, Any],
    *,
    resolve_key: ResolveKey,
    expected_proof_purpose: str = "assertionMethod",
    expected_controller: str | None = None,
    now: datetime | None = None,
    canonicalizer: Canonicalizer = canonicalize,
) -> tuple[VerifiedProof, ...]:
    """Verify every proof of ``document`` (object or proof set/chain); raise on any failure.

    Returns one ``VerifiedProof`` per proof, in document order. ``expected_controller``
    (usually the issuer id) makes a key bound to someone else an ``UntrustedIssuer``.
    """
    if not isinstance(document, dict):
        raise MalformedCredential("a credential must be a JSON object")
    proofs = _proofs_of(document)
    if not proofs:
        raise InvalidProof("document has no proof")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return tuple(
        _verify_one(
            unsecured,
            proofs,
            proof,
            resolve_key=resolve_key,
            expected_proof_purpose=expected_proof_purpose,
            expected_controller=expected_controller,
            now=now,
            canonicalizer=canonicalizer,
        )
        for proof in proofs
    )
