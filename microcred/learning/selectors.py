"""A learner's view of their learning: enrolments with progress, guarded by ownership."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When

from microcred.catalog.models import Lesson, LessonKind
from microcred.core.errors import NotFound

from .models import Completion, Enrolment, LessonOutcome, LessonProgress


@dataclass
class Progress:
    done: int
    total: int
    percent: int
    completed_lesson_ids: set[int]
    # Quiz lessons whose assessment reported a pass (``LessonOutcome``).
    passed_lesson_ids: set[int]
    # The micro-credential's assessed lessons (``ASSESSED_LESSONS``): done when passed, not when clicked.
    assessed_lesson_ids: set[int] = field(default_factory=set)

    def lesson_done(self, lesson: Lesson) -> bool:
        if lesson.kind == LessonKind.QUIZ or lesson.pk in self.assessed_lesson_ids:
            return lesson.pk in self.passed_lesson_ids
        return lesson.pk in self.completed_lesson_ids


# Lessons completed by the outcome their assessment reports (``LessonOutcome``), never by a click:
# every quiz, and an assignment graded with a rubric (projects' ``Assignment``). Both are read through
# the assessment's link to its lesson (related names "quiz" and "assignment"): learning imports neither.
ASSESSED_LESSONS = Q(kind=LessonKind.QUIZ) | Q(kind=LessonKind.ASSIGNMENT, assignment__isnull=False)


def _with_assessed(lessons: QuerySet[Lesson]) -> QuerySet[Lesson]:
    """``assessed`` on each lesson, in the same query (``ASSESSED_LESSONS``)."""
    return lessons.annotate(
        assessed=Case(When(ASSESSED_LESSONS, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def lesson_is_assessed(lesson: Lesson) -> bool:
    return Lesson.objects.filter(ASSESSED_LESSONS, pk=lesson.pk).exists()


def access_enrolment(*, actor: Any, enrolment_id: int) -> Enrolment:
    """The actor's own enrolment; anyone else's is reported as not found so ids do not leak."""
    if actor is None or not actor.is_authenticated:
        raise NotFound("Enrolment not found.")
    enrolment = (
        Enrolment.objects.select_related("microcredential", "microcredential__provider")
        .filter(pk=enrolment_id, user=actor)
        .first()
    )
    if enrolment is None:
        raise NotFound("Enrolment not found.")
    return enrolment


def enrolment_for(*, actor: Any, microcredential_id: int) -> Enrolment | None:
    if actor is None or not actor.is_authenticated:
        return None
    return Enrolment.objects.filter(user=actor, microcredential_id=microcredential_id).first()


def enrolments_of(*, actor: Any) -> QuerySet[Enrolment]:
    """The actor's enrolments with lesson counts annotated (two aggregate joins, no N+1)."""
    if actor is None or not actor.is_authenticated:
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(user=actor)
        .select_related("microcredential", "microcredential__provider", "microcredential__industry")
        .annotate(
            required_total=Count(
                "microcredential__modules__lessons",
                filter=Q(microcredential__modules__lessons__required=True),
                distinct=True,
            ),
        )
        .order_by("-enrolled_at", "-id")
    )


def _passed_lessons(outcomes: QuerySet[LessonOutcome]) -> QuerySet[LessonOutcome, tuple[int, int]]:
    """(enrolment id, lesson id) for each passed assessed lesson: the outcomes assessment reported."""
    return outcomes.filter(passed=True).values_list("enrolment_id", "lesson_id")


def _done_count(required: list[tuple[int, bool]], done_ids: set[int], passed: set[int]) -> int:
    return sum(1 for lesson_id, assessed in required if lesson_id in (passed if assessed else done_ids))


def enrolment_progress(enrolment: Enrolment) -> Progress:
    # One query; the type checker's plugin cannot see annotations in values_list.
    lessons = list(
        _with_assessed(Lesson.objects.filter(module__microcredential_id=enrolment.microcredential_id)).values_list(
            "id",
            "required",
            "assessed",  # type: ignore[misc]
        )
    )
    assessed_ids = {lesson_id for lesson_id, _, assessed in lessons if assessed}
    required = [(lesson_id, lesson_id in assessed_ids) for lesson_id, is_required, _ in lessons if is_required]
    done_ids = set(LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True))
    passed = {lesson_id for _, lesson_id in _passed_lessons(LessonOutcome.objects.filter(enrolment=enrolment))}
    done = _done_count(required, done_ids, passed)
    total = len(required)
    percent = round(100 * done / total) if total else 0
    return Progress(
        done=done,
        total=total,
        percent=percent,
        completed_lesson_ids=done_ids,
        passed_lesson_ids=passed,
        assessed_lesson_ids=assessed_ids,
    )


def progress_for_many(enrolments: list[Enrolment]) -> dict[int, Progress]:
    """Progress of many enrolments in three queries, for dashboards and list endpoints."""
    if not enrolments:
        return {}
    mc_ids = {e.microcredential_id for e in enrolments}
    lessons_by_mc: dict[int, list[tuple[int, bool]]] = {}
    for lesson_id, assessed, mc_id in _with_assessed(
        Lesson.objects.filter(module__microcredential_id__in=mc_ids, required=True)
    ).values_list("id", "assessed", "module__microcredential_id"):  # type: ignore[misc]
        lessons_by_mc.setdefault(mc_id, []).append((lesson_id, assessed))
    enrolment_ids = [e.pk for e in enrolments]
    done_by_enrolment: dict[int, set[int]] = {}
    for enrolment_id, lesson_id in LessonProgress.objects.filter(enrolment_id__in=enrolment_ids).values_list(
        "enrolment_id", "lesson_id"
    ):
        done_by_enrolment.setdefault(enrolment_id, set()).add(lesson_id)
    passed_by_enrolment: dict[int, set[int]] = {}
    for enrolment_id, lesson_id in _passed_lessons(LessonOutcome.objects.filter(enrolment_id__in=enrolment_ids)):
        passed_by_enrolment.setdefault(enrolment_id, set()).add(lesson_id)
    result = {}
    for e in enrolments:
        required = lessons_by_mc.get(e.microcredential_id, [])
        done_ids = done_by_enrolment.get(e.pk, set())
        passed = passed_by_enrolment.get(e.pk, set())
        done = _done_count(required, done_ids, passed)
        total = len(required)
        result[e.pk] = Progress(
            done=done,
            total=total,
            percent=round(100 * done / total) if total else 0,
            completed_lesson_ids=done_ids,
            passed_lesson_ids=passed,
            assessed_lesson_ids={lesson_id for lesson_id, assessed in required if assessed},
        )
    return result


def lesson_in_enrolment(*, enrolment: Enrolment, lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.select_related("module")
        .filter(pk=lesson_id, module__microcredential_id=enrolment.microcredential_id)
        .first()
    )
    if lesson is None:
        raise NotFound("Lesson not found.")
    return lesson


def lesson_sequence(enrolment: Enrolment) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__microcredential_id=enrolment.microcredential_id)
        .select_related("module")
        .order_by("module__position", "module_id", "position", "id")
    )


def enrolments_with_modules(enrolment: Enrolment) -> Any:
    from microcred.catalog.models import Module

    return Module.objects.filter(microcredential_id=enrolment.microcredential_id).prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("position", "id"))
    )


def completion_for(*, enrolment: Enrolment) -> Completion | None:
    return Completion.objects.filter(enrolment=enrolment).first()


def access_completion(*, actor: Any, enrolment_id: int) -> Completion:
    """The completion of the actor's own enrolment; not found while it is incomplete or not theirs."""
    if actor is None or not actor.is_authenticated:
        raise NotFound("Completion not found.")
    completion = (
        Completion.objects.select_related("enrolment").filter(enrolment_id=enrolment_id, enrolment__user=actor).first()
    )
    if completion is None:
        raise NotFound("Completion not found.")
    return completion
