from __future__ import annotations

from django.db import models

from microcred.accounts.models import Organisation
from microcred.core.models import TimeStampedModel


class AccreditationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Accreditation(TimeStampedModel):
    """An accreditor vouches for a provider, for a scope and a period."""

    accreditor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="accreditations_granted")
    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="accreditations")
    scope = models.CharField(max_length=300, help_text="What the accreditation covers.")
    reference = models.CharField(max_length=100, blank=True, help_text="The accreditor's own reference number.")
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=AccreditationStatus.choices, default=AccreditationStatus.ACTIVE)

    class Meta:
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.accreditor} accredits {self.provider}"
