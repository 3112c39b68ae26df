"""Attempts stored before the attempt limit was enforced get numbers, and the race's extra open
attempts are dropped, so the new constraints can be added to a live database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from microcred.catalog.models import Lesson, LessonKind
from microcred.learning.services import enrolment_create
from tests.conftest import apps_as_migrated
from tests.factories import UserFactory, published_microcredential

BEFORE = [("assessment", "0002_initial")]
AFTER = [("assessment", "0003_attempt_number_and_limits")]


@pytest.mark.django_db(transaction=True)
def test_existing_attempts_are_numbered_and_duplicate_open_ones_dropped(schema_restored_after):
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    quiz_id = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ).quiz.pk

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_attempt = executor.loader.project_state(BEFORE).apps.get_model("assessment", "Attempt")
    start = timezone.now() - timedelta(hours=1)
    common = {"quiz_id": quiz_id, "user_id": learner.pk, "enrolment_id": enrolment.pk}
    graded = [
        old_attempt.objects.create(**common, started_at=start + timedelta(minutes=n), submitted_at=start, score=0)
        for n in range(3)
    ]
    raced_open = [old_attempt.objects.create(**common, started_at=start + timedelta(minutes=10 + n)) for n in range(2)]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    migrated_attempt = apps_as_migrated().get_model("assessment", "Attempt")
    kept = migrated_attempt.objects.filter(enrolment_id=enrolment.pk).order_by("number")
    assert [a.pk for a in kept] == [a.pk for a in graded] + [raced_open[-1].pk]
    assert [a.number for a in kept] == [1, 2, 3, 4]
