"""The one write path for the catalog: micro-credentials, their versions, modules and lessons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.accounts.permissions import require_org_role
from microcred.core.clock import now
from microcred.core.errors import Conflict, ValidationFailed, validation_from_django
from microcred.core.markdown import render_markdown
from microcred.core.services import audit_record
from microcred.skills.models import Level, Skill

from .models import Industry, Lesson, LessonKind, MicroCredential, MicroCredentialSkill, Module, Status

EDITABLE_FIELDS = {
    "slug",
    "title",
    "awarding_body",
    "country",
    "learning_outcomes",
    "workload_hours",
    "ects",
    "eqf_level",
    "assessment_type",
    "assessment_description",
    "participation_form",
    "quality_assurance",
    "prerequisites",
    "supervision",
    "identity_verified",
    "stackable",
    "stackability",
    "summary",
    "description",
    "level",
    "industry",
    "language",
    "price",
    "currency",
    "duration_weeks",
    "validity_months",
    "image_url",
    "criteria",
}
LESSON_FIELDS = {
    "title",
    "kind",
    "position",
    "estimated_minutes",
    "required",
    "body",
    "video_url",
    "transcript",
    "instructions",
    "quiz",
}


def _clean_and_save(instance: Any, **kwargs: Any) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise validation_from_django(exc) from exc
    instance.save()


def _check_fields(fields: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(
            f"Unknown {what} fields: {', '.join(sorted(unknown))}.", errors={k: ["Unknown field."] for k in unknown}
        )


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    if isinstance(fields.get("industry"), str):
        fields["industry"] = industry_get_or_create(name=fields["industry"])
    for key in ("ects", "price"):
        if fields.get(key) is not None and not isinstance(fields[key], Decimal):
            try:
                fields[key] = Decimal(str(fields[key]))
            except ArithmeticError as exc:
                raise ValidationFailed(f"{key} must be a number.", errors={key: ["Not a number."]}) from exc
    if fields.get("country"):
        fields["country"] = str(fields["country"]).upper()
    if fields.get("currency"):
        fields["currency"] = str(fields["currency"]).upper()
    outcomes = fields.get("learning_outcomes")
    if outcomes is not None and (
        not isinstance(outcomes, list) or not all(isinstance(o, str) and o.strip() for o in outcomes)
    ):
        raise ValidationFailed(
            "Learning outcomes must be a list of non-empty statements.",
            errors={"learning_outcomes": ["A list of statements."]},
        )
    return fields


def industry_get_or_create(*, name: str) -> Industry:
    from django.utils.text import slugify

    name = name.strip()
    if not name:
        raise ValidationFailed("An industry is required.", errors={"industry": ["This field is required."]})
    industry = Industry.objects.filter(name__iexact=name).first()
    if industry is None:
        industry = Industry.objects.create(name=name, slug=slugify(name)[:80] or "industry")
    return industry


@transaction.atomic
def microcredential_create(
    *, actor: Any, provider: Organisation, skills: list[tuple[Skill, str]] | None = None, **fields: Any
) -> MicroCredential:
    require_org_role(actor, provider)
    if provider.kind != OrganisationKind.PROVIDER:
        raise ValidationFailed("Only a provider offers micro-credentials.")
    _check_fields(fields, EDITABLE_FIELDS, "micro-credential")
    fields = _normalise(fields)
    fields.setdefault("awarding_body", provider.name)
    fields.setdefault("country", provider.country)
    if MicroCredential.objects.filter(provider=provider, slug=fields.get("slug", "")).exists():
        raise ValidationFailed(
            "This provider already has a micro-credential with that slug.", errors={"slug": ["Already used."]}
        )
    mc = MicroCredential(provider=provider, **fields)
    _clean_and_save(mc)
    for skill, level in skills or []:
        _link_skill(mc, skill, level)
    audit_record(actor=actor, action="microcredential.create", target=mc, title=mc.title)
    return mc


def _link_skill(mc: MicroCredential, skill: Skill, level: str) -> None:
    if level not in Level.values:
        raise ValidationFailed(f"Unknown level {level!r}.", errors={"target_level": ["Unknown level."]})
    MicroCredentialSkill.objects.update_or_create(microcredential=mc, skill=skill, defaults={"target_level": level})


def microcredential_has_learners(mc: MicroCredential) -> bool:
    return mc.enrolments.exists()


@transaction.atomic
def microcredential_update(
    *, actor: Any, microcredential: MicroCredential, skills: list[tuple[Skill, str]] | None = None, **fields: Any
) -> MicroCredential:
    """Edit a micro-credential. A published one is never changed in place: the edit goes to a
    new draft version (or the existing newer draft), which must be published to replace it."""
    mc = MicroCredential.objects.select_for_update().get(pk=microcredential.pk)
    require_org_role(actor, mc.provider)
    _check_fields(fields, EDITABLE_FIELDS, "micro-credential")
    fields = _normalise(fields)
    if mc.status != Status.DRAFT:
        mc = microcredential_new_version(actor=actor, microcredential=mc)
    if "slug" in fields and fields["slug"] != mc.slug:
        raise ValidationFailed("The slug of a micro-credential cannot change.", errors={"slug": ["Read only."]})
    for key, value in fields.items():
        setattr(mc, key, value)
    _clean_and_save(mc)
    if skills is not None:
        MicroCredentialSkill.objects.filter(microcredential=mc).delete()
        for skill, level in skills:
            _link_skill(mc, skill, level)
    audit_record(actor=actor, action="microcredential.update", target=mc, fields=sorted(fields))
    return mc


@transaction.atomic
def microcredential_new_version(*, actor: Any, microcredential: MicroCredential) -> MicroCredential:
    """Copy a version with its skills, modules, lessons and quizzes into a new draft version."""
    from microcred.assessment.services import quiz_copy

    require_org_role(actor, microcredential.provider)
    existing_draft = (
        MicroCredential.objects.filter(family=microcredential.family, status=Status.DRAFT).order_by("-version").first()
    )
    if existing_draft is not None:
        return existing_draft
    source = microcredential
    latest = MicroCredential.objects.filter(family=source.family).aggregate(v=Max("version"))["v"] or 0
    new = MicroCredential.objects.get(pk=source.pk)
    new.pk = None
    new.id = None
    new.version = latest + 1
    new.status = Status.DRAFT
    new.published_at = None
    new._state.adding = True
    new.save()
    for link in source.skill_links.all():
        MicroCredentialSkill.objects.create(microcredential=new, skill_id=link.skill_id, target_level=link.target_level)
    for module in source.modules.prefetch_related("lessons"):
        lessons = list(module.lessons.all())
        module.pk = None
        module.id = None
        module.microcredential = new
        module._state.adding = True
        module.save()
        for lesson in lessons:
            lesson.pk = None
            lesson.id = None
            lesson.module = module
            if lesson.quiz is not None:
                lesson.quiz = quiz_copy(actor=actor, quiz=lesson.quiz)
            lesson._state.adding = True
            lesson.save()
    audit_record(actor=actor, action="microcredential.new_version", target=new, source_version=source.version)
    return new


@transaction.atomic
def microcredential_publish(*, actor: Any, microcredential: MicroCredential) -> MicroCredential:
    mc = MicroCredential.objects.select_for_update().get(pk=microcredential.pk)
    require_org_role(actor, mc.provider)
    if mc.status == Status.PUBLISHED:
        return mc
    if mc.status == Status.ARCHIVED:
        raise Conflict("An archived version cannot be published again; edit the latest version instead.")
    lessons = Lesson.objects.filter(module__microcredential=mc)
    if not lessons.exists():
        raise ValidationFailed("Add at least one lesson before publishing.")
    if not mc.learning_outcomes:
        raise ValidationFailed("Add learning outcomes before publishing.", errors={"learning_outcomes": ["Required."]})
    MicroCredential.objects.filter(family=mc.family, status=Status.PUBLISHED).exclude(pk=mc.pk).update(
        status=Status.ARCHIVED
    )
    mc.status = Status.PUBLISHED
    mc.published_at = now()
    mc.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="microcredential.publish", target=mc, version=mc.version)
    return mc


@transaction.atomic
def microcredential_archive(*, actor: Any, microcredential: MicroCredential) -> MicroCredential:
    require_org_role(actor, microcredential.provider)
    microcredential.status = Status.ARCHIVED
    microcredential.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="microcredential.archive", target=microcredential)
    return microcredential


def _require_draft(mc: MicroCredential) -> None:
    if mc.status != Status.DRAFT:
        raise Conflict(
            "Published content does not change under enrolled learners; edit a new version instead.",
            code="published_is_read_only",
        )


@transaction.atomic
def module_create(
    *, actor: Any, microcredential: MicroCredential, title: str, summary: str = "", position: int | None = None
) -> Module:
    require_org_role(actor, microcredential.provider)
    _require_draft(microcredential)
    if position is None:
        position = (microcredential.modules.aggregate(p=Max("position"))["p"] or 0) + 1
    module = Module(microcredential=microcredential, title=title, summary=summary, position=position)
    _clean_and_save(module)
    return module


@transaction.atomic
def lesson_create(*, actor: Any, module: Module, **fields: Any) -> Lesson:
    mc = module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    _check_fields(fields, LESSON_FIELDS, "lesson")
    if fields.get("position") is None:
        fields["position"] = (module.lessons.aggregate(p=Max("position"))["p"] or 0) + 1
    lesson = Lesson(module=module, **fields)
    if lesson.kind == LessonKind.QUIZ and lesson.quiz is None:
        raise ValidationFailed("A quiz lesson needs a quiz.", errors={"quiz": ["Required for quiz lessons."]})
    if lesson.kind == LessonKind.VIDEO and not lesson.video_url:
        raise ValidationFailed("A video lesson needs a video URL.", errors={"video_url": ["Required for videos."]})
    if lesson.kind == LessonKind.ASSIGNMENT and not lesson.instructions.strip():
        raise ValidationFailed("An assignment needs instructions.", errors={"instructions": ["Required."]})
    lesson.body_html = render_markdown(lesson.body)
    lesson.instructions_html = render_markdown(lesson.instructions)
    _clean_and_save(lesson)
    return lesson


@transaction.atomic
def lesson_update(*, actor: Any, lesson: Lesson, **fields: Any) -> Lesson:
    mc = lesson.module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    _check_fields(fields, LESSON_FIELDS - {"kind"}, "lesson")
    for key, value in fields.items():
        setattr(lesson, key, value)
    lesson.body_html = render_markdown(lesson.body)
    lesson.instructions_html = render_markdown(lesson.instructions)
    _clean_and_save(lesson)
    return lesson


@transaction.atomic
def module_update(*, actor: Any, module: Module, title: str | None = None, summary: str | None = None) -> Module:
    mc = module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    if title is not None:
        module.title = title
    if summary is not None:
        module.summary = summary
    _clean_and_save(module)
    return module


def _discard_lesson_quizzes(actor: Any, lessons: Any) -> None:
    from microcred.assessment.services import quiz_discard

    for lesson in lessons:
        if lesson.quiz is not None:
            quiz = lesson.quiz
            lesson.quiz = None
            lesson.save(update_fields=["quiz"])
            quiz_discard(actor=actor, quiz=quiz)


@transaction.atomic
def module_delete(*, actor: Any, module: Module) -> None:
    """Remove a module of a draft with its lessons (and their quizzes)."""
    mc = module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    _discard_lesson_quizzes(actor, module.lessons.select_related("quiz__bank__provider"))
    audit_record(actor=actor, action="module.delete", target=mc, module=module.title)
    module.delete()


@transaction.atomic
def lesson_delete(*, actor: Any, lesson: Lesson) -> None:
    mc = lesson.module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    _discard_lesson_quizzes(actor, [lesson])
    audit_record(actor=actor, action="lesson.delete", target=mc, lesson=lesson.title)
    lesson.delete()


QUIZ_SETTINGS = {"passing_score", "question_count", "max_attempts", "time_limit_minutes"}


@transaction.atomic
def quiz_lesson_create(
    *, actor: Any, module: Module, title: str, questions: list[dict[str, Any]], **fields: Any
) -> Lesson:
    """A quiz lesson and its quiz, together or not at all. ``questions`` use the catalog format
    (docs/catalog-format.md); quiz settings (pass mark, attempts…) ride along in ``fields``."""
    from microcred.assessment.services import quiz_create

    mc = module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    quiz_settings = {k: fields.pop(k) for k in QUIZ_SETTINGS & set(fields)}
    _check_fields(fields, LESSON_FIELDS - {"kind", "quiz", "title"}, "lesson")
    quiz = quiz_create(actor=actor, provider=mc.provider, title=title, questions=questions, **quiz_settings)
    return lesson_create(actor=actor, module=module, title=title, kind=LessonKind.QUIZ, quiz=quiz, **fields)


@transaction.atomic
def quiz_lesson_update(
    *, actor: Any, lesson: Lesson, questions: list[dict[str, Any]] | None = None, **fields: Any
) -> Lesson:
    """Edit a quiz lesson. New questions or settings replace its quiz with a fresh one, so a quiz
    is never changed under an attempt; the old one is discarded."""
    from microcred.assessment.services import quiz_create, quiz_specs

    mc = lesson.module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    if lesson.kind != LessonKind.QUIZ:
        raise ValidationFailed("This lesson is not a quiz.")
    quiz_settings = {k: fields.pop(k) for k in QUIZ_SETTINGS & set(fields)}
    old = lesson.quiz
    current = {k: getattr(old, k) for k in QUIZ_SETTINGS} if old is not None else {}
    if questions is not None or old is None or any(current[k] != v for k, v in quiz_settings.items()):
        if questions is None and old is None:
            raise ValidationFailed("A quiz lesson needs questions.", errors={"questions": ["Required."]})
        new_quiz = quiz_create(
            actor=actor,
            provider=mc.provider,
            title=fields.get("title", lesson.title),
            questions=questions if questions is not None else quiz_specs(old),  # type: ignore[arg-type]
            **{**current, **quiz_settings},
        )
        fields["quiz"] = new_quiz
    lesson = lesson_update(actor=actor, lesson=lesson, **fields)
    if old is not None and fields.get("quiz") is not None:
        from microcred.assessment.services import quiz_discard

        quiz_discard(actor=actor, quiz=old)
    return lesson
