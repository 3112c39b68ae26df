"""The link between a lesson and its quiz moves to the quiz (ADR 0025) on a live database: each
quiz learns its lesson, and the quizzes nobody can reach (left by replaced draft content) go, with
their question banks, while a bank another quiz still draws on stays."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from microcred.assessment.models import QuestionBank, Quiz
from microcred.catalog.models import Lesson, LessonKind
from tests.factories import published_microcredential

BEFORE = [("catalog", "0004_rerender_lesson_html"), ("assessment", "0003_attempt_number_and_limits")]


@pytest.mark.django_db(transaction=True)
def test_each_quiz_learns_its_lesson_and_unreachable_quizzes_go(schema_restored_after):
    mc = published_microcredential()
    lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)
    quiz_pk, bank_pk = lesson.quiz.pk, lesson.quiz.bank_id

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldQuiz, OldBank = old.get_model("assessment", "Quiz"), old.get_model("assessment", "QuestionBank")
    # Backwards, the lesson holds its quiz again.
    assert old.get_model("catalog", "Lesson").objects.get(pk=lesson.pk).quiz_id == quiz_pk
    provider_id = OldBank.objects.get(pk=bank_pk).provider_id
    lonely_bank = OldBank.objects.create(provider_id=provider_id, title="Left behind")
    orphan = OldQuiz.objects.create(bank=lonely_bank, title="Replaced draft quiz")
    # An orphan drawing on a bank that a reachable quiz uses: the quiz goes, the bank stays.
    shared_orphan = OldQuiz.objects.create(bank_id=bank_pk, title="Another replaced quiz")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Quiz.objects.get(pk=quiz_pk).lesson_id == lesson.pk
    assert Lesson.objects.get(pk=lesson.pk).quiz.pk == quiz_pk
    assert not Quiz.objects.filter(pk__in=[orphan.pk, shared_orphan.pk]).exists()
    assert not QuestionBank.objects.filter(pk=lonely_bank.pk).exists()
    assert QuestionBank.objects.filter(pk=bank_pk).exists()
