"""The database side of cohort issuing: claiming completions, reserving status slots, writing.

Everything here runs inside the caller's per-chunk transaction.

Exactly one credential per completion, even with two cohort runs (or a cohort run and the
single-credential awarder) at once: a chunk's completions are claimed with ``SELECT ... FOR
UPDATE SKIP LOCKED`` and only those without a credential, and the locks are held until the
chunk's credentials are written and committed. A concurrent run skips them (and finds them
issued when it next looks); ``credential_issue`` waits on the row lock and then returns our
credential. Status slots are reserved in the same transaction, so a chunk that fails (or loses
a race) rolls its slots back with it: nothing leaks. On SQLite, whose transactions take the
database write lock at BEGIN (``transaction_mode=IMMEDIATE`` in settings), chunks are
serialised outright.

Status slots: the issuer's current revocation and suspension lists are locked with
``select_for_update`` (the same order as ``statuslists.status_slots_reserve``, so the two
cannot deadlock), a chunk's random indexes are drawn in one go with
``allocate_random_indexes``, and ``allocated`` is bumped by one UPDATE per list. The set of
used indexes is loaded once per run and then only topped up with entries newer than the last
one seen: every writer inserts a list's entries while holding that list's row lock, so entry
ids of one list grow in commit order and nothing committed before we took the lock is missed.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Model, OuterRef, QuerySet
from django.utils import timezone

from microcred.accounts.models import Organisation
from microcred.catalog.models import MicroCredential
from microcred.learning.models import Completion

from ..models import Credential, StatusEntry, StatusList
from ..statuslists import LIST_SIZE, publication_time, status_list_publish
from ..vc.statuslist import allocate_random_indexes

# Lists opened by cohort runs: 2^20 entries (128 KiB of bits, a few hundred bytes gzipped while
# few are set) so a 100,000-learner cohort fills a tenth of one list. A fuller list tells a
# verifier more about who else is in it; the spec's minimum (131,072) is kept as a floor.
COHORT_LIST_SIZE = max(LIST_SIZE, 1 << 20)


def pending_completions(mc: MicroCredential) -> QuerySet[Completion]:
    """Completions of this version of the micro-credential that have no credential yet."""
    return Completion.objects.filter(enrolment__microcredential=mc).filter(
        ~Exists(Credential.objects.filter(completion_id=OuterRef("pk")))
    )


@dataclass(frozen=True)
class Claimed:
    pk: int
    completed_at: Any
    score: Any
    user_id: int
    email: str


def pending_ids(pending: QuerySet[Completion]) -> array[int]:
    """The run's scope: ids of the completions pending when it starts, streamed into a compact
    array (8 bytes each: 800 KB for 100,000). Later completions are the next run's. Claiming
    by id keeps each chunk's query an index lookup; a keyset query over the join instead makes
    PostgreSQL re-read the micro-credential's whole enrolment list for every chunk."""
    ids = array("q")
    ids.extend(pending.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10_000))
    return ids


def lock_issuer(mc: MicroCredential) -> None:
    """Lock the micro-credential and its provider before anything else of a chunk.

    ``credential_issue`` locks, in one statement, a completion with its enrolment, learner,
    micro-credential and provider, and then the status lists. A chunk's commit checks its
    (deferred) foreign keys against the micro-credential, provider and learners, so a chunk
    holding the lists must never wait for those rows: it takes them first, in the same order
    (micro-credential, provider, then learners with the completions, then lists), and
    ``credential_issue`` waits for the chunk instead of deadlocking with it.
    """
    list(MicroCredential.objects.select_for_update(no_key=True).filter(pk=mc.pk).values_list("pk"))
    list(Organisation.objects.select_for_update(no_key=True).filter(pk=mc.provider_id).values_list("pk"))


def claim(ids: Sequence[int]) -> list[Claimed]:
    """Those of ``ids`` (from ``pending_ids``) still without a credential, locked with their
    learners; rows another transaction holds are skipped (left for the next run). Only the
    credential is looked up again: an id's micro-credential cannot change."""
    rows = (
        Completion.objects.filter(pk__in=list(ids))
        .filter(~Exists(Credential.objects.filter(completion_id=OuterRef("pk"))))
        .order_by("pk")
        .select_related("enrolment__user")
        .only("completed_at", "score", "enrolment__user__email")
        .select_for_update(skip_locked=True, no_key=True, of=("self", "enrolment__user"))
    )
    return [Claimed(c.pk, c.completed_at, c.score, c.enrolment.user_id, c.enrolment.user.email) for c in rows]


@dataclass
class _KnownList:
    used: set[int] = field(default_factory=set)
    last_entry_id: int = 0


class SlotReserver:
    """Random free indexes of an issuer's current lists, a chunk at a time."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.known: dict[int, _KnownList] = {}

    def reserve(self, purpose: str, count: int) -> list[tuple[StatusList, int]]:
        slots: list[tuple[StatusList, int]] = []
        status_list = self._current(purpose)
        while len(slots) < count:
            used = self._used(status_list)
            take = min(count - len(slots), status_list.size - len(used))
            if take > 0:
                picked = allocate_random_indexes(used, length=status_list.size, count=take)
                used.update(picked)
                slots.extend((status_list, index) for index in picked)
                StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + take)
            if len(slots) < count:
                status_list = self._open(purpose, status_list.number + 1)
        return slots

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
                    size=COHORT_LIST_SIZE,
                    allocated=0,
                    bits=bytes(COHORT_LIST_SIZE // 8),
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


# Writing. Rows are plain dicts of attribute name -> value; per-row ``full_clean`` is skipped
# because every value comes from rows just read or from our own builder, and the database
# enforces what matters (unique uuid and completion, foreign keys, the status index pairs).


def insert_credentials(rows: list[dict[str, Any]]) -> list[int]:
    """Insert credentials (``document`` as JSON text); returns their ids in order."""
    if connection.vendor == "postgresql":
        ids = _next_ids(Credential, len(rows))
        for row, pk in zip(rows, ids, strict=True):
            row["id"] = pk
        _copy(Credential, rows)
        return ids
    import json

    objects = [Credential(**{**row, "document": json.loads(row["document"])}) for row in rows]
    Credential.objects.bulk_create(objects)
    return [obj.pk for obj in objects]


def insert_entries(rows: list[dict[str, Any]]) -> None:
    if connection.vendor == "postgresql":
        _copy(StatusEntry, rows)
    else:
        StatusEntry.objects.bulk_create([StatusEntry(**row) for row in rows])


def _next_ids(model: type[Model], count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """PostgreSQL ``COPY ... FROM STDIN``: several times faster than INSERT for a chunk's rows."""
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0] or f.name in ("created_at", "updated_at")]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.attname) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    names = [f.attname for f in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row.get(name, now) for name in names])


def pending_by_microcredential(organisation: Organisation) -> list[MicroCredential]:
    """The issuer's micro-credential versions with completions still waiting for a credential,
    each with ``pending`` set to how many."""
    from django.db.models import Count, Q

    return list(
        MicroCredential.objects.filter(provider=organisation)
        .annotate(
            pending=Count(
                "enrolments__completion",
                filter=Q(enrolments__completion__isnull=False, enrolments__completion__credential__isnull=True),
            )
        )
        .filter(pending__gt=0)
        .order_by("title", "-version")
    )
