"""Catalog admin. Drafts can be edited here; published and archived versions are read-only,
because published content never changes under the learners enrolled in it (edit a new
version instead: the "Start a new draft version" action)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.core.admin import (
    DeleteThroughServiceMixin,
    ReadOnlyAdmin,
    ServiceErrorsMixin,
    apply_service,
    mark_formset_saved,
)
from microcred.core.errors import Conflict

from ..fields import ABOUT, CATALOG, EU_MANDATORY, EU_OPTIONAL, MICROCREDENTIAL_IDENTITY_FIELDS
from ..models import (
    Industry,
    MicroCredential,
    MicroCredentialPrerequisite,
    MicroCredentialSkill,
    Module,
    ProgrammeMember,
    Status,
)
from ..services import (
    EDITABLE_FIELDS,
    microcredential_archive,
    microcredential_create,
    microcredential_delete,
    microcredential_new_version,
    microcredential_publish,
    microcredential_update,
    module_create,
    module_delete,
    module_update,
)
from ._common import DraftOnlyInline, _adopt, _is_draft


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class MicroCredentialSkillInline(DraftOnlyInline):
    model = MicroCredentialSkill
    fields = ("skill", "target_level")
    autocomplete_fields = ("skill",)


class ModuleInline(DraftOnlyInline):
    model = Module
    fields = ("position", "title", "summary")
    show_change_link = True  # lessons are edited on the module's page


@admin.register(MicroCredential)
class MicroCredentialAdmin(DeleteThroughServiceMixin, ServiceErrorsMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "version",
        "provider",
        "status",
        "level",
        "eqf_level",
        "workload_hours",
        "price",
        "published_at",
    )
    list_filter = ("status", "level", "eqf_level", "participation_form", "industry", "provider")
    search_fields = ("title", "slug", "summary", "provider__name", "provider__slug")
    list_select_related = ("provider", "industry")
    date_hierarchy = "published_at"
    inlines = (MicroCredentialSkillInline, ModuleInline)
    actions = ("publish_selected", "archive_selected", "new_version_selected")
    ALWAYS_READ_ONLY = ("status", "version", "family", "published_at")
    # The admin leads with what identifies a version (provider, slug) and its lifecycle; the
    # other groups are the shared definitions, in the order the workspace form shows them.
    fieldsets = (
        (None, {"fields": ("provider", "slug", *(name for name in ABOUT if name != "slug"), *ALWAYS_READ_ONLY)}),
        (EU_MANDATORY.title, {"fields": EU_MANDATORY.fields}),
        (EU_OPTIONAL.title, {"fields": EU_OPTIONAL.fields}),
        (CATALOG.title, {"fields": CATALOG.fields}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: MicroCredential | None = None) -> Any:
        if obj is None:
            return self.ALWAYS_READ_ONLY
        if obj.status != Status.DRAFT:
            # Published content never changes under the learners enrolled in it: a published
            # (or archived) version is shown, never edited. Changes go into a new draft version
            # (action "Start a new draft version"), which replaces it when published.
            return [name for _, opts in self.fieldsets for name in opts["fields"]]
        # The provider and slug identify the micro-credential family across versions.
        return (*self.ALWAYS_READ_ONLY, "provider", "slug")

    def has_change_permission(self, request: HttpRequest, obj: MicroCredential | None = None) -> bool:
        # With every field read-only a Save button would still call the update service, which
        # would quietly start a new version; view-only mode removes the button.
        return super().has_change_permission(request, obj) and _is_draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: MicroCredential | None = None) -> bool:
        return super().has_delete_permission(request, obj) and _is_draft(obj)

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "provider":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: MicroCredential, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            if not _is_draft(MicroCredential.objects.get(pk=obj.pk)):
                raise Conflict("Published content is read-only; start a new draft version.")
            fields = {k: data[k] for k in form.changed_data if k in EDITABLE_FIELDS - MICROCREDENTIAL_IDENTITY_FIELDS}
            _adopt(obj, microcredential_update(actor=request.user, microcredential=obj, **fields))
            return
        fields = {k: data[k] for k in EDITABLE_FIELDS if k in data}
        _adopt(obj, microcredential_create(actor=request.user, provider=data["provider"], **fields))

    def delete_through_service(self, request: HttpRequest, obj: MicroCredential) -> None:
        microcredential_delete(actor=request.user, microcredential=obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # Skill links, prerequisites and programme memberships are not deleted on their own (the
        # workspace and the programme's page edit them); they go with the draft.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        links = {m._meta.verbose_name for m in (MicroCredentialSkill, MicroCredentialPrerequisite, ProgrammeMember)}
        return deleted, counts, perms_needed - links, protected

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is Module:
            self._save_modules(request, form.instance, formset)
        elif formset.model is MicroCredentialSkill:
            self._save_skill_links(request, form.instance, formset)
        else:  # pragma: no cover - every inline of this page is handled above
            raise NotImplementedError(formset.model)

    def _save_modules(self, request: HttpRequest, mc: MicroCredential, formset: Any) -> None:
        new: list[Module] = []
        changed: list[Module] = []
        deleted: list[Module] = []
        for row in formset.deleted_forms:
            if row.instance.pk:
                module_delete(actor=request.user, module=row.instance)
                deleted.append(row.instance)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed() or not row.cleaned_data:
                continue
            data = row.cleaned_data
            if row.instance.pk:
                fields = {k: data[k] for k in row.changed_data if k in ("title", "summary", "position")}
                changed.append(module_update(actor=request.user, module=row.instance, **fields))
            else:
                new.append(
                    module_create(
                        actor=request.user,
                        microcredential=mc,
                        title=data["title"],
                        summary=data.get("summary", ""),
                        position=data.get("position") or None,
                    )
                )
        mark_formset_saved(formset, new=new, changed=changed, deleted=deleted)

    def _save_skill_links(self, request: HttpRequest, mc: MicroCredential, formset: Any) -> None:
        rows = [r for r in formset.forms if r.cleaned_data and r not in formset.deleted_forms]
        deleted = [r.instance for r in formset.deleted_forms if r.instance.pk]
        touched = [r for r in rows if r.has_changed()]
        if not deleted and not touched:
            mark_formset_saved(formset, new=[], changed=[], deleted=[])
            return
        # The update service sets the whole list of skills at once (and audits the change).
        skills = [(r.cleaned_data["skill"], r.cleaned_data["target_level"]) for r in rows]
        microcredential_update(actor=request.user, microcredential=mc, skills=skills)
        links = {link.skill_id: link for link in mc.skill_links.all()}
        mark_formset_saved(
            formset,
            new=[links[r.cleaned_data["skill"].pk] for r in touched if not r.instance.pk],
            changed=[links[r.cleaned_data["skill"].pk] for r in touched if r.instance.pk],
            deleted=deleted,
        )

    def _run(self, request: HttpRequest, queryset: Any, service: Any, done: str) -> None:
        apply_service(
            self,
            request,
            queryset.select_related("provider"),
            lambda mc: service(actor=request.user, microcredential=mc),
            done=done,
        )

    @admin.action(description="Publish selected micro-credentials")
    def publish_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._run(request, queryset, microcredential_publish, "Published")

    @admin.action(description="Archive selected micro-credentials")
    def archive_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._run(request, queryset, microcredential_archive, "Archived")

    @admin.action(description="Start a new draft version of selected micro-credentials")
    def new_version_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._run(request, queryset, microcredential_new_version, "Draft versions ready")


@admin.register(MicroCredentialSkill)
class MicroCredentialSkillAdmin(ReadOnlyAdmin):
    """A list to search; the skills of a draft are edited on its micro-credential's page, where
    the update service sets them together."""

    list_display = ("microcredential", "skill", "target_level")
    list_filter = ("target_level",)
    search_fields = ("microcredential__title", "skill__label")
    list_select_related = ("microcredential", "skill")
