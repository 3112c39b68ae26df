"""Step "status": every ``credentialStatus`` entry, with the status list's own proof checked.

* ``BitstringStatusListEntry`` (W3C Bitstring Status List v1.0): fetch the list
  credential, verify its proof (Data Integrity or VC-JWT) and that the key belongs to
  the list's issuer, then read the entry's bits.
* ``StatusList2021Entry`` (W3C CCG) and ``RevocationList2020Status``: the same, with
  their own field names and encoding (``statuslist.check_legacy_entry``); their lists are
  usually VC 1.1 signed with Ed25519Signature2020. The list's issuer must be the
  credential's, as the reference implementation (``@digitalbazaar/vc-status-list``,
  ``verifyMatchingIssuers``) requires.
* ``1EdTechRevocationList`` (1EdTech VCRL 1.0, the only method OB 3.0 itself defines):
  fetch the list at the entry's ``id``; the credential is revoked when its ``id`` is in
  ``revokedCredentials``. Such lists are usually unsigned, so their authority is the
  issuer's HTTPS origin; a list that does carry a proof must verify.

Status fails closed. A declared status we cannot check is never a pass: an unknown
method (``status_method_unsupported``); a list we cannot fetch, whose proof we cannot check
here (a suite, context or key we cannot load), or that cannot vouch for the entry (stale,
not yet valid, of another purpose or shape, the index outside it: ``status_unavailable``)
makes the step UNSUPPORTED, which the verdict reads as "cannot check". The step FAILS
(invalid) only when something is established: the credential is revoked or suspended, the
list's proof fails, or the list is signed by someone else than its issuer. A list that names
itself by another ``id`` than the address it was fetched from is read, with a warning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..dataintegrity import ResolveKey
from ..dataintegrity import verify as verify_data_integrity
from ..errors import (
    CredentialError,
    FetchRefused,
    KeyResolutionError,
    Revoked,
    StatusError,
    Suspended,
    UnknownContext,
    UnsupportedSuite,
    UntrustedIssuer,
)
from ..jwt import verify_vc_jwt
from ..limits import load_json
from ..statuslist import (
    ENTRY_TYPE,
    LEGACY_METHODS,
    MIN_ENTRIES,
    LegacyStatusMethod,
    check_entry,
    check_legacy_entry,
    list_entries,
)
from .keys import CallableFetcher, JwtKeyResolver
from .memo import canonicalize_memoised
from .reading import unverified_credential
from .report import STATUS, Step, StepStatus

VCRL_TYPE = "1EdTechRevocationList"
# Issuers republish lists on demand with validFrom = the moment of publishing, which can be a
# moment after the verifier read its clock; judging the list a little in the future absorbs
# that skew and only makes the staleness (validUntil) check stricter.
LIST_CLOCK_SKEW = timedelta(minutes=5)
MAX_STATUS_ENTRIES = 8
# Stable codes of a status that could not be checked (the step is UNSUPPORTED).
STATUS_METHOD_UNSUPPORTED = "status_method_unsupported"
STATUS_UNAVAILABLE = "status_unavailable"
# What keeps a list from being read or its proof from being checked *here*, as opposed to
# a list that was read and is wrong: the former cannot say "not revoked", nor "forged".
_CANNOT_CHECK = (FetchRefused, KeyResolutionError, UnknownContext, UnsupportedSuite)


@dataclass
class _Outcome:
    status: StepStatus
    reason: str
    code: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _SecuredDocument:
    document: dict[str, Any]
    issuer_id: str | None


class StatusChecker:
    def __init__(
        self,
        *,
        now: datetime,
        resolve_key: ResolveKey,
        fetcher: CallableFetcher,
        issuer_id: str | None,
        credential_id: str | None,
        known_entries: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self._known_entries = list(known_entries)
        self._now = now
        self._resolve_key = resolve_key
        self._fetcher = fetcher
        self._issuer_id = issuer_id
        self._credential_id = credential_id
        self._documents: dict[str, _SecuredDocument] = {}

    def step(self, credential: Mapping[str, Any]) -> Step:
        raw = credential.get("credentialStatus")
        declared = [] if raw is None else raw if isinstance(raw, list) else [raw]
        # Entries the verifying issuer knows from its own records but did not sign in (our
        # suspension list) are checked too; they come from the database, not the document.
        entries = declared + [entry for entry in self._known_entries if _key(entry) not in map(_key, declared)]
        if not entries:
            return Step(STATUS, StepStatus.SKIPPED, "The credential declares no status (it cannot be revoked).")
        if not entries or len(entries) > MAX_STATUS_ENTRIES:
            return Step(
                STATUS,
                StepStatus.FAILED,
                f"credentialStatus must hold 1 to {MAX_STATUS_ENTRIES} entries.",
                code=StatusError.code,
            )
        results = [self._entry(entry) for entry in entries]
        return _combine(results)

    def _entry(self, entry: Any) -> _Outcome:
        if not isinstance(entry, Mapping):
            return _Outcome(StepStatus.FAILED, "A credentialStatus entry is not an object.", StatusError.code)
        kind = entry.get("type")
        detail: dict[str, Any] = {"type": kind}
        try:
            if kind == ENTRY_TYPE:
                outcome = self._bitstring(entry)
            elif isinstance(kind, str) and kind in LEGACY_METHODS:
                outcome = self._legacy(entry, LEGACY_METHODS[kind])
            elif kind == VCRL_TYPE:
                outcome = self._vcrl(entry)
            else:
                outcome = _Outcome(
                    StepStatus.UNSUPPORTED,
                    f"Status method {kind!r} is not supported, so whether the credential was revoked"
                    " could not be checked.",
                    STATUS_METHOD_UNSUPPORTED,
                )
        except _CANNOT_CHECK as exc:
            outcome = _unavailable(exc)
        except StatusError as exc:
            if exc.data.get("list_proof_failed") or exc.data.get("substituted_list"):
                # A forged list, or another list served in its place: as with a tampered
                # credential, what was presented is not what the issuer signed it to be.
                outcome = _Outcome(StepStatus.FAILED, _sentence(exc.message), exc.code)
            else:
                # The list (or the entry) cannot say anything now: stale, not yet valid, of
                # another purpose or shape. Nothing is proven wrong, nothing is established.
                outcome = _unavailable(exc)
        except CredentialError as exc:
            reason = _sentence(exc.message)
            if isinstance(exc, (Revoked, Suspended)) and isinstance(exc.data.get("status_list"), str):
                reason = f"{reason[:-1]} (status list {exc.data['status_list']})."
            outcome = _Outcome(StepStatus.FAILED, reason, exc.code)
        outcome.detail = {**detail, **outcome.detail}
        return outcome

    def _bitstring(self, entry: Mapping[str, Any]) -> _Outcome:
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or not url:
            raise StatusError("the status entry names no statusListCredential")
        purpose = entry.get("statusPurpose")
        detail = {"purpose": purpose, "list": url, "index": entry.get("statusListIndex")}
        secured = self._load(url)
        value = check_entry(
            entry,
            secured.document,
            now=self._now + LIST_CLOCK_SKEW,
            require_list_id=False,
            require_min_length=False,
        )
        warnings = (
            self._foreign_list_warning(secured),
            _other_id_warning(secured, url),
            _short_list_warning(secured, entry),
        )
        warning = " ".join(filter(None, warnings))
        if purpose in ("revocation", "suspension"):
            reason = (
                f"Not {'revoked' if purpose == 'revocation' else 'suspended'}: the issuer's signed status list says so."
            )
        else:
            reason = f"Status list entry for {purpose!r} reads {value}."
        return _Outcome(
            StepStatus.WARNING if warning else StepStatus.PASSED,
            reason + (f" {warning}" if warning else ""),
            detail={**detail, "value": value},
        )

    def _legacy(self, entry: Mapping[str, Any], method: LegacyStatusMethod) -> _Outcome:
        url = entry.get(method.url_field)
        if not isinstance(url, str) or not url:
            raise StatusError(f"the {method.entry_type} entry names no {method.url_field}")
        purpose = entry.get("statusPurpose", "revocation") if method.purposes is not None else "revocation"
        detail = {"purpose": purpose, "list": url, "index": entry.get(method.index_field), "method": method.name}
        secured = self._load(url)
        if secured.issuer_id != self._issuer_id:
            raise UntrustedIssuer(
                f"the {method.name} list at {url} is issued by {secured.issuer_id}, not by the credential's issuer"
            )
        value = check_legacy_entry(entry, secured.document, now=self._now + LIST_CLOCK_SKEW, require_list_id=False)
        state = "suspended" if purpose == "suspension" else "revoked"
        reason = f"Not {state}: the issuer's signed {method.name} list says so."
        warning = _other_id_warning(secured, url)
        return _Outcome(
            StepStatus.WARNING if warning else StepStatus.PASSED,
            reason + (f" {warning}" if warning else ""),
            detail={**detail, "value": value},
        )

    def _vcrl(self, entry: Mapping[str, Any]) -> _Outcome:
        url = entry.get("id")
        if not isinstance(url, str) or not url:
            raise StatusError("the 1EdTechRevocationList entry has no id (the list URL)")
        detail = {"purpose": "revocation", "list": url}
        secured = self._load(url, signed=False)
        revoked = secured.document.get("revokedCredentials")
        if not isinstance(revoked, list):
            raise StatusError(f"{url} is not a revocation list (no revokedCredentials array)")
        if secured.issuer_id is not None and secured.issuer_id != self._issuer_id:
            raise UntrustedIssuer(f"the revocation list at {url} belongs to {secured.issuer_id}, not the issuer")
        if self._credential_id is None:
            raise StatusError("the credential has no id to look up in the revocation list")
        for item in revoked:
            if isinstance(item, Mapping) and item.get("id") == self._credential_id:
                why = item.get("revocationReason")
                raise Revoked(
                    "the credential has been revoked" + (f": {why}" if isinstance(why, str) and why else ""),
                    status_list=url,
                )
        return _Outcome(StepStatus.PASSED, "Not revoked: the issuer's revocation list does not name it.", detail=detail)

    def _foreign_list_warning(self, secured: _SecuredDocument) -> str:
        if secured.issuer_id != self._issuer_id:
            return f"The status list is issued by {secured.issuer_id}, not by the credential's issuer."
        return ""

    def _load(self, url: str, *, signed: bool = True) -> _SecuredDocument:
        if url in self._documents:
            return self._documents[url]
        try:
            body = self._fetcher.fetch(url)
        except FetchRefused as exc:
            raise FetchRefused(f"the status list at {url} could not be fetched: {exc.message}", **exc.data) from exc
        text = _text(body, url)
        if text.startswith("{"):
            try:
                document = load_json(text, what=f"the status list at {url}")
            except ValueError as exc:
                raise StatusError(f"the status list at {url} is not JSON") from exc
            if not isinstance(document, dict):
                raise StatusError(f"the status list at {url} is not a JSON object")
            secured = self._verify_json(document, url, signed=signed)
        else:
            secured = self._verify_jwt(text, url)
        self._documents[url] = secured
        return secured

    def _verify_json(self, document: dict[str, Any], url: str, *, signed: bool) -> _SecuredDocument:
        issuer = _issuer_id(document)
        if "proof" not in document and not signed:
            return _SecuredDocument(document, issuer)
        if issuer is None:
            raise StatusError(f"the status list at {url} names no issuer")
        try:
            proofs = verify_data_integrity(
                document, resolve_key=self._resolve_key, now=self._now, canonicalizer=canonicalize_memoised
            )
        except _CANNOT_CHECK as exc:
            raise _cannot_check(exc, url) from exc
        except CredentialError as exc:
            raise StatusError(
                f"the status list at {url} does not verify: {exc.message}", cause=exc.code, list_proof_failed=True
            ) from exc
        for proof in proofs:
            if proof.controller != issuer:
                raise UntrustedIssuer(f"the status list at {url} is signed by {proof.controller}, not by {issuer}")
        return _SecuredDocument(document, issuer)

    def _verify_jwt(self, token: str, url: str) -> _SecuredDocument:
        try:
            issuer = _issuer_id(unverified_credential(token))
            resolver = JwtKeyResolver(resolve_key=self._resolve_key, fetcher=self._fetcher, issuer_id=issuer)
            document = verify_vc_jwt(token, resolve_key=resolver)
        except _CANNOT_CHECK as exc:
            raise _cannot_check(exc, url) from exc
        except CredentialError as exc:
            raise StatusError(
                f"the status list at {url} does not verify: {exc.message}", cause=exc.code, list_proof_failed=True
            ) from exc
        if issuer is None or resolver.controller != issuer:
            raise UntrustedIssuer(f"the status list at {url} is not signed by a key of its issuer")
        return _SecuredDocument(document, issuer)


def _unavailable(exc: CredentialError) -> _Outcome:
    return _Outcome(
        StepStatus.UNSUPPORTED,
        f"{_sentence(exc.message)} The credential's status could not be established here, which does not mean"
        " it was revoked.",
        STATUS_UNAVAILABLE,
        detail={"cause": exc.code},
    )


def _cannot_check(exc: CredentialError, url: str) -> CredentialError:
    """The same kind of error, saying which status list could not be checked."""
    return type(exc)(f"the status list at {url} cannot be checked here: {exc.message}", **exc.data)


def _key(entry: Any) -> tuple[Any, ...]:
    if not isinstance(entry, Mapping):
        return (id(entry),)
    return (entry.get("statusListCredential"), str(entry.get("statusListIndex")), entry.get("statusPurpose"))


def _text(body: bytes, url: str) -> str:
    try:
        return body.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise StatusError(f"the status list at {url} is not UTF-8 text") from exc


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


_FAILURE_PRECEDENCE = ("revoked", "suspended")


def _combine(results: list[_Outcome]) -> Step:
    data = {"entries": [result.detail for result in results]}
    failed = [r for r in results if r.status is StepStatus.FAILED]
    if failed:
        # A revocation is the most useful thing to say; otherwise the first defect.
        failed.sort(key=lambda r: _FAILURE_PRECEDENCE.index(r.code) if r.code in _FAILURE_PRECEDENCE else 2)
        first = failed[0]
        return Step(STATUS, StepStatus.FAILED, _join(r.reason for r in failed), code=first.code, data=data)
    for status in (StepStatus.UNSUPPORTED, StepStatus.WARNING):
        if any(r.status is status for r in results):
            code = next((r.code for r in results if r.status is status), None)
            return Step(STATUS, status, _join(r.reason for r in results), code=code, data=data)
    return Step(STATUS, StepStatus.PASSED, _join(r.reason for r in results), data=data)


def _join(reasons: Any) -> str:
    unique: list[str] = []
    for reason in reasons:
        if reason not in unique:
            unique.append(reason)
    return " ".join(unique)


def _other_id_warning(secured: _SecuredDocument, url: str) -> str | None:
    """A list that names itself by another address than the one the credential gives for it.

    Read all the same, as the issuers' own verifiers do: the list is signed by the credential's
    issuer and served where the issuer's signed credential says, so its bits are the issuer's
    word (a list swapped in by whoever controls that address could as well be an older copy of
    the right one, which only the list's validity window guards against). Said, not hidden."""
    list_id = secured.document.get("id")
    if list_id is None or list_id == url:
        return None
    return f"The status list names itself {list_id}, not {url} where the credential points; it was read all the same."


def _short_list_warning(secured: _SecuredDocument, entry: Mapping[str, Any]) -> str | None:
    """A list shorter than the spec's minimum, read all the same, as the issuers' own verifiers do.

    The minimum (131,072 entries) gives holders herd privacy, an issuer's duty when it publishes;
    once the list is fetched, refusing its answer protects nobody. ADR 0040 records this reading
    of the spec's STATUS_LIST_LENGTH_ERROR."""
    size = entry.get("statusSize", 1)
    entries = list_entries(secured.document, status_size=size if isinstance(size, int) and size > 0 else 1)
    if entries >= MIN_ENTRIES:
        return None
    return (
        f"The status list holds {entries:,} entries, fewer than the {MIN_ENTRIES:,} the Bitstring Status List "
        "spec asks of issuers for holders' privacy; it was read all the same."
    )
