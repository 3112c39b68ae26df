from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from microcred.core.models import TimeStampedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. People log in with their email address; there is no username."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # Signed up but has not yet followed the link e-mailed to the address; inactive until then.
    awaiting_confirmation = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()  # type: ignore[misc]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", "Provider"
    ACCREDITOR = "accreditor", "Accreditor"
    EMPLOYER = "employer", "Employer"


class ProviderType(models.TextChoices):
    UNIVERSITY = "university", "University"
    COLLEGE = "college", "College"
    BOOTCAMP = "bootcamp", "Bootcamp"
    COMPANY = "company", "Company"
    PROFESSIONAL_BODY = "professional_body", "Professional body"
    OTHER = "other", "Other"


MAX_SIGNATORIES = 3


def validate_signatories(value: Any) -> None:
    """A certificate's signatories: at most three ``{"name": ..., "title": ...}``, a name each."""
    if not isinstance(value, list) or len(value) > MAX_SIGNATORIES:
        raise ValidationError(f"Give at most {MAX_SIGNATORIES} signatories.")
    for person in value:
        if not isinstance(person, dict) or set(person) != {"name", "title"}:
            raise ValidationError("Each signatory has a name and a title.")
        name, title = person["name"], person["title"]
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise ValidationError("Each signatory needs a name of at most 100 characters.")
        if not isinstance(title, str) or len(title) > 120:
            raise ValidationError("A signatory's title has at most 120 characters.")


class Organisation(TimeStampedModel):
    """A provider (issuer), accreditor or employer."""

    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, db_index=True)
    provider_type = models.CharField(max_length=30, choices=ProviderType.choices, blank=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. DE.")
    city = models.CharField(max_length=100, blank=True)
    logo_url = models.URLField(blank=True)
    # LinkedIn's numeric organisation id: with it, "Add to profile" links the certification to the
    # organisation's page and shows its logo; without it LinkedIn only shows the name as text.
    linkedin_organization_id = models.CharField(
        "LinkedIn organisation id",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{1,20}$", "LinkedIn's organisation id is a number, e.g. 1337.")],
        help_text="The number in your LinkedIn page's admin address, linkedin.com/company/<number>/admin/.",
    )
    # The design of the PDF certificates of its credentials (ADR 0043).
    brand_colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour is # and six hexadecimal digits, e.g. #0f766e.")],
        help_text="Frames your PDF certificates; empty: the site's indigo.",
    )
    certificate_signatories = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_signatories],
        help_text=f"Up to {MAX_SIGNATORIES} people who sign the certificates: a list of {{name, title}}.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    OWNER = "owner", "Owner"
    INSTRUCTOR = "instructor", "Instructor"
    GRADER = "grader", "Grader"


class Membership(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=MembershipRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.organisation}"


class MembershipInvitation(TimeStampedModel):
    """An owner's invitation for an e-mail address to join an organisation. Whether or not the
    address has an account, it becomes a membership only when its owner follows the link, so
    the members page never tells who has an account."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=MembershipRole.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="unique_pending_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.role} · {self.organisation}"


class Visibility(models.TextChoices):
    PRIVATE = "private", "Only me"
    EMPLOYERS = "employers", "Signed-in employers"
    PUBLIC = "public", "Everyone"


class LearnerProfile(TimeStampedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    headline = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=120, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="Language codes, e.g. ['en', 'de'].")
    bio = models.TextField(blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.PRIVATE)

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class ApiToken(TimeStampedModel):
    """A personal API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
