"""The checklist for an Open Badges 2.0 (or 1.x) assertion, reported as the legacy format.

OB 2.0 "Verification" (1EdTech) in the verifier's step names:

============  ===============================================================================
read          the assertion: JSON, a JWS, a baked PNG/SVG, or the hosted URL an image carries
structure     skipped: no JSON-LD expansion is signed over or checked for this format
schema        the Assertion's required properties (id, type, recipient, badge, verification,
              issuedOn)
subject       the recipient IdentityObject (type, identity, sha256$/md5$ hash)
proof         hosted: the assertion, its BadgeClass and issuer Profile fetched where the issuer
              publishes them, the hosted copy being the assertion; signed: the JWS verified with
              a key the issuer lists (fetched from ``verification.creator``)
issuer        hosted: the assertion's URL within the issuer's verification policy; signed: the
              key listed by the issuer Profile and naming it as ``owner``
status        hosted: ``revoked`` in the hosted copy or 410 Gone; signed: the issuer's
              RevocationList
validity      issuedOn <= now <= expires
recipient     optional: an e-mail address against the IdentityObject
endorsements  not checked for OB 2.0
============  ===============================================================================

Nothing can be confirmed without the network: offline, a hosted badge is *cannot check*
(the proof step is unsupported), never valid and never invalid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..errors import (
    CredentialError,
    Expired,
    FetchRefused,
    InvalidProof,
    KeyResolutionError,
    MalformedCredential,
    NotYetValid,
    Revoked,
    SchemaInvalid,
    UnsupportedSuite,
)
from ..fetch import Fetcher
from ..ob2.documents import (
    Verification,
    check_recipient_email,
    check_recipient_shape,
    hosted_url,
    image_url,
    is_revoked,
    missing_properties,
    node_id,
    parse_date,
    recipient_description,
    revocation_entry,
    signing_key_id,
    spec_version,
    text,
    verification_kind,
)
from ..ob2.linked import (
    EMBEDDED,
    Linked,
    check_hosted_scope,
    check_key_belongs_to_issuer,
    fetch_hosted_assertion,
    fetch_key,
    fetch_revocation_list,
    issuer_key_ids,
    resolve_linked,
)
from ..ob2.signed import verify_signature
from .checks import sentence
from .reading import Presented
from .report import (
    ENDORSEMENTS,
    ISSUER,
    PROOF,
    READ,
    RECIPIENT,
    SCHEMA,
    STATUS,
    STRUCTURE,
    SUBJECT,
    VALIDITY,
    Step,
    StepStatus,
    VerificationReport,
    outcome_of,
)

FORMAT_HOSTED = "ob2-hosted"
FORMAT_SIGNED = "ob2-signed"
FORMAT_UNKNOWN = "ob2"
MAX_ISSUER_KEYS = 5
_ORDER = (READ, STRUCTURE, SCHEMA, SUBJECT, PROOF, ISSUER, STATUS, VALIDITY, RECIPIENT, ENDORSEMENTS)
_NOT_CHECKED_NOTE = " This does not mean it is forged: it could not be checked here."
_UNCONFIRMED_NOTE = " (As presented: the issuer has not confirmed this copy.)"
_SOURCE_NAMES = {"badge": "BadgeClass", "issuer": "issuer profile"}


def verify_ob2(
    presented: Presented, *, now: datetime, fetcher: Fetcher, recipient_email: str | None
) -> VerificationReport:
    return _Checklist(presented, now=now, fetcher=fetcher).run(recipient_email)


@dataclass
class _State:
    """What the checklist has established so far; steps are filled in as it goes."""

    assertion: dict[str, Any]
    kind: Verification | None = None
    linked: Linked | None = None
    key: dict[str, Any] | None = None
    # Whether the assertion read is the issuer's: the hosted copy was fetched, or the JWS verified.
    confirmed: bool = False
    steps: dict[str, Step] = field(default_factory=dict)


class _Checklist:
    def __init__(self, presented: Presented, *, now: datetime, fetcher: Fetcher) -> None:
        self.presented = presented
        self.now = now
        self.fetcher = fetcher

    def run(self, recipient_email: str | None) -> VerificationReport:
        presented = self.presented
        state = _State(assertion=dict(presented.credential))
        state.steps[READ] = Step(
            READ,
            StepStatus.PASSED,
            presented.description + " Open Badges 2.0 predates Verifiable Credentials: it is checked by the 2.0 rules.",
        )
        state.steps[STRUCTURE] = Step(
            STRUCTURE,
            StepStatus.SKIPPED,
            "Not checked: Open Badges 2.0 signs or hosts the JSON itself, so its JSON-LD terms are not expanded.",
        )
        try:
            state.kind = "hosted" if presented.payload == "url" else verification_kind(state.assertion)
        except CredentialError as exc:
            state.steps[SCHEMA] = _failed(SCHEMA, exc)
            return self._report(state, recipient_email)
        if state.kind == "hosted":
            self._hosted(state)
        else:
            self._signed(state)
        return self._report(state, recipient_email)

    # --- hosted ------------------------------------------------------------------------

    def _hosted(self, state: _State) -> None:
        presented = self.presented
        try:
            url = presented.reference or hosted_url(state.assertion)
        except CredentialError as exc:
            state.steps[SCHEMA] = _failed(SCHEMA, exc)
            return
        try:
            copy = fetch_hosted_assertion(self.fetcher, url)
        except FetchRefused as exc:
            state.steps[PROOF] = _cannot_check(
                PROOF,
                f"Hosted verification: the issuer's copy of the assertion at {url} could not be fetched "
                f"({exc.message}); only that copy can vouch for it.",
                exc,
            )
            return
        except CredentialError as exc:
            state.steps[PROOF] = _failed(PROOF, exc, prefix="Hosted verification: ")
            return
        if copy.gone:
            state.steps[PROOF] = Step(
                PROOF, StepStatus.PASSED, f"Hosted verification: the issuer's server answers 410 Gone at {url}."
            )
            state.steps[STATUS] = _failed(
                STATUS, Revoked(f"the issuer has withdrawn the assertion at {url} (410 Gone)")
            )
            _skip_rest(state, "the assertion is revoked")
            return
        assert copy.document is not None
        differences = _differences(state.assertion, copy.document) if state.assertion else []
        if is_revoked(copy.document):
            # Issuers strip a revoked copy down to id and revoked: what was presented is shown instead.
            state.assertion = state.assertion or copy.document
            reason = text(copy.document.get("revocationReason"))
            state.steps[PROOF] = Step(PROOF, StepStatus.PASSED, f"Hosted verification: fetched the assertion at {url}.")
            state.steps[STATUS] = _failed(
                STATUS, Revoked(f"the issuer's copy at {url} is marked revoked" + (f": {reason}" if reason else ""))
            )
            _skip_rest(state, "the assertion is revoked")
            return
        state.assertion = copy.document
        try:
            state.linked = resolve_linked(self.fetcher, copy.document, kind="hosted")
        except FetchRefused as exc:
            state.steps[PROOF] = _cannot_check(
                PROOF,
                f"Hosted verification: the assertion was fetched from {url}, but {exc.message}; without the "
                "issuer's own documents its origin cannot be held to the issuer's rules.",
                exc,
            )
            return
        except CredentialError as exc:
            state.steps[PROOF] = _failed(PROOF, exc, prefix="Hosted verification: ")
            return
        where = "; ".join(f"{_SOURCE_NAMES.get(name, name)} {source}" for name, source in state.linked.sources.items())
        reason = f"Hosted verification: the issuer's copy of the assertion was fetched from {url} ({where})."
        data: dict[str, Any] = {"hosted_url": url, "sources": dict(state.linked.sources)}
        if differences:
            reason += (
                f" The presented copy differs from it in {', '.join(differences)}; "
                "the issuer's copy is the one checked and shown."
            )
            data["differs_from_presented"] = differences
        state.steps[PROOF] = Step(PROOF, StepStatus.PASSED, reason, data=data)
        state.confirmed = True
        try:
            scope, enforced = check_hosted_scope(url, state.linked.issuer)
        except CredentialError as exc:
            state.steps[ISSUER] = _failed(ISSUER, exc)
        else:
            state.steps[ISSUER] = Step(ISSUER, StepStatus.PASSED if enforced else StepStatus.WARNING, scope)
        state.steps[STATUS] = Step(STATUS, StepStatus.PASSED, "The issuer's hosted copy is not marked revoked.")

    # --- signed ------------------------------------------------------------------------

    def _signed(self, state: _State) -> None:
        token = self.presented.token
        if token is None:
            state.steps[PROOF] = _failed(
                PROOF,
                InvalidProof(
                    "the assertion declares signed verification but was presented without its JWS, "
                    "so there is no signature to check"
                ),
            )
            return
        try:
            state.linked = resolve_linked(self.fetcher, state.assertion, kind="signed")
        except FetchRefused as exc:
            state.steps[PROOF] = _cannot_check(PROOF, f"The issuer's keys cannot be looked up: {exc.message}.", exc)
            return
        except CredentialError as exc:
            state.steps[PROOF] = _failed(PROOF, exc)
            return
        issuer = state.linked.issuer
        creator = signing_key_id(state.assertion)
        # Without a creator every key the issuer lists is tried: bounded, since each is a fetch.
        candidates = [creator] if creator else issuer_key_ids(issuer)[:MAX_ISSUER_KEYS]
        if not candidates:
            state.steps[PROOF] = _failed(
                PROOF,
                KeyResolutionError("the assertion names no signing key and its issuer profile lists no publicKey"),
            )
            return
        refused: list[FetchRefused] = []
        failures: list[CredentialError] = []
        for key_id in candidates:
            try:
                key = fetch_key(self.fetcher, key_id, issuer)
                pem = key.get("publicKeyPem")
                if not isinstance(pem, str):
                    raise KeyResolutionError(f"the key document {key_id} has no publicKeyPem")
                alg, signed = verify_signature(token, pem)
            except FetchRefused as exc:
                refused.append(exc)
                continue
            except CredentialError as exc:
                failures.append(exc)
                continue
            state.key = key
            state.assertion = signed
            state.confirmed = True
            state.steps[PROOF] = Step(
                PROOF,
                StepStatus.PASSED,
                f"The JWS signature ({alg}) verifies with the key {key_id}.",
                data={"alg": alg, "key": key_id},
            )
            break
        else:
            if failures and (creator or not refused):
                failure = failures[0]
                if not creator and len(candidates) > 1 and isinstance(failure, InvalidProof):
                    count = len(candidates)
                    failure = InvalidProof(f"the JWS signature verifies with none of the issuer's {count} keys")
                state.steps[PROOF] = _failed(PROOF, failure)
            else:
                state.steps[PROOF] = _cannot_check(
                    PROOF, f"The signing key could not be fetched ({refused[0].message}).", refused[0]
                )
            return
        try:
            owned = check_key_belongs_to_issuer(state.key, issuer)
        except CredentialError as exc:
            state.steps[ISSUER] = _failed(ISSUER, exc)
        else:
            if state.linked.sources.get("issuer") == EMBEDDED:
                # No web address to confirm the profile from: it says who it is, and only that.
                owned += " The issuer profile is only the one embedded in the assertion (it has no web address)."
                state.steps[ISSUER] = Step(ISSUER, StepStatus.WARNING, owned)
            else:
                state.steps[ISSUER] = Step(ISSUER, StepStatus.PASSED, owned)
        state.steps[STATUS] = self._revocation_list(state.assertion, issuer)

    def _revocation_list(self, assertion: Mapping[str, Any], issuer: Mapping[str, Any]) -> Step:
        url = node_id(issuer.get("revocationList"))
        if url is None:
            return Step(
                STATUS,
                StepStatus.PASSED,
                "The issuer publishes no revocation list, so it has revoked none of its signed assertions.",
            )
        try:
            revocation_list = fetch_revocation_list(self.fetcher, url)
        except FetchRefused as exc:
            return _cannot_check(STATUS, f"The issuer's revocation list could not be fetched ({exc.message}).", exc)
        except CredentialError as exc:
            return _failed(STATUS, exc)
        entry = revocation_entry(revocation_list, assertion)
        if entry is None:
            return Step(STATUS, StepStatus.PASSED, f"Not revoked: absent from the issuer's revocation list {url}.")
        reason = text(entry.get("revocationReason"))
        return _failed(
            STATUS, Revoked(f"revoked in the issuer's revocation list {url}" + (f": {reason}" if reason else ""))
        )

    # --- the document-level steps and the report ---------------------------------------

    def _report(self, state: _State, recipient_email: str | None) -> VerificationReport:
        assertion = state.assertion
        steps = state.steps
        if assertion and SCHEMA not in steps:
            steps[SCHEMA] = _schema_step(assertion, state.kind)
        if assertion and SUBJECT not in steps:
            try:
                steps[SUBJECT] = Step(
                    SUBJECT, StepStatus.PASSED, f"The recipient is identified by {check_recipient_shape(assertion)}."
                )
            except CredentialError as exc:
                steps[SUBJECT] = _failed(SUBJECT, exc)
        if ISSUER not in steps:
            steps[ISSUER] = Step(ISSUER, StepStatus.SKIPPED, "Not checked: the assertion's source was not established.")
        if STATUS not in steps:
            steps[STATUS] = Step(STATUS, StepStatus.SKIPPED, "Not checked: the assertion's source was not established.")
        if PROOF not in steps:
            steps[PROOF] = Step(PROOF, StepStatus.SKIPPED, "Not checked: the assertion could not be read.")
        if assertion and VALIDITY not in steps:
            steps[VALIDITY] = self._validity(assertion)
        if RECIPIENT not in steps:
            steps[RECIPIENT] = _recipient_step(assertion, recipient_email)
        if ENDORSEMENTS not in steps:
            endorsed = bool(assertion.get("endorsement"))
            steps[ENDORSEMENTS] = Step(
                ENDORSEMENTS,
                StepStatus.SKIPPED,
                "Open Badges 2.0 endorsements are not checked."
                if endorsed
                else "The assertion carries no endorsements.",
            )
        if not state.confirmed:
            for name in (SCHEMA, SUBJECT, VALIDITY):
                step = steps.get(name)
                if step is not None and step.status is StepStatus.PASSED:
                    steps[name] = replace(step, reason=step.reason + _UNCONFIRMED_NOTE)
        ordered = [steps.get(name) or Step(name, StepStatus.SKIPPED, "Not checked.") for name in _ORDER]
        return _build_report(ordered, self.presented, state)

    def _validity(self, assertion: Mapping[str, Any]) -> Step:
        try:
            issued = parse_date(assertion.get("issuedOn"), "issuedOn") if "issuedOn" in assertion else None
            expires = parse_date(assertion["expires"], "expires") if assertion.get("expires") else None
            if issued is not None and issued > self.now:
                raise NotYetValid(f"the assertion's issue date {assertion['issuedOn']} is in the future")
            if issued is not None and expires is not None and expires < issued:
                raise MalformedCredential("the assertion expires before it was issued")
            if expires is not None and self.now > expires:
                raise Expired(f"the assertion expired at {assertion['expires']}")
        except CredentialError as exc:
            return _failed(VALIDITY, exc)
        if issued is None and expires is None:
            return Step(VALIDITY, StepStatus.SKIPPED, "The assertion states no issue or expiry date.")
        since = f"Issued {assertion['issuedOn']}" if issued is not None else "Valid"
        until = f", valid until {assertion['expires']}." if expires is not None else ", with no expiry date."
        return Step(VALIDITY, StepStatus.PASSED, since + until)


def _schema_step(assertion: Mapping[str, Any], kind: Verification | None) -> Step:
    missing = missing_properties(assertion)
    if missing:
        return _failed(SCHEMA, SchemaInvalid(f"the assertion lacks required properties: {', '.join(missing)}"))
    version = spec_version(assertion)
    what = {"hosted": "hosted", "signed": "signed"}.get(kind or "", "an")
    return Step(
        SCHEMA,
        StepStatus.PASSED,
        f"An Open Badges {version} assertion ({what} verification) with every required property.",
    )


def _recipient_step(assertion: Mapping[str, Any], email: str | None) -> Step:
    if email is None or not email.strip():
        return Step(RECIPIENT, StepStatus.SKIPPED, "No recipient e-mail address was given to match.")
    if not assertion:
        return Step(RECIPIENT, StepStatus.SKIPPED, "Not checked: the assertion could not be read.")
    try:
        check_recipient_email(assertion, email)
    except CredentialError as exc:
        return _failed(RECIPIENT, exc)
    return Step(RECIPIENT, StepStatus.PASSED, f"Issued to {email.strip()}.")


def _differences(presented: Mapping[str, Any], hosted: Mapping[str, Any]) -> list[str]:
    names = sorted(set(presented) | set(hosted))
    return [name for name in names if presented.get(name) != hosted.get(name)]


def _skip_rest(state: _State, why: str) -> None:
    for name in (SCHEMA, SUBJECT, ISSUER, VALIDITY):
        state.steps.setdefault(name, Step(name, StepStatus.SKIPPED, f"Not checked: {why}."))


def _failed(name: str, exc: CredentialError, *, prefix: str = "") -> Step:
    if isinstance(exc, UnsupportedSuite):
        return Step(name, StepStatus.UNSUPPORTED, prefix + sentence(exc.message) + _NOT_CHECKED_NOTE, code=exc.code)
    return Step(name, StepStatus.FAILED, prefix + sentence(exc.message), code=exc.code)


def _cannot_check(name: str, reason: str, exc: CredentialError) -> Step:
    return Step(name, StepStatus.UNSUPPORTED, sentence(reason) + _NOT_CHECKED_NOTE, code=exc.code)


def _format(state: _State) -> str:
    if state.kind == "hosted":
        return FORMAT_HOSTED
    if state.kind == "signed":
        return FORMAT_SIGNED
    return FORMAT_UNKNOWN


def _build_report(steps: list[Step], presented: Presented, state: _State) -> VerificationReport:
    assertion = state.assertion
    linked = state.linked
    badge: Mapping[str, Any] = linked.badge if linked else _embedded(assertion.get("badge"))
    issuer: Mapping[str, Any] = linked.issuer if linked else _embedded(badge.get("issuer"))
    issuer_id = node_id(issuer.get("id")) or node_id(badge.get("issuer"))
    return VerificationReport(
        steps=tuple(steps),
        outcome=outcome_of(steps),
        format=_format(state),
        vc_version=None,
        credential=assertion or None,
        credential_id=node_id(assertion.get("id")) or presented.reference,
        credential_name=text(badge.get("name")),
        issuer_id=issuer_id,
        issuer_name=text(issuer.get("name")),
        achievement_name=text(badge.get("name")),
        achievement_description=text(badge.get("description")),
        achievement_image=image_url(badge.get("image")),
        subject=recipient_description(assertion),
        valid_from=_date_text(assertion.get("issuedOn")),
        valid_until=_date_text(assertion.get("expires")),
        awarded_date=_date_text(assertion.get("issuedOn")),
    )


def _embedded(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _date_text(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value)
