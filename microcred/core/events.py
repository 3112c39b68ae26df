"""The event seam: what happened in the domain, and who reacts to it.

A service emits an :class:`Event` inside the transaction of its action. Each :class:`Subscription`
says how its handler runs:

* ``Runs.IN_TRANSACTION``: called at once, in the action's transaction. An exception rolls the
  action back too, so what the action recorded and what the handler did never disagree (the
  accreditor's endorsement is signed this way).
* ``Runs.AFTER_COMMIT``: queued as a background task once the action commits, and never if it
  rolls back; a slow or failing handler cannot undo the action (awarding a credential for a
  completion runs this way). The task receives the event rebuilt from its ids, so these
  handlers must be module-level functions and idempotent (a task may run again).

Events carry ids, not model instances: this module is the kit layer and knows no domain app.
The subscriptions are listed in one place, ``microcred/config/events.py``; the setting
``MICROCRED_EVENT_SUBSCRIBERS`` names that list and any an installation adds.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import task

from .actors import actor_from_id, actor_id_of


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened. ``actor`` is whoever acted (a user, or ``SYSTEM``); an after-commit
    handler gets the same actor back (``core.actors.actor_from_id``)."""

    actor: Any


@dataclass(frozen=True, kw_only=True)
class CompletionRecorded(Event):
    """A learner met every rule of a micro-credential (``learning.services.completion_evaluate``)."""

    completion_id: int


@dataclass(frozen=True, kw_only=True)
class EnrolmentEvent(Event):
    enrolment_id: int


@dataclass(frozen=True, kw_only=True)
class EnrolmentCreated(EnrolmentEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class EnrolmentReactivated(EnrolmentEvent):
    """A withdrawn enrolment was taken up again."""


@dataclass(frozen=True, kw_only=True)
class EnrolmentWithdrawn(EnrolmentEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class CredentialIssued(Event):
    credential_id: int
    completion_id: int


@dataclass(frozen=True, kw_only=True)
class AttemptGraded(Event):
    """A quiz attempt was graded (``assessment.services.attempt_submit``). ``score`` is the
    percentage as the audit row writes it ("87.50"): a string, so the event survives a task's JSON;
    ``enrolment_id`` is None for an attempt outside any enrolment."""

    attempt_id: int
    quiz_id: int
    enrolment_id: int | None
    score: str
    passed: bool


@dataclass(frozen=True, kw_only=True)
class IssuerKeyRotated(Event):
    """An organisation's signing key was replaced (``credentials.keys.services.issuer_key_rotate``).
    The key ids are the published ``IssuerKey.key_id`` ("key-2"); ``old_key_id`` is None for the
    organisation's first key."""

    organisation_id: int
    old_key_id: str | None
    new_key_id: str


@dataclass(frozen=True, kw_only=True)
class CredentialStatusChanged(Event):
    """The staff member's ``reason`` is the one the learner and verifiers see."""

    credential_id: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class CredentialRevoked(CredentialStatusChanged):
    pass


@dataclass(frozen=True, kw_only=True)
class CredentialSuspended(CredentialStatusChanged):
    pass


@dataclass(frozen=True, kw_only=True)
class CredentialReinstated(CredentialStatusChanged):
    pass


@dataclass(frozen=True, kw_only=True)
class LessonsRemoving(Event):
    """Lessons of a draft are about to be deleted (``catalog.services`` ``module_delete``,
    ``lesson_delete``, ``microcredential_delete``); what hangs on them (a quiz lesson's quiz and its
    question bank) is removed by in-transaction subscribers, before the lessons go."""

    lesson_ids: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class LessonsCopied(Event):
    """A new draft version copied its source's lessons (``catalog.services.microcredential_new_version``):
    ``(source lesson id, copy id)`` pairs, so what hangs on a lesson (its quiz) can be copied too."""

    copies: tuple[tuple[int, int], ...]


@dataclass(frozen=True, kw_only=True)
class MicroCredentialPublishing(Event):
    """A draft is about to be published (``catalog.services.microcredential_publish``): an
    in-transaction subscriber that refuses (``ValidationFailed``) stops it, as a required quiz
    left with unlimited attempts by default does (ADR 0026)."""

    microcredential_id: int


@dataclass(frozen=True, kw_only=True)
class AccreditationChanged(Event):
    """An accreditation was granted or its status changed; ``reason`` is the accreditor's words."""

    accreditation_id: int
    reason: str = ""


EVENTS: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        CompletionRecorded,
        EnrolmentCreated,
        EnrolmentReactivated,
        EnrolmentWithdrawn,
        AttemptGraded,
        CredentialIssued,
        CredentialRevoked,
        CredentialSuspended,
        CredentialReinstated,
        AccreditationChanged,
        IssuerKeyRotated,
        LessonsRemoving,
        LessonsCopied,
        MicroCredentialPublishing,
    )
}

E = TypeVar("E", bound=Event)


class Runs(enum.StrEnum):
    IN_TRANSACTION = "in the transaction"
    AFTER_COMMIT = "after commit, as a task"


@dataclass(frozen=True)
class Subscription(Generic[E]):
    event: type[E]
    handler: Callable[[E], object]
    runs: Runs

    @property
    def handler_path(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


def subscriptions() -> tuple[Subscription[Any], ...]:
    """Every subscription, in the order of ``settings.MICROCRED_EVENT_SUBSCRIBERS``."""
    return _load(tuple(settings.MICROCRED_EVENT_SUBSCRIBERS))


def subscriptions_of(event_type: type[Event]) -> tuple[Subscription[Any], ...]:
    return _by_event(tuple(settings.MICROCRED_EVENT_SUBSCRIBERS)).get(event_type, ())


@functools.cache
def _by_event(paths: tuple[str, ...]) -> dict[type[Event], tuple[Subscription[Any], ...]]:
    # Looked up on every emit, and a cohort emits once per credential: one dict lookup per event.
    found: dict[type[Event], list[Subscription[Any]]] = {}
    for subscription in _load(paths):
        found.setdefault(subscription.event, []).append(subscription)
    return {event_type: tuple(subs) for event_type, subs in found.items()}


@functools.cache
def _load(paths: tuple[str, ...]) -> tuple[Subscription[Any], ...]:
    return tuple(subscription for path in paths for subscription in _subscriptions_at(path))


def _subscriptions_at(path: str) -> Iterator[Subscription[Any]]:
    try:
        found = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"MICROCRED_EVENT_SUBSCRIBERS: cannot import {path!r} ({exc}).") from exc
    for subscription in found if isinstance(found, list | tuple) else [found]:
        if not isinstance(subscription, Subscription) or subscription.event not in EVENTS.values():
            raise ImproperlyConfigured(
                f"MICROCRED_EVENT_SUBSCRIBERS: {path!r} holds {subscription!r}, not a Subscription."
            )
        if (
            subscription.runs is Runs.AFTER_COMMIT
            and _importable(subscription.handler_path) is not subscription.handler
        ):
            raise ImproperlyConfigured(
                f"MICROCRED_EVENT_SUBSCRIBERS: {subscription.handler_path} runs as a task, "
                "so it must be a module-level function."
            )
        yield subscription


def _importable(path: str) -> object:
    try:
        return import_string(path)
    except ImportError:
        return None


def emit(event: Event) -> None:
    """Hand ``event`` to its subscribers; call it inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"Emit {type(event).__name__} inside the transaction of the action it reports.")
    subscribed = subscriptions_of(type(event))
    if not subscribed:
        return
    for subscription in subscribed:
        if subscription.runs is Runs.IN_TRANSACTION:
            subscription.handler(event)
        else:
            args = (subscription.handler_path, type(event).__name__, _fields_of(event), actor_id_of(event.actor))
            transaction.on_commit(functools.partial(deliver_event_task.enqueue, *args))


def deliver_now(event: Event, *, runs: Runs) -> list[object]:
    """Run the subscribers of ``event`` that run as ``runs`` here and now, and return what they
    return: for work that must not wait for a worker (the demo, a command line)."""
    return [s.handler(event) for s in subscriptions_of(type(event)) if s.runs is runs]


@task()
def deliver_event_task(handler_path: str, event_name: str, fields: dict[str, Any], actor_id: int | None) -> None:
    import_string(handler_path)(EVENTS[event_name](actor=actor_from_id(actor_id), **fields))


def _fields_of(event: Event) -> dict[str, Any]:
    return {field.name: getattr(event, field.name) for field in dataclasses.fields(event) if field.name != "actor"}
