"""The staff admin: site settings, shared admin helpers and the read-only audit log.

The admin is another thin caller of the services. Helpers here turn a service's ``AppError``
into an admin message instead of a server error, and run bulk actions item by item so one
refusal does not undo the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from .errors import AppError
from .models import AuditLog

admin.site.site_header = "Microcred administration"
admin.site.site_title = "Microcred admin"
admin.site.index_title = "Records"

# Typed-in links without a scheme are taken as https (Django 6's default, opted into early).
HTTPS_URLS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


class ServiceErrorsMixin:
    """Saves go through services, which may refuse (a permission, a rule about published
    content). Django's admin has no hook to turn that into a form error after validation, so
    the whole save is rolled back (the admin wraps it in a transaction we leave through the
    exception) and the reason is shown as a message on the same page."""

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            response: HttpResponse = super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
            return response
        except AppError as exc:
            self.message_user(request, str(exc), messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            response: HttpResponse = super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
            return response
        except AppError as exc:
            self.message_user(request, str(exc), messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())


class DeleteThroughServiceMixin:
    """Deleting goes through a service (``delete_through_service``), which may refuse. Only the
    one-object delete page can show that refusal and roll back, so Django's bulk "delete
    selected" action, which deletes a whole queryset and then reports them all deleted, is
    removed."""

    def delete_through_service(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_through_service(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_through_service(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only services write (grading, progress, the audit trail): staff can look, not touch."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def apply_service(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[models.Model],
    service: Callable[[Any], Any],
    *,
    done: str,
) -> int:
    """Run ``service`` on each object in its own transaction; report successes and each refusal."""
    succeeded = 0
    for obj in objects:
        try:
            with transaction.atomic():
                service(obj)
        except AppError as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)
    return succeeded


def mark_formset_saved(formset: Any, *, new: list[Any], changed: list[Any], deleted: list[Any]) -> None:
    """Set what ``formset.save()`` would have, for the admin's change message, when a
    ``save_formset`` saved through services instead."""
    formset.new_objects = new
    formset.changed_objects = [(obj, []) for obj in changed]
    formset.deleted_objects = deleted


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    # The audit trail is evidence: nobody adds, edits or deletes rows here, staff included.
    list_display = ("created_at", "action", "actor", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("action", "target_type", "target_id", "actor__email")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"
