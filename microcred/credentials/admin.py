"""Staff views of keys, credentials and status lists; every change goes through the services.

Nothing here is editable: credentials are signed documents, keys are made by rotation and
status lists by issuing. Staff act through actions that call the same services as the issuer
pages and the CLI, with the acting staff member in the audit trail: rotating an issuer's key,
and revoking, suspending or reinstating credentials (with a reason, asked for on a
confirmation page, because the learner and every verifier will see it).

The private half of a key never reaches a template: ``IssuerKey`` pages list their fields
explicitly and ``private_key_encrypted`` is not among them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html

from microcred.core.admin import ReadOnlyAdmin, ReadOnlyInline, apply_service

from .keys.services import issuer_key_rotate
from .models import AccreditationEndorsement, Credential, IssuerKey, StatusEntry, StatusList
from .services import MAX_REASON_LENGTH, credential_revoke, credential_suspend, credential_unsuspend
from .statuslists import list_url


@admin.register(IssuerKey)
class IssuerKeyAdmin(ReadOnlyAdmin):
    # An explicit list, never "all fields": the encrypted private key must not be rendered.
    fields = ("organisation", "key_id", "algorithm", "public_key_multibase", "active", "created_at", "retired_at")
    readonly_fields = fields
    list_display = ("organisation", "key_id", "algorithm", "active", "created_at", "retired_at")
    list_filter = ("active", "algorithm", "organisation")
    search_fields = ("organisation__name", "organisation__slug", "key_id", "public_key_multibase")
    list_select_related = ("organisation",)
    actions = ("rotate_key",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[IssuerKey]:
        # Not even loaded into the page's objects.
        return super().get_queryset(request).defer("private_key_encrypted")

    @admin.action(description="Rotate the signing key of the selected keys' issuers")
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[IssuerKey]) -> None:
        organisations = {key.organisation_id: key.organisation for key in queryset.select_related("organisation")}
        apply_service(
            self,
            request,
            organisations.values(),
            lambda organisation: issuer_key_rotate(actor=request.user, organisation=organisation),
            done="New active keys",
        )


class StatusEntryInline(ReadOnlyInline):
    model = StatusEntry
    fields = ("status_list", "index")
    show_change_link = False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown to the learner and to anyone who verifies the credential.",
    )


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ("uuid", "learner", "microcredential", "issuer", "status", "issued_at", "valid_until")
    list_filter = ("status", "issuer", "issued_at")
    search_fields = ("=uuid", "user__email", "user__full_name", "microcredential__title", "issuer__name")
    list_select_related = ("user", "microcredential", "issuer")
    date_hierarchy = "issued_at"
    fields = (
        "uuid",
        "user",
        "microcredential",
        "issuer",
        "issuer_key",
        "completion",
        "status",
        "status_reason",
        "status_changed_at",
        "issued_at",
        "valid_from",
        "valid_until",
        "public_page",
        "document",
        "jwt",
    )
    readonly_fields = fields
    inlines = (StatusEntryInline,)
    actions = ("revoke_selected", "suspend_selected", "unsuspend_selected")

    @admin.display(description="Learner", ordering="user__email")
    def learner(self, obj: Credential) -> str:
        return f"{obj.user.full_name} <{obj.user.email}>" if obj.user.full_name else obj.user.email

    @admin.display(description="Public page")
    def public_page(self, obj: Credential) -> str:
        from . import links

        url = links.credential_url(obj.uuid)
        return format_html('<a href="{}">{}</a>', url, url)

    def _change_status(
        self,
        request: HttpRequest,
        queryset: QuerySet[Credential],
        *,
        action: str,
        verb: str,
        done: str,
        service: Callable[..., Any],
        reason_required: bool,
    ) -> TemplateResponse | None:
        """Ask for the reason on an intermediate page (like "delete selected" asks to confirm);
        once it is given, run the service on each credential and return to the list."""
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        form.fields["reason"].required = reason_required
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            apply_service(
                self,
                request,
                queryset.select_related("user", "microcredential"),
                lambda credential: service(actor=request.user, credential=credential, reason=reason),
                done=done,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb.capitalize()} credentials",
            "opts": self.model._meta,
            "credentials": queryset.select_related("user", "microcredential", "issuer"),
            "form": form,
            "action": action,
            "verb": verb,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/credentials/credential/change_status.html", context)

    @admin.action(description="Revoke selected credentials (final)…")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Credential]) -> TemplateResponse | None:
        return self._change_status(
            request,
            queryset,
            action="revoke_selected",
            verb="revoke",
            done="Revoked",
            service=credential_revoke,
            reason_required=True,
        )

    @admin.action(description="Suspend selected credentials…")
    def suspend_selected(self, request: HttpRequest, queryset: QuerySet[Credential]) -> TemplateResponse | None:
        return self._change_status(
            request,
            queryset,
            action="suspend_selected",
            verb="suspend",
            done="Suspended",
            service=credential_suspend,
            reason_required=True,
        )

    @admin.action(description="Reinstate (unsuspend) selected credentials…")
    def unsuspend_selected(self, request: HttpRequest, queryset: QuerySet[Credential]) -> TemplateResponse | None:
        return self._change_status(
            request,
            queryset,
            action="unsuspend_selected",
            verb="reinstate",
            done="Reinstated",
            service=credential_unsuspend,
            reason_required=False,
        )


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyAdmin):
    # The raw bitstring and the cached signed document are not shown; the published list is
    # one click away.
    fields = ("organisation", "purpose", "number", "allocation", "published_at", "published_url")
    readonly_fields = fields
    list_display = ("__str__", "organisation", "purpose", "number", "allocation", "published_at", "published_url")
    list_filter = ("purpose", "organisation")
    search_fields = ("organisation__name", "organisation__slug")
    list_select_related = ("organisation",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusList]:
        return super().get_queryset(request).defer("bits", "published_document")

    @admin.display(description="Allocated")
    def allocation(self, obj: StatusList) -> str:
        return f"{obj.allocated} / {obj.size}"

    @admin.display(description="Published list")
    def published_url(self, obj: StatusList) -> str:
        url = list_url(obj)
        return format_html('<a href="{}">{}</a>', url, url)


@admin.register(StatusEntry)
class StatusEntryAdmin(ReadOnlyAdmin):
    list_display = ("credential", "endorsement", "status_list", "index")
    list_filter = ("status_list__purpose", "status_list__organisation")
    search_fields = ("=credential__uuid", "credential__user__email", "=endorsement__uuid")
    list_select_related = (
        "credential__user",
        "credential__microcredential",
        "endorsement__accreditation__provider",
        "endorsement__accreditation__accreditor",
        "status_list__organisation",
    )
    fields = ("credential", "endorsement", "status_list", "index")
    readonly_fields = fields


@admin.register(AccreditationEndorsement)
class AccreditationEndorsementAdmin(ReadOnlyAdmin):
    """Signed by the accreditor when it accredits; revoked through the accreditation's status
    (suspend/withdraw in the accreditation admin), never edited here."""

    list_display = ("uuid", "provider", "issuer", "issued_at", "valid_until", "revoked_at")
    list_filter = ("issuer",)
    search_fields = ("=uuid", "accreditation__provider__name", "issuer__name")
    list_select_related = ("accreditation__provider", "issuer")
    fields = (
        "uuid",
        "accreditation",
        "issuer",
        "issuer_key",
        "issued_at",
        "valid_from",
        "valid_until",
        "revoked_at",
        "revocation_reason",
        "document",
    )
    readonly_fields = fields

    @admin.display(description="Provider")
    def provider(self, obj: AccreditationEndorsement) -> str:
        return obj.accreditation.provider.name
