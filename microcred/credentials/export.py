"""Export every issued credential with everything needed to verify it offline.

Layout of the export directory::

    manifest.json                      every file below: path, sha256, media type, the URL it stands for
    credentials/<uuid>.json            the signed credential (Data Integrity)
    credentials/<uuid>.jwt             the same credential as a VC-JWT
    issuers/<slug>/profile.json        issuer Profile = CID controller document (public keys only)
    issuers/<slug>/did.json            did:web document (when SITE_URL can carry a did:web)
    issuers/<slug>/jwks.json           JWKS of the issuer
    .well-known/jwks.json              JWKS of all issuers
    status/<slug>/<purpose>/<n>.json   the signed status list credentials
    contexts/microcred-v1.jsonld       our JSON-LD extension context

A verifier maps URLs to files through the manifest (``load_export``) and needs nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from microcred.accounts.models import Organisation

from . import links
from .documents import issuer_did_document, issuer_profile_document, jwks_document
from .models import Credential, IssuerKey, StatusList
from .resolver import CONTEXT_FILE
from .statuslists import list_url
from .statuslists.services import status_list_publish
from .vc.dataintegrity import format_datetime
from .vc.errors import KeyResolutionError
from .vc.loader import MICROCRED_CONTEXT_URL

MANIFEST_FORMAT = "microcred.credentials-export/1"


@dataclass
class _Writer:
    root: Path
    files: list[dict[str, Any]] = field(default_factory=list)

    def write(self, relative: str, body: bytes, *, url: str, media_type: str, also: list[str] | None = None) -> None:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        entry: dict[str, Any] = {
            "path": relative,
            "sha256": hashlib.sha256(body).hexdigest(),
            "url": url,
            "media_type": media_type,
        }
        if also:
            entry["also_known_as"] = also
        self.files.append(entry)


def _json(document: Any) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def export_steps(now: datetime) -> int:
    """How many progress steps ``credentials_export`` takes (for a progress bar)."""
    issuers = Organisation.objects.filter(issuer_keys__isnull=False).distinct().count()
    return Credential.objects.count() + issuers + StatusList.objects.count() + 1


def credentials_export(
    *, directory: Path, now: datetime, advance: Callable[[int], None] = lambda n: None
) -> dict[str, Any]:
    """Write the export into ``directory`` (created if needed) and return the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    writer = _Writer(directory)
    for credential in _credentials():
        name = f"credentials/{credential.uuid}"
        url = links.credential_url(credential.uuid)
        writer.write(f"{name}.json", _json(credential.document), url=url, media_type="application/vc+ld+json")
        writer.write(f"{name}.jwt", credential.jwt.encode("ascii"), url=url, media_type="application/vc+jwt")
        advance(1)
    for organisation in Organisation.objects.filter(issuer_keys__isnull=False).distinct().order_by("slug"):
        slug = organisation.slug
        writer.write(
            f"issuers/{slug}/profile.json",
            _json(issuer_profile_document(organisation, today=now.date())),
            url=links.issuer_url(slug),
            media_type="application/ld+json",
        )
        try:
            did_document = issuer_did_document(organisation)
        except KeyResolutionError:
            did_document = None  # SITE_URL cannot carry a did:web (development); nothing signed names one
        if did_document is not None:
            writer.write(
                f"issuers/{slug}/did.json",
                _json(did_document),
                url=links.did_document_url(slug),
                media_type="application/did+ld+json",
                also=[did_document["id"]],
            )
        keys = list(IssuerKey.objects.filter(organisation=organisation).select_related("organisation"))
        writer.write(
            f"issuers/{slug}/jwks.json",
            _json(jwks_document(keys)),
            url=links.issuer_jwks_url(slug),
            media_type="application/json",
        )
        advance(1)
    for status_list in StatusList.objects.select_related("organisation").order_by(
        "organisation__slug", "purpose", "number"
    ):
        document = status_list_publish(status_list=status_list, now=now)
        writer.write(
            f"status/{status_list.organisation.slug}/{status_list.purpose}/{status_list.number}.json",
            _json(document),
            url=list_url(status_list),
            media_type="application/vc+ld+json",
        )
        advance(1)
    all_keys = list(IssuerKey.objects.select_related("organisation").order_by("organisation__slug", "created_at"))
    writer.write(
        ".well-known/jwks.json",
        _json(jwks_document(all_keys)),
        url=links.site_jwks_url(),
        media_type="application/json",
    )
    writer.write(
        "contexts/microcred-v1.jsonld",
        CONTEXT_FILE.read_bytes(),
        url=MICROCRED_CONTEXT_URL,
        media_type="application/ld+json",
        also=[links.site_url() + links.context_url_path()],
    )
    advance(1)
    manifest = {
        "format": MANIFEST_FORMAT,
        "site_url": links.site_url(),
        "generated_at": format_datetime(now),
        "files": writer.files,
    }
    (directory / "manifest.json").write_bytes(_json(manifest))
    return manifest


def _credentials() -> Iterator[Credential]:
    return Credential.objects.order_by("issued_at", "pk").only("uuid", "document", "jwt").iterator(chunk_size=200)


class ExportCorrupted(ValueError):
    pass


def load_export(directory: Path) -> dict[str, bytes]:
    """URL -> bytes of every file of an export, each checked against its manifest hash."""
    manifest = json.loads((directory / "manifest.json").read_bytes())
    if manifest.get("format") != MANIFEST_FORMAT:
        raise ExportCorrupted(f"not a {MANIFEST_FORMAT} export")
    by_url: dict[str, bytes] = {}
    for entry in manifest["files"]:
        body = (directory / entry["path"]).read_bytes()
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            raise ExportCorrupted(f"{entry['path']} does not match its sha256 in the manifest")
        # Credentials have two files (JSON and JWT) for one URL; the JSON one stands for it.
        if entry["media_type"] == "application/vc+jwt":
            continue
        for url in [entry["url"], *entry.get("also_known_as", [])]:
            by_url[url] = body
    return by_url
