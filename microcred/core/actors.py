"""Who performs an action: a person (a user, possibly anonymous) or the platform itself.

Every service takes an explicit ``actor``. Work nobody in particular asked for (a command run
without ``--as``, the demo loader, a scheduled task acting for the system) passes ``SYSTEM``,
which passes every permission check and is audited as "system". ``None`` is refused: a
forgotten actor must fail loudly, not act as the superuser it used to stand for.
"""

from __future__ import annotations

from typing import Any, Final, final

from typing_extensions import TypeIs


@final
class SystemActor:
    """The platform acting on its own behalf. There is one instance, ``SYSTEM``."""

    _instance: SystemActor | None = None

    # Enough of a user's interface that code asking "is this a signed-in person?" says no.
    pk: Final = None
    is_authenticated: Final = False
    is_anonymous: Final = False

    def __new__(cls) -> SystemActor:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "system"

    def __reduce__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()


class MissingActor(TypeError):
    """A service was called with ``actor=None``: a programming error, never a user's."""


def is_system(actor: object) -> TypeIs[SystemActor]:
    """Is ``actor`` the platform itself? ``None`` is an error, not the system. (``TypeIs``: after
    ``if is_system(actor): return`` the type checker knows the actor is a person.)"""
    if actor is None:
        raise MissingActor("actor=None is not an actor: pass the user acting, or SYSTEM for the platform itself.")
    return actor is SYSTEM


def actor_id_of(actor: Any) -> int | None:
    """The id a task carries for ``actor``: the user's id, or None for the system."""
    if is_system(actor):
        return None
    if not getattr(actor, "is_authenticated", False):
        raise MissingActor("Only a signed-in user or SYSTEM can be carried into a task.")
    return int(actor.pk)


def actor_from_id(actor_id: int | None) -> Any:
    """The actor a task runs as: SYSTEM for no id; a user who has gone since the task was queued
    becomes anonymous, so they fail the permission checks instead of acting as the system."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    if actor_id is None:
        return SYSTEM
    return get_user_model().objects.filter(pk=actor_id).first() or AnonymousUser()
