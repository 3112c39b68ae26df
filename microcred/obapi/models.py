"""What a dynamically registered OB 3.0 API client told us about itself (RFC 7591), beside
django-oauth-toolkit's ``Application`` (client id, hashed secret, redirect URIs)."""

from __future__ import annotations

from django.db import models

from microcred.core.models import TimeStampedModel


class ClientRegistration(TimeStampedModel):
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="ob_registration"
    )
    scope = models.TextField(help_text="The scopes it registered for, space-separated: it may ask for no others.")
    client_uri = models.URLField(max_length=500, blank=True)
    logo_uri = models.URLField(max_length=500, blank=True)
    tos_uri = models.URLField(max_length=500, blank=True)
    policy_uri = models.URLField(max_length=500, blank=True)
    software_id = models.CharField(max_length=200, blank=True)
    software_version = models.CharField(max_length=100, blank=True)
    contacts = models.JSONField(default=list, blank=True)
    registered_from = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Registration of {self.application}"

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()
