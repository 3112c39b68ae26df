"""The fields of a micro-credential and of a lesson, defined once.

The admin's fieldsets, the workspace form's sections, the services' allow-lists and the catalog
importer's accepted keys all derive from these constants, so a new field is added here and shows
up, in the same group and order, everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class FieldGroup:
    """A titled, ordered group of model field names (a fieldset, a form section)."""

    title: str
    fields: tuple[str, ...]

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)


ABOUT: Final = FieldGroup("About", ("title", "slug", "summary", "description"))
# The EU Council Recommendation's elements (2022/C 243/02, Annex I), in the order it lists them.
EU_MANDATORY: Final = FieldGroup(
    "EU mandatory elements",
    (
        "awarding_body",
        "country",
        "learning_outcomes",
        "workload_hours",
        "ects",
        "eqf_level",
        "assessment_type",
        "assessment_description",
        "participation_form",
        "quality_assurance",
    ),
)
EU_OPTIONAL: Final = FieldGroup(
    "EU optional elements", ("prerequisites", "supervision", "identity_verified", "stackable", "stackability")
)
CATALOG: Final = FieldGroup(
    "Catalog",
    (
        "level",
        "industry",
        "language",
        "price",
        "currency",
        "duration_weeks",
        "validity_months",
        "image_url",
        "criteria",
        "overall_pass_mark",
    ),
)
MICROCREDENTIAL_GROUPS: Final[tuple[FieldGroup, ...]] = (ABOUT, EU_MANDATORY, EU_OPTIONAL, CATALOG)

# What the micro-credential services accept in create/update (and the importer per entry).
MICROCREDENTIAL_FIELDS: Final[frozenset[str]] = frozenset(name for group in MICROCREDENTIAL_GROUPS for name in group)
# Part of public URLs and signed credentials: set at creation, never changed.
MICROCREDENTIAL_IDENTITY_FIELDS: Final[frozenset[str]] = frozenset({"slug"})

LESSON_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "title",
        "kind",
        "position",
        "estimated_minutes",
        "required",
        "body",
        "video_url",
        "transcript",
        "instructions",
        "weight",
        "min_score",
    }
)
