"""API authentication by a personal API token (``Authorization: Bearer mcp_…``).

The tokens are accounts' (``services.api_token_create``/``api_token_authenticate``), so their
scheme is too; ``config/api.py`` puts it before the API kit's session scheme (``api/auth.py``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from microcred.core.errors import AuthenticationRequired

from .services import api_token_authenticate


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


token_auth = ApiTokenAuth()
