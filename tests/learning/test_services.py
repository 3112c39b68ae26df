from __future__ import annotations

import pytest

from microcred.assessment.services import attempt_start, attempt_submit
from microcred.catalog.models import Lesson, LessonKind
from microcred.core.errors import Conflict, NotFound, ValidationFailed
from microcred.core.models import AuditLog
from microcred.learning.models import Completion, EnrolmentStatus
from microcred.learning.services import enrolment_create, enrolment_withdraw, lesson_complete
from tests.factories import UserFactory, correct_answers, published_microcredential

pytestmark = pytest.mark.django_db


def test_journey_reading_then_quiz_records_one_completion_with_audit():
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    reading = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.READING)
    quiz_lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)

    lesson_complete(actor=learner, enrolment=enrolment, lesson=reading)
    assert not Completion.objects.exists()

    attempt = attempt_start(actor=learner, quiz=quiz_lesson.quiz, enrolment=enrolment)
    graded = attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))
    assert graded.passed and graded.score == 100

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    completion = Completion.objects.get(enrolment=enrolment)
    assert completion.score == 100
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"attempt.grade", "completion.record"} <= actions


def test_failing_quiz_does_not_complete_and_wrong_multi_choice_scores_zero():
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    for lesson in Lesson.objects.filter(module__microcredential=mc).exclude(kind=LessonKind.QUIZ):
        lesson_complete(actor=learner, enrolment=enrolment, lesson=lesson)
    quiz = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ).quiz
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    answers = correct_answers(attempt)
    multi = next(k for k, v in answers.items() if len(v) == 2)
    answers[multi] = answers[multi][:1]  # half right is wrong
    graded = attempt_submit(actor=learner, attempt=attempt, answers=answers)
    assert graded.points_earned == 1 and graded.points_possible == 3
    assert not graded.passed
    assert not Completion.objects.exists()
    # Submitting again is idempotent (issue 8): the same grade, nothing graded anew.
    again = attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))
    assert again.score == graded.score and not again.passed


def test_other_learner_cannot_use_an_enrolment_or_attempt():
    mc = published_microcredential()
    owner, intruder = UserFactory(), UserFactory()
    enrolment = enrolment_create(actor=owner, microcredential=mc)
    reading = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.READING)
    with pytest.raises(NotFound):
        lesson_complete(actor=intruder, enrolment=enrolment, lesson=reading)
    quiz = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ).quiz
    attempt = attempt_start(actor=owner, quiz=quiz, enrolment=enrolment)
    with pytest.raises(NotFound):
        attempt_submit(actor=intruder, attempt=attempt, answers={})


def test_bad_answers_are_rejected_and_nothing_is_graded():
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    quiz = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ).quiz
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    with pytest.raises(ValidationFailed):
        attempt_submit(actor=learner, attempt=attempt, answers={"999999": [1]})
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.score is None


def test_quiz_lesson_cannot_be_clicked_complete_and_withdrawn_cannot_progress():
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    quiz_lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ)
    with pytest.raises(ValidationFailed):
        lesson_complete(actor=learner, enrolment=enrolment, lesson=quiz_lesson)
    enrolment_withdraw(actor=learner, enrolment=enrolment)
    reading = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.READING)
    with pytest.raises(Conflict):
        lesson_complete(actor=learner, enrolment=enrolment, lesson=reading)
    again = enrolment_create(actor=learner, microcredential=mc)
    assert again.pk == enrolment.pk and again.status == EnrolmentStatus.ACTIVE


def test_enrolling_twice_keeps_one_enrolment():
    mc = published_microcredential()
    learner = UserFactory()
    first = enrolment_create(actor=learner, microcredential=mc)
    second = enrolment_create(actor=learner, microcredential=mc)
    assert first.pk == second.pk


def test_awarding_after_completion_is_audited_with_the_learner_as_actor(django_capture_on_commit_callbacks):
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    reading = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.READING)
    lesson_complete(actor=learner, enrolment=enrolment, lesson=reading)
    quiz = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ).quiz
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))
    for action in ("completion.record", "completion.award", "credential.issue"):
        row = AuditLog.objects.get(action=action)
        assert row.actor_id == learner.pk, action
    assert Completion.objects.get(enrolment=enrolment).awarded_at is not None
