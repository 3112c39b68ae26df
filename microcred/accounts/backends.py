"""Authentication backends."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' sign-in throttle, for sign-ins that come over HTTP. ``authenticate`` called
    without a request (our own code, a shell, the test client's ``login``) is nothing an outsider
    can repeat, so it is passed on unthrottled instead of refused with an error."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None
