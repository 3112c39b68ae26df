"""django-oauth-toolkit's validator, narrowed: a client gets only the scopes it registered for."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from .scopes import KNOWN_SCOPES


def _registered(client: Any) -> frozenset[str]:
    registration = getattr(client, "ob_registration", None)
    return frozenset(registration.scopes) if registration is not None else frozenset()


class RegisteredScopesValidator(OAuth2Validator):
    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        # An application made in the admin, without a registration, gets no scope at all.
        allowed = _registered(client) & KNOWN_SCOPES
        return bool(scopes) and set(scopes) <= allowed

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> list[str]:
        # No ``scope`` in the request: what the client registered for.
        return sorted(_registered(request.client))
