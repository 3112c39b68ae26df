from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, Final
from urllib.parse import urlencode

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from microcred.core.clock import now
from microcred.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    full_clean_or_fail,
)
from microcred.core.services import audit_record

from .mail import email_send, site_url
from .models import ApiToken, LearnerProfile, Membership, MembershipInvitation, MembershipRole, Organisation, User
from .permissions import Actor, has_org_role, is_system, require_authenticated, require_org_role
from .tokens import signup_confirmation_tokens

TOKEN_PREFIX = "mcp_"


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    check_password: bool = True,
    awaiting_confirmation: bool = False,
) -> User:
    email = (email or "").strip().lower()
    user = User(
        email=email,
        full_name=full_name.strip(),
        is_staff=is_staff,
        is_superuser=is_superuser,
        is_active=not awaiting_confirmation,
        awaiting_confirmation=awaiting_confirmation,
    )
    full_clean_or_fail(user, exclude=["password"], validate_unique=False)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            "An account with this email address already exists.", errors={"email": ["Already registered."]}
        )
    if password is not None and check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), errors={"password": list(exc.messages)}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationFailed("An account with this email address already exists.") from exc
    LearnerProfile.objects.create(user=user)
    return user


def user_signup(*, email: str, password: str, full_name: str, next_path: str = "") -> None:
    """A learner asks for an account. The caller learns nothing about whether the address is
    registered (Django's advice against account enumeration): a new address gets an inactive
    account and a link to confirm it; a registered address gets a note, sent to its owner, that
    someone tried to sign up with it. ``next_path`` (already checked to be on this site) is
    where the confirmation link leads after signing in."""
    email = (email or "").strip().lower()
    full_name = full_name.strip()
    if not full_name:
        raise ValidationFailed("Tell us your name.", errors={"full_name": ["This field is required."]})
    # Input is judged the same way whoever owns the address, so errors tell nothing either.
    candidate = User(email=email, full_name=full_name)
    full_clean_or_fail(candidate, exclude=["password"], validate_unique=False)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), errors={"password": list(exc.messages)}) from exc
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            try:
                user = user_create(
                    email=email,
                    password=password,
                    full_name=full_name,
                    awaiting_confirmation=True,
                    check_password=False,
                )
            except ValidationFailed:  # signed up a moment ago by a concurrent request
                user = User.objects.get(email__iexact=email)
        elif user.awaiting_confirmation:
            # Signing up again before confirming: the latest attempt wins and earlier links die
            # (the token covers the password hash), so whoever reads the mailbox decides.
            user.full_name = full_name
            user.set_password(password)
            user.save(update_fields=["full_name", "password"])
        else:
            make_password(password)  # hash anyway: the same work as the other branches, so timing tells nothing
    query = urlencode({"next": next_path}) if next_path else ""
    if user.awaiting_confirmation:
        token = signup_confirmation_tokens.make_token(user)
        link = site_url("accounts:signup_confirm", urlsafe_base64_encode(force_bytes(user.pk)), token, query=query)
        email_send(to=user.email, template="signup_confirm", context={"user": user, "confirm_url": link})
    else:
        email_send(
            to=user.email,
            template="signup_existing",
            context={
                "user": user,
                "login_url": site_url("accounts:login", query=query),
                "reset_url": site_url("accounts:password_reset"),
            },
        )


def signup_user_from_link(*, uidb64: str, token: str) -> User | None:
    """The account a sign-up confirmation link is for, while the link is still good."""
    try:
        user_id = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=user_id, awaiting_confirmation=True).first()
    if user is None or not signup_confirmation_tokens.check_token(user, token):
        return None
    return user


@transaction.atomic
def user_confirm_signup(*, uidb64: str, token: str) -> User:
    """Activate the account a confirmation link is for. The link works once."""
    user = signup_user_from_link(uidb64=uidb64, token=token)
    if user is not None:
        user = User.objects.select_for_update().get(pk=user.pk)
    if user is None or not user.awaiting_confirmation:
        raise ValidationFailed(
            "This confirmation link has expired or has already been used. Log in, or sign up again to get a new link.",
            code="link_invalid",
        )
    user.is_active = True
    user.awaiting_confirmation = False
    user.save(update_fields=["is_active", "awaiting_confirmation"])
    return user


def account_lockout_notify(*, email: str, cool_off_minutes: int) -> None:
    """Tell an account's owner that sign-in to it is paused after repeated wrong passwords.
    An address with no account gets nothing (and the one locked out is not told either way)."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        return
    email_send(
        to=user.email,
        template="account_locked",
        context={
            "user": user,
            "minutes": cool_off_minutes,
            "login_url": site_url("accounts:login"),
            "reset_url": site_url("accounts:password_reset"),
        },
    )


PROFILE_FIELDS: Final[frozenset[str]] = frozenset({"headline", "location", "languages", "bio", "visibility"})


@transaction.atomic
def profile_update(*, actor: Actor, user: User, full_name: str | None = None, **fields: Any) -> LearnerProfile:
    person = require_authenticated(actor)
    if person.pk != user.pk and not person.is_superuser:
        raise NotFound("Profile not found.")
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    profile, _ = LearnerProfile.objects.get_or_create(user=user)
    for key, value in fields.items():
        setattr(profile, key, value)
    if full_name is not None:
        user.full_name = full_name.strip()
        user.save(update_fields=["full_name"])
    full_clean_or_fail(profile)
    profile.save()
    return profile


ORGANISATION_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "provider_type",
        "description",
        "website",
        "email",
        "city",
        "logo_url",
        "linkedin_organization_id",
        "brand_colour",
        "certificate_signatories",
    }
)


@transaction.atomic
def organisation_create(
    *, actor: Actor, kind: str, name: str, slug: str, country: str, owner: User | None = None, **fields: Any
) -> Organisation:
    if not is_system(actor) and not actor.is_superuser:
        # Anyone signed in may found an organisation and becomes its owner.
        founder = require_authenticated(actor)
        owner = owner or founder
    unknown = set(fields) - ORGANISATION_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown organisation fields: {', '.join(sorted(unknown))}.")
    org = Organisation(kind=kind, name=name, slug=slug, country=(country or "").upper(), **fields)
    full_clean_or_fail(org)
    org.save()
    if owner is not None:
        Membership.objects.create(user=owner, organisation=org, role="owner")
    return org


@transaction.atomic
def organisation_update(*, actor: Actor, organisation: Organisation, **fields: Any) -> Organisation:
    require_org_role(actor, organisation, roles=("owner",))
    unknown = set(fields) - (ORGANISATION_FIELDS | {"name", "country"})
    if unknown:
        raise ValidationFailed(f"Unknown organisation fields: {', '.join(sorted(unknown))}.")
    for key, value in fields.items():
        setattr(organisation, key, value)
    full_clean_or_fail(organisation)
    organisation.save()
    return organisation


@transaction.atomic
def membership_add(*, actor: Actor, organisation: Organisation, user: User, role: str) -> Membership:
    require_org_role(actor, organisation, roles=("owner",))
    membership = Membership(organisation=organisation, user=user, role=role)
    full_clean_or_fail(membership, validate_unique=False, validate_constraints=False)
    existing = Membership.objects.filter(organisation=organisation, user=user).first()
    if existing:
        if existing.role == role:
            return existing
        if existing.role == "owner" and _is_last_owner(organisation):
            raise Conflict("An organisation keeps at least one owner; make someone else owner first.")
        audit_record(actor=actor, action="membership.role", target=existing, role=role, previous=existing.role)
        existing.role = role
        existing.save(update_fields=["role", "updated_at"])
        return existing
    membership.save()
    audit_record(actor=actor, action="membership.add", target=membership, user=user.pk, role=role)
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, organisation: Organisation, user: User) -> None:
    require_org_role(actor, organisation, roles=("owner",))
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None:
        raise NotFound("No such member.")
    owners = Membership.objects.filter(organisation=organisation, role="owner")
    if membership.role == "owner" and owners.count() == 1:
        raise Conflict("An organisation keeps at least one owner.")
    audit_record(actor=actor, action="membership.remove", target=membership, user=user.pk, role=membership.role)
    membership.delete()


INVITATION_LIFETIME = timedelta(days=14)


@transaction.atomic
def membership_invite(*, actor: Actor, organisation: Organisation, email: str, role: str) -> MembershipInvitation:
    """An owner invites an address to join. The answer and the e-mail are the same whether or not
    the address has an account; the membership starts when the invitation is accepted. Inviting
    a pending address again renews its invitation (new link, new role)."""
    require_org_role(actor, organisation, roles=("owner",))
    email = (email or "").strip().lower()
    member = Membership.objects.filter(organisation=organisation, user__email__iexact=email).first()
    if member is not None:
        # Members are listed on the owner's page already, so saying so reveals nothing new.
        raise Conflict(
            f"{email} is already a member ({MembershipRole(member.role).label.lower()}); "
            "change their role in the list instead."
        )
    invitation = (
        MembershipInvitation.objects.select_for_update()
        .filter(organisation=organisation, email__iexact=email, accepted_at__isnull=True)
        .first()
    ) or MembershipInvitation(organisation=organisation, email=email)
    secret = secrets.token_urlsafe(32)
    invitation.role = role
    invitation.invited_by = None if is_system(actor) else require_authenticated(actor)
    invitation.token_hash = _hash_token(secret)
    invitation.expires_at = now() + INVITATION_LIFETIME
    full_clean_or_fail(invitation, exclude=["invited_by"], validate_unique=False, validate_constraints=False)
    invitation.save()
    audit_record(actor=actor, action="membership.invite", target=invitation, email=email, role=role)
    email_send(
        to=email,
        template="membership_invitation",
        context={
            "organisation": organisation,
            "role": invitation.get_role_display().lower(),
            "inviter": actor,
            "accept_url": site_url("accounts:invitation", secret),
            "expires_at": invitation.expires_at,
        },
    )
    return invitation


def membership_invitation_by_secret(*, secret: str) -> MembershipInvitation:
    invitation = (
        MembershipInvitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=_hash_token(secret or ""), accepted_at__isnull=True, expires_at__gt=now())
        .first()
    )
    if invitation is None:
        raise NotFound("This invitation has expired, was withdrawn or has already been used.")
    return invitation


@transaction.atomic
def membership_invitation_accept(*, actor: Actor, secret: str) -> Membership:
    """The invited person joins, signed in with the address the invitation was sent to."""
    person = require_authenticated(actor)
    invitation = membership_invitation_by_secret(secret=secret)
    invitation = MembershipInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.email.lower() != person.email.lower():
        raise PermissionDenied(
            f"This invitation was sent to {invitation.email}. Log in with that address to accept it."
        )
    organisation = invitation.organisation
    if invitation.invited_by is None or not has_org_role(invitation.invited_by, organisation, ("owner",)):
        raise Conflict("Whoever sent this invitation can no longer add members. Ask an owner for a new one.")
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=person, defaults={"role": invitation.role}
    )
    invitation.accepted_at = now()
    invitation.accepted_by = person
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    if created:
        audit_record(
            actor=actor, action="membership.accept", target=membership, invitation=invitation.pk, role=membership.role
        )
    return membership


@transaction.atomic
def membership_invitation_withdraw(*, actor: Actor, organisation: Organisation, invitation_id: int) -> None:
    require_org_role(actor, organisation, roles=("owner",))
    invitation = MembershipInvitation.objects.filter(
        pk=invitation_id, organisation=organisation, accepted_at__isnull=True
    ).first()
    if invitation is None:
        raise NotFound("No such invitation.")
    audit_record(actor=actor, action="membership.invitation_withdraw", target=invitation, email=invitation.email)
    invitation.delete()


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Make a personal API token; the secret is returned once and only its hash is kept."""
    person = require_authenticated(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the token a name.", errors={"name": ["This field is required."]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=person, name=name[:100], prefix=secret[:12], token_hash=_hash_token(secret))
    # The prefix identifies the token in the audit log; the secret and its hash never go there.
    audit_record(actor=actor, action="api_token.create", target=token, name=token.name, prefix=token.prefix)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    person = require_authenticated(actor)
    if token.user_id != person.pk:
        raise NotFound("Token not found.")
    if token.revoked_at is None:
        token.revoked_at = now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="api_token.revoke", target=token, user=token.user_id, prefix=token.prefix)
    return token


def api_token_authenticate(*, secret: str) -> User | None:
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    moment = now()
    if token.last_used_at is None or (moment - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user


def _is_last_owner(organisation: Organisation) -> bool:
    # Lock the owner rows so two owners demoting each other at once cannot leave none.
    owners = list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role="owner")
        .values_list("pk", flat=True)
    )
    return len(owners) <= 1


USER_ADMIN_FIELDS: Final[frozenset[str]] = frozenset(
    {"email", "full_name", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"}
)
# Fields that hand out power over the whole site: only a superuser changes them.
SUPERUSER_ONLY_FIELDS: Final[frozenset[str]] = frozenset({"is_superuser", "groups", "user_permissions"})


def _require_account_manager(actor: Actor, user: User) -> User:
    """Staff manage accounts; a superuser's account is managed only by superusers, or a staff
    member could take it over (change its email, then reset its password). Returns the manager."""
    manager = require_authenticated(actor)
    if not (manager.is_staff or manager.is_superuser):
        raise NotFound("User not found.")
    if user.is_superuser and not manager.is_superuser:
        raise PermissionDenied("Only a superuser can change a superuser's account.")
    return manager


@transaction.atomic
def user_update(*, actor: Actor, user: User, **fields: Any) -> User:
    """Staff change an account: email, name, active/staff flags and, for superusers only, the
    superuser flag, groups and permissions. Audited with the names of the changed fields."""
    from django.contrib.auth.models import Group, Permission

    unknown = set(fields) - USER_ADMIN_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown account fields: {', '.join(sorted(unknown))}.")
    user = User.objects.select_for_update().get(pk=user.pk)
    manager = _require_account_manager(actor, user)
    groups = fields.pop("groups", None)
    permissions = fields.pop("user_permissions", None)
    if "email" in fields:
        fields["email"] = str(fields["email"] or "").strip().lower()
    if "full_name" in fields:
        fields["full_name"] = str(fields["full_name"] or "").strip()
    changed = sorted(k for k, v in fields.items() if getattr(user, k) != v)
    if groups is not None and set(user.groups.all()) != set(groups):
        changed.append("groups")
    if permissions is not None and set(user.user_permissions.all()) != set(permissions):
        changed.append("user_permissions")
    if not changed:
        return user
    if SUPERUSER_ONLY_FIELDS & set(changed) and not manager.is_superuser:
        raise PermissionDenied("Only a superuser can change superuser status, groups or permissions.")
    if manager.pk == user.pk and any(k in changed and not fields[k] for k in ("is_active", "is_staff", "is_superuser")):
        # Locking yourself out needs someone else to let you back in.
        raise Conflict("You cannot remove your own access; ask another superuser.")
    if "email" in changed and User.objects.filter(email__iexact=fields["email"]).exclude(pk=user.pk).exists():
        raise ValidationFailed(
            "An account with this email address already exists.", errors={"email": ["Already registered."]}
        )
    for key, value in fields.items():
        setattr(user, key, value)
    full_clean_or_fail(user, exclude=["password"], validate_unique=False)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationFailed("An account with this email address already exists.") from exc
    if groups is not None:
        user.groups.set(Group.objects.filter(pk__in=[g.pk for g in groups]))
    if permissions is not None:
        user.user_permissions.set(Permission.objects.filter(pk__in=[p.pk for p in permissions]))
    audit_record(actor=actor, action="user.update", target=user, fields=sorted(changed))
    return user


@transaction.atomic
def user_set_password(*, actor: Actor, user: User, password: str | None) -> User:
    """Staff set someone's password, or with ``password=None`` disable password sign-in.
    The audit row records that it happened, never the password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_account_manager(actor, user)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), errors={"password": list(exc.messages)}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.set_password", target=user, usable=password is not None)
    return user


@transaction.atomic
def api_token_staff_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Staff cut off a leaked token. The row stays (revoked) so its use stays traceable."""
    staff = require_authenticated(actor)
    if not (staff.is_staff or staff.is_superuser):
        raise NotFound("Token not found.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="api_token.revoke", target=token, user=token.user_id, prefix=token.prefix)
    return token
