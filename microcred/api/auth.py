"""Who is calling: the browser session. A personal API token (``Authorization: Bearer mcp_…``)
is accounts' scheme (``accounts/api_auth.py``); ``config/api.py`` puts it first, so a script
sending a token never needs a CSRF token. The session is checked for CSRF on unsafe methods, but
only once a session user is found, so an anonymous POST gets a clear 401 rather than a CSRF 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf

from microcred.core.errors import PermissionDenied


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    title = "CSRF check failed"


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


session_auth = SessionAuth(csrf=True)
# For operations a token must not reach (minting tokens: ADR 0004).
SESSION_ONLY = [session_auth]


def actor_of(request: HttpRequest) -> Any:
    """The authenticated user, whichever scheme found them."""
    return request.auth  # type: ignore[attr-defined]
