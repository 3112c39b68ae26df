from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from microcred.core.admin import (
    HTTPS_URLS,
    DeleteThroughServiceMixin,
    ServiceErrorsMixin,
    apply_service,
    mark_formset_saved,
)
from microcred.core.errors import AppError

from .models import ApiToken, LearnerProfile, Membership, MembershipInvitation, Organisation, User
from .services import (
    ORGANISATION_FIELDS,
    PROFILE_FIELDS,
    USER_ADMIN_FIELDS,
    api_token_staff_revoke,
    membership_add,
    membership_invitation_withdraw,
    membership_remove,
    organisation_create,
    organisation_update,
    profile_update,
    user_create,
    user_set_password,
    user_update,
)


def _adopt(target: Any, saved: Any) -> None:
    """Make the admin's unsaved instance stand for the row a service created, so the admin's
    follow-up (inlines, log entry, redirect) works on the real record."""
    target.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    target._state.adding = False
    target._state.db = saved._state.db


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


def save_memberships(request: HttpRequest, formset: Any, *, organisation: Any = None, user: Any = None) -> None:
    """Save a membership inline (on an organisation's or a person's page) through the services,
    which enforce who may grant roles and that an organisation keeps an owner."""
    new: list[Membership] = []
    changed: list[Membership] = []
    deleted: list[Membership] = []
    for row in formset.deleted_forms:
        if row.instance.pk:
            membership_remove(actor=request.user, organisation=row.instance.organisation, user=row.instance.user)
            deleted.append(row.instance)
    for row in formset.forms:
        if row in formset.deleted_forms or not row.has_changed() or not row.cleaned_data:
            continue
        org = organisation or row.cleaned_data["organisation"]
        person = user or row.cleaned_data["user"]
        if row.instance.pk and {"user", "organisation"} & set(row.changed_data):
            # Moving a row to another person or organisation: the old membership ends, a new one starts.
            previous = Membership.objects.select_related("organisation", "user").get(pk=row.instance.pk)
            membership_remove(actor=request.user, organisation=previous.organisation, user=previous.user)
        membership = membership_add(actor=request.user, organisation=org, user=person, role=row.cleaned_data["role"])
        (changed if row.instance.pk else new).append(membership)
    mark_formset_saved(formset, new=new, changed=changed, deleted=deleted)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("organisation",)
    show_change_link = True


@admin.register(User)
class UserAdmin(ServiceErrorsMixin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("email", "full_name", "is_staff", "is_superuser", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    inlines = (MembershipInline,)

    def get_inlines(self, request: HttpRequest, obj: User | None) -> Any:
        return self.inlines if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            fields = {k: form.cleaned_data[k] for k in form.changed_data if k in USER_ADMIN_FIELDS}
            _adopt(obj, user_update(actor=request.user, user=obj, **fields))
            return
        # New accounts go through the same service as sign-up, so they get a learner profile.
        # The form has already run the password validators.
        user = user_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data.get("full_name", ""),
            check_password=False,
        )
        _adopt(obj, user)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Groups and permissions were set by user_update (superusers only); the form's own
        # save_m2m would write them again without those checks.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        save_memberships(request, formset, user=form.instance)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's view saves the form itself; a valid submission is taken over here so the
        password is set by ``user_set_password`` (permission rules, audit row). Everything
        else (the page, its errors, 403/404) stays Django's."""
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_change_permission(request, user):
            return super().user_change_password(request, id, form_url)
        form = self.change_password_form(user, request.POST)
        if not form.is_valid():
            return super().user_change_password(request, id, form_url)
        usable = form.cleaned_data["set_usable_password"]
        if not usable and "unset-password" not in request.POST:
            return super().user_change_password(request, id, form_url)  # Django reports the conflict
        try:
            user = user_set_password(
                actor=request.user, user=user, password=form.cleaned_data["password1"] if usable else None
            )
        except AppError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        self.log_change(request, user, self.construct_change_message(request, form, []))
        if usable:
            self.message_user(request, "Password changed successfully.", messages.SUCCESS)
        else:
            self.message_user(request, "Password-based authentication was disabled.", messages.SUCCESS)
        update_session_auth_hash(request, user)
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:accounts_user_change", args=(user.pk,)))


class OrganisationMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    fields = ("user", "role")
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "kind", "provider_type", "country", "city", "slug", "created_at")
    list_filter = ("kind", "provider_type", "country")
    search_fields = ("name", "slug", "city", "email")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (OrganisationMembershipInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Organisation | None = None) -> tuple[str, ...]:
        # Kind and slug identify the organisation in URLs, credentials and imports.
        return ("kind", "slug", "created_at", "updated_at") if obj else ()

    def get_prepopulated_fields(self, request: HttpRequest, obj: Organisation | None = None) -> dict[str, Any]:
        return {} if obj else dict(self.prepopulated_fields)

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            allowed = ORGANISATION_FIELDS | {"name", "country"}
            organisation_update(
                actor=request.user,
                organisation=obj,
                **{k: data[k] for k in form.changed_data if k in allowed},
            )
            return
        org = organisation_create(
            actor=request.user,
            kind=data["kind"],
            name=data["name"],
            slug=data["slug"],
            country=data["country"],
            **{k: data[k] for k in ORGANISATION_FIELDS if k in data},
        )
        _adopt(obj, org)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        save_memberships(request, formset, organisation=form.instance)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # No service removes an organisation: its credentials, keys and accreditations are
        # evidence others rely on. Deleting one is a database operation, not an admin click.
        return False


@admin.register(Membership)
class MembershipAdmin(DeleteThroughServiceMixin, ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", "organisation__kind")
    search_fields = ("user__email", "user__full_name", "organisation__name", "organisation__slug")
    list_select_related = ("user", "organisation")
    autocomplete_fields = ("user", "organisation")

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple[str, ...]:
        return ("user", "organisation", "created_at", "updated_at") if obj else ()

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        membership = membership_add(actor=request.user, organisation=obj.organisation, user=obj.user, role=obj.role)
        _adopt(obj, membership)

    def delete_through_service(self, request: HttpRequest, obj: Membership) -> None:
        membership_remove(actor=request.user, organisation=obj.organisation, user=obj.user)


@admin.register(MembershipInvitation)
class MembershipInvitationAdmin(DeleteThroughServiceMixin, admin.ModelAdmin):
    # Owners invite from their workspace (the e-mail carries the only copy of the link); staff
    # can see invitations and withdraw one, which is what deleting it means.
    exclude = ("token_hash",)
    list_display = ("email", "organisation", "role", "invited_by", "created_at", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email", "organisation__name", "organisation__slug")
    list_select_related = ("organisation", "invited_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_through_service(self, request: HttpRequest, obj: MembershipInvitation) -> None:
        membership_invitation_withdraw(actor=request.user, organisation=obj.organisation, invitation_id=obj.pk)


@admin.register(LearnerProfile)
class LearnerProfileAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ("user", "headline", "location", "visibility", "updated_at")
    list_filter = ("visibility",)
    search_fields = ("user__email", "user__full_name", "headline", "location")
    list_select_related = ("user",)
    readonly_fields = ("user", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every account gets its profile when it is created

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: LearnerProfile, form: Any, change: bool) -> None:
        fields = {k: form.cleaned_data[k] for k in form.changed_data if k in PROFILE_FIELDS}
        profile_update(actor=request.user, user=obj.user, **fields)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    # The hash never leaves the database: shown, it would help brute-force the secret.
    exclude = ("token_hash",)
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    actions = ("revoke_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a secret is shown once, to its owner, in their settings

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Staff revoke a leaked token (the action) but never edit one.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a revoked token stays listed, so its last use can still be traced

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        # Revoking is what deleting a token used to mean, so it takes the delete permission.
        return bool(request.user.has_perm("accounts.delete_apitoken"))

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: Any) -> None:
        apply_service(
            self,
            request,
            queryset.select_related("user"),
            lambda token: api_token_staff_revoke(actor=request.user, token=token),
            done="Revoked",
        )
