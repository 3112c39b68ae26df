"""The verification report: an ordered checklist of steps and the verdict drawn from it.

Each step has a stable ``name`` (what was checked), a ``status`` and a human ``reason``;
a failed step also carries the stable ``code`` of the typed error that failed it. The
overall ``outcome`` is derived from the steps alone, so pages, the API and the CLI can
never disagree with the checklist they show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class StepStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNSUPPORTED = "unsupported"
    WARNING = "warning"


class Outcome(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    UNSUPPORTED = "unsupported"
    MALFORMED = "malformed"


# Stable step names, in the order of OB 3.0 "Verification" (plus reading and JSON-LD).
READ = "read"
STRUCTURE = "structure"
SCHEMA = "schema"
SUBJECT = "subject"
PROOF = "proof"
ISSUER = "issuer"
STATUS = "status"
VALIDITY = "validity"
RECIPIENT = "recipient"
ENDORSEMENTS = "endorsements"

# What an embedded endorsement vouches for: the credential (or its achievement) or its issuer.
ENDORSES_CREDENTIAL = "credential"
ENDORSES_ISSUER = "issuer"

STEP_LABELS: Mapping[str, str] = {
    READ: "Read the credential",
    STRUCTURE: "Contexts and terms",
    SCHEMA: "Open Badges schema",
    SUBJECT: "Credential subject",
    PROOF: "Signature",
    ISSUER: "Key belongs to the issuer",
    STATUS: "Revocation status",
    VALIDITY: "Validity period",
    RECIPIENT: "Recipient",
    ENDORSEMENTS: "Endorsements",
}

HEADLINES: Mapping[Outcome, str] = {
    Outcome.VALID: "Valid credential",
    Outcome.INVALID: "Not valid",
    Outcome.REVOKED: "Revoked by the issuer",
    Outcome.SUSPENDED: "Suspended by the issuer",
    Outcome.EXPIRED: "Expired",
    Outcome.NOT_YET_VALID: "Not yet valid",
    Outcome.UNSUPPORTED: "Cannot be verified here",
    Outcome.MALFORMED: "Not a readable credential",
}

# An unsupported proof (or an unsupported kind of document) means we cannot tell, which
# is not the same as "invalid". An unsupported status method only weakens the answer.
_BLOCKING_UNSUPPORTED = frozenset({STRUCTURE, PROOF})
# Failures that describe the credential's state rather than a defect, by precedence.
_STATE_CODES = (
    ("revoked", Outcome.REVOKED),
    ("suspended", Outcome.SUSPENDED),
    ("expired", Outcome.EXPIRED),
    ("not_yet_valid", Outcome.NOT_YET_VALID),
)


@dataclass(frozen=True)
class Step:
    name: str
    status: StepStatus
    reason: str
    code: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.name, self.name)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "status": self.status.value,
            "reason": self.reason,
        }
        if self.code is not None:
            out["code"] = self.code
        if self.data:
            out["data"] = dict(self.data)
        return out


@dataclass(frozen=True)
class VerificationReport:
    steps: tuple[Step, ...]
    outcome: Outcome
    format: str | None = None
    vc_version: str | None = None
    credential: Mapping[str, Any] | None = None
    credential_id: str | None = None
    credential_name: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    achievement_name: str | None = None
    achievement_description: str | None = None
    achievement_image: str | None = None
    subject: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    awarded_date: str | None = None
    endorsements: tuple[VerificationReport, ...] = ()
    # Set on the reports of embedded endorsements: ENDORSES_CREDENTIAL or ENDORSES_ISSUER.
    endorses: str | None = None

    @property
    def valid(self) -> bool:
        return self.outcome is Outcome.VALID

    @property
    def headline(self) -> str:
        return HEADLINES[self.outcome]

    def step(self, name: str) -> Step | None:
        return next((step for step in self.steps if step.name == name), None)

    @property
    def endorsement_comment(self) -> str | None:
        """The endorser's words, when this is an EndorsementCredential that has them."""
        if self.credential is None:
            return None
        subject = self.credential.get("credentialSubject")
        subject = subject[0] if isinstance(subject, list) and subject else subject
        comment = subject.get("endorsementComment") if isinstance(subject, Mapping) else None
        return comment if isinstance(comment, str) and comment.strip() else None

    @property
    def warnings(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.status in (StepStatus.WARNING, StepStatus.UNSUPPORTED))

    def to_json(self, *, include_credential: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "valid": self.valid,
            "outcome": self.outcome.value,
            "headline": self.headline,
            "format": self.format,
            "vc_version": self.vc_version,
            "credential_id": self.credential_id,
            "name": self.credential_name,
            "issuer": {"id": self.issuer_id, "name": self.issuer_name},
            "achievement": {
                "name": self.achievement_name,
                "description": self.achievement_description,
                "image": self.achievement_image,
            },
            "subject": self.subject,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "awarded_date": self.awarded_date,
            "steps": [step.to_json() for step in self.steps],
            "endorsements": [e.to_json(include_credential=False) for e in self.endorsements],
        }
        if self.endorses is not None:
            out["endorses"] = self.endorses
            out["endorsement_comment"] = self.endorsement_comment
        if include_credential:
            out["credential"] = None if self.credential is None else dict(self.credential)
        return out


def outcome_of(steps: Iterable[Step]) -> Outcome:
    """The verdict: unreadable > defective > cannot tell > revoked/suspended/expired > valid."""
    steps = tuple(steps)
    failed = [step for step in steps if step.status is StepStatus.FAILED]
    # Unreadable, or readable but not a credential at all.
    if any(step.name == READ or (step.name == STRUCTURE and step.code == "malformed") for step in failed):
        return Outcome.MALFORMED
    state_codes = {code for code, _ in _STATE_CODES}
    if any(step.code not in state_codes for step in failed):
        return Outcome.INVALID
    if any(step.status is StepStatus.UNSUPPORTED and step.name in _BLOCKING_UNSUPPORTED for step in steps):
        return Outcome.UNSUPPORTED
    codes = {step.code for step in failed}
    for code, outcome in _STATE_CODES:
        if code in codes:
            return outcome
    return Outcome.VALID
