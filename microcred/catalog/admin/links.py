"""Admin of the links between offers: stackable programmes (shared ones are made here) and,
read-only, structured prerequisites (edited on the micro-credential in the workspace)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from microcred.core.admin import DeleteThroughServiceMixin, ReadOnlyAdmin, ServiceErrorsMixin

from ..models import MicroCredential, MicroCredentialPrerequisite, Programme, ProgrammeMember, Status
from ..services import PROGRAMME_FIELDS, programme_create, programme_delete, programme_update
from ._common import _adopt


class ProgrammeAdminForm(forms.ModelForm):
    # The members go through the service (at least two; a provider's own offers only), not the
    # admin's many-to-many saving.
    member_choices = forms.ModelMultipleChoiceField(
        queryset=MicroCredential.objects.exclude(status=Status.ARCHIVED).select_related("provider"),
        label="Micro-credentials",
        help_text="At least two. A provider's programme stacks only that provider's micro-credentials.",
    )

    class Meta:
        model = Programme
        fields = ["provider", "slug", "title", "description", "leads_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["member_choices"] = [m.microcredential_id for m in self.instance.members.all()]


@admin.register(Programme)
class ProgrammeAdmin(DeleteThroughServiceMixin, ServiceErrorsMixin, admin.ModelAdmin):
    form = ProgrammeAdminForm
    list_display = ("title", "provider", "slug", "leads_to")
    list_filter = ("provider",)
    search_fields = ("title", "slug", "leads_to")

    def get_readonly_fields(self, request: HttpRequest, obj: Programme | None = None) -> Any:
        return ("provider", "slug") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Programme, form: Any, change: bool) -> None:
        data = form.cleaned_data
        members = list(data["member_choices"])
        if change:
            fields = {k: data[k] for k in form.changed_data if k in PROGRAMME_FIELDS - {"slug"}}
            _adopt(obj, programme_update(actor=request.user, programme=obj, microcredentials=members, **fields))
            return
        fields = {k: data[k] for k in PROGRAMME_FIELDS if k in data}
        _adopt(
            obj,
            programme_create(actor=request.user, provider=data.get("provider"), microcredentials=members, **fields),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The members were saved by the service."""

    def delete_through_service(self, request: HttpRequest, obj: Programme) -> None:
        programme_delete(actor=request.user, programme=obj)


@admin.register(MicroCredentialPrerequisite)
class MicroCredentialPrerequisiteAdmin(ReadOnlyAdmin):
    list_display = ("microcredential", "required")
    search_fields = ("microcredential__title", "required__title")


@admin.register(ProgrammeMember)
class ProgrammeMemberAdmin(ReadOnlyAdmin):
    """Members are chosen on their programme's page (through the service)."""

    list_display = ("programme", "microcredential", "position")
    search_fields = ("programme__title", "microcredential__title")
