"""Writing a whole taxonomy at once: the records an importer yields (``importers/``) become skills,
occupations, broader relations and occupation–skill links, in one transaction.

Called only through ``microcred.skills.services.taxonomy_import`` (which checks who may); split
out of ``services.py`` for its size. Each entity is upserted by URI: new rows are bulk-created,
changed ones bulk-updated, equal ones left alone, so a second run of the same files writes nothing.
The broader relations of every concept the files give broader relations for, and the skill links of
every occupation the files give links for, become exactly what the files say.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from django.db import models
from django.utils.text import slugify

from microcred.core.errors import Conflict, ValidationFailed

from ..importers.records import (
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
)
from ..models import Occupation, OccupationSkill, Skill, SkillFramework

BATCH: Final = 1000
# Under SQLite's 999 bound variables per query.
LOOKUP_CHUNK: Final = 900
SKILL_FIELDS: Final = ("label", "alt_labels", "description", "skill_type")
OCCUPATION_FIELDS: Final = ("label", "code", "alt_labels", "description")
LINK_FIELDS: Final = ("relation", "importance", "importance_raw", "level", "level_raw")

Progress = Callable[[str, int, int | None], None]
T = TypeVar("T")


class TaxonomyFileInvalid(ValidationFailed):
    code = "taxonomy_file_invalid"
    title = "Taxonomy file not importable"


class TaxonomyConflict(Conflict):
    code = "taxonomy_conflict"
    title = "Taxonomy entry belongs elsewhere"


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __str__(self) -> str:
        removed = f", {self.removed} removed" if self.removed else ""
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged{removed}"


@dataclass
class TaxonomyImportReport:
    skills: Tally = field(default_factory=Tally)
    occupations: Tally = field(default_factory=Tally)
    broader: Tally = field(default_factory=Tally)
    links: Tally = field(default_factory=Tally)
    # Links to skills the platform does not have, left out (only when the caller allows it).
    missing_skills: int = 0

    @property
    def changed(self) -> bool:
        tallies = (self.skills, self.occupations, self.broader, self.links)
        return any(t.created or t.updated or t.removed for t in tallies)

    def summary(self) -> str:
        parts = [f"skills: {self.skills}", f"occupations: {self.occupations}"]
        parts += [f"broader: {self.broader}", f"occupation skills: {self.links}"]
        if self.missing_skills:
            parts.append(f"{self.missing_skills} link(s) to skills not in the platform left out")
        return "; ".join(parts) + "."


def _invalid(message: str, source: Source | None) -> TaxonomyFileInvalid:
    where = f"{source}: " if source else ""
    return TaxonomyFileInvalid(
        where + message, file=source.file if source else None, line=source.line if source else None
    )


def _chunks(values: list[T], size: int = LOOKUP_CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class _Collected:
    skills: dict[str, SkillRecord] = field(default_factory=dict)
    occupations: dict[str, OccupationRecord] = field(default_factory=dict)
    broader: dict[str, dict[str, dict[str, Source]]] = field(default_factory=lambda: {"skill": {}, "occupation": {}})
    links: dict[tuple[str, str], OccupationSkillRecord] = field(default_factory=dict)


def _collect(records: Iterable[TaxonomyRecord], progress: Progress) -> _Collected:
    """Every record, checked, in memory (a taxonomy fits: ESCO is 14,000 skills and 130,000 links)."""
    found = _Collected()
    count = 0
    try:
        for record in records:
            count += 1
            if count % BATCH == 0:
                progress("Reading", count, None)
            if isinstance(record, SkillRecord):
                _check_skill(record)
                _once(found.skills, record.uri, record, "skill")
            elif isinstance(record, OccupationRecord):
                _check_occupation(record)
                _once(found.occupations, record.uri, record, "occupation")
            elif isinstance(record, BroaderRecord):
                if record.uri == record.broader_uri:
                    raise _invalid(f"{record.uri} cannot be broader than itself", record.source)
                found.broader[record.kind].setdefault(record.uri, {})[record.broader_uri] = record.source
            else:
                _check_link(record)
                # A later line about the same pair wins (O*NET repeats some technology examples).
                found.links[(record.occupation_uri, record.skill_uri)] = record
    except TaxonomyFormatError as exc:
        raise TaxonomyFileInvalid(str(exc), file=exc.file, line=exc.line) from exc
    progress("Reading", count, count)
    return found


def _once(seen: dict[str, Any], uri: str, record: SkillRecord | OccupationRecord, what: str) -> None:
    if uri in seen:
        raise _invalid(f"the {what} {uri} is listed twice (first at {seen[uri].source})", record.source)
    seen[uri] = record


def _check_skill(record: SkillRecord) -> None:
    if len(record.label) > Skill._meta.get_field("label").max_length:  # type: ignore[operator]
        raise _invalid(f"the label of {record.uri} is longer than 200 characters", record.source)
    if record.skill_type not in SKILL_TYPES:
        raise _invalid(f"unknown skill type {record.skill_type!r}", record.source)


def _check_occupation(record: OccupationRecord) -> None:
    if len(record.label) > 300 or len(record.code) > 40:
        raise _invalid(f"the label (300) or code (40 characters) of {record.uri} is too long", record.source)


def _check_link(record: OccupationSkillRecord) -> None:
    if record.relation not in RELATIONS or record.level not in LEVELS:
        raise _invalid(f"unknown relation {record.relation!r} or level {record.level!r}", record.source)
    if record.importance is not None and not 0.0 <= record.importance <= 1.0:
        raise _invalid(f"importance {record.importance} is outside 0–1", record.source)


def _existing(model: type[models.Model], uris: list[str], *fields: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(uris):
        for obj in model._default_manager.filter(uri__in=chunk).only("pk", "uri", "framework_id", *fields):
            found[obj.uri] = obj  # type: ignore[attr-defined]
    return found


def _ids(model: type[models.Model], uris: Iterable[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in _chunks(sorted(set(uris))):
        ids.update(model._default_manager.filter(uri__in=chunk).values_list("uri", "pk"))
    return ids


def _skill_values(record: SkillRecord) -> dict[str, Any]:
    return {
        "label": record.label,
        "alt_labels": list(record.alt_labels),
        "description": record.description,
        "skill_type": record.skill_type,
    }


def _occupation_values(record: OccupationRecord) -> dict[str, Any]:
    return {
        "label": record.label,
        "code": record.code,
        "alt_labels": list(record.alt_labels),
        "description": record.description,
    }


def _belongs(obj: Any, framework: SkillFramework, source: Source, what: str) -> None:
    if obj.framework_id != framework.pk:
        other = SkillFramework.objects.get(pk=obj.framework_id)
        raise TaxonomyConflict(
            f"{source}: the {what} {obj.uri} belongs to the framework {other.slug!r}, not {framework.slug!r}; "
            "an import changes only its own framework's entries.",
            file=source.file,
            line=source.line,
        )


def _unique_slugs(records: list[SkillRecord]) -> dict[str, str]:
    """A slug per new skill: its label's, unless taken, then with a piece of its URI's hash."""
    wanted = {r.uri: slugify(r.label)[:110] or "skill" for r in records}
    taken: set[str] = set()
    for chunk in _chunks(sorted(set(wanted.values()))):
        taken.update(Skill.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    slugs: dict[str, str] = {}
    for uri, slug in wanted.items():
        if slug in taken:
            slug = f"{slug}-{hashlib.sha256(uri.encode()).hexdigest()[:8]}"
        taken.add(slug)
        slugs[uri] = slug
    return slugs


def _upsert_skills(framework: SkillFramework, records: dict[str, SkillRecord], progress: Progress) -> Tally:
    tally = Tally()
    existing = _existing(Skill, list(records), *SKILL_FIELDS)
    new: list[SkillRecord] = []
    changed: list[Skill] = []
    for uri, record in records.items():
        skill = existing.get(uri)
        if skill is None:
            new.append(record)
            continue
        _belongs(skill, framework, record.source, "skill")
        values = _skill_values(record)
        if record.label_is_guess:
            # A guessed label and a run-together text never replace what the skill has.
            tally.unchanged += 1
            continue
        if all(getattr(skill, name) == value for name, value in values.items()):
            tally.unchanged += 1
            continue
        for name, value in values.items():
            setattr(skill, name, value)
        changed.append(skill)
    slugs = _unique_slugs(new)
    total, done = len(new) + len(changed), 0
    for batch in _chunks(new, BATCH):
        Skill.objects.bulk_create(
            [Skill(framework=framework, uri=r.uri, slug=slugs[r.uri], **_skill_values(r)) for r in batch],
            batch_size=BATCH,
        )
        done += len(batch)
        progress("Skills", done, total)
    for update_batch in _chunks(changed, BATCH):
        Skill.objects.bulk_update(update_batch, SKILL_FIELDS, batch_size=BATCH)
        done += len(update_batch)
        progress("Skills", done, total)
    tally.created, tally.updated = len(new), len(changed)
    return tally


def _upsert_occupations(framework: SkillFramework, records: dict[str, OccupationRecord], progress: Progress) -> Tally:
    tally = Tally()
    existing = _existing(Occupation, list(records), *OCCUPATION_FIELDS)
    new: list[OccupationRecord] = []
    changed: list[Occupation] = []
    for uri, record in records.items():
        occupation = existing.get(uri)
        if occupation is None:
            new.append(record)
            continue
        _belongs(occupation, framework, record.source, "occupation")
        values = _occupation_values(record)
        if record.label_is_guess:
            tally.unchanged += 1
            continue
        if all(getattr(occupation, name) == value for name, value in values.items()):
            tally.unchanged += 1
            continue
        for name, value in values.items():
            setattr(occupation, name, value)
        changed.append(occupation)
    total, done = len(new) + len(changed), 0
    for batch in _chunks(new, BATCH):
        Occupation.objects.bulk_create(
            [Occupation(framework=framework, uri=r.uri, **_occupation_values(r)) for r in batch], batch_size=BATCH
        )
        done += len(batch)
        progress("Occupations", done, total)
    for update_batch in _chunks(changed, BATCH):
        Occupation.objects.bulk_update(update_batch, OCCUPATION_FIELDS, batch_size=BATCH)
        done += len(update_batch)
        progress("Occupations", done, total)
    tally.created, tally.updated = len(new), len(changed)
    return tally


def _replace_broader(
    model: type[Skill] | type[Occupation],
    framework: SkillFramework,
    wanted: dict[str, dict[str, Source]],
    progress: Progress,
) -> Tally:
    """The broader concepts of each concept in ``wanted`` become exactly those listed."""
    tally = Tally()
    if not wanted:
        return tally
    kind = model._meta.model_name
    through: Any = model.broader.through
    child_column, parent_column = f"from_{kind}_id", f"to_{kind}_id"
    ids = _ids(model, [*wanted, *(p for parents in wanted.values() for p in parents)])
    desired: set[tuple[int, int]] = set()
    for child_uri, parents in wanted.items():
        for parent_uri, source in parents.items():
            for uri in (child_uri, parent_uri):
                if uri not in ids:
                    raise _invalid(f"the {kind} {uri} is in neither the files nor the platform", source)
            desired.add((ids[child_uri], ids[parent_uri]))
    children = sorted({ids[uri] for uri in wanted})
    owners = _frameworks_of(model, children)
    if owners - {framework.pk}:
        source = next(iter(next(iter(wanted.values())).values()))
        raise TaxonomyConflict(
            f"{source}: the files give broader {kind}s to a {kind} of another framework; "
            "an import changes only its own framework's entries.",
        )
    current: dict[tuple[int, int], int] = {}
    for chunk in _chunks(children):
        rows = through.objects.filter(**{f"{child_column}__in": chunk}).values_list("pk", child_column, parent_column)
        current.update({(child, parent): pk for pk, child, parent in rows})
    stale = [pk for pair, pk in current.items() if pair not in desired]
    added = sorted(desired - current.keys())
    for chunk in _chunks(stale):
        through.objects.filter(pk__in=chunk).delete()
    for done, batch in enumerate(_chunks(added, BATCH), start=1):
        through.objects.bulk_create(
            [through(**{child_column: child, parent_column: parent}) for child, parent in batch], batch_size=BATCH
        )
        progress(f"Broader {kind}s", min(done * BATCH, len(added)), len(added))
    tally.created, tally.removed, tally.unchanged = len(added), len(stale), len(desired) - len(added)
    return tally


def _frameworks_of(model: type[Skill] | type[Occupation], ids: list[int]) -> set[int]:
    owners: set[int] = set()
    for chunk in _chunks(ids):
        owners.update(model._default_manager.filter(pk__in=chunk).values_list("framework_id", flat=True).distinct())
    return owners


def _replace_links(
    framework: SkillFramework,
    wanted: dict[tuple[str, str], OccupationSkillRecord],
    *,
    skip_missing_skills: bool,
    progress: Progress,
) -> tuple[Tally, int]:
    """The skill links of each occupation in ``wanted`` become exactly those listed."""
    tally = Tally()
    if not wanted:
        return tally, 0
    occupation_ids = _ids(Occupation, (occupation for occupation, _ in wanted))
    skill_ids = _ids(Skill, (skill for _, skill in wanted))
    desired: dict[tuple[int, int], OccupationSkillRecord] = {}
    missing = 0
    for (occupation_uri, skill_uri), record in wanted.items():
        if occupation_uri not in occupation_ids:
            raise _invalid(f"the occupation {occupation_uri} is in neither the files nor the platform", record.source)
        if skill_uri not in skill_ids:
            if skip_missing_skills:
                missing += 1
                continue
            raise _invalid(f"the skill {skill_uri} is in neither the files nor the platform", record.source)
        desired[(occupation_ids[occupation_uri], skill_ids[skill_uri])] = record
    occupations = sorted(set(occupation_ids.values()))
    if _frameworks_of(Occupation, occupations) - {framework.pk}:
        raise TaxonomyConflict(
            f"{next(iter(wanted.values())).source}: the files link skills to an occupation of another framework; "
            "an import changes only its own framework's entries."
        )
    current: dict[tuple[int, int], OccupationSkill] = {}
    for chunk in _chunks(occupations):
        for row in OccupationSkill.objects.filter(occupation_id__in=chunk):
            current[(row.occupation_id, row.skill_id)] = row
    stale = [row.pk for pair, row in current.items() if pair not in desired]
    new: list[OccupationSkill] = []
    changed: list[OccupationSkill] = []
    for (occupation_id, skill_id), record in desired.items():
        values = {name: getattr(record, name) for name in LINK_FIELDS}
        link = current.get((occupation_id, skill_id))
        if link is None:
            new.append(OccupationSkill(occupation_id=occupation_id, skill_id=skill_id, **values))
        elif all(getattr(link, name) == value for name, value in values.items()):
            tally.unchanged += 1
        else:
            for name, value in values.items():
                setattr(link, name, value)
            changed.append(link)
    for chunk in _chunks(stale):
        OccupationSkill.objects.filter(pk__in=chunk).delete()
    total, done = len(new) + len(changed), 0
    for batch in _chunks(new, BATCH):
        OccupationSkill.objects.bulk_create(batch, batch_size=BATCH)
        done += len(batch)
        progress("Occupation skills", done, total)
    for update_batch in _chunks(changed, BATCH):
        OccupationSkill.objects.bulk_update(update_batch, LINK_FIELDS, batch_size=BATCH)
        done += len(update_batch)
        progress("Occupation skills", done, total)
    tally.created, tally.updated, tally.removed = len(new), len(changed), len(stale)
    return tally, missing


def write_taxonomy(
    *,
    framework: SkillFramework,
    records: Iterable[TaxonomyRecord],
    progress: Progress,
    skip_missing_skills: bool = False,
) -> TaxonomyImportReport:
    """Read ``records`` and write them (the caller holds the transaction and has checked the actor)."""
    found = _collect(records, progress)
    report = TaxonomyImportReport()
    report.skills = _upsert_skills(framework, found.skills, progress)
    report.occupations = _upsert_occupations(framework, found.occupations, progress)
    skill_broader = _replace_broader(Skill, framework, found.broader["skill"], progress)
    occupation_broader = _replace_broader(Occupation, framework, found.broader["occupation"], progress)
    report.broader = Tally(
        created=skill_broader.created + occupation_broader.created,
        unchanged=skill_broader.unchanged + occupation_broader.unchanged,
        removed=skill_broader.removed + occupation_broader.removed,
    )
    report.links, report.missing_skills = _replace_links(
        framework, found.links, skip_missing_skills=skip_missing_skills, progress=progress
    )
    return report
