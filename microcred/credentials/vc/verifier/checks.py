"""The document-level steps: contexts and terms, schema, subject, binding, dates, recipient."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..errors import (
    CredentialError,
    Expired,
    MalformedCredential,
    NotYetValid,
    RecipientMismatch,
    SchemaInvalid,
    UnknownContext,
    UntrustedIssuer,
)
from ..jsonld import expand_strict
from ..loader import VC_V1_CONTEXT, VC_V2_CONTEXT, FetchContext, is_bundled
from ..schema import validate_declared_schemas, validate_endorsement, validate_ob3_credential, validate_vc2
from .memo import MEMO, content_key
from .report import CONFORMANCE, ISSUER, RECIPIENT, SCHEMA, STRUCTURE, SUBJECT, VALIDITY, Step, StepStatus

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
ACHIEVEMENT_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
ENDORSEMENT_TYPE = "EndorsementCredential"
_DATE_TIME = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def types_of(document: Mapping[str, Any]) -> list[str]:
    return [item for item in as_list(document.get("type")) if isinstance(item, str)]


def kind_of(document: Mapping[str, Any]) -> str:
    types = set(types_of(document))
    if types & ACHIEVEMENT_TYPES:
        return "achievement"
    if ENDORSEMENT_TYPE in types:
        return "endorsement"
    return "other"


def issuer_id_of(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def subjects_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [item for item in as_list(document.get("credentialSubject")) if isinstance(item, Mapping)]


def _failed(name: str, exc: CredentialError) -> Step:
    return Step(name, StepStatus.FAILED, sentence(exc.message), code=exc.code)


def sentence(message: str) -> str:
    message = message.strip()
    if message and message[0].islower():
        message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


# --- structure ---------------------------------------------------------------------------


def structure_step(
    credential: Mapping[str, Any], *, fetch_context: FetchContext | None = None
) -> tuple[Step, str | None]:
    """Contexts known and every term defined (else it would go unsigned); returns the VC version.

    The terms checked are the document's, without its proofs: a proof is not part of the signed
    graph, and each proof we verify has its own terms checked when its suite canonicalizes it.
    So a proof in a suite whose terms no bundled context defines (a BbsBlsSignature2020 beside
    an eddsa proof) is left for the proof step to report as unchecked (ADR 0040). A context we
    do not hold means we cannot read the document as signed: *cannot check*, not invalid."""
    contexts = as_list(credential.get("@context"))
    first = contexts[0] if contexts else None
    if first == OB2_CONTEXT:
        return Step(
            STRUCTURE,
            StepStatus.UNSUPPORTED,
            "This is an Open Badges 2.0 assertion; only Open Badges 3.0 credentials are verified here.",
            code="unsupported",
        ), None
    if first not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        return _failed(
            STRUCTURE,
            MalformedCredential(f"not a verifiable credential: the first @context must be {VC_V2_CONTEXT}"),
        ), None
    version = "2.0" if first == VC_V2_CONTEXT else "1.1"
    if "VerifiableCredential" not in types_of(credential):
        return _failed(STRUCTURE, MalformedCredential("type does not include VerifiableCredential")), version
    if not subjects_of(credential):
        return _failed(STRUCTURE, MalformedCredential("the credential has no credentialSubject object")), version
    if issuer_id_of(credential) is None:
        return _failed(STRUCTURE, MalformedCredential("the credential names no issuer id")), version
    try:
        # Pure in the document (offline contexts): a success is remembered (see memo.py).
        document = {key: value for key, value in credential.items() if key != "proof"}
        # A context fetched (opt-in, ``fetch_context``) may make it expand: remembered apart.
        purpose = "expands" if fetch_context is None else "expands fetching"
        MEMO.get_or_compute(content_key(purpose, document), lambda: _expands_strictly(document, fetch_context))
    except UnknownContext as exc:
        reason = (
            sentence(exc.message)
            + " The document cannot be read as it was signed here, which does not mean it is wrong."
        )
        url = exc.data.get("url")
        return Step(STRUCTURE, StepStatus.UNSUPPORTED, reason, code=exc.code, data={"url": url} if url else {}), version
    except CredentialError as exc:
        return _failed(STRUCTURE, exc), version
    fetched = [item for item in contexts if isinstance(item, str) and not is_bundled(item)]
    if fetched:
        return Step(
            STRUCTURE,
            StepStatus.PASSED,
            f"A VC {version} document; every term is defined. Context(s) fetched from the network, "
            f"as this installation allows: {', '.join(fetched)}.",
            data={"fetched_contexts": fetched},
        ), version
    return Step(
        STRUCTURE,
        StepStatus.PASSED,
        f"A VC {version} document; all {len(contexts)} contexts are known and every term is defined.",
    ), version


def _expands_strictly(credential: Mapping[str, Any], fetch_context: FetchContext | None = None) -> bool:
    # Raises naming any undefined term or unknown (or unfetchable) context.
    expand_strict(dict(credential), fetch_context=fetch_context)
    return True


# --- schema ------------------------------------------------------------------------------


def _as_vc2(credential: Mapping[str, Any]) -> dict[str, Any]:
    """A VC 1.1 Open Badge in VC 2.0 clothes, so the OB 3.0 schema can judge the rest of it."""
    mapped = dict(credential)
    contexts = as_list(mapped.get("@context"))
    mapped["@context"] = [VC_V2_CONTEXT, *contexts[1:]]
    for old, new in (("issuanceDate", "validFrom"), ("expirationDate", "validUntil")):
        if old in mapped:
            mapped[new] = mapped.pop(old)
    return mapped


def schema_step(credential: Mapping[str, Any], version: str | None) -> Step:
    """The schema verdict, a pure function of the document and its VC version: remembered when
    it passes or only warns (see memo.py); a failure is worked out and reported afresh each time.

    A broken OB 3.0 schema rule is a conformance warning naming each rule, not a failure: the
    structure step has already made sure this is a credential with an issuer and a subject, and
    whether it is genuine is the proof's and the issuer's steps to say (ADR 0040)."""
    key = content_key(f"schema {version}", credential)
    try:
        return MEMO.get_or_compute(key, lambda: _passed_schema_step(credential, version))
    except _SchemaFailed as failed:
        return failed.step


class _SchemaFailed(Exception):
    def __init__(self, step: Step) -> None:
        super().__init__(step.reason)
        self.step = step


def _passed_schema_step(credential: Mapping[str, Any], version: str | None) -> Step:
    step = _schema_step(credential, version)
    if step.status is StepStatus.FAILED:
        raise _SchemaFailed(step)
    return step


def _schema_step(credential: Mapping[str, Any], version: str | None) -> Step:
    kind = kind_of(credential)
    try:
        if kind == "other":
            if version == "2.0":
                validate_vc2(credential)
                return Step(SCHEMA, StepStatus.WARNING, "Not an Open Badge; it matches the W3C VC 2.0 schema.")
            return Step(SCHEMA, StepStatus.WARNING, "Not an Open Badge (VC 1.1); no schema applies to it.")
        if version == "1.1":
            if "issuanceDate" not in credential:
                raise SchemaInvalid("a VC 1.1 credential needs issuanceDate")
            candidate = _as_vc2(credential)
            _validate(candidate, kind)
            return Step(
                SCHEMA,
                StepStatus.PASSED,
                "A VC 1.1 Open Badge; it matches the OB 3.0 schema with issuanceDate/expirationDate "
                "read as validFrom/validUntil.",
            )
        how = _validate(credential, kind)
        checked = validate_declared_schemas(credential)
    except SchemaInvalid as exc:
        return conformance_step(SCHEMA, exc)
    except CredentialError as exc:
        return _failed(SCHEMA, exc)
    extra = f" Declared schema(s) checked: {', '.join(checked)}." if checked else ""
    return Step(SCHEMA, StepStatus.PASSED, how + extra)


def _validate(credential: Mapping[str, Any], kind: str) -> str:
    validate = validate_ob3_credential if kind == "achievement" else validate_endorsement
    what = "OB 3.0 achievement credential" if kind == "achievement" else "OB 3.0 endorsement credential"
    try:
        validate(credential, strict=True)
        return f"Matches the {what} schema."
    except SchemaInvalid:
        # Foreign issuers often emit JSON-LD compacted single values; the JSON-LD
        # adaptation schema accepts those, and so do we.
        validate(credential, strict=False)
        return f"Matches the {what} schema (JSON-LD adaptation: single values for arrays)."


def conformance_step(name: str, exc: SchemaInvalid) -> Step:
    """A warning naming each OB 3.0 rule the document breaks (the schema errors, by path)."""
    errors = exc.data.get("errors")
    rules = [str(error) for error in errors] if isinstance(errors, list) and errors else [sentence(exc.message)]
    count = f"{len(rules)} rule" + ("s" if len(rules) > 1 else "")
    reason = f"Breaks {count} of Open Badges 3.0: " + "; ".join(rules)
    return Step(name, StepStatus.WARNING, sentence(reason), code=CONFORMANCE, data={"rules": rules})


# --- subject -----------------------------------------------------------------------------

SUBJECT_IDENTIFIED_RULE = "AchievementSubject: an id or at least one identifier must be given (OB 3.0)"


def subject_step(credential: Mapping[str, Any]) -> Step:
    subjects = subjects_of(credential)
    if not subjects:
        return _failed(SUBJECT, MalformedCredential("the credential has no credentialSubject object"))
    described = []
    for subject in subjects:
        subject_id = subject.get("id")
        identifiers = [item for item in as_list(subject.get("identifier")) if isinstance(item, Mapping)]
        if isinstance(subject_id, str) and subject_id:
            described.append(f"identified as {subject_id}")
        elif identifiers:
            kinds = sorted({str(item.get("identityType", "unknown")) for item in identifiers})
            described.append(f"identified by {', '.join(kinds)}")
        elif kind_of(credential) == "other":
            described.append("not identified")
        else:
            return Step(
                SUBJECT,
                StepStatus.WARNING,
                "The subject has neither an id nor an identifier, so the credential does not say who holds it.",
                code=CONFORMANCE,
                data={"rules": [SUBJECT_IDENTIFIED_RULE]},
            )
    return Step(SUBJECT, StepStatus.PASSED, sentence("The subject is " + "; ".join(described)))


# --- issuer binding ----------------------------------------------------------------------


def binding_step(issuer_id: str | None, controllers: Iterable[str | None], source: str, *, unchecked: int = 0) -> Step:
    """The issuer signed it: one verified proof's key is the issuer's. In a proof set the other
    verified proofs may be by others (they vouch for the same bytes); with no verified proof of
    the issuer's, a proof left unchecked could be the issuer's, so we cannot tell."""
    controllers = list(controllers)
    if issuer_id is None:
        return _failed(ISSUER, MalformedCredential("the credential names no issuer id"))
    others = sorted({str(controller) for controller in controllers if controller != issuer_id})
    if issuer_id in controllers and others:
        return Step(
            ISSUER,
            StepStatus.PASSED,
            f"A signing key ({source}) is controlled by the issuer {issuer_id}; the proof(s) also "
            f"signed by {', '.join(others)} vouch for the same document and are not counted.",
        )
    if unchecked and issuer_id not in controllers:
        return Step(
            ISSUER,
            StepStatus.UNSUPPORTED,
            f"No verified proof is by the issuer {issuer_id}; the proof(s) not checked here may be.",
            code="unsupported",
        )
    for controller in controllers:
        if controller is None:
            return _failed(
                ISSUER,
                UntrustedIssuer(f"the signing key ({source}) is not published by the issuer {issuer_id}"),
            )
        if controller != issuer_id:
            return _failed(
                ISSUER,
                UntrustedIssuer(f"the signing key belongs to {controller}, not to the issuer {issuer_id}"),
            )
    return Step(ISSUER, StepStatus.PASSED, f"The signing key ({source}) is controlled by the issuer {issuer_id}.")


# --- validity ----------------------------------------------------------------------------


def parse_date_time(value: Any, field: str) -> datetime:
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        raise MalformedCredential(f"{field} is not a date-time with a time zone: {value!r}")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedCredential(f"{field} is not a valid date-time: {value!r}") from exc


def validity_fields(version: str | None) -> tuple[str, str]:
    return ("issuanceDate", "expirationDate") if version == "1.1" else ("validFrom", "validUntil")


def validity_step(credential: Mapping[str, Any], version: str | None, now: datetime) -> Step:
    start_field, end_field = validity_fields(version)
    try:
        start = parse_date_time(credential[start_field], start_field) if start_field in credential else None
        end = parse_date_time(credential[end_field], end_field) if end_field in credential else None
        if start is not None and now < start:
            raise NotYetValid(f"the credential is not valid before {credential[start_field]}")
        if end is not None and now > end:
            raise Expired(f"the credential expired at {credential[end_field]}")
    except CredentialError as exc:
        return _failed(VALIDITY, exc)
    if start is None and end is None:
        return Step(VALIDITY, StepStatus.SKIPPED, "The credential states no validity period.")
    if end is None:
        return Step(VALIDITY, StepStatus.PASSED, f"Valid since {credential[start_field]}, with no expiry date.")
    since = f"from {credential[start_field]} " if start is not None else ""
    return Step(VALIDITY, StepStatus.PASSED, f"Valid {since}until {credential[end_field]}.")


# --- recipient ---------------------------------------------------------------------------


def _hash_matches(identity_hash: str, salt: str, candidates: Iterable[str]) -> bool:
    algorithm, _, expected = identity_hash.partition("$")
    if algorithm not in ("sha256", "md5") or not expected:
        return False
    for candidate in candidates:
        digest = hashlib.new(algorithm, (candidate + salt).encode("utf-8")).hexdigest()
        if hmac.compare_digest(digest, expected.lower()):
            return True
    return False


def recipient_step(credential: Mapping[str, Any], email: str | None) -> Step:
    if email is None or not email.strip():
        return Step(RECIPIENT, StepStatus.SKIPPED, "No recipient e-mail address was given to match.")
    typed = email.strip()
    # Issuers hash the address as they stored it; most lower-case it first, some do not.
    candidates = list(dict.fromkeys([typed, typed.lower()]))
    seen_email = False
    for subject in subjects_of(credential):
        subject_id = subject.get("id")
        if isinstance(subject_id, str) and subject_id.lower().startswith("mailto:"):
            seen_email = True
            if subject_id[len("mailto:") :].lower() == typed.lower():
                return _recipient_ok(typed)
        for identifier in as_list(subject.get("identifier")):
            if not isinstance(identifier, Mapping) or identifier.get("identityType") != "emailAddress":
                continue
            value = identifier.get("identityHash")
            if not isinstance(value, str):
                continue
            seen_email = True
            salt = identifier.get("salt") if isinstance(identifier.get("salt"), str) else ""
            if identifier.get("hashed") is False:
                if value.strip().lower() == typed.lower():
                    return _recipient_ok(typed)
            elif _hash_matches(value, str(salt), candidates):
                return _recipient_ok(typed)
    if not seen_email:
        return _failed(RECIPIENT, RecipientMismatch("the credential names no e-mail recipient to compare with"))
    return _failed(RECIPIENT, RecipientMismatch(f"the credential was not issued to {typed}"))


def _recipient_ok(email: str) -> Step:
    return Step(RECIPIENT, StepStatus.PASSED, f"Issued to {email}.")
