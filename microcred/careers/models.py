"""A learner's skills and career goal (issue 9 §3): what they say they can do, the credentials from
elsewhere that our verifier accepted, and where they want to go, within which limits.

The profile itself is not stored: ``selectors.skill_profile`` draws it from these rows and from the
evidence the lower apps already hold (passed assessments, our own credentials), so a revoked or
expired credential stops counting the moment it is (ADR 0035)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from microcred.core.models import TimeStampedModel
from microcred.skills.models import Level

# Uploaded credentials are kept as JSON or VC-JWT text. Ours are a few kilobytes; with embedded
# endorsements and an image as a data URL a foreign one may be a few hundred.
EXTERNAL_DOCUMENT_MAX_BYTES = 512 * 1024
# A file may also be a baked PNG or SVG badge or a PDF certificate with the credential attached (as
# large as the verifier takes): the credential inside is verified in its container and kept as text.
EXTERNAL_FILE_MAX_BYTES = 2 * 1024 * 1024
# A posting pasted as a goal: a long job advert is a few thousand characters.
POSTING_MAX_CHARS = 20_000


class DeclaredSkill(TimeStampedModel):
    """A skill the learner says they have, at a level: unverified by definition."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_skills")
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=20, choices=Level.choices)
    note = models.CharField(max_length=300, blank=True, help_text="Where the learner got it, in their words.")

    class Meta:
        ordering = ["skill__label"]
        constraints = [models.UniqueConstraint(fields=["user", "skill"], name="declared_skill_once")]

    def __str__(self) -> str:
        return f"{self.user} declares {self.skill} ({self.level})"


class ExternalCredential(TimeStampedModel):
    """A credential issued elsewhere that the learner uploaded and our verifier accepted.

    Only a credential verified valid (and issued to the learner's e-mail address) is stored; a
    re-check stores the new ``outcome`` (revoked, suspended, expired…), and only ``valid`` counts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_credentials")
    document = models.TextField(help_text="The credential as uploaded: JSON or a VC-JWT.")
    document_sha256 = models.CharField(max_length=64, help_text="Refuses the same upload twice.")
    recipient_email = models.EmailField(help_text="The address it was verified against at upload.")
    outcome = models.CharField(max_length=20, help_text="The verifier's outcome at the last check: valid, revoked…")
    headline = models.CharField(max_length=100)
    report_summary = models.JSONField(default=list, help_text="The checklist's steps: name, status, reason, code.")
    credential_id = models.CharField(max_length=500, blank=True)
    issuer_id = models.CharField(max_length=500, blank=True)
    issuer_name = models.CharField(max_length=300, blank=True)
    achievement_name = models.CharField(max_length=300, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True, help_text="As the credential states it.")
    verified_at = models.DateTimeField(help_text="When it was first verified valid (at upload).")
    checked_at = models.DateTimeField(help_text="When it was last verified.")
    next_check_at = models.DateTimeField(
        null=True, blank=True, help_text="When its queued re-check is due; empty when none is queued."
    )
    skills = models.ManyToManyField("skills.Skill", through="ExternalCredentialSkill", related_name="+")

    class Meta:
        ordering = ["-verified_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "document_sha256"], name="external_credential_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.achievement_name or 'A credential'} from {self.issuer_name or 'another issuer'}"


class SkillEvidence(models.TextChoices):
    """How a skill was read from an uploaded credential."""

    ALIGNMENT = "alignment", "Aligned by the issuer"
    MATCHED = "matched", "Matched from its name or tags"


class ExternalCredentialSkill(models.Model):
    credential = models.ForeignKey(ExternalCredential, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    evidence = models.CharField(max_length=20, choices=SkillEvidence.choices)
    matched_text = models.CharField(max_length=300, blank=True, help_text="The alignment or tag that named it.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credential", "skill"], name="external_credential_skill_once")]

    def __str__(self) -> str:
        return f"{self.credential} names {self.skill_id}"


class GoalKind(models.TextChoices):
    OCCUPATION = "occupation", "An occupation"
    POSTING = "posting", "A job posting"
    SKILLS = "skills", "Chosen skills"
    UNSET = "", "Not chosen yet"


class Objective(models.TextChoices):
    LEAST_WORKLOAD = "least_workload", "Least total workload"
    LEAST_COST = "least_cost", "Least cost"
    MOST_COVERAGE = "most_coverage", "Most of the gap covered by my deadline"


class CareerGoal(TimeStampedModel):
    """Where the learner wants to go and within which limits; one per learner, the latest wins.

    The target is an occupation (its skills are the taxonomy's), a pasted posting (its skills are
    extracted into ``GoalSkill`` rows) or skills the learner chose (``GoalSkill`` rows too)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="career_goal")
    kind = models.CharField(max_length=20, choices=GoalKind.choices, blank=True, default=GoalKind.UNSET)
    occupation = models.ForeignKey(
        "skills.Occupation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posting_title = models.CharField(max_length=200, blank=True)
    posting_text = models.TextField(blank=True)
    # Constraints: empty means "no limit".
    hours_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    budget_eur = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="Language codes, e.g. ['en', 'de'].")
    participation_forms = models.JSONField(default=list, blank=True, help_text="online, blended, onsite.")
    accredited_only = models.BooleanField(default=False)
    preferred_providers = models.ManyToManyField("accounts.Organisation", blank=True, related_name="+")
    objective = models.CharField(max_length=20, choices=Objective.choices, default=Objective.LEAST_WORKLOAD)

    def __str__(self) -> str:
        return f"Goal of {self.user}"


class GoalSkillSource(models.TextChoices):
    CHOSEN = "chosen", "Chosen"
    POSTING = "posting", "Found in the posting"


class GoalSkill(models.Model):
    """A skill a posting or chosen-skills goal needs, at a level."""

    goal = models.ForeignKey(CareerGoal, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=20, choices=Level.choices)
    source = models.CharField(max_length=20, choices=GoalSkillSource.choices)
    matched_text = models.CharField(max_length=300, blank=True, help_text="The posting's words that named it.")
    mentions = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["skill__label"]
        constraints = [models.UniqueConstraint(fields=["goal", "skill"], name="goal_skill_once")]

    def __str__(self) -> str:
        return f"{self.goal} needs {self.skill_id} ({self.level})"


class PlanStatus(models.TextChoices):
    CURRENT = "current", "Current"
    SUPERSEDED = "superseded", "Superseded"


class LearningPlan(TimeStampedModel):
    """A proposed path to the learner's goal, as it was computed (ADR 0037).

    The plan is stored, not recomputed on every view: the learner accepts *this* plan, and when
    the goal changes or a credential is earned a new one supersedes it, with ``changes`` saying
    what moved. ``steps`` hold each step's micro-credential, dates and explanations as shown."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_plans")
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.CURRENT)
    accepted_at = models.DateTimeField(null=True, blank=True)
    objective = models.CharField(max_length=20, choices=Objective.choices)
    goal_snapshot = models.JSONField(default=dict, help_text="The goal and its gap as planned against.")
    steps = models.JSONField(default=list, help_text="Ordered steps: micro-credential, dates, why, what it closes.")
    totals = models.JSONField(default=dict, help_text="Price, hours, coverage, finish date, method, notes.")
    quality = models.CharField(max_length=60, help_text="“optimal” or “within X% of optimal”.")
    uncoverable = models.JSONField(default=list, help_text="Gap steps no offer can close, and why.")
    trigger = models.CharField(max_length=200, blank=True, help_text="Why this plan was proposed.")
    changes = models.JSONField(default=list, help_text="What changed from the plan it superseded.")
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"Plan {self.pk} of {self.user} ({self.status})"
