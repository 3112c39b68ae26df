"""Catalog admin. Drafts can be edited here; published and archived versions are read-only,
because published content never changes under the learners enrolled in it (edit a new
version instead: the "Start a new draft version" action)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest

from microcred.core.admin import (
    HTTPS_URLS,
    DeleteThroughServiceMixin,
    ServiceErrorsMixin,
    mark_formset_saved,
)

from ..models import (
    Lesson,
    MicroCredential,
    Module,
)
from ..services import (
    LESSON_FIELDS,
    lesson_create,
    lesson_delete,
    lesson_update,
    module_create,
    module_delete,
    module_update,
)
from ._common import DraftOnlyMixin, LessonInline, _adopt, _draft_choices, _lesson_fields


@admin.register(Module)
class ModuleAdmin(DeleteThroughServiceMixin, ServiceErrorsMixin, DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "microcredential", "position")
    list_filter = ("microcredential__provider", "microcredential__status")
    search_fields = ("title", "microcredential__title")
    list_select_related = ("microcredential",)
    inlines = (LessonInline,)

    def microcredential_of(self, obj: Module) -> MicroCredential:
        return obj.microcredential

    def get_readonly_fields(self, request: HttpRequest, obj: Module | None = None) -> Any:
        return ("microcredential",) if obj else ()

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        _draft_choices(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Module, form: Any, change: bool) -> None:
        if change:
            fields = {k: form.cleaned_data[k] for k in form.changed_data if k in ("title", "summary", "position")}
            _adopt(obj, module_update(actor=request.user, module=obj, **fields))
            return
        module = module_create(
            actor=request.user,
            microcredential=obj.microcredential,
            title=obj.title,
            summary=obj.summary,
            position=obj.position or None,
        )
        _adopt(obj, module)

    def delete_through_service(self, request: HttpRequest, obj: Module) -> None:
        module_delete(actor=request.user, module=obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Lessons go through the services, which validate each kind and render the Markdown.
        new: list[Lesson] = []
        changed: list[Lesson] = []
        deleted: list[Lesson] = []
        for row in formset.deleted_forms:
            if row.instance.pk:
                lesson_delete(actor=request.user, lesson=row.instance)
                deleted.append(row.instance)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed() or not row.cleaned_data:
                continue
            if row.instance.pk:
                fields = {k: row.cleaned_data[k] for k in row.changed_data if k in LESSON_FIELDS}
                changed.append(lesson_update(actor=request.user, lesson=row.instance, **fields))
            else:
                new.append(
                    lesson_create(actor=request.user, module=form.instance, **_lesson_fields(row, LESSON_FIELDS))
                )
        mark_formset_saved(formset, new=new, changed=changed, deleted=deleted)


@admin.register(Lesson)
class LessonAdmin(DeleteThroughServiceMixin, ServiceErrorsMixin, DraftOnlyMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("title", "kind", "module", "microcredential", "required", "position")
    list_filter = ("kind", "required", "module__microcredential__status")
    search_fields = ("title", "module__title", "module__microcredential__title")
    list_select_related = ("module__microcredential",)

    def microcredential_of(self, obj: Lesson) -> MicroCredential:
        return obj.module.microcredential

    @admin.display(description="Micro-credential")
    def microcredential(self, obj: Lesson) -> MicroCredential:
        return obj.module.microcredential

    def get_readonly_fields(self, request: HttpRequest, obj: Lesson | None = None) -> Any:
        # A lesson's kind decides how it is completed and graded; it is fixed once created.
        return ("module", "kind") if obj else ()

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        _draft_choices(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Lesson, form: Any, change: bool) -> None:
        if change:
            fields = {k: form.cleaned_data[k] for k in form.changed_data if k in LESSON_FIELDS}
            _adopt(obj, lesson_update(actor=request.user, lesson=obj, **fields))
        else:
            _adopt(obj, lesson_create(actor=request.user, module=obj.module, **_lesson_fields(form, LESSON_FIELDS)))

    def delete_through_service(self, request: HttpRequest, obj: Lesson) -> None:
        lesson_delete(actor=request.user, lesson=obj)
