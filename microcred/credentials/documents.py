"""The public documents we host for our issuers: Profile/CID document, did:web document, JWKS,
and the Achievement of a micro-credential. Built from the database on demand; no secrets.

Every key an issuer ever had is published (retired ones too) so that credentials signed with a
retired key keep verifying; a key is never deleted, only retired.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from microcred.accounts.models import Organisation
from microcred.accreditation.selectors import current_accreditations
from microcred.catalog.models import MicroCredential

from . import links
from .badges.content import default_svg
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
    """A deterministic badge image for micro-credentials without their own artwork: the default
    badge drawn from the provider's brand colour and the EQF level, as baked downloads use it
    (``badges/artwork.py``, ADR 0044)."""
    return default_svg(microcredential)
