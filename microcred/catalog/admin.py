"""Catalog admin. Drafts can be edited here; published and archived versions are read-only,
because published content never changes under the learners enrolled in it (edit a new
version instead: the "Start a new draft version" action)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest

from microcred.accounts.models import Organisation, OrganisationKind
from microcred.core.admin import HTTPS_URLS, ServiceErrorsMixin, apply_service, mark_formset_saved
from microcred.core.errors import Conflict

from .models import (
    EU_MANDATORY_FIELDS,
    EU_OPTIONAL_FIELDS,
    Industry,
    Lesson,
    MicroCredential,
    MicroCredentialSkill,
    Module,
    Status,
)
from .services import (
    EDITABLE_FIELDS,
    LESSON_FIELDS,
    lesson_create,
    lesson_update,
    microcredential_archive,
    microcredential_create,
    microcredential_new_version,
    microcredential_publish,
    microcredential_update,
    module_create,
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
class MicroCredentialAdmin(ServiceErrorsMixin, admin.ModelAdmin):
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
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "provider",
                    "slug",
                    "title",
                    "summary",
                    "description",
                    "status",
                    "version",
                    "family",
                    "published_at",
                )
            },
        ),
        (
            "EU mandatory elements",
            {
                "fields": EU_MANDATORY_FIELDS,
            },
        ),
        (
            "EU optional elements",
            {"fields": EU_OPTIONAL_FIELDS},
        ),
        (
            "Catalog",
            {
                "fields": (
                    "level",
                    "industry",
                    "language",
                    "price",
                    "currency",
                    "duration_weeks",
                    "validity_months",
                    "image_url",
                    "criteria",
                )
            },
        ),
    )
    ALWAYS_READ_ONLY = ("status", "version", "family", "published_at")

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

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # Bulk delete would include published versions; drafts are deleted one at a time.
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "provider":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: MicroCredential, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            if not _is_draft(MicroCredential.objects.get(pk=obj.pk)):
                raise Conflict("Published content is read-only; start a new draft version.")
            fields = {k: data[k] for k in form.changed_data if k in EDITABLE_FIELDS - {"slug"}}
            _adopt(obj, microcredential_update(actor=request.user, microcredential=obj, **fields))
            return
        fields = {k: data[k] for k in EDITABLE_FIELDS if k in data}
        _adopt(obj, microcredential_create(actor=request.user, provider=data["provider"], **fields))

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
class MicroCredentialSkillAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("microcredential", "skill", "target_level")
    list_filter = ("target_level",)
    search_fields = ("microcredential__title", "skill__label")
    list_select_related = ("microcredential", "skill")
    autocomplete_fields = ("skill",)

    def microcredential_of(self, obj: MicroCredentialSkill) -> MicroCredential:
        return obj.microcredential

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        _draft_choices(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
        "quiz",
    )
    raw_id_fields = ("quiz",)

    def _draft(self, obj: Module | None) -> bool:
        return obj is None or _is_draft(obj.microcredential)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and self._draft(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._draft(obj)


def _lesson_fields(form: Any, names: set[str]) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in names if k in form.cleaned_data}


@admin.register(Module)
class ModuleAdmin(ServiceErrorsMixin, DraftOnlyMixin, admin.ModelAdmin):
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
            super().save_model(request, obj, form, change)  # a draft's module title and order
            return
        module = module_create(
            actor=request.user,
            microcredential=obj.microcredential,
            title=obj.title,
            summary=obj.summary,
            position=obj.position or None,
        )
        _adopt(obj, module)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Lessons go through the services, which validate each kind and render the Markdown.
        new: list[Lesson] = []
        changed: list[Lesson] = []
        deleted: list[Lesson] = []
        for row in formset.deleted_forms:
            if row.instance.pk:
                deleted.append(row.instance)
                row.instance.delete()
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
class LessonAdmin(ServiceErrorsMixin, DraftOnlyMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("title", "kind", "module", "microcredential", "required", "position")
    list_filter = ("kind", "required", "module__microcredential__status")
    search_fields = ("title", "module__title", "module__microcredential__title")
    list_select_related = ("module__microcredential",)
    raw_id_fields = ("quiz",)

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
