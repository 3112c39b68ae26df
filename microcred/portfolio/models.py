"""A learner's public portfolio (issue 11 §5): a page at a handle they choose, with the credentials
and verified skills they tick, and a printable learner record (ADR 0046).

Only the choices are stored. What the page shows is drawn from them each time: a ticked credential
that is revoked, suspended or expired drops off the page the moment it is, and a ticked skill shows
only while the careers app's skill profile still counts it as verified."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from microcred.core.models import TimeStampedModel

HANDLE_MIN_LENGTH = 3
HANDLE_MAX_LENGTH = 40


class Portfolio(TimeStampedModel):
    """One per learner; off (``published`` False) until they turn it on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio")
    handle = models.CharField(max_length=HANDLE_MAX_LENGTH, unique=True, help_text="The page's address: /p/<handle>.")
    display_name = models.CharField(max_length=120, blank=True, help_text="Empty: the account's name.")
    headline = models.CharField(max_length=200, blank=True)
    published = models.BooleanField(default=False, help_text="Off: only the learner can open the page.")

    def __str__(self) -> str:
        return f"Portfolio /p/{self.handle}"


class FormerHandle(models.Model):
    """A handle the portfolio had: its address keeps redirecting to the current one, and nobody
    else may take it (a shared link must never start showing someone else)."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="former_handles")
    handle = models.CharField(max_length=HANDLE_MAX_LENGTH, unique=True)
    retired_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"/p/{self.handle} → {self.portfolio}"


class ShownCredential(models.Model):
    """A credential the learner ticked: one of ours, or one imported from elsewhere."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="shown_credentials")
    credential = models.ForeignKey("credentials.Credential", null=True, blank=True, on_delete=models.CASCADE)
    external = models.ForeignKey("careers.ExternalCredential", null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credential__isnull=False, external__isnull=True)
                | models.Q(credential__isnull=True, external__isnull=False),
                name="shown_credential_one_kind",
            ),
            models.UniqueConstraint(fields=["portfolio", "credential"], name="shown_credential_once"),
            models.UniqueConstraint(fields=["portfolio", "external"], name="shown_external_once"),
        ]

    def __str__(self) -> str:
        return f"{self.portfolio} shows {self.credential_id or self.external_id}"


class ShownSkill(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="shown_skills")
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["portfolio", "skill"], name="shown_skill_once")]

    def __str__(self) -> str:
        return f"{self.portfolio} shows {self.skill_id}"
