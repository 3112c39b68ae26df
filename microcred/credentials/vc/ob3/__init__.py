"""Open Badges 3.0 ``OpenBadgeCredential`` and ``EndorsementCredential`` documents from plain
dataclasses.

Output follows the strict OB 3.0 JSON schema ("Serialization" in the standards
digest): ``type`` and every 0..* property are arrays, ``image`` is an Image object,
nulls and empty collections are omitted, dates are ``YYYY-MM-DDTHH:MM:SSZ``. Numbers
with no fractional part are emitted as JSON integers, so the JSON text (and its JCS
and RDF forms) is the same whatever language reads it back.

The EU micro-credential elements that OB has no field for (assessment type, form of
participation, quality assurance, supervision, stackability, ...) go on the
Achievement under our own extension context, which is added to ``@context`` only when one
of them is set: named by the issuing installation's URL (``extension_context_url``, ADR 0041),
``MICROCRED_CONTEXT_URL`` by default. Scores, rubric levels and project evidence beyond
the final score are shaped in ``results`` (ADR 0029). Nothing here reads the clock.
"""

from .documents import build_credential, build_endorsement_credential, credential_contexts
from .model import (
    OB_ACHIEVEMENT_CREDENTIAL_SCHEMA,
    OB_ENDORSEMENT_CREDENTIAL_SCHEMA,
    OB_SCHEMA_VALIDATOR_TYPE,
    Achievement,
    Alignment,
    EuMicroCredentialFields,
    Evidence,
    IssuerProfile,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    StatusEntry,
    Subject,
    identity_hash,
)
from .results import (
    AssessedPart,
    PartOutcome,
    RubricCriterionSpec,
    RubricLevelSpec,
    part_evidence,
    part_results,
    weighted_score_description,
    weighted_score_result,
)

__all__ = [
    "OB_ACHIEVEMENT_CREDENTIAL_SCHEMA",
    "OB_ENDORSEMENT_CREDENTIAL_SCHEMA",
    "OB_SCHEMA_VALIDATOR_TYPE",
    "Achievement",
    "Alignment",
    "AssessedPart",
    "EuMicroCredentialFields",
    "Evidence",
    "IssuerProfile",
    "PartOutcome",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "RubricCriterionSpec",
    "RubricLevelSpec",
    "StatusEntry",
    "Subject",
    "build_credential",
    "build_endorsement_credential",
    "credential_contexts",
    "identity_hash",
    "part_evidence",
    "part_results",
    "weighted_score_description",
    "weighted_score_result",
]
