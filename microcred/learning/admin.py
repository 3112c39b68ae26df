"""Learning records are written only by the learner's own actions through the services
(enrolling, completing lessons, taking quizzes); staff can inspect them, not alter them."""

from __future__ import annotations

from django.contrib import admin

from microcred.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Completion, Enrolment, LessonOutcome, LessonProgress


class LessonProgressInline(ReadOnlyInline):
    model = LessonProgress
    fields = ("lesson", "completed_at")
    show_change_link = False


class LessonOutcomeInline(ReadOnlyInline):
    model = LessonOutcome
    fields = ("lesson", "passed", "score", "recorded_at")
    show_change_link = False


class CompletionInline(ReadOnlyInline):
    model = Completion
    fields = ("completed_at", "score", "awarded_at")


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "microcredential", "status", "enrolled_at", "completed_at", "withdrawn_at")
    list_filter = ("status", "microcredential__provider")
    search_fields = ("user__email", "user__full_name", "microcredential__title")
    list_select_related = ("user", "microcredential")
    date_hierarchy = "enrolled_at"
    inlines = (CompletionInline, LessonProgressInline, LessonOutcomeInline)


@admin.register(LessonProgress)
class LessonProgressAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "lesson", "completed_at")
    search_fields = ("enrolment__user__email", "lesson__title")
    list_select_related = ("enrolment__user", "enrolment__microcredential", "lesson")


@admin.register(LessonOutcome)
class LessonOutcomeAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "lesson", "passed", "score", "recorded_at")
    list_filter = ("passed",)
    search_fields = ("enrolment__user__email", "lesson__title")
    list_select_related = ("enrolment__user", "enrolment__microcredential", "lesson")


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "completed_at", "score", "awarded_at")
    list_filter = ("awarded_at",)
    search_fields = ("enrolment__user__email", "enrolment__microcredential__title")
    list_select_related = ("enrolment__user", "enrolment__microcredential")
    date_hierarchy = "completed_at"
