from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from microcred.core.clock import now
from microcred.core.errors import NotFound

from .models import ApiToken, LearnerProfile, Membership, MembershipInvitation, Organisation, OrganisationKind


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


def access_organisation(
    *, actor: Any, slug: str, roles: tuple[str, ...] = ("owner", "instructor", "grader"), kind: str | None = None
) -> Organisation:
    """The organisation, if the actor holds one of ``roles`` in it (and it is of ``kind``); else
    not-found, so private workspace pages do not confirm that an organisation or id exists."""
    from .permissions import has_org_role

    organisation = Organisation.objects.filter(slug=slug).first()
    if (
        organisation is None
        or (kind is not None and organisation.kind != kind)
        or not getattr(actor, "is_authenticated", False)
        or not has_org_role(actor, organisation, roles)
    ):
        raise NotFound("Organisation not found.")
    return organisation


def memberships_of(*, user: Any) -> QuerySet[Membership]:
    if user is None or not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__full_name", "user__email")
    )


def member_get(*, organisation: Organisation, user_id: int) -> Membership:
    membership = organisation_members(organisation=organisation).filter(user_id=user_id).first()
    if membership is None:
        raise NotFound("No such member.")
    return membership


def pending_invitations(*, organisation: Organisation) -> QuerySet[MembershipInvitation]:
    """Invitations not yet accepted and still good, newest first."""
    return MembershipInvitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, expires_at__gt=now()
    ).order_by("-created_at", "-id")
