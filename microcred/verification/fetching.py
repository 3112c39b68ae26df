"""Where the verifier's documents come from: our own site without HTTP, everything else through
the SSRF-safe HTTPS fetcher (and only when ``MICROCRED_REMOTE_FETCH`` allows it).

Our own credentials, status lists, issuer profiles, DID documents, key sets and endorsements
are read from the database by the credentials app's resolver, exactly as the public endpoints
serve them: verifying one of our badges never depends on the site reaching itself over the
network (which fails behind many proxies), and a status list is read as the issuer serves it.
Any other URL of ours (a page, a search) holds no credential and is reported as such; pages
are never rendered for the verifier.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError

from microcred.core.errors import AppError
from microcred.credentials.vc import HttpsFetcher
from microcred.credentials.vc.dataintegrity import ResolveKey
from microcred.credentials.vc.didweb import ResolvedKey, make_key_resolver
from microcred.credentials.vc.errors import FetchRefused, KeyResolutionError, UnknownContext
from microcred.credentials.vc.fetch import DEFAULT_ACCEPT, Fetcher
from microcred.credentials.vc.loader import MAX_FETCHED_CONTEXT_BYTES, fetched_context_document, is_bundled

# Presented files may be baked images; documents a credential points at are small JSON.
PRESENTED_MAX_BYTES = 2 * 1024 * 1024
DOCUMENT_MAX_BYTES = 512 * 1024
FETCH_TIMEOUT_SECONDS = 5.0
PRESENTED_ACCEPT = (
    "application/vc+ld+json, application/vc, application/vc+jwt, application/ld+json;q=0.9, "
    "application/json;q=0.9, image/png;q=0.8, image/svg+xml;q=0.8, text/plain;q=0.5"
)


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def is_local(url: str) -> bool:
    base = site_url()
    return url == base or url.startswith(base + "/") or url.startswith(base + "#")


def remote_fetch_enabled() -> bool:
    return bool(getattr(settings, "MICROCRED_REMOTE_FETCH", True))


class SiteFetcher:
    """A :class:`Fetcher` serving our own URLs from the database and foreign ones through ``remote``.

    ``looking_for`` words the refusal of a URL of ours that holds nothing: "credential" for
    what a visitor presents, "document" for what a credential points at.
    """

    def __init__(self, *, remote: Fetcher | None, looking_for: str = "document") -> None:
        self._remote = remote
        self._looking_for = looking_for

    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
        if is_ours(url):
            try:
                body = fetch_local(url)
            except DatabaseError:
                # No database to read here (`microcred verify` on a machine without one): what the
                # site publishes is fetched from it, like any other site's documents.
                if self._remote is None:
                    raise FetchRefused(
                        f"the document at {url} cannot be read: this installation has no database to read "
                        "it from, and does not fetch documents from other sites",
                        url=url,
                    ) from None
                return self._remote.fetch(url, accept=accept)
            if body is None:
                raise FetchRefused(f"there is no {self._looking_for} at {url}", url=url)
            return body
        if self._remote is None:
            raise FetchRefused(
                f"fetching {url} was refused: this installation does not fetch documents from other sites",
                url=url,
            )
        return self._remote.fetch(url, accept=accept)


def _credentials_resolver() -> Any:
    """The credentials app's in-process resolver module (keys, issuer and status documents)."""
    try:
        from microcred.credentials import resolver
    except ImportError:  # pragma: no cover - the credentials app ships it
        return None
    return resolver


def is_ours(url: str) -> bool:
    """Under SITE_URL, or one of our issuers' did:web DIDs."""
    resolver = _credentials_resolver()
    if resolver is not None and hasattr(resolver, "is_local_url"):
        return is_local(url) or bool(resolver.is_local_url(url))
    return is_local(url)


def document_fetcher(*, max_bytes: int = DOCUMENT_MAX_BYTES) -> SiteFetcher:
    remote = None
    if remote_fetch_enabled():
        remote = HttpsFetcher(timeout=FETCH_TIMEOUT_SECONDS, max_bytes=max_bytes)
    return SiteFetcher(remote=remote)


def fetch_local(url: str) -> bytes | None:
    """Our own document or credential at ``url``, or None when we publish nothing there."""
    resolver = _credentials_resolver()
    if resolver is None:  # pragma: no cover - the credentials app ships it
        return None
    try:
        document = resolver.local_document(url.partition("#")[0])
        if document is not None:
            return json.dumps(document).encode("utf-8")
        credential: bytes | None = resolver.local_credential(url.partition("#")[0])
    except (KeyResolutionError, AppError, ObjectDoesNotExist, ValueError, OverflowError):
        return None
    return credential


def local_key(vm_url: str) -> tuple[bytes, str] | None:
    """``(raw Ed25519 public key, controller)`` of one of our issuers' verification methods, from
    the database (retired keys too), or None when ``vm_url`` is not ours. Raw bytes so that the
    answer can cross a process boundary (see the sandbox)."""
    resolver = _credentials_resolver()
    if resolver is None or not is_ours(vm_url):
        return None
    try:
        public_key, controller = resolver.local_key_resolver(vm_url)
    except (AppError, ObjectDoesNotExist) as exc:
        raise KeyResolutionError(f"{vm_url} is not a key of this site", vm=vm_url) from exc
    except DatabaseError:
        return None  # no database to read: the key is resolved from the issuer's published documents
    return public_key.public_bytes_raw(), controller


def key_resolver(fetcher: Fetcher, *, our_key: Callable[[str], tuple[bytes, str] | None] = local_key) -> ResolveKey:
    """Our issuers' keys through ``our_key``, did:key locally, and did:web or HTTPS controller
    documents through ``fetcher``."""
    by_document = make_key_resolver(fetcher)

    def resolve(vm_url: str) -> ResolvedKey:
        ours = our_key(vm_url)
        if ours is None:
            return by_document(vm_url)
        raw, controller = ours
        return ResolvedKey(Ed25519PublicKey.from_public_bytes(raw), controller)

    return resolve


# --- JSON-LD contexts the bundle lacks (opt-in, ADR 0042) ------------------------------------

CONTEXT_ACCEPT = "application/ld+json, application/json;q=0.9"
# A context URL names one document for good (a changed context is a new URL, as every
# official one is versioned), so a fetched copy is kept long; the cache is the site's own.
CONTEXT_CACHE_SECONDS = 30 * 24 * 3600
_CONTEXT_CACHE_PREFIX = "microcred:verify:context:"


def context_fetch_enabled() -> bool:
    return bool(getattr(settings, "MICROCRED_VERIFY_FETCH_CONTEXTS", False))


def context_fetcher() -> Fetcher:
    """The SSRF-safe HTTPS fetcher, capped at the size the verifier accepts for a context."""
    return HttpsFetcher(timeout=FETCH_TIMEOUT_SECONDS, max_bytes=MAX_FETCHED_CONTEXT_BYTES)


def fetch_context(url: str) -> bytes | None:
    """The JSON-LD context at ``url`` for the verifier's loader, or None when this installation
    does not fetch contexts (``MICROCRED_VERIFY_FETCH_CONTEXTS``, off by default) or bundles it.

    Served from the cache when fetched before; else fetched through the SSRF-safe fetcher
    (https only, public addresses, timeout, size cap; a refusal raises ``FetchRefused``) and
    cached when it is a usable context document. One that is not (not JSON, no ``@context``) is
    handed over uncached: the verifier reports why it cannot use it, and a fixed server is
    asked again next time.
    """
    if not context_fetch_enabled() or is_bundled(url):
        return None
    key = _CONTEXT_CACHE_PREFIX + hashlib.sha256(url.encode("utf-8")).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    body = context_fetcher().fetch(url, accept=CONTEXT_ACCEPT)
    try:
        fetched_context_document(url, body)
    except UnknownContext:
        return body
    cache.set(key, body, CONTEXT_CACHE_SECONDS)
    return body
