"""Writing the skills taxonomy: frameworks and their skills.

Who may add what:

- a **shared** framework (no owner: ESCO, Microcred Skills) is curated by platform staff, and by
  the system (CLI without ``--as``, the demo loader); anyone may *reference* its existing skills;
- a **provider's own** framework is extended by that provider's staff (owner or instructor);
- existing frameworks and skills are never modified here: the first definition stands, so a
  catalog file cannot relabel a skill other providers use.

``actor=SYSTEM`` (microcred/core/actors.py) is the platform itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from microcred.accounts.models import Organisation
from microcred.accounts.permissions import STAFF_ROLES, Actor, has_org_role, is_system, require_authenticated
from microcred.core.errors import PermissionDenied, full_clean_or_fail
from microcred.core.services import audit_record

from ..importers.records import TaxonomyRecord
from ..models import Skill, SkillFramework
from .taxonomy import Progress, TaxonomyConflict, TaxonomyFileInvalid, TaxonomyImportReport, write_taxonomy

__all__ = [
    "TaxonomyClosed",
    "TaxonomyConflict",
    "TaxonomyFileInvalid",
    "TaxonomyImportReport",
    "framework_get_or_create",
    "is_platform_staff",
    "may_extend",
    "skill_get_or_create",
    "skills_import",
    "taxonomy_import",
]


class TaxonomyClosed(PermissionDenied):
    code = "skill_taxonomy_closed"
    title = "Skill not in the taxonomy"


def is_platform_staff(*, actor: Actor) -> bool:
    if is_system(actor):
        return True
    return bool(getattr(actor, "is_authenticated", False) and (actor.is_staff or actor.is_superuser))


def may_extend(*, actor: Actor, owner: Organisation | int | None) -> bool:
    """May the actor add to a framework owned by ``owner`` (shared when None)?"""
    if is_platform_staff(actor=actor):
        return True
    return owner is not None and has_org_role(actor, owner, roles=STAFF_ROLES)


def _add(
    *,
    actor: Actor,
    owner: Organisation | int | None,
    obj: SkillFramework | Skill,
    refusal: str,
    action: str,
    **data: Any,
) -> None:
    """Add ``obj`` to a framework owned by ``owner`` (shared when None) if the actor may: validated,
    saved and audited."""
    if not is_system(actor):
        require_authenticated(actor)
    if not may_extend(actor=actor, owner=owner):
        raise TaxonomyClosed(refusal, **data)
    full_clean_or_fail(obj)
    obj.save()
    audit_record(actor=actor, action=action, target=obj, **data)


@transaction.atomic
def framework_get_or_create(
    *, actor: Actor, slug: str, name: str, publisher: str = "", url: str = "", owner: Organisation | None
) -> SkillFramework:
    """The framework with this slug; a new one belongs to ``owner`` (shared when None, staff only)."""
    framework = SkillFramework.objects.filter(slug=slug).first()
    if framework is None:
        framework = SkillFramework(slug=slug, name=name, publisher=publisher, url=url, owner=owner)
        _add(
            actor=actor,
            owner=owner,
            obj=framework,
            refusal=f"Only platform staff create shared skill frameworks; {slug!r} does not exist.",
            action="skill_framework.create",
            slug=slug,
            provider=owner and owner.slug,
        )
    return framework


@transaction.atomic
def skill_get_or_create(
    *, actor: Actor, framework: SkillFramework, uri: str, label: str, slug: str, description: str = ""
) -> Skill:
    """The skill with this URI, wherever it is; a new one is added to ``framework`` if the actor may."""
    skill = Skill.objects.filter(uri=uri).first()
    if skill is None:
        skill = Skill(framework=framework, uri=uri, label=label, slug=slug, description=description)
        curators = "platform staff" if framework.owner_id is None else "the staff of the provider that owns it"
        _add(
            actor=actor,
            owner=framework.owner_id,
            obj=skill,
            refusal=(
                f"Skill {uri} is not in the platform, and only {curators} add skills to the framework "
                f"{framework.slug!r}. Use a skill that exists, ask them to add it, or list it in a framework "
                "of your own (a framework slug not yet in the platform)."
            ),
            action="skill.create",
            uri=uri,
            framework=framework.slug,
        )
    return skill


@transaction.atomic
def skills_import(*, actor: Actor, provider: Organisation | None, specs: list[dict[str, Any]]) -> list[Skill]:
    """The skills a catalog document lists (its ``skills`` entries, already shape-checked): existing
    ones by URI, missing ones added where the actor may. A framework not yet in the platform becomes
    the provider's own (shared when ``provider`` is None, which needs staff)."""
    skills = []
    for spec in specs:
        existing = Skill.objects.filter(uri=spec["uri"]).first()
        if existing is not None:
            skills.append(existing)
            continue
        fw = spec["framework"]
        framework = framework_get_or_create(
            actor=actor,
            slug=fw["slug"],
            name=fw["name"],
            publisher=fw.get("publisher", ""),
            url=fw.get("url", ""),
            owner=provider,
        )
        skills.append(
            skill_get_or_create(
                actor=actor,
                framework=framework,
                uri=spec["uri"],
                label=spec["label"],
                slug=spec["slug"],
                description=spec.get("description", ""),
            )
        )
    return skills


def _no_progress(stage: str, done: int, total: int | None) -> None:
    return None


@transaction.atomic
def taxonomy_import(
    *,
    actor: Actor,
    framework: SkillFramework,
    records: Iterable[TaxonomyRecord],
    progress: Progress | None = None,
    skip_missing_skills: bool = False,
) -> TaxonomyImportReport:
    """Import a taxonomy file's records (``microcred.skills.importers``) into ``framework``: skills
    and occupations upserted by URI, broader relations and occupation skills replaced for the
    concepts the records speak of (``services/taxonomy.py``).

    All or nothing: a bad row anywhere (``TaxonomyFileInvalid``, naming the file and line), a
    reference to a skill or occupation that is nowhere, or an entry of another framework
    (``TaxonomyConflict``) leaves the database as it was. Who may: as for adding a skill to the
    framework (platform staff for a shared one, the provider's staff for its own). ``progress`` is
    called with a stage name, the count done and the total when known. An import that changes
    something is audited (``skill_taxonomy.import`` with the counts); one that changes nothing writes
    nothing. ``skip_missing_skills`` leaves out, and counts, links to skills that are nowhere (for
    sources known to name skills they do not carry).
    """
    if not is_system(actor):
        require_authenticated(actor)
    if not may_extend(actor=actor, owner=framework.owner_id):
        curators = "platform staff" if framework.owner_id is None else "the staff of the provider that owns it"
        raise TaxonomyClosed(f"Only {curators} import into the skill framework {framework.slug!r}.")
    report = write_taxonomy(
        framework=framework,
        records=records,
        progress=progress or _no_progress,
        skip_missing_skills=skip_missing_skills,
    )
    if report.changed:
        audit_record(
            actor=actor,
            action="skill_taxonomy.import",
            target=framework,
            framework=framework.slug,
            skills=vars(report.skills),
            occupations=vars(report.occupations),
            broader=vars(report.broader),
            occupation_skills=vars(report.links),
            missing_skills=report.missing_skills,
        )
    return report
