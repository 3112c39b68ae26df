"""The services behind the workspace's draft editor: module and lesson edits and deletes, quiz
lessons written together with their quiz, and the last-owner rule on role changes."""

from __future__ import annotations

import pytest

from microcred.accounts.models import Membership
from microcred.accounts.services import membership_add
from microcred.assessment.models import Question, QuestionBank, Quiz
from microcred.assessment.services import attempt_start, quiz_discard, quiz_lesson_create, quiz_lesson_update
from microcred.catalog.models import Lesson, Module
from microcred.catalog.services import (
    lesson_delete,
    microcredential_create,
    microcredential_new_version,
    module_create,
    module_delete,
    module_update,
)
from microcred.core.actors import SYSTEM
from microcred.core.errors import Conflict, PermissionDenied, ValidationFailed
from microcred.core.models import AuditLog
from microcred.learning.services import enrolment_create
from tests.factories import (
    QUIZ_QUESTIONS,
    OrganisationFactory,
    UserFactory,
    microcredential_fields,
    published_microcredential,
)

pytestmark = pytest.mark.django_db


def staff_of(provider, role="instructor"):
    user = UserFactory()
    membership_add(actor=SYSTEM, organisation=provider, user=user, role=role)
    return user


@pytest.fixture
def draft():
    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields())
    module = module_create(actor=SYSTEM, microcredential=mc, title="Basics")
    return mc, module


def test_module_update_and_delete_on_a_draft(draft):
    mc, module = draft
    instructor = staff_of(mc.provider)
    quiz_lesson_create(actor=instructor, module=module, title="Check", questions=QUIZ_QUESTIONS, passing_score=60)
    module_update(actor=instructor, module=module, title="Foundations", summary="Start here.")
    module.refresh_from_db()
    assert (module.title, module.summary) == ("Foundations", "Start here.")
    with pytest.raises(ValidationFailed):
        module_update(actor=instructor, module=module, title="")
    module_delete(actor=instructor, module=module)
    assert not Module.objects.filter(pk=module.pk).exists()
    assert (Quiz.objects.count(), QuestionBank.objects.count(), Question.objects.count()) == (0, 0, 0)
    assert AuditLog.objects.filter(action="module.delete", actor_id=instructor.pk).exists()


def test_published_content_and_outsiders_are_refused(draft):
    mc, module = draft
    outsider = staff_of(OrganisationFactory())
    grader = staff_of(mc.provider, role="grader")
    for actor in (outsider, grader):
        with pytest.raises(PermissionDenied):
            module_delete(actor=actor, module=module)
    published = published_microcredential(provider=mc.provider, slug="live")
    live_module = published.modules.first()
    live_lesson = live_module.lessons.first()
    owner = staff_of(mc.provider, role="owner")
    for attempt in (
        lambda: module_update(actor=owner, module=live_module, title="Changed"),
        lambda: module_delete(actor=owner, module=live_module),
        lambda: lesson_delete(actor=owner, lesson=live_lesson),
    ):
        with pytest.raises(Conflict):
            attempt()
    assert (
        Lesson.objects.filter(pk=live_lesson.pk).exists() and Module.objects.get(pk=live_module.pk).title != "Changed"
    )


def test_quiz_lesson_is_written_with_its_quiz_or_not_at_all(draft):
    _mc, module = draft
    bad = [
        {
            "kind": "multiple",
            "text": "All?",
            "choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}],
        }
    ]
    with pytest.raises(ValidationFailed, match="at least one correct and one wrong"):
        quiz_lesson_create(actor=SYSTEM, module=module, title="Check", questions=bad)
    with pytest.raises(ValidationFailed, match="Unknown lesson fields: kind"):
        quiz_lesson_create(actor=SYSTEM, module=module, title="Check", questions=QUIZ_QUESTIONS, kind="reading")
    assert (Lesson.objects.count(), Quiz.objects.count(), QuestionBank.objects.count()) == (0, 0, 0)

    lesson = quiz_lesson_create(
        actor=SYSTEM, module=module, title="Check", questions=QUIZ_QUESTIONS, passing_score=80, max_attempts=2
    )
    assert (lesson.kind, lesson.quiz.passing_score, lesson.quiz.max_attempts) == ("quiz", 80, 2)


def test_quiz_lesson_update_replaces_the_quiz_only_when_it_changes(draft):
    _mc, module = draft
    lesson = quiz_lesson_create(actor=SYSTEM, module=module, title="Check", questions=QUIZ_QUESTIONS)
    first_quiz = lesson.quiz.pk
    lesson = quiz_lesson_update(
        actor=SYSTEM, lesson=lesson, title="Check again", estimated_minutes=12, passing_score=70
    )
    assert (lesson.quiz.pk, lesson.title, lesson.estimated_minutes) == (first_quiz, "Check again", 12)
    lesson = quiz_lesson_update(actor=SYSTEM, lesson=lesson, passing_score=90)
    assert lesson.quiz.pk != first_quiz and lesson.quiz.passing_score == 90
    assert lesson.quiz.bank.questions.count() == 2 and not Quiz.objects.filter(pk=first_quiz).exists()
    second_quiz = lesson.quiz.pk
    with pytest.raises(ValidationFailed):
        quiz_lesson_update(actor=SYSTEM, lesson=lesson, questions=[{"kind": "single", "text": "", "choices": []}])
    assert Quiz.objects.get(lesson=lesson).pk == second_quiz and Quiz.objects.count() == 1


def test_a_new_version_gets_its_own_quizzes_so_deleting_draft_lessons_leaves_the_published_ones():
    v1 = published_microcredential()
    v2 = microcredential_new_version(actor=SYSTEM, microcredential=v1)
    v1_quiz = Lesson.objects.get(module__microcredential=v1, kind="quiz").quiz.pk
    lesson_delete(actor=SYSTEM, lesson=Lesson.objects.get(module__microcredential=v2, kind="quiz"))
    assert Quiz.objects.filter(pk=v1_quiz).exists()
    assert Lesson.objects.filter(module__microcredential=v1).count() == 3


def test_an_attempted_quiz_is_never_discarded():
    mc = published_microcredential()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    quiz = Lesson.objects.get(module__microcredential=mc, kind="quiz").quiz
    attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    with pytest.raises(Conflict):
        quiz_discard(actor=SYSTEM, quiz=quiz)
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_the_last_owner_cannot_be_demoted_but_one_of_two_can():
    provider = OrganisationFactory()
    owner = staff_of(provider, role="owner")
    with pytest.raises(Conflict, match="at least one owner"):
        membership_add(actor=owner, organisation=provider, user=owner, role="instructor")
    assert Membership.objects.get(user=owner, organisation=provider).role == "owner"
    second = staff_of(provider, role="owner")
    membership_add(actor=owner, organisation=provider, user=second, role="grader")
    assert Membership.objects.get(user=second, organisation=provider).role == "grader"
