"""Job postings and the skills they mention: the evidence behind "what the market asks for".

A posting is upserted by ``(source, external_id)``: the source's own id when the file gives one,
else a hash of its content (``postings_format.content_key``). ``content_hash`` says whether a
re-imported posting changed. Its skills are found by the matcher (``skills.matching``) and kept
as ``PostingSkill`` rows, one per skill, so demand is a ``COUNT`` over them (``selectors``).
"""

from __future__ import annotations

from django.db import models


class JobPosting(models.Model):
    source = models.CharField(max_length=80, help_text="Where the posting came from: a job board, a file, 'demo'.")
    external_id = models.CharField(
        max_length=200, help_text="The source's id for the posting, or 'sha256:…' of its content when it had none."
    )
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    location = models.CharField(max_length=200, blank=True)
    region = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="Normalised: a country or NUTS code (DE, NL32) when known, else the file's own label.",
    )
    industry = models.CharField(max_length=120, blank=True, db_index=True)
    posted_on = models.DateField(db_index=True)
    occupation_uri = models.CharField(
        max_length=300, blank=True, help_text="The occupation the file names (a URI), kept when it is not imported yet."
    )
    occupation = models.ForeignKey(
        "skills.Occupation", null=True, blank=True, on_delete=models.SET_NULL, related_name="job_postings"
    )
    content_hash = models.CharField(max_length=64, help_text="Of every imported field: unchanged on re-import.")
    imported_at = models.DateTimeField(auto_now_add=True)
    skills = models.ManyToManyField("skills.Skill", through="PostingSkill", related_name="job_postings")

    class Meta:
        ordering = ["-posted_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="job_posting_once_per_source")]
        indexes = [
            models.Index(fields=["region", "posted_on"], name="market_posting_region_date"),
            models.Index(fields=["industry", "posted_on"], name="market_posting_industry_date"),
            models.Index(fields=["occupation", "posted_on"], name="market_posting_occ_date"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.posted_on:%Y-%m-%d})"


class PostingSkill(models.Model):
    """A skill a posting mentions: the matcher's best score (0–100), the words that matched and how
    many separate mentions there were."""

    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="posting_links")
    score = models.FloatField()
    matched_text = models.CharField(max_length=200)
    mentions = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["posting", "skill"], name="posting_skill_once")]
        # Demand counts postings per skill: from the skill to its postings, without the table.
        indexes = [models.Index(fields=["skill", "posting"], name="market_skill_posting")]

    def __str__(self) -> str:
        return f"{self.posting} mentions {self.skill}"
