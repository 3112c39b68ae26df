"""Signed credentials, the keys that sign them, the endorsements accreditors sign for the
providers they accredit, and the status lists that revoke and suspend them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from microcred.accounts.models import Organisation
from microcred.catalog.models import MicroCredential
from microcred.core.models import TimeStampedModel


class IssuerKey(TimeStampedModel):
    """One Ed25519 key of an issuing organisation. The private half is encrypted at rest
    (``keys.py``) and never leaves the server; retired keys keep verifying old credentials."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="issuer_keys")
    key_id = models.CharField(max_length=40, help_text="Fragment of the verification method, e.g. key-1.")
    algorithm = models.CharField(max_length=20, default="Ed25519")
    public_key_multibase = models.CharField(max_length=100)
    private_key_encrypted = models.TextField(editable=False)
    active = models.BooleanField(default=True, help_text="Signs new credentials. One active key per issuer.")
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key_id"], name="unique_issuer_key_id"),
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(active=True), name="one_active_key_per_issuer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.slug}#{self.key_id}"


class CredentialStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


class HolderName(models.TextChoices):
    """Whether the public page shows the holder's name, which the signed credential never carries."""

    SHOWN = "shown", "Show my name"
    HIDDEN = "hidden", "Don't show my name"
    # Credentials issued before the choice existed: their pages followed the profile's visibility.
    PROFILE = "profile", "As my profile's visibility says"


class PageVisibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone, and search engines may list it"
    UNLISTED = "unlisted", "Unlisted: anyone with the link"
    PRIVATE = "private", "Private: only you"


class Credential(TimeStampedModel):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    completion = models.OneToOneField(
        "learning.Completion", on_delete=models.PROTECT, related_name="credential", null=True, blank=True
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials")
    microcredential = models.ForeignKey(MicroCredential, on_delete=models.PROTECT, related_name="credentials")
    issuer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credentials_issued")
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="credentials")
    document = models.JSONField(help_text="The signed OB 3.0 credential (Data Integrity proof).")
    jwt = models.TextField(blank=True, help_text="The same credential as a VC-JWT.")
    recipient_salt = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The holder's choices for the public page (the signed document is the same whatever they are).
    holder_name = models.CharField(max_length=10, choices=HolderName.choices, default=HolderName.SHOWN)
    page_visibility = models.CharField(max_length=10, choices=PageVisibility.choices, default=PageVisibility.UNLISTED)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["issuer", "status"])]

    def __str__(self) -> str:
        return f"{self.microcredential.title} for {self.user}"


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", "Revocation"
    SUSPENSION = "suspension", "Suspension"


class StatusList(TimeStampedModel):
    """A Bitstring Status List of one issuer and purpose. ``bits`` is the raw bitstring; the
    published credential is built from it (and cached) when it changes."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="status_lists")
    purpose = models.CharField(max_length=20, choices=StatusPurpose.choices)
    number = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    allocated = models.PositiveIntegerField(default=0)
    bits = models.BinaryField()
    published_document = models.JSONField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "purpose", "number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "purpose", "number"], name="unique_status_list")]

    def __str__(self) -> str:
        return f"{self.organisation.slug} {self.purpose} #{self.number}"


class AccreditationEndorsement(TimeStampedModel):
    """The OB 3.0 EndorsementCredential an accreditor signs for a provider it accredits, with the
    accreditor's own key. Providers embed it in their issuer profile, so a verifier can check
    who vouches for them without asking us. Revocation is final (its bit in the accreditor's
    revocation list); a reactivated accreditation gets a fresh endorsement, hence a foreign key
    with at most one live (unrevoked) endorsement per accreditation."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    accreditation = models.ForeignKey(
        "accreditation.Accreditation", on_delete=models.PROTECT, related_name="endorsements"
    )
    issuer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="endorsements_issued")
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="endorsements")
    document = models.JSONField(help_text="The signed EndorsementCredential (Data Integrity proof).")
    issued_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["accreditation"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_endorsement_per_accreditation",
            )
        ]

    def __str__(self) -> str:
        return f"Endorsement {self.uuid} of {self.accreditation}"


class StatusEntry(models.Model):
    """One bit of a status list, held by a credential or by an accreditation endorsement (both
    share the issuer's lists, so one unique index constraint keeps their bits apart). An entry
    with no holder is a reserved index: issuing reserves it before signing and hands it to the
    credential when it writes it; one never handed over (a failed issuance) stays burnt."""

    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="status_entries", null=True, blank=True
    )
    endorsement = models.ForeignKey(
        AccreditationEndorsement, on_delete=models.CASCADE, related_name="status_entries", null=True, blank=True
    )
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    index = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"], name="unique_status_index"),
            models.UniqueConstraint(fields=["credential", "status_list"], name="unique_credential_list"),
            models.UniqueConstraint(fields=["endorsement", "status_list"], name="unique_endorsement_list"),
            models.CheckConstraint(
                condition=models.Q(credential__isnull=True) | models.Q(endorsement__isnull=True),
                name="status_entry_has_at_most_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status_list} [{self.index}]"


class CohortRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class CohortRun(TimeStampedModel):
    """One request to issue the pending credentials of a micro-credential version, and who is
    carrying it out. Whoever runs it (a task worker, the command line, a web request) holds a
    lease: ``lease_owner`` and a ``heartbeat_at`` it refreshes after every chunk. A ``running``
    run whose heartbeat is older than ``MICROCRED_COHORT_LEASE_SECONDS`` lost its runner (killed
    worker, crashed machine) and is taken over and finished by the next one (``cohort/runs.py``).
    The issuing itself stays idempotent per completion, so a takeover never doubles anything."""

    microcredential = models.ForeignKey(MicroCredential, on_delete=models.PROTECT, related_name="cohort_runs")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose permission it runs with; empty for the system.",
    )
    status = models.CharField(max_length=20, choices=CohortRunStatus.choices, default=CohortRunStatus.QUEUED)
    workers = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Signing processes; empty: automatic.")
    chunk_size = models.PositiveIntegerField(default=1000)
    task_id = models.CharField(max_length=64, blank=True, help_text="The background task now carrying it, if any.")
    lease_owner = models.CharField(max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many runners took it (1 without a takeover).")
    pending = models.PositiveIntegerField(default=0, help_text="Pending completions when it (last) started.")
    issued = models.PositiveIntegerField(default=0, help_text="Credentials issued, over every attempt.")
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="cohort_run_status_heartbeat")]

    def __str__(self) -> str:
        return f"Cohort run {self.pk} of {self.microcredential} ({self.status})"


class EngagementKind(models.TextChoices):
    VIEW = "view", "Page views"
    VERIFICATION = "verification", "Verifications"
    PDF_DOWNLOAD = "pdf_download", "PDF downloads"
    BADGE_DOWNLOAD = "badge_download", "Badge downloads"
    LINKEDIN_ADD = "linkedin_add", "LinkedIn adds"


class CredentialEngagement(models.Model):
    """How often a credential was looked at, verified, downloaded or added to LinkedIn on one
    day: a bare counter per credential, day and kind (ADR 0047). Nothing about who did it is
    kept anywhere: no address, user agent, cookie, account or referrer."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="engagement")
    day = models.DateField(help_text="The UTC day counted.")
    kind = models.CharField(max_length=20, choices=EngagementKind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["credential", "day", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["credential", "day", "kind"], name="unique_engagement_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.credential_id} {self.day} {self.kind}: {self.count}"
