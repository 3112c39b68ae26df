"""Who is calling: a personal API token (``Authorization: Bearer mcp_…``) or the browser session.

Token first: a script sending a token never needs a CSRF token. The session is checked for
CSRF on unsafe methods, but only once a session user is found, so an anonymous POST gets a
clear 401 rather than a CSRF 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from microcred.accounts.services import api_token_authenticate
from microcred.core.errors import AuthenticationRequired, PermissionDenied


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    title = "CSRF check failed"


class ApiTokenAuth(HttpBearer):
    """A personal API token. A Bearer header that does not name a live token is refused outright
    instead of falling back to the session, so a revoked token never works by accident."""

    openapi_bearerFormat = "mcp_…"
    openapi_description = "A personal API token from POST /api/v1/me/tokens."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(secret=token.strip())
        if user is None:
            raise AuthenticationRequired("The API token is invalid or has been revoked.", code="invalid_token")
        return user


class SessionAuth(APIKeyCookie):
    """The Django session of a signed-in browser, with Django's CSRF check on unsafe methods."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfFailed(
                "Send the CSRF token in the X-CSRFToken header with session-authenticated writes, "
                "or use a personal API token."
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover - __call__ decides
        return None


token_auth = ApiTokenAuth()
session_auth = SessionAuth(csrf=True)
# Every operation requires one of these unless it says ``auth=None`` (public catalog reads).
DEFAULT_AUTH = [token_auth, session_auth]
SESSION_ONLY = [session_auth]


def actor_of(request: HttpRequest) -> Any:
    """The authenticated user, whichever scheme found them."""
    return request.auth  # type: ignore[attr-defined]
