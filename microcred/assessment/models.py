from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from microcred.accounts.models import Organisation
from microcred.core.models import TimeStampedModel

from .attempt_rules import GRADING_METHOD_LABELS, GradingMethod
from .questions import question_kind_choices


class QuestionBank(TimeStampedModel):
    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="question_banks")
    title = models.CharField(max_length=200)
    # Shared: imported or made on the bank pages, for any quiz of the provider to draw from; a
    # quiz's own bank (from its JSON questions) is not, and goes when its last quiz does.
    is_shared = models.BooleanField(default=False)

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
    # --- Question kinds, banks and versions (ADR 0027) ---
    # The kind's own spec (numeric answers, alternatives, pairs, gaps...), checked by the kind's
    # ``clean_data``; empty for the choice kinds' all-or-nothing default. Holds grading data: it
    # never goes to a learner (``QuestionType.served`` says what does).
    data = models.JSONField(default=dict, blank=True)
    hints = models.JSONField(default=list, blank=True, help_text="Hints, in the order they may be shown.")
    category = models.CharField(max_length=500, blank=True, help_text="A path in the bank: “Unit 1/Fractions”.")
    tags = models.JSONField(default=list, blank=True)
    skill = models.ForeignKey(
        "skills.Skill", on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    # Versions: a question once attempted is never changed; an edit adds the next version of the
    # same family and retires this one (``is_current`` False), which attempts keep pointing at.
    family = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["family", "version"], name="unique_question_version")]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    # Credit for picking this choice (1 full, negative a penalty): partial-credit kinds use it.
    fraction = models.DecimalField(max_digits=9, decimal_places=7, default=Decimal(0))
    feedback = models.TextField(blank=True, help_text="Shown with the review to a learner who picked it.")

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
    # Draw only the bank's questions in this category or below it ("Unit 1" takes "Unit 1/Fractions"); blank: all.
    category = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=200)
    passing_score = models.PositiveSmallIntegerField(
        default=70, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="Percent."
    )
    question_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Questions drawn per attempt; empty means all questions of the bank."
    )
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty means unlimited.")
    time_limit_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # --- Integrity settings (ADR 0026) ---
    # A required quiz with no ``max_attempts`` must say so: publishing refuses it otherwise.
    unlimited_attempts = models.BooleanField(
        default=False,
        help_text="Chosen on purpose: no attempt limit, even though the quiz awards a credential. "
        "Meaningful only while max_attempts is empty.",
    )
    attempt_delay_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minutes a learner waits after an attempt before the next one."
    )
    opens_at = models.DateTimeField(null=True, blank=True, help_text="No attempt starts before this.")
    closes_at = models.DateTimeField(null=True, blank=True, help_text="No attempt starts or runs after this.")
    grading_method = models.CharField(
        max_length=10,
        choices=list(GRADING_METHOD_LABELS.items()),
        default=GradingMethod.HIGHEST,
        help_text="How the attempts make the lesson's score.",
    )
    shuffle_questions = models.BooleanField(default=True)
    shuffle_options = models.BooleanField(default=True)
    # ``attempt_rules.ReviewOptions`` as JSON, checked by ``quiz_create``/``quiz_update``; null:
    # the default for the quiz's lesson (kept back until settled when it counts towards a credential).
    review_options = models.JSONField(null=True, blank=True)
    # A placement quiz (issue 9 §7): a learner may take it without enrolling, and passing it proves
    # its micro-credential's skills at their target level, so their learning plan skips the course.
    placement = models.BooleanField(
        default=False,
        help_text="Learners may take it without enrolling; passing proves the micro-credential's skills.",
    )

    class Meta:
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(opens_at__lt=models.F("closes_at")),
                name="quiz_opens_before_closing",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # Said in words before the database constraint would refuse it less clearly.
        if self.opens_at is not None and self.closes_at is not None and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": "The quiz must open before it closes."})


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
    # The attempt's layout is drawn from ``seed`` (``attempt_rules.attempt_layout``) and stored too,
    # so a replay can be checked against what was served. Null on attempts made before seeds.
    seed = models.BigIntegerField(null=True, blank=True)
    choice_orders = models.JSONField(
        default=dict, blank=True, help_text="question id -> its choice ids in the order served."
    )
    deadline = models.DateTimeField(null=True, blank=True, help_text="Time limit or close date; null: none.")
    saved_at = models.DateTimeField(null=True, blank=True, help_text="When answers were last autosaved.")
    timed_out = models.BooleanField(
        default=False, help_text="Closed after its deadline and grace: graded with what was saved by then."
    )
    answers = models.JSONField(default=dict, blank=True, help_text="question id -> chosen choice ids.")
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, help_text="Percent.")
    # Decimal: partial credit earns fractions of a question's points (ADR 0027).
    points_earned = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    points_possible = models.PositiveIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    # Answers graded by a person (essays, ADR 0027): question id -> {"points", "feedback", "by", "at"}.
    # While a served hand-graded question has an answer and no entry here, the attempt is submitted
    # but "needs grading": ``score`` and ``passed`` stay null.
    hand_grades = models.JSONField(default=dict, blank=True)

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
            # A placement attempt (no enrolment) is the learner's own: the same rules per learner.
            models.UniqueConstraint(
                fields=["user", "quiz", "number"],
                condition=models.Q(enrolment__isnull=True),
                name="unique_placement_attempt_number",
            ),
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=models.Q(enrolment__isnull=True, submitted_at__isnull=True),
                name="one_open_placement_attempt",
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="attempt_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.pk} on {self.quiz}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def needs_grading(self) -> bool:
        """Submitted, but an essay answer waits for a person to grade it (ADR 0027)."""
        return self.is_submitted and self.passed is None
