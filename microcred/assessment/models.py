from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from microcred.accounts.models import Organisation
from microcred.core.models import TimeStampedModel

from .questions import question_kind_choices


class QuestionBank(TimeStampedModel):
    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="question_banks")
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    """The kinds built in; ``Question.kind`` accepts every kind registered in ``questions/``."""

    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"


class QuestionKindField(models.CharField):  # type: ignore[type-arg]
    """Accepts every kind registered in ``questions/``, including kinds registered after start-up.
    Migrations record the registered kinds as a plain list of choices, as for any ``CharField``,
    so the field needs no migration of its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["choices"] = question_kind_choices
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["choices"] = question_kind_choices()
        return name, "django.db.models.CharField", args, kwargs


class Question(models.Model):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    kind = QuestionKindField(max_length=20)
    text = models.TextField()
    explanation = models.TextField(blank=True, help_text="Shown after submission.")
    points = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Quiz(TimeStampedModel):
    # The assessment points at its lesson, not the other way round: the catalog knows nothing of
    # quizzes (ADR 0025). A lesson is deleted only in a draft, after its quiz is discarded
    # (``quizzes_discard_on_lessons_removing``), so CASCADE never takes an attempt with it.
    lesson = models.OneToOneField("catalog.Lesson", on_delete=models.CASCADE, related_name="quiz")
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="quizzes")
    title = models.CharField(max_length=200)
    passing_score = models.PositiveSmallIntegerField(
        default=70, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="Percent."
    )
    question_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Questions drawn per attempt; empty means all questions of the bank."
    )
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty means unlimited.")
    time_limit_minutes = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title


class Attempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    enrolment = models.ForeignKey(
        "learning.Enrolment", on_delete=models.CASCADE, related_name="attempts", null=True, blank=True
    )
    number = models.PositiveSmallIntegerField(
        help_text="1 for the learner's first attempt at this quiz in this enrolment, then 2, 3, …"
    )
    question_ids = models.JSONField(default=list, help_text="The questions served, in order.")
    answers = models.JSONField(default=dict, blank=True, help_text="question id -> chosen choice ids.")
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, help_text="Percent.")
    points_earned = models.PositiveIntegerField(null=True, blank=True)
    points_possible = models.PositiveIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        # The database backs the attempt limit that ``attempt_start`` checks under a lock: two
        # requests that both passed the check would insert the same number, or a second open
        # attempt, and one of them fails instead of exceeding ``max_attempts``.
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "quiz", "number"], name="unique_attempt_number"),
            models.UniqueConstraint(
                fields=["enrolment", "quiz"], condition=models.Q(submitted_at__isnull=True), name="one_open_attempt"
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="attempt_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.pk} on {self.quiz}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
