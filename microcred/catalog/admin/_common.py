"""Catalog admin. Drafts can be edited here; published and archived versions are read-only,
because published content never changes under the learners enrolled in it (edit a new
version instead: the "Start a new draft version" action)."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest

from microcred.core.admin import (
    HTTPS_URLS,
)

from ..models import (
    Lesson,
    MicroCredential,
    Module,
    Status,
)


def _is_draft(mc: MicroCredential | None) -> bool:
    return mc is None or mc.status == Status.DRAFT


def _adopt(target: Any, saved: Any) -> None:
    target.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    target._state.adding = False
    target._state.db = saved._state.db


class DraftOnlyMixin:
    """Content that belongs to a micro-credential version may change only while it is a draft."""

    def microcredential_of(self, obj: Any) -> MicroCredential | None:
        raise NotImplementedError

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or _is_draft(self.microcredential_of(obj)))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or _is_draft(self.microcredential_of(obj)))


class DraftOnlyInline(admin.TabularInline):
    """An inline on a micro-credential (or its module) that is editable only on drafts; ``obj``
    is the parent object here."""

    extra = 0

    def _parent_draft(self, obj: Any) -> bool:
        if obj is None:
            return True
        return _is_draft(obj if isinstance(obj, MicroCredential) else obj.microcredential)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and self._parent_draft(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._parent_draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._parent_draft(obj)


def _draft_choices(db_field: ForeignKey, kwargs: dict[str, Any]) -> None:
    if db_field.name == "microcredential":
        kwargs["queryset"] = MicroCredential.objects.filter(status=Status.DRAFT).select_related("provider")
    elif db_field.name == "module":
        kwargs["queryset"] = Module.objects.filter(microcredential__status=Status.DRAFT).select_related(
            "microcredential"
        )


class LessonInline(admin.StackedInline):
    formfield_overrides = HTTPS_URLS
    model = Lesson
    extra = 0
    show_change_link = True
    fields = (
        ("position", "title", "kind"),
        ("estimated_minutes", "required"),
        "body",
        "video_url",
        "transcript",
        "instructions",
    )

    def _draft(self, obj: Module | None) -> bool:
        return obj is None or _is_draft(obj.microcredential)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and self._draft(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._draft(obj)


def _lesson_fields(form: Any, names: Set[str]) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in names if k in form.cleaned_data}
