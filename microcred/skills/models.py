from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    EXPERT = "expert", "Expert"


LEVEL_ORDER = {Level.BEGINNER: 1, Level.INTERMEDIATE: 2, Level.EXPERT: 3}


class SkillFramework(models.Model):
    """A taxonomy of skills. Shared ones (no owner: ESCO, Microcred Skills) are curated by platform
    staff; a provider's own framework is extended by that provider's staff (``microcred.skills.services``)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(blank=True)
    owner = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="skill_frameworks",
        help_text="The provider whose staff may add skills to it; empty for a shared framework.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    framework = models.ForeignKey(SkillFramework, on_delete=models.PROTECT, related_name="skills")
    uri = models.URLField(max_length=300, unique=True, help_text="The skill's identifier, e.g. an ESCO URI.")
    label = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label
