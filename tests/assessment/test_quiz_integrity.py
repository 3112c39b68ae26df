"""Quiz integrity (issue 8, section 1; ADR 0026) through the services: fresh seeded attempts,
attempt rules (limits, delay, dates, time limit with grace), autosave, idempotent submission,
grading methods, and the publish-time rule on unlimited attempts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from microcred.assessment.models import Attempt, Question
from microcred.assessment.selectors import answers_revealed, attempt_questions, attempt_shown
from microcred.assessment.services import (
    attempt_answers_save,
    attempt_close_if_expired,
    attempt_replay,
    attempt_start,
    attempt_start_or_resume,
    attempt_submit,
    quiz_lesson_create,
)
from microcred.catalog.services import microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.core.clock import now, shifted_to
from microcred.core.errors import Conflict, ValidationFailed
from microcred.core.models import AuditLog
from microcred.learning.models import LessonOutcome
from microcred.learning.services import enrolment_create
from tests.factories import OrganisationFactory, UserFactory, microcredential_fields

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {
        "kind": "single",
        "text": f"Question {n}?",
        "explanation": f"Because of reason {n}.",
        "choices": [{"text": f"Q{n} option {c}", "correct": c == 0} for c in range(4)],
    }
    for n in range(10)
]


def published_quiz(questions: list[dict[str, Any]] = QUESTIONS, **settings: Any):
    settings.setdefault("max_attempts", 3)
    provider = OrganisationFactory()
    mc = microcredential_create(
        actor=SYSTEM, provider=provider, **microcredential_fields(slug=f"integrity-{provider.pk}")
    )
    module = module_create(actor=SYSTEM, microcredential=mc, title="Assessment")
    lesson = quiz_lesson_create(actor=SYSTEM, module=module, title="Final", questions=questions, **settings)
    mc = microcredential_publish(actor=SYSTEM, microcredential=mc)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    return learner, enrolment, lesson.quiz


def answers(attempt: Attempt, *, right: bool) -> dict[str, list[int]]:
    out = {}
    for question in Question.objects.filter(id__in=attempt.question_ids).prefetch_related("choices"):
        out[str(question.pk)] = [c.pk for c in question.choices.all() if c.is_correct == right][:1]
    return out


def served_choice_orders(attempt: Attempt) -> list[list[int]]:
    return [[c.pk for c in q.choices.all()] for q in attempt_questions(attempt)]


# --- Fresh attempts -----------------------------------------------------------------------------


def test_each_attempt_gets_its_own_seed_and_a_retake_is_not_the_previous_attempt():
    learner, enrolment, quiz = published_quiz()
    first = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=first, answers=answers(first, right=False))
    retake = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    assert first.seed is not None and retake.seed is not None and first.seed != retake.seed
    # 10! question orders and 24^10 option orders: the same layout twice is (practically) impossible.
    assert retake.question_ids != first.question_ids
    assert served_choice_orders(retake) != served_choice_orders(first)
    # ... so copying positions from the failed attempt does not pass the retake.
    by_position = dict(zip(retake.question_ids, first.question_ids, strict=True))
    copied = {str(new): answers(first, right=True)[str(old)] for new, old in by_position.items()}
    with pytest.raises(ValidationFailed):  # the old attempt's choice ids are not this question's
        attempt_submit(actor=learner, attempt=retake, answers=copied)


def test_an_attempt_replays_exactly_from_its_seed():
    learner, enrolment, quiz = published_quiz(question_count=6)
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    assert len(attempt.question_ids) == 6
    question_ids, choice_orders = attempt_replay(attempt=attempt)
    assert question_ids == attempt.question_ids
    assert choice_orders == attempt.choice_orders
    # The stored option order is the order every reader gets.
    assert served_choice_orders(attempt) == [choice_orders[str(q)] for q in question_ids]


def test_shuffling_can_be_turned_off():
    learner, enrolment, quiz = published_quiz(shuffle_questions=False, shuffle_options=False)
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    authored = list(quiz.bank.questions.order_by("position", "id"))
    assert attempt.question_ids == [q.pk for q in authored]
    assert served_choice_orders(attempt) == [[c.pk for c in q.choices.order_by("position", "id")] for q in authored]


# --- Attempt rules ------------------------------------------------------------------------------


def test_attempt_limit_delay_and_dates():
    start = now()
    learner, enrolment, quiz = published_quiz(
        max_attempts=2,
        attempt_delay_minutes=30,
        opens_at=start + timedelta(hours=1),
        closes_at=start + timedelta(days=1),
    )
    with pytest.raises(Conflict, match="opens on") as refused:
        attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    assert refused.value.code == "quiz_not_open"
    with shifted_to(start + timedelta(hours=2)):
        first = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
        attempt_submit(actor=learner, attempt=first, answers={})
        with pytest.raises(Conflict, match="next attempt in 30 minutes") as refused:
            attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
        assert refused.value.code == "attempt_too_soon"
    with shifted_to(start + timedelta(hours=2, minutes=31)):
        second = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
        attempt_submit(actor=learner, attempt=second, answers={})
    with shifted_to(start + timedelta(hours=5)), pytest.raises(Conflict) as refused:
        attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    assert refused.value.code == "no_attempts_left"
    with shifted_to(start + timedelta(days=2)), pytest.raises(Conflict) as refused:
        attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    assert refused.value.code in {"quiz_closed", "no_attempts_left"}


def test_a_closed_quiz_refuses_to_start():
    start = now()
    learner, enrolment, quiz = published_quiz(closes_at=start + timedelta(hours=1))
    with shifted_to(start + timedelta(hours=2)), pytest.raises(Conflict, match="closed on") as refused:
        attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    assert refused.value.code == "quiz_closed"


def test_resuming_does_not_burn_an_attempt():
    learner, enrolment, quiz = published_quiz(max_attempts=1)
    attempt, created = attempt_start_or_resume(actor=learner, quiz=quiz, enrolment=enrolment)
    again, created_again = attempt_start_or_resume(actor=learner, quiz=quiz, enrolment=enrolment)
    assert created and not created_again and again.pk == attempt.pk
    assert Attempt.objects.count() == 1


# --- Autosave, the time limit and its grace -----------------------------------------------------


def test_autosave_keeps_answers_and_submit_grades_them():
    learner, enrolment, quiz = published_quiz()
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    right = answers(attempt, right=True)
    first_half = dict(list(right.items())[:5])
    saved = attempt_answers_save(actor=learner, attempt=attempt, answers=first_half)
    assert saved.answers == first_half and saved.saved_at is not None and saved.score is None
    # A cleared answer is cleared; nothing is graded by saving.
    qid = next(iter(first_half))
    saved = attempt_answers_save(actor=learner, attempt=attempt, answers={qid: None})
    assert qid not in saved.answers and not AuditLog.objects.filter(action="attempt.grade").exists()
    # Submitting with the rest: the saved answers count too.
    rest = {k: v for k, v in right.items() if k not in first_half or k == qid}
    graded = attempt_submit(actor=learner, attempt=attempt, answers=rest)
    assert graded.score == Decimal("100.00") and graded.passed


def test_autosave_refuses_answers_to_questions_not_served():
    learner, enrolment, quiz = published_quiz(question_count=3)
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    other = quiz.bank.questions.exclude(pk__in=attempt.question_ids).first()
    with pytest.raises(ValidationFailed, match="not part of this attempt"):
        attempt_answers_save(actor=learner, attempt=attempt, answers={other.pk: [other.choices.first().pk]})


def test_someone_elses_attempt_is_not_found():
    learner, enrolment, quiz = published_quiz()
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    from microcred.core.errors import NotFound

    with pytest.raises(NotFound):
        attempt_answers_save(actor=UserFactory(), attempt=attempt, answers={})
    with pytest.raises(NotFound):
        attempt_submit(actor=UserFactory(), attempt=attempt, answers={})


@override_settings(MICROCRED_QUIZ_GRACE_SECONDS=60)
def test_the_time_limit_is_enforced_on_the_server_with_a_grace():
    start = now()
    learner, enrolment, quiz = published_quiz(time_limit_minutes=10)
    with shifted_to(start):
        attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=10)
    right = answers(attempt, right=True)
    saved_part = dict(list(right.items())[:4])
    with shifted_to(start + timedelta(minutes=5)):
        attempt_answers_save(actor=learner, attempt=attempt, answers=saved_part)
    # Within the grace, a save is still taken.
    with shifted_to(start + timedelta(minutes=10, seconds=30)):
        attempt_answers_save(actor=learner, attempt=attempt, answers={})
    # After it, the attempt is closed with what was saved, and the save is refused.
    with shifted_to(start + timedelta(minutes=12)), pytest.raises(Conflict) as refused:
        attempt_answers_save(actor=learner, attempt=attempt, answers=right)
    assert refused.value.code == "attempt_expired"
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.timed_out
    assert attempt.answers == saved_part and attempt.score == Decimal("40.00")


@override_settings(MICROCRED_QUIZ_GRACE_SECONDS=60)
def test_a_late_submission_grades_what_was_saved_by_the_deadline():
    start = now()
    learner, enrolment, quiz = published_quiz(time_limit_minutes=10)
    with shifted_to(start):
        attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    right = answers(attempt, right=True)
    with shifted_to(start + timedelta(minutes=20)):
        graded = attempt_submit(actor=learner, attempt=attempt, answers=right)
    assert graded.timed_out and graded.answers == {} and graded.score == Decimal("0.00")


@override_settings(MICROCRED_QUIZ_GRACE_SECONDS=60)
def test_an_expired_attempt_is_closed_lazily_and_a_new_one_may_start():
    start = now()
    learner, enrolment, quiz = published_quiz(time_limit_minutes=10)
    with shifted_to(start):
        attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    with shifted_to(start + timedelta(minutes=10)):
        assert not attempt_close_if_expired(actor=learner, attempt=attempt).is_submitted
    with shifted_to(start + timedelta(minutes=30)):
        fresh, created = attempt_start_or_resume(actor=learner, quiz=quiz, enrolment=enrolment)
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.timed_out
    assert created and fresh.pk != attempt.pk and fresh.number == 2


# --- Idempotent submission ----------------------------------------------------------------------


def test_submitting_twice_records_one_submission():
    learner, enrolment, quiz = published_quiz()
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    first = attempt_submit(actor=learner, attempt=attempt, answers=answers(attempt, right=False))
    again = attempt_submit(actor=learner, attempt=attempt, answers=answers(attempt, right=True))
    assert again.score == first.score == Decimal("0.00") and again.submitted_at == first.submitted_at
    assert AuditLog.objects.filter(action="attempt.grade").count() == 1
    with pytest.raises(Conflict) as refused:
        attempt_answers_save(actor=learner, attempt=attempt, answers={})
    assert refused.value.code == "already_submitted"


# --- Grading methods ----------------------------------------------------------------------------


def take(learner, enrolment, quiz, n_right: int) -> Attempt:
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    right, wrong = answers(attempt, right=True), answers(attempt, right=False)
    chosen = {qid: (right if i < n_right else wrong)[qid] for i, qid in enumerate(right)}
    return attempt_submit(actor=learner, attempt=attempt, answers=chosen)


@pytest.mark.parametrize(
    ("method", "passed"),
    [("highest", True), ("average", True), ("first", False), ("last", False)],
)
def test_the_grading_method_decides_the_lessons_outcome(method, passed):
    learner, enrolment, quiz = published_quiz(grading_method=method, passing_score=60, max_attempts=3)
    take(learner, enrolment, quiz, 5)  # 50 %
    take(learner, enrolment, quiz, 10)  # 100 %
    take(learner, enrolment, quiz, 3)  # 30 %: highest 100, average 60, first 50, last 30
    outcome = LessonOutcome.objects.get(enrolment=enrolment, lesson=quiz.lesson)
    # Learning keeps a pass once recorded (ADR 0008), so "last" is read before the third attempt too.
    if method == "last":
        assert outcome.passed is True  # the second attempt's 100 % was last when it was recorded
    else:
        assert outcome.passed is passed


def test_first_attempt_grading_never_passes_on_a_retake():
    learner, enrolment, quiz = published_quiz(grading_method="first", passing_score=60)
    take(learner, enrolment, quiz, 2)
    take(learner, enrolment, quiz, 10)
    assert not LessonOutcome.objects.get(enrolment=enrolment, lesson=quiz.lesson).passed


# --- Review options ------------------------------------------------------------------------------


def test_by_default_a_credential_quiz_keeps_answers_back_until_settled():
    learner, enrolment, quiz = published_quiz(max_attempts=2)
    first = take(learner, enrolment, quiz, 2)
    assert attempt_shown(first) == {"score"} and not answers_revealed(first)
    take(learner, enrolment, quiz, 2)  # out of attempts: nothing left to use them for
    first.refresh_from_db()
    assert answers_revealed(first) and attempt_shown(first) == {"score", "correctness", "answers", "feedback"}


def test_review_options_by_moment():
    start = now()
    options = {"immediately": ["score"], "open": ["score", "correctness"], "closed": ["score", "answers"]}
    learner, enrolment, quiz = published_quiz(review_options=options, closes_at=start + timedelta(days=1))
    with shifted_to(start):
        attempt = take(learner, enrolment, quiz, 2)
        assert attempt_shown(attempt) == {"score"}
    with shifted_to(start + timedelta(minutes=10)):
        assert attempt_shown(attempt) == {"score", "correctness"}
    with shifted_to(start + timedelta(days=2)):
        assert attempt_shown(attempt) == {"score", "answers"}


def test_nothing_is_shown_while_the_attempt_is_open():
    learner, enrolment, quiz = published_quiz(review_options={"immediately": ["score", "answers"]})
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    assert attempt_shown(attempt) == frozenset()


def test_bad_settings_are_refused_with_a_clear_message():
    with pytest.raises(ValidationFailed, match="during must be empty"):
        published_quiz(review_options={"during": ["answers"]})
    with pytest.raises(ValidationFailed, match="open before it closes"):
        published_quiz(opens_at=now(), closes_at=now() - timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="Unknown lesson fields: shuffle_everything"):
        published_quiz(shuffle_everything=True)


# --- Unlimited attempts must be chosen ----------------------------------------------------------


def test_publishing_refuses_a_required_quiz_left_unlimited():
    with pytest.raises(ValidationFailed, match="counts towards the credential but allows unlimited attempts"):
        published_quiz(max_attempts=None)
    _learner, _enrolment, quiz = published_quiz(max_attempts=None, unlimited_attempts=True)
    assert quiz.max_attempts is None and quiz.unlimited_attempts


def test_an_optional_quiz_may_be_unlimited():
    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="practice"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Practice")
    quiz_lesson_create(actor=SYSTEM, module=module, title="Warm-up", questions=QUESTIONS[:2], required=False)
    from microcred.catalog.services import lesson_create

    lesson_create(actor=SYSTEM, module=module, title="Read", kind="reading", body="Text.")
    assert microcredential_publish(actor=SYSTEM, microcredential=mc).status == "published"


# --- The catalog format carries the settings ----------------------------------------------------


def catalog_with_quiz_settings(**settings: Any) -> dict[str, Any]:
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parents[1] / "cli" / "data" / "small_catalog.json").read_text())
    for mc in data["microcredentials"]:
        for module in mc["modules"]:
            for lesson in module["lessons"]:
                if "quiz" in lesson:
                    lesson["quiz"].update(settings)
    return data


def test_the_importer_takes_the_quiz_settings_and_the_exporter_gives_them_back():
    from microcred.exchange.services import catalog_export, catalog_import

    settings = {
        "max_attempts": None,
        "unlimited_attempts": True,
        "attempt_delay_minutes": 60,
        "opens_at": "2026-01-01T00:00:00+00:00",
        "closes_at": "2030-01-01T00:00:00+00:00",
        "grading_method": "average",
        "shuffle_options": False,
        "review_options": {"immediately": ["score"], "open": ["score"], "closed": ["answers", "score"]},
    }
    catalog_import(actor=SYSTEM, data=catalog_with_quiz_settings(**settings))
    from microcred.assessment.models import Quiz

    quiz = Quiz.objects.get(lesson__module__microcredential__status="published")
    assert (quiz.unlimited_attempts, quiz.attempt_delay_minutes, quiz.grading_method) == (True, 60, "average")
    assert quiz.shuffle_questions and not quiz.shuffle_options
    assert quiz.closes_at.year == 2030
    exported = catalog_export(provider=quiz.bank.provider)
    quizzes = [
        lesson["quiz"]
        for mc in exported["microcredentials"]
        if mc["status"] == "published"
        for module in mc["modules"]
        for lesson in module["lessons"]
        if "quiz" in lesson
    ]
    assert quizzes and {k: quizzes[0].get(k) for k in settings} == {
        **settings,
        "review_options": {**settings["review_options"], "during": [], "hold_until_settled": False},
    }


def test_the_importer_refuses_bad_settings_and_imports_nothing():
    from microcred.catalog.models import MicroCredential
    from microcred.exchange.services import catalog_import

    with pytest.raises(ValidationFailed, match="during must be empty"):
        catalog_import(actor=SYSTEM, data=catalog_with_quiz_settings(review_options={"during": ["answers"]}))
    with pytest.raises(ValidationFailed, match="unlimited attempts"):
        catalog_import(actor=SYSTEM, data=catalog_with_quiz_settings(max_attempts=None))
    assert not MicroCredential.objects.exists()
