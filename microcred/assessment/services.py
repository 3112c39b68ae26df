"""Quizzes and attempts. Grading happens here, on the server, against the stored answers."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import Count, Max

from microcred.accounts.permissions import Actor, require_authenticated, require_org_role
from microcred.catalog.models import Lesson, LessonKind, Module, Status
from microcred.catalog.services import assessed_lesson_create, lesson_update
from microcred.core import events
from microcred.core.clock import now
from microcred.core.errors import Conflict, NotFound, ValidationFailed, full_clean_or_fail
from microcred.core.services import audit_record
from microcred.learning.models import Enrolment
from microcred.learning.services import lesson_outcome_record

from .models import Attempt, Choice, Question, QuestionBank, Quiz
from .questions import Answer, question_type, validate_question


def _validate_question(spec: dict[str, Any], index: int, *, where: str | None = None) -> None:
    validate_question(spec, where=where or f"questions[{index}]")


def question_spec_validate(*, spec: dict[str, Any], where: str) -> None:
    """Refuse a question spec that ``quiz_create`` would refuse, with the same message: for
    checks made before anything is written (the catalog importer)."""
    validate_question(spec, where=where)


# A quiz lesson's settings travel with the lesson in forms and documents and are applied to its quiz.
QUIZ_SETTINGS: Final[frozenset[str]] = frozenset(
    {"passing_score", "question_count", "max_attempts", "time_limit_minutes"}
)


@transaction.atomic
def quiz_create(
    *,
    actor: Actor,
    lesson: Lesson,
    questions: list[dict[str, Any]],
    title: str | None = None,
    passing_score: int = 70,
    question_count: int | None = None,
    max_attempts: int | None = None,
    time_limit_minutes: int | None = None,
) -> Quiz:
    """The quiz of a quiz lesson, with its own question bank, from plain question specs
    (``{"kind", "text", "explanation", "points", "choices": [{"text", "correct"}]}``).
    ``title`` defaults to the lesson's."""
    provider = lesson.module.microcredential.provider
    require_org_role(actor, provider)
    if lesson.kind != LessonKind.QUIZ:
        raise ValidationFailed("Only a quiz lesson has a quiz.", errors={"kind": ["Not a quiz lesson."]})
    if Quiz.objects.filter(lesson=lesson).exists():
        raise Conflict("This lesson already has its quiz.", code="quiz_exists")
    if not questions:
        raise ValidationFailed("A quiz needs at least one question.", errors={"questions": ["Empty."]})
    for i, spec in enumerate(questions):
        _validate_question(spec, i)
    if question_count is not None and not 1 <= question_count <= len(questions):
        raise ValidationFailed("question_count must be between 1 and the number of questions.")
    title = lesson.title if title is None else title
    bank = QuestionBank.objects.create(provider=provider, title=title)
    for position, spec in enumerate(questions, start=1):
        question = Question(
            bank=bank,
            kind=spec["kind"],
            text=str(spec["text"]).strip(),
            explanation=str(spec.get("explanation", "")),
            points=int(spec.get("points", 1)),
            position=position,
        )
        full_clean_or_fail(question)
        question.save()
        Choice.objects.bulk_create(
            Choice(question=question, text=str(c["text"]), is_correct=bool(c.get("correct")), position=n)
            for n, c in enumerate(spec["choices"], start=1)
        )
    quiz = Quiz(
        lesson=lesson,
        bank=bank,
        title=title,
        passing_score=passing_score,
        question_count=question_count,
        max_attempts=max_attempts,
        time_limit_minutes=time_limit_minutes,
    )
    full_clean_or_fail(quiz)
    quiz.save()
    return quiz


def quiz_specs(*, quiz: Quiz) -> list[dict[str, Any]]:
    """The quiz's questions as plain specs, the form ``quiz_create`` takes."""
    return [
        {
            "kind": q.kind,
            "text": q.text,
            "explanation": q.explanation,
            "points": q.points,
            "choices": [{"text": c.text, "correct": c.is_correct} for c in q.choices.all()],
        }
        for q in quiz.bank.questions.prefetch_related("choices")
    ]


def _settings_of(quiz: Quiz) -> dict[str, Any]:
    return {name: getattr(quiz, name) for name in QUIZ_SETTINGS}


@transaction.atomic
def quiz_copy(*, actor: Actor, quiz: Quiz, lesson: Lesson) -> Quiz:
    """A new version of a micro-credential gets its own quiz, so editing it leaves the old one intact."""
    return quiz_create(
        actor=actor, lesson=lesson, title=quiz.title, questions=quiz_specs(quiz=quiz), **_settings_of(quiz)
    )


@transaction.atomic
def quiz_lesson_create(
    *, actor: Actor, module: Module, title: str, questions: list[dict[str, Any]], **fields: Any
) -> Lesson:
    """A quiz lesson and its quiz, together or not at all. ``questions`` use the catalog format
    (docs/catalog-format.md); quiz settings (pass mark, attempts…) ride along in ``fields``."""
    quiz_settings = {k: fields.pop(k) for k in QUIZ_SETTINGS & set(fields)}
    if "kind" in fields or "quiz" in fields:
        raise ValidationFailed("Unknown lesson fields: " + ", ".join(sorted({"kind", "quiz"} & set(fields))) + ".")
    lesson = assessed_lesson_create(actor=actor, module=module, title=title, kind=LessonKind.QUIZ, **fields)
    quiz_create(actor=actor, lesson=lesson, title=title, questions=questions, **quiz_settings)
    return lesson


@transaction.atomic
def quiz_lesson_update(
    *, actor: Actor, lesson: Lesson, questions: list[dict[str, Any]] | None = None, **fields: Any
) -> Lesson:
    """Edit a quiz lesson. New questions or settings replace its quiz with a fresh one, so a quiz
    is never changed under an attempt; the old one is discarded."""
    if lesson.kind != LessonKind.QUIZ:
        raise ValidationFailed("This lesson is not a quiz.")
    quiz_settings = {k: fields.pop(k) for k in QUIZ_SETTINGS & set(fields)}
    lesson = lesson_update(actor=actor, lesson=lesson, **fields)
    old = Quiz.objects.filter(lesson=lesson).select_related("bank__provider").first()
    current = _settings_of(old) if old is not None else {}
    if questions is None and old is not None and all(current[k] == v for k, v in quiz_settings.items()):
        return lesson
    if questions is None and old is None:
        raise ValidationFailed("A quiz lesson needs questions.", errors={"questions": ["Required."]})
    specs = questions if questions is not None else quiz_specs(quiz=old)  # type: ignore[arg-type]
    if old is not None:
        quiz_discard(actor=actor, quiz=old)
    quiz_create(
        actor=actor,
        lesson=lesson,
        title=fields.get("title", lesson.title),
        questions=specs,
        **{**current, **quiz_settings},
    )
    return lesson


def quizzes_discard_on_lessons_removing(event: events.LessonsRemoving) -> None:
    """Subscribes to ``LessonsRemoving`` in the transaction (``config/events.py``): a removed quiz
    lesson takes its quiz and, when no other quiz draws on it, its question bank."""
    for quiz in Quiz.objects.filter(lesson_id__in=event.lesson_ids).select_related("bank__provider"):
        quiz_discard(actor=event.actor, quiz=quiz)


def quizzes_copy_on_lessons_copied(event: events.LessonsCopied) -> None:
    """Subscribes to ``LessonsCopied`` in the transaction: each copied quiz lesson gets a copy of its quiz."""
    copy_of = dict(event.copies)
    lessons = Lesson.objects.select_related("module__microcredential__provider").in_bulk(copy_of.values())
    for quiz in Quiz.objects.filter(lesson_id__in=copy_of).select_related("bank__provider"):
        quiz_copy(actor=event.actor, quiz=quiz, lesson=lessons[copy_of[quiz.lesson_id]])


def attempt_start(*, actor: Actor, quiz: Quiz, enrolment: Any) -> Attempt:
    """Start (or resume) an attempt; the questions served are fixed now, in a random order when drawn."""
    attempt, _ = attempt_start_or_resume(actor=actor, quiz=quiz, enrolment=enrolment)
    return attempt


@transaction.atomic
def attempt_start_or_resume(*, actor: Actor, quiz: Quiz, enrolment: Any) -> tuple[Attempt, bool]:
    """The learner's open attempt at ``quiz``, or a new one while attempts are left; ``True``
    when it was created. Concurrent calls wait on the enrolment's row lock, so each one sees
    the attempts the others made and ``max_attempts`` holds; the attempt number's unique
    constraint refuses whatever gets past the lock (SQLite has no row locks, but serialises
    writers)."""
    user = require_authenticated(actor)
    if enrolment.user_id != user.pk:
        raise NotFound("Enrolment not found.")
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == "withdrawn":
        raise Conflict("You have withdrawn from this micro-credential; enrol again to continue.")
    attempts = Attempt.objects.filter(quiz=quiz, enrolment=enrolment)
    open_attempt = attempts.filter(submitted_at__isnull=True).first()
    if open_attempt is not None:
        return open_attempt, False
    # One query, so the count and the highest number come from the same snapshot.
    used = attempts.aggregate(count=Count("id"), last=Max("number"))
    if quiz.max_attempts is not None and used["count"] >= quiz.max_attempts:
        raise Conflict(f"You have used all {quiz.max_attempts} attempts at this quiz.", code="no_attempts_left")
    question_ids = list(quiz.bank.questions.values_list("id", flat=True))
    if quiz.question_count is not None and quiz.question_count < len(question_ids):
        question_ids = random.sample(question_ids, quiz.question_count)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz,
                user=user,
                enrolment=enrolment,
                number=(used["last"] or 0) + 1,
                question_ids=question_ids,
                started_at=now(),
            )
    except IntegrityError:
        # Only a writer that bypassed the lock gets here; theirs is the open attempt, if any.
        open_attempt = attempts.filter(submitted_at__isnull=True).first()
        if open_attempt is None:
            raise Conflict("Another attempt was started at the same time; try again.", code="attempt_race") from None
        return open_attempt, False
    return attempt, True


def _parse_answers(answers: dict[Any, Any], questions: dict[int, Question]) -> dict[int, Answer]:
    """Each answer read by its question's kind; an answer to a question not served is refused."""
    parsed: dict[int, Answer] = {}
    for raw_qid, raw_answer in (answers or {}).items():
        try:
            qid = int(raw_qid)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed("Answers must map question ids to lists of choice ids.") from exc
        question = questions.get(qid)
        if question is None:
            raise ValidationFailed(
                f"Question {qid} is not part of this attempt.", errors={str(qid): ["Not in attempt."]}
            )
        parsed[qid] = question_type(question.kind).parse_answer(question, raw_answer)
    return parsed


@transaction.atomic
def attempt_submit(*, actor: Actor, attempt: Attempt, answers: dict[Any, Any]) -> Attempt:
    """Grade an attempt. All-or-nothing per question: a question scores its points only when the
    chosen set equals the correct set. Then the enrolment's completion rules are re-checked."""
    require_authenticated(actor)
    attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
    if attempt.user_id != actor.pk:
        raise NotFound("Attempt not found.")
    if attempt.is_submitted:
        raise Conflict("This attempt has already been submitted.", code="already_submitted")
    questions = {q.id: q for q in Question.objects.filter(id__in=attempt.question_ids).prefetch_related("choices")}
    parsed = _parse_answers(answers, questions)
    earned = possible = 0
    for qid in attempt.question_ids:
        question = questions.get(qid)
        if question is None:
            continue
        possible += question.points
        earned += question_type(question.kind).grade(question, parsed.get(qid)).points
    score = (Decimal(earned * 100) / Decimal(possible or 1)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    attempt.answers = {str(k): sorted(v) for k, v in parsed.items()}
    attempt.points_earned = earned
    attempt.points_possible = possible
    attempt.score = score
    attempt.passed = score >= attempt.quiz.passing_score
    attempt.submitted_at = now()
    attempt.save()
    audit_record(
        actor=actor,
        action="attempt.grade",
        target=attempt,
        quiz=attempt.quiz_id,
        score=str(score),
        passed=attempt.passed,
    )
    events.emit(
        events.AttemptGraded(
            actor=actor,
            attempt_id=attempt.pk,
            quiz_id=attempt.quiz_id,
            enrolment_id=attempt.enrolment_id,
            score=str(score),
            passed=attempt.passed,
        )
    )
    _lesson_outcome_report(actor=actor, attempt=attempt)
    return attempt


def _lesson_outcome_report(*, actor: Actor, attempt: Attempt) -> None:
    """Tell learning how the learner did on the quiz's lesson; learning decides what it completes."""
    enrolment = attempt.enrolment
    if enrolment is None:
        return  # an attempt outside any enrolment counts towards nothing
    lesson = Lesson.objects.filter(
        quiz__id=attempt.quiz_id, module__microcredential_id=enrolment.microcredential_id
    ).first()
    if lesson is None:
        # A quiz outside the enrolment's micro-credential: it counts towards nothing there.
        return
    lesson_outcome_record(
        actor=actor, enrolment=enrolment, lesson=lesson, passed=bool(attempt.passed), score=attempt.score
    )


@transaction.atomic
def quiz_discard(*, actor: Actor, quiz: Quiz) -> None:
    """Delete a quiz nobody has attempted, with its question bank when no other quiz uses it.
    Used when draft content is removed or replaced; attempted quizzes are kept as evidence."""
    require_org_role(actor, quiz.bank.provider)
    if quiz.attempts.exists():
        raise Conflict("Learners have attempted this quiz; it is kept.", code="quiz_attempted")
    bank = quiz.bank
    quiz.delete()
    if not bank.quizzes.exists():
        bank.delete()


def bank_in_use(*, bank: QuestionBank) -> bool:
    """Learners can take (its micro-credential is published or archived) or have taken a quiz
    drawing on this bank: its questions are graded against and shown back, so they stay put."""
    offered = Quiz.objects.filter(bank=bank).exclude(lesson__module__microcredential__status=Status.DRAFT)
    return offered.exists() or Attempt.objects.filter(quiz__bank=bank).exists()


def _require_open_bank(*, actor: Actor, bank: QuestionBank) -> QuestionBank:
    bank = QuestionBank.objects.select_for_update().select_related("provider").get(pk=bank.pk)
    require_org_role(actor, bank.provider)
    if bank_in_use(bank=bank):
        raise Conflict(
            "Learners take or have taken a quiz with these questions; they are read-only. "
            "Edit the quiz of a new draft version instead.",
            code="questions_in_use",
        )
    return bank


@transaction.atomic
def question_bank_update(*, actor: Actor, bank: QuestionBank, title: str) -> QuestionBank:
    bank = _require_open_bank(actor=actor, bank=bank)
    bank.title = (title or "").strip()
    full_clean_or_fail(bank)
    bank.save()
    audit_record(actor=actor, action="question_bank.update", target=bank, fields=["title"])
    return bank


@transaction.atomic
def question_save(
    *,
    actor: Actor,
    bank: QuestionBank,
    question: Question | None = None,
    kind: str,
    text: str,
    choices: list[dict[str, Any]],
    explanation: str = "",
    points: int = 1,
    position: int | None = None,
) -> Question:
    """Add a question to a bank no learner has seen, or replace one of its questions with its
    choices, under the same rules as ``quiz_create`` (``choices``: ``[{"text", "correct"}]``)."""
    bank = _require_open_bank(actor=actor, bank=bank)
    if question is not None and question.bank_id != bank.pk:
        raise NotFound("Question not found.")
    _validate_question({"kind": kind, "text": text, "choices": choices}, 0, where="This question")
    if question is None:
        question = Question(bank=bank)
        if position is None:
            position = (bank.questions.aggregate(p=Max("position"))["p"] or 0) + 1
    question.kind = kind
    question.text = str(text).strip()
    question.explanation = str(explanation or "")
    question.points = points
    if position is not None:
        question.position = position
    full_clean_or_fail(question)
    adding = question.pk is None
    question.save()
    # Nobody has answered these choices (the bank is open), so they are replaced, not patched.
    question.choices.all().delete()
    for n, spec in enumerate(choices, start=1):
        choice = Choice(question=question, text=str(spec.get("text", "")).strip(), is_correct=bool(spec.get("correct")))
        choice.position = int(spec.get("position") or n)
        full_clean_or_fail(choice)
        choice.save()
    audit_record(actor=actor, action="question.create" if adding else "question.update", target=question, bank=bank.pk)
    return question


@transaction.atomic
def question_delete(*, actor: Actor, question: Question) -> None:
    bank = _require_open_bank(actor=actor, bank=question.bank)
    remaining = bank.questions.exclude(pk=question.pk).count()
    if remaining == 0 and bank.quizzes.exists():
        raise Conflict("A quiz keeps at least one question.", code="last_question")
    if bank.quizzes.filter(question_count__gt=remaining).exists():
        raise Conflict("A quiz of this bank draws more questions than would be left; lower its question count first.")
    audit_record(actor=actor, action="question.delete", target=bank, question=question.text[:200])
    question.delete()


QUIZ_UPDATE_FIELDS: Final[frozenset[str]] = frozenset(
    {"title", "passing_score", "question_count", "max_attempts", "time_limit_minutes"}
)


@transaction.atomic
def quiz_update(*, actor: Actor, quiz: Quiz, **fields: Any) -> Quiz:
    """Change a quiz's settings while no learner can take it (its bank is open)."""
    unknown = set(fields) - QUIZ_UPDATE_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown quiz fields: {', '.join(sorted(unknown))}.")
    bank = _require_open_bank(actor=actor, bank=quiz.bank)
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    for key, value in fields.items():
        setattr(quiz, key, value)
    if quiz.question_count is not None and not 1 <= quiz.question_count <= bank.questions.count():
        raise ValidationFailed(
            "question_count must be between 1 and the number of questions.",
            errors={"question_count": ["Out of range."]},
        )
    full_clean_or_fail(quiz)
    quiz.save()
    audit_record(actor=actor, action="quiz.update", target=quiz, fields=sorted(fields))
    return quiz
