"""Verify a presented credential (pasted, uploaded or named by URL), ours or a foreign one.

Pages, the API and the CLI all call :func:`verify_credential`; it wires the Django-free
checklist engine to our key resolver and document fetcher. Its one write is the verification
counter of our own credentials (ADR 0047).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache, partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError

from microcred.core import clock
from microcred.core.errors import ValidationFailed
from microcred.credentials.engagement.selectors import credential_id_for_url
from microcred.credentials.engagement.services import engagement_count
from microcred.credentials.models import EngagementKind
from microcred.credentials.vc import HttpsFetcher
from microcred.credentials.vc.errors import CredentialError
from microcred.credentials.vc.limits import check_document
from microcred.credentials.vc.loader import register_installation_context
from microcred.credentials.vc.verifier import VerificationReport, report_unreadable, verify_presented
from microcred.credentials.vc.verifier.keys import CallableFetcher

from . import sandbox
from .fetching import (
    FETCH_TIMEOUT_SECONDS,
    PRESENTED_ACCEPT,
    PRESENTED_MAX_BYTES,
    SiteFetcher,
    context_fetch_enabled,
    document_fetcher,
    fetch_context,
    is_local,
    is_ours,
    key_resolver,
    local_key,
    remote_fetch_enabled,
    site_url,
)

MAX_PRESENTED_BYTES = PRESENTED_MAX_BYTES
MAX_URL_LENGTH = 2048


def verify_credential(
    *,
    data: bytes | str | Mapping[str, Any] | None = None,
    url: str | None = None,
    recipient_email: str | None = None,
    now: datetime | None = None,
    counted: bool = True,
) -> VerificationReport:
    """Run the verification checklist on ``data`` or on the document at ``url``.

    ``counted=False`` leaves the credential's engagement alone: the check its own page runs on
    every visit is the page view, not a verification by someone who was handed the credential.

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
    if url is not None:
        url = _checked_url(url)
        try:
            data = _presented_fetcher().fetch(url, accept=PRESENTED_ACCEPT)
        except CredentialError as exc:
            return report_unreadable(exc)
    assert data is not None
    if isinstance(data, Mapping):
        # Already parsed (the API's JSON body): checked here, since handing a deeply nested object
        # to the sandbox would recurse in pickle. Iterative and linear; text is checked there.
        try:
            check_document(data, what="the credential")
        except CredentialError as exc:
            return report_unreadable(exc)
    engine = partial(
        _verify_with,
        data=data,
        now=now or clock.now(),
        recipient_email=(recipient_email or "").strip() or None,
        installation_url=site_url(),
        fetch_contexts=context_fetch_enabled(),
    )
    services = _site_services()
    count = _counted if counted else _as_is
    if not getattr(settings, "MICROCRED_VERIFY_SANDBOX", True):
        return count(engine(lambda name, *args: services[name](*args)))
    _warm_once()
    workers = sandbox.pool(
        size=int(settings.MICROCRED_VERIFY_WORKERS),
        memory_bytes=int(settings.MICROCRED_VERIFY_MEMORY_MB) * 1024 * 1024,
    )
    try:
        return count(
            workers.run(
                engine,
                services=services,
                cpu_seconds=int(settings.MICROCRED_VERIFY_CPU_SECONDS),
                wall_seconds=float(settings.MICROCRED_VERIFY_WALL_SECONDS),
            )
        )
    except sandbox.VerificationStopped as exc:
        return report_unreadable(exc)


def _as_is(report: VerificationReport) -> VerificationReport:
    return report


def _counted(report: VerificationReport) -> VerificationReport:
    """Count the verification on the credential's engagement when the credential is one of ours,
    whatever the verdict (ADR 0047: a bare daily counter; nothing about who asked). The only
    write of a verification; without a database (``microcred verify`` offline) nothing is counted."""
    if report.credential_id and is_ours(report.credential_id):
        try:
            credential_id = credential_id_for_url(report.credential_id)
        except DatabaseError:
            return report
        if credential_id is not None:
            engagement_count(credential_id=credential_id, kind=EngagementKind.VERIFICATION, now=clock.now())
    return report


def _verify_with(
    call: Callable[..., Any],
    *,
    data: bytes | str | Mapping[str, Any],
    now: datetime,
    recipient_email: str | None,
    installation_url: str,
    fetch_contexts: bool = False,
) -> VerificationReport:
    """The Django-free engine, with the site reached only through ``call`` (see the sandbox): it
    reads no settings and no database, so a sandbox worker forked long ago runs it correctly
    (``installation_url``, our SITE_URL, comes with the task: our extension context's URL on it
    loads from the bundle).

    Each answer is asked for once per verification: the credential, its endorsements and the
    status lists are mostly signed with the same key, and a round trip to the web process (plus
    its query) per signature was a fifth of a verification's cost. Within one verification the
    same question must get the same answer anyway; nothing is kept past it."""
    with contextlib.suppress(ValueError):  # a SITE_URL that cannot carry it: the system check says so
        register_installation_context(installation_url)
    answers: dict[tuple[str, str], Any] = {}

    def ask(name: str, argument: str) -> Any:
        if (name, argument) not in answers:
            answers[name, argument] = call(name, argument)  # an error is raised, not remembered
        return answers[name, argument]

    def fetch_document(url: str) -> bytes:
        body: bytes = ask("fetch", url)
        return body

    return verify_presented(
        data,
        now=now,
        resolve_key=key_resolver(CallableFetcher(fetch_document), our_key=lambda vm_url: ask("our_key", vm_url)),
        fetch_document=fetch_document,
        recipient_email=recipient_email,
        known_status_entries=lambda credential_id: ask("status_entries", credential_id),
        # Off (the default): a context we do not bundle makes the credential *cannot check*.
        fetch_context=(lambda url: ask("fetch_context", url)) if fetch_contexts else None,
    )


def _site_services() -> dict[str, Callable[..., Any]]:
    fetcher = document_fetcher()
    return {
        "fetch": fetcher.fetch,
        "our_key": local_key,
        "status_entries": _our_status_entries,
        "fetch_context": fetch_context,
    }


@cache
def _warm_once() -> None:
    """Process the bundled JSON-LD contexts once in this process, so that every sandbox worker
    starts with them memoised."""
    from microcred.credentials.vc.jsonld import canonicalize
    from microcred.credentials.vc.loader import OB_V3P0_CONTEXT, VC_V2_CONTEXT

    canonicalize(
        {
            "@context": [VC_V2_CONTEXT, OB_V3P0_CONTEXT],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://issuer.example/", "type": ["Profile"]},
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"type": ["AchievementSubject"], "achievement": {"type": ["Achievement"]}},
        }
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
    try:
        entries: list[dict[str, Any]] = local_status_entries(credential_id)
    except DatabaseError:  # no database to read: only the entries the credential signs in are checked
        return []
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


def _presented_fetcher() -> SiteFetcher:
    """Our own URLs resolve from the database; a foreign URL is fetched only when remote fetching
    is on, through the SSRF-refusing fetcher, with room for a baked badge image."""
    remote = None
    if remote_fetch_enabled():
        remote = HttpsFetcher(timeout=FETCH_TIMEOUT_SECONDS, max_bytes=PRESENTED_MAX_BYTES)
    return SiteFetcher(remote=remote, looking_for="credential")
