from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.core.admin import ServiceErrorsMixin, apply_service

from .models import Accreditation, AccreditationStatus
from .services import accreditation_grant, accreditation_set_status


@admin.register(Accreditation)
class AccreditationAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("provider", "accreditor", "status", "scope", "reference", "valid_from", "valid_until")
    list_filter = ("status", "accreditor")
    search_fields = ("provider__name", "accreditor__name", "reference", "scope")
    list_select_related = ("provider", "accreditor")
    date_hierarchy = "valid_from"
    actions = ("suspend_selected", "withdraw_selected", "reactivate_selected")

    def get_readonly_fields(self, request: HttpRequest, obj: Accreditation | None = None) -> Any:
        # A granted accreditation is a public, audited statement: it changes only through the
        # status actions below, never by editing the record.
        if obj is not None:
            return [f.name for f in self.model._meta.fields]
        return ("status",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # withdraw instead: the history of who was accredited when must stay

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        kinds = {"accreditor": OrganisationKind.ACCREDITOR, "provider": OrganisationKind.PROVIDER}
        if db_field.name in kinds:
            kwargs["queryset"] = Organisation.objects.filter(kind=kinds[db_field.name])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Accreditation, form: Any, change: bool) -> None:
        granted = accreditation_grant(
            actor=request.user,
            accreditor=obj.accreditor,
            provider=obj.provider,
            scope=obj.scope,
            valid_from=obj.valid_from,
            valid_until=obj.valid_until,
            reference=obj.reference,
        )
        obj.pk = granted.pk
        obj._state.adding = False

    def _set_status(self, request: HttpRequest, queryset: Any, status: str, done: str) -> None:
        apply_service(
            self,
            request,
            queryset.select_related("accreditor", "provider"),
            lambda a: accreditation_set_status(
                actor=request.user, accreditation=a, status=status, reason="Changed in the admin."
            ),
            done=done,
        )

    @admin.action(description="Suspend selected accreditations")
    def suspend_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._set_status(request, queryset, AccreditationStatus.SUSPENDED, "Suspended")

    @admin.action(description="Withdraw selected accreditations")
    def withdraw_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._set_status(request, queryset, AccreditationStatus.WITHDRAWN, "Withdrawn")

    @admin.action(description="Reactivate selected accreditations")
    def reactivate_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._set_status(request, queryset, AccreditationStatus.ACTIVE, "Reactivated")
