"""Skill frameworks and skills are reference data (imported from ESCO and the like); staff
correct them directly, there is no domain rule to protect."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from microcred.core.admin import HTTPS_URLS

from .models import Skill, SkillFramework


@admin.register(SkillFramework)
class SkillFrameworkAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "slug", "publisher", "owner", "skill_count")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    search_fields = ("name", "slug", "publisher")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(n_skills=Count("skills"))

    @admin.display(description="Skills", ordering="n_skills")
    def skill_count(self, obj: Any) -> int:
        return int(obj.n_skills)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("label", "framework", "slug", "uri")
    list_filter = ("framework",)
    search_fields = ("label", "slug", "uri", "description")
    list_select_related = ("framework",)
    prepopulated_fields = {"slug": ("label",)}
