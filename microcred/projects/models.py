"""Projects: an assignment lesson's brief, rubric and rules, the learners' submissions (text, links,
files), the grades given with the rubric, and regrade requests.

The assignment points at its lesson, as a quiz does (ADR 0025): the catalog knows nothing of it.
Files live in the private storage (``STORAGES["private"]``, outside the web root), never under
``MEDIA_URL``; ``views.submission_file`` serves them after a permission check (ADR 0028).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from microcred.core.models import TimeStampedModel


class SubmissionKind(models.TextChoices):
    TEXT = "text", "Text"
    LINKS = "links", "Links"
    FILES = "files", "Files"


class ReviewMode(models.TextChoices):
    """Who grades: the provider's graders, the learners' peers (ADR 0030), or a mentor the learner
    names who confirms workplace evidence by an e-mailed link."""

    INSTRUCTOR = "instructor", "Instructor"
    PEER = "peer", "Peer review"
    MENTOR = "mentor", "Mentor sign-off"


class Aggregation(models.TextChoices):
    """How peer reviews combine into the grade (``assessment.review.aggregation``)."""

    MEDIAN = "median", "Median"
    TRIMMED_MEAN = "trimmed_mean", "Trimmed mean"
    MEAN = "mean", "Mean"


class Assignment(TimeStampedModel):
    # A lesson is deleted only in a draft, after its assignment is discarded
    # (``assignments_discard_on_lessons_removing``), so CASCADE never takes a submission with it.
    lesson = models.OneToOneField("catalog.Lesson", on_delete=models.CASCADE, related_name="assignment")
    rubric = models.JSONField(
        help_text='{"criteria": [{"name", "description", "levels": [{"name", "points", "descriptor"}]}]}, '
        "levels from the lowest to the highest (checked by assessment.review.rubric)."
    )
    submission_kinds = models.JSONField(default=list, help_text='What a submission may hold: "text", "links", "files".')
    file_extensions = models.JSONField(default=list, blank=True, help_text="Allowed file extensions, lower case.")
    max_file_mb = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_files = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1), MaxValueValidator(20)])
    passing_score = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="Percent of the rubric."
    )
    due_at = models.DateTimeField(null=True, blank=True, help_text="Shown to learners; late submissions are marked.")
    review_mode = models.CharField(max_length=20, choices=ReviewMode.choices, default=ReviewMode.INSTRUCTOR)
    # Peer review (review_mode "peer"), ADR 0030.
    reviewers_per_submission = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)], help_text="Peer reviews per submission."
    )
    review_due_at = models.DateTimeField(
        null=True, blank=True, help_text="Peer reviews are due; after it a submission with a review is graded."
    )
    aggregation = models.CharField(max_length=20, choices=Aggregation.choices, default=Aggregation.MEDIAN)
    # Stored so an allocation replays exactly (``assessment.review.allocation`` is deterministic by seed).
    allocation_seed = models.BigIntegerField(null=True, blank=True, editable=False)
    allocated_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="Last allocation.")

    def __str__(self) -> str:
        return f"Assignment of {self.lesson_id}"


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting grading"
    SUPERSEDED = "superseded", "Replaced by a later version"
    GRADED = "graded", "Graded"


class Submission(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="submissions")
    enrolment = models.ForeignKey("learning.Enrolment", on_delete=models.CASCADE, related_name="project_submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_submissions")
    version = models.PositiveSmallIntegerField(help_text="1 for the first submission, then 2, 3, … until graded.")
    text = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED)
    submitted_at = models.DateTimeField()
    is_late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "assignment", "version"], name="unique_submission_version"),
            # At most one version waiting for a grader, and at most one graded: the services lock the
            # enrolment, and these refuse whatever gets past the lock.
            models.UniqueConstraint(
                fields=["enrolment", "assignment"],
                condition=models.Q(status="submitted"),
                name="one_submission_awaiting_grading",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "assignment"], condition=models.Q(status="graded"), name="one_graded_submission"
            ),
        ]

    def __str__(self) -> str:
        return f"Submission {self.pk} (v{self.version})"


def private_storage() -> Storage:
    return storages["private"]


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to="submissions/%Y/%m/", max_length=300)
    name = models.CharField(max_length=200, help_text="The learner's file name, as uploaded.")
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Grade(models.Model):
    """The grade of a submission: a level per criterion, the points, and the grader's feedback. A
    regrade that changes it keeps the previous values on the ``RegradeRequest``."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="grade")
    # Like the audit log's actor: a deleted account leaves the grade (and its audit row) in place.
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="project_grades"
    )
    levels = models.JSONField(help_text="criterion name -> chosen level name.")
    points = models.DecimalField(max_digits=9, decimal_places=2)
    max_points = models.DecimalField(max_digits=9, decimal_places=2)
    score = models.DecimalField(max_digits=5, decimal_places=2, help_text="Percent of the rubric's maximum.")
    passed = models.BooleanField()
    feedback = models.TextField(blank=True)
    graded_at = models.DateTimeField()
    source = models.CharField(
        max_length=12,
        choices=ReviewMode.choices,
        default=ReviewMode.INSTRUCTOR,
        help_text="Who gave it: a grader (or an instructor overriding peers), the peers combined, a mentor.",
    )

    def __str__(self) -> str:
        return f"Grade of submission {self.submission_id}"


class RegradeStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    UPHELD = "upheld", "Grade upheld"
    CHANGED = "changed", "Grade changed"


class RegradeRequest(models.Model):
    """A learner's request to look at a graded submission again; one per submission."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="regrade")
    reason = models.TextField()
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RegradeStatus.choices, default=RegradeStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    previous = models.JSONField(default=dict, blank=True, help_text="The grade before a change: levels, score.")

    def __str__(self) -> str:
        return f"Regrade of submission {self.submission_id}"


class PeerReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", "To do"
    DONE = "done", "Done"
    DROPPED = "dropped", "Withdrawn"


class PeerReview(models.Model):
    """One review a learner writes of a peer's submission: allocated, then done with the rubric and
    a comment, or dropped when the reviewer leaves (their finished reviews stay). Reviewers and authors
    never see each other's names; the provider's staff do."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="peer_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_reviews")
    status = models.CharField(max_length=10, choices=PeerReviewStatus.choices, default=PeerReviewStatus.ASSIGNED)
    levels = models.JSONField(default=dict, blank=True, help_text="criterion name -> chosen level name.")
    points = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(blank=True)
    assigned_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["submission", "reviewer"], name="one_review_per_reviewer")]

    def __str__(self) -> str:
        return f"Review of submission {self.submission_id} by {self.reviewer_id}"


class CalibrationExample(models.Model):
    """An example submission the instructor marked (the reference): reviewers mark it first, and how
    closely they agree is their calibration accuracy (``assessment.review.calibration``)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="calibration_examples")
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="The example work, as a learner would submit it.")
    reference_levels = models.JSONField(help_text="criterion name -> the instructor's level.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class CalibrationReview(models.Model):
    example = models.ForeignKey(CalibrationExample, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    levels = models.JSONField()
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["example", "reviewer"], name="one_calibration_per_reviewer")]

    def __str__(self) -> str:
        return f"Calibration of {self.example_id} by {self.reviewer_id}"


def mentor_token_hash(token: str) -> str:
    """What is stored of a mentor's link token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


class MentorStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the mentor"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Withdrawn"


class MentorSignoff(models.Model):
    """A mentor or supervisor the learner names to confirm their workplace evidence. The mentor has
    no account: they get an e-mailed link whose token is stored only as its SHA-256 (a database
    reader cannot act as the mentor); resending replaces the token, so only the latest link works."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="mentor_signoffs")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    role = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=MentorStatus.choices, default=MentorStatus.PENDING)
    comment = models.TextField(blank=True)
    sent_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"], condition=models.Q(status="pending"), name="one_pending_signoff"
            )
        ]

    def __str__(self) -> str:
        return f"Sign-off of submission {self.submission_id} by {self.email}"
