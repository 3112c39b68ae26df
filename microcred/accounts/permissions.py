"""Who may act on an organisation's records. The platform itself acts as ``SYSTEM``
(microcred/core/actors.py); ``actor=None`` is refused."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias, cast

from django.contrib.auth.models import AnonymousUser

from microcred.core.actors import SYSTEM, MissingActor, SystemActor, is_system
from microcred.core.errors import AuthenticationRequired, PermissionDenied

from .models import Membership, MembershipRole, Organisation, User

# Who a service acts for: a person (signed in or not: the permission checks tell them apart) or
# the platform itself. Defined here, not beside SYSTEM in core, because core may not import accounts.
Actor: TypeAlias = User | AnonymousUser | SystemActor

__all__ = [
    "ALL_ROLES",
    "STAFF_ROLES",
    "SYSTEM",
    "Actor",
    "MissingActor",
    "SystemActor",
    "has_org_role",
    "is_system",
    "require_authenticated",
    "require_org_role",
]

STAFF_ROLES = (MembershipRole.OWNER, MembershipRole.INSTRUCTOR)
ALL_ROLES = (MembershipRole.OWNER, MembershipRole.INSTRUCTOR, MembershipRole.GRADER)


def has_org_role(actor: Any, organisation: Organisation | int, roles: Iterable[str] = ALL_ROLES) -> bool:
    if is_system(actor):
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return Membership.objects.filter(user=actor, organisation_id=org_id, role__in=list(roles)).exists()


def require_org_role(actor: Any, organisation: Organisation | int, roles: Iterable[str] = STAFF_ROLES) -> None:
    if not is_system(actor) and not getattr(actor, "is_authenticated", False):
        raise AuthenticationRequired("Sign in to do this.")
    if not has_org_role(actor, organisation, roles):
        raise PermissionDenied("You do not have a role in this organisation that allows this.")


def require_authenticated(actor: Actor) -> User:
    """A signed-in person, returned as the user they are: the system is not one (it never enrols,
    attempts or completes)."""
    if is_system(actor) or not getattr(actor, "is_authenticated", False):
        raise AuthenticationRequired("Sign in to do this.")
    return cast(User, actor)
