"""Statistics over a quiz with one question of every kind: the selector re-grades each answer
through its kind exactly as ``attempt_submit`` graded it (partial credit included), counts an
essay's hand grade, and leaves out an attempt still waiting for one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from microcred.assessment.models import Attempt
from microcred.assessment.selectors import quiz_statistics
from microcred.assessment.services import attempt_answer_grade, attempt_start, attempt_submit
from microcred.core.actors import SYSTEM
from microcred.learning.services import enrolment_create
from tests.api.conftest import API
from tests.assessment.questions.conftest import by_kind, mixed, right_answers  # noqa: F401 - the fixture
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_kind_is_regraded_as_submitted(mixed):  # noqa: F811
    quiz = mixed["quiz"]
    q = by_kind(quiz)
    first = attempt_start(actor=mixed["learner"], quiz=quiz, enrolment=mixed["enrolment"])
    first = attempt_submit(actor=mixed["learner"], attempt=first, answers=right_answers(quiz))
    assert first.needs_grading
    assert quiz_statistics(quiz=quiz).stats.attempts == 0  # its score waits for the essay's grade
    staff = Client()
    staff.force_login(MembershipFactory(organisation=mixed["provider"], role="instructor").user)
    mc_id = mixed["enrolment"].microcredential_id
    page = staff.get(reverse("assessment:quiz_statistics", args=[mixed["provider"].slug, mc_id, mixed["lesson"].pk]))
    html = page.content.decode()
    assert "1 submitted attempt waits for a person to grade" in html and "No graded attempts yet" in html
    api = staff.get(f"{API}/orgs/{mixed['provider'].slug}/quizzes/{quiz.pk}/statistics").json()
    assert (api["attempts"], api["waiting"]) == (0, 1)

    # Graded as the platform: what is counted here is the stored hand grade, whoever gave it.
    attempt_answer_grade(actor=SYSTEM, attempt=first, question_id=q["essay"].id, points="4.5")

    other = UserFactory()
    second = attempt_start(
        actor=other,
        quiz=quiz,
        enrolment=enrolment_create(actor=other, microcredential=mixed["enrolment"].microcredential),
    )
    answers = right_answers(quiz)
    answers[str(q["numeric"].id)] = "42.5"  # half of 2
    answers[str(q["short"].id)] = "unguja"  # half of 1
    answers[str(q["ordering"].id)] = [3, 2, 0, 1]  # half of 4
    answers[str(q["truefalse"].id)] = False  # none of 1
    del answers[str(q["essay"].id)]
    attempt_submit(actor=other, attempt=second, answers=answers)

    report = quiz_statistics(quiz=quiz)
    assert report.stats.attempts == 2 and report.waiting == 0
    for scores in report.stats.counted:  # the re-graded points add up to what was stored
        assert Decimal(str(scores.earned)) == Attempt.objects.get(pk=scores.attempt_id).points_earned
        assert scores.possible == 24
    facility = {question.kind: item.facility for item, question in report.rows}
    assert facility["single"] == facility["multiple"] == facility["matching"] == facility["cloze"] == 1.0
    assert facility["numeric"] == pytest.approx(0.75)  # 1 and 1/2
    assert facility["short"] == pytest.approx(0.75)
    assert facility["ordering"] == pytest.approx(0.75)
    assert facility["truefalse"] == pytest.approx(0.5)
    assert facility["essay"] == pytest.approx(0.45)  # 4.5 of 5, and nothing written
    assert report.stats.mean == pytest.approx((23.5 + 14.5) / 48 * 100)
    # The questions read as learners read them: a cloze's answers are not in its text.
    url = reverse("assessment:quiz_statistics", args=[mixed["provider"].slug, mc_id, mixed["lesson"].pk])
    for response in (
        staff.get(url),
        staff.get(f"{API}/orgs/{mixed['provider'].slug}/quizzes/{quiz.pk}/statistics"),
        staff.get(
            reverse(
                "assessment:quiz_statistics_questions_csv", args=[mixed["provider"].slug, mc_id, mixed["lesson"].pk]
            )
        ),
    ):
        assert response.status_code == 200
        assert "quokka" not in response.content.decode() and "The _____ lives on" in response.content.decode()
