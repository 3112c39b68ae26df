"""Bitstring Status Lists of our issuers: index allocation, bit flips, and the signed list
credential we publish.

One list per issuer and purpose is current at a time; when it is full the next number starts.
Indexes are random (not sequential) so a credential's position says nothing about when or how
many credentials were issued. Callers hold a transaction: rows are locked with
``select_for_update`` so two issuances can never take the same index, and flips of one list are
serialised.

The published list credential is stored in ``StatusList.published_document`` and re-signed only
by writers: when a list is opened, when one of its bits flips (in the flip's transaction, so a
committed revocation is already in the signed copy), and on a schedule before its ``validUntil``
(``status_lists_refresh``: the ``credentials refresh-status-lists`` command, and a task each
signing queues for the list's due time). Serving a list (its URL, local verification) only reads
the stored copy: verification never writes (docs/decisions/0019-status-lists-signed-by-writers.md).
Revocations show up as soon as the cache headers of the last copy (``ttl``) allow.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import default_task_backend, task

from microcred.accounts.models import Organisation

from . import links
from .keys import private_key_of
from .keys.services import issuer_key_active
from .models import StatusEntry, StatusList
from .vc.dataintegrity import sign
from .vc.statuslist import MIN_ENTRIES, allocate_random_indexes, build_status_entry, build_status_list_credential
from .vc.statuslist import StatusList as Bitstring

LIST_SIZE = MIN_ENTRIES
# A published list is re-signed when it is older than this, so its validUntil never lapses
# for a verifier who fetches it.
LIST_VALIDITY = timedelta(days=7)
RESIGN_BEFORE_EXPIRY = timedelta(days=1)

logger = logging.getLogger(__name__)


def publication_time() -> datetime:
    """Now in the real present, even under ``clock.shifted_to``: a list is signed for the
    verifiers who fetch it today, so one opened while the demo replays a past issuance must not
    be born expired."""
    return timezone.now()


def ttl_seconds() -> int:
    return int(getattr(settings, "MICROCRED_STATUS_LIST_TTL_SECONDS", 300))


def list_url(status_list: StatusList) -> str:
    return links.status_list_url(status_list.organisation.slug, status_list.purpose, status_list.number)


def _new_list(organisation: Organisation, purpose: str, number: int) -> StatusList:
    created = StatusList.objects.create(
        organisation=organisation,
        purpose=purpose,
        number=number,
        size=LIST_SIZE,
        allocated=0,
        bits=bytes(LIST_SIZE // 8),
    )
    status_list_publish(status_list=created, now=publication_time())
    return created


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
    """Set or clear the entry's bit and re-sign the published list with it, in the caller's
    transaction; returns whether the bit changed."""
    status_list = StatusList.objects.select_for_update().select_related("organisation").get(pk=entry.status_list_id)
    bitstring = Bitstring.from_bytes(bytes(status_list.bits))
    if bool(bitstring.get(entry.index)) == value:
        return False
    bitstring.set(entry.index, 1 if value else 0)
    status_list.bits = bitstring.to_bytes()
    _sign_into(status_list, publication_time())
    status_list.save(update_fields=["bits", "published_document", "published_at", "updated_at"])
    return True


def status_bit_of(entry: StatusEntry) -> int:
    status_list = StatusList.objects.get(pk=entry.status_list_id)
    return Bitstring.from_bytes(bytes(status_list.bits)).get(entry.index)


def _due(now: datetime) -> Q:
    """Lists whose published copy is missing or reaches its re-signing time by ``now``."""
    return (
        Q(published_document__isnull=True) | Q(published_at__isnull=True) | Q(published_at__lte=now - _resign_after())
    )


def _resign_after() -> timedelta:
    return LIST_VALIDITY - RESIGN_BEFORE_EXPIRY


def _needs_signing(status_list: StatusList, now: datetime) -> bool:
    if status_list.published_document is None or status_list.published_at is None:
        return True
    return now >= status_list.published_at + _resign_after()


def _signed_document(status_list: StatusList, moment: datetime) -> dict[str, Any]:
    """The list credential of ``status_list``'s bits as of ``moment``, signed by the issuer's
    active key. Writes nothing (unless the issuer has no key yet: it is made on first use)."""
    organisation = status_list.organisation
    key = issuer_key_active(organisation=organisation)
    unsigned = build_status_list_credential(
        list_id=list_url(status_list),
        issuer=links.issuer_url(organisation.slug),
        status_list=Bitstring.from_bytes(bytes(status_list.bits)),
        purpose=status_list.purpose,
        valid_from=moment,
        valid_until=moment + LIST_VALIDITY,
        ttl_ms=ttl_seconds() * 1000,
    )
    return sign(
        unsigned,
        private_key=private_key_of(key),
        verification_method=links.verification_method_url(organisation.slug, key.key_id),
        created=moment,
    )


def _sign_into(locked: StatusList, now: datetime) -> None:
    """Sign ``locked`` (held with ``select_for_update``) into its published fields, for the
    caller to save, and queue its next re-signing for after the commit."""
    moment = now.replace(microsecond=0)
    locked.published_document = _signed_document(locked, moment)
    locked.published_at = moment
    list_id, due = locked.pk, moment + _resign_after()
    transaction.on_commit(lambda: _schedule_refresh(list_id, due))


def status_list_publish(*, status_list: StatusList, now: datetime) -> dict[str, Any]:
    """The signed BitstringStatusListCredential, signed and stored first when the list has no
    published copy yet or its copy is close to its validUntil. A write: for writers, the
    refresh and the export; serving a list uses ``status_list_document``."""
    if not _needs_signing(status_list, now):
        assert status_list.published_document is not None
        return status_list.published_document
    with transaction.atomic():
        locked = StatusList.objects.select_for_update().select_related("organisation").get(pk=status_list.pk)
        if not _needs_signing(locked, now):
            assert locked.published_document is not None
            return locked.published_document
        _sign_into(locked, now)
        locked.save(update_fields=["published_document", "published_at", "updated_at"])
        assert locked.published_document is not None
        status_list.published_document, status_list.published_at = locked.published_document, locked.published_at
        return locked.published_document


def status_list_document(*, status_list: StatusList, now: datetime) -> dict[str, Any]:
    """The list credential as published, for its URL and for local verification: read only.

    Writers keep the stored copy current (see the module's docstring). A copy past its
    validUntil is still served, as published (a verifier then reports the list as stale rather
    than the credential as unverifiable), and logged: the scheduled refresh has not run. A list
    with no copy at all (opened before lists were signed by writers, and not refreshed since)
    is signed for this answer alone, not stored, and logged likewise.
    """
    document = status_list.published_document
    if document is None or status_list.published_at is None:
        logger.warning(
            "Status list %s has no published copy; run `microcred credentials refresh-status-lists`.",
            list_url(status_list),
        )
        return _signed_document(status_list, now.replace(microsecond=0))
    if now >= status_list.published_at + LIST_VALIDITY:
        logger.warning(
            "Status list %s expired at %s; run `microcred credentials refresh-status-lists` on a schedule.",
            list_url(status_list),
            (status_list.published_at + LIST_VALIDITY).isoformat(),
        )
    return document


def status_lists_refresh(*, now: datetime) -> list[str]:
    """Sign every list whose published copy is missing or due for re-signing (one day before
    its validUntil); returns their URLs. Run daily or more often (cron, or the tasks queued
    by each signing); a list not yet due is left as it is, so running it twice does nothing."""
    refreshed = []
    due = StatusList.objects.filter(_due(now)).select_related("organisation").order_by("pk")
    for status_list in due.iterator(chunk_size=100):
        status_list_publish(status_list=status_list, now=now)
        refreshed.append(list_url(status_list))
    return refreshed


def _schedule_refresh(list_id: int, due: datetime) -> None:
    # The immediate backend (development, tests) cannot defer: there cron or the command does it.
    if default_task_backend.supports_defer:
        status_list_refresh_task.using(run_after=due).enqueue(list_id)


@task()
def status_list_refresh_task(list_id: int) -> dict[str, Any]:
    """Re-sign one list when it is due: queued by each signing for its re-signing time. A list
    re-signed meanwhile (a revocation) is not due, and that signing queued its own task."""
    status_list = StatusList.objects.select_related("organisation").filter(pk=list_id).first()
    if status_list is None:
        return {"list": list_id, "outcome": "gone"}
    moment = publication_time()
    if not _needs_signing(status_list, moment):
        return {"list": list_id, "outcome": "not due"}
    status_list_publish(status_list=status_list, now=moment)
    return {"list": list_id, "outcome": "re-signed"}
