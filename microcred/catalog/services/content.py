"""The content of a draft version: modules and lessons. Published content is read-only.

A quiz lesson is made by ``assessment.services.quiz_lesson_create``, which adds its quiz in the same
transaction; the catalog knows nothing of quizzes (ADR 0025). Removing lessons emits
``LessonsRemoving`` first, so what hangs on them goes too."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from microcred.accounts.permissions import Actor, require_org_role
from microcred.core import events
from microcred.core.errors import ValidationFailed
from microcred.core.markdown import render_markdown
from microcred.core.services import audit_record

from ..fields import LESSON_FIELDS
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
    if fields.get("kind") == LessonKind.QUIZ:
        raise ValidationFailed(
            "A quiz lesson is made with its questions (the quiz lesson form, or the catalog importer).",
            errors={"kind": ["A quiz lesson needs its quiz."]},
        )
    return assessed_lesson_create(actor=actor, module=module, **fields)


@transaction.atomic
def assessed_lesson_create(*, actor: Actor, module: Module, **fields: Any) -> Lesson:
    """``lesson_create`` for any kind, a quiz included: for the service that adds the lesson's
    assessment in the same transaction (``assessment.services.quiz_lesson_create``)."""
    mc = module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    _check_fields(fields, LESSON_FIELDS, "lesson")
    if fields.get("position") is None:
        fields["position"] = (module.lessons.aggregate(p=Max("position"))["p"] or 0) + 1
    lesson = Lesson(module=module, **fields)
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


def lessons_removing(*, actor: Actor, lesson_ids: list[int]) -> None:
    """Tell the apps that hang things on lessons (a quiz) to remove them, before the lessons go."""
    if lesson_ids:
        events.emit(events.LessonsRemoving(actor=actor, lesson_ids=tuple(lesson_ids)))


@transaction.atomic
def module_delete(*, actor: Actor, module: Module) -> None:
    """Remove a module of a draft with its lessons (and their quizzes)."""
    mc = module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    lessons_removing(actor=actor, lesson_ids=list(module.lessons.values_list("pk", flat=True)))
    audit_record(actor=actor, action="module.delete", target=mc, module=module.title)
    module.delete()


@transaction.atomic
def lesson_delete(*, actor: Actor, lesson: Lesson) -> None:
    mc = lesson.module.microcredential
    require_org_role(actor, mc.provider)
    _require_draft(mc)
    lessons_removing(actor=actor, lesson_ids=[lesson.pk])
    audit_record(actor=actor, action="lesson.delete", target=mc, lesson=lesson.title)
    lesson.delete()
