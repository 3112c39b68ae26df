"""The demo's credentials: issued for every completion, then put in every state a verifier can
meet (valid, revoked, suspended, expired) through the same services as the issuer pages."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from microcred.accounts.models import User
from microcred.catalog.models import MicroCredential
from microcred.core import clock
from microcred.core.actors import SYSTEM
from microcred.credentials import links
from microcred.credentials.issuing import add_months
from microcred.credentials.models import Credential, CredentialStatus
from microcred.credentials.selectors import display_status
from microcred.credentials.services import credential_issue, credential_revoke, credential_suspend
from microcred.learning.awarding import completion_award
from microcred.learning.models import Completion

from .dataset import CREDENTIALS, EXPIRED, PROVIDER_OWNERS, REVOKED, SUSPENDED, VALID, DemoLearner
from .report import DemoCredentialRow, DemoReport


def issue_credential(learner: User, mc: MicroCredential, report: DemoReport) -> None:
    """The credential of the learner's completion, if they completed: issued now (by the system,
    as the awarder would after commit) rather than later, so the demo can show its states and
    does not depend on a task worker. Runs inside the learner's (possibly replayed) time."""
    completion = (
        Completion.objects.filter(enrolment__user=learner, enrolment__microcredential=mc)
        .select_related("enrolment")
        .first()
    )
    if completion is None:
        return
    if not Credential.objects.filter(completion=completion).exists():
        credential_issue(actor=SYSTEM, completion=completion)
        report.credentials_issued += 1
    if completion.awarded_at is None:
        # What the background award task does; the task queued on commit then finds it done.
        completion_award(completion=completion, actor=SYSTEM)


def replayed_at(spec: DemoLearner, slug: str) -> AbstractContextManager[None]:
    """The clock to follow one plan step under: the present, or the past it happened in."""
    months = next((c.months_ago for c in CREDENTIALS if c.learner == spec.email and c.slug == slug), 0)
    if not months:
        return nullcontext()
    return clock.shifted_to(add_months(clock.now(), -months))


def set_credential_states(users: dict[str, User], report: DemoReport) -> None:
    """Revoke and suspend as the provider's owner would, with a reason. Only a credential whose
    status nobody has touched yet: someone who reinstated it while trying the site keeps that."""
    for spec in CREDENTIALS:
        if spec.state not in {REVOKED, SUSPENDED}:
            continue
        credential = (
            Credential.objects.filter(user__email__iexact=spec.learner, microcredential__slug=spec.slug)
            .select_related("issuer")
            .first()
        )
        if credential is None or credential.status != CredentialStatus.ACTIVE or credential.status_changed_at:
            continue
        owner_person = PROVIDER_OWNERS.get(credential.issuer.slug)
        owner = users[owner_person.email] if owner_person else None
        change = credential_revoke if spec.state == REVOKED else credential_suspend
        change(actor=owner or SYSTEM, credential=credential, reason=spec.reason)
        report.credential_states_set += 1


def credential_rows() -> list[DemoCredentialRow]:
    moment = clock.now()
    credentials = (
        Credential.objects.filter(user__email__endswith="@demo.microcred.org")
        .select_related("user", "microcredential", "issuer")
        .order_by("user__email", "microcredential__slug")
    )
    rows = []
    for credential in credentials:
        status = display_status(credential, now=moment)
        rows.append(
            DemoCredentialRow(
                learner=credential.user.email,
                title=credential.microcredential.title,
                issuer=credential.issuer.name,
                state=status.code,
                reason=status.reason if not status.is_valid else "",
                url=links.credential_url(credential.uuid),
            )
        )
    order = (VALID, REVOKED, SUSPENDED, EXPIRED)
    return sorted(rows, key=lambda row: (order.index(row.state) if row.state in order else len(order), row.learner))
