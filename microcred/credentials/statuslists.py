"""Bitstring Status Lists of our issuers: index allocation, bit flips, and the signed list
credential we publish.

One list per issuer and purpose is current at a time; when it is full the next number starts.
Indexes are random (not sequential) so a credential's position says nothing about when or how
many credentials were issued. Callers hold a transaction: rows are locked with
``select_for_update`` so two issuances can never take the same index, and flips of one list are
serialised.

The published list credential is cached in ``StatusList.published_document``; a flip clears it
and the next GET (or the export) re-signs it, so revocations show up as soon as the cache
headers of the last copy (``ttl``) allow.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from microcred.accounts.models import Organisation

from . import links
from .keys import issuer_key_active, private_key_of
from .models import StatusEntry, StatusList
from .vc.dataintegrity import sign
from .vc.statuslist import MIN_ENTRIES, allocate_random_indexes, build_status_entry, build_status_list_credential
from .vc.statuslist import StatusList as Bitstring

LIST_SIZE = MIN_ENTRIES
# A published list is re-signed when it is older than this, so its validUntil never lapses
# for a verifier who fetches it.
LIST_VALIDITY = timedelta(days=7)
RESIGN_BEFORE_EXPIRY = timedelta(days=1)


def ttl_seconds() -> int:
    return int(getattr(settings, "MICROCRED_STATUS_LIST_TTL_SECONDS", 300))


def list_url(status_list: StatusList) -> str:
    return links.status_list_url(status_list.organisation.slug, status_list.purpose, status_list.number)


def _new_list(organisation: Organisation, purpose: str, number: int) -> StatusList:
    return StatusList.objects.create(
        organisation=organisation,
        purpose=purpose,
        number=number,
        size=LIST_SIZE,
        allocated=0,
        bits=bytes(LIST_SIZE // 8),
    )


def _current_list(organisation: Organisation, purpose: str) -> StatusList:
    """The issuer's open list for ``purpose``, locked; a new one when the last is full."""
    current = (
        StatusList.objects.select_for_update()
        .filter(organisation=organisation, purpose=purpose)
        .order_by("-number")
        .first()
    )
    if current is not None and current.allocated < current.size:
        return current
    # Opening a list: serialise on the organisation row so two first issuances do not both
    # create list number N, then look again.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    current = (
        StatusList.objects.select_for_update()
        .filter(organisation=organisation, purpose=purpose)
        .order_by("-number")
        .first()
    )
    if current is None:
        return _new_list(organisation, purpose, 1)
    if current.allocated >= current.size:
        return _new_list(organisation, purpose, current.number + 1)
    return current


def _random_free_index(status_list: StatusList) -> int:
    if status_list.allocated * 2 < status_list.size:
        # Sparse list: a random probe is free more often than not, one query per probe.
        while True:
            candidate = secrets.randbelow(status_list.size)
            if not StatusEntry.objects.filter(status_list=status_list, index=candidate).exists():
                return candidate
    used = set(StatusEntry.objects.filter(status_list=status_list).values_list("index", flat=True))
    return allocate_random_indexes(used, length=status_list.size, count=1)[0]


def status_slots_reserve(*, organisation: Organisation) -> list[tuple[StatusList, int]]:
    """A free random index in the current revocation and suspension lists, for a credential
    about to be issued in the caller's transaction; the lists stay locked until it commits."""
    return [status_slot_reserve(organisation=organisation, purpose=purpose) for purpose in links.STATUS_PURPOSES]


def status_slot_reserve(*, organisation: Organisation, purpose: str) -> tuple[StatusList, int]:
    """A free random index in the current list of one purpose (an accreditation endorsement
    needs only a revocation bit); the list stays locked until the caller's transaction commits."""
    status_list = _current_list(organisation, purpose)
    return status_list, _random_free_index(status_list)


def status_entries_create(
    *, credential: Any = None, endorsement: Any = None, slots: list[tuple[StatusList, int]]
) -> list[StatusEntry]:
    """The entries of reserved ``slots`` for a credential or an endorsement (exactly one)."""
    if (credential is None) == (endorsement is None):
        raise ValueError("a status entry belongs to a credential or to an endorsement")
    entries = []
    for status_list, index in slots:
        entries.append(
            StatusEntry.objects.create(
                credential=credential, endorsement=endorsement, status_list=status_list, index=index
            )
        )
        StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + 1)
    return entries


def slot_json(status_list: StatusList, index: int) -> dict[str, Any]:
    return build_status_entry(list_id=list_url(status_list), index=index, purpose=status_list.purpose)


def entry_json(entry: StatusEntry) -> dict[str, Any]:
    return build_status_entry(list_id=list_url(entry.status_list), index=entry.index, purpose=entry.status_list.purpose)


def status_bit_set(*, entry: StatusEntry, value: bool) -> bool:
    """Set or clear the entry's bit; returns whether it changed. Clears the published copy."""
    status_list = StatusList.objects.select_for_update().get(pk=entry.status_list_id)
    bitstring = Bitstring.from_bytes(bytes(status_list.bits))
    if bool(bitstring.get(entry.index)) == value:
        return False
    bitstring.set(entry.index, 1 if value else 0)
    status_list.bits = bitstring.to_bytes()
    status_list.published_document = None
    status_list.published_at = None
    status_list.save(update_fields=["bits", "published_document", "published_at", "updated_at"])
    return True


def status_bit_of(entry: StatusEntry) -> int:
    status_list = StatusList.objects.get(pk=entry.status_list_id)
    return Bitstring.from_bytes(bytes(status_list.bits)).get(entry.index)


def _needs_signing(status_list: StatusList, now: datetime) -> bool:
    if status_list.published_document is None or status_list.published_at is None:
        return True
    return now >= status_list.published_at + LIST_VALIDITY - RESIGN_BEFORE_EXPIRY


def status_list_publish(*, status_list: StatusList, now: datetime) -> dict[str, Any]:
    """The signed BitstringStatusListCredential, re-signed only when the bits changed or the
    last signature is close to its validUntil."""
    if not _needs_signing(status_list, now):
        assert status_list.published_document is not None
        return status_list.published_document
    with transaction.atomic():
        locked = StatusList.objects.select_for_update().select_related("organisation").get(pk=status_list.pk)
        if not _needs_signing(locked, now):
            assert locked.published_document is not None
            return locked.published_document
        organisation = locked.organisation
        key = issuer_key_active(organisation=organisation)
        moment = now.replace(microsecond=0)
        unsigned = build_status_list_credential(
            list_id=list_url(locked),
            issuer=links.issuer_url(organisation.slug),
            status_list=Bitstring.from_bytes(bytes(locked.bits)),
            purpose=locked.purpose,
            valid_from=moment,
            valid_until=moment + LIST_VALIDITY,
            ttl_ms=ttl_seconds() * 1000,
        )
        signed = sign(
            unsigned,
            private_key=private_key_of(key),
            verification_method=links.verification_method_url(organisation.slug, key.key_id),
            created=moment,
        )
        locked.published_document = signed
        locked.published_at = moment
        locked.save(update_fields=["published_document", "published_at", "updated_at"])
        status_list.published_document, status_list.published_at = signed, moment
        return signed
