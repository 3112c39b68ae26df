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

:func:`endorsement_sync_on_accreditation_changed` subscribes to ``AccreditationChanged`` inside the
accreditation's transaction (``microcred/config/events.py``), so a grant whose endorsement cannot
be signed is not granted either.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from microcred.accounts.models import Organisation
from microcred.accounts.permissions import require_org_role
from microcred.accreditation.models import Accreditation, AccreditationStatus
from microcred.core import events
from microcred.core.clock import now as clock_now
from microcred.core.errors import Conflict, validation_from_django
from microcred.core.services import audit_record

from . import links
from .keys import issuer_key_active, private_key_of, public_key_of
from .models import AccreditationEndorsement, IssuerKey, StatusPurpose
from .statuslists import slot_json, status_bit_set, status_entries_create, status_slot_reserve
from .vc.dataintegrity import sign, verify
from .vc.errors import KeyResolutionError
from .vc.ob3 import IssuerProfile, StatusEntry, build_endorsement_credential
from .vc.schema import validate_endorsement

MAX_REASON_LENGTH = 500

__all__ = [
    "accreditation_endorsement_issue",
    "accreditation_endorsement_revoke",
    "accreditation_endorsement_sync",
    "endorsement_comment",
]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _end_of(day: date) -> datetime:
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


def _endorser_profile(accreditor: Organisation) -> IssuerProfile:
    # Lean on purpose: this profile is embedded in every credential the provider issues.
    return IssuerProfile(
        id=links.issuer_url(accreditor.slug),
        name=accreditor.name,
        url=accreditor.website or None,
        address_country=accreditor.country or None,
    )


def _sign_and_check(unsigned: dict[str, Any], *, key: IssuerKey, created: datetime) -> dict[str, Any]:
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


def _live(accreditation: Accreditation) -> AccreditationEndorsement | None:
    return AccreditationEndorsement.objects.filter(accreditation=accreditation, revoked_at__isnull=True).first()


def accreditation_endorsement_issue(
    *, actor: Any, accreditation: Accreditation, now: datetime | None = None
) -> AccreditationEndorsement:
    """The live endorsement of an active accreditation, signed by the accreditor on first call;
    later calls return the same one (the accreditation row is locked while signing)."""
    require_org_role(actor, accreditation.accreditor_id, roles=("owner",))
    with transaction.atomic():
        locked = (
            Accreditation.objects.select_for_update().select_related("accreditor", "provider").get(pk=accreditation.pk)
        )
        if locked.status != AccreditationStatus.ACTIVE:
            raise Conflict(
                "Only an active accreditation can be endorsed.",
                code="accreditation_not_active",
                accreditation_status=locked.status,
            )
        existing = _live(locked)
        if existing is not None:
            return existing
        moment = (now or clock_now()).replace(microsecond=0)
        accreditor, provider = locked.accreditor, locked.provider
        key = issuer_key_active(organisation=accreditor)
        slot = status_slot_reserve(organisation=accreditor, purpose=StatusPurpose.REVOCATION)
        entry = slot_json(*slot)
        endorsement_uuid = uuid.uuid4()
        valid_from = _start_of(locked.valid_from)
        valid_until = _end_of(locked.valid_until) if locked.valid_until is not None else None
        unsigned = build_endorsement_credential(
            credential_id=links.endorsement_url(endorsement_uuid),
            issuer=_endorser_profile(accreditor),
            subject_id=links.issuer_url(provider.slug),
            comment=endorsement_comment(locked),
            name=f"Accreditation of {provider.name} by {accreditor.name}",
            valid_from=valid_from,
            valid_until=valid_until,
            awarded_date=moment,
            status=StatusEntry(
                id=entry["id"],
                status_list_credential=entry["statusListCredential"],
                status_list_index=int(entry["statusListIndex"]),
                status_purpose=entry["statusPurpose"],
            ),
        )
        endorsement = AccreditationEndorsement(
            uuid=endorsement_uuid,
            accreditation=locked,
            issuer=accreditor,
            issuer_key=key,
            document=_sign_and_check(unsigned, key=key, created=moment),
            issued_at=moment,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        try:
            endorsement.full_clean()
        except ValidationError as exc:
            raise validation_from_django(exc) from exc
        endorsement.save()
        status_entries_create(endorsement=endorsement, slots=[slot])
        audit_record(
            actor=actor,
            action="endorsement.issue",
            target=endorsement,
            uuid=str(endorsement.uuid),
            accreditation=locked.pk,
            provider=provider.slug,
            key_id=key.key_id,
        )
    return endorsement


def accreditation_endorsement_revoke(
    *, actor: Any, endorsement: AccreditationEndorsement, reason: str
) -> AccreditationEndorsement:
    """Revoke for good: the bit in the accreditor's revocation list is set and never cleared."""
    require_org_role(actor, endorsement.issuer_id, roles=("owner",))
    text = reason.strip()[:MAX_REASON_LENGTH]
    with transaction.atomic():
        locked = AccreditationEndorsement.objects.select_for_update().get(pk=endorsement.pk)
        if locked.revoked_at is not None:
            raise Conflict("This endorsement is already revoked; revocation is final.", code="already_revoked")
        entry = locked.status_entries.select_related("status_list").get(status_list__purpose=StatusPurpose.REVOCATION)
        status_bit_set(entry=entry, value=True)
        locked.revoked_at = clock_now()
        locked.revocation_reason = text
        locked.save(update_fields=["revoked_at", "revocation_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="endorsement.revoke",
            target=locked,
            uuid=str(locked.uuid),
            accreditation=locked.accreditation_id,
            reason=text,
        )
    return locked


def accreditation_endorsement_sync(
    *, actor: Any, accreditation: Accreditation, reason: str = ""
) -> AccreditationEndorsement | None:
    """An active accreditation has a live endorsement, any other has none. Idempotent."""
    if accreditation.status == AccreditationStatus.ACTIVE:
        return accreditation_endorsement_issue(actor=actor, accreditation=accreditation)
    live = _live(accreditation)
    if live is not None:
        why = f"The accreditation was {accreditation.get_status_display().lower()}"
        accreditation_endorsement_revoke(
            actor=actor, endorsement=live, reason=f"{why}: {reason.strip()}" if reason.strip() else f"{why}."
        )
    return None


def endorsement_sync_on_accreditation_changed(event: events.AccreditationChanged) -> AccreditationEndorsement | None:
    """Subscribes to ``AccreditationChanged`` in the accreditation's transaction: a failure here
    undoes the grant or status change."""
    accreditation = Accreditation.objects.select_related("accreditor", "provider").get(pk=event.accreditation_id)
    return accreditation_endorsement_sync(actor=event.actor, accreditation=accreditation, reason=event.reason)
