"""Verify any presented credential, ours or foreign, and explain the verdict step by step.

``verify_presented`` reads JSON, a VC-JWT or a baked PNG/SVG and runs the OB 3.0
verification order as a checklist:

==============  ============================================================================
read            JSON / compact JWS / baked PNG or SVG
structure       VC 1.1 or 2.0; every @context bundled, every term defined (else unsigned)
schema          OB 3.0 strict schema, falling back to the JSON-LD adaptation schema; VC 1.1
                badges mapped to VC 2.0 dates first; non-OB credentials only warn
subject         the subject has an ``id`` or an ``identifier``
proof           every Data Integrity proof, or the VC-JWT signature and its claims
issuer          the key's controller is the issuer (did:key: the DID is the issuer)
status          each credentialStatus entry, with the status list's own proof verified
validity        validFrom <= now <= validUntil (VC 1.1: issuanceDate / expirationDate)
recipient       optional: an e-mail address against identityHash (sha256$ / md5$, salted)
endorsements    embedded endorsements of the credential and of its issuer profile (an
                accreditor's), verified recursively (depth-limited), each reported; a bad
                one only warns
==============  ============================================================================

Keys and documents come from injected callables, so the core never decides what may be
fetched: ``resolve_key(vm_url) -> (public key, controller)`` (Ed25519, P-256 or P-384) and
``fetch_document(url) -> bytes`` (raising :class:`FetchRefused` when it will not fetch).
A bad credential never raises: each failure is a failed step with the typed error's code.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..dataintegrity import ResolveKey
from ..errors import CredentialError
from ..loader import FetchContext
from .engine import MAX_ENDORSEMENT_DEPTH, MAX_ENDORSEMENTS, KnownStatusEntries, Verifier, unreadable_report
from .keys import FetchDocument
from .reading import MAX_INPUT_BYTES
from .report import (
    CONFORMANCE,
    ENDORSEMENTS,
    ENDORSES_CREDENTIAL,
    ENDORSES_ISSUER,
    HEADLINES,
    ISSUER,
    PROOF,
    READ,
    RECIPIENT,
    SCHEMA,
    STATUS,
    STEP_LABELS,
    STRUCTURE,
    SUBJECT,
    VALIDITY,
    Outcome,
    Step,
    StepStatus,
    Verdict,
    VerificationReport,
)


def verify_presented(
    data: bytes | str | Mapping[str, Any],
    *,
    now: datetime,
    resolve_key: ResolveKey,
    fetch_document: FetchDocument,
    recipient_email: str | None = None,
    known_status_entries: KnownStatusEntries | None = None,
    fetch_context: FetchContext | None = None,
) -> VerificationReport:
    """Run the whole checklist on ``data``; the report's ``verdict`` is the answer (ADR 0040),
    its ``outcome`` the detail (revoked, expired...).

    ``known_status_entries(credential_id)`` lets an issuer verifying its own credentials add
    status entries it keeps but did not sign in (e.g. a suspension list); each is checked
    exactly like a declared one, list proof included.

    ``fetch_context(url) -> bytes | None`` is asked for a JSON-LD context that is not bundled,
    only when the operator allows it; without it (the default) such a credential is reported
    as one we cannot check.
    """
    verifier = Verifier(
        now=now,
        resolve_key=resolve_key,
        fetch_document=fetch_document,
        known_status_entries=known_status_entries,
        fetch_context=fetch_context,
    )
    return verifier.run(data, recipient_email=recipient_email)


def report_unreadable(error: CredentialError) -> VerificationReport:
    """The report for input that never reached the verifier (e.g. a refused URL fetch)."""
    return unreadable_report(error)


__all__ = [
    "CONFORMANCE",
    "ENDORSEMENTS",
    "ENDORSES_CREDENTIAL",
    "ENDORSES_ISSUER",
    "HEADLINES",
    "ISSUER",
    "MAX_ENDORSEMENTS",
    "MAX_ENDORSEMENT_DEPTH",
    "MAX_INPUT_BYTES",
    "PROOF",
    "READ",
    "RECIPIENT",
    "SCHEMA",
    "STATUS",
    "STEP_LABELS",
    "STRUCTURE",
    "SUBJECT",
    "VALIDITY",
    "FetchDocument",
    "KnownStatusEntries",
    "Outcome",
    "Step",
    "StepStatus",
    "Verdict",
    "VerificationReport",
    "report_unreadable",
    "verify_presented",
]
