"""ESCO's CSV download (v1.1 and v1.2, English files): skills, skill groups, occupations, their
broader relations and which skills an occupation needs.

Files read from the directory, each when present (ESCO's own names):

- ``skillGroups_en.csv`` — conceptUri, preferredLabel, altLabels, description: skills of type ``group``;
- ``skills_en.csv`` — conceptUri, skillType (``skill/competence`` | ``knowledge``), preferredLabel,
  altLabels (one per line), description;
- ``occupations_en.csv`` — conceptUri, code (ISCO-based, e.g. ``2512.4``), preferredLabel,
  altLabels, description;
- ``broaderRelationsSkillPillar_en.csv`` — conceptType, conceptUri, broaderType, broaderUri
  (rows naming a skill group are skipped unless ``skillGroups_en.csv`` is there);
- ``broaderRelationsOccPillar_en.csv`` — the same for occupations (links to ISCO groups are
  skipped: the occupation's code carries its ISCO group);
- ``occupationSkillRelations_en.csv`` — occupationUri, relationType (``essential`` | ``optional``),
  skillType, skillUri.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .records import (
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

SKILL_GROUPS = "skillGroups_en.csv"
SKILLS = "skills_en.csv"
OCCUPATIONS = "occupations_en.csv"
SKILL_BROADER = "broaderRelationsSkillPillar_en.csv"
OCCUPATION_BROADER = "broaderRelationsOccPillar_en.csv"
OCCUPATION_SKILLS = "occupationSkillRelations_en.csv"
# In the order they are read: concepts before the relations between them.
FILES = (SKILL_GROUPS, SKILLS, OCCUPATIONS, SKILL_BROADER, OCCUPATION_BROADER, OCCUPATION_SKILLS)

SKILL_TYPES = {"skill/competence": "skill", "knowledge": "knowledge", "": ""}
SKILL_CONCEPTS = {"KnowledgeSkillCompetence", "SkillGroup"}


def esco_files(directory: Path) -> list[Path]:
    """The ESCO files present in ``directory``, in reading order; none is an error."""
    if not directory.is_dir():
        raise TaxonomyFormatError("is not a directory", file=str(directory))
    found = [directory / name for name in FILES if (directory / name).is_file()]
    if not found:
        raise TaxonomyFormatError(f"holds none of ESCO's files ({', '.join(FILES)})", file=str(directory))
    return found


def read_esco(directory: Path) -> Iterator[TaxonomyRecord]:
    """Every record of the ESCO files in ``directory``, file by file, row by row."""
    files = esco_files(directory)
    with_groups = any(path.name == SKILL_GROUPS for path in files)
    readers = {
        SKILL_GROUPS: _skill_groups,
        SKILLS: _skills,
        OCCUPATIONS: _occupations,
        SKILL_BROADER: lambda rows: _skill_broader(rows, with_groups=with_groups),
        OCCUPATION_BROADER: _occupation_broader,
        OCCUPATION_SKILLS: _occupation_skills,
    }
    required = {
        SKILL_GROUPS: ["conceptUri", "preferredLabel"],
        SKILLS: ["conceptUri", "skillType", "preferredLabel"],
        OCCUPATIONS: ["conceptUri", "preferredLabel"],
        SKILL_BROADER: ["conceptType", "conceptUri", "broaderType", "broaderUri"],
        OCCUPATION_BROADER: ["conceptType", "conceptUri", "broaderType", "broaderUri"],
        OCCUPATION_SKILLS: ["occupationUri", "relationType", "skillUri"],
    }
    for path in files:
        with open_text(path) as lines:
            yield from readers[path.name](read_rows(lines, name=str(path), required=required[path.name]))


Rows = Iterator[tuple[Source, dict[str, str]]]


def _label(row: dict[str, str], source: Source) -> str:
    label = " ".join(row["preferredLabel"].split())
    if not label:
        raise TaxonomyFormatError("preferredLabel is empty", file=source.file, line=source.line)
    return label


def _skill_groups(rows: Rows) -> Iterator[TaxonomyRecord]:
    for source, row in rows:
        yield SkillRecord(
            uri=check_uri(row["conceptUri"], what="conceptUri", source=source),
            label=_label(row, source),
            alt_labels=split_labels(row.get("altLabels", "")),
            description=row.get("description", "").strip(),
            skill_type="group",
            source=source,
        )


def _skills(rows: Rows) -> Iterator[TaxonomyRecord]:
    for source, row in rows:
        kind = row["skillType"].strip()
        if kind not in SKILL_TYPES:
            raise TaxonomyFormatError(
                f"skillType {kind!r} is neither 'skill/competence' nor 'knowledge'", file=source.file, line=source.line
            )
        yield SkillRecord(
            uri=check_uri(row["conceptUri"], what="conceptUri", source=source),
            label=_label(row, source),
            alt_labels=split_labels(row.get("altLabels", "")),
            description=row.get("description", "").strip(),
            skill_type=SKILL_TYPES[kind],
            source=source,
        )


def _occupations(rows: Rows) -> Iterator[TaxonomyRecord]:
    for source, row in rows:
        yield OccupationRecord(
            uri=check_uri(row["conceptUri"], what="conceptUri", source=source),
            label=_label(row, source),
            code=(row.get("code") or row.get("iscoGroup") or "").strip(),
            alt_labels=split_labels(row.get("altLabels", "")),
            description=row.get("description", "").strip(),
            source=source,
        )


def _skill_broader(rows: Rows, *, with_groups: bool) -> Iterator[TaxonomyRecord]:
    for source, row in rows:
        types = {row["conceptType"].strip(), row["broaderType"].strip()}
        if not types <= SKILL_CONCEPTS:
            raise TaxonomyFormatError(
                "conceptType and broaderType must be KnowledgeSkillCompetence or SkillGroup, "
                f"not {', '.join(sorted(types))}",
                file=source.file,
                line=source.line,
            )
        if "SkillGroup" in types and not with_groups:
            continue
        yield BroaderRecord(
            kind="skill",
            uri=check_uri(row["conceptUri"], what="conceptUri", source=source),
            broader_uri=check_uri(row["broaderUri"], what="broaderUri", source=source),
            source=source,
        )


def _occupation_broader(rows: Rows) -> Iterator[TaxonomyRecord]:
    for source, row in rows:
        if row["conceptType"].strip() != "Occupation" or row["broaderType"].strip() != "Occupation":
            continue
        yield BroaderRecord(
            kind="occupation",
            uri=check_uri(row["conceptUri"], what="conceptUri", source=source),
            broader_uri=check_uri(row["broaderUri"], what="broaderUri", source=source),
            source=source,
        )


def _occupation_skills(rows: Rows) -> Iterator[TaxonomyRecord]:
    for source, row in rows:
        relation = row["relationType"].strip()
        if relation not in ("essential", "optional"):
            raise TaxonomyFormatError(
                f"relationType {relation!r} is neither 'essential' nor 'optional'", file=source.file, line=source.line
            )
        yield OccupationSkillRecord(
            occupation_uri=check_uri(row["occupationUri"], what="occupationUri", source=source),
            skill_uri=check_uri(row["skillUri"], what="skillUri", source=source),
            relation=relation,
            source=source,
        )
