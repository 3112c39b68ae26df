"""Micro-credentials on offer, with every EU mandatory element, and their content.

A micro-credential is versioned: ``family`` groups the versions of one offer. A published
version never changes under the people enrolled in it; editing it makes a new draft version,
and publishing that version archives the old one for new enrolments only.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from microcred.accounts.models import Organisation
from microcred.core.models import TimeStampedModel
from microcred.skills.models import Level, Skill


class Industry(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "industries"

    def __str__(self) -> str:
        return self.name


class ParticipationForm(models.TextChoices):
    ONLINE = "online", "Online"
    ONSITE = "onsite", "On site"
    BLENDED = "blended", "Blended"


class AssessmentType(models.TextChoices):
    QUIZ = "quiz", "Online quiz"
    EXAM = "exam", "Written exam"
    PROJECT = "project", "Project"
    PRACTICAL = "practical", "Practical exercise"
    PORTFOLIO = "portfolio", "Portfolio"
    MIXED = "mixed", "Mixed methods"


class Supervision(models.TextChoices):
    NONE = "none", "Unsupervised"
    ONLINE_PROCTORED = "online_proctored", "Supervised online (proctored)"
    ONSITE = "onsite", "Supervised on site"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class MicroCredential(TimeStampedModel):
    family = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    # The version's identity in public URLs (its achievement id, signed into credentials):
    # random, so drafts cannot be found by counting, and new for every version.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="microcredentials")
    slug = models.SlugField(max_length=120)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # EU mandatory elements (Council Recommendation 2022/C 243/02, Annex I)
    title = models.CharField(max_length=200)
    awarding_body = models.CharField(max_length=200, help_text="Name of the awarding body, usually the provider.")
    country = models.CharField(max_length=2, help_text="Country of the issuer, ISO 3166-1 alpha-2.")
    learning_outcomes = models.JSONField(default=list, help_text="One outcome per item.")
    workload_hours = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    ects = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)])
    eqf_level = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(8)])
    assessment_type = models.CharField(max_length=20, choices=AssessmentType.choices)
    assessment_description = models.TextField(blank=True)
    participation_form = models.CharField(max_length=20, choices=ParticipationForm.choices)
    quality_assurance = models.CharField(max_length=300, help_text="Type of quality assurance used.")

    # EU optional elements
    prerequisites = models.TextField(blank=True)
    supervision = models.CharField(max_length=20, choices=Supervision.choices, default=Supervision.NONE)
    identity_verified = models.BooleanField(default=False, help_text="Identity checked during assessment.")
    stackable = models.BooleanField(default=False)
    stackability = models.TextField(blank=True, help_text="What this stacks into, if anything.")

    # Catalog information
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Markdown.")
    level = models.CharField(max_length=20, choices=Level.choices)
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="microcredentials")
    language = models.CharField(max_length=8, default="en")
    price = models.DecimalField(max_digits=9, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="EUR")
    duration_weeks = models.PositiveSmallIntegerField(default=4, help_text="Typical duration in weeks.")
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How long the credential stays valid; empty means it does not expire."
    )
    image_url = models.CharField(max_length=300, blank=True)
    criteria = models.TextField(blank=True, help_text="What a learner must do to earn it.")
    # The completion rule on the overall weighted score of the weighted lessons (ADR 0033), on top
    # of each part's own pass mark and minimum. Empty: the weighted score is reported, not required.
    overall_pass_mark = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Overall weighted score, in percent, a learner needs to complete; empty: none.",
    )
    skills = models.ManyToManyField(Skill, through="MicroCredentialSkill", related_name="microcredentials")
    import_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # Ranked full-text search on PostgreSQL: triggers (migration 0003) keep it from the title,
    # summary, description, provider name and skill labels; a GIN index serves it. Empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["title", "-version"]
        # The catalog's orderings (selectors.SORTS) over published offers, so a page of a large
        # catalog is read in order instead of sorted whole.
        indexes = [
            models.Index(fields=["status", "title"], name="mc_status_title"),
            models.Index(fields=["status", "-published_at"], name="mc_status_newest"),
            models.Index(fields=["status", "language"], name="mc_status_language"),  # published_languages()
        ]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="unique_family_version"),
            models.UniqueConstraint(fields=["provider", "slug", "version"], name="unique_provider_slug_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_free(self) -> bool:
        return self.price == 0


class MicroCredentialSkill(models.Model):
    microcredential = models.ForeignKey(MicroCredential, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    target_level = models.CharField(max_length=20, choices=Level.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["microcredential", "skill"], name="unique_mc_skill")]

    def __str__(self) -> str:
        return f"{self.skill_id} at {self.target_level}"


class MicroCredentialPrerequisite(models.Model):
    """A structured prerequisite: ``microcredential`` (this version) builds on ``required``.

    It names another offer, of any provider, by one of its versions; what counts is the offer (its
    ``family``), so a new version of the prerequisite does not break the link. The EU free-text
    ``prerequisites`` element stays beside it for what is not a micro-credential ("basic Python").
    """

    microcredential = models.ForeignKey(MicroCredential, on_delete=models.CASCADE, related_name="prerequisite_links")
    required = models.ForeignKey(MicroCredential, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["microcredential", "required"], name="unique_mc_prerequisite"),
        ]

    def __str__(self) -> str:
        return f"{self.microcredential_id} builds on {self.required_id}"


class Programme(TimeStampedModel):
    """A stackable programme: micro-credentials that together lead to a bigger credential.

    A provider's programme is managed by its staff; a shared one (no provider) by the platform's
    administrators, and may gather several providers' offers. Members are offers (families),
    named by one of their versions, like prerequisites.
    """

    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="programmes"
    )
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    leads_to = models.CharField(
        max_length=300, help_text="The bigger credential the stack leads to, e.g. a certificate or a degree module."
    )
    microcredentials = models.ManyToManyField(MicroCredential, through="ProgrammeMember", related_name="+")

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "slug"], name="unique_programme_provider_slug"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(provider__isnull=True), name="unique_shared_programme_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProgrammeMember(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="members")
    microcredential = models.ForeignKey(MicroCredential, on_delete=models.CASCADE, related_name="programme_members")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "microcredential"], name="unique_programme_member"),
        ]

    def __str__(self) -> str:
        return f"{self.microcredential_id} in {self.programme_id}"


class Module(models.Model):
    microcredential = models.ForeignKey(MicroCredential, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class LessonKind(models.TextChoices):
    READING = "reading", "Reading"
    VIDEO = "video", "Video"
    ASSIGNMENT = "assignment", "Assignment"
    QUIZ = "quiz", "Quiz"


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=LessonKind.choices)
    position = models.PositiveIntegerField(default=0)
    estimated_minutes = models.PositiveIntegerField(default=10)
    required = models.BooleanField(default=True)
    body = models.TextField(blank=True, help_text="Markdown for readings; shown above videos and assignments.")
    body_html = models.TextField(blank=True, editable=False, help_text="Sanitised HTML rendered from body.")
    video_url = models.URLField(blank=True)
    transcript = models.TextField(blank=True)
    instructions = models.TextField(blank=True, help_text="Markdown instructions of an assignment.")
    instructions_html = models.TextField(blank=True, editable=False)
    # Completion rules of an assessed lesson (a quiz, a graded assignment), ADR 0029. Both empty is
    # the rule from before: the lesson counts by being passed, and no overall score is weighed.
    weight = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of the overall weighted score; empty leaves the lesson out of it.",
    )
    # Only on an assignment: a quiz's minimum is its pass mark, since a quiz "passed" under a higher
    # minimum would show its answers (the learner has passed) and could then be retaken with them.
    min_score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Lowest score, in percent, that counts towards completion (on top of passing).",
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.kind not in (LessonKind.QUIZ, LessonKind.ASSIGNMENT):
            message = "Only a quiz or an assignment is scored."
            errors = {name: message for name in ("weight", "min_score") if getattr(self, name) is not None}
        elif self.kind == LessonKind.QUIZ and self.min_score is not None:
            errors["min_score"] = "A quiz's minimum is its pass mark: set the pass mark instead."
        if errors:
            raise ValidationError(errors)
