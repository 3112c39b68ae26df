from __future__ import annotations

from django.conf import settings
from django.db import models

from microcred.catalog.models import Lesson, MicroCredential


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Enrolment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    microcredential = models.ForeignKey(MicroCredential, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "microcredential"], name="unique_enrolment")]

    def __str__(self) -> str:
        return f"{self.user} in {self.microcredential}"


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="unique_lesson_progress")]

    def __str__(self) -> str:
        return f"Lesson {self.lesson_id} done in enrolment {self.enrolment_id}"


class LessonOutcome(models.Model):
    """How a learner did on an assessed lesson (a quiz), as assessment reports it after grading:
    learning decides completion from these, and never reads the attempts themselves."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="outcomes")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    passed = models.BooleanField(default=False, help_text="Passed at least once.")
    score = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Best passing score, in percent."
    )
    recorded_at = models.DateTimeField(help_text="When the latest outcome was reported.")
    details = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the assessing app reported with the best passing score, for the credential's "
        'results (ADR 0029): "levels" (rubric criterion -> level), "links", "reviews" (peer reviews).',
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="unique_lesson_outcome")]

    def __str__(self) -> str:
        verdict = "passed" if self.passed else "not passed"
        return f"Lesson {self.lesson_id} {verdict} in enrolment {self.enrolment_id}"


class Completion(models.Model):
    """The record that a learner met every completion rule. Credentials are awarded from it."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="completion")
    completed_at = models.DateTimeField()
    score = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Best score on the final assessment."
    )
    summary = models.JSONField(default=dict, blank=True, help_text="Lessons done and assessments passed.")
    awarded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Completion of {self.enrolment}"
