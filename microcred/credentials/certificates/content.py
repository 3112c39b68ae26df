"""What a credential's certificate says, read from the models for one viewer (ADR 0043).

Only a credential that holds gets a certificate: a revoked, suspended, expired or not yet valid
one is refused with its status, never printed as a success. The name follows the credential's
page: the holder's own download carries their name; anyone else's carries the name the holder
chose to show (none when hidden). The design is the issuer's: brand colour, signatories, and
its logo when it is an image this site serves (no fetching from elsewhere while rendering).
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.html import strip_tags

from microcred.accounts.models import Organisation
from microcred.core.errors import Conflict
from microcred.core.markdown import is_same_origin, render_markdown

from .. import links
from ..models import Credential
from ..selectors import display_status, learner_name_for, proven_recipient, verify_page_url
from .layout import (
    DEFAULT_BRAND_COLOUR,
    MAX_SIGNATORIES,
    CertificateContent,
    CertificateDesign,
    Paper,
    Signatory,
    hex_to_rgb,
    render_certificate,
)

LOGO_MAX_BYTES = 2 * 1024 * 1024


class CertificateRefused(Conflict):
    code = "certificate_refused"


def certificate_pdf(*, credential: Credential, viewer: Any, paper: Paper, now: datetime) -> bytes:
    """The certificate of ``credential`` as ``viewer`` may download it (the caller has checked
    they may open the credential at all); raises :class:`CertificateRefused` unless it holds."""
    content = certificate_content(credential=credential, viewer=viewer, now=now)
    return render_certificate(content, paper=paper, fetched_fonts=fetched_fonts_dir())


def fetched_fonts_dir() -> Path:
    """Where ``make fonts`` (``scripts/fetch-fonts.sh``) puts the fonts too big to bundle."""
    return settings.VAR_DIR / "fonts"


def certificate_content(*, credential: Credential, viewer: Any, now: datetime) -> CertificateContent:
    status = display_status(credential, now=now)
    if not status.is_valid:
        raise CertificateRefused(status.no_download("certificate"))
    document = credential.document
    microcredential = credential.microcredential
    return CertificateContent(
        achievement_name=str(
            document.get("credentialSubject", {}).get("achievement", {}).get("name") or microcredential.title
        ),
        issuer_name=str(document.get("issuer", {}).get("name") or credential.issuer.name),
        learner_name=learner_name_for(credential, viewer=viewer),
        recipient_description=proven_recipient(document).description,
        facts=_facts(credential),
        credential_id=links.credential_url(credential.uuid),
        verification_url=links.absolute(verify_page_url(credential)),
        credential_json=credential_json_bytes(document),
        credential_jwt=credential.jwt,
        issued_at=credential.issued_at,
        design=certificate_design(credential.issuer),
        description=description_summary(
            str(document.get("credentialSubject", {}).get("achievement", {}).get("description") or "")
        ),
    )


def description_summary(description: str) -> str:
    """The description's first paragraph as plain text: the signed description is Markdown (a summary,
    then outcomes as a list), and a certificate has room for a few lines, not a flattened list."""
    first = re.split(r"\n\s*\n", description.strip(), maxsplit=1)[0]
    return " ".join(html.unescape(strip_tags(render_markdown(first))).split())


def credential_json_bytes(document: dict[str, Any]) -> bytes:
    """The attached ``credential.json``: the same bytes as the credential's JSON download."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def certificate_design(organisation: Organisation) -> CertificateDesign:
    colour = organisation.brand_colour or DEFAULT_BRAND_COLOUR
    try:
        hex_to_rgb(colour)
    except ValueError:
        colour = DEFAULT_BRAND_COLOUR  # the model validates it; a hand-edited row must not break downloads
    signatories = tuple(
        Signatory(str(person.get("name", "")), str(person.get("title", "")))
        for person in (organisation.certificate_signatories or [])[:MAX_SIGNATORIES]
        if isinstance(person, dict) and person.get("name")
    )
    return CertificateDesign(brand_colour=colour, logo=local_logo(organisation.logo_url), signatories=signatories)


def local_logo(url: str) -> bytes | None:
    """The logo's bytes when ``url`` is an image this site serves itself (a static or media
    file), else None: rendering never fetches from the network (no SSRF, no slow third party).
    What is not a PNG or JPEG is skipped by the layout."""
    if not url or not is_same_origin(url, site_url=settings.SITE_URL):
        return None
    path = urlsplit(url).path
    try:
        if path.startswith(settings.STATIC_URL):
            found = finders.find(path.removeprefix(settings.STATIC_URL))
            if not isinstance(found, str):
                return None
            with open(found, "rb") as file:
                return _capped(file.read(LOGO_MAX_BYTES + 1))
        if settings.MEDIA_URL and path.startswith(settings.MEDIA_URL):
            name = path.removeprefix(settings.MEDIA_URL)
            if not name or not default_storage.exists(name):
                return None
            with default_storage.open(name, "rb") as file:
                return _capped(file.read(LOGO_MAX_BYTES + 1))
    except (OSError, SuspiciousFileOperation):
        return None
    return None


def _capped(data: bytes) -> bytes | None:
    return data if len(data) <= LOGO_MAX_BYTES else None


def _facts(credential: Credential) -> tuple[tuple[str, str], ...]:
    microcredential = credential.microcredential
    facts = [
        ("Issued", _day(credential.valid_from)),
        ("Valid until", _day(credential.valid_until) if credential.valid_until else "Does not expire"),
        ("EQF level", str(microcredential.eqf_level)),
        ("Workload", f"{microcredential.workload_hours} h"),
    ]
    if microcredential.ects is not None:
        ects = microcredential.ects.normalize()
        facts.append(("ECTS", f"{ects:f}"))
    return tuple(facts)


def _day(moment: datetime) -> str:
    local = timezone.localtime(moment)  # as the credential's page shows it
    return f"{local.day} {local:%b %Y}"
