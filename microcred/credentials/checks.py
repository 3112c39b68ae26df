"""System checks of the settings the credentials we issue depend on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from .vc.loader import installation_context_url


def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """SITE_URL is signed into every credential (issuer, status list and context URLs)."""
    try:
        installation_context_url(str(settings.SITE_URL))
    except ValueError as exc:
        return [
            Error(
                str(exc),
                hint="Set SITE_URL to the public origin of this installation, e.g. https://credentials.example.org.",
                id="credentials.E001",
            )
        ]
    return []
