"""Assessment admin. Questions of a quiz that learners can take (its micro-credential is
published or archived, or someone has attempted it) are read-only: attempts are graded against
them and their explanations are shown back. Attempts themselves are graded only by the
service, so they are read-only here too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpRequest

from microcred.catalog.models import Lesson, Status
from microcred.core.admin import ReadOnlyAdmin

from .models import Attempt, Choice, Question, QuestionBank, Quiz


def banks_in_use() -> Q:
    """Banks whose quizzes learners can take or have taken."""
    offered = Lesson.objects.filter(~Q(module__microcredential__status=Status.DRAFT)).values("quiz__bank_id")
    attempted = Attempt.objects.values("quiz__bank_id")
    return Q(pk__in=offered) | Q(pk__in=attempted)


def bank_in_use(bank_id: int | None) -> bool:
    return bank_id is not None and QuestionBank.objects.filter(banks_in_use(), pk=bank_id).exists()


class LockedWhenInUseMixin:
    def bank_id_of(self, obj: Any) -> int | None:
        raise NotImplementedError

    def _editable(self, obj: Any) -> bool:
        return obj is None or not bank_in_use(self.bank_id_of(obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._editable(obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._editable(obj)  # type: ignore[misc]


class LockedInline(LockedWhenInUseMixin, admin.TabularInline):
    """``obj`` is the parent record here."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(obj)


def _open_banks_only(db_field: Any, kwargs: dict[str, Any]) -> None:
    """New questions and choices may only go into banks no learner has seen."""
    if db_field.name == "bank":
        kwargs["queryset"] = QuestionBank.objects.exclude(banks_in_use())
    elif db_field.name == "question":
        kwargs["queryset"] = Question.objects.exclude(bank__in=QuestionBank.objects.filter(banks_in_use()))


class ChoiceInline(LockedInline):
    model = Choice
    fields = ("position", "text", "is_correct")

    def bank_id_of(self, obj: Question) -> int | None:
        return obj.bank_id


class QuestionInline(LockedInline):
    model = Question
    fields = ("position", "kind", "text", "points")
    show_change_link = True  # choices are edited on the question's page

    def bank_id_of(self, obj: QuestionBank) -> int | None:
        return obj.pk


@admin.register(QuestionBank)
class QuestionBankAdmin(LockedWhenInUseMixin, admin.ModelAdmin):
    list_display = ("title", "provider", "question_count", "created_at")
    list_filter = ("provider",)
    search_fields = ("title", "provider__name")
    list_select_related = ("provider",)
    inlines = (QuestionInline,)

    def bank_id_of(self, obj: QuestionBank) -> int | None:
        return obj.pk

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(n_questions=Count("questions"))

    @admin.display(description="Questions", ordering="n_questions")
    def question_count(self, obj: Any) -> int:
        return int(obj.n_questions)


@admin.register(Question)
class QuestionAdmin(LockedWhenInUseMixin, admin.ModelAdmin):
    list_display = ("short_text", "kind", "bank", "points", "position")
    list_filter = ("kind", "bank__provider")
    search_fields = ("text", "bank__title")
    list_select_related = ("bank",)
    inlines = (ChoiceInline,)

    def bank_id_of(self, obj: Question) -> int | None:
        return obj.bank_id

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        _open_banks_only(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Question")
    def short_text(self, obj: Question) -> str:
        return str(obj)


@admin.register(Choice)
class ChoiceAdmin(LockedWhenInUseMixin, admin.ModelAdmin):
    list_display = ("text", "question", "is_correct", "position")
    list_filter = ("is_correct",)
    search_fields = ("text", "question__text")
    list_select_related = ("question",)

    def bank_id_of(self, obj: Choice) -> int | None:
        return obj.question.bank_id

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        _open_banks_only(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Quiz)
class QuizAdmin(LockedWhenInUseMixin, admin.ModelAdmin):
    list_display = ("title", "bank", "passing_score", "question_count", "max_attempts", "time_limit_minutes")
    search_fields = ("title", "bank__title")
    list_select_related = ("bank",)

    def bank_id_of(self, obj: Quiz) -> int | None:
        return obj.bank_id


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "quiz", "started_at", "submitted_at", "score", "passed")
    list_filter = ("passed",)
    search_fields = ("user__email", "quiz__title")
    list_select_related = ("user", "quiz")
    date_hierarchy = "started_at"
