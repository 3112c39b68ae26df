"""Open Badges 2.0 (and 1.x) documents: recognising an Assertion and reading its parts.

OB 2.0 predates Verifiable Credentials. An ``Assertion`` is plain JSON-LD that links (or
embeds) its ``BadgeClass``, whose ``issuer`` is a ``Profile``; trust comes from where the
assertion is published (``HostedBadge``) or from a JWS made with a key the issuer's profile
lists (``SignedBadge``), never from a proof inside the document. Field names follow the
OB 2.0 specification (1EdTech, "Open Badges v2.0", Vocabulary and Verification sections),
including the aliases its context keeps for 1.x documents (``verify``, ``hosted``, ``signed``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from ..errors import MalformedCredential, RecipientMismatch

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB1_CONTEXT = "https://w3id.org/openbadges/v1"
_CONTEXTS = frozenset({OB2_CONTEXT, OB1_CONTEXT, OB2_CONTEXT + "/", OB1_CONTEXT + "/"})
_HOSTED_TYPES = frozenset({"hosted", "hostedbadge", "obi:hostedbadge", "https://w3id.org/openbadges#hostedbadge"})
_SIGNED_TYPES = frozenset({"signed", "signedbadge", "obi:signedbadge", "https://w3id.org/openbadges#signedbadge"})
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII)
_UNIX_TIME = re.compile(r"\d{1,12}", re.ASCII)
# Required Assertion properties (OB 2.0 "Assertion"); a revoked hosted copy needs only id and revoked.
_REQUIRED = ("id", "type", "recipient", "badge", "verification", "issuedOn")

Verification = Literal["hosted", "signed"]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def types_of(document: Mapping[str, Any]) -> list[str]:
    return [item for item in as_list(document.get("type")) if isinstance(item, str)]


def node_id(value: Any) -> str | None:
    """The id of a linked node: the IRI itself, or an embedded document's ``id``."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value.strip() else None


def is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _verification_node(assertion: Mapping[str, Any]) -> Any:
    return assertion.get("verification", assertion.get("verify"))


def is_assertion(document: Mapping[str, Any]) -> bool:
    """An OB 2.0 or 1.1 Assertion (its context and type), or an OB 1.0 one (no context, a
    ``verify`` object naming a hosted URL or a signature)."""
    contexts = as_list(document.get("@context"))
    if any(isinstance(context, str) and context in _CONTEXTS for context in contexts):
        return "Assertion" in types_of(document)
    if "@context" in document:
        return False
    verify = document.get("verify")
    return (
        isinstance(verify, Mapping)
        and str(verify.get("type", "")).lower() in ("hosted", "signed")
        and "recipient" in document
        and "badge" in document
    )


def spec_version(document: Mapping[str, Any]) -> str:
    contexts = [context for context in as_list(document.get("@context")) if isinstance(context, str)]
    if any(context.startswith(OB2_CONTEXT) for context in contexts):
        return "2.0"
    if any(context.startswith(OB1_CONTEXT) for context in contexts):
        return "1.1"
    return "1.0"


def verification_kind(assertion: Mapping[str, Any]) -> Verification:
    """``hosted`` or ``signed``, from the assertion's VerificationObject (or 1.x ``verify``)."""
    node = _verification_node(assertion)
    if not isinstance(node, Mapping):
        raise MalformedCredential("the assertion has no verification object (hosted or signed)")
    kinds = {item.lower() for item in types_of(node)}
    if kinds & _HOSTED_TYPES:
        return "hosted"
    if kinds & _SIGNED_TYPES:
        return "signed"
    raise MalformedCredential(f"unknown verification type {node.get('type')!r} (expected HostedBadge or SignedBadge)")


def hosted_url(assertion: Mapping[str, Any]) -> str:
    """Where a hosted assertion is published: its ``id`` (1.0: ``verify.url``)."""
    node = _verification_node(assertion)
    candidates = [assertion.get("id")]
    if isinstance(node, Mapping):
        candidates.append(node.get("url"))
    for candidate in candidates:
        if is_http_url(candidate):
            return str(candidate).strip()
    raise MalformedCredential("a hosted assertion must have an http(s) id where it is published")


def signing_key_id(assertion: Mapping[str, Any]) -> str | None:
    """The key the assertion says signed it (``verification.creator``), if it says."""
    node = _verification_node(assertion)
    creator = node.get("creator") if isinstance(node, Mapping) else None
    return node_id(creator)


def missing_properties(assertion: Mapping[str, Any]) -> list[str]:
    present = set(assertion) | ({"verification"} if "verify" in assertion else set())
    required = _REQUIRED if spec_version(assertion) != "1.0" else ("recipient", "badge", "verification", "issuedOn")
    return [name for name in required if name not in present]


def is_revoked(assertion: Mapping[str, Any]) -> bool:
    return assertion.get("revoked") is True or str(assertion.get("revoked")).lower() == "true"


# --- dates -------------------------------------------------------------------------------


def parse_date(value: Any, field: str) -> datetime:
    """An OB date: ISO 8601 with a time zone (2.0); 1.x also allowed a date alone and Unix
    seconds, read here as UTC. A date-time without a zone is read as UTC too."""
    if isinstance(value, bool):
        raise MalformedCredential(f"{field} is not a date: {value!r}")
    if isinstance(value, int):
        return _from_unix(value, field)
    if not isinstance(value, str):
        raise MalformedCredential(f"{field} is not a date: {value!r}")
    text = value.strip()
    if _UNIX_TIME.fullmatch(text):
        return _from_unix(int(text), field)
    if _DATE_ONLY.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise MalformedCredential(f"{field} is not a valid date: {value!r}") from exc
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    if not _DATE_TIME.fullmatch(text):
        raise MalformedCredential(f"{field} is not an ISO 8601 date-time: {value!r}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise MalformedCredential(f"{field} is not a valid date-time: {value!r}") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _from_unix(seconds: int, field: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedCredential(f"{field} is not a valid timestamp: {seconds!r}") from exc


# --- recipient ---------------------------------------------------------------------------


def recipient_description(assertion: Mapping[str, Any]) -> str | None:
    """How the page names the recipient: ``email (hashed)`` or the plain identity."""
    recipient = assertion.get("recipient")
    if not isinstance(recipient, Mapping):
        return recipient if isinstance(recipient, str) and recipient else None
    kind = str(recipient.get("type") or "unknown")
    identity = recipient.get("identity")
    if not isinstance(identity, str) or not identity:
        return None
    if _is_hashed(recipient, identity):
        return f"{kind} (hashed)"
    return f"{kind}: {identity}"


def check_recipient_shape(assertion: Mapping[str, Any]) -> str:
    """A usable IdentityObject (type and identity), described; else MalformedCredential."""
    recipient = assertion.get("recipient")
    if not isinstance(recipient, Mapping):
        raise MalformedCredential("the recipient is not an IdentityObject (type, identity, hashed)")
    identity = recipient.get("identity")
    if not isinstance(recipient.get("type"), str) or not isinstance(identity, str) or not identity:
        raise MalformedCredential("the recipient names no identity type and value")
    if _is_hashed(recipient, identity) and identity.partition("$")[0].lower() not in ("sha256", "md5"):
        raise MalformedCredential("the recipient's identity hash is neither sha256$ nor md5$")
    return recipient_description(assertion) or "unknown"


def _is_hashed(recipient: Mapping[str, Any], identity: str) -> bool:
    hashed = recipient.get("hashed")
    if isinstance(hashed, str):
        return hashed.strip().lower() == "true"
    if isinstance(hashed, bool):
        return hashed
    return "$" in identity and identity.partition("$")[0].lower() in ("sha256", "md5")


def check_recipient_email(assertion: Mapping[str, Any], email: str) -> None:
    """Raise :class:`RecipientMismatch` unless the assertion was issued to ``email``."""
    recipient = assertion.get("recipient")
    typed = email.strip()
    if not isinstance(recipient, Mapping) or str(recipient.get("type", "")).lower() not in ("email", "schema:email"):
        raise RecipientMismatch("the assertion names no e-mail recipient to compare with")
    identity = recipient.get("identity")
    if not isinstance(identity, str):
        raise RecipientMismatch("the assertion names no e-mail recipient to compare with")
    # Issuers hash the address as they stored it; most lower-case it first, some do not.
    candidates = list(dict.fromkeys([typed, typed.lower()]))
    if _is_hashed(recipient, identity):
        salt = recipient.get("salt")
        if _hash_matches(identity, salt if isinstance(salt, str) else "", candidates):
            return
    elif identity.strip().lower() == typed.lower():
        return
    raise RecipientMismatch(f"the assertion was not issued to {typed}")


def _hash_matches(identity_hash: str, salt: str, candidates: Iterable[str]) -> bool:
    algorithm, _, expected = identity_hash.partition("$")
    algorithm = algorithm.lower()
    if algorithm not in ("sha256", "md5") or not expected:
        return False
    for candidate in candidates:
        digest = hashlib.new(algorithm, (candidate + salt).encode("utf-8")).hexdigest()
        if hmac.compare_digest(digest, expected.strip().lower()):
            return True
    return False


# --- revocation lists --------------------------------------------------------------------


def revocation_entry(revocation_list: Mapping[str, Any], assertion: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The entry of ``revokedAssertions`` naming the assertion (by ``id``, or a 1.x ``uid``)."""
    assertion_id = node_id(assertion.get("id"))
    uid = assertion.get("uid") if isinstance(assertion.get("uid"), str) else None
    for entry in as_list(revocation_list.get("revokedAssertions")):
        if isinstance(entry, str):
            if assertion_id is not None and entry == assertion_id:
                return {"id": entry}
            continue
        if not isinstance(entry, Mapping) or entry.get("revoked") is False:
            continue
        if (assertion_id is not None and entry.get("id") == assertion_id) or (uid and entry.get("uid") == uid):
            return entry
    return None


# --- display -----------------------------------------------------------------------------


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def image_url(value: Any) -> str | None:
    return node_id(value)
