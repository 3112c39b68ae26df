"""A placement quiz (issue 9 §7): a learner takes it without enrolling; passing it proves the
micro-credential's skills at their target level (source "placement", verified), the plan is
proposed again without that step and says so; the plan page and API offer the quiz on the step."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse

from microcred.assessment.models import Attempt, Quiz
from microcred.assessment.services import quiz_lesson_create, quiz_settings_export
from microcred.careers.selectors import SourceKind, skill_profile
from microcred.careers.services import career_goal_set, plan_propose
from microcred.catalog.models import MicroCredential
from microcred.catalog.services import microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.core.clock import now
from microcred.learning.models import Enrolment
from tests.careers.conftest import aligned_microcredential
from tests.factories import as_served, correct_answers, microcredential_fields

pytestmark = pytest.mark.django_db


def _sql_basics_with_placement(careers, *, max_attempts: int = 2) -> MicroCredential:
    mc = microcredential_create(
        actor=SYSTEM,
        provider=careers.provider,
        skills=[(careers.sql, "beginner")],
        **microcredential_fields(slug="sql-basics", title="SQL Basics", price=Decimal(100), workload_hours=20),
    )
    module = module_create(actor=SYSTEM, microcredential=mc, title="Learn")
    quiz_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Final quiz",
        max_attempts=3,
        questions=[_question("Which keyword reads rows?", "SELECT", "FETCH")],
    )
    quiz_lesson_create(
        actor=SYSTEM,
        module=module,
        title="SQL placement",
        required=False,
        placement=True,
        max_attempts=max_attempts,
        questions=[
            _question("Which keyword reads rows?", "SELECT", "FETCH"),
            _question("Which clause filters rows?", "WHERE", "FILTER BY"),
        ],
    )
    return microcredential_publish(actor=SYSTEM, microcredential=mc)


def _question(text: str, right: str, wrong: str) -> dict:
    return {
        "kind": "single",
        "text": text,
        "choices": [{"text": right, "correct": True}, {"text": wrong, "correct": False}],
    }


@pytest.fixture
def placement(careers) -> Quiz:
    """SQL Basics, with a placement quiz, and SQL in Practice; the learner's goal is Data analyst."""
    basics = _sql_basics_with_placement(careers)
    practice = aligned_microcredential(
        provider=careers.provider,
        skills=[(careers.sql, "intermediate")],
        question_skill=careers.sql,
        slug="sql-practice",
        title="SQL in Practice",
        price=Decimal(200),
        workload_hours=30,
    )
    career_goal_set(actor=careers.learner, learner=careers.learner, kind="occupation", occupation=careers.analyst)
    assert practice.status == "published"
    return Quiz.objects.get(lesson__module__microcredential=basics, placement=True)


def _answers(attempt: Attempt, *, right: bool) -> dict[str, str]:
    served = correct_answers(attempt, served=True)
    posted: dict[str, str] = {"action": "submit", "attempt": str(attempt.pk)}
    for qid in attempt.question_ids:
        if right:
            posted[f"q{qid}"] = str(served[str(qid)][0])
        else:
            question = attempt.quiz.bank.questions.get(pk=qid)
            wrong = next(c.pk for c in question.choices.all() if not c.is_correct)
            posted[f"q{qid}"] = str(as_served(attempt, {str(qid): [wrong]})[str(qid)][0])
    return posted


def _take(client, quiz: Quiz, *, right: bool, next_path: str = "/me/plan/"):
    page = reverse("assessment:placement", args=[quiz.pk]) + f"?next={next_path}"
    assert client.post(page, {"action": "start"}).status_code == 302
    attempt = Attempt.objects.filter(quiz=quiz, enrolment__isnull=True).latest("pk")
    # The re-plan runs after the grade commits, as it does outside the test's transaction.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(page, _answers(attempt, right=right), follow=True)


def test_the_plan_offers_the_placement_quiz_and_passing_it_skips_the_step(careers, placement, signed_in):
    quiz = placement
    plan = plan_propose(actor=careers.learner, today=now().date())
    assert [s["title"] for s in plan.steps][:2] == ["SQL Basics", "SQL in Practice"]
    client = signed_in(careers.learner)
    page = client.get(reverse("careers:plan")).content.decode()
    assert "Already know this?" in page and "Take the placement quiz (2 questions)</a> to skip it" in page
    assert reverse("assessment:placement", args=[quiz.pk]) in page

    form = client.get(reverse("assessment:placement", args=[quiz.pk])).content.decode()
    assert "2 questions" in form and "Passing proves SQL at beginner" in form

    with_result = _take(client, quiz, right=True)
    result = with_result.content.decode()
    assert "Passed" in result and "Your skill profile now shows SQL at beginner" in result
    assert not Enrolment.objects.filter(user=careers.learner).exists()  # no enrolment was needed

    sql = next(item for item in skill_profile(careers.learner, today=now().date()) if item.skill == careers.sql)
    assert sql.verified_level == "beginner"
    assert any(source.kind == SourceKind.PLACEMENT for source in sql.sources)

    page = client.get(reverse("careers:plan")).content.decode()
    assert "Your plan was updated." in page and "You passed the placement quiz of “SQL Basics”" in page
    steps = client.get("/api/v1/me/plan").json()["steps"]
    assert "SQL Basics" not in [s["title"] for s in steps] and steps[0]["title"] == "SQL in Practice"


def test_the_api_plan_step_carries_the_placement_quiz(careers, placement, signed_in):
    quiz = placement
    plan_propose(actor=careers.learner, today=now().date())
    steps = signed_in(careers.learner).get("/api/v1/me/plan").json()["steps"]
    by_title = {s["title"]: s for s in steps}
    placement = by_title["SQL Basics"]["placement"]
    assert placement["quiz_id"] == quiz.pk and placement["questions"] == 2
    assert placement["url"].endswith(reverse("assessment:placement", args=[quiz.pk]) + "?next=/me/plan/")
    assert by_title["SQL in Practice"]["placement"] is None


def test_failing_the_placement_quiz_proves_nothing_and_keeps_to_the_attempt_limit(careers, placement, signed_in):
    quiz = placement
    plan = plan_propose(actor=careers.learner, today=now().date())
    client = signed_in(careers.learner)
    assert "Not passed" in _take(client, quiz, right=False).content.decode()
    assert "Not passed" in _take(client, quiz, right=False).content.decode()
    page = reverse("assessment:placement", args=[quiz.pk])
    refused = client.post(page, {"action": "start"}, follow=True).content.decode()
    assert "You have used all 2 attempts at this quiz." in refused
    assert Attempt.objects.filter(quiz=quiz, user=careers.learner).count() == 2
    sql = [item for item in skill_profile(careers.learner, today=now().date()) if item.skill == careers.sql]
    assert not sql or sql[0].verified_level is None
    assert careers.learner.learning_plans.get(status="current").pk == plan.pk


def test_only_placement_quizzes_of_published_courses_open_and_attempts_stay_the_learners(careers, placement, signed_in):
    quiz = placement
    final = Quiz.objects.get(lesson__module__microcredential=quiz.lesson.module.microcredential, placement=False)
    client = signed_in(careers.learner)
    assert client.get(reverse("assessment:placement", args=[final.pk])).status_code == 404
    assert client.post(reverse("assessment:placement", args=[final.pk]), {"action": "start"}).status_code == 404
    _take(client, quiz, right=True)
    attempt = Attempt.objects.get(quiz=quiz, user=careers.learner)
    own = reverse("assessment:placement_result", args=[quiz.pk, attempt.pk])
    assert client.get(own).status_code == 200
    assert signed_in(careers.other).get(own).status_code == 404


def test_the_next_link_stays_on_this_site(careers, placement, signed_in):
    quiz = placement
    client = signed_in(careers.learner)
    page = client.get(reverse("assessment:placement", args=[quiz.pk]) + "?next=https://evil.example/").content
    assert b"evil.example" not in page


def test_the_catalog_file_keeps_the_placement_flag(careers, placement):
    quiz = placement
    assert quiz_settings_export(quiz=quiz)["placement"] is True
    final = Quiz.objects.get(lesson__module__microcredential=quiz.lesson.module.microcredential, placement=False)
    assert "placement" not in quiz_settings_export(quiz=final)
