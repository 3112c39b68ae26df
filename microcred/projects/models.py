"""Projects: an assignment lesson's brief, rubric and rules, the learners' submissions (text, links,
files), the grades given with the rubric, and regrade requests.

The assignment points at its lesson, as a quiz does (ADR 0025): the catalog knows nothing of it.
Files live in the private storage (``STORAGES["private"]``, outside the web root), never under
``MEDIA_URL``; ``views.submission_file`` serves them after a permission check (ADR 0028).
"""

from __future__ import annotations

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
    """Who grades. Peer review comes later (issue 8, section 3); only instructors grade today."""

    INSTRUCTOR = "instructor", "Instructor"


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
