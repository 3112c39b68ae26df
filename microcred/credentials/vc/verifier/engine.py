"""The checklist engine: runs every step in OB 3.0 order and never raises for a bad credential."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from ..dataintegrity import ProofOutcome, ProofStatus, ResolveKey, cannot_be_checked, verify_each
from ..errors import CredentialError, InvalidProof
from ..jwt import unverified_parts, verify_vc_jwt
from ..loader import FetchContext
from ..suites import Canonicalizer
from .checks import (
    as_list,
    binding_step,
    issuer_id_of,
    kind_of,
    recipient_step,
    schema_step,
    sentence,
    structure_step,
    subject_step,
    subjects_of,
    validity_fields,
    validity_step,
)
from .jwtstructure import jwt_structure_step
from .keys import CallableFetcher, FetchDocument, JwtKeyResolver
from .memo import canonicalize_memoised
from .ob2 import verify_ob2
from .reading import OB2, Presented, read_presented
from .report import (
    ENDORSEMENTS,
    ENDORSES_CREDENTIAL,
    ENDORSES_ISSUER,
    ISSUER,
    PROOF,
    READ,
    RECIPIENT,
    SCHEMA,
    STATUS,
    STRUCTURE,
    SUBJECT,
    VALIDITY,
    Outcome,
    Step,
    StepStatus,
    Verdict,
    VerificationReport,
    outcome_of,
)
from .status import StatusChecker

# An endorsement may itself carry endorsements; two levels is what OB documents show,
# and the bound keeps a hostile document from fanning out into many fetches.
MAX_ENDORSEMENT_DEPTH = 2
MAX_ENDORSEMENTS = 10
# credential id -> status entries the verifying issuer holds for it (see verify_presented).
KnownStatusEntries = Callable[[str], Sequence[Mapping[str, Any]]]
_ORDER = (READ, STRUCTURE, SCHEMA, SUBJECT, PROOF, ISSUER, STATUS, VALIDITY, RECIPIENT, ENDORSEMENTS)


class _ProofResult:
    def __init__(
        self,
        step: Step,
        controllers: list[str | None],
        source: str,
        credential: dict[str, Any],
        *,
        unchecked: int = 0,
    ):
        self.step = step
        self.controllers = controllers
        self.source = source
        self.credential = credential
        # Proofs of a proof set that could not be checked here (unsupported suite, key...).
        self.unchecked = unchecked


class Verifier:
    def __init__(
        self,
        *,
        now: datetime,
        resolve_key: ResolveKey,
        fetch_document: FetchDocument,
        known_status_entries: KnownStatusEntries | None = None,
        fetch_context: FetchContext | None = None,
    ) -> None:
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        self.now = now
        self.resolve_key = resolve_key
        self.fetcher = CallableFetcher(fetch_document)
        self.known_status_entries = known_status_entries
        # A context we do not bundle is asked of this only when the caller allows fetching
        # (loader.fetching_document_loader); without it such a credential is *cannot check*.
        self.fetch_context = fetch_context
        self.canonicalize: Canonicalizer = (
            canonicalize_memoised
            if fetch_context is None
            else partial(canonicalize_memoised, fetch_context=fetch_context)
        )

    def run(
        self,
        data: bytes | str | Mapping[str, Any],
        *,
        recipient_email: str | None = None,
        depth: int = 0,
    ) -> VerificationReport:
        try:
            presented = read_presented(data)
        except CredentialError as exc:
            return unreadable_report(exc)
        if presented.legacy == OB2:
            # Open Badges 2.0 has its own checklist (hosted or signed), reported as the legacy format.
            return verify_ob2(presented, now=self.now, fetcher=self.fetcher, recipient_email=recipient_email)
        steps = [Step(READ, StepStatus.PASSED, presented.description)]

        # A JWS covers the payload's bytes, not its RDF: no JSON-LD term check (jwtstructure.py).
        check_structure = jwt_structure_step if presented.payload == "jwt" else self._structure_step
        structure, version = check_structure(presented.credential)
        if structure.status is StepStatus.UNSUPPORTED or structure.code == "malformed":
            steps += [structure, *_skipped_after(STRUCTURE, "this is not a credential we can verify")]
            return _report(steps, presented, presented.credential, version)

        # A VC-JWT is verified first so that the later steps read the credential the
        # signature covers; its step still goes in its place in the checklist.
        proof = self._proof(presented)
        credential = proof.credential
        if presented.payload == "jwt" and proof.step.status is StepStatus.PASSED:
            structure, version = check_structure(credential)
        issuer_id = issuer_id_of(credential)
        steps += [structure, schema_step(credential, version), subject_step(credential), proof.step]
        if proof.step.status is StepStatus.PASSED:
            steps.append(binding_step(issuer_id, proof.controllers, proof.source, unchecked=proof.unchecked))
        else:
            steps.append(Step(ISSUER, StepStatus.SKIPPED, "Not checked: the signature was not verified."))
        credential_id = credential.get("id") if isinstance(credential.get("id"), str) else None
        known = self.known_status_entries(credential_id) if credential_id and self.known_status_entries else []
        checker = StatusChecker(
            now=self.now,
            resolve_key=self.resolve_key,
            fetcher=self.fetcher,
            issuer_id=issuer_id,
            credential_id=credential_id,
            known_entries=known,
        )
        steps.append(checker.step(credential))
        steps.append(validity_step(credential, version, self.now))
        steps.append(recipient_step(credential, recipient_email))
        endorsement_step, endorsements = self._endorsements(credential, depth)
        steps.append(endorsement_step)
        return _report(steps, presented, credential, version, endorsements)

    def _structure_step(self, credential: Mapping[str, Any]) -> tuple[Step, str | None]:
        return structure_step(credential, fetch_context=self.fetch_context)

    # --- proof ------------------------------------------------------------------------

    def _proof(self, presented: Presented) -> _ProofResult:
        if presented.token is not None:
            return self._jwt_proof(presented.token, presented.credential)
        credential = presented.credential
        if "proof" not in credential:
            return _proof_failure(InvalidProof("the credential carries no proof"), credential)
        try:
            outcomes = verify_each(
                credential, resolve_key=self.resolve_key, now=self.now, canonicalizer=self.canonicalize
            )
        except CredentialError as exc:
            return _proof_failure(exc, credential)
        return _proof_set_result(outcomes, credential)

    def _jwt_proof(self, token: str, unverified: dict[str, Any]) -> _ProofResult:
        resolver = JwtKeyResolver(
            resolve_key=self.resolve_key, fetcher=self.fetcher, issuer_id=issuer_id_of(unverified)
        )
        try:
            alg = unverified_parts(token)[0].get("alg")
            credential = verify_vc_jwt(token, resolve_key=resolver)
        except CredentialError as exc:
            return _proof_failure(exc, unverified)
        step = Step(
            PROOF,
            StepStatus.PASSED,
            f"The VC-JWT signature ({alg}) verifies and its claims agree with the credential.",
            data={"alg": alg, "key": resolver.source},
        )
        return _ProofResult(step, [resolver.controller], resolver.source, credential)

    # --- endorsements -----------------------------------------------------------------

    def _endorsements(self, credential: Mapping[str, Any], depth: int) -> tuple[Step, list[VerificationReport]]:
        """Endorsements of the credential itself and of its issuer (``issuer.endorsement``, where
        accreditors vouch for the issuing organisation). A bad one only warns: it says nothing
        about whether the issuer signed this credential."""
        issuer = credential.get("issuer")
        of_issuer = _endorsement_items(issuer) if isinstance(issuer, Mapping) else []
        items = [(item, ENDORSES_CREDENTIAL) for item in _endorsement_items(credential)]
        items += [(item, ENDORSES_ISSUER) for item in of_issuer]
        if not items:
            return Step(ENDORSEMENTS, StepStatus.SKIPPED, "The credential carries no endorsements."), []
        if depth >= MAX_ENDORSEMENT_DEPTH:
            reason = f"Endorsements nested more than {MAX_ENDORSEMENT_DEPTH} levels deep were not checked."
            return Step(ENDORSEMENTS, StepStatus.WARNING, reason), []
        notes: list[str] = []
        if len(items) > MAX_ENDORSEMENTS:
            notes.append(f"Only the first {MAX_ENDORSEMENTS} of {len(items)} endorsements were checked.")
            items = items[:MAX_ENDORSEMENTS]
        checked = [(item, target) for item, target in items if isinstance(item, (Mapping, str))]
        if len(checked) < len(items):
            notes.append("Some endorsement entries are neither objects nor JWTs.")
        reports = [replace(self.run(item, depth=depth + 1), endorses=target) for item, target in checked]
        credential_targets = _endorsable_ids(credential)
        issuer_id = issuer_id_of(credential)
        good = 0
        accredited: list[str] = []
        summaries: list[dict[str, Any]] = []
        for report in reports:
            who = report.issuer_name or report.issuer_id or "an unknown endorser"
            endorsed = _endorsed_id(report.credential)
            on_issuer = report.endorses == ENDORSES_ISSUER
            problem = _endorsement_problem(report, who, on_issuer=on_issuer)
            if problem is None and endorsed not in ({issuer_id} if on_issuer else credential_targets):
                what = "the issuer" if on_issuer else "this credential"
                problem = f"The endorsement by {who} endorses {endorsed}, not {what}."
            summaries.append(
                {
                    "endorses": report.endorses,
                    "endorser": who,
                    "endorser_id": report.issuer_id,
                    "outcome": report.outcome.value,
                    "verdict": report.verdict.value,
                    "accepted": problem is None,
                    "comment": report.endorsement_comment,
                }
            )
            if problem is not None:
                notes.append(problem)
                continue
            good += 1
            if on_issuer:
                accredited.append(f"Accredited by {who}: endorsement signature valid.")
        summary = f"{good} of {len(reports)} endorsement(s) verified."
        status = StepStatus.PASSED if not notes and good else StepStatus.WARNING
        step = Step(ENDORSEMENTS, status, " ".join([summary, *accredited, *notes]), data={"endorsements": summaries})
        return step, reports


def _endorsement_items(document: Mapping[str, Any]) -> list[Any]:
    return [*as_list(document.get("endorsement")), *as_list(document.get("endorsementJwt"))]


def _endorsement_problem(report: VerificationReport, who: str, *, on_issuer: bool) -> str | None:
    """Why an endorsement does not count, in the words the verification page shows; None if it does.
    An endorsement of the issuer is read as its accreditation. One that is valid with conformance
    warnings counts (its signature and status hold); one we cannot check does not, said as such."""
    if report.valid:
        if report.credential is None or kind_of(report.credential) != "endorsement":
            return f"The endorsement by {who} is not an EndorsementCredential."
        return None
    if report.verdict is Verdict.CANNOT_CHECK:
        what = "accreditation" if on_issuer else "endorsement"
        return f"The {what} by {who} could not be checked here, which does not mean it is wrong."
    if not on_issuer:
        return f"The endorsement by {who} is not valid ({report.headline.lower()})."
    state = {
        Outcome.REVOKED: "endorsement revoked",
        Outcome.SUSPENDED: "endorsement suspended",
        Outcome.EXPIRED: "endorsement expired",
        Outcome.NOT_YET_VALID: "endorsement not yet valid",
    }.get(report.outcome, f"endorsement not valid ({report.headline.lower()})")
    return f"Accredited by {who}: {state}."


def unreadable_report(exc: CredentialError) -> VerificationReport:
    step = Step(READ, StepStatus.FAILED, sentence(exc.message), code=exc.code)
    return _report([step, *_skipped_after(READ, "nothing could be read")], None, None, None)


def _proof_set_result(outcomes: tuple[ProofOutcome, ...], credential: dict[str, Any]) -> _ProofResult:
    """The proof step of a Data Integrity proof set (ADR 0040): judged on the proofs we can
    check. Any checkable proof that fails fails the step; else at least one must verify; a
    proof in a suite (or with a key or context) we cannot use is listed as unchecked."""
    verified = [o for o in outcomes if o.status is ProofStatus.VERIFIED and o.verified is not None]
    failed = [o for o in outcomes if o.status is ProofStatus.FAILED]
    unchecked = [o for o in outcomes if o.status is ProofStatus.UNCHECKED]
    data: dict[str, Any] = {
        "proofs": [_proof_summary(o) for o in outcomes],
        "verification_methods": [o.verified.verification_method for o in verified if o.verified],
        "cryptosuites": sorted({o.verified.cryptosuite for o in verified if o.verified}),
    }
    not_checked = ""
    if unchecked:
        what = "; ".join(f"{_proof_name(o)}: {_why(o)}" for o in unchecked)
        not_checked = f" Not checked here ({what}), which does not mean it is wrong."
    if failed:
        first = failed[0].error
        what = "; ".join(f"{_proof_name(o)}: {_why(o)}" for o in failed)
        # One proof reads as before (the error's own sentence); a set names each failing proof.
        lead = sentence(f"{len(failed)} of {len(outcomes)} proofs fail: {what}" if len(outcomes) > 1 else _why(first))
        code = first.code if first is not None else InvalidProof.code
        step = Step(PROOF, StepStatus.FAILED, lead + not_checked, code=code, data=data)
        return _ProofResult(step, [], "", credential)
    if not verified:
        first = unchecked[0].error
        if len(outcomes) == 1:
            reason = (
                sentence(_why(first)) + " The signature could not be checked here, which does not mean it is wrong."
            )
        else:
            reason = f"None of the {len(outcomes)} proofs could be checked.{not_checked}"
        step = Step(PROOF, StepStatus.UNSUPPORTED, reason, code=first.code if first else "unsupported", data=data)
        return _ProofResult(step, [], "", credential, unchecked=len(unchecked))
    suites = ", ".join(data["cryptosuites"])
    if len(outcomes) == 1:
        lead = "The proof verifies"
    elif len(verified) == len(outcomes):
        lead = f"{len(verified)} proofs verify"
    else:
        lead = f"{len(verified)} of {len(outcomes)} proofs verify"
    methods = data["verification_methods"]
    source = f"the verification method {methods[0]}" if len(methods) == 1 else f"{len(methods)} verification methods"
    step = Step(PROOF, StepStatus.PASSED, f"{lead} (Data Integrity, {suites}).{not_checked}", data=data)
    controllers: list[str | None] = [o.verified.controller for o in verified if o.verified]
    return _ProofResult(step, controllers, source, credential, unchecked=len(unchecked))


def _proof_name(outcome: ProofOutcome) -> str:
    named = outcome.proof_id or f"proof {outcome.index + 1}"
    return f"{named} ({outcome.suite})"


def _why(outcome: ProofOutcome | CredentialError | None) -> str:
    error = outcome.error if isinstance(outcome, ProofOutcome) else outcome
    return error.message if error is not None else "verified"


def _proof_summary(outcome: ProofOutcome) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "index": outcome.index,
        "id": outcome.proof_id,
        "type": outcome.proof_type,
        "cryptosuite": outcome.cryptosuite,
        "verification_method": outcome.verification_method,
        "outcome": outcome.status.value,
        "reason": sentence(_why(outcome)) if outcome.error is not None else "The signature verifies.",
    }
    if outcome.error is not None:
        summary["code"] = outcome.error.code
    if outcome.verified is not None:
        summary["controller"] = outcome.verified.controller
    return summary


def _proof_failure(exc: CredentialError, credential: dict[str, Any]) -> _ProofResult:
    status = StepStatus.UNSUPPORTED if cannot_be_checked(exc) else StepStatus.FAILED
    reason = sentence(exc.message)
    if status is StepStatus.UNSUPPORTED:
        reason += " The signature could not be checked here, which does not mean it is wrong."
    return _ProofResult(Step(PROOF, status, reason, code=exc.code), [], "", credential)


def _skipped_after(name: str, why: str) -> list[Step]:
    later = _ORDER[_ORDER.index(name) + 1 :]
    return [Step(step, StepStatus.SKIPPED, f"Not checked: {why}.") for step in later]


def _endorsable_ids(credential: Mapping[str, Any]) -> set[str]:
    ids = {credential.get("id"), issuer_id_of(credential)}
    for subject in subjects_of(credential):
        achievement = subject.get("achievement")
        if isinstance(achievement, Mapping):
            ids.add(achievement.get("id"))
    return {item for item in ids if isinstance(item, str)}


def _endorsed_id(credential: Mapping[str, Any] | None) -> str | None:
    if credential is None:
        return None
    subjects = subjects_of(credential)
    subject_id = subjects[0].get("id") if subjects else None
    return subject_id if isinstance(subject_id, str) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _image(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _report(
    steps: list[Step],
    presented: Presented | None,
    credential: Mapping[str, Any] | None,
    version: str | None,
    endorsements: list[VerificationReport] | None = None,
) -> VerificationReport:
    summary: dict[str, Any] = {}
    if credential is not None:
        issuer = credential.get("issuer")
        subjects = subjects_of(credential)
        subject = subjects[0] if subjects else {}
        achievement = subject.get("achievement")
        achievement = achievement if isinstance(achievement, Mapping) else {}
        start_field, end_field = validity_fields(version)
        summary = {
            "credential_id": _text(credential.get("id")),
            "credential_name": _text(credential.get("name")),
            "issuer_id": issuer_id_of(credential),
            "issuer_name": _text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
            "achievement_name": _text(achievement.get("name")),
            "achievement_description": _text(achievement.get("description")),
            "achievement_image": _image(achievement.get("image")),
            "subject": _subject_summary(subject),
            "valid_from": _text(credential.get(start_field)),
            "valid_until": _text(credential.get(end_field)),
            "awarded_date": _text(credential.get("awardedDate")),
        }
    return VerificationReport(
        steps=tuple(steps),
        outcome=outcome_of(steps),
        format=None if presented is None else presented.container,
        vc_version=version,
        credential=credential,
        endorsements=tuple(endorsements or ()),
        **summary,
    )


def _subject_summary(subject: Mapping[str, Any]) -> str | None:
    subject_id = _text(subject.get("id"))
    if subject_id:
        return subject_id
    for identifier in as_list(subject.get("identifier")):
        if isinstance(identifier, Mapping) and isinstance(identifier.get("identityType"), str):
            hashed = " (hashed)" if identifier.get("hashed") is not False else ""
            value = "" if hashed else f": {identifier.get('identityHash')}"
            return f"{identifier['identityType']}{hashed}{value}"
    return None
