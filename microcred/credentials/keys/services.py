"""The write path of issuer keys: rotation, and the key made on an organisation's first issue."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction

from microcred.accounts.models import Organisation
from microcred.accounts.permissions import Actor, require_org_role
from microcred.core import events
from microcred.core.actors import SYSTEM
from microcred.core.clock import now
from microcred.core.services import audit_record

from ..models import IssuerKey
from ..vc.multikey import ed25519_public_to_multibase
from . import encrypt_private_key

__all__ = ["issuer_key_active", "issuer_key_rotate"]


def _next_key_id(organisation: Organisation) -> str:
    return f"key-{organisation.issuer_keys.count() + 1}"


@transaction.atomic
def issuer_key_rotate(*, actor: Actor, organisation: Organisation) -> IssuerKey:
    """Make a new active key; the previous one is retired but stays published for verification."""
    require_org_role(actor, organisation, roles=("owner",))
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    moment = now()
    previous = list(IssuerKey.objects.filter(organisation=organisation, active=True))
    IssuerKey.objects.filter(pk__in=[k.pk for k in previous]).update(active=False, retired_at=moment)
    private_key = Ed25519PrivateKey.generate()
    key = IssuerKey.objects.create(
        organisation=organisation,
        key_id=_next_key_id(organisation),
        public_key_multibase=ed25519_public_to_multibase(private_key.public_key()),
        private_key_encrypted=encrypt_private_key(private_key),
        active=True,
    )
    audit_record(
        actor=actor,
        action="issuer_key.create",
        target=key,
        key_id=key.key_id,
        retired=[k.key_id for k in previous],
    )
    events.emit(
        events.IssuerKeyRotated(
            actor=actor,
            organisation_id=organisation.pk,
            old_key_id=previous[-1].key_id if previous else None,
            new_key_id=key.key_id,
        )
    )
    return key


def issuer_key_active(*, organisation: Organisation) -> IssuerKey:
    """The key that signs new credentials, made on first use."""
    key = IssuerKey.objects.filter(organisation=organisation, active=True).first()
    if key is None:
        with transaction.atomic():
            # Two first issuances at once must not each make (and retire) a key: the
            # organisation row serialises them, and the loser finds the winner's key.
            Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
            key = IssuerKey.objects.filter(organisation=organisation, active=True).first()
            if key is None:
                key = issuer_key_rotate(actor=SYSTEM, organisation=organisation)
    return key
