"""Quizzes and attempts. Grading happens here, on the server, against the stored answers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from microcred.accounts.models import Organisation, User
from microcred.accounts.permissions import ALL_ROLES, Actor, require_authenticated, require_org_role
from microcred.catalog.models import Lesson, LessonKind, Module, Status
from microcred.catalog.services import assessed_lesson_create, lesson_update
from microcred.core import events
from microcred.core.actors import SYSTEM
from microcred.core.clock import now
from microcred.core.errors import Conflict, NotFound, ValidationFailed, full_clean_or_fail
from microcred.core.services import audit_record
from microcred.learning.models import Enrolment
from microcred.learning.services import lesson_outcome_record
from microcred.skills.models import Skill

from .attempt_rules import GradingMethod, attempt_deadline, attempt_layout, grade_of, review_options_parse
from .formats import FormatError, ParsedBank, parse_aiken, parse_gift
from .interchange import specs_from_parsed
from .models import Attempt, Choice, Question, QuestionBank, Quiz
from .questions import Answer, question_type, validate_question
from .selectors import in_category, placement_quiz, quiz_questions, served_seed


def _validate_question(spec: dict[str, Any], index: int, *, where: str | None = None) -> None:
    validate_question(spec, where=where or f"questions[{index}]")


def question_spec_validate(*, spec: dict[str, Any], where: str) -> None:
    """Refuse a question spec that ``quiz_create`` would refuse, with the same message: for
    checks made before anything is written (the catalog importer)."""
    validate_question(spec, where=where)


# A quiz lesson's settings travel with the lesson in forms and documents and are applied to its quiz.
QUIZ_SETTINGS: Final[frozenset[str]] = frozenset(
    {
        "passing_score",
        "question_count",
        "max_attempts",
        "time_limit_minutes",
        # Integrity settings (ADR 0026).
        "unlimited_attempts",
        "attempt_delay_minutes",
        "opens_at",
        "closes_at",
        "grading_method",
        "shuffle_questions",
        "shuffle_options",
        "review_options",
        # Learners may take it without enrolling, to skip the course (issue 9 §7).
        "placement",
    }
)


@transaction.atomic
def quiz_create(
    *,
    actor: Actor,
    lesson: Lesson,
    questions: list[dict[str, Any]] | None = None,
    bank: QuestionBank | None = None,
    category: str = "",
    title: str | None = None,
    passing_score: int = 70,
    question_count: int | None = None,
    max_attempts: int | None = None,
    time_limit_minutes: int | None = None,
    **integrity: Any,
) -> Quiz:
    """The quiz of a quiz lesson, with its own question bank, from plain question specs
    (``{"kind", "text", "explanation", "points", "choices": [{"text", "correct"}]}``), or
    drawing from ``bank``, a shared bank of the same provider, in ``category`` (and below it).
    ``title`` defaults to the lesson's. ``integrity``: the other ``QUIZ_SETTINGS`` (attempt rules
    and review options, ADR 0026), checked by ``_quiz_settings_check``."""
    provider = lesson.module.microcredential.provider
    require_org_role(actor, provider)
    if lesson.kind != LessonKind.QUIZ:
        raise ValidationFailed("Only a quiz lesson has a quiz.", errors={"kind": ["Not a quiz lesson."]})
    if Quiz.objects.filter(lesson=lesson).exists():
        raise Conflict("This lesson already has its quiz.", code="quiz_exists")
    title = lesson.title if title is None else title
    if bank is not None:
        if questions:
            raise ValidationFailed(
                "A quiz takes its questions from a bank or from its own list, not both.",
                errors={"questions": ["Leave empty when drawing from a bank."]},
            )
        bank, category = _drawn_bank(provider=provider, bank=bank, category=category, question_count=question_count)
    else:
        if category:
            raise ValidationFailed("A category chooses questions of a bank.", errors={"category": ["No bank."]})
        if not questions:
            raise ValidationFailed("A quiz needs at least one question.", errors={"questions": ["Empty."]})
        for i, spec in enumerate(questions):
            _validate_question(spec, i)
        if question_count is not None and not 1 <= question_count <= len(questions):
            raise ValidationFailed("question_count must be between 1 and the number of questions.")
        bank = QuestionBank.objects.create(provider=provider, title=title)
        for position, spec in enumerate(questions, start=1):
            _question_create(bank=bank, spec=spec, position=position, where=f"questions[{position - 1}]")
    quiz = Quiz(
        lesson=lesson,
        bank=bank,
        category=category,
        title=title,
        passing_score=passing_score,
        question_count=question_count,
        max_attempts=max_attempts,
        time_limit_minutes=time_limit_minutes,
    )
    _quiz_settings_apply(quiz, integrity)
    full_clean_or_fail(quiz)
    _quiz_settings_check(quiz, lesson=lesson)
    quiz.save()
    return quiz


def _drawn_bank(
    *, provider: Organisation, bank: QuestionBank, category: str, question_count: int | None
) -> tuple[QuestionBank, str]:
    """The shared bank a quiz draws from, locked, and its category cleaned: another provider's
    bank, or a quiz's own, answers like one that does not exist; an empty draw is refused."""
    found = QuestionBank.objects.select_for_update().filter(pk=bank.pk, provider=provider, is_shared=True).first()
    if found is None:
        raise NotFound("Question bank not found.")
    category = _spec_extras({"category": category or ""}, where="category")["category"]
    available = found.questions.filter(in_category(category), is_current=True).count()
    if available == 0:
        where = f"category “{category}” of " if category else ""
        message = f"There are no questions in the {where}bank “{found.title}” to draw from."
        raise ValidationFailed(message, errors={"category": [message]})
    if question_count is not None and not 1 <= question_count <= available:
        message = f"question_count must be between 1 and {available}, the questions to draw from."
        raise ValidationFailed(message, errors={"question_count": [message]})
    return found, category


def quiz_specs(*, quiz: Quiz) -> list[dict[str, Any]]:
    """The quiz's questions (current versions, in its category) as plain specs, the form ``quiz_create`` takes."""
    return [question_spec(question=q) for q in quiz_questions(quiz).select_related("skill").prefetch_related("choices")]


# --- Questions: kinds, versions, banks (ADR 0027) ----------------------------------------------


def question_spec(*, question: Question) -> dict[str, Any]:
    """One question as a plain spec (docs/catalog-format.md). Keys left at their defaults are
    left out, so a choice question reads as it did before kinds had ``data``."""
    spec: dict[str, Any] = {
        "kind": question.kind,
        "text": question.text,
        "explanation": question.explanation,
        "points": question.points,
    }
    qt = question_type(question.kind)
    if qt.uses_choices:
        partial = (question.data or {}).get("scoring") == "partial"
        spec["choices"] = []
        for c in question.choices.all():
            choice: dict[str, Any] = {"text": c.text, "correct": c.is_correct}
            # A single choice's wrong option may earn part of the points (GIFT's ``~%50%``).
            if partial or (question.kind == "single" and not c.is_correct and c.fraction):
                choice["fraction"] = str(c.fraction.normalize())
            if c.feedback:
                choice["feedback"] = c.feedback
            spec["choices"].append(choice)
    else:
        spec["choices"] = []
    if question.data:
        spec["data"] = question.data
    for key in ("hints", "category", "tags"):
        if getattr(question, key):
            spec[key] = getattr(question, key)
    if question.skill_id is not None:
        spec["skill"] = question.skill.uri  # type: ignore[union-attr]
    return spec


def _spec_extras(spec: dict[str, Any], *, where: str) -> dict[str, Any]:
    """A spec's hints, category and tags, checked."""
    hints = spec.get("hints") or []
    tags = spec.get("tags") or []
    category = spec.get("category") or ""
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        raise ValidationFailed(f"{where}: hints are a list of texts.", errors={where: ["Bad hints."]})
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() and len(t) <= 50 for t in tags):
        raise ValidationFailed(f"{where}: tags are a list of short texts.", errors={where: ["Bad tags."]})
    if isinstance(category, list | tuple):
        category = "/".join(str(c).replace("/", "∕").strip() for c in category)
    if not isinstance(category, str):
        raise ValidationFailed(
            f"{where}: the category is a path like “Unit 1/Fractions”.", errors={where: ["Bad category."]}
        )
    return {
        "hints": [h.strip() for h in hints],
        "tags": sorted({t.strip() for t in tags}),
        "category": "/".join(part.strip() for part in category.split("/") if part.strip()),
    }


def _question_create(
    *,
    bank: QuestionBank,
    spec: dict[str, Any],
    position: int,
    where: str,
    family: Any = None,
    version: int = 1,
    skill: Any = None,
) -> Question:
    """Write one question and its choices from a spec the kind has validated; the kind decides
    what its text and ``data`` hold (a cloze's gaps leave the text)."""
    qt = validate_question(spec, where=where)
    if skill is None and spec.get("skill"):
        # Aligned by the skill's URI, as the catalog format names skills.
        skill = Skill.objects.filter(uri=str(spec["skill"])).first()
        if skill is None:
            raise ValidationFailed(f"{where}: unknown skill {spec['skill']}.", errors={where: ["Unknown skill."]})
    question = Question(
        bank=bank,
        kind=spec["kind"],
        text=qt.clean_text(spec, where=where),
        explanation=str(spec.get("explanation") or ""),
        points=int(spec.get("points", 1)),
        position=position,
        data=qt.clean_data(spec, where=where),
        skill=skill,
        version=version,
        **_spec_extras(spec, where=where),
    )
    if family is not None:
        question.family = family
    full_clean_or_fail(question)
    question.save()
    if qt.uses_choices:
        choices = list(spec.get("choices") or [])
        fractions = qt.choice_fractions(choices, question.data)  # type: ignore[attr-defined]
        Choice.objects.bulk_create(
            Choice(
                question=question,
                text=str(c["text"]).strip(),
                is_correct=bool(c.get("correct")),
                position=n,
                fraction=fraction,
                feedback=str(c.get("feedback") or ""),
            )
            for n, (c, fraction) in enumerate(zip(choices, fractions, strict=True), start=1)
        )
    return question


def _settings_of(quiz: Quiz) -> dict[str, Any]:
    return {name: getattr(quiz, name) for name in QUIZ_SETTINGS}


# --- Quiz integrity settings (ADR 0026) ------------------------------------------------------

_INTEGRITY_SETTINGS: Final[frozenset[str]] = QUIZ_SETTINGS - {
    "passing_score",
    "question_count",
    "max_attempts",
    "time_limit_minutes",
}


def _quiz_settings_apply(quiz: Quiz, fields: dict[str, Any]) -> None:
    unknown = set(fields) - _INTEGRITY_SETTINGS
    if unknown:
        raise ValidationFailed(f"Unknown quiz settings: {', '.join(sorted(unknown))}.")
    for key, value in fields.items():
        if key == "review_options" and value is not None:
            value = review_options_parse(value).as_json()
        if key in {"unlimited_attempts", "shuffle_questions", "shuffle_options", "placement"} and not isinstance(
            value, bool
        ):
            raise ValidationFailed(f"{key} must be true or false.", errors={key: ["Not a boolean."]})
        setattr(quiz, key, value)


def _quiz_settings_check(quiz: Quiz, *, lesson: Lesson) -> None:
    """Rules across settings, after ``full_clean`` has typed them."""
    if lesson.module.microcredential.status == Status.PUBLISHED:
        problem = quiz_attempt_limit_problem(quiz=quiz, lesson=lesson)
        if problem:
            raise ValidationFailed(problem, errors={"max_attempts": ["Required."]})


def quiz_settings_export(*, quiz: Quiz) -> dict[str, Any]:
    """The quiz's integrity settings that differ from their defaults, as plain JSON values (the
    catalog format): a document of a quiz without them reads as it did before they existed."""
    out: dict[str, Any] = {}
    if quiz.unlimited_attempts:
        out["unlimited_attempts"] = True
    if quiz.attempt_delay_minutes:
        out["attempt_delay_minutes"] = quiz.attempt_delay_minutes
    for name in ("opens_at", "closes_at"):
        if getattr(quiz, name) is not None:
            out[name] = getattr(quiz, name).isoformat()
    if quiz.grading_method != GradingMethod.HIGHEST:
        out["grading_method"] = quiz.grading_method
    for name in ("shuffle_questions", "shuffle_options"):
        if not getattr(quiz, name):
            out[name] = False
    if quiz.review_options is not None:
        out["review_options"] = quiz.review_options
    if quiz.placement:
        out["placement"] = True
    return out


def quiz_attempt_limit_problem(*, quiz: Quiz, lesson: Lesson) -> str | None:
    """Why a quiz may not be offered as it is: a required quiz (passing it earns the credential)
    with no attempt limit, unless unlimited attempts were chosen on purpose."""
    if lesson.required and quiz.max_attempts is None and not quiz.unlimited_attempts:
        return (
            f"“{lesson.title}” counts towards the credential but allows unlimited attempts: set a number of "
            "attempts, or choose unlimited attempts explicitly."
        )
    return None


def quizzes_check_on_publishing(event: events.MicroCredentialPublishing) -> None:
    """Subscribes to ``MicroCredentialPublishing`` in the transaction: publishing refuses a
    required quiz left unlimited by default (issue 8), naming the lesson."""
    for quiz in Quiz.objects.filter(lesson__module__microcredential_id=event.microcredential_id).select_related(
        "lesson"
    ):
        problem = quiz_attempt_limit_problem(quiz=quiz, lesson=quiz.lesson)
        if problem:
            raise ValidationFailed(problem, errors={"max_attempts": ["Required."]})


@transaction.atomic
def quiz_copy(*, actor: Actor, quiz: Quiz, lesson: Lesson) -> Quiz:
    """A new version of a micro-credential gets its own quiz, so editing it leaves the old one intact.
    A quiz drawing from a shared bank keeps drawing from it: the bank is read-only while in use."""
    if quiz.bank.is_shared:
        return quiz_create(
            actor=actor, lesson=lesson, title=quiz.title, bank=quiz.bank, category=quiz.category, **_settings_of(quiz)
        )
    return quiz_create(
        actor=actor, lesson=lesson, title=quiz.title, questions=quiz_specs(quiz=quiz), **_settings_of(quiz)
    )


@transaction.atomic
def quiz_lesson_create(
    *,
    actor: Actor,
    module: Module,
    title: str,
    questions: list[dict[str, Any]] | None = None,
    bank: QuestionBank | None = None,
    category: str = "",
    **fields: Any,
) -> Lesson:
    """A quiz lesson and its quiz, together or not at all. ``questions`` use the catalog format
    (docs/catalog-format.md); or the quiz draws from ``bank``, a shared bank of the provider, in
    ``category``. Quiz settings (pass mark, attempts…) ride along in ``fields``."""
    quiz_settings = {k: fields.pop(k) for k in QUIZ_SETTINGS & set(fields)}
    if "kind" in fields or "quiz" in fields:
        raise ValidationFailed("Unknown lesson fields: " + ", ".join(sorted({"kind", "quiz"} & set(fields))) + ".")
    lesson = assessed_lesson_create(actor=actor, module=module, title=title, kind=LessonKind.QUIZ, **fields)
    quiz_create(
        actor=actor, lesson=lesson, title=title, questions=questions, bank=bank, category=category, **quiz_settings
    )
    return lesson


@transaction.atomic
def quiz_lesson_update(
    *,
    actor: Actor,
    lesson: Lesson,
    questions: list[dict[str, Any]] | None = None,
    bank: QuestionBank | None = None,
    category: str | None = None,
    **fields: Any,
) -> Lesson:
    """Edit a quiz lesson. New questions, a bank or category to draw from, or settings replace
    its quiz with a fresh one, so a quiz is never changed under an attempt; the old one is
    discarded (a shared bank it drew from stays)."""
    if lesson.kind != LessonKind.QUIZ:
        raise ValidationFailed("This lesson is not a quiz.")
    if questions is not None and bank is not None:
        raise ValidationFailed(
            "A quiz takes its questions from a bank or from its own list, not both.",
            errors={"questions": ["Leave empty when drawing from a bank."]},
        )
    quiz_settings = {k: fields.pop(k) for k in QUIZ_SETTINGS & set(fields)}
    lesson = lesson_update(actor=actor, lesson=lesson, **fields)
    old = Quiz.objects.filter(lesson=lesson).select_related("bank__provider").first()
    current = _settings_of(old) if old is not None else {}
    if (
        questions is None
        and old is not None
        and (bank is None or bank.pk == old.bank_id)
        and (category is None or category == old.category)
        and all(current[k] == v for k, v in quiz_settings.items())
    ):
        return lesson
    if questions is None and bank is None and old is None:
        raise ValidationFailed("A quiz lesson needs questions.", errors={"questions": ["Required."]})
    source: dict[str, Any]
    if questions is not None:
        source = {"questions": questions}
    elif bank is not None or (old is not None and old.bank.is_shared):
        source = {"bank": bank or old.bank, "category": old.category if category is None else category}  # type: ignore[union-attr]
    else:
        source = {"questions": quiz_specs(quiz=old)}  # type: ignore[arg-type]
    if old is not None:
        quiz_discard(actor=actor, quiz=old)
    quiz_create(
        actor=actor,
        lesson=lesson,
        title=fields.get("title", lesson.title),
        **source,
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


# --- Attempts: start, autosave, submit, expire (ADR 0008, ADR 0026) ---------------------------


def attempt_grace() -> timedelta:
    return timedelta(seconds=settings.MICROCRED_QUIZ_GRACE_SECONDS)


def attempt_expired(attempt: Attempt, *, at: datetime | None = None) -> bool:
    """Past its deadline and the grace: it takes no more answers and is graded as saved."""
    if attempt.is_submitted or attempt.deadline is None:
        return False
    return (at or now()) > attempt.deadline + attempt_grace()


def _quiz_start_refusal(quiz: Quiz, attempts: Any, *, at: datetime) -> Conflict | None:
    """Why no new attempt may start now, as the quiz's rules say; None when one may."""
    if quiz.opens_at is not None and at < quiz.opens_at:
        return Conflict(f"This quiz opens on {quiz.opens_at:%d %b %Y at %H:%M} UTC.", code="quiz_not_open")
    if quiz.closes_at is not None and at >= quiz.closes_at:
        return Conflict(f"This quiz closed on {quiz.closes_at:%d %b %Y at %H:%M} UTC.", code="quiz_closed")
    used = attempts.count()
    if quiz.max_attempts is not None and used >= quiz.max_attempts:
        return Conflict(f"You have used all {quiz.max_attempts} attempts at this quiz.", code="no_attempts_left")
    if quiz.attempt_delay_minutes:
        last = attempts.filter(submitted_at__isnull=False).aggregate(last=Max("submitted_at"))["last"]
        if last is not None:
            ready = last + timedelta(minutes=quiz.attempt_delay_minutes)
            if at < ready:
                wait = int((ready - at).total_seconds() // 60) + 1
                return Conflict(
                    f"You can start your next attempt in {wait} minute{'s' if wait != 1 else ''}.",
                    code="attempt_too_soon",
                )
    return None


def quiz_start_refusal(*, quiz: Quiz, enrolment: Any) -> str | None:
    """For pages: why the learner cannot start an attempt now (the service's own message)."""
    refusal = _quiz_start_refusal(quiz, Attempt.objects.filter(quiz=quiz, enrolment=enrolment), at=now())
    return None if refusal is None else refusal.message


def _layout_for(quiz: Quiz, seed: int) -> tuple[list[int], dict[str, list[int]]]:
    # Current versions only (ADR 0027): a retired version stays for the attempts that served it.
    questions = quiz_questions(quiz).order_by("position", "id").prefetch_related("choices")
    choices_by_question = {q.pk: [c.pk for c in q.choices.all()] for q in questions}
    layout = attempt_layout(
        seed=seed,
        choices_by_question=choices_by_question,
        question_count=quiz.question_count,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
    )
    return layout.question_ids, {str(k): v for k, v in layout.choice_orders.items()}


def attempt_replay(*, attempt: Attempt) -> tuple[list[int], dict[str, list[int]]]:
    """The layout the attempt's seed gives today: equal to what was served while the bank is
    unchanged (it is read-only once attempted), so an attempt can be checked or reconstructed."""
    if attempt.seed is None:
        raise Conflict("This attempt predates seeded attempts.", code="no_seed")
    return _layout_for(attempt.quiz, attempt.seed)


@transaction.atomic
def attempt_start_or_resume(*, actor: Actor, quiz: Quiz, enrolment: Any) -> tuple[Attempt, bool]:
    """The learner's open attempt at ``quiz``, or a new one when the quiz's rules allow it (open
    and close dates, attempts left, delay since the last); ``True`` when it was created. A new
    attempt draws and orders its questions and options from a fresh seed. An open attempt whose
    time ran out is closed first (graded as saved). Concurrent calls wait on the enrolment's row
    lock, so each one sees the attempts the others made and ``max_attempts`` holds; the attempt
    number's unique constraint refuses whatever gets past the lock (SQLite has no row locks, but
    serialises writers)."""
    user = require_authenticated(actor)
    if enrolment.user_id != user.pk:
        raise NotFound("Enrolment not found.")
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == "withdrawn":
        raise Conflict("You have withdrawn from this micro-credential; enrol again to continue.")
    return _start_or_resume(actor, user, quiz, Attempt.objects.filter(quiz=quiz, enrolment=enrolment), enrolment)


@transaction.atomic
def placement_attempt_start_or_resume(*, actor: Actor, quiz: Quiz) -> tuple[Attempt, bool]:
    """The learner's open attempt at a placement quiz, or a new one, without enrolling (issue 9
    §7): the attempt is the learner's own (no enrolment) and the quiz's rules hold per learner.
    Concurrent calls of one learner wait on their user row. A quiz that is not a placement quiz of
    a published micro-credential answers 404."""
    user = require_authenticated(actor)
    quiz = placement_quiz(quiz_id=quiz.pk)
    User.objects.select_for_update().filter(pk=user.pk).first()
    attempts = Attempt.objects.filter(quiz=quiz, user=user, enrolment__isnull=True)
    return _start_or_resume(actor, user, quiz, attempts, None)


def placement_start_refusal(*, quiz: Quiz, user: Any) -> str | None:
    """For pages: why the learner cannot start a placement attempt now."""
    attempts = Attempt.objects.filter(quiz=quiz, user=user, enrolment__isnull=True)
    refusal = _quiz_start_refusal(quiz, attempts, at=now())
    return None if refusal is None else refusal.message


def _start_or_resume(
    actor: Actor, user: Any, quiz: Quiz, attempts: Any, enrolment: Enrolment | None
) -> tuple[Attempt, bool]:
    open_attempt = attempts.filter(submitted_at__isnull=True).first()
    if open_attempt is not None:
        if not attempt_expired(open_attempt):
            return open_attempt, False
        _attempt_grade(actor=actor, attempt=open_attempt, parsed=None)
    moment = now()
    refusal = _quiz_start_refusal(quiz, attempts, at=moment)
    if refusal is not None:
        raise refusal
    last_number = attempts.aggregate(last=Max("number"))["last"]
    # A fresh seed per attempt: a retake draws and orders its questions anew (issue 8).
    seed = secrets.randbits(62)
    question_ids, choice_orders = _layout_for(quiz, seed)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz,
                user=user,
                enrolment=enrolment,
                number=(last_number or 0) + 1,
                question_ids=question_ids,
                choice_orders=choice_orders,
                seed=seed,
                started_at=moment,
                deadline=attempt_deadline(
                    started_at=moment, time_limit_minutes=quiz.time_limit_minutes, closes_at=quiz.closes_at
                ),
            )
    except IntegrityError:
        # Only a writer that bypassed the lock gets here; theirs is the open attempt, if any.
        open_attempt = attempts.filter(submitted_at__isnull=True).first()
        if open_attempt is None:
            raise Conflict("Another attempt was started at the same time; try again.", code="attempt_race") from None
        return open_attempt, False
    return attempt, True


def _locked_own_attempt(*, actor: Actor, attempt: Attempt) -> Attempt:
    require_authenticated(actor)
    # Only the attempt's row is locked: PostgreSQL cannot lock the nullable side of the enrolment join.
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("quiz", "enrolment").get(pk=attempt.pk)
    if attempt.user_id != actor.pk:
        raise NotFound("Attempt not found.")
    return attempt


def _served_questions(attempt: Attempt) -> dict[int, Question]:
    return {q.id: q for q in Question.objects.filter(id__in=attempt.question_ids).prefetch_related("choices")}


def attempt_answers_save(*, actor: Actor, attempt: Attempt, answers: dict[Any, Any]) -> Attempt:
    """Autosave: merge ``answers`` (question id → answer; ``None`` or ``[]`` clears one) into the
    open attempt, checked as submitting checks them, without grading. Refused once submitted (409
    ``already_submitted``) or once its time and grace are up (409 ``attempt_expired``): then the
    attempt is closed and graded with what was saved before, and that close is kept (it commits
    before the refusal is raised)."""
    with transaction.atomic():
        attempt = _locked_own_attempt(actor=actor, attempt=attempt)
        if attempt.is_submitted:
            raise Conflict("This attempt has already been submitted.", code="already_submitted")
        if not attempt_expired(attempt):
            questions = _served_questions(attempt)
            cleared = {str(k) for k, v in (answers or {}).items() if v is None or v == []}
            parsed = _parse_answers({k: v for k, v in (answers or {}).items() if str(k) not in cleared}, questions)
            stored = {k: v for k, v in (attempt.answers or {}).items() if k not in cleared}
            stored.update(_dump_answers(parsed, questions))
            attempt.answers = stored
            attempt.saved_at = now()
            attempt.save(update_fields=["answers", "saved_at"])
            return attempt
        _attempt_grade(actor=actor, attempt=attempt, parsed=None)
    raise Conflict(
        "Time is up for this attempt; it was graded with the answers saved by its deadline.", code="attempt_expired"
    )


def _dump_answers(parsed: dict[int, Any], questions: dict[int, Question]) -> dict[str, Any]:
    return {str(k): question_type(questions[k].kind).dump_answer(v) for k, v in parsed.items()}


def _saved_answers(attempt: Attempt, questions: dict[int, Question]) -> dict[int, Any]:
    loaded = {}
    for raw_qid, stored in (attempt.answers or {}).items():
        question = questions.get(int(raw_qid))
        if question is not None and stored is not None:
            loaded[question.pk] = question_type(question.kind).load_answer(stored)
    return loaded


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
def attempt_submit(*, actor: Actor, attempt: Attempt, answers: dict[Any, Any] | None = None) -> Attempt:
    """Grade an attempt: its saved answers with ``answers`` over them. All-or-nothing per question:
    a question scores its points only when the chosen set equals the correct set. Then the lesson's
    outcome is reported by the quiz's grading method. Idempotent: an attempt already submitted is
    returned as it was graded, and graded nothing again. Past its deadline and the grace, the
    answers sent now are ignored and it is graded with what was saved by then (``timed_out``)."""
    attempt = _locked_own_attempt(actor=actor, attempt=attempt)
    if attempt.is_submitted:
        return attempt
    if attempt_expired(attempt):
        return _attempt_grade(actor=actor, attempt=attempt, parsed=None)
    questions = _served_questions(attempt)
    parsed = {**_saved_answers(attempt, questions), **_parse_answers(answers or {}, questions)}
    return _attempt_grade(actor=actor, attempt=attempt, parsed=parsed, questions=questions)


def _attempt_grade(
    *, actor: Actor, attempt: Attempt, parsed: dict[int, Any] | None, questions: dict[int, Question] | None = None
) -> Attempt:
    """Grade a locked open attempt. ``parsed`` None: it timed out, so its saved answers count."""
    questions = questions if questions is not None else _served_questions(attempt)
    timed_out = parsed is None
    if parsed is None:
        parsed = _saved_answers(attempt, questions)
    earned, possible, pending = attempt_points(attempt=attempt, questions=questions, parsed=parsed)
    score = (Decimal(earned * 100) / Decimal(possible or 1)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    attempt.answers = _dump_answers(parsed, questions)
    attempt.points_earned = earned
    attempt.points_possible = possible
    attempt.score = score
    attempt.passed = score >= attempt.quiz.passing_score
    attempt.submitted_at = now()
    attempt.timed_out = timed_out
    if pending:  # an essay waits for a person: no score yet (ADR 0027, ``attempt_answer_grade``)
        attempt.score = attempt.passed = None
        attempt.save()
        audit_record(actor=actor, action="attempt.submit", target=attempt, quiz=attempt.quiz_id, needs_grading=True)
        return attempt
    attempt.save()
    _graded(actor=actor, attempt=attempt, reporter=actor, timed_out=timed_out)
    return attempt


def _graded(*, actor: Actor, attempt: Attempt, reporter: Actor, **audited: Any) -> None:
    """What follows every grade: the audit row, ``AttemptGraded`` and the lesson's outcome, reported
    to learning as ``reporter`` (the learner, or the platform when a person graded)."""
    score = str(attempt.score)
    audit_record(
        actor=actor,
        action="attempt.grade",
        target=attempt,
        quiz=attempt.quiz_id,
        score=score,
        passed=attempt.passed,
        **audited,
    )
    events.emit(
        events.AttemptGraded(
            actor=actor,
            attempt_id=attempt.pk,
            quiz_id=attempt.quiz_id,
            enrolment_id=attempt.enrolment_id,
            score=score,
            passed=bool(attempt.passed),
        )
    )
    _lesson_outcome_report(actor=reporter, attempt=attempt)


@transaction.atomic
def attempt_close_if_expired(*, actor: Actor, attempt: Attempt) -> Attempt:
    """Close an open attempt whose time and grace are up, graded as saved: expired attempts are
    closed by the learner's next POST to the quiz (or by ``attempts_close_expired`` on a
    schedule), never by a read, and no timer runs per attempt."""
    if not attempt_expired(attempt):
        return attempt
    attempt = _locked_own_attempt(actor=actor, attempt=attempt)
    if not attempt_expired(attempt):
        return attempt
    return _attempt_grade(actor=actor, attempt=attempt, parsed=None)


def attempts_close_expired(*, moment: datetime | None = None) -> int:
    """The scheduled close (``microcred attempts close-expired``): every open attempt whose
    deadline and grace are past is graded with the answers saved by then (``timed_out``), as the
    learner's next POST would grade it, by the platform. Reads never close attempts (ADR 0026,
    addendum), so this is what records the outcome of a learner who never comes back. Each close
    is its own transaction, under the attempt's row lock, and an attempt closed meanwhile is left
    alone: safe to run often and beside learners. Returns how many it closed."""
    moment = moment or now()
    due = Attempt.objects.filter(submitted_at__isnull=True, deadline__lt=moment - attempt_grace())
    closed = 0
    for attempt_id in due.order_by("deadline", "id").values_list("id", flat=True):
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(of=("self",)).select_related("quiz", "enrolment").get(pk=attempt_id)
            )
            if attempt_expired(attempt, at=moment):
                _attempt_grade(actor=SYSTEM, attempt=attempt, parsed=None)
                closed += 1
    return closed


def quiz_grade(*, quiz: Quiz, attempts: list[Attempt]) -> Decimal | None:
    """The quiz's score for one learner by its grading method, over their graded attempts."""
    graded = sorted((a for a in attempts if a.is_submitted and a.score is not None), key=lambda a: a.number)
    return grade_of(quiz.grading_method or GradingMethod.HIGHEST, [a.score for a in graded])  # type: ignore[misc]


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
    # The grading method turns every graded attempt into the lesson's score (issue 8).
    quiz = attempt.quiz
    score = quiz_grade(quiz=quiz, attempts=list(Attempt.objects.filter(quiz=quiz, enrolment=enrolment)))
    passed = score is not None and score >= quiz.passing_score
    lesson_outcome_record(actor=actor, enrolment=enrolment, lesson=lesson, passed=passed, score=score)


@transaction.atomic
def quiz_discard(*, actor: Actor, quiz: Quiz) -> None:
    """Delete a quiz nobody has attempted, with its question bank when no other quiz uses it.
    Used when draft content is removed or replaced; attempted quizzes are kept as evidence."""
    require_org_role(actor, quiz.bank.provider)
    if quiz.attempts.exists():
        raise Conflict("Learners have attempted this quiz; it is kept.", code="quiz_attempted")
    bank = quiz.bank
    quiz.delete()
    # A shared bank (imported, or made on the bank pages) is the provider's, not the quiz's.
    if not bank.is_shared and not bank.quizzes.exists():
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
    data: dict[str, Any] | None = None,
) -> Question:
    """Add a question to a bank no learner has seen, or replace one of its questions with its
    choices, under the same rules as ``quiz_create`` (``choices``: ``[{"text", "correct"}]``;
    ``data``: the kind's own spec)."""
    bank = _require_open_bank(actor=actor, bank=bank)
    if question is not None and question.bank_id != bank.pk:
        raise NotFound("Question not found.")
    spec = {"kind": kind, "text": text, "choices": choices, "data": data or {}}
    qt = validate_question(spec, where="This question")
    if question is None:
        question = Question(bank=bank)
        if position is None:
            position = (bank.questions.aggregate(p=Max("position"))["p"] or 0) + 1
    question.kind = kind
    question.text = qt.clean_text(spec, where="This question")
    question.data = qt.clean_data(spec, where="This question")
    question.explanation = str(explanation or "")
    question.points = points
    if position is not None:
        question.position = position
    full_clean_or_fail(question)
    adding = question.pk is None
    question.save()
    # Nobody has answered these choices (the bank is open), so they are replaced, not patched.
    question.choices.all().delete()
    fractions = qt.choice_fractions(choices, question.data) if qt.uses_choices else []  # type: ignore[attr-defined]
    for n, (choice_spec, fraction) in enumerate(zip(choices, fractions, strict=False), start=1):
        choice = Choice(
            question=question,
            text=str(choice_spec.get("text", "")).strip(),
            is_correct=bool(choice_spec.get("correct")),
            fraction=fraction,
            feedback=str(choice_spec.get("feedback") or ""),
        )
        choice.position = int(choice_spec.get("position") or n)
        full_clean_or_fail(choice)
        choice.save()
    audit_record(actor=actor, action="question.create" if adding else "question.update", target=question, bank=bank.pk)
    return question


@transaction.atomic
def question_revise(*, actor: Actor, question: Question, spec: dict[str, Any], skill: Any = None) -> Question:
    """Edit a question (ADR 0027). While no learner has attempted a quiz of its bank it is
    changed in place; after that it never changes: the edit becomes the next version of its
    family, the old version retires (``is_current`` False) and keeps grading and showing the
    attempts that served it, and new attempts draw the new version. The skill: ``skill`` when
    given, else the spec's ``skill`` (a URI; empty: none) when the spec has the key, else kept."""
    question = Question.objects.select_for_update().select_related("bank__provider").get(pk=question.pk)
    require_org_role(actor, question.bank.provider)
    if not question.is_current:
        raise Conflict("This is an old version of the question; edit its latest version.", code="question_retired")
    validate_question(spec, where="This question")
    if skill is not None and skill.pk is None:
        raise NotFound("Skill not found.")
    if skill is None and "skill" in spec:
        skill = _skill_of(spec, where="This question")
        spec = {k: v for k, v in spec.items() if k != "skill"}
        if skill is None:
            question.skill = None
    if not Attempt.objects.filter(quiz__bank=question.bank).exists() and not bank_in_use(bank=question.bank):
        revised = _question_create(
            bank=question.bank,
            spec=spec,
            position=question.position,
            where="This question",
            family=question.family,
            version=question.version + 1,
            skill=skill if skill is not None else question.skill,
        )
        question.delete()
    else:
        Question.objects.filter(pk=question.pk).update(is_current=False)
        revised = _question_create(
            bank=question.bank,
            spec=spec,
            position=question.position,
            where="This question",
            family=question.family,
            version=question.version + 1,
            skill=skill if skill is not None else question.skill,
        )
    audit_record(
        actor=actor, action="question.revise", target=revised, family=str(revised.family), version=revised.version
    )
    return revised


def _skill_of(spec: dict[str, Any], *, where: str) -> Skill | None:
    """The skill a spec aligns its question to, by URI (as the catalog format names skills)."""
    if not spec.get("skill"):
        return None
    skill = Skill.objects.filter(uri=str(spec["skill"]).strip()).first()
    if skill is None:
        raise ValidationFailed(f"{where}: unknown skill {spec['skill']}.", errors={"skill": ["Unknown skill."]})
    return skill


@transaction.atomic
def question_bank_create(*, actor: Actor, provider: Organisation, title: str) -> QuestionBank:
    """A new, empty shared bank of ``provider``, to write questions into on the bank pages."""
    require_org_role(actor, provider)
    bank = QuestionBank(provider=provider, title=(title or "").strip(), is_shared=True)
    full_clean_or_fail(bank)
    bank.save()
    audit_record(actor=actor, action="question_bank.create", target=bank)
    return bank


@transaction.atomic
def question_create(*, actor: Actor, bank: QuestionBank, spec: dict[str, Any]) -> Question:
    """Add one question (a spec in the catalog format) after the last of ``bank``. A shared bank
    takes new questions at any time: attempts keep the questions they were served, and new
    attempts may draw the new one. A quiz's own bank (its questions are the quiz's, written in the
    lesson editor) only while no learner can take the quiz."""
    bank = QuestionBank.objects.select_for_update().select_related("provider").get(pk=bank.pk)
    require_org_role(actor, bank.provider)
    if not bank.is_shared:
        bank = _require_open_bank(actor=actor, bank=bank)
    skill = _skill_of(spec, where="This question")
    position = (bank.questions.aggregate(p=Max("position"))["p"] or 0) + 1
    question = _question_create(bank=bank, spec=spec, position=position, where="This question", skill=skill)
    audit_record(actor=actor, action="question.create", target=question, bank=bank.pk)
    return question


@transaction.atomic
def question_retire(*, actor: Actor, question: Question) -> bool:
    """Take a question out of its bank. A question some attempt may have served (its bank's quiz
    was attempted or is offered) is retired, not deleted: ``is_current`` False, so new attempts no
    longer draw it while past attempts keep grading and showing it (as an edit makes a new
    version, a flawed question can be taken out of a quiz learners take). Otherwise it is deleted.
    Refused when a quiz drawing on the bank would be left with too few questions. True: retired."""
    question = Question.objects.select_for_update().select_related("bank__provider").get(pk=question.pk)
    require_org_role(actor, question.bank.provider)
    if not question.is_current:
        raise Conflict("This version of the question is already retired.", code="question_retired")
    bank = question.bank
    for quiz in bank.quizzes.all():
        left = quiz_questions(quiz).exclude(pk=question.pk).count()
        if left == 0:
            raise Conflict(f"“{quiz.title}” keeps at least one question.", code="last_question")
        if quiz.question_count is not None and quiz.question_count > left:
            raise Conflict(
                f"“{quiz.title}” draws {quiz.question_count} questions; only {left} would be left. "
                "Lower its question count first.",
                code="last_question",
            )
    retire = bank_in_use(bank=bank) or Attempt.objects.filter(quiz__bank=bank).exists()
    audit_record(
        actor=actor,
        action="question.retire" if retire else "question.delete",
        target=bank,
        question=question.pk,
        family=str(question.family),
        text=question.text[:200],
    )
    if retire:
        Question.objects.filter(pk=question.pk).update(is_current=False)
    else:
        question.delete()
    return retire


@transaction.atomic
def question_delete(*, actor: Actor, question: Question) -> None:
    bank = _require_open_bank(actor=actor, bank=question.bank)
    remaining = bank.questions.exclude(pk=question.pk).count()
    if remaining == 0 and bank.quizzes.exists():
        raise Conflict("A quiz keeps at least one question.", code="last_question")
    # Each quiz counts what is left in its own category (a shared bank serves several).
    for quiz in bank.quizzes.all():
        left = quiz_questions(quiz).exclude(pk=question.pk).count()
        if left == 0:
            raise Conflict(f"“{quiz.title}” keeps at least one question.", code="last_question")
        if quiz.question_count is not None and quiz.question_count > left:
            raise Conflict(
                "A quiz of this bank draws more questions than would be left; lower its question count first."
            )
    audit_record(actor=actor, action="question.delete", target=bank, question=question.text[:200])
    question.delete()


QUIZ_UPDATE_FIELDS: Final[frozenset[str]] = frozenset({"title"}) | QUIZ_SETTINGS


@transaction.atomic
def quiz_update(*, actor: Actor, quiz: Quiz, **fields: Any) -> Quiz:
    """Change a quiz's settings while no learner can take it (its bank is open)."""
    unknown = set(fields) - QUIZ_UPDATE_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown quiz fields: {', '.join(sorted(unknown))}.")
    _require_open_bank(actor=actor, bank=quiz.bank)
    quiz = Quiz.objects.select_for_update().select_related("lesson__module__microcredential").get(pk=quiz.pk)
    integrity = {k: fields[k] for k in _INTEGRITY_SETTINGS & set(fields)}
    for key, value in fields.items():
        if key not in integrity:
            setattr(quiz, key, value)
    _quiz_settings_apply(quiz, integrity)
    if quiz.question_count is not None and not 1 <= quiz.question_count <= quiz_questions(quiz).count():
        raise ValidationFailed(
            "question_count must be between 1 and the number of questions.",
            errors={"question_count": ["Out of range."]},
        )
    full_clean_or_fail(quiz)
    _quiz_settings_check(quiz, lesson=quiz.lesson)
    quiz.save()
    audit_record(actor=actor, action="quiz.update", target=quiz, fields=sorted(fields))
    return quiz


# --- Grading by kind and by hand (ADR 0027) ----------------------------------------------------


def attempt_points(
    *, attempt: Attempt, questions: dict[int, Question], parsed: dict[int, Any]
) -> tuple[Decimal, int, bool]:
    """Points earned (partial credit in hundredths), points possible, and whether an answer
    still waits for a person. Each question is graded by its kind; a hand-graded answer counts
    what its grader gave (``Attempt.hand_grades``)."""
    earned = Decimal(0)
    possible = 0
    pending = False
    hand = attempt.hand_grades or {}
    for qid in attempt.question_ids:
        question = questions.get(qid)
        if question is None:
            continue
        possible += question.points
        if str(qid) in hand:
            earned += Decimal(hand[str(qid)]["points"])
            continue
        grade = question_type(question.kind).grade_for(question, parsed.get(qid), seed=served_seed(attempt))
        pending = pending or grade.pending
        earned += Decimal(grade.points)
    return earned, possible, pending


@transaction.atomic
def attempt_answer_grade(
    *, actor: Actor, attempt: Attempt, question_id: int, points: Decimal | int | str, feedback: str = ""
) -> Attempt:
    """An instructor grades one hand-graded answer (an essay) of a submitted attempt. Once no
    answer waits any more the attempt gets its score, and the lesson's outcome is reported as
    for any graded attempt. A grade may be changed until then; every grade is audited."""
    attempt = Attempt.objects.select_for_update().select_related("quiz__bank__provider").get(pk=attempt.pk)
    require_org_role(actor, attempt.quiz.bank.provider, ALL_ROLES)  # graders grade too
    if not attempt.is_submitted:
        raise Conflict("The attempt has not been submitted yet.", code="attempt_open")
    if not attempt.needs_grading:
        raise Conflict("This attempt is already graded.", code="already_graded")
    questions = _served_questions(attempt)
    question = questions.get(int(question_id))
    if question is None or not question_type(question.kind).graded_by_hand:
        raise NotFound("No answer to grade by hand for this question in this attempt.")
    try:
        given = Decimal(str(points))
    except ArithmeticError:
        given = Decimal(-1)
    if not given.is_finite() or not Decimal(0) <= given <= question.points:
        raise ValidationFailed(
            f"Points must be a number from 0 to {question.points}.", errors={"points": ["Out of range."]}
        )
    given = given.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    attempt.hand_grades = {
        **(attempt.hand_grades or {}),
        str(question.pk): {
            "points": str(given),
            "feedback": str(feedback or "").strip(),
            "by": actor.pk,
            "at": now().isoformat(),
        },
    }
    audit_record(actor=actor, action="attempt.answer_grade", target=attempt, question=question.pk, points=str(given))
    earned, possible, pending = attempt_points(
        attempt=attempt, questions=questions, parsed=_saved_answers(attempt, questions)
    )
    if pending:
        attempt.save(update_fields=["hand_grades"])
        return attempt
    score = (earned * 100 / Decimal(possible or 1)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    attempt.points_earned = earned
    attempt.score = score
    attempt.passed = score >= attempt.quiz.passing_score
    attempt.save(update_fields=["hand_grades", "points_earned", "score", "passed"])
    # Learning takes outcomes from the learner or the platform; the grader is named in the audit row.
    _graded(actor=actor, attempt=attempt, reporter=SYSTEM)
    return attempt


# --- Question files: import and export (ADR 0027) -------------------------------------------------

QUESTION_FILE_FORMATS: Final[tuple[str, ...]] = ("gift", "aiken")
MAX_QUESTION_FILE_BYTES: Final[int] = 5 * 1024 * 1024


@dataclass(frozen=True)
class BankImport:
    bank: QuestionBank
    created: int
    categories: tuple[str, ...]
    skipped: tuple[str, ...]


def question_file_read(*, content: bytes | str, file_format: str) -> ParsedBank:
    """A question file read by its format's parser; ``ValidationFailed`` listing every problem
    with its line (``errors`` keyed ``"line N"``) when it cannot be read."""
    if file_format not in QUESTION_FILE_FORMATS:
        raise ValidationFailed("The format is 'gift' or 'aiken'.", errors={"format": ["Unknown format."]})
    if isinstance(content, bytes):
        if len(content) > MAX_QUESTION_FILE_BYTES:
            raise ValidationFailed("The file is larger than 5 MB.", errors={"file": ["Too large."]})
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed("The file is not UTF-8 text.", errors={"file": ["Not UTF-8."]}) from None
    try:
        return parse_gift(content) if file_format == "gift" else parse_aiken(content)
    except FormatError as exc:
        errors: dict[str, list[str]] = {}
        for problem in exc.problems:
            errors.setdefault(f"line {problem.line}", []).append(problem.message)
        raise ValidationFailed(str(exc), code=exc.code, errors=errors) from exc


@transaction.atomic
def question_bank_import(
    *,
    actor: Actor,
    provider: Organisation,
    content: bytes | str,
    file_format: str,
    bank: QuestionBank | None = None,
    title: str = "",
    progress: Any = None,
) -> BankImport:
    """Import a GIFT or Aiken file into a new bank of ``provider`` (titled ``title``) or into
    ``bank``, one no learner has seen, after its last question. All or nothing: the whole file is
    read and every question checked by its kind before anything is written, and any problem,
    with its line, leaves the banks as they were. Categories come from ``$CATEGORY`` lines.
    ``progress(done, total)`` is called as questions are written (the CLI's progress bar)."""
    require_org_role(actor, provider)
    if bank is not None:
        if bank.provider_id != provider.pk:
            raise NotFound("Question bank not found.")
        bank = _require_open_bank(actor=actor, bank=bank)
    mapped = specs_from_parsed(question_file_read(content=content, file_format=file_format))
    if bank is None:
        bank = QuestionBank(provider=provider, title=(title or "").strip() or "Imported questions", is_shared=True)
        full_clean_or_fail(bank)
        bank.save()
    start = (bank.questions.aggregate(p=Max("position"))["p"] or 0) + 1
    total = len(mapped.questions)
    for n, item in enumerate(mapped.questions):
        _question_create(bank=bank, spec=item.spec, position=start + n, where=f"line {item.line}")
        if progress is not None:
            progress(n + 1, total)
    categories = tuple(dict.fromkeys(item.spec["category"] for item in mapped.questions if item.spec["category"]))
    audit_record(
        actor=actor,
        action="question_bank.import",
        target=bank,
        format=file_format,
        questions=total,
        skipped=len(mapped.skipped),
    )
    return BankImport(bank=bank, created=total, categories=categories, skipped=mapped.skipped)
