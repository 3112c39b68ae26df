"""Who may act on an organisation's records. ``actor=None`` is the system (CLI, demo loader)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from microcred.core.errors import AuthenticationRequired, PermissionDenied

from .models import Membership, MembershipRole, Organisation

STAFF_ROLES = (MembershipRole.OWNER, MembershipRole.INSTRUCTOR)
ALL_ROLES = (MembershipRole.OWNER, MembershipRole.INSTRUCTOR, MembershipRole.GRADER)


def is_system(actor: Any) -> bool:
    return actor is None


def has_org_role(actor: Any, organisation: Organisation | int, roles: Iterable[str] = ALL_ROLES) -> bool:
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return Membership.objects.filter(user=actor, organisation_id=org_id, role__in=list(roles)).exists()


def require_org_role(actor: Any, organisation: Organisation | int, roles: Iterable[str] = STAFF_ROLES) -> None:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        raise AuthenticationRequired("Sign in to do this.")
    if not has_org_role(actor, organisation, roles):
        raise PermissionDenied("You do not have a role in this organisation that allows this.")


def require_authenticated(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise AuthenticationRequired("Sign in to do this.")
