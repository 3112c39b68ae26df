"""The writes of our status lists: a bit flip re-signs its list in the flip's transaction, and the
published copy is signed when a list opens and before its validUntil (ADR 0019)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django_tasks import default_task_backend, task

from ..models import StatusEntry, StatusList
from ..vc.statuslist import StatusList as Bitstring
from . import _due, _needs_signing, _resign_after, _signed_document, list_url, publication_time


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
