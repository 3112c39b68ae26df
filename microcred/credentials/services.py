"""The write path of credentials: issue, revoke, suspend, unsuspend; accreditation endorsements
(their documents are built in endorsements.py); key rotation is re-exported from keys/services.py.

Issuing signs an Open Badges 3.0 credential twice over (Data Integrity eddsa-rdfc-2022 and a
VC-JWT) with the issuer's active key, checks the result against the strict OB 3.0 JSON schema
and verifies both proofs before anything is stored: an invalid credential is never saved. A
credential issued alone and a cohort take the one issuing path (``cohort/services/``).

Status: each credential holds a random index in its issuer's current revocation list and one in
its suspension list. OB 3.0 allows a single ``credentialStatus`` ([0..1], the strict schema's
``credentialStatus`` is one object), so the credential names the revocation entry; the
suspension entry is published in its own list and reported by our pages, API and local
verification (see ``resolver.local_status_entries``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction

from microcred.accounts.permissions import STAFF_ROLES, Actor, require_authenticated, require_org_role
from microcred.accreditation.models import Accreditation, AccreditationStatus
from microcred.core import events
from microcred.core.clock import now as clock_now
from microcred.core.errors import Conflict, NotFound, ValidationFailed, full_clean_or_fail
from microcred.core.services import audit_record
from microcred.learning.models import Completion
from microcred.learning.services import completion_mark_awarded

from . import links
from .cohort.services import StatusSlots, credentials_issue_cohort, issue_alone, status_slots_attach
from .endorsements import (
    end_of_day,
    endorsement_comment,
    endorsement_live,
    endorsement_sign_and_check,
    endorser_profile,
    start_of_day,
)
from .keys.services import issuer_key_active, issuer_key_rotate
from .models import (
    AccreditationEndorsement,
    Credential,
    CredentialStatus,
    HolderName,
    PageVisibility,
    StatusEntry,
    StatusPurpose,
)
from .statuslists import LIST_SIZE, slot_json
from .statuslists.services import status_bit_set
from .vc.ob3 import StatusEntry as StatusEntryDocument
from .vc.ob3 import build_endorsement_credential

MAX_REASON_LENGTH = 500

__all__ = [
    "accreditation_endorsement_issue",
    "accreditation_endorsement_revoke",
    "accreditation_endorsement_sync",
    "award_credential",
    "credential_award_on_completion",
    "credential_issue",
    "credential_revoke",
    "credential_suspend",
    "credential_unsuspend",
    "credentials_issue_cohort",
    "endorsement_sync_on_accreditation_changed",
    "issuer_key_rotate",
]


def credential_issue(*, actor: Actor, completion: Completion, now: datetime | None = None) -> Credential:
    """The credential of ``completion``, issued on first call; later (or concurrent) calls return
    the same one. Issued as a cohort of one (``cohort/services/issue.py``): exactly one credential
    per completion, since the one-to-one column is unique and a lost race returns the winner's."""
    existing = Credential.objects.filter(completion_id=completion.pk).first()
    if existing is not None:
        return existing
    return issue_alone(actor=actor, completion=completion, now=now)


def award_credential(*, completion: Completion, actor: Actor) -> Credential:
    """Issue the completion's credential and note the completion awarded; idempotent, as
    awarders must be."""
    credential = credential_issue(actor=actor, completion=completion)
    completion_mark_awarded(actor=actor, completion=completion, awards=[credential])
    return credential


def credential_award_on_completion(event: events.CompletionRecorded) -> Credential:
    """The awarder: subscribes to ``CompletionRecorded``, after commit (``config/events.py``)."""
    completion = Completion.objects.select_related("enrolment__user", "enrolment__microcredential").get(
        pk=event.completion_id
    )
    return award_credential(completion=completion, actor=event.actor)


def _clean_reason(reason: str | None, *, required: bool) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationFailed(
            "Give a reason: the learner and anyone verifying will see it.", errors={"reason": ["A reason is required."]}
        )
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            f"The reason is too long (at most {MAX_REASON_LENGTH} characters).",
            errors={"reason": [f"At most {MAX_REASON_LENGTH} characters."]},
        )
    return text


def _lock_for_staff(actor: Actor, credential: Credential) -> Credential:
    require_org_role(actor, credential.issuer_id, STAFF_ROLES)
    return Credential.objects.select_for_update().select_related("issuer").get(pk=credential.pk)


def _entry(credential: Credential, purpose: str) -> StatusEntry:
    return StatusEntry.objects.select_related("status_list").get(credential=credential, status_list__purpose=purpose)


def _set_status(credential: Credential, status: str, reason: str, moment: datetime) -> None:
    credential.status = status
    credential.status_reason = reason
    credential.status_changed_at = moment
    credential.full_clean()
    credential.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])


@transaction.atomic
def credential_revoke(*, actor: Actor, credential: Credential, reason: str) -> Credential:
    """Revoke for good: the revocation bit is set and never cleared."""
    locked = _lock_for_staff(actor, credential)
    text = _clean_reason(reason, required=True)
    if locked.status == CredentialStatus.REVOKED:
        raise Conflict("This credential is already revoked; revocation is final.", code="already_revoked")
    status_bit_set(entry=_entry(locked, StatusPurpose.REVOCATION), value=True)
    previous = locked.status
    _set_status(locked, CredentialStatus.REVOKED, text, clock_now())
    audit_record(actor=actor, action="credential.revoke", target=locked, reason=text, previous=previous)
    events.emit(events.CredentialRevoked(actor=actor, credential_id=locked.pk, reason=text))
    return locked


@transaction.atomic
def credential_suspend(*, actor: Actor, credential: Credential, reason: str) -> Credential:
    locked = _lock_for_staff(actor, credential)
    text = _clean_reason(reason, required=True)
    if locked.status == CredentialStatus.REVOKED:
        raise Conflict("A revoked credential cannot be suspended.", code="already_revoked")
    if locked.status == CredentialStatus.SUSPENDED:
        raise Conflict("This credential is already suspended.", code="already_suspended")
    status_bit_set(entry=_entry(locked, StatusPurpose.SUSPENSION), value=True)
    _set_status(locked, CredentialStatus.SUSPENDED, text, clock_now())
    audit_record(actor=actor, action="credential.suspend", target=locked, reason=text)
    events.emit(events.CredentialSuspended(actor=actor, credential_id=locked.pk, reason=text))
    return locked


@transaction.atomic
def credential_unsuspend(*, actor: Actor, credential: Credential, reason: str | None = None) -> Credential:
    locked = _lock_for_staff(actor, credential)
    text = _clean_reason(reason, required=False)
    if locked.status != CredentialStatus.SUSPENDED:
        raise Conflict("Only a suspended credential can be reinstated.", code="not_suspended")
    status_bit_set(entry=_entry(locked, StatusPurpose.SUSPENSION), value=False)
    _set_status(locked, CredentialStatus.ACTIVE, "", clock_now())
    audit_record(actor=actor, action="credential.unsuspend", target=locked, reason=text)
    events.emit(events.CredentialReinstated(actor=actor, credential_id=locked.pk, reason=text))
    return locked


# Accreditation endorsements (the document is built in endorsements.py).


def accreditation_endorsement_issue(
    *, actor: Actor, accreditation: Accreditation, now: datetime | None = None
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
        existing = endorsement_live(locked)
        if existing is not None:
            return existing
        moment = (now or clock_now()).replace(microsecond=0)
        accreditor, provider = locked.accreditor, locked.provider
        key = issuer_key_active(organisation=accreditor)
        # Reserved and signed in the accreditation's transaction (a failure undoes the grant), so
        # the accreditor's revocation list stays locked until it commits: endorsements are rare.
        (slot,) = StatusSlots(accreditor, list_size=LIST_SIZE).reserve(StatusPurpose.REVOCATION, 1)
        entry = slot_json(*slot)
        endorsement_uuid = uuid.uuid4()
        valid_from = start_of_day(locked.valid_from)
        valid_until = end_of_day(locked.valid_until) if locked.valid_until is not None else None
        unsigned = build_endorsement_credential(
            credential_id=links.endorsement_url(endorsement_uuid),
            issuer=endorser_profile(accreditor),
            subject_id=links.issuer_url(provider.slug),
            comment=endorsement_comment(locked),
            name=f"Accreditation of {provider.name} by {accreditor.name}",
            valid_from=valid_from,
            valid_until=valid_until,
            awarded_date=moment,
            status=StatusEntryDocument(
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
            document=endorsement_sign_and_check(unsigned, key=key, created=moment),
            issued_at=moment,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        full_clean_or_fail(endorsement)
        endorsement.save()
        status_slots_attach([(slot, endorsement.pk)], holder="endorsement")
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
    *, actor: Actor, endorsement: AccreditationEndorsement, reason: str
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
    *, actor: Actor, accreditation: Accreditation, reason: str = ""
) -> AccreditationEndorsement | None:
    """An active accreditation has a live endorsement, any other has none. Idempotent."""
    if accreditation.status == AccreditationStatus.ACTIVE:
        return accreditation_endorsement_issue(actor=actor, accreditation=accreditation)
    live = endorsement_live(accreditation)
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


@transaction.atomic
def credential_sharing_update(
    *, actor: Actor, credential: Credential, holder_name: str, page_visibility: str
) -> Credential:
    """The holder's choices for their credential's public page: whether it shows their name, and
    who may open it. Only the holder decides; the signed document does not change."""
    user = require_authenticated(actor)
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.user_id != user.pk:
        # The same answer as for an id that does not exist: it is not theirs to see.
        raise NotFound("Credential not found.")
    choices = {"holder_name": (holder_name, HolderName), "page_visibility": (page_visibility, PageVisibility)}
    # "As my profile says" is kept for older credentials until changed, never chosen anew.
    offered = {"holder_name": [HolderName.SHOWN, HolderName.HIDDEN, locked.holder_name], "page_visibility": None}
    errors = {
        field: [f"Choose one of: {', '.join(offered[field] or kind.values)}."]
        for field, (value, kind) in choices.items()
        if value not in (offered[field] or kind.values)
    }
    if errors:
        raise ValidationFailed("These sharing choices are not valid.", errors=errors)
    locked.holder_name = holder_name
    locked.page_visibility = page_visibility
    locked.save(update_fields=["holder_name", "page_visibility", "updated_at"])
    return locked
