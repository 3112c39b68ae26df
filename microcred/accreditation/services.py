"""Granting accreditation and changing its status.

Both emit ``AccreditationChanged`` inside their transaction; the credentials app signs the
accreditor's endorsement as an in-transaction subscriber (``microcred/config/events.py``): if it
fails, the grant or status change does not happen either, so what the accreditation says and what
has been signed never disagree. This app imports none of its subscribers.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.accounts.permissions import Actor, require_org_role
from microcred.core import events
from microcred.core.errors import ValidationFailed, full_clean_or_fail
from microcred.core.services import audit_record

from .models import Accreditation, AccreditationStatus


@transaction.atomic
def accreditation_grant(
    *,
    actor: Actor,
    accreditor: Organisation,
    provider: Organisation,
    scope: str,
    valid_from: date,
    valid_until: date | None = None,
    reference: str = "",
) -> Accreditation:
    require_org_role(actor, accreditor, roles=("owner",))
    if accreditor.kind != OrganisationKind.ACCREDITOR:
        raise ValidationFailed("Only an accreditor can grant accreditation.")
    if provider.kind != OrganisationKind.PROVIDER:
        raise ValidationFailed("Only a provider can be accredited.")
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(
            "The accreditation must end after it starts.", errors={"valid_until": ["Before valid_from."]}
        )
    accreditation = Accreditation(
        accreditor=accreditor,
        provider=provider,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        reference=reference,
    )
    full_clean_or_fail(accreditation)
    accreditation.save()
    audit_record(actor=actor, action="accreditation.grant", target=accreditation, provider=provider.slug, scope=scope)
    events.emit(events.AccreditationChanged(actor=actor, accreditation_id=accreditation.pk))
    return accreditation


@transaction.atomic
def accreditation_set_status(
    *, actor: Actor, accreditation: Accreditation, status: str, reason: str = ""
) -> Accreditation:
    require_org_role(actor, accreditation.accreditor, roles=("owner",))
    if status not in AccreditationStatus.values:
        raise ValidationFailed(f"Unknown status {status!r}.")
    accreditation.status = status
    accreditation.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=f"accreditation.{status}", target=accreditation, reason=reason)
    events.emit(events.AccreditationChanged(actor=actor, accreditation_id=accreditation.pk, reason=reason))
    return accreditation
