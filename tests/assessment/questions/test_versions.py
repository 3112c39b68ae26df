"""Question versions (ADR 0027): once a quiz of its bank has been attempted a question never
changes; an edit is its family's next version, which new attempts draw, while old attempts keep
grading and showing the version they served."""

from __future__ import annotations

import pytest

from microcred.assessment.models import Attempt, Question
from microcred.assessment.selectors import attempt_review
from microcred.assessment.services import attempt_start, attempt_submit, question_revise, quiz_specs
from microcred.core.actors import SYSTEM
from microcred.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.assessment.questions.conftest import by_kind, right_answers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_SHORT = {"kind": "short", "text": "Name the larger island.", "data": {"alternatives": [{"text": "Pemba"}]}}


def test_an_edit_after_an_attempt_is_a_new_version_and_the_old_attempt_is_unchanged(mixed):
    quiz, learner, enrolment = mixed["quiz"], mixed["learner"], mixed["enrolment"]
    first = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    old = by_kind(quiz)["short"]
    answers = right_answers(quiz)
    del answers[str(by_kind(quiz)["essay"].id)]
    graded = attempt_submit(actor=learner, attempt=first, answers=answers)
    before = [(r.question.pk, r.points_awarded, r.solution) for r in attempt_review(graded)]

    revised = question_revise(actor=SYSTEM, question=old, spec=NEW_SHORT)
    old.refresh_from_db()
    assert (revised.family, revised.version, revised.is_current) == (old.family, 2, True)
    assert not old.is_current and old.text == "Name the island."
    # The old attempt is graded and reviewed against what it served.
    graded = Attempt.objects.get(pk=graded.pk)
    assert [(r.question.pk, r.points_awarded, r.solution) for r in attempt_review(graded)] == before
    # New attempts draw the current version; the quiz's specs (copies, exports) carry it.
    second = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    assert revised.pk in second.question_ids and old.pk not in second.question_ids
    assert "Name the larger island." in [s["text"] for s in quiz_specs(quiz=quiz)]
    assert Question.objects.filter(family=old.family).count() == 2

    with pytest.raises(Conflict, match="old version"):
        question_revise(actor=SYSTEM, question=old, spec=NEW_SHORT)


def test_an_edit_before_any_attempt_replaces_the_question(db):
    from tests.factories import quiz_for

    quiz = quiz_for(
        questions=[
            {"kind": "truefalse", "text": "Sky is blue", "data": {"correct": True}},
            {"kind": "truefalse", "text": "Grass is red", "data": {"correct": False}},
        ]
    )
    question = quiz.bank.questions.first()
    revised = question_revise(
        actor=SYSTEM, question=question, spec={"kind": "truefalse", "text": "Sky is green", "data": {"correct": False}}
    )
    assert not Question.objects.filter(pk=question.pk).exists()
    assert revised.family == question.family and quiz.bank.questions.count() == 2


def test_revising_needs_a_role_and_a_valid_spec(mixed):
    question = by_kind(mixed["quiz"])["short"]
    with pytest.raises(PermissionDenied):
        question_revise(actor=UserFactory(), question=question, spec=NEW_SHORT)
    with pytest.raises(ValidationFailed, match="accepted answers"):
        question_revise(actor=SYSTEM, question=question, spec={"kind": "short", "text": "x", "data": {}})
    assert Question.objects.get(pk=question.pk).is_current


def test_revising_through_the_api(mixed):
    from django.test import Client

    from tests.api.conftest import API
    from tests.factories import MembershipFactory

    provider, quiz = mixed["provider"], mixed["quiz"]
    staff = UserFactory()
    MembershipFactory(user=staff, organisation=provider, role="instructor")
    client = Client()
    client.force_login(staff)
    learner, enrolment = mixed["learner"], mixed["enrolment"]
    attempt_submit(actor=learner, attempt=attempt_start(actor=learner, quiz=quiz, enrolment=enrolment), answers={})
    old = by_kind(quiz)["short"]
    url = f"{API}/orgs/{provider.slug}/question-banks/{quiz.bank_id}/questions/{old.pk}"
    bad = client.put(url, {"spec": {"kind": "short", "text": "x"}}, content_type="application/json")
    assert bad.status_code == 422 and "body.spec.This question" in str(bad.json())
    done = client.put(url, {"spec": NEW_SHORT}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["version"] == 2 and done.json()["id"] != old.pk
    assert done.json()["spec"]["data"]["alternatives"][0]["text"] == "Pemba"
    again = client.put(url, {"spec": NEW_SHORT}, content_type="application/json")
    assert again.status_code == 409
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.put(url, {"spec": NEW_SHORT}, content_type="application/json").status_code == 404
