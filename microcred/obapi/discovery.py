"""The Service Description Document (OB 3.0 §6.3.1, §7.1.1.1): a profiled OpenAPI 3.0 document
saying where the API is, how to register and get tokens, and which scopes exist. Every URL is
absolute, on the installation's own ``SITE_URL``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from .scopes import CREDENTIAL_READONLY, CREDENTIAL_UPSERT, OB_SCOPES, PROFILE_READONLY, PROFILE_UPDATE

STATUS_INFO_REF = {"$ref": "#/components/schemas/Imsx_StatusInfo"}


def absolute(name: str) -> str:
    return f"{settings.SITE_URL}{reverse(name)}"


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
    token = absolute("obapi:token")
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
                    "x-imssf-registrationUrl": absolute("obapi:register"),
                    # The spec has no place for it: RFC 7009 token revocation, named here for wallets.
                    "x-microcred-revocationUrl": absolute("obapi:revoke"),
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": absolute("obapi:authorize"),
                            "tokenUrl": token,
                            "refreshUrl": token,
                            "scopes": dict(OB_SCOPES),
                        }
                    },
                }
            },
            "schemas": {},
        },
    }
