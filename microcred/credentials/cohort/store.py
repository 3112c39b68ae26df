"""The reads of issuing: what is pending, and claiming it (``services.py`` does the writing).

Exactly one credential per completion, even with two cohort runs (or a cohort run and a
credential issued alone) at once: a chunk's completions are claimed with ``SELECT ... FOR
UPDATE`` (``SKIP LOCKED`` for a cohort, which leaves held ones to the next run) and only those
without a credential; the unique completion column of a credential stops a second one, and the
writer then drops the completions issued meanwhile (``with_credential``) and writes the rest.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from microcred.accounts.models import Organisation
from microcred.catalog.models import MicroCredential
from microcred.learning.models import Completion

from ..models import Credential


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
    summary: Any = None  # the completion's recorded parts, for the credential's results (ADR 0029)


def pending_ids(pending: QuerySet[Completion]) -> array[int]:
    """The run's scope: ids of the completions pending when it starts, streamed into a compact
    array (8 bytes each: 800 KB for 100,000). Later completions are the next run's. Claiming
    by id keeps each chunk's query an index lookup; a keyset query over the join instead makes
    PostgreSQL re-read the micro-credential's whole enrolment list for every chunk."""
    ids = array("q")
    ids.extend(pending.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10_000))
    return ids


def claim(ids: Sequence[int], *, skip_locked: bool) -> list[Claimed]:
    """Those of ``ids`` (from ``pending_ids``) still without a credential, locked with their
    learners; rows another transaction holds are skipped (left for the next run) with
    ``skip_locked``, else waited for (and may then turn out issued: the writer finds out). Only
    the credential is looked up again: an id's micro-credential cannot change."""
    rows = (
        Completion.objects.filter(pk__in=list(ids))
        .filter(~Exists(Credential.objects.filter(completion_id=OuterRef("pk"))))
        .order_by("pk")
        .select_related("enrolment__user")
        .only("completed_at", "score", "summary", "enrolment__user__email")
        .select_for_update(skip_locked=skip_locked, no_key=True, of=("self", "enrolment__user"))
    )
    return [
        Claimed(c.pk, c.completed_at, c.score, c.enrolment.user_id, c.enrolment.user.email, c.summary) for c in rows
    ]


def with_credential(ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` that have a credential now (someone else's, when a write was refused)."""
    return set(Credential.objects.filter(completion_id__in=list(ids)).values_list("completion_id", flat=True))


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
