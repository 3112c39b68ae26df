"""Enrolment, progress and completion: the write path of a learner's journey."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from microcred.accounts.permissions import Actor, is_system, require_authenticated
from microcred.catalog.models import Lesson, LessonKind, MicroCredential, Status
from microcred.core import events
from microcred.core.clock import now
from microcred.core.errors import Conflict, NotFound, ValidationFailed
from microcred.core.services import audit_record

from .models import Completion, Enrolment, EnrolmentStatus, LessonOutcome, LessonProgress
from .selectors import ASSESSED_LESSONS, lesson_is_assessed


def enrolment_create(*, actor: Actor, microcredential: MicroCredential) -> Enrolment:
    """Enrol the actor; enrolling again returns the same enrolment (re-activated after a withdrawal)."""
    enrolment, _ = enrolment_get_or_create(actor=actor, microcredential=microcredential)
    return enrolment


@transaction.atomic
def enrolment_get_or_create(*, actor: Actor, microcredential: MicroCredential) -> tuple[Enrolment, bool]:
    """Like ``enrolment_create``, and ``True`` only for the call that created the enrolment: of
    several concurrent calls, the others find it once the unique constraint turns them away."""
    user = require_authenticated(actor)
    if microcredential.status != Status.PUBLISHED:
        raise Conflict("This micro-credential is not open for enrolment.", code="not_enrollable")
    existing = Enrolment.objects.select_for_update().filter(user=user, microcredential=microcredential).first()
    if existing is None:
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(user=user, microcredential=microcredential, enrolled_at=now())
        except IntegrityError:
            # A concurrent request enrolled first; theirs is ours.
            existing = Enrolment.objects.select_for_update().get(user=user, microcredential=microcredential)
        else:
            audit_record(actor=actor, action="enrolment.create", target=enrolment, microcredential=microcredential.pk)
            events.emit(events.EnrolmentCreated(actor=actor, enrolment_id=enrolment.pk))
            return enrolment, True
    if existing.status == EnrolmentStatus.WITHDRAWN:
        existing.status = EnrolmentStatus.ACTIVE
        existing.withdrawn_at = None
        existing.save(update_fields=["status", "withdrawn_at"])
        audit_record(actor=actor, action="enrolment.reactivate", target=existing)
        events.emit(events.EnrolmentReactivated(actor=actor, enrolment_id=existing.pk))
    return existing, False


@transaction.atomic
def enrolment_withdraw(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Withdraw once: withdrawing an enrolment that is already withdrawn changes nothing (no new
    audit row, the first ``withdrawn_at`` stays) and returns it as it is."""
    require_authenticated(actor)
    if enrolment.user_id != actor.pk:
        raise NotFound("Enrolment not found.")
    _lock_fresh(enrolment)
    if enrolment.status == EnrolmentStatus.COMPLETED:
        raise Conflict("A completed micro-credential cannot be withdrawn from.")
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return enrolment
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    audit_record(actor=actor, action="enrolment.withdraw", target=enrolment)
    events.emit(events.EnrolmentWithdrawn(actor=actor, enrolment_id=enrolment.pk))
    return enrolment


def _lock_fresh(enrolment: Enrolment) -> None:
    """Lock the enrolment's row and reload its state into the caller's instance, so a decision
    is taken on what is stored now rather than on what the caller read earlier."""
    enrolment.refresh_from_db(
        from_queryset=Enrolment.objects.select_for_update(), fields=["status", "completed_at", "withdrawn_at"]
    )


def _lesson_of(enrolment: Enrolment, lesson: Lesson) -> None:
    if lesson.module.microcredential_id != enrolment.microcredential_id:
        raise NotFound("Lesson not found in this micro-credential.")


@transaction.atomic
def lesson_complete(*, actor: Actor, enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    """Mark a lesson done (idempotent). Quiz lessons complete by passing the quiz, not by a click."""
    require_authenticated(actor)
    if enrolment.user_id != actor.pk:
        raise NotFound("Enrolment not found.")
    _lesson_of(enrolment, lesson)
    _lock_fresh(enrolment)
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise Conflict("You have withdrawn from this micro-credential; enrol again to continue.")
    if lesson.kind == LessonKind.QUIZ:
        raise ValidationFailed("A quiz is completed by passing it.", code="quiz_needs_attempt")
    if lesson_is_assessed(lesson):
        raise ValidationFailed(
            "This assignment is completed when your submission is graded as passing.", code="lesson_needs_grade"
        )
    progress, _ = LessonProgress.objects.get_or_create(
        enrolment=enrolment, lesson=lesson, defaults={"completed_at": now()}
    )
    completion_evaluate(actor=actor, enrolment=enrolment)
    return progress


@transaction.atomic
def lesson_outcome_record(
    *,
    actor: Actor,
    enrolment: Enrolment,
    lesson: Lesson,
    passed: bool,
    score: Decimal | None,
    details: dict[str, Any] | None = None,
) -> LessonOutcome:
    """Record how the learner did on an assessed lesson (assessment calls this after grading) and,
    on a pass, re-check completion. The outcome keeps the best: once passed it stays passed, and
    its score is the best passing one; recording the same outcome again changes nothing more.
    ``details`` (plain JSON: rubric levels, links, a peer-review summary) are kept with the best
    passing score, for the credential's results (ADR 0029).
    The actor is the learner (a quiz graded on submission) or the platform (``SYSTEM``: work a
    grader graded, the grade audited with the grader's name by the assessing app)."""
    if not is_system(actor):
        require_authenticated(actor)
        if enrolment.user_id != actor.pk:
            raise NotFound("Enrolment not found.")
    _lesson_of(enrolment, lesson)
    # The enrolment's row lock orders concurrent outcomes of the same learner.
    _lock_fresh(enrolment)
    moment = now()
    outcome, created = LessonOutcome.objects.get_or_create(
        enrolment=enrolment,
        lesson=lesson,
        defaults={
            "passed": passed,
            "score": score if passed else None,
            "recorded_at": moment,
            "details": (details or {}) if passed else {},
        },
    )
    if not created:
        outcome.recorded_at = moment
        if passed:
            first_pass = not outcome.passed
            outcome.passed = True
            if score is not None and (outcome.score is None or score > outcome.score):
                outcome.score = score
                outcome.details = details or {}
            elif first_pass:
                outcome.details = details or {}
        outcome.save(update_fields=["passed", "score", "recorded_at", "details"])
    if passed:
        completion_evaluate(actor=actor, enrolment=enrolment)
    return outcome


def completion_requirements(*, enrolment: Enrolment) -> dict[str, Any]:
    """What is required and what is done: required lessons done, required quiz and other assessed
    lessons (``ASSESSED_LESSONS``: a graded assignment) passed, as their outcomes say. Assessed
    lessons other than quizzes are listed with the lessons, as they were before they were assessed.

    An assessed lesson with a ``min_score`` counts only once its best passing score reaches it, and
    the lessons with a ``weight`` make up the overall ``weighted_score`` (a lesson not passed yet
    weighs in at 0, so the figure is the learner's standing so far). ``parts`` lists every required
    assessed lesson with its score and the details its assessment reported (ADR 0029). With an
    ``overall_pass_mark`` on the micro-credential, the weighted score must also reach it (ADR 0033)."""
    lessons = list(
        Lesson.objects.filter(module__microcredential_id=enrolment.microcredential_id, required=True).select_related(
            "module"
        )
    )
    done = set(LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True))
    assessed = set(Lesson.objects.filter(ASSESSED_LESSONS, pk__in=[l.pk for l in lessons]).values_list("pk", flat=True))
    graded = {l.pk for l in lessons if l.kind != LessonKind.QUIZ} & assessed
    outcomes = {
        o.lesson_id: o
        for o in LessonOutcome.objects.filter(enrolment=enrolment, lesson_id__in=assessed, passed=True).only(
            "lesson_id", "score", "details"
        )
    }

    def counts(lesson: Lesson) -> bool:
        # Passed, and at the lesson's minimum when it has one.
        outcome = outcomes.get(lesson.pk)
        if outcome is None:
            return False
        if lesson.min_score is None:
            return True
        return outcome.score is not None and outcome.score >= lesson.min_score

    if graded:
        # A graded lesson counts as done only once its outcome is a pass (at its minimum).
        done = (done - graded) | {l.pk for l in lessons if l.pk in graded and counts(l)}
    quiz_lessons = [l for l in lessons if l.kind == LessonKind.QUIZ]
    passed_scores = {
        l.pk: outcomes[l.pk].score for l in quiz_lessons if l.pk in outcomes and outcomes[l.pk].score is not None
    }
    missing_lessons = [l.pk for l in lessons if l.kind != LessonKind.QUIZ and l.pk not in done]
    missing_quiz_lessons = [l.pk for l in quiz_lessons if l.pk not in passed_scores or not counts(l)]
    # The completion's summary has named quizzes by the quiz's id since the first release (the API
    # returns it); the id is read through the quiz's link to its lesson, without importing assessment.
    quiz_id_of = dict(Lesson.objects.filter(pk__in=[l.pk for l in quiz_lessons]).values_list("pk", "quiz__id"))
    requirements: dict[str, Any] = {
        "required_lessons": [l.pk for l in lessons if l.kind != LessonKind.QUIZ],
        "missing_lessons": missing_lessons,
        "required_quizzes": [quiz_id_of[l.pk] for l in quiz_lessons],
        "missing_quizzes": [quiz_id_of[pk] for pk in missing_quiz_lessons],
        "best_scores": {str(quiz_id_of[pk]): str(score) for pk, score in passed_scores.items()},
        "met": not missing_lessons and not missing_quiz_lessons,
    }
    in_outline = sorted(lessons, key=lambda l: (l.module.position, l.module_id, l.position, l.pk))
    parts = [_part(l, outcomes.get(l.pk), counts(l)) for l in in_outline if l.pk in assessed]
    if parts:
        requirements["parts"] = parts
    weighted = weighted_score(parts)
    if weighted is not None:
        requirements["weighted_score"] = str(weighted)
        # The overall pass mark (ADR 0033) is a rule on the weighted score; publishing refuses a pass
        # mark without a weighted lesson, so a version with one always has a score to compare.
        pass_mark = enrolment.microcredential.overall_pass_mark
        if pass_mark is not None:
            requirements["overall_pass_mark"] = pass_mark
            requirements["met"] = requirements["met"] and weighted >= pass_mark
    return requirements


def _part(lesson: Lesson, outcome: LessonOutcome | None, met: bool) -> dict[str, Any]:
    part: dict[str, Any] = {
        "lesson": lesson.pk,
        "title": lesson.title,
        "kind": lesson.kind,
        "score": None if outcome is None or outcome.score is None else str(outcome.score),
        "weight": lesson.weight,
        "min_score": lesson.min_score,
        "met": met,
    }
    if outcome is not None and outcome.details:
        part["details"] = outcome.details
    return part


def completion_standing(*, enrolment: Enrolment) -> dict[str, Any] | None:
    """The learner's assessed lessons against the completion rules (ADR 0029), for the course page
    and the API: ``{"parts": [...], "weighted_score": str | None, "overall_pass_mark": int | None}``;
    ``None`` when no required assessed lesson has a weight or a minimum (the rule from before: pass
    each one)."""
    requirements = completion_requirements(enrolment=enrolment)
    parts = requirements.get("parts", [])
    if not any(p["weight"] is not None or p["min_score"] is not None for p in parts):
        return None
    return {
        "parts": [{k: v for k, v in part.items() if k != "details"} for part in parts],
        "weighted_score": requirements.get("weighted_score"),
        "overall_pass_mark": requirements.get("overall_pass_mark"),
    }


def weighted_score(parts: Sequence[dict[str, Any]]) -> Decimal | None:
    """The overall score of ``parts`` (``completion_requirements``) weighed by their weights, in
    percent to two places; ``None`` when no part has a weight (the rule from before ADR 0029)."""
    weighed = [(Decimal(p["weight"]), Decimal(p["score"] or 0)) for p in parts if p.get("weight")]
    total = sum((weight for weight, _ in weighed), Decimal(0))
    if not total:
        return None
    return (sum((weight * score for weight, score in weighed), Decimal(0)) / total).quantize(Decimal("0.01"))


@transaction.atomic
def completion_evaluate(*, actor: Actor, enrolment: Enrolment) -> Completion | None:
    """Record the completion once every rule holds, and emit ``CompletionRecorded`` (awarding
    subscribes to it, after commit)."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return Completion.objects.filter(enrolment=enrolment).first()
    requirements = completion_requirements(enrolment=enrolment)
    if not requirements["met"]:
        return None
    scores = [float(s) for s in requirements["best_scores"].values()]
    moment = now()
    completion, created = Completion.objects.get_or_create(
        enrolment=enrolment,
        defaults={
            "completed_at": moment,
            "score": max(scores) if scores else None,
            "summary": {k: v for k, v in requirements.items() if k != "met"},
        },
    )
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_at = completion.completed_at
    enrolment.save(update_fields=["status", "completed_at"])
    if created:
        audit_record(
            actor=actor,
            action="completion.record",
            target=completion,
            enrolment=enrolment.pk,
            microcredential=enrolment.microcredential_id,
            score=str(completion.score) if completion.score is not None else None,
        )
        events.emit(events.CompletionRecorded(actor=actor, completion_id=completion.pk))
    return completion


@transaction.atomic
def completion_mark_awarded(*, actor: Actor, completion: Completion, awards: Sequence[object]) -> None:
    """Note, once, that ``completion`` was turned into ``awards`` (what an awarding subscriber of
    ``CompletionRecorded`` made of it, such as the credential)."""
    locked = Completion.objects.select_for_update().get(pk=completion.pk)
    if awards and locked.awarded_at is None:
        locked.awarded_at = now()
        locked.save(update_fields=["awarded_at"])
        audit_record(
            actor=actor,
            action="completion.award",
            target=locked,
            awards=[f"{type(award).__name__}:{getattr(award, 'pk', award)}" for award in awards],
        )
