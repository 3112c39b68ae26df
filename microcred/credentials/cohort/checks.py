"""Who may issue credentials, and every check before any is reserved or signed: the same for a
credential issued alone and for a cohort (``services/issue.py``). ``Style`` lists the few things
in which the two differ."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from django.db.models import Q, QuerySet

from microcred.accounts.models import User
from microcred.accounts.permissions import STAFF_ROLES, Actor, has_org_role, is_system
from microcred.catalog.models import MicroCredential
from microcred.core.errors import AuthenticationRequired, NotFound, ValidationFailed
from microcred.learning.models import Completion

from ..statuslists import LIST_SIZE
from .store import pending_completions

__all__ = ["ALONE", "COHORT", "COHORT_LIST_SIZE", "Style", "check_permission", "pre_issue_checks"]

# Lists opened by cohort runs: 2^20 entries (128 KiB of bits, a few hundred bytes gzipped while
# few are set) so a 100,000-learner cohort fills a tenth of one list. A fuller list tells a
# verifier more about who else is in it; the spec's minimum (131,072) is kept as a floor.
COHORT_LIST_SIZE: Final = max(LIST_SIZE, 1 << 20)


@dataclass(frozen=True)
class Style:
    """What issuing one credential alone does differently from issuing a cohort; nothing else does."""

    # Its learner may issue it too (the awarder acts as the learner who completed), and a
    # refusal names the completion rather than the micro-credential.
    learner_may_issue: bool
    not_found: str
    # Wait for a completion another issuer holds (and then return that issuer's credential)
    # rather than skip it and leave it to the next run.
    wait_for_held: bool
    # One ``credential.issue`` audit row per credential, and the awarder notes the completion
    # awarded (``completion_mark_awarded``); or one ``credential.issue_bulk`` row per chunk, and
    # the run marks its completions awarded itself.
    audit_each: bool
    # The size of a status list this issuance opens.
    list_size: int
    # A failed check raises the verifier's own error, or ``CohortCheckFailed`` naming the chunk.
    wrap_check_failures: bool


ALONE: Final = Style(
    learner_may_issue=True,
    not_found="Completion not found.",
    wait_for_held=True,
    audit_each=True,
    list_size=LIST_SIZE,
    wrap_check_failures=False,
)
COHORT: Final = Style(
    learner_may_issue=False,
    not_found="Micro-credential not found.",
    wait_for_held=False,
    audit_each=False,
    list_size=COHORT_LIST_SIZE,
    wrap_check_failures=True,
)


def check_permission(
    actor: Actor,
    mc: MicroCredential,
    *,
    own: QuerySet[Completion] | None = None,
    not_found: str = COHORT.not_found,
) -> None:
    """Who may issue credentials of ``mc``: the system, the issuing provider's owners and
    instructors, and a learner for completions (``own``) that are all their own."""
    if is_system(actor):
        return
    if not getattr(actor, "is_authenticated", False):
        raise AuthenticationRequired("Sign in to do this.")
    if own is not None and isinstance(actor, User) and not own.exclude(enrolment__user_id=actor.pk).exists():
        return
    if not has_org_role(actor, mc.provider_id, STAFF_ROLES):
        raise NotFound(not_found)


def pre_issue_checks(
    *,
    actor: Actor,
    version: Q,
    completions: Iterable[Completion] | None,
    chunk_size: int,
    style: Style,
) -> tuple[MicroCredential, QuerySet[Completion]]:
    """Every check before anything is reserved or signed: the micro-credential version
    (``version`` names it, by its id or by a completion of it; read with what the documents
    need), who may issue, the chunk size and the completions asked for, which
    must be this version's own. Returns it with the completions still without a credential."""
    mc = MicroCredential.objects.select_related("provider", "industry").get(version)
    chosen: QuerySet[Completion] | None = None
    if completions is not None:
        chosen = (
            completions
            if isinstance(completions, QuerySet)
            else Completion.objects.filter(pk__in=[completion.pk for completion in completions])
        )
    check_permission(actor, mc, own=chosen if style.learner_may_issue else None, not_found=style.not_found)
    if chunk_size < 1:
        raise ValidationFailed("chunk_size must be positive.", errors={"chunk_size": ["Must be at least 1."]})
    pending = pending_completions(mc)
    if chosen is None:
        return mc, pending
    if chosen.exclude(enrolment__microcredential=mc).exists():
        raise ValidationFailed(
            "Every completion must belong to this version of the micro-credential.",
            errors={"completions": ["A completion belongs to another micro-credential."]},
        )
    return mc, pending.filter(pk__in=chosen.values("pk"))
