"""Learning keeps its own record of how a learner did on each assessed lesson: assessment reports
it after grading through ``lesson_outcome_record``, and completion is decided from it."""

from __future__ import annotations

import ast
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from microcred.catalog.models import Lesson, LessonKind
from microcred.core.actors import SYSTEM
from microcred.core.errors import AuthenticationRequired, NotFound
from microcred.core.models import AuditLog
from microcred.learning.models import Completion, EnrolmentStatus, LessonOutcome
from microcred.learning.selectors import enrolment_progress
from microcred.learning.services import enrolment_create, lesson_complete, lesson_outcome_record
from tests.conftest import apps_as_migrated
from tests.factories import UserFactory, published_microcredential

LEARNING = Path(__file__).resolve().parents[2] / "microcred" / "learning"


def _journey():
    """A learner who has done every lesson but the quiz."""
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    for lesson in Lesson.objects.filter(module__microcredential=mc).exclude(kind=LessonKind.QUIZ):
        lesson_complete(actor=learner, enrolment=enrolment, lesson=lesson)
    quiz_lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)
    return learner, enrolment, quiz_lesson


@pytest.mark.django_db
def test_a_passing_outcome_completes_the_lesson_and_the_enrolment():
    learner, enrolment, quiz_lesson = _journey()
    assert quiz_lesson.pk not in enrolment_progress(enrolment).passed_lesson_ids

    outcome = lesson_outcome_record(
        actor=learner, enrolment=enrolment, lesson=quiz_lesson, passed=True, score=Decimal("80.00")
    )

    assert outcome.passed and outcome.score == Decimal("80.00")
    progress = enrolment_progress(enrolment)
    assert quiz_lesson.pk in progress.passed_lesson_ids and progress.percent == 100
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    completion = Completion.objects.get(enrolment=enrolment)
    assert completion.score == Decimal("80.00")
    assert completion.summary["best_scores"] == {str(quiz_lesson.quiz.pk): "80.00"}


@pytest.mark.django_db
def test_a_failing_outcome_is_recorded_but_completes_nothing():
    learner, enrolment, quiz_lesson = _journey()

    outcome = lesson_outcome_record(
        actor=learner, enrolment=enrolment, lesson=quiz_lesson, passed=False, score=Decimal("40.00")
    )

    assert not outcome.passed and outcome.score is None
    assert quiz_lesson.pk not in enrolment_progress(enrolment).passed_lesson_ids
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert not Completion.objects.exists()


@pytest.mark.django_db
def test_repeated_outcomes_keep_one_row_the_best_pass_and_complete_once():
    learner, enrolment, quiz_lesson = _journey()
    for passed, score in [(False, "40"), (True, "70"), (True, "90"), (True, "75"), (False, "10"), (True, "90")]:
        lesson_outcome_record(
            actor=learner, enrolment=enrolment, lesson=quiz_lesson, passed=passed, score=Decimal(score)
        )

    outcome = LessonOutcome.objects.get(enrolment=enrolment, lesson=quiz_lesson)
    assert outcome.passed and outcome.score == Decimal("90")
    assert LessonOutcome.objects.filter(enrolment=enrolment).count() == 1
    assert Completion.objects.filter(enrolment=enrolment).count() == 1
    # The completion is recorded at the first pass, with the score it had then.
    assert Completion.objects.get(enrolment=enrolment).score == Decimal("70")
    assert AuditLog.objects.filter(action="completion.record").count() == 1


@pytest.mark.django_db
def test_only_the_learner_records_an_outcome_of_a_lesson_of_their_micro_credential():
    learner, enrolment, quiz_lesson = _journey()
    with pytest.raises(NotFound):
        lesson_outcome_record(actor=UserFactory(), enrolment=enrolment, lesson=quiz_lesson, passed=True, score=None)
    with pytest.raises(AuthenticationRequired):
        lesson_outcome_record(actor=AnonymousUser(), enrolment=enrolment, lesson=quiz_lesson, passed=True, score=None)
    # The platform records an outcome a person graded (a project's grade, audited with the grader's name).
    lesson_outcome_record(actor=SYSTEM, enrolment=enrolment, lesson=quiz_lesson, passed=False, score=Decimal("10"))
    other_lesson = Lesson.objects.filter(module__microcredential=published_microcredential(slug="other")).first()
    with pytest.raises(NotFound):
        lesson_outcome_record(actor=learner, enrolment=enrolment, lesson=other_lesson, passed=True, score=None)
    assert list(LessonOutcome.objects.values_list("lesson_id", "passed")) == [(quiz_lesson.pk, False)]


@pytest.mark.django_db(transaction=True)
def test_the_migration_backfills_outcomes_from_graded_attempts(schema_restored_after):
    learner, enrolment, quiz_lesson = _journey()
    quiz_id = quiz_lesson.quiz.pk
    executor = MigrationExecutor(connection)
    executor.migrate([("learning", "0002_lesson_outcome")])
    Attempt = apps_as_migrated().get_model("assessment", "Attempt")
    start = timezone.now() - timedelta(hours=1)
    common = {"quiz_id": quiz_id, "user_id": learner.pk, "enrolment_id": enrolment.pk}
    for number, (passed, score) in enumerate([(False, "40"), (True, "90"), (True, "70")], start=1):
        Attempt.objects.create(
            **common,
            number=number,
            started_at=start,
            submitted_at=start + timedelta(minutes=number),
            passed=passed,
            score=Decimal(score),
        )
    Attempt.objects.create(**common, number=4, started_at=start)  # open: no outcome yet
    other = enrolment_create(actor=UserFactory(), microcredential=enrolment.microcredential)
    Attempt.objects.create(
        **{**common, "user_id": other.user_id, "enrolment_id": other.pk},
        number=1,
        started_at=start,
        submitted_at=start,
        passed=False,
        score=Decimal("0"),
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("learning", "0003_backfill_lesson_outcomes")])

    # Only the columns 0003 knows: later migrations add more (``details``, 0004).
    as_of_0003 = LessonOutcome.objects.only("passed", "score", "recorded_at")
    mine = as_of_0003.get(enrolment=enrolment, lesson=quiz_lesson)
    assert mine.passed and mine.score == Decimal("90")
    assert mine.recorded_at == start + timedelta(minutes=3)
    theirs = as_of_0003.get(enrolment=other, lesson=quiz_lesson)
    assert not theirs.passed and theirs.score is None
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # progress reads today's schema
    assert quiz_lesson.pk in enrolment_progress(enrolment).passed_lesson_ids


def test_learning_imports_nothing_of_assessment():
    """Assessment sits above learning: it reports outcomes to learning, never the reverse (the
    import-linter layers contract says the same for `make lint`)."""
    offenders = []
    for path in LEARNING.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("microcred.assessment")]
    assert offenders == []
