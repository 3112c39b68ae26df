"""The write path of credentials: issue, revoke, suspend, unsuspend, rotate keys.

Issuing signs an Open Badges 3.0 credential twice over (Data Integrity eddsa-rdfc-2022 and a
VC-JWT) with the issuer's active key, checks the result against the strict OB 3.0 JSON schema
and verifies both proofs before anything is stored: an invalid credential is never saved.

Status: each credential holds a random index in its issuer's current revocation list and one in
its suspension list. OB 3.0 allows a single ``credentialStatus`` ([0..1], the strict schema's
``credentialStatus`` is one object), so the credential names the revocation entry; the
suspension entry is published in its own list and reported by our pages, API and local
verification (see ``resolver.local_status_entries``).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from microcred.accounts.models import Organisation
from microcred.accounts.permissions import STAFF_ROLES, has_org_role, is_system, require_org_role
from microcred.core import events
from microcred.core.clock import now as clock_now
from microcred.core.errors import AuthenticationRequired, Conflict, NotFound, ValidationFailed
from microcred.core.services import audit_record
from microcred.learning.models import Completion
from microcred.learning.services import completion_mark_awarded

from . import links
from .issuing import add_months, build_unsigned_credential
from .keys import issuer_key_active, issuer_key_rotate, private_key_of, public_key_of
from .models import Credential, CredentialStatus, IssuerKey, StatusEntry, StatusPurpose
from .statuslists import slot_json, status_bit_set, status_entries_create, status_slots_reserve
from .vc.dataintegrity import sign, verify
from .vc.errors import KeyResolutionError
from .vc.jwt import sign_vc_jwt, verify_vc_jwt
from .vc.schema import validate_ob3_credential

MAX_REASON_LENGTH = 500

__all__ = [
    "award_credential",
    "credential_award_on_completion",
    "credential_issue",
    "credential_revoke",
    "credential_suspend",
    "credential_unsuspend",
    "issuer_key_rotate",
]


def _may_issue(actor: Any, completion: Completion) -> None:
    """The system, the learner the completion belongs to, or the provider's staff."""
    if is_system(actor):
        return
    if not getattr(actor, "is_authenticated", False):
        raise AuthenticationRequired("Sign in to do this.")
    if completion.enrolment.user_id == actor.pk:
        return
    if not has_org_role(actor, completion.enrolment.microcredential.provider_id, STAFF_ROLES):
        raise NotFound("Completion not found.")


def _sign_and_check(unsigned: dict[str, Any], *, key: IssuerKey, issued_at: datetime) -> tuple[dict[str, Any], str]:
    """Both proofs, then every check a verifier would make of them; raises rather than return
    something another verifier would reject."""
    organisation = key.organisation
    issuer_id = links.issuer_url(organisation.slug)
    vm_url = links.verification_method_url(organisation.slug, key.key_id)
    private_key = private_key_of(key)
    public_key = public_key_of(key)
    signed = sign(unsigned, private_key=private_key, verification_method=vm_url, created=issued_at, proof_as_list=True)
    token = sign_vc_jwt(unsigned, private_key=private_key, kid=vm_url)

    def this_key(vm: str) -> tuple[Any, str]:
        if vm != vm_url:
            raise KeyResolutionError(f"unexpected verification method {vm}")
        return public_key, issuer_id

    validate_ob3_credential(signed)
    verify(signed, resolve_key=this_key, expected_controller=issuer_id)
    verify_vc_jwt(token, resolve_key=lambda kid, header: this_key(kid or "")[0])
    return signed, token


def credential_issue(*, actor: Any, completion: Completion, now: datetime | None = None) -> Credential:
    """The credential of ``completion``, issued on first call; later (or concurrent) calls return
    the same one. Exactly one credential per completion: the completion row is locked, the
    one-to-one column is unique, and a lost race returns the winner's credential."""
    existing = Credential.objects.filter(completion_id=completion.pk).first()
    if existing is not None:
        return existing
    moment = (now or clock_now()).replace(microsecond=0)
    with transaction.atomic():
        locked = (
            Completion.objects.select_for_update()
            .select_related("enrolment__user", "enrolment__microcredential__provider")
            .get(pk=completion.pk)
        )
        _may_issue(actor, locked)
        existing = Credential.objects.filter(completion_id=locked.pk).first()
        if existing is not None:
            return existing
        enrolment = locked.enrolment
        mc = enrolment.microcredential
        organisation: Organisation = mc.provider
        key = issuer_key_active(organisation=organisation)
        slots = status_slots_reserve(organisation=organisation)
        revocation = next(slot for slot in slots if slot[0].purpose == StatusPurpose.REVOCATION)
        credential_uuid = Credential._meta.get_field("uuid").default()
        salt = secrets.token_hex(16)
        valid_from = locked.completed_at.replace(microsecond=0)
        valid_until = add_months(valid_from, mc.validity_months) if mc.validity_months else None
        unsigned = build_unsigned_credential(
            credential_id=links.credential_url(credential_uuid),
            completion=locked,
            email=enrolment.user.email,
            salt=salt,
            status_entry=slot_json(*revocation),
            issued_at=moment,
            valid_until=valid_until,
        )
        signed, token = _sign_and_check(unsigned, key=key, issued_at=moment)
        try:
            with transaction.atomic():
                credential = Credential.objects.create(
                    uuid=credential_uuid,
                    completion=locked,
                    user=enrolment.user,
                    microcredential=mc,
                    issuer=organisation,
                    issuer_key=key,
                    document=signed,
                    jwt=token,
                    recipient_salt=salt,
                    issued_at=moment,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
                status_entries_create(credential=credential, slots=slots)
        except IntegrityError:
            # Another worker issued it between our check and insert (only possible where the
            # database ignores row locks); theirs is the one.
            winner = Credential.objects.filter(completion_id=locked.pk).first()
            if winner is None:
                raise
            return winner
        audit_record(
            actor=actor,
            action="credential.issue",
            target=credential,
            uuid=str(credential.uuid),
            completion=locked.pk,
            microcredential=mc.pk,
            key_id=key.key_id,
        )
        events.emit(events.CredentialIssued(actor=actor, credential_id=credential.pk, completion_id=locked.pk))
    return credential


def award_credential(*, completion: Completion, actor: Any) -> Credential:
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


def _lock_for_staff(actor: Any, credential: Credential) -> Credential:
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
def credential_revoke(*, actor: Any, credential: Credential, reason: str) -> Credential:
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
def credential_suspend(*, actor: Any, credential: Credential, reason: str) -> Credential:
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
def credential_unsuspend(*, actor: Any, credential: Credential, reason: str | None = None) -> Credential:
    locked = _lock_for_staff(actor, credential)
    text = _clean_reason(reason, required=False)
    if locked.status != CredentialStatus.SUSPENDED:
        raise Conflict("Only a suspended credential can be reinstated.", code="not_suspended")
    status_bit_set(entry=_entry(locked, StatusPurpose.SUSPENSION), value=False)
    _set_status(locked, CredentialStatus.ACTIVE, "", clock_now())
    audit_record(actor=actor, action="credential.unsuspend", target=locked, reason=text)
    events.emit(events.CredentialReinstated(actor=actor, credential_id=locked.pk, reason=text))
    return locked


from .cohort import credentials_issue_cohort  # noqa: E402, F401  (bulk issuing: see cohort/)
