from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from microcred.core.errors import NotFound

from .models import ApiToken, LearnerProfile, Membership, Organisation, OrganisationKind


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


def learner_profile_of(*, user: Any) -> LearnerProfile:
    """The user's profile; an unsaved blank one for accounts made before profiles existed."""
    return LearnerProfile.objects.filter(user=user).first() or LearnerProfile(user=user)


def api_tokens_of(*, actor: Any) -> QuerySet[ApiToken]:
    if actor is None or not actor.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=actor).order_by("-created_at", "-id")


def access_api_token(*, actor: Any, token_id: int) -> ApiToken:
    """The actor's own token; anyone else's is reported as not found."""
    token = api_tokens_of(actor=actor).filter(pk=token_id).first()
    if token is None:
        raise NotFound("Token not found.")
    return token
