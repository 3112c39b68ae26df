"""Assessment admin. Questions of a quiz that learners can take (its micro-credential is
published or archived, or someone has attempted it) are read-only: attempts are graded against
them and their explanations are shown back. Attempts themselves are graded only by the
service, so they are read-only here too.

Other edits go through the services, which repeat the in-use check and validate a question
together with its choices (a single-choice question has exactly one correct choice), so a
question is edited on its own page with its choices. Banks and quizzes are created together,
with their questions, by ``quiz_create`` (a quiz lesson in the workspace); the admin edits them
but does not add or delete them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpRequest

from microcred.catalog.models import Lesson, Status
from microcred.core.admin import (
    DeleteThroughServiceMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceErrorsMixin,
    mark_formset_saved,
)

from .models import Attempt, Choice, Question, QuestionBank, Quiz
from .services import QUIZ_UPDATE_FIELDS, question_bank_update, question_delete, question_save, quiz_update


def banks_in_use() -> Q:
    """Banks whose quizzes learners can take or have taken."""
    # Without quiz__isnull the subquery holds NULLs (reading lessons), and NOT IN (…, NULL) is
    # never true, which would leave no bank open at all.
    offered = Lesson.objects.filter(~Q(module__microcredential__status=Status.DRAFT), quiz__isnull=False).values(
        "quiz__bank_id"
    )
    attempted = Attempt.objects.values("quiz__bank_id")
    return Q(pk__in=offered) | Q(pk__in=attempted)


def bank_in_use(bank_id: int | None) -> bool:
    return bank_id is not None and QuestionBank.objects.filter(banks_in_use(), pk=bank_id).exists()


def _adopt(target: Any, saved: Any) -> None:
    """Make the admin's instance stand for the row the service saved, for the log and redirect."""
    target.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    target._state.adding = False
    target._state.db = saved._state.db


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
    """New questions may only go into banks no learner has seen."""
    if db_field.name == "bank":
        kwargs["queryset"] = QuestionBank.objects.exclude(banks_in_use())


class ChoiceInline(LockedInline):
    model = Choice
    fields = ("position", "text", "is_correct")

    def bank_id_of(self, obj: Question) -> int | None:
        return obj.bank_id

    def get_extra(self, request: HttpRequest, obj: Question | None = None, **kwargs: Any) -> int:
        return 4 if obj is None else 0  # a new question starts with room for its choices


class QuestionInline(ReadOnlyInline):
    """Listed with links: a question is saved together with its choices, on its own page."""

    model = Question
    fields = ("position", "kind", "text", "points")


@admin.register(QuestionBank)
class QuestionBankAdmin(ServiceErrorsMixin, LockedWhenInUseMixin, admin.ModelAdmin):
    list_display = ("title", "provider", "question_count", "created_at")
    list_filter = ("provider",)
    search_fields = ("title", "provider__name")
    list_select_related = ("provider",)
    inlines = (QuestionInline,)

    def bank_id_of(self, obj: QuestionBank) -> int | None:
        return obj.pk

    def get_readonly_fields(self, request: HttpRequest, obj: QuestionBank | None = None) -> tuple[str, ...]:
        return ("provider",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a bank goes with its last quiz (quiz_discard)

    def save_model(self, request: HttpRequest, obj: QuestionBank, form: Any, change: bool) -> None:
        if "title" in form.changed_data:
            question_bank_update(actor=request.user, bank=obj, title=form.cleaned_data["title"])

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(n_questions=Count("questions"))

    @admin.display(description="Questions", ordering="n_questions")
    def question_count(self, obj: Any) -> int:
        return int(obj.n_questions)


@admin.register(Question)
class QuestionAdmin(DeleteThroughServiceMixin, ServiceErrorsMixin, LockedWhenInUseMixin, admin.ModelAdmin):
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

    def get_readonly_fields(self, request: HttpRequest, obj: Question | None = None) -> tuple[str, ...]:
        return ("bank",) if obj else ()

    @admin.display(description="Question")
    def short_text(self, obj: Question) -> str:
        return str(obj)

    def save_model(self, request: HttpRequest, obj: Question, form: Any, change: bool) -> None:
        """Saved with its choices in ``save_related``: the rules span both."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        choices = next(fs for fs in formsets if fs.model is Choice)
        rows = [r for r in choices.forms if r.cleaned_data and r not in choices.deleted_forms]
        rows.sort(key=lambda r: r.cleaned_data.get("position") or 0)
        data = form.cleaned_data
        question = question_save(
            actor=request.user,
            bank=form.instance.bank if change else data["bank"],
            question=form.instance if change else None,
            kind=data["kind"],
            text=data["text"],
            explanation=data.get("explanation", ""),
            points=data["points"],
            position=data.get("position") if change else data.get("position") or None,
            choices=[
                {"text": r.cleaned_data["text"], "correct": r.cleaned_data["is_correct"], "position": n}
                for n, r in enumerate(rows, start=1)
            ],
        )
        _adopt(form.instance, question)
        mark_formset_saved(
            choices,
            new=[r.instance for r in rows if not r.instance.pk],
            changed=[r.instance for r in rows if r.instance.pk and r.has_changed()],
            deleted=[r.instance for r in choices.deleted_forms if r.instance.pk],
        )

    def delete_through_service(self, request: HttpRequest, obj: Question) -> None:
        question_delete(actor=request.user, question=obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # Choices have no delete permission of their own (they are edited here); they go with
        # their question.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed - {Choice._meta.verbose_name}, protected


@admin.register(Choice)
class ChoiceAdmin(ReadOnlyAdmin):
    """A list to search; choices are edited on their question's page, where the service checks
    the set of them (one correct answer for a single-choice question)."""

    list_display = ("text", "question", "is_correct", "position")
    list_filter = ("is_correct",)
    search_fields = ("text", "question__text")
    list_select_related = ("question",)


@admin.register(Quiz)
class QuizAdmin(ServiceErrorsMixin, LockedWhenInUseMixin, admin.ModelAdmin):
    list_display = ("title", "bank", "passing_score", "question_count", "max_attempts", "time_limit_minutes")
    search_fields = ("title", "bank__title")
    list_select_related = ("bank",)

    def bank_id_of(self, obj: Quiz) -> int | None:
        return obj.bank_id

    def get_readonly_fields(self, request: HttpRequest, obj: Quiz | None = None) -> tuple[str, ...]:
        return ("bank",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made with its questions by quiz_create

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting its lesson discards the quiz; alone it would leave the lesson without one

    def save_model(self, request: HttpRequest, obj: Quiz, form: Any, change: bool) -> None:
        fields = {k: form.cleaned_data[k] for k in form.changed_data if k in QUIZ_UPDATE_FIELDS}
        _adopt(obj, quiz_update(actor=request.user, quiz=obj, **fields))


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "quiz", "number", "started_at", "submitted_at", "score", "passed")
    list_filter = ("passed",)
    search_fields = ("user__email", "quiz__title")
    list_select_related = ("user", "quiz")
    date_hierarchy = "started_at"
