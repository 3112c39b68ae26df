"""Where the verifier's documents come from: our own site without HTTP, everything else through
the SSRF-safe HTTPS fetcher (and only when ``MICROCRED_REMOTE_FETCH`` allows it).

Our own credentials, status lists and issuer profiles are answered by calling our URLconf's
views in-process: verifying one of our badges never depends on the site reaching itself over
the network (which fails behind many proxies), and a status list is read as the issuer
serves it, not as some cache remembers it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, HttpResponseBase
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from microcred.core.errors import AppError
from microcred.credentials.vc import HttpsFetcher
from microcred.credentials.vc.dataintegrity import ResolveKey
from microcred.credentials.vc.didweb import ResolvedKey, make_key_resolver
from microcred.credentials.vc.errors import CredentialError, FetchRefused, KeyResolutionError
from microcred.credentials.vc.fetch import DEFAULT_ACCEPT, Fetcher

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
    """A :class:`Fetcher` serving our own URLs in-process and foreign ones through ``remote``."""

    def __init__(self, *, remote: Fetcher | None) -> None:
        self._remote = remote

    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
        if is_ours(url):
            return fetch_local(url, accept=accept)
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


def fetch_local(url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
    """Our own document at ``url``: issuer documents, DIDs, key sets and status lists from the
    credentials app's resolver, anything else (credentials) from the view that serves it."""
    resolver = _credentials_resolver()
    if resolver is not None and hasattr(resolver, "local_document"):
        document = resolver.local_document(url.partition("#")[0])
        if document is not None:
            return json.dumps(document).encode("utf-8")
    return _fetch_through_view(url, accept=accept)


def _fetch_through_view(url: str, *, accept: str) -> bytes:
    """Answer a URL under SITE_URL by calling our own view, as an anonymous visitor would."""
    if not is_local(url):
        raise FetchRefused(f"there is no document at {url}", url=url)
    parts = urlsplit(url)
    base = urlsplit(site_url())
    prefix = base.path.rstrip("/")
    path = parts.path[len(prefix) :] if prefix and parts.path.startswith(prefix) else parts.path
    path = path or "/"
    try:
        match = resolve(path)
    except Resolver404:
        raise FetchRefused(f"there is no document at {url}", url=url) from None
    factory = RequestFactory(HTTP_HOST=base.netloc, HTTP_ACCEPT=accept)
    request = factory.get(path, data=_query(parts.query), secure=base.scheme == "https")
    request.user = AnonymousUser()
    try:
        response: Any = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
    except (Http404, ObjectDoesNotExist, AppError) as exc:
        raise FetchRefused(f"there is no document at {url}", url=url) from exc
    return _body(response, url)


def _query(query: str) -> dict[str, str]:
    return dict(parse_qsl(query, keep_blank_values=True))


def _body(response: HttpResponseBase, url: str) -> bytes:
    if response.status_code != 200:
        raise FetchRefused(f"{url} answered HTTP {response.status_code}", url=url, status=response.status_code)
    if not isinstance(response, HttpResponse):
        raise FetchRefused(f"{url} is not a document we can read in-process", url=url)
    return bytes(response.content)


def key_resolver(fetcher: Fetcher) -> ResolveKey:
    """Our issuers' keys from the database (retired ones too), did:key locally, and did:web or
    HTTPS controller documents through ``fetcher``."""
    by_document = make_key_resolver(fetcher)
    resolver = _credentials_resolver()

    def resolve(vm_url: str) -> ResolvedKey:
        if resolver is not None and is_ours(vm_url):
            try:
                public_key, controller = resolver.local_key_resolver(vm_url)
            except CredentialError:
                raise
            except (AppError, ObjectDoesNotExist) as exc:
                raise KeyResolutionError(f"{vm_url} is not a key of this site", vm=vm_url) from exc
            return ResolvedKey(public_key, controller)
        return by_document(vm_url)

    return resolve
