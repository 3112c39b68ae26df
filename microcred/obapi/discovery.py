"""What a client reads before it connects, both built here from the same endpoints and lists:

- the Service Description Document (OB 3.0 §6.3.1, §7.1.1.1): a profiled OpenAPI 3.0 document
  saying where the API is, how to register and get tokens, and which scopes exist;
- the OAuth 2.0 Authorization Server Metadata (RFC 8414) at ``/.well-known/oauth-authorization-server``,
  for OAuth libraries that discover an authorization server the standard way.

Every URL is absolute, on the installation's own ``SITE_URL``, which is also the issuer identifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from .scopes import CREDENTIAL_READONLY, CREDENTIAL_UPSERT, OB_SCOPES, PROFILE_READONLY, PROFILE_UPDATE
from .services import AUTH_METHODS, CODE_CHALLENGE_METHODS, GRANT_TYPES, RESPONSE_TYPES

STATUS_INFO_REF = {"$ref": "#/components/schemas/Imsx_StatusInfo"}


def absolute(name: str) -> str:
    return f"{settings.SITE_URL}{reverse(name)}"


def issuer() -> str:
    """The authorization server's issuer identifier (RFC 8414 §2): the installation's ``SITE_URL``.
    The metadata's ``issuer`` and the ``iss`` parameter of each authorization response (RFC 9207,
    the consent view) are this one value, so a wallet can check it was not mixed up."""
    return settings.SITE_URL


def issuer_path() -> str:
    """The issuer's path without its slashes ("" on a site at the root of its host): RFC 8414 §3
    inserts the well-known string before it."""
    return urlsplit(issuer()).path.strip("/")


@dataclass(frozen=True)
class OAuthEndpoints:
    authorization: str
    token: str
    registration: str
    revocation: str  # RFC 7009


def oauth_endpoints() -> OAuthEndpoints:
    return OAuthEndpoints(
        authorization=absolute("obapi:authorize"),
        token=absolute("obapi:token"),
        registration=absolute("obapi:register"),
        revocation=absolute("obapi:revoke"),
    )


def _operation(operation_id: str, summary: str, scope: str, ok: dict[str, Any]) -> dict[str, Any]:
    return {
        "tags": ["OpenBadgeCredentials"],
        "summary": summary,
        "operationId": operation_id,
        "responses": {
            **ok,
            "default": {"description": "An error.", "content": {"application/json": {"schema": STATUS_INFO_REF}}},
        },
        "security": [{"OAuth2ACG": [scope]}],
    }


def _json(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"type": "object"}}}}


def policy_urls() -> tuple[str, str]:
    """(privacy policy, terms of service): the operator's own pages when set, else ours."""
    page = absolute("obapi:policy")
    return (
        settings.MICROCRED_PRIVACY_POLICY_URL or f"{page}#privacy",
        settings.MICROCRED_TERMS_URL or f"{page}#terms",
    )


def service_description() -> dict[str, Any]:
    privacy, terms = policy_urls()
    endpoints = oauth_endpoints()
    name = "Microcred"
    return {
        "openapi": "3.0.1",
        "info": {
            "title": f"{name} Open Badges API",
            "description": "Open Badges 3.0: the learner's credentials and profile.",
            "version": "3.0",
            "termsOfService": terms,
            "x-imssf-privacyPolicyUrl": privacy,
            "x-imssf-image": f"{settings.SITE_URL}{static('web/img/favicon.svg')}",
        },
        "servers": [{"url": f"{settings.SITE_URL}/ims/ob/v3p0"}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": _operation(
                    "getCredentials",
                    "The learner's OpenBadgeCredentials, paged (limit, offset, since).",
                    CREDENTIAL_READONLY,
                    {"200": _json("GetOpenBadgeCredentialsResponse, with X-Total-Count and Link headers.")},
                ),
                "post": _operation(
                    "upsertCredential",
                    "Verify a credential issued to the learner and keep it in their wallet.",
                    CREDENTIAL_UPSERT,
                    {"200": _json("It was already there (or replaced)."), "201": _json("It was added.")},
                ),
            },
            "/profile": {
                "get": _operation("getProfile", "The learner's Profile.", PROFILE_READONLY, {"200": _json("Profile")}),
                "put": _operation(
                    "putProfile",
                    "Update the learner's name and description.",
                    PROFILE_UPDATE,
                    {"200": _json("Profile")},
                ),
            },
            "/discovery": {
                "get": {
                    "tags": ["Discovery"],
                    "summary": "This Service Description Document.",
                    "operationId": "getServiceDescription",
                    "responses": {"200": _json("ServiceDescriptionDocument")},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant with PKCE (S256)",
                    "x-imssf-name": name,
                    "x-imssf-privacyPolicyUrl": privacy,
                    "x-imssf-termsOfServiceUrl": terms,
                    "x-imssf-registrationUrl": endpoints.registration,
                    # The spec has no place for it: RFC 7009 token revocation, named here for wallets.
                    "x-microcred-revocationUrl": endpoints.revocation,
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": endpoints.authorization,
                            "tokenUrl": endpoints.token,
                            "refreshUrl": endpoints.token,
                            "scopes": dict(OB_SCOPES),
                        }
                    },
                }
            },
            "schemas": {},
        },
    }


def authorization_server_metadata() -> dict[str, Any]:
    """RFC 8414 §2: the same endpoints, scopes and policy pages as the service description, and
    what the server accepts (the lists registration checks against)."""
    privacy, terms = policy_urls()
    endpoints = oauth_endpoints()
    auth_methods = sorted(AUTH_METHODS)
    return {
        "issuer": issuer(),
        "authorization_endpoint": endpoints.authorization,
        "token_endpoint": endpoints.token,
        "registration_endpoint": endpoints.registration,
        "revocation_endpoint": endpoints.revocation,
        # The OB scopes only, as in the service description: offline_access is accepted (the
        # spec's examples send it) but changes nothing, so it is not offered.
        "scopes_supported": list(OB_SCOPES),
        "response_types_supported": sorted(RESPONSE_TYPES),
        "response_modes_supported": ["query"],
        "grant_types_supported": sorted(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "code_challenge_methods_supported": sorted(CODE_CHALLENGE_METHODS),
        "authorization_response_iss_parameter_supported": True,  # RFC 9207
        "service_documentation": f"{absolute('obapi:policy')}#developers",
        "op_policy_uri": privacy,
        "op_tos_uri": terms,
    }
