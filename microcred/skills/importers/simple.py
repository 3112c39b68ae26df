"""The simple skills CSV, for a provider's own framework (this docstring is its documentation; for users,
docs/taxonomy-format.md).

UTF-8, comma-separated, a header line; columns in any order:

- ``uri`` (required) — the skill's http(s) identifier, unique;
- ``label`` (required) — its name;
- ``alt_labels`` — other names, separated by ``|``;
- ``type`` — ``skill``, ``knowledge``, ``technology``, ``language``, ``group`` or empty;
- ``broader`` — the URIs of the skills it specialises, separated by ``|`` (in the file or already
  in the platform);
- ``description`` — free text.

Occupations, when a framework has them, come in two more files of the same kind:

- the **occupations CSV**: ``uri`` and ``label`` (required), ``alt_labels`` (``|``-separated),
  ``code`` (e.g. an ISCO code), ``broader`` (occupation URIs, ``|``-separated), ``description``;
- the **occupation skills CSV**, one row per skill an occupation needs: ``occupation_uri`` and
  ``skill_uri`` (required; in the files or already in the platform), ``relation`` (``essential``,
  ``optional`` or empty), ``importance`` (a number from 0 to 1, or empty) and ``level``
  (``beginner``, ``intermediate``, ``expert`` or empty). The rows an occupation has become
  exactly its skills.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .records import (
    LEVELS,
    RELATIONS,
    SKILL_TYPES,
    BroaderRecord,
    OccupationRecord,
    OccupationSkillRecord,
    SkillRecord,
    Source,
    TaxonomyFormatError,
    TaxonomyRecord,
    check_uri,
    split_labels,
)
from .tabular import open_text, read_rows

COLUMNS = ("uri", "label", "alt_labels", "type", "broader", "description")
OCCUPATION_COLUMNS = ("uri", "label", "alt_labels", "code", "broader", "description")
OCCUPATION_SKILL_COLUMNS = ("occupation_uri", "skill_uri", "relation", "importance", "level")


def read_simple_csv(path: Path) -> Iterator[TaxonomyRecord]:
    broader: list[BroaderRecord] = []
    with open_text(path) as lines:
        for source, row in read_rows(lines, name=str(path), required=["uri", "label"]):
            uri = check_uri(row["uri"], what="uri", source=source)
            label = _label(row["label"], source)
            kind = row.get("type", "").strip().lower()
            if kind not in SKILL_TYPES:
                raise TaxonomyFormatError(
                    f"type {kind!r} is not one of {', '.join(sorted(t for t in SKILL_TYPES if t))} (or empty)",
                    file=source.file,
                    line=source.line,
                )
            yield SkillRecord(
                uri=uri,
                label=label,
                alt_labels=split_labels(row.get("alt_labels", ""), separators="|"),
                description=row.get("description", "").strip(),
                skill_type=kind,
                source=source,
            )
            broader.extend(
                BroaderRecord(
                    kind="skill", uri=uri, broader_uri=check_uri(parent, what="broader", source=source), source=source
                )
                for parent in split_labels(row.get("broader", ""), separators="|")
            )
    yield from broader


def _label(value: str, source: Source) -> str:
    label = " ".join(value.split())
    if not label:
        raise TaxonomyFormatError("label is empty", file=source.file, line=source.line)
    return label


def _one_of(value: str, allowed: frozenset[str], what: str, source: Source) -> str:
    value = value.strip().lower()
    if value not in allowed:
        choices = ", ".join(sorted(a for a in allowed if a))
        raise TaxonomyFormatError(
            f"{what} {value!r} is not one of {choices} (or empty)", file=source.file, line=source.line
        )
    return value


def read_simple_occupations_csv(path: Path) -> Iterator[TaxonomyRecord]:
    """The occupations CSV (see the module docstring): occupations, then their broader relations."""
    broader: list[BroaderRecord] = []
    with open_text(path) as lines:
        for source, row in read_rows(lines, name=str(path), required=["uri", "label"]):
            uri = check_uri(row["uri"], what="uri", source=source)
            yield OccupationRecord(
                uri=uri,
                label=_label(row["label"], source),
                code=row.get("code", "").strip(),
                alt_labels=split_labels(row.get("alt_labels", ""), separators="|"),
                description=row.get("description", "").strip(),
                source=source,
            )
            broader.extend(
                BroaderRecord(
                    kind="occupation",
                    uri=uri,
                    broader_uri=check_uri(parent, what="broader", source=source),
                    source=source,
                )
                for parent in split_labels(row.get("broader", ""), separators="|")
            )
    yield from broader


def _importance(value: str, source: Source) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        importance = float(value)
    except ValueError:
        importance = -1.0
    if not 0.0 <= importance <= 1.0:
        raise TaxonomyFormatError(
            f"importance {value!r} is not a number from 0 to 1", file=source.file, line=source.line
        )
    return importance


def read_simple_occupation_skills_csv(path: Path) -> Iterator[TaxonomyRecord]:
    """The occupation skills CSV (see the module docstring): one link per row."""
    with open_text(path) as lines:
        for source, row in read_rows(lines, name=str(path), required=["occupation_uri", "skill_uri"]):
            yield OccupationSkillRecord(
                occupation_uri=check_uri(row["occupation_uri"], what="occupation_uri", source=source),
                skill_uri=check_uri(row["skill_uri"], what="skill_uri", source=source),
                relation=_one_of(row.get("relation", ""), RELATIONS, "relation", source),
                importance=_importance(row.get("importance", ""), source),
                level=_one_of(row.get("level", ""), LEVELS, "level", source),
                source=source,
            )
