"""The public documents we host for our issuers: Profile/CID document, did:web document, JWKS,
and the Achievement of a micro-credential. Built from the database on demand; no secrets.

Every key an issuer ever had is published (retired ones too) so that credentials signed with a
retired key keep verifying; a key is never deleted, only retired.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from microcred.accounts.models import Organisation
from microcred.accreditation.selectors import current_accreditations
from microcred.catalog.models import MicroCredential

from . import links
from .keys import public_key_of
from .models import IssuerKey
from .selectors import current_endorsement_documents
from .vc.jwt import jwk_for_public_key
from .vc.loader import CID_V1_CONTEXT, OB_V3P0_CONTEXT, VC_V2_CONTEXT
from .vc.multikey import multikey_document

PROFILE_CONTEXT = [VC_V2_CONTEXT, OB_V3P0_CONTEXT, CID_V1_CONTEXT]


def issuer_keys(organisation: Organisation) -> list[IssuerKey]:
    return list(IssuerKey.objects.filter(organisation=organisation).order_by("created_at", "pk"))


def accreditation_statement(organisation: Organisation, *, today: date) -> str:
    """A sentence naming each current accreditation, for people reading the description; the
    verifiable form is the accreditor's signed endorsement in the profile's ``endorsement``."""
    parts = []
    for accreditation in current_accreditations(provider=organisation, today=today):
        text = f"Accredited by {accreditation.accreditor.name} for {accreditation.scope}"
        if accreditation.reference:
            text += f" (reference {accreditation.reference})"
        if accreditation.valid_until:
            text += f", valid until {accreditation.valid_until.isoformat()}"
        parts.append(text + ".")
    return " ".join(parts)


def issuer_description(organisation: Organisation, *, today: date) -> str | None:
    text = " ".join(
        part for part in (organisation.description.strip(), accreditation_statement(organisation, today=today)) if part
    )
    return text or None


def issuer_profile_document(organisation: Organisation, *, today: date) -> dict[str, Any]:
    """The issuer Profile, which is also its W3C CID controller document (DIGEST §1.4): the
    document id is the issuer id, and each key's controller is that same URL."""
    issuer_id = links.issuer_url(organisation.slug)
    methods = [
        multikey_document(
            vm_id=links.verification_method_url(organisation.slug, key.key_id),
            controller=issuer_id,
            public_key=public_key_of(key),
        )
        for key in issuer_keys(organisation)
    ]
    document: dict[str, Any] = {
        "@context": list(PROFILE_CONTEXT),
        "id": issuer_id,
        "type": ["Profile"],
        "name": organisation.name,
    }
    if organisation.website:
        document["url"] = organisation.website
    if organisation.email:
        document["email"] = organisation.email
    description = issuer_description(organisation, today=today)
    if description:
        document["description"] = description
    if organisation.logo_url:
        document["image"] = {"id": links.absolute(organisation.logo_url), "type": "Image"}
    if organisation.country:
        document["address"] = {"type": ["Address"], "addressCountry": organisation.country}
    endorsements = current_endorsement_documents(provider=organisation, today=today)
    if endorsements:
        # The accreditors' signed word, as in the credentials the issuer signs today.
        document["endorsement"] = endorsements
    if methods:
        document["verificationMethod"] = methods
        document["assertionMethod"] = [method["id"] for method in methods]
    return document


def issuer_did_document(organisation: Organisation) -> dict[str, Any]:
    """The did:web document of the issuer (same keys, DID-relative ids). Raises
    KeyResolutionError when SITE_URL cannot carry a did:web, or the issuer has no key yet."""
    from .vc.didweb import build_did_document

    did = links.issuer_did(organisation.slug)
    document = build_did_document(did, [(key.key_id, public_key_of(key)) for key in issuer_keys(organisation)])
    # Point people from the DID to the issuer's web identity, as did:web documents may.
    document["alsoKnownAs"] = [links.issuer_url(organisation.slug)]
    return document


def jwks_document(keys: list[IssuerKey]) -> dict[str, Any]:
    """Public JWKs only; ``kid`` is the verification method URL that VC-JWT headers name."""
    return {
        "keys": [
            jwk_for_public_key(links.verification_method_url(key.organisation.slug, key.key_id), public_key_of(key))
            for key in keys
        ]
    }


def achievement_image(microcredential: MicroCredential, *, achievement_id: str) -> str:
    """The artwork the author gave, else our generated badge, served under the achievement id."""
    if microcredential.image_url:
        return links.absolute(microcredential.image_url)
    return f"{achievement_id}/image.svg"


def badge_svg(microcredential: MicroCredential) -> str:
    """A plain, deterministic badge image for micro-credentials without their own artwork."""
    title = microcredential.title
    lines = _wrap(title, 18)[:3]
    provider = microcredential.provider.name
    text_lines = "".join(
        f'<text x="120" y="{118 + index * 22 - (len(lines) - 1) * 11}" font-size="18" font-weight="700" '
        f'text-anchor="middle" fill="#ffffff">{escape(line)}</text>'
        for index, line in enumerate(lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240" role="img" '
        f'aria-label="{escape(title)} badge">'
        f"<title>{escape(title)}</title>"
        '<circle cx="120" cy="120" r="116" fill="#312e81"/>'
        '<circle cx="120" cy="120" r="104" fill="none" stroke="#a5b4fc" stroke-width="4"/>'
        '<text x="120" y="62" font-size="13" letter-spacing="2" text-anchor="middle" fill="#c7d2fe" '
        'font-family="sans-serif">MICRO-CREDENTIAL</text>'
        f'<g font-family="sans-serif">{text_lines}</g>'
        f'<text x="120" y="190" font-size="12" text-anchor="middle" fill="#e0e7ff" font-family="sans-serif">'
        f"{escape(provider[:32])}</text>"
        f'<text x="120" y="208" font-size="11" text-anchor="middle" fill="#a5b4fc" font-family="sans-serif">'
        f"EQF {microcredential.eqf_level}</text>"
        "</svg>"
    )


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines or [text]
