"""The verification report: an ordered checklist of steps and the verdict drawn from it.

Each step has a stable ``name`` (what was checked), a ``status`` and a human ``reason``;
a failed step also carries the stable ``code`` of the typed error that failed it. The
detailed ``outcome`` (revoked, expired...) and the top-level ``verdict`` every interface
shows (ADR 0040) are derived from the steps alone, so pages, the API and the CLI can
never disagree with the checklist they show.

Verdicts, strongest first: *unreadable* (not a credential at all) > *invalid* (a check
failed: forged, tampered, wrong key, revoked, suspended, expired, not yet valid) >
*cannot check* (a suite, context, key or status list we cannot use: never forgery, never
valid) > *valid with warnings* (signature and status hold, OB 3.0 rules broken, each
named) > *valid*.
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


class Verdict(StrEnum):
    """The one answer every interface shows (pages, API, ``microcred verify``'s exit code)."""

    VALID = "valid"
    VALID_WITH_WARNINGS = "valid_with_warnings"
    INVALID = "invalid"
    CANNOT_CHECK = "cannot_check"
    UNREADABLE = "unreadable"


HEADLINES: Mapping[Outcome, str] = {
    Outcome.VALID: "Valid credential",
    Outcome.INVALID: "Not valid",
    Outcome.REVOKED: "Revoked by the issuer",
    Outcome.SUSPENDED: "Suspended by the issuer",
    Outcome.EXPIRED: "Expired",
    Outcome.NOT_YET_VALID: "Not yet valid",
    Outcome.UNSUPPORTED: "Cannot be checked here",
    Outcome.MALFORMED: "Not a readable credential",
}
WARNINGS_HEADLINE = "Valid, with conformance warnings"

# The code of a warning step that names broken OB 3.0 rules (a conformance warning): the
# rules are in its data["rules"]. Any other warning is a note that leaves the verdict valid.
CONFORMANCE = "conformance"

# A step is UNSUPPORTED when we could not check a part that matters (an unsupported document,
# context or suite, no checkable proof by the issuer, a declared status we cannot read), so any
# such step leaves the answer open: status fails closed, an unchecked revocation is never valid.
# What does not matter to the verdict (a bad endorsement, a plain VC) is a WARNING instead.
# Failure codes that say "we could not look", not "it is wrong": a fetch that was refused or
# failed, a context or suite we lack. A step failed with one of them counts as unsupported.
CANNOT_CHECK_CODES = frozenset(
    {"unsupported", "unknown_context", "fetch_refused", "status_unavailable", "status_method_unsupported"}
)
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
    def verdict(self) -> Verdict:
        return verdict_of(self.outcome, self.steps)

    @property
    def headline(self) -> str:
        if self.verdict is Verdict.VALID_WITH_WARNINGS:
            return WARNINGS_HEADLINE
        return HEADLINES[self.outcome]

    @property
    def conformance_warnings(self) -> tuple[str, ...]:
        """Every broken OB 3.0 rule the checklist names, in step order."""
        return conformance_rules(self.steps)

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
            "verdict": self.verdict.value,
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
            "conformance_warnings": list(self.conformance_warnings),
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
    """The detailed outcome: unreadable > defective > revoked/suspended/expired/not yet valid >
    cannot tell > valid. A failure beats what could not be checked: a failing proof or a
    revocation is an answer even when another part could not be checked."""
    steps = tuple(steps)
    failed = [step for step in steps if step.status is StepStatus.FAILED]
    # Unreadable, or readable but not a credential at all.
    if any(step.name == READ or (step.name == STRUCTURE and step.code == "malformed") for step in failed):
        return Outcome.MALFORMED
    state_codes = {code for code, _ in _STATE_CODES}
    unchecked = [step for step in failed if step.code in CANNOT_CHECK_CODES]
    if any(step.code not in state_codes | CANNOT_CHECK_CODES for step in failed):
        return Outcome.INVALID
    codes = {step.code for step in failed}
    for code, outcome in _STATE_CODES:
        if code in codes:
            return outcome
    if unchecked or any(step.status is StepStatus.UNSUPPORTED for step in steps):
        return Outcome.UNSUPPORTED
    return Outcome.VALID


def conformance_rules(steps: Iterable[Step]) -> tuple[str, ...]:
    rules: list[str] = []
    for step in steps:
        if step.status is StepStatus.WARNING and step.code == CONFORMANCE:
            named = step.data.get("rules")
            rules += [str(rule) for rule in named] if isinstance(named, (list, tuple)) and named else [step.reason]
    return tuple(rules)


def verdict_of(outcome: Outcome, steps: Iterable[Step]) -> Verdict:
    """The verdict of a report whose detailed outcome is ``outcome``: a valid credential that
    breaks OB 3.0 rules is *valid with warnings*; revoked, suspended, expired and not yet valid
    are *invalid* (the credential must not be relied on now; the outcome says which)."""
    if outcome is Outcome.MALFORMED:
        return Verdict.UNREADABLE
    if outcome is Outcome.UNSUPPORTED:
        return Verdict.CANNOT_CHECK
    if outcome is Outcome.VALID:
        return Verdict.VALID_WITH_WARNINGS if conformance_rules(steps) else Verdict.VALID
    return Verdict.INVALID
