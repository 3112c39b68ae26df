"""Every write of the OB 3.0 API: client registration (RFC 7591), the upsert into the learner's
wallet, the profile update and the removal of expired tokens. Tokens and grants are
django-oauth-toolkit's own writes.

An upserted credential is verified first, against the learner's e-mail address, and kept through
careers' own upload service (``external_credential_upload``), never written here."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from django.db import transaction
from oauth2_provider.models import (
    clear_expired,
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

from microcred.accounts.models import User
from microcred.accounts.permissions import Actor, require_authenticated
from microcred.accounts.services import profile_update
from microcred.careers.models import ExternalCredential
from microcred.careers.selectors import VALID_OUTCOME
from microcred.careers.services import CredentialNotAccepted, external_credential_remove, external_credential_upload
from microcred.core import clock
from microcred.core.actors import SYSTEM
from microcred.core.errors import AppError, NotFound, ValidationFailed
from microcred.core.services import audit_record
from microcred.credentials.models import Credential
from microcred.verification.services import verify_credential

from .models import ClientRegistration
from .scopes import KNOWN_SCOPES, OB_SCOPES
from .selectors import profile_id_of

# -- dynamic client registration (RFC 7591) ----------------------------------------------------

# What a client may register and use: registration checks against these, and the discovery
# document and the authorization server metadata (discovery.py) advertise them.
GRANT_TYPES: Final[frozenset[str]] = frozenset({"authorization_code", "refresh_token"})
RESPONSE_TYPES: Final[frozenset[str]] = frozenset({"code"})
AUTH_METHODS: Final[frozenset[str]] = frozenset({"client_secret_basic", "client_secret_post"})
# PKCE with S256 only (OB 3.0 §7.1.2.1, RFC 9700 §2.1.1): the consent view refuses anything else.
CODE_CHALLENGE_METHODS: Final[frozenset[str]] = frozenset({"S256"})
MAX_REDIRECT_URIS: Final = 10
MAX_CONTACTS: Final = 10
URI_FIELDS: Final = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
LOOPBACK_HOSTS: Final[frozenset[str]] = frozenset({"localhost"})


class RegistrationRefused(AppError):
    """An RFC 7591 §3.2.2 error: ``code`` is the error code the client reads."""

    status = 400
    code = "invalid_client_metadata"


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _redirect_uri(value: Any) -> str:
    """https anywhere, or http on the loopback interface (a native wallet, RFC 8252 §7.3); never a
    fragment (RFC 6749 §3.1.2), never a wildcard."""
    if not isinstance(value, str) or not value.strip() or len(value) > 500:
        raise RegistrationRefused(
            "Each redirect URI must be a URL of at most 500 characters.", code="invalid_redirect_uri"
        )
    parts = urlsplit(value.strip())
    host = parts.hostname or ""
    if not ((parts.scheme == "https" and host) or (parts.scheme == "http" and _is_loopback(host))):
        raise RegistrationRefused(
            f"{value!r} is not allowed: redirect URIs must be https, "
            "or http on the loopback address (127.0.0.1, [::1]).",
            code="invalid_redirect_uri",
        )
    if parts.fragment or "*" in value:
        raise RegistrationRefused(
            f"{value!r} is not allowed: a redirect URI has no fragment and no wildcard.", code="invalid_redirect_uri"
        )
    return value.strip()


def _string(metadata: Mapping[str, Any], name: str, *, limit: int, required: bool = False) -> str:
    value = metadata.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RegistrationRefused(f"{name} must be a string.")
    value = value.strip()
    if required and not value:
        raise RegistrationRefused(f"{name} is required.")
    if len(value) > limit:
        raise RegistrationRefused(f"{name} is longer than {limit} characters.")
    return value


def _web_uri(metadata: Mapping[str, Any], name: str) -> str:
    value = _string(metadata, name, limit=500)
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise RegistrationRefused(f"{name} must be an http(s) URL.")
    return value


def _list_of_strings(metadata: Mapping[str, Any], name: str, default: list[str]) -> list[str]:
    value = metadata.get(name, default)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RegistrationRefused(f"{name} must be an array of strings.")
    return value


def _scopes(metadata: Mapping[str, Any]) -> list[str]:
    raw = metadata.get("scope")
    if raw is None:
        return list(OB_SCOPES)  # RFC 7591 §2: the server picks a default
    if not isinstance(raw, str) or not raw.split():
        raise RegistrationRefused("scope must be a space-separated string of scopes.")
    scopes = list(dict.fromkeys(raw.split()))
    unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
    if unknown:
        raise RegistrationRefused(
            f"Unknown scope {unknown[0]!r}; the scopes offered are the discovery document's.",
            code="invalid_client_metadata",
        )
    return scopes


@dataclass(frozen=True)
class RegisteredClient:
    registration: ClientRegistration
    client_secret: str  # shown once, stored hashed

    def to_json(self) -> dict[str, Any]:
        registration = self.registration
        application = registration.application
        data: dict[str, Any] = {
            "client_id": application.client_id,
            "client_secret": self.client_secret,
            "client_id_issued_at": int(registration.created_at.timestamp()),
            "client_secret_expires_at": 0,  # RFC 7591 §3.2.1: never
            "client_name": application.name,
            "redirect_uris": application.redirect_uris.split(),
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": registration.scope,
        }
        for name in (*URI_FIELDS, "software_id", "software_version"):
            if getattr(registration, name):
                data[name] = getattr(registration, name)
        if registration.contacts:
            data["contacts"] = registration.contacts
        return data


def client_register(*, metadata: Any, registered_from: str | None = None) -> RegisteredClient:
    """Register an OB 3.0 API client from its RFC 7591 metadata: a confidential client of the
    authorization code grant (refresh tokens included), limited to the scopes it names."""
    if not isinstance(metadata, Mapping):
        raise RegistrationRefused("The registration request must be a JSON object.")
    name = _string(metadata, "client_name", limit=255, required=True)
    redirect_uris = _list_of_strings(metadata, "redirect_uris", [])
    if not redirect_uris:
        raise RegistrationRefused(
            "redirect_uris is required (the authorization code grant needs one).", code="invalid_redirect_uri"
        )
    if len(redirect_uris) > MAX_REDIRECT_URIS:
        raise RegistrationRefused(f"At most {MAX_REDIRECT_URIS} redirect URIs.", code="invalid_redirect_uri")
    uris = list(dict.fromkeys(_redirect_uri(uri) for uri in redirect_uris))
    grant_types = set(_list_of_strings(metadata, "grant_types", ["authorization_code"]))
    if "authorization_code" not in grant_types or not grant_types <= GRANT_TYPES:
        raise RegistrationRefused(
            "grant_types may be authorization_code and refresh_token only (authorization_code required)."
        )
    if not set(_list_of_strings(metadata, "response_types", ["code"])) <= RESPONSE_TYPES:
        raise RegistrationRefused('response_types may only be ["code"].')
    auth_method = metadata.get("token_endpoint_auth_method", "client_secret_basic")
    if auth_method not in AUTH_METHODS:
        raise RegistrationRefused(
            f"token_endpoint_auth_method {auth_method!r} is not supported: "
            "use client_secret_basic or client_secret_post."
        )
    contacts = _list_of_strings(metadata, "contacts", [])
    if len(contacts) > MAX_CONTACTS or any(len(contact) > 254 for contact in contacts):
        raise RegistrationRefused(f"At most {MAX_CONTACTS} contacts of 254 characters.")
    scopes = _scopes(metadata)
    fields = {field: _web_uri(metadata, field) for field in URI_FIELDS}
    software = {
        "software_id": _string(metadata, "software_id", limit=200),
        "software_version": _string(metadata, "software_version", limit=100),
    }
    application_model = get_application_model()
    application = application_model(
        name=name,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(uris),
        skip_authorization=False,
    )
    secret = application.client_secret  # hashed by save()
    try:
        application.full_clean()
    except Exception as exc:  # Django's ValidationError: its messages, never its repr
        messages = getattr(exc, "messages", None) or ["The client metadata is not valid."]
        raise RegistrationRefused("; ".join(messages)) from exc
    with transaction.atomic():
        application.save()
        registration = ClientRegistration.objects.create(
            application=application,
            scope=" ".join(scopes),
            contacts=contacts,
            registered_from=registered_from,
            **fields,
            **software,
        )
        audit_record(
            actor=SYSTEM,
            action="obapi.client_register",
            target=registration,
            client_id=application.client_id,
            client_name=name,
            redirect_uris=uris,
            scope=registration.scope,
        )
    return RegisteredClient(registration=registration, client_secret=secret)


# -- upsert into the learner's wallet ----------------------------------------------------------


@dataclass(frozen=True)
class Upserted:
    created: bool
    external: ExternalCredential | None  # None: one of our own credentials, already the learner's


def _refusal(report: Any) -> str:
    failed = next((step for step in report.steps if step.status == "failed"), None)
    return f"{report.headline}: {failed.reason}" if failed is not None else report.headline


def wallet_credential_upsert(*, actor: Actor, learner: User, document: str) -> Upserted:
    """The OB 3.0 upsert: verify the credential (against the learner's address), then keep it.

    Equality is the credential's ``id`` (the spec's "credential equality"): the same id with the
    same bytes is already there (not created); the same id with other bytes replaces the kept copy
    (the new one is kept first, then the old removed, so a failure never loses both); one of our
    own credentials issued to this learner is already theirs. Anything not valid is refused with
    the verifier's reason (``CredentialNotAccepted``) and nothing changes."""
    person = require_authenticated(actor)
    if person.pk != learner.pk:
        raise NotFound("Wallet not found.")
    text = document.strip()
    if not text:
        raise ValidationFailed("The request has no credential.", errors={"credential": ["Send a credential."]})
    report = verify_credential(data=text, recipient_email=learner.email, now=clock.now())
    if report.outcome.value != VALID_OUTCOME:
        message = _refusal(report)
        raise CredentialNotAccepted(
            f"Not accepted. {message}", errors={"credential": [message]}, outcome=report.outcome.value
        )
    credential_id = (report.credential_id or "")[:500]
    if credential_id and Credential.objects.filter(user=learner, document__id=credential_id).exists():
        return Upserted(created=False, external=None)
    existing = (
        ExternalCredential.objects.filter(user=learner, credential_id=credential_id).first() if credential_id else None
    )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if existing is not None and existing.document_sha256 == digest:
        return Upserted(created=False, external=existing)
    kept = external_credential_upload(actor=actor, learner=learner, document=text, replacing=existing)
    if existing is not None:
        external_credential_remove(actor=actor, credential=existing)
    return Upserted(created=existing is None, external=kept)


# -- the learner's profile ---------------------------------------------------------------------

NAME_MAX: Final = 200
DESCRIPTION_MAX: Final = 5000


def wallet_profile_update(*, actor: Actor, learner: User, profile: Any) -> User:
    """PUT /profile: the learner's name and description (our bio) from an OB 3.0 Profile. Its
    ``id`` and ``email`` must be the learner's (an e-mail address changes on the account pages,
    where it is confirmed); the other properties are not kept by us and are refused, so a client
    never believes it stored what we dropped."""
    if not isinstance(profile, Mapping):
        raise ValidationFailed("The profile must be a JSON object.")
    types = profile.get("type")
    if not isinstance(types, list) or "Profile" not in types:
        raise ValidationFailed('type must be an array holding "Profile".')
    if profile.get("id") != profile_id_of(learner):
        raise ValidationFailed("id must be this learner's profile id, as GET /profile gives it.")
    email = profile.get("email")
    if email is not None and (not isinstance(email, str) or email.strip().lower() != learner.email.lower()):
        raise ValidationFailed("email cannot be changed here; change it on your account page, where it is confirmed.")
    kept = {"@context", "id", "type", "email", "name", "description"}
    others = sorted(set(profile) - kept)
    if others:
        raise ValidationFailed(f"Only name and description can be updated; not {', '.join(others)}.")
    name = profile.get("name", "")
    description = profile.get("description", "")
    if not isinstance(name, str) or len(name.strip()) > NAME_MAX:
        raise ValidationFailed(f"name must be a string of at most {NAME_MAX} characters.")
    if not isinstance(description, str) or len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(f"description must be a string of at most {DESCRIPTION_MAX} characters.")
    profile_update(actor=actor, user=learner, full_name=name.strip(), bio=description.strip())
    learner.refresh_from_db(fields=["full_name"])
    return learner


# -- the applications a learner connected ------------------------------------------------------


def connection_end(*, actor: Actor, learner: User, client_id: str) -> int:
    """Disconnect an application from the learner: every access and refresh token it holds for
    them stops working now. Returns how many tokens ended; another learner's are never touched."""
    person = require_authenticated(actor)
    if person.pk != learner.pk:
        raise NotFound("Application not found.")
    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None:
        raise NotFound("Application not found.")
    with transaction.atomic():
        refresh_tokens = (
            get_refresh_token_model()
            .objects.select_for_update()
            .filter(user=learner, application=application, revoked__isnull=True)
        )
        ended = 0
        for refresh in refresh_tokens:
            refresh.revoke()  # DOT's: marks it revoked and deletes its access token
            ended += 1
        deleted, _ = get_access_token_model().objects.filter(user=learner, application=application).delete()
        ended += deleted
        if not ended:
            raise NotFound("This application is not connected to your account.")
        audit_record(actor=actor, action="obapi.connection_end", target=application, client_id=client_id, tokens=ended)
    return ended


# -- expired tokens and grants -----------------------------------------------------------------


@dataclass(frozen=True)
class ClearedTokens:
    access_tokens: int
    refresh_tokens: int
    grants: int
    remaining: int  # tokens and grants still stored: each will expire in its turn

    def to_json(self) -> dict[str, int]:
        return {
            "access_tokens": self.access_tokens,
            "refresh_tokens": self.refresh_tokens,
            "grants": self.grants,
            "remaining": self.remaining,
        }


def expired_tokens_clear() -> ClearedTokens:
    """Delete what can no longer be used, by django-oauth-toolkit's rules (``clear_expired``, what
    ``microcred cleartokens`` runs): expired authorization codes, refresh tokens unused for
    ``REFRESH_TOKEN_EXPIRE_SECONDS`` with their access tokens, and expired access tokens without a
    refresh token. A spent (rotated) refresh token is kept as long as it could have lived, so its
    reuse is still caught. Returns how many of each went (counted around the deletion)."""
    models = (get_access_token_model(), get_refresh_token_model(), get_grant_model())
    before = [model.objects.count() for model in models]
    clear_expired()
    after = [model.objects.count() for model in models]
    access, refresh, grants = (max(0, was - now) for was, now in zip(before, after, strict=True))
    return ClearedTokens(access_tokens=access, refresh_tokens=refresh, grants=grants, remaining=sum(after))
