"""Resolve our own issuers' keys and documents without HTTP, for verifying our credentials.

``local_key_resolver`` has the ``vc.dataintegrity.ResolveKey`` shape. It answers for
verification methods under ``SITE_URL`` (``{SITE_URL}/issuers/<slug>#<key_id>``) and for our
did:web DIDs, from ``IssuerKey`` rows, retired keys included (old credentials must keep
verifying). Anything else raises ``KeyResolutionError``, so callers can fall back to fetching.

``LocalFetcher`` implements the ``vc.fetch.Fetcher`` protocol for every document we publish
(issuer profiles, did.json, JWKS, status lists, endorsements, our context), rendering them
from the database exactly as the public endpoints serve them. Everything here only reads: a
verification never writes (status lists are signed by the writers that change them).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred.accounts.models import Organisation
from microcred.core.clock import now

from . import links
from .keys import public_key_of
from .models import AccreditationEndorsement, IssuerKey, StatusEntry, StatusList
from .vc.errors import FetchRefused, KeyResolutionError
from .vc.fetch import DEFAULT_ACCEPT
from .vc.loader import CONTEXTS_DIR, MICROCRED_CONTEXT_URL

CONTEXT_FILE = CONTEXTS_DIR / "microcred-v1.jsonld"


def local_key_resolver(vm_url: str) -> tuple[Ed25519PublicKey, str]:
    """``(public key, controller)`` of one of our issuers' verification methods."""
    if not isinstance(vm_url, str):
        raise KeyResolutionError("verification method must be a URL string")
    controller, _, key_id = vm_url.partition("#")
    slug = links.parse_issuer_url(controller) or links.parse_did(controller)
    if slug is None or not key_id:
        raise KeyResolutionError(f"{vm_url} is not a verification method of this site", vm=vm_url)
    try:  # unique per organisation: ``get`` asks for no ORDER BY, which ``first`` would
        key = IssuerKey.objects.get(organisation__slug=slug, key_id=key_id)
    except IssuerKey.DoesNotExist as exc:
        raise KeyResolutionError(f"{controller} has no key {key_id!r}", vm=vm_url) from exc
    return public_key_of(key), controller


def is_local_url(url: str) -> bool:
    return links.is_local(url) or links.parse_did(url.partition("#")[0]) is not None


def local_status_entries(credential_url: str) -> list[dict[str, Any]]:
    """Every status entry (revocation and suspension) of one of our credentials, as
    BitstringStatusListEntry objects; empty when the URL is not one of ours."""
    from .statuslists import entry_json

    prefix = links.credential_url("")
    if not credential_url.startswith(prefix) or not _is_uuid(credential_url[len(prefix) :]):
        return []
    # One query for every verification of one of our credentials: none when it is not ours.
    entries = StatusEntry.objects.filter(credential__uuid=uuid.UUID(credential_url[len(prefix) :]))
    return [entry_json(entry) for entry in entries.select_related("status_list__organisation")]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def local_document(url: str) -> dict[str, Any] | None:
    """The document we serve at ``url`` (no fragment), or None when it is not one of ours."""
    from .documents import issuer_did_document, issuer_profile_document, jwks_document
    from .statuslists import status_list_document

    if url == MICROCRED_CONTEXT_URL or url == links.site_url() + links.context_url_path():
        return json.loads(CONTEXT_FILE.read_bytes())
    if url == links.site_jwks_url():
        return jwks_document(
            list(IssuerKey.objects.select_related("organisation").order_by("organisation__slug", "created_at"))
        )
    did_slug = links.parse_did(url)
    if did_slug is not None:
        organisation = Organisation.objects.filter(slug=did_slug).first()
        return issuer_did_document(organisation) if organisation else None
    if not links.is_local(url):
        return None
    path = urlsplit(url).path.strip("/").split("/")
    if len(path) == 2 and path[0] == "issuers":
        organisation = Organisation.objects.filter(slug=path[1]).first()
        return issuer_profile_document(organisation, today=now().date()) if organisation else None
    if len(path) == 3 and path[0] == "issuers" and path[2] in ("did.json", "jwks.json"):
        organisation = Organisation.objects.filter(slug=path[1]).first()
        if organisation is None:
            return None
        if path[2] == "did.json":
            return issuer_did_document(organisation)
        return jwks_document(list(IssuerKey.objects.filter(organisation=organisation).select_related("organisation")))
    if len(path) == 2 and path[0] == "endorsements" and _is_uuid(path[1]):
        endorsement = AccreditationEndorsement.objects.filter(uuid=path[1]).first()
        return endorsement.document if endorsement else None
    if len(path) == 4 and path[0] == "status" and path[3].isdigit():
        lists = StatusList.objects.select_related("organisation")
        try:  # unique: ``get`` asks for no ORDER BY
            status_list = lists.get(organisation__slug=path[1], purpose=path[2], number=int(path[3]))
        except StatusList.DoesNotExist:
            return None
        return status_list_document(status_list=status_list, now=now())
    return None


def local_credential(url: str) -> bytes | None:
    """One of our issued credentials at its public URL, as its page serves it to machines: the
    JSON document, or its VC-JWT for ``?format=jwt``. None when ``url`` names none. Read-only."""
    from microcred.core.errors import NotFound

    from .selectors import credential_for_viewer

    if not links.is_local(url):
        return None
    parts = urlsplit(url)
    prefix = urlsplit(links.credential_url("")).path
    identifier = parts.path[len(prefix) :] if parts.path.startswith(prefix) else ""
    wanted = dict(parse_qsl(parts.query)).get("format", "json").lower()
    if not _is_uuid(identifier) or wanted not in ("json", "jwt"):
        return None
    try:
        # As an anonymous visitor gets it: a private credential is not served at its address.
        record = credential_for_viewer(uuid=identifier, viewer=None)
    except NotFound:
        return None
    if wanted == "jwt":
        return record.jwt.encode("ascii") if record.jwt else None
    return json.dumps(record.document).encode("utf-8")


class LocalFetcher:
    """A ``vc.fetch.Fetcher`` for our own documents; foreign URLs are refused (wrap it with a
    real fetcher for those)."""

    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
        try:
            document = local_document(url)
        except KeyResolutionError as exc:
            raise FetchRefused(f"{url}: {exc}", url=url) from exc
        if document is None:
            raise FetchRefused(f"no local document for {url}", url=url)
        return json.dumps(document).encode("utf-8")


def local_documents() -> Mapping[str, dict[str, Any]]:
    """Every issuer document and published status list we host, by URL (a StaticFetcher
    mapping). Builds them all; for a single lookup use ``LocalFetcher``."""
    documents: dict[str, dict[str, Any]] = {}
    for organisation in Organisation.objects.filter(issuer_keys__isnull=False).distinct():
        for url in (links.issuer_url(organisation.slug), links.issuer_jwks_url(organisation.slug)):
            document = local_document(url)
            if document is not None:
                documents[url] = document
        try:
            did = links.issuer_did(organisation.slug)
        except KeyResolutionError:
            continue
        documents[did] = local_document(did) or {}
        documents[links.did_document_url(organisation.slug)] = documents[did]
    for status_list in StatusList.objects.select_related("organisation"):
        from .statuslists import list_url

        document = local_document(list_url(status_list))
        if document is not None:
            documents[list_url(status_list)] = document
    return documents
