"""Step "status": every ``credentialStatus`` entry, with the status list's own proof checked.

* ``BitstringStatusListEntry`` (W3C Bitstring Status List v1.0): fetch the list
  credential, verify its proof (Data Integrity or VC-JWT) and that the key belongs to
  the list's issuer, then read the entry's bits.
* ``1EdTechRevocationList`` (1EdTech VCRL 1.0, the only method OB 3.0 itself defines):
  fetch the list at the entry's ``id``; the credential is revoked when its ``id`` is in
  ``revokedCredentials``. Such lists are usually unsigned, so their authority is the
  issuer's HTTPS origin; a list that does carry a proof must verify.
* Anything else (``StatusList2021Entry``...) is reported as unsupported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..dataintegrity import ResolveKey
from ..dataintegrity import verify as verify_data_integrity
from ..errors import CredentialError, MalformedCredential, Revoked, StatusError, Suspended, UntrustedIssuer
from ..jwt import verify_vc_jwt
from ..limits import load_json
from ..statuslist import ENTRY_TYPE, check_entry
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
            elif kind == VCRL_TYPE:
                outcome = self._vcrl(entry)
            else:
                outcome = _Outcome(
                    StepStatus.UNSUPPORTED,
                    f"Status method {kind!r} is not supported, so revocation was not checked.",
                    "unsupported",
                )
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
        value = check_entry(entry, secured.document, now=self._now + LIST_CLOCK_SKEW)
        warning = self._foreign_list_warning(secured)
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
        body = self._fetcher.fetch(url)
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
        except CredentialError as exc:
            raise StatusError(f"the status list at {url} does not verify: {exc.message}", cause=exc.code) from exc
        for proof in proofs:
            if proof.controller != issuer:
                raise UntrustedIssuer(f"the status list at {url} is signed by {proof.controller}, not by {issuer}")
        return _SecuredDocument(document, issuer)

    def _verify_jwt(self, token: str, url: str) -> _SecuredDocument:
        try:
            issuer = _issuer_id(unverified_credential(token))
            resolver = JwtKeyResolver(resolve_key=self._resolve_key, fetcher=self._fetcher, issuer_id=issuer)
            document = verify_vc_jwt(token, resolve_key=resolver)
        except CredentialError as exc:
            raise StatusError(f"the status list at {url} does not verify: {exc.message}", cause=exc.code) from exc
        if issuer is None or resolver.controller != issuer:
            raise UntrustedIssuer(f"the status list at {url} is not signed by a key of its issuer")
        return _SecuredDocument(document, issuer)


def _key(entry: Any) -> tuple[Any, ...]:
    if not isinstance(entry, Mapping):
        return (id(entry),)
    return (entry.get("statusListCredential"), str(entry.get("statusListIndex")), entry.get("statusPurpose"))


def _text(body: bytes, url: str) -> str:
    try:
        return body.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise MalformedCredential(f"the status list at {url} is not UTF-8 text") from exc


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
            code = "unsupported" if status is StepStatus.UNSUPPORTED else None
            return Step(STATUS, status, _join(r.reason for r in results), code=code, data=data)
    return Step(STATUS, StepStatus.PASSED, _join(r.reason for r in results), data=data)


def _join(reasons: Any) -> str:
    unique: list[str] = []
    for reason in reasons:
        if reason not in unique:
            unique.append(reason)
    return " ".join(unique)
