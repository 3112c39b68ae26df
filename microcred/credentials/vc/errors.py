"""Typed verification and signing errors of the Django-free credential core.

Verification never returns a bool: each failure is an exception whose ``code`` is
stable (APIs, pages and the CLI show it) and whose message says why in words.
"""

from __future__ import annotations

from typing import Any


class CredentialError(Exception):
    """Base of every error raised by ``microcred.credentials.vc``."""

    code = "credential_error"

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return self.message


class MalformedCredential(CredentialError):
    """The input is not a credential we can read (bad JSON, missing fields, bad encoding)."""

    code = "malformed"


class DocumentTooComplex(MalformedCredential):
    """A document is beyond the bounds we read (nesting depth, array length, number of values):
    refused before any JSON-LD work, whose cost grows faster than the document."""

    code = "too_complex"


class SchemaInvalid(CredentialError):
    """The credential does not validate against its JSON schema."""

    code = "schema_invalid"


class UnknownContext(CredentialError):
    """A JSON-LD context URL that is not bundled; we never fetch contexts from the network."""

    code = "unknown_context"


class UndefinedTerm(CredentialError):
    """A property or type does not expand to an IRI, so it would not be covered by the proof."""

    code = "undefined_term"


class UnsupportedSuite(CredentialError):
    """The proof uses a cryptosuite or JOSE algorithm we do not support (not the same as invalid)."""

    code = "unsupported"


class InvalidProof(CredentialError):
    """The signature does not match the document, or the proof is malformed."""

    code = "invalid_proof"


class KeyResolutionError(CredentialError):
    """The verification method could not be resolved to a public key."""

    code = "key_unresolved"


class UntrustedIssuer(CredentialError):
    """The key that signed is not bound to the credential's issuer."""

    code = "issuer_mismatch"


class FetchRefused(CredentialError):
    """A remote document fetch was refused (disabled, private address, too large, timeout)."""

    code = "fetch_refused"


class StatusError(CredentialError):
    """A status list could not be read or does not fit the entry."""

    code = "status_error"


class Revoked(CredentialError):
    code = "revoked"


class Suspended(CredentialError):
    code = "suspended"


class Expired(CredentialError):
    code = "expired"


class NotYetValid(CredentialError):
    code = "not_yet_valid"


class RecipientMismatch(CredentialError):
    code = "recipient_mismatch"
