from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from microcred.core.errors import NotFound

from .models import Membership, Organisation, OrganisationKind


def organisations_of(user: Any, roles: tuple[str, ...] | None = None) -> QuerySet[Organisation]:
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Organisation.objects.filter(pk__in=memberships.values("organisation_id"))


def provider_list() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.PROVIDER).order_by("name")


def provider_get(*, slug: str) -> Organisation:
    provider = Organisation.objects.filter(kind=OrganisationKind.PROVIDER, slug=slug).first()
    if provider is None:
        raise NotFound("Provider not found.", slug=slug)
    return provider


def role_in(user: Any, organisation: Organisation) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    return membership.role if membership else None
