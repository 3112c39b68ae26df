"""Step "structure" for a VC-JWT: is the payload a credential, without the JSON-LD term check.

A Data Integrity proof signs the RDF a document expands to, so a term no context defines
would go unsigned and is refused (``checks.structure_step``). A JWS signs the payload's
bytes: every member is covered whatever the contexts say, and VC-JWT 1.1 payloads are not
JSON-LD processed at all. So a VC-JWT is checked for what matters to the later steps (a VC
context first, the VerifiableCredential type, a subject, an issuer id), and its terms and
contexts are left alone: an unbundled or misspelt context does not make it unreadable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..loader import VC_V1_CONTEXT, VC_V2_CONTEXT
from .checks import as_list, issuer_id_of, sentence, structure_step, subjects_of, types_of
from .report import STRUCTURE, Step, StepStatus


def jwt_structure_step(credential: Mapping[str, Any]) -> tuple[Step, str | None]:
    """The structure step of a VC-JWT payload; returns it with the VC version."""
    contexts = as_list(credential.get("@context"))
    first = contexts[0] if contexts else None
    if first not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        # Not a VC at all (or Open Badges 2.0): said exactly as for a JSON document, which
        # structure_step does before it expands anything.
        return structure_step(credential)
    version = "2.0" if first == VC_V2_CONTEXT else "1.1"
    problem = None
    if "VerifiableCredential" not in types_of(credential):
        problem = "type does not include VerifiableCredential"
    elif not subjects_of(credential):
        problem = "the credential has no credentialSubject object"
    elif issuer_id_of(credential) is None:
        problem = "the credential names no issuer id"
    if problem is not None:
        return Step(STRUCTURE, StepStatus.FAILED, sentence(problem), code="malformed"), version
    reason = (
        f"A VC {version} credential secured as a VC-JWT. The signature covers its JSON as written,"
        " so its terms were not checked against its contexts (VC-JWT payloads are not JSON-LD processed)."
    )
    return Step(STRUCTURE, StepStatus.PASSED, reason, data={"jsonld_terms_checked": False}), version
