from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    EXPERT = "expert", "Expert"


LEVEL_ORDER = {Level.BEGINNER: 1, Level.INTERMEDIATE: 2, Level.EXPERT: 3}


class SkillType(models.TextChoices):
    """What kind of concept a skill is. ESCO says skill/competence or knowledge (and groups its skills
    into skill groups); O*NET adds technologies; CASE items and simple files say it themselves."""

    SKILL = "skill", "Skill or competence"
    KNOWLEDGE = "knowledge", "Knowledge"
    TECHNOLOGY = "technology", "Technology"
    LANGUAGE = "language", "Language"
    GROUP = "group", "Skill group"
    UNSPECIFIED = "", "Not stated"


class Relation(models.TextChoices):
    """How much an occupation needs a skill: ESCO's essential/optional; O*NET's importance decides it
    (``microcred.skills.importers.onet``); a source that does not say leaves it blank."""

    ESSENTIAL = "essential", "Essential"
    OPTIONAL = "optional", "Optional"
    UNSPECIFIED = "", "Not stated"


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
    # A plain list on the row, not a child table: matchers load every label of every skill at once
    # (``values_list("pk", "label", "alt_labels")``), one query for 14,000 skills.
    alt_labels = models.JSONField(default=list, blank=True, help_text="Other names of the skill, a list of strings.")
    skill_type = models.CharField(max_length=20, choices=SkillType.choices, default=SkillType.UNSPECIFIED, blank=True)
    broader = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="narrower", help_text="The skills this one specialises."
    )

    class Meta:
        ordering = ["label"]
        indexes = [models.Index(fields=["framework", "skill_type"])]

    def __str__(self) -> str:
        return self.label


class Occupation(models.Model):
    """A job in a framework (an ESCO occupation, an O*NET-SOC occupation), with the skills it needs."""

    framework = models.ForeignKey(SkillFramework, on_delete=models.PROTECT, related_name="occupations")
    uri = models.URLField(max_length=300, unique=True, help_text="The occupation's identifier, e.g. an ESCO URI.")
    code = models.CharField(max_length=40, blank=True, help_text="ESCO's ISCO-based code, or the O*NET-SOC code.")
    label = models.CharField(max_length=300)
    alt_labels = models.JSONField(default=list, blank=True)
    description = models.TextField(blank=True)
    broader = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="narrower")
    skills = models.ManyToManyField(Skill, through="OccupationSkill", related_name="occupations")

    class Meta:
        ordering = ["label"]
        indexes = [models.Index(fields=["framework", "code"])]

    def __str__(self) -> str:
        return self.label


class OccupationSkill(models.Model):
    """A skill an occupation needs: how much (relation, importance 0–1) and how well (level).

    ``importance_raw`` and ``level_raw`` keep the source's own figures (O*NET: importance 1–5, level
    0–7) beside our scale, so a better mapping can be applied later without a re-import."""

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="occupation_links")
    relation = models.CharField(max_length=20, choices=Relation.choices, blank=True, default=Relation.UNSPECIFIED)
    importance = models.FloatField(null=True, blank=True, help_text="0 to 1; empty when the source does not say.")
    importance_raw = models.FloatField(null=True, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    level_raw = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["occupation", "skill"], name="occupation_skill_once")]
        indexes = [models.Index(fields=["skill", "relation"])]

    def __str__(self) -> str:
        return f"{self.occupation} needs {self.skill}"
