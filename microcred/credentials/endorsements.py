"""Accreditation made verifiable: the accreditor signs an Open Badges 3.0 EndorsementCredential
for each provider it accredits, and the provider's issuer profile carries it.

* Signed with the ACCREDITOR's own issuer key (``{SITE_URL}/issuers/<accreditor>#key-n``, the
  verification method's controller is the accreditor's issuer id), so a verifier checks the
  accreditor's word, not the provider's.
* ``credentialSubject.id`` is the provider's issuer id; ``endorsementComment`` states scope,
  reference and period; ``validFrom``/``validUntil`` are the accreditation's days (00:00:00Z to
  23:59:59Z).
* Revocable: one entry in the accreditor's revocation status list (the strict OB schema allows
  a single ``credentialStatus``). Suspending or withdrawing the accreditation revokes the
  endorsement for good; reactivating it issues a fresh one with a new id and a new bit. A
  suspension list would let one endorsement come back to life, but every credential issued
  while the accreditation was suspended would then carry nothing to show it, and a verifier
  would need the suspension list we do not sign into the document. New, separate documents
  keep each endorsement's meaning simple: valid, expired, or revoked for ever.

The endorsement's write path (issue, revoke, sync, and the subscriber to ``AccreditationChanged``)
is in ``credentials/services.py``; this module builds, signs and checks the document.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from microcred.accounts.models import Organisation
from microcred.accreditation.models import Accreditation

from . import links
from .keys import private_key_of, public_key_of
from .models import AccreditationEndorsement, IssuerKey
from .vc.dataintegrity import sign, verify
from .vc.errors import KeyResolutionError
from .vc.ob3 import IssuerProfile
from .vc.schema import validate_endorsement

__all__ = [
    "end_of_day",
    "endorsement_comment",
    "endorsement_live",
    "endorsement_sign_and_check",
    "endorser_profile",
    "start_of_day",
]


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def endorsement_comment(accreditation: Accreditation) -> str:
    """What the accreditor vouches for, in words a person reads on the verification page."""
    parts = [f"Accredited by {accreditation.accreditor.name} for: {accreditation.scope.strip()}."]
    if accreditation.reference.strip():
        parts.append(f"Reference: {accreditation.reference.strip()}.")
    period = f"Valid from {accreditation.valid_from.isoformat()}"
    if accreditation.valid_until is not None:
        period += f" until {accreditation.valid_until.isoformat()}"
    else:
        period += ", with no end date"
    parts.append(period + ".")
    return " ".join(parts)


def endorser_profile(accreditor: Organisation) -> IssuerProfile:
    # Lean on purpose: this profile is embedded in every credential the provider issues.
    return IssuerProfile(
        id=links.issuer_url(accreditor.slug),
        name=accreditor.name,
        url=accreditor.website or None,
        address_country=accreditor.country or None,
    )


def endorsement_sign_and_check(unsigned: dict[str, Any], *, key: IssuerKey, created: datetime) -> dict[str, Any]:
    """Sign, then make every check a verifier would: strict schema, terms, proof, key binding."""
    slug = key.organisation.slug
    issuer_id = links.issuer_url(slug)
    vm_url = links.verification_method_url(slug, key.key_id)
    public_key = public_key_of(key)
    signed = sign(
        unsigned, private_key=private_key_of(key), verification_method=vm_url, created=created, proof_as_list=True
    )

    def this_key(vm: str) -> tuple[Any, str]:
        if vm != vm_url:
            raise KeyResolutionError(f"unexpected verification method {vm}")
        return public_key, issuer_id

    validate_endorsement(signed, strict=True)
    verify(signed, resolve_key=this_key, expected_controller=issuer_id)
    return signed


def endorsement_live(accreditation: Accreditation) -> AccreditationEndorsement | None:
    return AccreditationEndorsement.objects.filter(accreditation=accreditation, revoked_at__isnull=True).first()
