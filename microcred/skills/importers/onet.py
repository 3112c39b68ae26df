"""O*NET's database as text files (tab-separated, one header line, no quoting).

Files read from the directory, each when present (O*NET's own names):

- ``Occupation Data.txt`` — O*NET-SOC Code, Title, Description;
- ``Alternate Titles.txt`` — O*NET-SOC Code, Alternate Title (the occupations' other names);
- ``Content Model Reference.txt`` — Element ID, Element Name, Description (the skills' descriptions);
- ``Skills.txt``, ``Knowledge.txt`` — O*NET-SOC Code, Element ID, Element Name, Scale ID, Data
  Value, …, Not Relevant: one row per occupation, element and scale (IM importance, LV level);
- ``Technology Skills.txt`` — O*NET-SOC Code, Example, Commodity Code, Commodity Title, Hot Technology.

O*NET has no URIs of its own. An occupation is ``https://www.onetonline.org/link/summary/<code>``
and a skill or knowledge element ``https://www.onetonline.org/find/descriptor/result/<element>``
(O*NET OnLine's pages for them); a technology example, which has no page, gets a URI in the
Microcred Skills namespace, ``https://skills.microcred.org/onet/technology/<commodity>/<example>``.

How O*NET's figures become ours (the raw figures are kept beside them):

- importance: IM runs from 1 (not important) to 5 (extremely important); ours is ``(IM - 1) / 4``;
- relation: ``essential`` from IM 3 (O*NET's "important") up, ``optional`` below;
- level: LV runs from 0 to 7 (O*NET's anchors: about 2 basic, 4 intermediate, 6 advanced);
  below 3 is ``beginner``, below 5 ``intermediate``, 5 and above ``expert``; a level O*NET marks
  "not relevant" stays empty;
- technology examples say only that the occupation uses them: no importance, level or relation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .records import OccupationRecord, OccupationSkillRecord, SkillRecord, Source, TaxonomyFormatError, TaxonomyRecord
from .tabular import open_text, read_rows

OCCUPATIONS = "Occupation Data.txt"
ALTERNATE_TITLES = "Alternate Titles.txt"
CONTENT_MODEL = "Content Model Reference.txt"
SKILLS = "Skills.txt"
KNOWLEDGE = "Knowledge.txt"
TECHNOLOGY = "Technology Skills.txt"
FILES = (OCCUPATIONS, ALTERNATE_TITLES, CONTENT_MODEL, SKILLS, KNOWLEDGE, TECHNOLOGY)

OCCUPATION_URI = "https://www.onetonline.org/link/summary/{code}"
ELEMENT_URI = "https://www.onetonline.org/find/descriptor/result/{element}"
TECHNOLOGY_URI = "https://skills.microcred.org/onet/technology/{commodity}/{example}"
SOC_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")

IMPORTANCE_RANGE = (1.0, 5.0)
LEVEL_RANGE = (0.0, 7.0)
ESSENTIAL_FROM = 3.0


def importance_of(raw: float) -> float:
    """O*NET's importance (1–5) on our 0–1 scale."""
    return round((raw - IMPORTANCE_RANGE[0]) / (IMPORTANCE_RANGE[1] - IMPORTANCE_RANGE[0]), 4)


def relation_of(raw_importance: float) -> str:
    return "essential" if raw_importance >= ESSENTIAL_FROM else "optional"


def level_of(raw: float) -> str:
    """O*NET's level (0–7) as beginner, intermediate or expert."""
    if raw < 3.0:
        return "beginner"
    return "intermediate" if raw < 5.0 else "expert"


def onet_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise TaxonomyFormatError("is not a directory", file=str(directory))
    found = [directory / name for name in FILES if (directory / name).is_file()]
    if not any(path.name in (OCCUPATIONS, SKILLS, KNOWLEDGE, TECHNOLOGY) for path in found):
        raise TaxonomyFormatError(
            f"holds none of O*NET's files ({OCCUPATIONS}, {SKILLS}, {KNOWLEDGE}, {TECHNOLOGY})", file=str(directory)
        )
    return found


def read_onet(directory: Path) -> Iterator[TaxonomyRecord]:
    """Every record of the O*NET files in ``directory``: occupations, then each file's skills and links."""
    present = {path.name: path for path in onet_files(directory)}
    alternates = _alternate_titles(present[ALTERNATE_TITLES]) if ALTERNATE_TITLES in present else {}
    descriptions = _element_descriptions(present[CONTENT_MODEL]) if CONTENT_MODEL in present else {}
    if OCCUPATIONS in present:
        yield from _occupations(present[OCCUPATIONS], alternates)
    for name, skill_type in ((SKILLS, "skill"), (KNOWLEDGE, "knowledge")):
        if name in present:
            yield from _rated_elements(present[name], skill_type=skill_type, descriptions=descriptions)
    if TECHNOLOGY in present:
        yield from _technology(present[TECHNOLOGY])


def _tsv(path: Path, required: list[str]) -> Iterator[tuple[Source, dict[str, str]]]:
    with open_text(path) as lines:
        yield from read_rows(lines, name=str(path), required=required, delimiter="\t", quoted=False)


def _soc(value: str, source: Source) -> str:
    code = value.strip()
    if not SOC_CODE.match(code):
        raise TaxonomyFormatError(f"O*NET-SOC Code {code!r} is not like 15-1252.00", file=source.file, line=source.line)
    return code


def _alternate_titles(path: Path) -> dict[str, list[str]]:
    titles: dict[str, list[str]] = {}
    for source, row in _tsv(path, ["O*NET-SOC Code", "Alternate Title"]):
        title = " ".join(row["Alternate Title"].split())
        if title:
            titles.setdefault(_soc(row["O*NET-SOC Code"], source), []).append(title)
    return titles


def _element_descriptions(path: Path) -> dict[str, str]:
    return {
        row["Element ID"].strip(): row.get("Description", "").strip()
        for _, row in _tsv(path, ["Element ID", "Element Name"])
    }


def _occupations(path: Path, alternates: dict[str, list[str]]) -> Iterator[TaxonomyRecord]:
    for source, row in _tsv(path, ["O*NET-SOC Code", "Title"]):
        code = _soc(row["O*NET-SOC Code"], source)
        title = " ".join(row["Title"].split())
        if not title:
            raise TaxonomyFormatError("Title is empty", file=source.file, line=source.line)
        yield OccupationRecord(
            uri=OCCUPATION_URI.format(code=code),
            label=title,
            code=code,
            alt_labels=tuple(dict.fromkeys(t for t in alternates.get(code, []) if t != title)),
            description=row.get("Description", "").strip(),
            source=source,
        )


@dataclass
class _Rating:
    source: Source
    importance: float | None = None
    level: float | None = None
    level_relevant: bool = True


def _number(row: dict[str, str], source: Source, bounds: tuple[float, float], scale: str) -> float:
    text = row["Data Value"].strip()
    try:
        value = float(text)
    except ValueError:
        raise TaxonomyFormatError(f"Data Value {text!r} is not a number", file=source.file, line=source.line) from None
    if not bounds[0] <= value <= bounds[1]:
        raise TaxonomyFormatError(
            f"Data Value {value} is outside {scale}'s range {bounds[0]:g}–{bounds[1]:g}",
            file=source.file,
            line=source.line,
        )
    return value


def _rated_elements(path: Path, *, skill_type: str, descriptions: dict[str, str]) -> Iterator[TaxonomyRecord]:
    """One skill per element and one link per occupation and element, its IM and LV rows merged."""
    ratings: dict[tuple[str, str], _Rating] = {}
    seen_elements: set[str] = set()
    for source, row in _tsv(path, ["O*NET-SOC Code", "Element ID", "Element Name", "Scale ID", "Data Value"]):
        code = _soc(row["O*NET-SOC Code"], source)
        element = row["Element ID"].strip()
        name = " ".join(row["Element Name"].split())
        if not element or not name:
            raise TaxonomyFormatError("Element ID or Element Name is empty", file=source.file, line=source.line)
        if element not in seen_elements:
            seen_elements.add(element)
            yield SkillRecord(
                uri=ELEMENT_URI.format(element=quote(element)),
                label=name,
                description=descriptions.get(element, ""),
                skill_type=skill_type,
                source=source,
            )
        rating = ratings.setdefault((code, element), _Rating(source))
        scale = row["Scale ID"].strip()
        if scale == "IM":
            rating.importance = _number(row, source, IMPORTANCE_RANGE, "IM")
        elif scale == "LV":
            rating.level = _number(row, source, LEVEL_RANGE, "LV")
            rating.level_relevant = row.get("Not Relevant", "").strip().upper() != "Y"
        else:
            raise TaxonomyFormatError(f"Scale ID {scale!r} is neither IM nor LV", file=source.file, line=source.line)
    for (code, element), rating in ratings.items():
        yield OccupationSkillRecord(
            occupation_uri=OCCUPATION_URI.format(code=code),
            skill_uri=ELEMENT_URI.format(element=quote(element)),
            relation=relation_of(rating.importance) if rating.importance is not None else "",
            importance=importance_of(rating.importance) if rating.importance is not None else None,
            importance_raw=rating.importance,
            level=level_of(rating.level) if rating.level is not None and rating.level_relevant else "",
            level_raw=rating.level,
            source=rating.source,
        )


def _technology(path: Path) -> Iterator[TaxonomyRecord]:
    seen: set[str] = set()
    for source, row in _tsv(path, ["O*NET-SOC Code", "Commodity Code", "Commodity Title"]):
        code = _soc(row["O*NET-SOC Code"], source)
        example = " ".join((row.get("Example") or row.get("T2 Example") or "").split())
        commodity = row["Commodity Code"].strip()
        if not example or not commodity.isdigit():
            raise TaxonomyFormatError(
                "Example is empty or Commodity Code is not a number", file=source.file, line=source.line
            )
        uri = TECHNOLOGY_URI.format(commodity=commodity, example=quote(example, safe=""))
        if uri not in seen:
            seen.add(uri)
            yield SkillRecord(
                uri=uri,
                label=example,
                description=f"{row['Commodity Title'].strip()} (UNSPSC {commodity}).",
                skill_type="technology",
                source=source,
            )
        yield OccupationSkillRecord(occupation_uri=OCCUPATION_URI.format(code=code), skill_uri=uri, source=source)
