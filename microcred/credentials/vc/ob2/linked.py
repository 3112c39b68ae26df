"""The documents an OB 2.0 assertion links to, fetched where the issuer publishes them.

Which copy is trusted follows the specification's Verification section and its examples:

* a hosted assertion is only trusted to name its URL; the copy fetched there is the assertion
  (an HTTP ``410 Gone`` there means revoked);
* a BadgeClass given by URL is fetched; an embedded one is kept when the assertion is signed
  (the signature covers it) and replaced by its hosted copy when the assertion is hosted;
* the issuer Profile is always fetched from its http(s) ``id`` when it has one: its
  ``verification`` policy and ``publicKey`` list decide what is trusted, so an embedded copy
  (which whoever made the assertion wrote) is never believed on those points.

Every fetched document must carry the ``id`` it was fetched from (else a document on one
site could speak for another), and the expected ``type`` when it states one. A refused or
failed fetch raises :class:`FetchRefused` ("cannot check"); a document that is there but
wrong raises :class:`MalformedCredential`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import FetchRefused, MalformedCredential, UntrustedIssuer
from ..fetch import Fetcher, fetch_json
from .documents import Verification, as_list, is_http_url, node_id, types_of

_ASSERTION_TYPES = frozenset({"Assertion"})
_BADGE_TYPES = frozenset({"BadgeClass"})
_PROFILE_TYPES = frozenset({"Issuer", "Profile"})
_KEY_TYPES = frozenset({"CryptographicKey"})
_REVOCATION_TYPES = frozenset({"RevocationList"})
_HTTP_GONE = 410
EMBEDDED = "embedded in the assertion"


@dataclass(frozen=True)
class HostedCopy:
    """What the issuer's server holds at the assertion's URL: the document, or ``gone`` (410)."""

    url: str
    document: dict[str, Any] | None
    gone: bool = False


@dataclass(frozen=True)
class Linked:
    """The BadgeClass and issuer Profile an assertion stands on, and where each came from."""

    badge: dict[str, Any]
    issuer: dict[str, Any]
    sources: Mapping[str, str] = field(default_factory=dict)


def fetch_hosted_assertion(fetcher: Fetcher, url: str) -> HostedCopy:
    try:
        document = fetch_json(fetcher, url)
    except FetchRefused as exc:
        if _is_gone(exc):
            return HostedCopy(url, None, gone=True)
        raise
    _check_fetched(document, url, _ASSERTION_TYPES, "hosted assertion")
    return HostedCopy(url, document)


def _is_gone(exc: FetchRefused) -> bool:
    # The HTTPS fetcher records the status of a refused answer (the sandbox passes it on).
    return exc.data.get("status") == _HTTP_GONE


def resolve_linked(fetcher: Fetcher, assertion: Mapping[str, Any], *, kind: Verification) -> Linked:
    sources: dict[str, str] = {}
    badge = _node(fetcher, assertion.get("badge"), "BadgeClass", _BADGE_TYPES, refetch_embedded=kind == "hosted")
    sources["badge"] = badge[1]
    issuer = _node(fetcher, badge[0].get("issuer"), "issuer Profile", _PROFILE_TYPES, refetch_embedded=True)
    sources["issuer"] = issuer[1]
    return Linked(badge[0], issuer[0], sources)


def _node(
    fetcher: Fetcher, value: Any, what: str, types: frozenset[str], *, refetch_embedded: bool
) -> tuple[dict[str, Any], str]:
    """``(document, where it came from)`` for a linked node given by IRI or embedded."""
    if isinstance(value, str):
        if not is_http_url(value):
            raise MalformedCredential(f"the {what} {value!r} is neither embedded nor an http(s) URL")
        return fetch_document(fetcher, value, what, types), f"fetched from {value}"
    if not isinstance(value, Mapping):
        raise MalformedCredential(f"the assertion names no {what}")
    embedded_id = node_id(value)
    if refetch_embedded and is_http_url(embedded_id):
        assert embedded_id is not None
        return fetch_document(fetcher, embedded_id, what, types), f"fetched from {embedded_id}"
    _check_types(value, types, what)
    return dict(value), EMBEDDED


def fetch_document(fetcher: Fetcher, url: str, what: str, types: frozenset[str]) -> dict[str, Any]:
    try:
        document = fetch_json(fetcher, url)
    except FetchRefused as exc:
        raise FetchRefused(f"the {what} at {url} could not be fetched: {exc.message}", url=url) from exc
    _check_fetched(document, url, types, what)
    return document


def _check_fetched(document: dict[str, Any], url: str, types: frozenset[str], what: str) -> None:
    stated = document.get("id")
    if stated is None:
        document["id"] = url
    elif stated != url:
        raise MalformedCredential(f"the {what} fetched from {url} says it is {stated!r}")
    _check_types(document, types, what)


def _check_types(document: Mapping[str, Any], types: frozenset[str], what: str) -> None:
    # 1.0 documents have no type; a stated one must be the right one.
    stated = types_of(document)
    if stated and not types.intersection(stated):
        raise MalformedCredential(f"the {what} has type {stated}, not {' or '.join(sorted(types))}")


def fetch_key(fetcher: Fetcher, key_id: str, issuer: Mapping[str, Any]) -> dict[str, Any]:
    """The CryptographicKey ``key_id``: embedded in the (fetched) issuer Profile's
    ``publicKey`` list, else fetched from its URL."""
    for entry in as_list(issuer.get("publicKey")):
        if isinstance(entry, Mapping) and entry.get("id") == key_id and isinstance(entry.get("publicKeyPem"), str):
            return dict(entry)
    if not is_http_url(key_id):
        raise MalformedCredential(f"the signing key {key_id!r} is not an http(s) URL")
    return fetch_document(fetcher, key_id, "signing key", _KEY_TYPES)


def fetch_revocation_list(fetcher: Fetcher, url: str) -> dict[str, Any]:
    return fetch_document(fetcher, url, "revocation list", _REVOCATION_TYPES)


# --- trust ----------------------------------------------------------------------------------


def issuer_key_ids(issuer: Mapping[str, Any]) -> list[str]:
    return [key for key in (node_id(entry) for entry in as_list(issuer.get("publicKey"))) if key]


def check_key_belongs_to_issuer(key: Mapping[str, Any], issuer: Mapping[str, Any]) -> str:
    """The two-way link the spec asks for: the Profile lists the key, the key names the
    Profile as its ``owner``. Returns a sentence; raises :class:`UntrustedIssuer`."""
    key_id = node_id(key.get("id")) or "the signing key"
    issuer_id = node_id(issuer.get("id")) or "the issuer"
    if key_id not in issuer_key_ids(issuer):
        raise UntrustedIssuer(f"the key {key_id} is not one of the keys the issuer profile {issuer_id} lists")
    owner = node_id(key.get("owner"))
    if owner != issuer_id:
        raise UntrustedIssuer(f"the key {key_id} names {owner or 'no one'} as its owner, not the issuer {issuer_id}")
    return f"The key {key_id} is listed by the issuer profile {issuer_id} and names it as its owner."


def check_hosted_scope(assertion_url: str, issuer: Mapping[str, Any]) -> tuple[str, bool]:
    """Whether the hosted assertion is within what its issuer allows (``verification``:
    ``startsWith``, ``allowedOrigins``, default the issuer id's own host).

    Returns ``(sentence, enforced)``: ``enforced`` is False when the issuer has no web origin
    to hold the assertion to (the reference validator passes those with a warning). Raises
    :class:`UntrustedIssuer` when the assertion is hosted outside the allowed scope.
    """
    issuer_id = node_id(issuer.get("id")) or ""
    policy = issuer.get("verification")
    policy = policy if isinstance(policy, Mapping) else {}
    prop = policy.get("verificationProperty")
    if prop not in (None, "id", "@id"):
        raise UntrustedIssuer(f"the issuer's verification policy checks {prop!r}; only id is defined")
    starts = [item for item in as_list(policy.get("startsWith")) if isinstance(item, str) and item]
    if starts and not any(assertion_url.startswith(prefix) for prefix in starts):
        raise UntrustedIssuer(
            f"the assertion {assertion_url} does not start with any prefix the issuer allows ({', '.join(starts)})"
        )
    allowed = [item.strip().lower() for item in as_list(policy.get("allowedOrigins")) if isinstance(item, str)]
    if not allowed and is_http_url(issuer_id):
        allowed = [_authority(issuer_id)]
    if not allowed:
        if starts:
            return f"The assertion's URL starts with a prefix the issuer {issuer_id} allows.", True
        return (
            f"The issuer {issuer_id or '(no id)'} has no web origin to hold its hosted assertions to, "
            "so where the assertion is published proves nothing about who issued it.",
            False,
        )
    authority = _authority(assertion_url)
    host = (urlsplit(assertion_url).hostname or "").lower()
    if authority not in allowed and host not in allowed:
        raise UntrustedIssuer(
            f"the assertion is hosted at {authority}, outside the origins its issuer {issuer_id} allows "
            f"({', '.join(allowed)})"
        )
    return f"The assertion is hosted at {authority}, an origin its issuer {issuer_id} allows.", True


def _authority(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host
