"""Event subscriptions for tests whose completions must stay unawarded, to be issued later (by
hand, on the command line or in a cohort): ``settings.MICROCRED_EVENT_SUBSCRIBERS = NO_AWARDING``."""

from __future__ import annotations

from microcred.config.events import SUBSCRIPTIONS
from microcred.core import events
from microcred.credentials.services import credential_award_on_completion

WITHOUT_AWARDING = tuple(s for s in SUBSCRIPTIONS if s.handler is not credential_award_on_completion)
NO_AWARDING = [f"{__name__}.WITHOUT_AWARDING"]

# An installation's subscriber that notes what happened to credentials, as an auditor's feed would.
heard: list[events.Event] = []


def hear(event: events.Event) -> None:
    heard.append(event)


HEAR_CREDENTIALS = [
    events.Subscription(event, hear, events.Runs.IN_TRANSACTION)
    for event in (
        events.CredentialIssued,
        events.CredentialRevoked,
        events.CredentialSuspended,
        events.CredentialReinstated,
    )
]

# The same feed, for the actions whose events no built-in subscriber needs. After commit, as a task:
# it hears only what committed, and each event survives the task's JSON.
HEAR_ACTIONS = [
    events.Subscription(event, hear, events.Runs.AFTER_COMMIT)
    for event in (events.CredentialIssued, events.AttemptGraded, events.IssuerKeyRotated)
]
