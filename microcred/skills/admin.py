"""Skill frameworks and skills are reference data (imported from ESCO and the like); staff
correct them directly, there is no domain rule to protect."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from microcred.core.admin import HTTPS_URLS

from .models import Occupation, OccupationSkill, Skill, SkillFramework


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
    list_display = ("label", "framework", "skill_type", "slug", "uri")
    list_filter = ("framework", "skill_type")
    search_fields = ("label", "slug", "uri", "description")
    list_select_related = ("framework",)
    prepopulated_fields = {"slug": ("label",)}
    raw_id_fields = ("broader",)


class OccupationSkillInline(admin.TabularInline):
    model = OccupationSkill
    raw_id_fields = ("skill",)
    extra = 0


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("label", "framework", "code", "uri")
    list_filter = ("framework",)
    search_fields = ("label", "code", "uri")
    list_select_related = ("framework",)
    raw_id_fields = ("broader",)
    inlines = [OccupationSkillInline]


@admin.register(OccupationSkill)
class OccupationSkillAdmin(admin.ModelAdmin):
    list_display = ("occupation", "skill", "relation", "importance", "level")
    list_filter = ("relation", "level", "occupation__framework")
    search_fields = ("occupation__label", "skill__label")
    list_select_related = ("occupation", "skill")
    raw_id_fields = ("occupation", "skill")
