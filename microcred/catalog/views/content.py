"""A draft's content: modules and lessons. Published versions are read-only (the services refuse);
their content changes in a new draft version. A lesson kind another app owns (a quiz) is edited
through its ``LessonEditor`` (``parts.py``): its fields, initial values and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.workspace import provider_for_staff, workspace_context
from microcred.core.errors import Conflict, ValidationFailed
from microcred.web.views.common import app_errors, form_errors_to_messages, run_reporting, service_error_to_form

from ..forms import LessonForm, ModuleForm, lesson_form
from ..models import Lesson, LessonKind, MicroCredential
from ..parts import lesson_editor
from ..selectors import (
    access_provider_microcredential,
    microcredential_lesson,
    microcredential_module,
)
from ..services import (
    lesson_create,
    lesson_delete,
    lesson_update,
    module_create,
    module_delete,
    module_update,
)
from .workspace import editor_url


def _draft_target(request: AuthenticatedRequest, slug: str, pk: int) -> MicroCredential:
    provider = provider_for_staff(request.user, slug)
    return access_provider_microcredential(provider=provider, pk=pk)


@require_POST
@login_required
@app_errors
def module_add(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    mc = _draft_target(request, slug, pk)
    form = ModuleForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(editor_url(mc))
    run_reporting(
        request,
        lambda: module_create(actor=request.user, microcredential=mc, **form.cleaned_data),
        lambda module: f"Module “{module.title}” added.",
    )
    return redirect(editor_url(mc))


@require_POST
@login_required
@app_errors
def module_edit(request: AuthenticatedRequest, slug: str, pk: int, module_id: int) -> HttpResponse:
    mc = _draft_target(request, slug, pk)
    module = microcredential_module(microcredential=mc, module_id=module_id)
    form = ModuleForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(editor_url(mc))
    run_reporting(
        request,
        lambda: module_update(actor=request.user, module=module, **form.cleaned_data),
        lambda saved: f"Module “{saved.title}” saved.",
    )
    return redirect(editor_url(mc))


@require_POST
@login_required
@app_errors
def module_remove(request: AuthenticatedRequest, slug: str, pk: int, module_id: int) -> HttpResponse:
    mc = _draft_target(request, slug, pk)
    module = microcredential_module(microcredential=mc, module_id=module_id)
    run_reporting(
        request,
        lambda: module_delete(actor=request.user, module=module),
        lambda _: f"Module “{module.title}” and its lessons are deleted.",
    )
    return redirect(editor_url(mc))


def _lesson_page(
    request: AuthenticatedRequest, mc: MicroCredential, form: LessonForm, module: Any, lesson: Lesson | None
) -> HttpResponse:
    context = workspace_context(request, mc.provider, "catalog")
    context.update(
        mc=mc,
        module=module,
        lesson=lesson,
        form=form,
        kind=LessonKind(form.kind),
        aside=form.editor.aside if form.editor is not None else "",
    )
    return render(request, "catalog/workspace/lesson_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def lesson_add(request: AuthenticatedRequest, slug: str, pk: int, module_id: int, kind: str) -> HttpResponse:
    if kind not in LessonKind.values:
        raise Http404("Unknown lesson kind.")
    mc = _draft_target(request, slug, pk)
    module = microcredential_module(microcredential=mc, module_id=module_id)
    try:
        form = lesson_form(request.POST or None, kind=kind, provider=mc.provider)
    except LookupError as exc:
        raise Http404("Unknown lesson kind.") from exc
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if form.editor is not None:
                lesson = form.editor.create_lesson(actor=request.user, module=module, **data)
            else:
                lesson = lesson_create(actor=request.user, module=module, kind=kind, **data)
        except (ValidationFailed, Conflict) as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"{lesson.get_kind_display()} “{lesson.title}” added to “{module.title}”.")
            return redirect(editor_url(mc))
    return _lesson_page(request, mc, form, module, None)


def _lesson_initial(lesson: Lesson) -> dict[str, Any]:
    return {
        name: getattr(lesson, name)
        for name in (
            "title",
            "estimated_minutes",
            "required",
            "body",
            "video_url",
            "transcript",
            "instructions",
            "weight",
            "min_score",
        )
    }


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def lesson_edit(request: AuthenticatedRequest, slug: str, pk: int, lesson_id: int) -> HttpResponse:
    mc = _draft_target(request, slug, pk)
    lesson = microcredential_lesson(microcredential=mc, lesson_id=lesson_id)
    editor = lesson_editor(lesson.kind)
    initial = {**_lesson_initial(lesson), **(editor.initial(lesson) if editor is not None else {})}
    try:
        form = lesson_form(request.POST or None, kind=lesson.kind, initial=initial, provider=mc.provider)
    except LookupError as exc:
        raise Http404("No editor for this kind of lesson.") from exc
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if form.editor is not None:
                lesson = form.editor.update_lesson(actor=request.user, lesson=lesson, **data)
            else:
                lesson = lesson_update(actor=request.user, lesson=lesson, **data)
        except (ValidationFailed, Conflict) as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"Lesson “{lesson.title}” saved.")
            return redirect(editor_url(mc))
    return _lesson_page(request, mc, form, lesson.module, lesson)


@require_POST
@login_required
@app_errors
def lesson_remove(request: AuthenticatedRequest, slug: str, pk: int, lesson_id: int) -> HttpResponse:
    mc = _draft_target(request, slug, pk)
    lesson = microcredential_lesson(microcredential=mc, lesson_id=lesson_id)
    run_reporting(
        request,
        lambda: lesson_delete(actor=request.user, lesson=lesson),
        lambda _: f"Lesson “{lesson.title}” deleted.",
    )
    return redirect(editor_url(mc))
