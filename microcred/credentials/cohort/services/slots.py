"""The one status-index allocator (``StatusSlots``) and the row writers of the issuing path.

A slot is a (status list, index) pair. Issuing reserves a credential's two slots in a short
transaction of their own and attaches them to the credential (``status_slots_attach``) in the
transaction that writes it, after signing; an endorsement does both in its own transaction. A
reserved slot that is never attached is burnt (see ``issue.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model
from django.utils import timezone

from microcred.accounts.models import Organisation

from ...models import StatusEntry, StatusList
from ...statuslists import publication_time
from ...statuslists.services import status_list_publish
from ...vc.statuslist import allocate_random_indexes

__all__ = ["COPY_AT_LEAST", "PROBE_AT_MOST", "Slot", "StatusSlots", "copies", "insert_rows", "status_slots_attach"]

Slot = tuple[StatusList, int]


@dataclass
class _KnownList:
    used: set[int] = field(default_factory=set)
    last_entry_id: int = 0


# Up to this many slots of a sparse list are drawn and looked up one batch at a time; more (a
# cohort's chunk) load the list's used indexes once per run and top them up from then on.
PROBE_AT_MOST: Final = 64


class StatusSlots:
    """The one status-index allocator: random free indexes in an issuer's current lists.

    ``reserve`` locks the current list of a purpose (``select_for_update``: two reservations
    never take the same index, and revocations of the list wait), draws the indexes, writes an
    entry for each with no holder yet and counts them in ``allocated``; a full list rolls over to
    the next number, opened (and signed) on first use. The caller's transaction holds the lock
    until it ends: issuing commits the reservation at once and signs afterwards, so the holder
    is attached later (``status_slots_attach``), in the transaction that writes the credential.

    Indexes are random (not sequential) so a credential's position says nothing about when or
    how many credentials were issued. A few slots of a sparse list are drawn and looked up
    (``_probe``); a chunk loads the list's used indexes once per run and then only tops them up
    with entries newer than the last one seen: every reservation writes a list's entries while
    holding that list's lock, so entry ids of one list grow in commit order and nothing
    committed before the lock was taken is missed.
    """

    def __init__(self, organisation: Organisation, *, list_size: int) -> None:
        self.organisation = organisation
        self.list_size = list_size
        self.known: dict[int, _KnownList] = {}

    def reserve(self, purpose: str, count: int) -> list[Slot]:
        slots: list[Slot] = []
        status_list = self._current(purpose)
        while len(slots) < count:
            picked = self._pick(status_list, count - len(slots))
            if picked:
                slots.extend((status_list, index) for index in picked)
                StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + len(picked))
                status_list.allocated += len(picked)
            if len(slots) < count:
                status_list = self._open(purpose, status_list.number + 1)
        insert_rows(StatusEntry, [{"status_list_id": status_list.pk, "index": index} for status_list, index in slots])
        return slots

    def _pick(self, status_list: StatusList, wanted: int) -> list[int]:
        if status_list.allocated >= status_list.size:
            return []
        sparse = (status_list.allocated + wanted) * 2 <= status_list.size
        if status_list.pk not in self.known and sparse and wanted <= PROBE_AT_MOST:
            return self._probe(status_list, wanted)
        used = self._used(status_list)
        take = min(wanted, status_list.size - len(used))
        if take <= 0:
            return []
        picked = allocate_random_indexes(used, length=status_list.size, count=take)
        used.update(picked)
        return picked

    def _probe(self, status_list: StatusList, wanted: int) -> list[int]:
        """Draw, look the drawn indexes up, draw again for those already used: the draws and
        their outcome are those of ``allocate_random_indexes`` over the list's used indexes,
        without reading them all (a list a cohort filled holds up to a million)."""
        used: set[int] = set()
        picked: list[int] = []
        while len(picked) < wanted:
            drawn = allocate_random_indexes(used.union(picked), length=status_list.size, count=wanted - len(picked))
            taken = set(
                StatusEntry.objects.filter(status_list=status_list, index__in=drawn).values_list("index", flat=True)
            )
            used |= taken
            picked.extend(index for index in drawn if index not in taken)
        return picked

    def _current(self, purpose: str) -> StatusList:
        current = (
            StatusList.objects.select_for_update()
            .filter(organisation=self.organisation, purpose=purpose)
            .order_by("-number")
            .first()
        )
        return self._with_organisation(current) if current is not None else self._open(purpose, 1)

    def _with_organisation(self, status_list: StatusList) -> StatusList:
        # Entries name their list by URL (the issuer's slug): no query per slot for it.
        status_list.organisation = self.organisation
        return status_list

    def _open(self, purpose: str, number: int) -> StatusList:
        try:
            with transaction.atomic():
                created = StatusList.objects.create(
                    organisation=self.organisation,
                    purpose=purpose,
                    number=number,
                    size=self.list_size,
                    allocated=0,
                    bits=bytes(self.list_size // 8),
                )
                # Signed as it opens, so serving it never has to (see ``statuslists``).
                status_list_publish(status_list=self._with_organisation(created), now=publication_time())
            return created
        except IntegrityError:
            # Another writer opened it between our look and our insert: use theirs.
            return self._with_organisation(
                StatusList.objects.select_for_update().get(
                    organisation=self.organisation, purpose=purpose, number=number
                )
            )

    def _used(self, status_list: StatusList) -> set[int]:
        known = self.known.setdefault(status_list.pk, _KnownList())
        newer = StatusEntry.objects.filter(status_list=status_list, pk__gt=known.last_entry_id).values_list(
            "pk", "index"
        )
        for entry_id, index in newer.iterator(chunk_size=10_000):
            known.used.add(index)
            known.last_entry_id = max(known.last_entry_id, entry_id)
        return known.used


def status_slots_attach(holders: Sequence[tuple[Slot, int]], *, holder: str = "credential") -> None:
    """Hand reserved slots to their holders (``holder``: ``"credential"`` or ``"endorsement"``
    ids), in the transaction that writes the holders. A slot must still be free: one that is
    not (it was never reserved, or is held already) fails the transaction."""
    if holder not in ("credential", "endorsement"):
        raise ValueError(f"a status entry is held by a credential or an endorsement, not {holder!r}")
    if not holders:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        table = quote(StatusEntry._meta.db_table)
        column = quote(f"{holder}_id")
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {column} = slot.holder"  # noqa: S608 (names from the model, values bound)
                " FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS slot(list_id, position, holder)"
                f" WHERE {table}.status_list_id = slot.list_id AND {table}.{quote('index')} = slot.position"
                f" AND {table}.credential_id IS NULL AND {table}.endorsement_id IS NULL",
                [
                    [status_list.pk for (status_list, _), _ in holders],
                    [index for (_, index), _ in holders],
                    [pk for _, pk in holders],
                ],
            )
            attached = cursor.rowcount
    else:
        attached = sum(
            StatusEntry.objects.filter(
                status_list_id=status_list.pk, index=index, credential__isnull=True, endorsement__isnull=True
            ).update(**{f"{holder}_id": pk})
            for (status_list, index), pk in holders
        )
    if attached != len(holders):
        raise IntegrityError(f"{len(holders) - attached} of {len(holders)} status slots were not reserved and free")


# Writing rows. Rows are plain dicts of attribute name -> value; per-row ``full_clean`` is
# skipped because every value comes from rows just read or from our own builder, and the
# database enforces what matters (unique uuid and completion, foreign keys, the index pairs).


# From this many rows on PostgreSQL, ``COPY`` (two statements) beats one multi-row INSERT.
COPY_AT_LEAST: Final = 50


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows``; returns their ids in order. ``COPY`` for a chunk's rows on PostgreSQL,
    several times faster than INSERT (ids drawn from the sequence first); a bulk INSERT else."""
    if not rows:
        return []
    if copies(len(rows)):
        ids = _next_ids(model, len(rows))
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
        _copy(model, rows)
        return ids
    objects = [model(**row) for row in rows]
    model._default_manager.bulk_create(objects)
    return [obj.pk for obj in objects]


def copies(count: int) -> bool:
    """Whether ``insert_rows`` writes ``count`` rows with ``COPY``."""
    return connection.vendor == "postgresql" and count >= COPY_AT_LEAST


def _next_ids(model: type[Model], count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """PostgreSQL ``COPY ... FROM STDIN`` of ``rows``: the columns of the first row, the model's
    timestamps, and every other column with a model default (Django's defaults live in Python,
    not in the table, so a column COPY leaves out would be NULL, as ``bulk_create`` never does)."""
    now = timezone.now()
    stamps = ("created_at", "updated_at")
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.attname in rows[0] or f.name in stamps or (f.has_default() and not f.primary_key)
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.attname) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    # A row's own value, else the timestamp, else the field's default (computed once per field).
    fallback = {f.attname: now if f.name in stamps else f.get_default() for f in fields if f.attname not in rows[0]}
    names = [f.attname for f in fields]
    # The driver's own cursor: its errors are turned into Django's (an IntegrityError) by hand.
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[name] if name in row else fallback[name] for name in names])
