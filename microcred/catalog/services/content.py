"""The content of a draft version: modules, lessons and quiz lessons. Published content is read-only."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from microcred.accounts.permissions import Actor, require_org_role
from microcred.core.errors import ValidationFailed
from microcred.core.markdown import render_markdown
from microcred.core.services import audit_record

from ..fields import LESSON_FIELDS, QUIZ_SETTINGS
from ..models import Lesson, LessonKind, MicroCredential, Module
from ._common import _check_fields, _clean_and_save, _require_draft


@transaction.atomic
def module_create(
    *, actor: Actor, microcredential: MicroCredential, title: str, summary: str = "", position: int | None = None
) -> Module:
    require_org_role(actor, microcredential.provider)
    _require_draft(microcredential)
    if position is None:
        position = (microcredential.modules.aggregate(p=Max("position"))["p"] or 0) + 1
    module = Module(microcredential=microcredential, title=title, summary=summary, position=position)
    _clean_and_save(module)
    return module


@transaction.atomic
def lesson_create(*, actor: Actor, module: Module, **fields: Any) -> Lesson:
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
def lesson_update(*, actor: Actor, lesson: Lesson, **fields: Any) -> Lesson:
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
def module_update(
    *,
    actor: Actor,
    module: Module,
    title: str | None = None,
    summary: str | None = None,
    position: int | None = None,
) -> Module:
    mc = module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    if title is not None:
        module.title = title
    if summary is not None:
        module.summary = summary
    if position is not None:
        module.position = position
    _clean_and_save(module)
    return module


def _discard_lesson_quizzes(*, actor: Actor, lessons: Any) -> None:
    from microcred.assessment.services import quiz_discard

    for lesson in lessons:
        if lesson.quiz is not None:
            quiz = lesson.quiz
            lesson.quiz = None
            lesson.save(update_fields=["quiz"])
            quiz_discard(actor=actor, quiz=quiz)


@transaction.atomic
def module_delete(*, actor: Actor, module: Module) -> None:
    """Remove a module of a draft with its lessons (and their quizzes)."""
    mc = module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    _discard_lesson_quizzes(actor=actor, lessons=module.lessons.select_related("quiz__bank__provider"))
    audit_record(actor=actor, action="module.delete", target=mc, module=module.title)
    module.delete()


@transaction.atomic
def lesson_delete(*, actor: Actor, lesson: Lesson) -> None:
    mc = lesson.module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    _discard_lesson_quizzes(actor=actor, lessons=[lesson])
    audit_record(actor=actor, action="lesson.delete", target=mc, lesson=lesson.title)
    lesson.delete()


@transaction.atomic
def quiz_lesson_create(
    *, actor: Actor, module: Module, title: str, questions: list[dict[str, Any]], **fields: Any
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
    *, actor: Actor, lesson: Lesson, questions: list[dict[str, Any]] | None = None, **fields: Any
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
