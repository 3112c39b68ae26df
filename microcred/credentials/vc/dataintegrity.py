"""W3C Data Integrity proofs: signing with the EdDSA cryptosuites, verifying every suite
in the registry of ``suites.py`` (ADR 0038).

Signing: ``eddsa-rdfc-2022`` (RDFC-1.0, the one Open Badges conformance accepts) and
``eddsa-jcs-2022`` (RFC 8785 JCS); the legacy suites (Ed25519Signature2020/2018) can sign
too, for interoperability tests only. For every suite:

    hashData = SHA-256(canonical proof config) || SHA-256(canonical document)

signed with pure Ed25519. The proof config is the proof without its signature plus the
document's ``@context`` (JCS keeps that ``@context`` inside the attached proof; the others
drop it). Verifying also accepts Ed25519Signature2020 (``proofValue``) and
Ed25519Signature2018 (detached ``jws``), and the pre-REC name ``eddsa-2022``.

``verify`` never returns a bool: it returns what was verified or raises a typed error.
Keys are resolved by an injected ``resolve_key(vm_url) -> (public key, controller)``
so that did:key resolves locally and did:web / HTTPS documents come from the fetcher.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from .ecdsa_sd import parse_derived_proof_value, verify_derived
from .errors import (
    CredentialError,
    FetchRefused,
    InvalidProof,
    KeyResolutionError,
    MalformedCredential,
    UnknownContext,
    UnsupportedSuite,
    UntrustedIssuer,
)
from .jsonld import canonicalize
from .multikey import VerificationKey
from .suites import (
    DATA_INTEGRITY_PROOF,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    Canonicalizer,
    HashData,
    SigningKey,
    suite_named,
    suite_of,
)

__all__ = [
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "PROOF_TYPE",
    "SUPPORTED_CRYPTOSUITES",
    "Canonicalizer",
    "HashData",
    "ProofOutcome",
    "ProofStatus",
    "ResolveKey",
    "VerifiedProof",
    "cannot_be_checked",
    "format_datetime",
    "parse_datetime_stamp",
    "sign",
    "transform_and_hash",
    "verify",
    "verify_each",
]

PROOF_TYPE = DATA_INTEGRITY_PROOF
# The cryptosuites we sign with; verifying accepts every suite of the registry.
SUPPORTED_CRYPTOSUITES = frozenset({EDDSA_RDFC_2022, EDDSA_JCS_2022})

# vm URL -> (public key, controller). A key of another algorithm than the proof's suite is
# InvalidProof (a wrong key); resolvers that only know Ed25519 keys fit this type too.
ResolveKey = Callable[[str], tuple[VerificationKey, str]]

# XSD dateTimeStamp: a dateTime whose time zone is mandatory.
_DATETIME_STAMP = re.compile(
    r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)


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
    """Canonicalize document and proof config per ``cryptosuite`` (a registry name)."""
    return suite_named(cryptosuite).transform_and_hash(unsecured_document, proof_config, canonicalizer=canonicalizer)


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
    private_key: SigningKey,
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
    ``cryptosuite`` may also name a legacy proof type (``Ed25519Signature2020``/``2018``):
    we issue with eddsa-rdfc-2022, the legacy suites sign only for interoperability tests.
    """
    suite = suite_named(cryptosuite)
    if "@context" not in document:
        raise MalformedCredential("document has no @context")
    existing = _proofs_of(document)
    unsecured = {key: value for key, value in document.items() if key != "proof"}

    options: dict[str, Any] = {"type": suite.proof_type}
    if proof_id is not None:
        options["id"] = proof_id
    if suite.cryptosuite is not None:
        options["cryptosuite"] = cryptosuite
    options.update(
        created=format_datetime(created),
        verificationMethod=verification_method,
        proofPurpose=proof_purpose,
    )
    if previous_proof is not None:
        options["previousProof"] = previous_proof
    if suite.context_in_proof:
        options["@context"] = document["@context"]

    to_sign = _with_previous_proofs(unsecured, existing, previous_proof)
    proof_config = {**options, "@context": document["@context"]}
    hash_data = suite.transform_and_hash(to_sign, proof_config, canonicalizer=canonicalizer)
    proof = {**options, **suite.signature_members(private_key, hash_data)}

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
    suite = suite_of(proof)
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

    if suite.selective_disclosure:
        parse_derived_proof_value(proof.get("proofValue"))  # refuse a malformed or base proof early
    else:
        suite.check_signature_form(proof)

    options = suite.proof_options(proof)
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

    if suite.selective_disclosure:
        # ecdsa-sd-2023: the holder's derived proof, checked statement by statement.
        public_key, controller = resolve_key(vm_url)
        verify_derived(document, proof_config, proof, public_key, canonicalizer=canonicalizer)
    else:
        hash_data = suite.transform_and_hash(document, proof_config, canonicalizer=canonicalizer)
        public_key, controller = resolve_key(vm_url)
        suite.verify_signature(proof, public_key, hash_data)
    if expected_controller is not None and controller != expected_controller:
        raise UntrustedIssuer(
            "the verification method is not controlled by the expected controller",
            controller=controller,
            expected=expected_controller,
        )
    return VerifiedProof(
        verification_method=vm_url,
        controller=controller,
        cryptosuite=suite.name,
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


class ProofStatus(StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"
    # Not checked here (a suite, context or key we cannot use): says nothing either way.
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class ProofOutcome:
    """What one proof of a proof set (or chain) came to: verified, failed or unchecked.

    ``verified`` is set for a verified proof, ``error`` (the typed error) otherwise; the
    other members describe the proof as it is written, for the checklist.
    """

    index: int
    proof_id: str | None
    proof_type: str | None
    cryptosuite: str | None
    verification_method: str | None
    status: ProofStatus
    verified: VerifiedProof | None = None
    error: CredentialError | None = None

    @property
    def suite(self) -> str:
        """The suite's name as a reader knows it: the cryptosuite, else the proof type."""
        return self.cryptosuite or self.proof_type or "an unnamed suite"


def cannot_be_checked(error: CredentialError) -> bool:
    """True for errors that mean "we could not look" rather than "it is wrong": a suite or
    context we lack, a document or key we were not allowed or able to fetch."""
    if isinstance(error, (UnsupportedSuite, UnknownContext, FetchRefused)):
        return True
    if isinstance(error, KeyResolutionError):
        cause: BaseException | None = error.__cause__
        while cause is not None:
            if isinstance(cause, FetchRefused):
                return True
            cause = cause.__cause__
    return False


def verify_each(
    document: dict[str, Any],
    *,
    resolve_key: ResolveKey,
    expected_proof_purpose: str = "assertionMethod",
    now: datetime | None = None,
    canonicalizer: Canonicalizer = canonicalize,
) -> tuple[ProofOutcome, ...]:
    """Verify each proof of ``document`` on its own (a proof set, VC Data Integrity §2.1.1;
    a chain's ``previousProof`` is still signed over): one outcome per proof, in document order.

    A proof in a suite we lack, or whose context or key cannot be loaded, is ``UNCHECKED``;
    a proof that does not verify is ``FAILED`` with its typed error. Raises only when there is
    no proof to look at (none, or ``proof`` is not objects). What the set means as a whole is
    the caller's judgement (the verifier: ADR 0040); ``verify`` requires every proof.
    """
    if not isinstance(document, dict):
        raise MalformedCredential("a credential must be a JSON object")
    proofs = _proofs_of(document)
    if not proofs:
        raise InvalidProof("document has no proof")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    outcomes: list[ProofOutcome] = []
    for index, proof in enumerate(proofs):
        try:
            verified = _verify_one(
                unsecured,
                proofs,
                proof,
                resolve_key=resolve_key,
                expected_proof_purpose=expected_proof_purpose,
                expected_controller=None,
                now=now,
                canonicalizer=canonicalizer,
            )
        except CredentialError as exc:
            status = ProofStatus.UNCHECKED if cannot_be_checked(exc) else ProofStatus.FAILED
            outcomes.append(_proof_outcome(index, proof, status, error=exc))
        else:
            outcomes.append(_proof_outcome(index, proof, ProofStatus.VERIFIED, verified=verified))
    return tuple(_through_chains(proofs, outcomes))


def _through_chains(proofs: list[dict[str, Any]], outcomes: list[ProofOutcome]) -> list[ProofOutcome]:
    """A proof naming ``previousProof`` counts as verified only when the proofs it names are
    verified too (Data Integrity §4.5, on verifying a subset): else it fails with them, or is
    unchecked with them. Repeated until nothing changes, for chains longer than two."""
    by_id = {proof.get("id"): index for index, proof in enumerate(proofs) if isinstance(proof.get("id"), str)}
    changed = True
    while changed:
        changed = False
        for index, outcome in enumerate(outcomes):
            if outcome.status is not ProofStatus.VERIFIED:
                continue
            previous = proofs[index].get("previousProof")
            named = [previous] if isinstance(previous, str) else previous if isinstance(previous, list) else []
            linked = [outcomes[by_id[name]] for name in named if name in by_id]
            failed = next((link for link in linked if link.status is ProofStatus.FAILED), None)
            unchecked = next((link for link in linked if link.status is ProofStatus.UNCHECKED), None)
            if failed is not None:
                error: CredentialError = InvalidProof(f"the previous proof {failed.proof_id} does not verify")
                outcomes[index] = _proof_outcome(index, proofs[index], ProofStatus.FAILED, error=error)
            elif unchecked is not None:
                error = UnsupportedSuite(f"the previous proof {unchecked.proof_id} could not be checked here")
                outcomes[index] = _proof_outcome(index, proofs[index], ProofStatus.UNCHECKED, error=error)
            else:
                continue
            changed = True
    return outcomes


def _proof_outcome(
    index: int,
    proof: dict[str, Any],
    status: ProofStatus,
    *,
    verified: VerifiedProof | None = None,
    error: CredentialError | None = None,
) -> ProofOutcome:
    def text(member: str) -> str | None:
        value = proof.get(member)
        return value if isinstance(value, str) else None

    return ProofOutcome(
        index=index,
        proof_id=text("id"),
        proof_type=text("type"),
        cryptosuite=text("cryptosuite"),
        verification_method=text("verificationMethod"),
        status=status,
        verified=verified,
        error=error,
    )
