"""Issuing the credentials of a whole cohort: ``credentials_issue_cohort``.

One credential per completion of *this version* of a micro-credential that has none yet. A
version is its own Achievement (its id, version, outcomes and criteria are signed into the
credential), so a cohort is one version; the command line walks the versions of a slug.

The run is streamed in chunks of ``chunk_size`` completions (only their ids are read up
front), one transaction per chunk:

1. claim the chunk's completions (``store.claim``: locked, only those still without one) out
   of the ids pending when the run started (``store.pending_ids``);
2. reserve a revocation and a suspension slot for each at random indexes, one UPDATE per list;
3. sign: the parts every credential shares (issuer profile, achievement) were read once for the
   run (``documents.CohortDocuments``), each credential is built, signed with the fast path
   and as a VC-JWT, and the first of the chunk is checked in full (``signing``);
4. write credentials and status entries (``COPY`` on PostgreSQL), mark the completions
   awarded, and write one audit row ``credential.issue_bulk`` listing the chunk's credential
   ids: an audit trail per credential as ``credential_issue`` leaves, at one row per chunk;
5. commit, then report progress.

With ``workers`` > 0 the signing runs in forked processes and the parent writes each batch as
it comes back while the workers sign the next ones. A failure rolls back the open chunk only;
chunks already committed are complete, checked and stay issued, and a second run picks up
where the first stopped. All credentials of a run share one issuance time (``now``, or the
moment the run started): it is when the issuer decided to award them.
"""

from __future__ import annotations

import math
import os
import secrets
import time
import uuid as uuid_module
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from microcred.accounts.permissions import STAFF_ROLES, has_org_role, is_system
from microcred.catalog.models import MicroCredential
from microcred.core import events
from microcred.core.clock import now as clock_now
from microcred.core.errors import AppError, AuthenticationRequired, NotFound, ValidationFailed
from microcred.core.services import audit_record
from microcred.learning.models import Completion

from .. import links
from ..issuing import add_months
from ..keys import private_key_of, public_key_of
from ..keys.services import issuer_key_active
from ..models import CredentialStatus, StatusPurpose
from ..statuslists import list_url, slot_json
from ..vc.errors import CredentialError
from .documents import CohortDocuments
from .signing import SignerState, signer
from .store import (
    SlotReserver,
    claim,
    insert_credentials,
    insert_entries,
    lock_issuer,
    pending_completions,
    pending_ids,
)

__all__ = [
    "CohortCheckFailed",
    "CohortReport",
    "credentials_issue_cohort",
    "pending_completions",
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


def check_permission(actor: Any, mc: MicroCredential) -> None:
    """The system, or the owners and instructors of the issuing provider."""
    if is_system(actor):
        return
    if not getattr(actor, "is_authenticated", False):
        raise AuthenticationRequired("Sign in to do this.")
    if not has_org_role(actor, mc.provider_id, STAFF_ROLES):
        raise NotFound("Micro-credential not found.")


def _restricted(
    pending: QuerySet[Completion], mc: MicroCredential, completions: Iterable[Completion] | None
) -> QuerySet[Completion]:
    if completions is None:
        return pending
    chosen: QuerySet[Completion] = (
        completions
        if isinstance(completions, QuerySet)
        else Completion.objects.filter(pk__in=[completion.pk for completion in completions])
    )
    if chosen.exclude(enrolment__microcredential=mc).exists():
        raise ValidationFailed(
            "Every completion must belong to this version of the micro-credential.",
            errors={"completions": ["A completion belongs to another micro-credential."]},
        )
    return pending.filter(pk__in=chosen.values("pk"))


def default_workers(pending: int) -> int:
    if pending < INLINE_BELOW:
        return 0
    return max(os.cpu_count() or 1, 1)


def credentials_issue_cohort(
    *,
    actor: Any,
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
    issues only what the first did not. ``on_chunk(count)`` runs inside each chunk's
    transaction just before it commits (the run's heartbeat): what it writes commits with the
    chunk, and what it raises rolls the chunk back."""
    started = time.perf_counter()
    mc = MicroCredential.objects.select_related("provider", "industry").get(pk=microcredential.pk)
    check_permission(actor, mc)
    if chunk_size < 1:
        raise ValidationFailed("chunk_size must be positive.", errors={"chunk_size": ["Must be at least 1."]})
    pending = _restricted(pending_completions(mc), mc, completions)
    report = CohortReport(microcredential_id=mc.pk, pending=pending.count())
    if report.pending == 0:
        report.seconds = time.perf_counter() - started
        return report
    organisation = mc.provider
    moment = (now or clock_now()).replace(microsecond=0)
    key = issuer_key_active(organisation=organisation)
    private_key = private_key_of(key)
    state = SignerState(
        documents=CohortDocuments.for_microcredential(mc, issued_at=moment),
        private_key=private_key,
        public_key=public_key_of(key),
        verification_method=links.verification_method_url(organisation.slug, key.key_id),
        issuer_id=links.issuer_url(organisation.slug),
        issued_at=moment,
    )
    report.workers = default_workers(report.pending) if workers is None else max(workers, 0)
    timings = report.timings
    reserver = SlotReserver(organisation)
    lists_used: dict[int, str] = {}
    clock = time.perf_counter

    def lap(stage: str, since: float) -> float:
        at = clock()
        timings[stage] = timings.get(stage, 0.0) + at - since
        return at

    at = clock()
    scope = pending_ids(pending)
    lap("claim", at)
    with signer(state, workers=report.workers) as pool:
        for offset in range(0, len(scope), chunk_size):
            with transaction.atomic():
                at = clock()
                lock_issuer(mc)
                claimed = claim(scope[offset : offset + chunk_size])
                at = lap("claim", at)
                if not claimed:
                    continue
                count = len(claimed)
                revocation = reserver.reserve(StatusPurpose.REVOCATION, count)
                suspension = reserver.reserve(StatusPurpose.SUSPENSION, count)
                at = lap("reserve", at)

                uuids = [uuid_module.uuid4() for _ in range(count)]
                rows: list[dict[str, Any]] = []
                issued: list[tuple[int, int]] = []  # (credential, completion), for the events
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
                        }
                    )
                    rows.append(
                        {
                            "uuid": credential_uuid,
                            "completion_id": completion.pk,
                            "user_id": completion.user_id,
                            "microcredential_id": mc.pk,
                            "issuer_id": organisation.pk,
                            "issuer_key_id": key.pk,
                            "recipient_salt": salt,
                            "issued_at": moment,
                            "valid_from": valid_from,
                            "valid_until": valid_until,
                            "status": CredentialStatus.ACTIVE.value,
                            "status_reason": "",
                            "status_changed_at": None,
                        }
                    )
                batch = count if pool.workers == 0 else max(25, math.ceil(count / (pool.workers * 4)))
                futures = [
                    (start, pool.submit(items[start : start + batch], start == 0)) for start in range(0, count, batch)
                ]
                at = lap("prepare", at)

                for start, future in futures:
                    try:
                        signed = future.result()
                    except CredentialError as exc:
                        raise CohortCheckFailed(
                            f"A credential failed its checks; nothing of this chunk was issued: {exc}"
                        ) from exc
                    except BrokenProcessPool as exc:
                        raise CohortCheckFailed("A signing worker died; nothing of this chunk was issued.") from exc
                    at = lap("wait", at)
                    for name, seconds in signed.timings.items():
                        timings[name] = timings.get(name, 0.0) + seconds
                    part = rows[start : start + batch]
                    for row, document, token in zip(part, signed.documents, signed.tokens, strict=True):
                        row["document"] = document
                        row["jwt"] = token
                    ids = insert_credentials(part)
                    issued.extend(zip(ids, (row["completion_id"] for row in part), strict=True))
                    entries = []
                    for offset, pk in enumerate(ids, start=start):
                        for status_list, index in (revocation[offset], suspension[offset]):
                            entries.append({"credential_id": pk, "status_list_id": status_list.pk, "index": index})
                            lists_used.setdefault(status_list.pk, list_url(status_list))
                    insert_entries(entries)
                    at = lap("insert", at)

                Completion.objects.filter(pk__in=[c.pk for c in claimed], awarded_at__isnull=True).update(
                    awarded_at=moment
                )
                first, last = str(uuids[0]), str(uuids[-1])
                audit_record(
                    actor=actor,
                    action="credential.issue_bulk",
                    target=mc,
                    count=count,
                    first=first,
                    last=last,
                    key_id=key.key_id,
                    credentials=[str(u) for u in uuids],
                )
                for credential_id, completion_id in issued:
                    events.emit(
                        events.CredentialIssued(actor=actor, credential_id=credential_id, completion_id=completion_id)
                    )
                if on_chunk is not None:
                    on_chunk(count)
                at = lap("finish", at)
            lap("commit", at)
            report.issued += count
            report.chunks += 1
            report.first_uuid = report.first_uuid or first
            report.last_uuid = last
            if progress is not None:
                progress(report.issued, report.pending)
    report.status_lists = list(lists_used.values())
    report.seconds = time.perf_counter() - started
    return report
