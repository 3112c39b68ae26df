"""Export and import a provider's catalog as JSON ("microcred.catalog/1", docs/catalog-format.md).

Import is idempotent: a provider is matched by slug and a micro-credential by (provider, slug).
An unchanged micro-credential is left alone; a changed draft is replaced in place; a changed
published one becomes a new version, so enrolled learners keep the content they enrolled in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Set
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Final

from django.db import transaction

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.accounts.permissions import require_org_role
from microcred.accounts.services import organisation_create
from microcred.assessment.questions import CHOICE_KEYS, QUESTION_KEYS
from microcred.assessment.selectors import quiz_of
from microcred.assessment.services import (
    QUIZ_SETTINGS,
    question_spec_validate,
    quiz_create,
    quiz_settings_export,
    quiz_specs,
)
from microcred.catalog.fields import LESSON_FIELDS, MICROCREDENTIAL_FIELDS
from microcred.catalog.models import LessonKind, MicroCredential, Programme, Status
from microcred.catalog.selectors import (
    microcredential_by_reference,
    programme_member_families,
    provider_programmes,
)
from microcred.catalog.services import (
    PROGRAMME_FIELDS,
    assessed_lesson_create,
    lesson_create,
    microcredential_create,
    microcredential_fingerprint_record,
    microcredential_new_version,
    microcredential_publish,
    microcredential_update,
    module_create,
    module_delete,
    programme_create,
    programme_update,
)
from microcred.core.errors import ValidationFailed
from microcred.projects.rubrics import rubric_from_spec
from microcred.projects.selectors import assignment_of
from microcred.projects.services import ASSIGNMENT_SETTINGS, assignment_create, assignment_export
from microcred.skills.models import Skill
from microcred.skills.services import skills_import

FORMAT = "microcred.catalog/1"

PROVIDER_KEYS = {"slug", "name", "provider_type", "description", "website", "email", "country", "city", "logo_url"}
SKILL_KEYS = {"uri", "label", "slug", "description", "framework"}
FRAMEWORK_KEYS = {"slug", "name", "publisher", "url"}
MC_KEYS: Final[frozenset[str]] = MICROCREDENTIAL_FIELDS | {"status", "skills", "modules", "builds_on"}
# A reference to another offer: its provider's slug (default: this document's provider) and its slug.
REFERENCE_KEYS = {"provider", "slug"}
PROGRAMME_KEYS: Final[frozenset[str]] = PROGRAMME_FIELDS | {"microcredentials"}
MODULE_KEYS = {"title", "summary", "lessons"}
# A lesson's position is its place in the document; a quiz lesson carries its quiz, and an
# assignment lesson graded with a rubric its assignment (ADR 0028).
LESSON_KEYS: Final[frozenset[str]] = (LESSON_FIELDS - {"position"}) | {"quiz", "assignment"}
ASSIGNMENT_KEYS: Final[frozenset[str]] = ASSIGNMENT_SETTINGS | {"rubric"}
QUIZ_KEYS: Final[frozenset[str]] = QUIZ_SETTINGS | {"title", "questions"}
QUIZ_INTEGRITY_KEYS: Final[frozenset[str]] = QUIZ_SETTINGS - {
    "passing_score",
    "question_count",
    "max_attempts",
    "time_limit_minutes",
}


def _check_keys(obj: Any, allowed: Set[str], where: str, required: Set[str] = frozenset()) -> None:
    if not isinstance(obj, dict):
        raise ValidationFailed(f"{where}: expected an object.")
    unknown = set(obj) - allowed
    if unknown:
        raise ValidationFailed(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
    missing = set(required) - set(obj)
    if missing:
        raise ValidationFailed(f"{where}: missing field(s) {', '.join(sorted(missing))}.")


def validate_document(data: Any) -> None:
    """Check the whole document's shape before anything is written."""
    _check_keys(
        data, {"format", "provider", "skills", "microcredentials", "programmes"}, "document", {"format", "provider"}
    )
    if data["format"] != FORMAT:
        raise ValidationFailed(f"Unsupported format {data['format']!r}; expected {FORMAT!r}.")
    _check_keys(data["provider"], PROVIDER_KEYS, "provider", {"slug", "name", "country"})
    skill_uris = set()
    for i, skill in enumerate(data.get("skills", [])):
        _check_keys(skill, SKILL_KEYS, f"skills[{i}]", {"uri", "label", "slug", "framework"})
        _check_keys(skill["framework"], FRAMEWORK_KEYS, f"skills[{i}].framework", {"slug", "name"})
        skill_uris.add(skill["uri"])
    for i, mc in enumerate(data.get("microcredentials", [])):
        where = f"microcredentials[{i}]"
        _check_keys(
            mc,
            MC_KEYS,
            where,
            {
                "slug",
                "title",
                "summary",
                "learning_outcomes",
                "workload_hours",
                "eqf_level",
                "assessment_type",
                "participation_form",
                "quality_assurance",
                "level",
                "industry",
            },
        )
        if not isinstance(mc.get("builds_on", []), list):
            raise ValidationFailed(f"{where}.builds_on: expected a list.")
        for j, reference in enumerate(mc.get("builds_on", [])):
            _check_keys(reference, REFERENCE_KEYS, f"{where}.builds_on[{j}]", {"slug"})
        for j, link in enumerate(mc.get("skills", [])):
            _check_keys(link, {"uri", "target_level"}, f"{where}.skills[{j}]", {"uri", "target_level"})
            if link["uri"] not in skill_uris and not Skill.objects.filter(uri=link["uri"]).exists():
                raise ValidationFailed(f"{where}.skills[{j}]: unknown skill {link['uri']}.")
        for j, module in enumerate(mc.get("modules", [])):
            _check_keys(module, MODULE_KEYS, f"{where}.modules[{j}]", {"title"})
            for k, lesson in enumerate(module.get("lessons", [])):
                lw = f"{where}.modules[{j}].lessons[{k}]"
                _check_keys(lesson, LESSON_KEYS, lw, {"title", "kind"})
                if lesson["kind"] not in LessonKind.values:
                    raise ValidationFailed(f"{lw}: unknown lesson kind {lesson['kind']!r}.")
                if lesson["kind"] != LessonKind.QUIZ and "quiz" in lesson:
                    raise ValidationFailed(f"{lw}: only a lesson of kind 'quiz' can carry a quiz.")
                if lesson["kind"] != LessonKind.ASSIGNMENT and "assignment" in lesson:
                    raise ValidationFailed(f"{lw}: only a lesson of kind 'assignment' can carry an assignment.")
                if "assignment" in lesson:
                    _check_keys(lesson["assignment"], ASSIGNMENT_KEYS, f"{lw}.assignment", {"rubric"})
                    try:
                        rubric_from_spec(lesson["assignment"]["rubric"])
                    except ValidationFailed as exc:
                        raise ValidationFailed(f"{lw}.assignment: {exc.message}", errors=exc.errors) from exc
                if lesson["kind"] == LessonKind.QUIZ:
                    quiz = lesson.get("quiz")
                    _check_keys(quiz, QUIZ_KEYS, f"{lw}.quiz", {"title", "questions"})
                    for n, question in enumerate(quiz["questions"]):
                        # ``choices`` for the choice kinds; the other kinds carry ``data`` (ADR 0027).
                        _check_keys(question, QUESTION_KEYS, f"{lw}.quiz.questions[{n}]", {"kind", "text"})
                        if not isinstance(question.get("choices", []), list):
                            raise ValidationFailed(f"{lw}.quiz.questions[{n}].choices: expected a list.")
                        for m, choice in enumerate(question.get("choices", [])):
                            _check_keys(choice, CHOICE_KEYS, f"{lw}.quiz.questions[{n}].choices[{m}]", {"text"})
    for i, programme in enumerate(data.get("programmes", [])):
        _check_keys(programme, PROGRAMME_KEYS, f"programmes[{i}]", {"slug", "title", "leads_to", "microcredentials"})
        members = programme["microcredentials"]
        if not isinstance(members, list) or not all(isinstance(slug, str) for slug in members):
            raise ValidationFailed(f"programmes[{i}].microcredentials: expected a list of micro-credential slugs.")
    _validate_questions(data)


def _validate_questions(data: dict[str, Any]) -> None:
    """Each question by the quiz service's own rules, once the document's shape is known good,
    worded as ``quiz_create`` words it when the import reaches that micro-credential."""
    for mc in data.get("microcredentials", []):
        for module in mc.get("modules", []):
            for lesson in module.get("lessons", []):
                for n, question in enumerate((lesson.get("quiz") or {}).get("questions", [])):
                    try:
                        question_spec_validate(spec=question, where=f"questions[{n}]")
                    except ValidationFailed as exc:
                        raise ValidationFailed(f"{mc['slug']}: {exc.message}", errors=exc.errors) from exc


def _fingerprint(mc_data: dict[str, Any]) -> str:
    payload = {k: v for k, v in mc_data.items() if k != "status"}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _provider_upsert(actor: Any, data: dict[str, Any]) -> Organisation:
    provider = Organisation.objects.filter(slug=data["slug"]).first()
    if provider is None:
        fields = {k: v for k, v in data.items() if k not in {"slug", "name", "country"}}
        return organisation_create(
            actor=actor,
            kind=OrganisationKind.PROVIDER,
            name=data["name"],
            slug=data["slug"],
            country=data["country"],
            **fields,
        )
    if provider.kind != OrganisationKind.PROVIDER:
        raise ValidationFailed(f"Organisation {provider.slug!r} is not a provider.")
    require_org_role(actor, provider)
    return provider


def _fill_content(actor: Any, mc: MicroCredential, mc_data: dict[str, Any]) -> None:
    # Through the content service, so each replaced lesson's quiz and question bank go too.
    for old_module in mc.modules.all():
        module_delete(actor=actor, module=old_module)
    for module_data in mc_data.get("modules", []):
        module = module_create(
            actor=actor, microcredential=mc, title=module_data["title"], summary=module_data.get("summary", "")
        )
        for lesson_data in module_data.get("lessons", []):
            fields = {k: v for k, v in lesson_data.items() if k not in {"quiz", "assignment"}}
            if lesson_data["kind"] != LessonKind.QUIZ:
                lesson = lesson_create(actor=actor, module=module, **fields)
                if "assignment" in lesson_data:
                    # Its rules (file types, dates…) are checked by the projects service.
                    assignment_create(actor=actor, lesson=lesson, **lesson_data["assignment"])
                continue
            lesson = assessed_lesson_create(actor=actor, module=module, **fields)
            q = lesson_data["quiz"]
            quiz_create(
                actor=actor,
                lesson=lesson,
                title=q["title"],
                questions=q["questions"],
                passing_score=q.get("passing_score", 70),
                question_count=q.get("question_count"),
                max_attempts=q.get("max_attempts"),
                time_limit_minutes=q.get("time_limit_minutes"),
                # The integrity settings (attempt rules, review options), checked by the quiz service.
                **{k: q[k] for k in QUIZ_INTEGRITY_KEYS & set(q)},
            )


def _mc_fields(mc_data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mc_data.items() if k not in {"status", "skills", "modules", "builds_on"}}


def _skill_pairs(mc_data: dict[str, Any]) -> list[tuple[Skill, str]]:
    skills = {s.uri: s for s in Skill.objects.filter(uri__in=[l["uri"] for l in mc_data.get("skills", [])])}
    return [(skills[l["uri"]], l["target_level"]) for l in mc_data.get("skills", [])]


@transaction.atomic
def catalog_import(*, actor: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    """Import a catalog document; returns which slugs were created, updated, versioned or unchanged."""
    validate_document(data)
    provider = _provider_upsert(actor, data["provider"])
    # Shared frameworks are curated: the skills service refuses a new skill there unless the actor may.
    skills_import(actor=actor, provider=provider, specs=data.get("skills", []))
    report: dict[str, list[str]] = {"created": [], "updated": [], "new_version": [], "unchanged": []}
    # Three passes, so an offer may build on one further down the file: write every version (as a
    # draft when it changed), then link the changed ones to what they build on, then publish.
    imported: list[tuple[MicroCredential, dict[str, Any], bool]] = []
    for mc_data in data.get("microcredentials", []):
        with _naming(mc_data["slug"]):
            imported.append(_import_one(actor, provider, mc_data, report))
    for mc, mc_data, changed in imported:
        # A new version carries its predecessor's links: the file's list replaces them, even when empty.
        if changed and (mc_data.get("builds_on") or mc.prerequisite_links.exists()):  # type: ignore[attr-defined]
            with _naming(mc_data["slug"]):
                microcredential_update(
                    actor=actor,
                    microcredential=mc,
                    builds_on=[_referenced(provider, reference) for reference in mc_data.get("builds_on", [])],
                )
    for mc, mc_data, _changed in imported:
        if mc_data.get("status", Status.PUBLISHED) == Status.PUBLISHED and mc.status == Status.DRAFT:
            with _naming(mc_data["slug"]):
                microcredential_publish(actor=actor, microcredential=mc)
    for programme_data in data.get("programmes", []):
        with _naming(f"programme {programme_data['slug']}"):
            _import_programme(actor, provider, programme_data)
    return report


@contextmanager
def _naming(what: str) -> Iterator[None]:
    """Name the micro-credential (or programme) in an error: a bare field error is hard to find in a long file."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed(f"{what}: {exc.message}", errors=exc.errors) from exc


def _referenced(provider: Organisation, reference: dict[str, Any]) -> MicroCredential:
    provider_slug = reference.get("provider") or provider.slug
    mc = microcredential_by_reference(provider_slug=provider_slug, slug=reference["slug"])
    if mc is None:
        raise ValidationFailed(
            f"builds on {provider_slug}/{reference['slug']}, which is not in this file or the catalog.",
            errors={"builds_on": ["Unknown micro-credential."]},
        )
    return mc


def _import_programme(actor: Any, provider: Organisation, programme_data: dict[str, Any]) -> None:
    members = []
    for slug in programme_data["microcredentials"]:
        mc = microcredential_by_reference(provider_slug=provider.slug, slug=slug)
        if mc is None:
            raise ValidationFailed(
                f"stacks {slug}, which is not one of {provider.name}'s micro-credentials.",
                errors={"microcredentials": ["Unknown micro-credential."]},
            )
        members.append(mc)
    fields = {key: programme_data.get(key, "") for key in PROGRAMME_FIELDS}
    programme = Programme.objects.filter(provider=provider, slug=programme_data["slug"]).first()
    if programme is None:
        programme_create(actor=actor, provider=provider, microcredentials=members, **fields)
        return
    # Unchanged stays untouched (no new member rows, no audit row): re-importing changes nothing.
    same_fields = all(getattr(programme, key) == value for key, value in fields.items())
    current = programme_member_families(programme)
    if same_fields and current == [mc.family for mc in members]:
        return
    programme_update(
        actor=actor,
        programme=programme,
        microcredentials=members,
        **{k: v for k, v in fields.items() if k != "slug"},
    )


def _import_one(
    actor: Any, provider: Organisation, mc_data: dict[str, Any], report: dict[str, list[str]]
) -> tuple[MicroCredential, dict[str, Any], bool]:
    """Write one micro-credential's version (not published yet); whether it changed."""
    fingerprint = _fingerprint(mc_data)
    latest = MicroCredential.objects.filter(provider=provider, slug=mc_data["slug"]).order_by("-version").first()
    if latest is None:
        mc = microcredential_create(actor=actor, provider=provider, skills=_skill_pairs(mc_data), **_mc_fields(mc_data))
        _fill_content(actor, mc, mc_data)
        report["created"].append(mc.slug)
    elif latest.import_fingerprint == fingerprint:
        report["unchanged"].append(latest.slug)
        return latest, mc_data, False
    else:
        if latest.status != Status.DRAFT:
            mc = microcredential_new_version(actor=actor, microcredential=latest)
            report["new_version"].append(latest.slug)
        else:
            mc = latest
            report["updated"].append(latest.slug)
        mc = microcredential_update(
            actor=actor,
            microcredential=mc,
            skills=_skill_pairs(mc_data),
            **{k: v for k, v in _mc_fields(mc_data).items() if k != "slug"},
        )
        _fill_content(actor, mc, mc_data)
    microcredential_fingerprint_record(actor=actor, microcredential=mc, fingerprint=fingerprint)
    return mc, mc_data, True


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def catalog_export(*, provider: Organisation) -> dict[str, Any]:
    """The provider's latest version of each micro-credential, in the import format."""
    latest: dict[str, MicroCredential] = {}
    for mc in MicroCredential.objects.filter(provider=provider).select_related("industry").order_by("slug", "-version"):
        latest.setdefault(mc.slug, mc)
    skills: dict[str, dict[str, Any]] = {}
    mcs = []
    for mc in latest.values():
        links = list(mc.skill_links.select_related("skill__framework").order_by("skill__label"))
        for link in links:
            s = link.skill
            skills[s.uri] = {
                "uri": s.uri,
                "label": s.label,
                "slug": s.slug,
                "description": s.description,
                "framework": {
                    "slug": s.framework.slug,
                    "name": s.framework.name,
                    "publisher": s.framework.publisher,
                    "url": s.framework.url,
                },
            }
        modules = []
        for module in mc.modules.prefetch_related("lessons__quiz", "lessons__assignment").order_by("position", "id"):
            lessons = []
            for lesson in module.lessons.all():
                item: dict[str, Any] = {
                    "title": lesson.title,
                    "kind": lesson.kind,
                    "estimated_minutes": lesson.estimated_minutes,
                    "required": lesson.required,
                }
                for key in ("body", "video_url", "transcript", "instructions"):
                    if getattr(lesson, key):
                        item[key] = getattr(lesson, key)
                # Completion rules only when set (ADR 0029): a file without them reads as before.
                for key in ("weight", "min_score"):
                    if getattr(lesson, key) is not None:
                        item[key] = getattr(lesson, key)
                quiz = quiz_of(lesson)
                if quiz is not None:
                    item["quiz"] = {
                        "title": quiz.title,
                        "passing_score": quiz.passing_score,
                        "question_count": quiz.question_count,
                        "max_attempts": quiz.max_attempts,
                        "time_limit_minutes": quiz.time_limit_minutes,
                        # The integrity settings that differ from their defaults (docs/catalog-format.md).
                        **quiz_settings_export(quiz=quiz),
                        "questions": quiz_specs(quiz=quiz),
                    }
                assignment = assignment_of(lesson)
                if assignment is not None:
                    item["assignment"] = assignment_export(assignment)
                lessons.append(item)
            modules.append({"title": module.title, "summary": module.summary, "lessons": lessons})
        mcs.append(
            {
                "slug": mc.slug,
                "title": mc.title,
                "status": mc.status,
                "summary": mc.summary,
                "description": mc.description,
                "awarding_body": mc.awarding_body,
                "country": mc.country,
                "learning_outcomes": mc.learning_outcomes,
                "workload_hours": mc.workload_hours,
                "ects": _decimal(mc.ects),
                "eqf_level": mc.eqf_level,
                "assessment_type": mc.assessment_type,
                "assessment_description": mc.assessment_description,
                "participation_form": mc.participation_form,
                "quality_assurance": mc.quality_assurance,
                "prerequisites": mc.prerequisites,
                "supervision": mc.supervision,
                "identity_verified": mc.identity_verified,
                "stackable": mc.stackable,
                "stackability": mc.stackability,
                "level": mc.level,
                "industry": mc.industry.name,
                "language": mc.language,
                "price": _decimal(mc.price),
                "currency": mc.currency,
                "duration_weeks": mc.duration_weeks,
                "validity_months": mc.validity_months,
                "image_url": mc.image_url,
                "criteria": mc.criteria,
                # Only when set (ADR 0033), as the lessons' weights: a file without it reads as before.
                **({"overall_pass_mark": mc.overall_pass_mark} if mc.overall_pass_mark is not None else {}),
                "skills": [{"uri": l.skill.uri, "target_level": l.target_level} for l in links],
                # Only when set, as the pass mark: a file without it reads as before.
                **({"builds_on": builds_on} if (builds_on := _builds_on_export(provider, mc)) else {}),
                "modules": modules,
            }
        )
    return {
        "format": FORMAT,
        "provider": {
            "slug": provider.slug,
            "name": provider.name,
            "provider_type": provider.provider_type,
            "description": provider.description,
            "website": provider.website,
            "email": provider.email,
            "country": provider.country,
            "city": provider.city,
            "logo_url": provider.logo_url,
        },
        "skills": sorted(skills.values(), key=lambda s: s["uri"]),
        "microcredentials": mcs,
        **({"programmes": programmes} if (programmes := _programmes_export(provider)) else {}),
    }


def _builds_on_export(provider: Organisation, mc: MicroCredential) -> list[dict[str, str]]:
    references = []
    for link in mc.prerequisite_links.select_related("required__provider").order_by("position", "id"):  # type: ignore[attr-defined]
        required = link.required
        reference = {"slug": required.slug}
        if required.provider_id != provider.pk:
            reference = {"provider": required.provider.slug, **reference}
        references.append(reference)
    return references


def _programmes_export(provider: Organisation) -> list[dict[str, Any]]:
    return [
        {
            "slug": programme.slug,
            "title": programme.title,
            "description": programme.description,
            "leads_to": programme.leads_to,
            "microcredentials": [member.microcredential.slug for member in programme.members.all()],
        }
        for programme in provider_programmes(provider=provider).order_by("slug")
    ]
