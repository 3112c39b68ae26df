"""Who a ``microcred`` command acts as: ``--as EMAIL`` names a user, and without it the command acts
as the system (``core.actors.SYSTEM``), whose writes the audit log marks as such."""

from __future__ import annotations

from django.core.management.base import CommandError

from microcred.core.actors import SYSTEM, SystemActor

from .models import User


def actor_from_email(email: str | None) -> User | SystemActor:
    """The user with this e-mail address (any case), the system without one; a one-line command
    error for an address nobody has."""
    if not email:
        return SYSTEM
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(f"No user with e-mail {email!r}.")
    return user
