"""Whole documents: an OpenBadgeCredential and an EndorsementCredential, compacted as the
strict OB 3.0 schema wants them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..dataintegrity import format_datetime
from ..loader import MICROCRED_CONTEXT_URL, OB_EXTENSIONS_CONTEXT, OB_V3P0_CONTEXT, VC_V2_CONTEXT
from .model import (
    OB_ACHIEVEMENT_CREDENTIAL_SCHEMA,
    OB_ENDORSEMENT_CREDENTIAL_SCHEMA,
    OB_SCHEMA_VALIDATOR_TYPE,
    Achievement,
    Evidence,
    IssuerProfile,
    Result,
    StatusEntry,
    Subject,
    _compact,
    _number,
)


def credential_contexts(
    *, with_ob_extensions: bool, with_extension: bool, extension_context_url: str = MICROCRED_CONTEXT_URL
) -> list[str]:
    """The ``@context`` list. ``extension_context_url`` is where our extension context is named:
    an installation passes its own (``loader.installation_context_url``, ADR 0041) so that a
    fetching verifier can load it; the default is the pinned URL every Microcred bundles."""
    contexts = [VC_V2_CONTEXT, OB_V3P0_CONTEXT]
    if with_ob_extensions:
        contexts.append(OB_EXTENSIONS_CONTEXT)
    if with_extension:
        contexts.append(extension_context_url)
    return contexts


def build_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    achievement: Achievement,
    subject: Subject,
    valid_from: datetime,
    valid_until: datetime | None = None,
    awarded_date: datetime | None = None,
    name: str | None = None,
    description: str | None = None,
    results: tuple[Result, ...] = (),
    credits_earned: float | None = None,
    evidence: tuple[Evidence, ...] = (),
    status: StatusEntry | None = None,
    include_schema: bool = True,
    extension_context_url: str = MICROCRED_CONTEXT_URL,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential (compacted JSON-LD), ready for ``dataintegrity.sign``;
    ``extension_context_url`` as in ``credential_contexts``."""
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("valid_until must be after valid_from")
    credential_subject = _compact(
        {
            "id": subject.id,
            "type": ["AchievementSubject"],
            "identifier": subject.identifiers(),
            "achievement": achievement.to_json(),
            "creditsEarned": None if credits_earned is None else _number(credits_earned),
            "result": [result.to_json() for result in results],
        }
    )
    schema = None
    if include_schema:
        schema = [{"id": OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": OB_SCHEMA_VALIDATOR_TYPE}]
    return _compact(
        {
            "@context": credential_contexts(
                with_ob_extensions=include_schema,
                with_extension=achievement.uses_extension,
                extension_context_url=extension_context_url,
            ),
            "id": credential_id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": name or achievement.name,
            "description": description,
            "issuer": issuer.to_json(),
            "validFrom": format_datetime(valid_from),
            "validUntil": None if valid_until is None else format_datetime(valid_until),
            "awardedDate": None if awarded_date is None else format_datetime(awarded_date),
            "credentialSubject": credential_subject,
            "evidence": [item.to_json() for item in evidence],
            "credentialSchema": schema,
            "credentialStatus": None if status is None else status.to_json(),
        }
    )


def build_endorsement_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    subject_id: str,
    comment: str,
    name: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    description: str | None = None,
    awarded_date: datetime | None = None,
    status: StatusEntry | None = None,
    include_schema: bool = True,
) -> dict[str, Any]:
    """An unsigned OB 3.0 EndorsementCredential: ``issuer`` vouches for ``subject_id`` (an
    issuer, an achievement or a credential) in the words of ``comment``."""
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("valid_until must be after valid_from")
    if not name.strip():
        raise ValueError("an EndorsementCredential needs a name")
    schema = None
    if include_schema:
        schema = [{"id": OB_ENDORSEMENT_CREDENTIAL_SCHEMA, "type": OB_SCHEMA_VALIDATOR_TYPE}]
    return _compact(
        {
            "@context": credential_contexts(with_ob_extensions=include_schema, with_extension=False),
            "id": credential_id,
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": name,
            "description": description,
            "issuer": issuer.to_json(),
            "validFrom": format_datetime(valid_from),
            "validUntil": None if valid_until is None else format_datetime(valid_until),
            "awardedDate": None if awarded_date is None else format_datetime(awarded_date),
            "credentialSubject": _compact(
                {"id": subject_id, "type": ["EndorsementSubject"], "endorsementComment": comment}
            ),
            "credentialSchema": schema,
            "credentialStatus": None if status is None else status.to_json(),
        }
    )
