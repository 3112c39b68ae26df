"""Bitstring Status Lists of our issuers: bit flips, and the signed list credential we publish.

One list per issuer and purpose is current at a time; when it is full the next number starts.
Indexes are allocated at random by the one allocator of the issuing path
(``cohort/services/slots.StatusSlots``). Flips of one list are serialised: its row is locked
with ``select_for_update`` in the caller's transaction.

Reads live here; the writes (bit flips, signing and storing the published copy, the scheduled
refresh) are in ``statuslists/services.py``.

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
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .. import links
from ..keys import private_key_of
from ..keys.services import issuer_key_active
from ..models import StatusEntry, StatusList
from ..vc.dataintegrity import sign
from ..vc.statuslist import MIN_ENTRIES, build_status_entry, build_status_list_credential
from ..vc.statuslist import StatusList as Bitstring

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


def slot_json(status_list: StatusList, index: int) -> dict[str, Any]:
    return build_status_entry(list_id=list_url(status_list), index=index, purpose=status_list.purpose)


def entry_json(entry: StatusEntry) -> dict[str, Any]:
    return build_status_entry(list_id=list_url(entry.status_list), index=entry.index, purpose=entry.status_list.purpose)


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
