"""The public URLs of everything we publish, built from ``settings.SITE_URL``.

These strings are signed into credentials, so they must never change shape: a credential
issued today still names the issuer, key, status list and achievement URLs it was issued with.
"""

from __future__ import annotations

import uuid as uuid_module
from urllib.parse import urlsplit

from django.conf import settings

from .vc.errors import KeyResolutionError
from .vc.loader import MICROCRED_CONTEXT_PATH, register_installation_context

STATUS_PURPOSES = ("revocation", "suspension")


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def issuer_url(slug: str) -> str:
    return f"{site_url()}/issuers/{slug}"


def verification_method_url(slug: str, key_id: str) -> str:
    return f"{issuer_url(slug)}#{key_id}"


def issuer_did(slug: str) -> str:
    """``did:web:<host>[%3Aport]:issuers:<slug>``; raises KeyResolutionError when SITE_URL cannot
    carry a did:web (plain http or an IP address, as on a development machine)."""
    from .vc.didweb import url_to_did_web

    return url_to_did_web(f"{issuer_url(slug)}/did.json")


def did_document_url(slug: str) -> str:
    return f"{issuer_url(slug)}/did.json"


def issuer_jwks_url(slug: str) -> str:
    return f"{issuer_url(slug)}/jwks.json"


def site_jwks_url() -> str:
    return f"{site_url()}/.well-known/jwks.json"


def credential_url(credential_uuid: uuid_module.UUID | str) -> str:
    return f"{site_url()}/credentials/{credential_uuid}"


def endorsement_url(endorsement_uuid: uuid_module.UUID | str) -> str:
    return f"{site_url()}/endorsements/{endorsement_uuid}"


def status_list_url(slug: str, purpose: str, number: int) -> str:
    return f"{site_url()}/status/{slug}/{purpose}/{number}"


def achievement_url(public_id: uuid_module.UUID | str) -> str:
    """A micro-credential version's achievement id, by its random ``public_id``."""
    return f"{site_url()}/achievements/{public_id}"


def legacy_achievement_url(microcredential_pk: int) -> str:
    """The achievement id credentials were signed with before public ids: the row's primary key.
    Still served for those credentials (and only them), since their signatures cover it."""
    return f"{site_url()}/achievements/{microcredential_pk}"


def context_url_path() -> str:
    return MICROCRED_CONTEXT_PATH


def extension_context_url() -> str:
    """Our extension context's URL on this installation (ADR 0041), the one our credentials
    name. Registered with the core's loader as it is handed out, so whatever we sign under
    we can load offline (the app also registers it at start-up, for verifying)."""
    return register_installation_context(site_url())


def absolute(url: str) -> str:
    """Make a site-relative URL (``/static/...``) absolute; leave absolute ones alone."""
    if url.startswith("/"):
        return site_url() + url
    return url


def parse_issuer_url(url: str) -> str | None:
    """The organisation slug of one of our issuer URLs (``{SITE_URL}/issuers/<slug>``), else None."""
    prefix = f"{site_url()}/issuers/"
    if not url.startswith(prefix):
        return None
    slug = url[len(prefix) :]
    if not slug or "/" in slug or "?" in slug or "#" in slug:
        return None
    return slug


def parse_did(did: str) -> str | None:
    """The slug of one of our issuer DIDs, else None."""
    try:
        host_did = issuer_did("x").rsplit(":", 1)[0] + ":"
    except KeyResolutionError:
        return None
    if not did.startswith(host_did):
        return None
    slug = did[len(host_did) :]
    return slug if slug and ":" not in slug else None


def is_local(url: str) -> bool:
    parts, site = urlsplit(url), urlsplit(site_url())
    return (parts.scheme, parts.netloc) == (site.scheme, site.netloc)
