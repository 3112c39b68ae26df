"""Job postings in the admin: read-only. Postings are imported and their skills extracted by
``microcred market import-postings`` and ``reextract`` (the services), never edited by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import JobPosting, PostingSkill


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PostingSkillInline(admin.TabularInline):
    model = PostingSkill
    fields = ("skill", "score", "matched_text", "mentions")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JobPosting)
class JobPostingAdmin(ReadOnlyAdmin):
    list_display = ("title", "posted_on", "region", "industry", "source", "occupation")
    list_filter = ("source", "region", "industry")
    search_fields = ("title", "external_id", "location")
    date_hierarchy = "posted_on"
    list_select_related = ("occupation",)
    inlines = [PostingSkillInline]
