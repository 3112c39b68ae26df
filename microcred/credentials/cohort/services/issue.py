"""The one issuing path: every credential of a completion is issued here, a whole cohort at a
time (``credentials_issue_cohort``) or alone (``issue_alone``, which ``services.credential_issue``
calls: a cohort of one). Both take the same steps, with one permission check, one set of
pre-issue checks, one status-index allocator (``StatusSlots``) and one document builder
(``issuing.CredentialDocuments``); ``checks.ALONE`` and ``checks.COHORT`` list the few things
that differ.

One credential per completion of *this version* of a micro-credential that has none yet. A
version is its own Achievement (its id, version, outcomes and criteria are signed into the
credential), so a cohort is one version; the command line walks the versions of a slug.

The completions pending when the run starts (their ids only, ``store.pending_ids``) are issued
in chunks of ``chunk_size``, each in three steps:

1. reserve, a short transaction: claim the chunk's completions (``store.claim``: locked, only
   those still without a credential) and reserve a revocation and a suspension slot for each
   at random indexes (``StatusSlots.reserve``). The status lists are locked here only; the
   reserved entries are written without a holder and counted in ``allocated``; commit.
2. sign, outside any transaction: build each credential (the parts every credential shares
   were read once for the run), sign it with the fast path and as a VC-JWT, and check the
   first of the chunk in full (``signing``); with ``workers`` > 0 in forked processes.
3. write, a transaction: insert the credentials (``COPY`` on PostgreSQL) as the signed batches
   come back, hand each its two reserved entries, then the audit rows, the completions awarded
   and the events; commit, then report progress. A completion someone else issued after our
   claim makes the unique completion column refuse the insert: the chunk is written again
   without it.

With signing workers, the next chunk is reserved and handed to them before this one is written,
so they sign while the parent writes.

Nothing is half-written: a credential and its entries are written in one transaction, and a
failure after step 1 (a failed check, a lost lease, a killed worker, a completion issued
meanwhile by someone else) leaves only reserved entries that no credential holds. Those
indexes are burnt: counted in ``allocated``, never handed out again, their bit never set. A
verifier learns nothing from a bit no credential names, and a list has room to spare (ADR 0024).
Chunks already committed are complete, checked and stay issued; a second run picks up where the
first stopped. All credentials of a run share one issuance time (``now``, or the moment the run
started): it is when the issuer decided to award them.

Locks, always taken in this order: the chunk's completions and their learners, then the
issuer's revocation and suspension lists, both in step 1 only. Signing holds no status-list
lock, so one issuer's other issuances and revocations never wait for it. Inside a caller's own
transaction (an endorsement's, a test's) the steps are savepoints and the locks last until it
ends. On SQLite, whose transactions take the database write lock at BEGIN
(``transaction_mode=IMMEDIATE``), each step is serialised outright.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import time
import uuid as uuid_module
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from microcred.accounts.permissions import Actor
from microcred.catalog.models import MicroCredential
from microcred.core import events
from microcred.core.clock import now as clock_now
from microcred.core.errors import AppError
from microcred.core.services import audit_record
from microcred.learning.models import Completion

from ... import links
from ...issuing import CredentialDocuments, add_months
from ...keys import private_key_of, public_key_of
from ...keys.services import issuer_key_active
from ...models import Credential, CredentialStatus, IssuerKey, StatusPurpose
from ...statuslists import list_url, slot_json
from ...vc.errors import CredentialError
from ..checks import ALONE, COHORT, Style, pre_issue_checks
from ..signing import SignedBatch, SignerState, signer
from ..store import Claimed, claim, pending_ids, with_credential
from .slots import Slot, StatusSlots, copies, insert_rows, status_slots_attach

__all__ = [
    "CHUNK_SIZE",
    "CohortCheckFailed",
    "CohortReport",
    "credentials_issue_cohort",
    "default_workers",
    "issue_alone",
]

CHUNK_SIZE = 1000
# Below this many pending completions forking workers costs more than it saves.
INLINE_BELOW = 1000
Progress = Callable[[int, int], None]


class CohortCheckFailed(AppError):
    code = "cohort_check_failed"
    status = 500
    title = "Credential check failed"


@dataclass
class CohortReport:
    microcredential_id: int
    pending: int  # completions without a credential when the run started
    issued: int = 0
    chunks: int = 0
    workers: int = 0
    seconds: float = 0.0
    first_uuid: str | None = None
    last_uuid: str | None = None
    status_lists: list[str] = field(default_factory=list)
    # Seconds per stage. Parent: claim, reserve, prepare, wait (for signers), insert, finish
    # (awarded + audit), commit. Signers (summed over workers): build, sign, jwt, check, serialise.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def not_issued(self) -> int:
        """Pending at the start but not issued by this run: issued meanwhile by someone else."""
        return max(self.pending - self.issued, 0)

    @property
    def rate(self) -> float:
        return self.issued / self.seconds if self.seconds else 0.0


def default_workers(pending: int) -> int:
    if pending < INLINE_BELOW:
        return 0
    return max(os.cpu_count() or 1, 1)


def _insert_credentials(rows: list[dict[str, Any]]) -> list[int]:
    """Credentials with ``document`` as JSON text (as the signers serialise it: ``COPY`` takes it
    as it is, an INSERT of a JSON field wants it parsed)."""
    if copies(len(rows)):
        return insert_rows(Credential, rows)
    return insert_rows(Credential, [{**row, "document": json.loads(row["document"])} for row in rows])


@dataclass
class _Run:
    """What every chunk of one issuance shares, read once."""

    actor: Actor
    mc: MicroCredential
    key: IssuerKey
    moment: datetime
    style: Style
    slots: StatusSlots
    report: CohortReport
    on_chunk: Callable[[int], None] | None
    lists_used: dict[int, str] = field(default_factory=dict)
    audited: list[Credential] | None = None  # the credentials audited one by one, for the caller

    def lap(self, stage: str, since: float) -> float:
        at = time.perf_counter()
        self.report.timings[stage] = self.report.timings.get(stage, 0.0) + at - since
        return at


@dataclass
class _Reserved:
    """A chunk after step 1: its claimed completions, each with its two slots, uuid and row."""

    claimed: list[Claimed]
    revocation: list[Slot]
    suspension: list[Slot]
    uuids: list[uuid_module.UUID]
    rows: list[dict[str, Any]]  # the credentials' columns but their document and VC-JWT
    items: list[dict[str, Any]]  # ``CredentialDocuments.unsigned`` arguments, for the signers


def _reserve(run: _Run, ids: Sequence[int]) -> _Reserved | None:
    """Step 1, in a transaction of its own: the chunk's completions claimed and their slots reserved."""
    at = time.perf_counter()
    with transaction.atomic():
        claimed = claim(ids, skip_locked=not run.style.wait_for_held)
        at = run.lap("claim", at)
        if not claimed:
            return None
        revocation = run.slots.reserve(StatusPurpose.REVOCATION, len(claimed))
        suspension = run.slots.reserve(StatusPurpose.SUSPENSION, len(claimed))
    at = run.lap("reserve", at)
    mc, organisation = run.mc, run.mc.provider
    uuids = [uuid_module.uuid4() for _ in claimed]
    rows: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for completion, credential_uuid, (status_list, index) in zip(claimed, uuids, revocation, strict=True):
        salt = secrets.token_hex(16)
        valid_from = completion.completed_at.replace(microsecond=0)
        valid_until = add_months(valid_from, mc.validity_months) if mc.validity_months else None
        items.append(
            {
                "credential_id": links.credential_url(credential_uuid),
                "email": completion.email,
                "salt": salt,
                "status_entry": slot_json(status_list, index),
                "completed_at": completion.completed_at,
                "score": completion.score,
                "valid_until": valid_until,
                "summary": completion.summary,
            }
        )
        rows.append(
            {
                "uuid": credential_uuid,
                "completion_id": completion.pk,
                "user_id": completion.user_id,
                "microcredential_id": mc.pk,
                "issuer_id": organisation.pk,
                "issuer_key_id": run.key.pk,
                "recipient_salt": salt,
                "issued_at": run.moment,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "status": CredentialStatus.ACTIVE.value,
                "status_reason": "",
                "status_changed_at": None,
            }
        )
    run.lap("prepare", at)
    return _Reserved(claimed, revocation, suspension, uuids, rows, items)


def _signed(run: _Run, future: Future[SignedBatch]) -> SignedBatch:
    try:
        return future.result()
    except CredentialError as exc:
        if not run.style.wrap_check_failures:
            raise
        raise CohortCheckFailed(f"A credential failed its checks; nothing of this chunk was issued: {exc}") from exc
    except BrokenProcessPool as exc:
        raise CohortCheckFailed("A signing worker died; nothing of this chunk was issued.") from exc


def _write(run: _Run, chunk: _Reserved, futures: list[tuple[int, Future[SignedBatch]]]) -> list[uuid_module.UUID]:
    """Step 3: the chunk's credentials, with their entries, audit rows and events; returns their
    uuids. A completion another issuer wrote a credential for after our claim (its unique
    completion column refuses ours) is dropped and the rest written again; its slots stay
    reserved and unheld: burnt."""
    dropped: set[int] = set()
    while True:
        try:
            return _write_once(run, chunk, futures, dropped)
        except IntegrityError:
            issued_meanwhile = with_credential([completion.pk for completion in chunk.claimed])
            if issued_meanwhile <= dropped:
                raise  # not a race for a completion: a real error
            dropped |= issued_meanwhile


def _write_once(
    run: _Run, chunk: _Reserved, futures: list[tuple[int, Future[SignedBatch]]], dropped: set[int]
) -> list[uuid_module.UUID]:
    timings = run.report.timings
    at = time.perf_counter()
    with transaction.atomic():
        issued: list[tuple[int, int]] = []  # (credential, completion), for the audit and the events
        written: list[uuid_module.UUID] = []
        for start, future in futures:
            signed = _signed(run, future)
            at = run.lap("wait", at)
            for name, seconds in signed.timings.items():
                timings[name] = timings.get(name, 0.0) + seconds
            part, slots = [], []
            positions = range(start, start + len(signed.documents))
            for offset, document, token in zip(positions, signed.documents, signed.tokens, strict=True):
                row = chunk.rows[offset]
                if row["completion_id"] in dropped:
                    continue
                part.append({**row, "document": document, "jwt": token})
                slots.append((chunk.revocation[offset], chunk.suspension[offset]))
                written.append(chunk.uuids[offset])
            ids = _insert_credentials(part)
            issued.extend(zip(ids, (row["completion_id"] for row in part), strict=True))
            holders = [(slot, pk) for pk, pair in zip(ids, slots, strict=True) for slot in pair]
            status_slots_attach(holders)
            for (status_list, _), _ in holders:
                run.lists_used.setdefault(status_list.pk, list_url(status_list))
            at = run.lap("insert", at)
        if not issued:
            return []
        _finish(run, issued, written)
        if run.on_chunk is not None:
            run.on_chunk(len(issued))
        at = run.lap("finish", at)
    run.lap("commit", at)
    return written


def _finish(run: _Run, issued: list[tuple[int, int]], written: list[uuid_module.UUID]) -> None:
    """The chunk's audit rows, awarded completions and events, in its write transaction."""
    actor, mc, key = run.actor, run.mc, run.key
    if run.style.audit_each:
        for credential_id, completion_id in issued:
            credential = Credential.objects.get(pk=credential_id)
            if run.audited is not None:
                run.audited.append(credential)
            audit_record(
                actor=actor,
                action="credential.issue",
                target=credential,
                uuid=str(credential.uuid),
                completion=completion_id,
                microcredential=mc.pk,
                key_id=key.key_id,
            )
    else:
        Completion.objects.filter(pk__in=[pk for _, pk in issued], awarded_at__isnull=True).update(
            awarded_at=run.moment
        )
        audit_record(
            actor=actor,
            action="credential.issue_bulk",
            target=mc,
            count=len(issued),
            first=str(written[0]),
            last=str(written[-1]),
            key_id=key.key_id,
            credentials=[str(u) for u in written],
        )
    for credential_id, completion_id in issued:
        events.emit(events.CredentialIssued(actor=actor, credential_id=credential_id, completion_id=completion_id))


def _issue(
    *,
    actor: Actor,
    version: Q,
    completions: Iterable[Completion] | None,
    now: datetime | None,
    progress: Progress | None,
    workers: int | None,
    chunk_size: int,
    on_chunk: Callable[[int], None] | None,
    style: Style,
    audited: list[Credential] | None = None,
) -> CohortReport:
    started = time.perf_counter()
    mc, pending = pre_issue_checks(
        actor=actor, version=version, completions=completions, chunk_size=chunk_size, style=style
    )
    scope = pending_ids(pending)
    report = CohortReport(microcredential_id=mc.pk, pending=len(scope))
    report.timings["claim"] = time.perf_counter() - started
    if not scope:
        report.seconds = time.perf_counter() - started
        return report
    organisation = mc.provider
    moment = (now or clock_now()).replace(microsecond=0)
    key = issuer_key_active(organisation=organisation)
    state = SignerState(
        documents=CredentialDocuments.for_microcredential(mc, issued_at=moment),
        private_key=private_key_of(key),
        public_key=public_key_of(key),
        verification_method=links.verification_method_url(organisation.slug, key.key_id),
        issuer_id=links.issuer_url(organisation.slug),
        issued_at=moment,
    )
    report.workers = default_workers(report.pending) if workers is None else max(workers, 0)
    run = _Run(
        actor=actor,
        mc=mc,
        key=key,
        moment=moment,
        style=style,
        slots=StatusSlots(organisation, list_size=style.list_size),
        report=report,
        on_chunk=on_chunk,
        audited=audited,
    )
    signing: deque[tuple[_Reserved, list[tuple[int, Future[SignedBatch]]]]] = deque()
    with signer(state, workers=report.workers) as pool:
        # With signing workers the next chunk is reserved and handed to them before this one is
        # written, so they sign while the parent writes; alone, a chunk is written before the next.
        ahead = 1 if pool.workers else 0
        for offset in range(0, len(scope), chunk_size):
            chunk = _reserve(run, scope[offset : offset + chunk_size])
            if chunk is not None:
                at = time.perf_counter()
                count = len(chunk.items)
                batch = count if pool.workers == 0 else max(25, math.ceil(count / (pool.workers * 4)))
                batches = range(0, count, batch)
                futures = [(start, pool.submit(chunk.items[start : start + batch], start == 0)) for start in batches]
                signing.append((chunk, futures))
                run.lap("prepare", at)
            last = offset + chunk_size >= len(scope)
            while len(signing) > (0 if last else ahead):
                _write_and_report(run, *signing.popleft(), progress)
    report.status_lists = list(run.lists_used.values())
    report.seconds = time.perf_counter() - started
    return report


def _write_and_report(
    run: _Run, chunk: _Reserved, futures: list[tuple[int, Future[SignedBatch]]], progress: Progress | None
) -> None:
    report = run.report
    written = _write(run, chunk, futures)
    if not written:
        return
    report.issued += len(written)
    report.chunks += 1
    report.first_uuid = report.first_uuid or str(written[0])
    report.last_uuid = str(written[-1])
    if progress is not None:
        progress(report.issued, report.pending)


def credentials_issue_cohort(
    *,
    actor: Actor,
    microcredential: MicroCredential,
    completions: Iterable[Completion] | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_chunk: Callable[[int], None] | None = None,
) -> CohortReport:
    """Issue a credential for every completion of ``microcredential`` (or of ``completions``,
    which must be its own) that has none yet; returns what was done. Idempotent: a second run
    issues only what the first did not. ``on_chunk(count)`` runs inside each chunk's write
    transaction just before it commits (the run's heartbeat): what it writes commits with the
    chunk, and what it raises rolls the chunk back."""
    return _issue(
        actor=actor,
        version=Q(pk=microcredential.pk),
        completions=completions,
        now=now,
        progress=progress,
        workers=workers,
        chunk_size=chunk_size,
        on_chunk=on_chunk,
        style=COHORT,
    )


def issue_alone(*, actor: Actor, completion: Completion, now: datetime | None = None) -> Credential:
    """The credential of ``completion``, issued as a cohort of one; the credential another
    issuer wrote first, if one did meanwhile."""
    issued: list[Credential] = []
    _issue(
        actor=actor,
        version=Q(enrolments__completion__pk=completion.pk),
        completions=[completion],
        now=now,
        progress=None,
        workers=0,
        chunk_size=1,
        on_chunk=None,
        style=ALONE,
        audited=issued,
    )
    return issued[0] if issued else Credential.objects.get(completion_id=completion.pk)
