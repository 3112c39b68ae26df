"""An overall pass mark on the weighted score (ADR 0033): through the services an assessment calls,
the learner's course and completion pages and the API, the workspace form, publishing, the catalog
file format, and what a passed quiz shows while its retake could still reach the mark."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from microcred.assessment.attempt_rules import Shown
from microcred.assessment.selectors import attempt_shown
from microcred.assessment.services import attempt_start, attempt_submit, quiz_lesson_create
from microcred.catalog.models import Lesson, LessonKind, MicroCredential
from microcred.catalog.services import microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.core.errors import ValidationFailed
from microcred.learning.models import Completion, Enrolment
from microcred.learning.services import completion_requirements, enrolment_create, lesson_outcome_record
from microcred.learning.views import completion_url
from microcred.projects.services import assignment_lesson_create
from tests.factories import (
    QUIZ_QUESTIONS,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    correct_answers,
    microcredential_fields,
)
from tests.projects.conftest import RUBRIC

pytestmark = pytest.mark.django_db

SMALL_CATALOG = Path(__file__).parent.parent / "cli" / "data" / "small_catalog.json"


def _course(*, overall_pass_mark: int | None = 70, weighted: bool = True, publish: bool = True) -> MicroCredential:
    """A quiz, "Midterm" (weight 1, pass mark 50, unlimited attempts), and a project, "Final"
    (weight 3, pass mark 50), with an overall pass mark on the weighted score."""
    provider = OrganisationFactory(slug="mark-academy")
    fields = microcredential_fields(slug="marked", overall_pass_mark=overall_pass_mark)
    mc = microcredential_create(actor=SYSTEM, provider=provider, **fields)
    module = module_create(actor=SYSTEM, microcredential=mc, title="Tests")
    quiz_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Midterm",
        passing_score=50,
        weight=1 if weighted else None,
        questions=QUIZ_QUESTIONS,
        unlimited_attempts=True,
    )
    assignment_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Final",
        instructions="Do it.",
        rubric=RUBRIC,
        passing_score=50,
        weight=3 if weighted else None,
    )
    return microcredential_publish(actor=SYSTEM, microcredential=mc) if publish else mc


def _lesson(mc: MicroCredential, title: str) -> Lesson:
    return Lesson.objects.get(module__microcredential=mc, title=title)


def _grade_project(enrolment: Enrolment, lesson: Lesson, score: str) -> None:
    # As projects reports a grade: the platform acts, passed at the pass mark (50).
    lesson_outcome_record(
        actor=SYSTEM, enrolment=enrolment, lesson=lesson, passed=Decimal(score) >= 50, score=Decimal(score)
    )


def test_every_part_passed_under_the_overall_pass_mark_is_not_a_completion_until_the_mark_is_reached():
    mc = _course(overall_pass_mark=70)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    midterm, final = _lesson(mc, "Midterm"), _lesson(mc, "Final")
    lesson_outcome_record(actor=learner, enrolment=enrolment, lesson=midterm, passed=True, score=Decimal("80"))
    _grade_project(enrolment, final, "60")  # every part passed: (80 + 3 × 60) / 4 = 65 < 70

    requirements = completion_requirements(enrolment=enrolment)
    assert requirements["missing_lessons"] == [] and requirements["missing_quizzes"] == []
    assert requirements["weighted_score"] == "65.00" and requirements["overall_pass_mark"] == 70
    assert not requirements["met"]
    assert not Completion.objects.filter(enrolment=enrolment).exists()

    with TestCase.captureOnCommitCallbacks(execute=False):
        _grade_project(enrolment, final, "70")  # as a regrade would: (80 + 210) / 4 = 72.5

    completion = Completion.objects.get(enrolment=enrolment)
    assert completion.summary["weighted_score"] == "72.50"
    assert completion.summary["overall_pass_mark"] == 70


def test_without_an_overall_pass_mark_the_weighted_score_is_reported_not_required():
    mc = _course(overall_pass_mark=None)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    lesson_outcome_record(
        actor=learner, enrolment=enrolment, lesson=_lesson(mc, "Midterm"), passed=True, score=Decimal("50")
    )
    with TestCase.captureOnCommitCallbacks(execute=False):
        _grade_project(enrolment, _lesson(mc, "Final"), "50")

    completion = Completion.objects.get(enrolment=enrolment)
    assert completion.summary["weighted_score"] == "50.00"
    assert "overall_pass_mark" not in completion.summary


def test_the_course_page_the_api_and_the_completion_page_show_the_score_against_the_mark(client):
    mc = _course(overall_pass_mark=70)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    midterm, final = _lesson(mc, "Midterm"), _lesson(mc, "Final")
    lesson_outcome_record(actor=learner, enrolment=enrolment, lesson=midterm, passed=True, score=Decimal("80"))
    _grade_project(enrolment, final, "56")  # (80 + 168) / 4 = 62
    client.force_login(learner)

    html = client.get(reverse("learning:lesson", args=[enrolment.pk, midterm.pk])).content.decode()
    assert "Weighted score so far: 62.00 % of the 70 % needed" in html
    standing = client.get(f"/api/v1/enrolments/{enrolment.pk}").json()["standing"]
    assert (standing["weighted_score"], standing["overall_pass_mark"]) == ("62.00", 70)
    assert client.get(f"/api/v1/microcredentials/{mc.pk}").json()["overall_pass_mark"] == 70

    with TestCase.captureOnCommitCallbacks(execute=False):
        _grade_project(enrolment, final, "100")
    html = client.get(completion_url(enrolment)).content.decode()
    assert "<dt>Weighted score</dt><dd>95%" in html and "of the 70% needed" in html


def test_a_passed_quiz_keeps_its_answers_back_while_a_retake_could_still_reach_the_mark():
    mc = _course(overall_pass_mark=90)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    quiz = _lesson(mc, "Midterm").quiz
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))
    attempt.refresh_from_db()
    assert attempt.passed

    # Passed, but the completion still hangs on the weighted score: a retake with the answers in
    # hand could raise it, so they stay back (as before the pass).
    assert Shown.ANSWERS not in attempt_shown(attempt) and Shown.FEEDBACK not in attempt_shown(attempt)

    with TestCase.captureOnCommitCallbacks(execute=False):
        _grade_project(enrolment, _lesson(mc, "Final"), "100")
    assert Completion.objects.filter(enrolment=enrolment).exists()
    attempt.refresh_from_db()
    # Completed: nothing left to gain, the review opens as for any passed quiz.
    assert {Shown.ANSWERS, Shown.FEEDBACK} <= attempt_shown(attempt)


def test_a_passed_quiz_without_an_overall_pass_mark_shows_its_answers():
    mc = _course(overall_pass_mark=None)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    attempt = attempt_start(actor=learner, quiz=_lesson(mc, "Midterm").quiz, enrolment=enrolment)
    attempt_submit(actor=learner, attempt=attempt, answers=correct_answers(attempt))
    attempt.refresh_from_db()
    assert {Shown.ANSWERS, Shown.FEEDBACK} <= attempt_shown(attempt)


def test_publishing_refuses_an_overall_pass_mark_without_a_weighted_lesson():
    mc = _course(overall_pass_mark=70, weighted=False, publish=False)
    with pytest.raises(ValidationFailed) as refused:
        microcredential_publish(actor=SYSTEM, microcredential=mc)
    assert refused.value.code == "pass_mark_without_weights"
    assert "overall_pass_mark" in refused.value.errors
    mc.refresh_from_db()
    assert mc.status == "draft"


def test_the_workspace_form_sets_the_overall_pass_mark_and_refuses_one_out_of_range(client):
    mc = _course(overall_pass_mark=None, publish=False)
    instructor = UserFactory()
    MembershipFactory(user=instructor, organisation=mc.provider, role="instructor")
    client.force_login(instructor)
    edit = reverse("catalog:workspace_mc_edit", args=[mc.provider.slug, mc.pk])
    form = client.get(edit).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["learning_outcomes"] = "\n".join(mc.learning_outcomes)
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}

    page = client.post(edit, {**data, "overall_pass_mark": "101"})
    assert page.status_code == 200
    assert "Ensure this value is less than or equal to 100." in page.content.decode()
    mc.refresh_from_db()
    assert mc.overall_pass_mark is None

    client.post(edit, {**data, "overall_pass_mark": "75"})
    mc.refresh_from_db()
    assert mc.overall_pass_mark == 75
    detail = client.get(reverse("catalog:workspace_mc", args=[mc.provider.slug, mc.pk])).content.decode()
    assert "Overall pass mark: 75 %" in detail


def _run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_the_overall_pass_mark_round_trips_through_the_catalog_file(tmp_path):
    document = json.loads(SMALL_CATALOG.read_text(encoding="utf-8"))
    budgeting = next(mc for mc in document["microcredentials"] if mc["slug"] == "budgeting-basics")
    budgeting["modules"][0]["lessons"][0]["weight"] = 1
    budgeting["overall_pass_mark"] = 80
    source = tmp_path / "catalog.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    with transaction.atomic():
        _run("catalog_import", str(source))
        assert MicroCredential.objects.get(slug="budgeting-basics").overall_pass_mark == 80
        assert MicroCredential.objects.get(slug="spreadsheets-for-analysis").overall_pass_mark is None
        first = _run("catalog_export", "harbour-college")
        transaction.set_rollback(True)

    exported = json.loads(first)
    by_slug = {mc["slug"]: mc for mc in exported["microcredentials"]}
    assert by_slug["budgeting-basics"]["overall_pass_mark"] == 80
    # Written only when set, so files without one read (and export) as before.
    assert "overall_pass_mark" not in by_slug["spreadsheets-for-analysis"]
    assert budgeting["modules"][0]["lessons"][0]["kind"] == LessonKind.ASSIGNMENT
