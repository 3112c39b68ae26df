"""Verify a presented credential (pasted, uploaded or named by URL), ours or a foreign one.

Pages, the API and the CLI all call :func:`verify_credential`; it wires the Django-free
checklist engine to our key resolver and document fetcher and never writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from microcred.core import clock
from microcred.core.errors import ValidationFailed
from microcred.credentials.vc import HttpsFetcher
from microcred.credentials.vc.errors import CredentialError
from microcred.credentials.vc.verifier import VerificationReport, report_unreadable, verify_presented

from .fetching import (
    FETCH_TIMEOUT_SECONDS,
    PRESENTED_ACCEPT,
    PRESENTED_MAX_BYTES,
    SiteFetcher,
    document_fetcher,
    is_local,
    key_resolver,
    remote_fetch_enabled,
)

MAX_PRESENTED_BYTES = PRESENTED_MAX_BYTES
MAX_URL_LENGTH = 2048


def verify_credential(
    *,
    data: bytes | str | Mapping[str, Any] | None = None,
    url: str | None = None,
    recipient_email: str | None = None,
    now: datetime | None = None,
) -> VerificationReport:
    """Run the verification checklist on ``data`` or on the document at ``url``.

    Raises ValidationFailed only for unusable requests (nothing or both given, a file that
    is too large, a URL that is not http(s)); a bad credential is a report, never an error.
    """
    if (data is None) == (url is None):
        raise ValidationFailed(
            "Give a credential or a URL to verify." if data is None else "Give either a credential or a URL, not both.",
            errors={"__all__": ["Paste or upload a credential, or give its URL."]},
        )
    if isinstance(data, (bytes, str)) and len(data) > MAX_PRESENTED_BYTES:
        raise ValidationFailed(
            "The credential is larger than 2 MB.",
            errors={
                "credential": ["The credential is larger than 2 MB; credentials and badge images are far smaller."]
            },
        )
    fetcher = document_fetcher()
    if url is not None:
        url = _checked_url(url)
        try:
            data = _presented_fetcher(fetcher).fetch(url, accept=PRESENTED_ACCEPT)
        except CredentialError as exc:
            return report_unreadable(exc)
    assert data is not None
    return verify_presented(
        data,
        now=now or clock.now(),
        resolve_key=key_resolver(fetcher),
        fetch_document=fetcher.fetch,
        recipient_email=(recipient_email or "").strip() or None,
        known_status_entries=_our_status_entries,
    )


def _our_status_entries(credential_id: str) -> list[dict[str, Any]]:
    """Our credentials sign in only their revocation entry; suspension lives in a second list
    we know from the database."""
    if not is_local(credential_id):
        return []
    try:
        from microcred.credentials.resolver import local_status_entries
    except ImportError:  # pragma: no cover - the credentials app ships it
        return []
    entries: list[dict[str, Any]] = local_status_entries(credential_id)
    return entries


def _checked_url(url: str) -> str:
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https") or len(url) > MAX_URL_LENGTH:
        raise ValidationFailed(
            "The URL must be an http(s) address.",
            errors={"url": ["Give the http(s) address where the credential is published."]},
        )
    return url


def _presented_fetcher(documents: SiteFetcher) -> SiteFetcher:
    """Our own URLs resolve in-process; a foreign URL is fetched only when remote fetching is
    on, through the SSRF-refusing fetcher, with room for a baked badge image."""
    if remote_fetch_enabled():
        return SiteFetcher(remote=HttpsFetcher(timeout=FETCH_TIMEOUT_SECONDS, max_bytes=PRESENTED_MAX_BYTES))
    return documents
