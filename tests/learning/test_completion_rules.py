"""Completion rules with weights and minimums (ADR 0029): through the services an assessment calls,
the learner's course page and the API, the workspace lesson editor, and the catalog file format."""

from __future__ import annotations

import copy
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from microcred.assessment.services import quiz_lesson_create
from microcred.catalog.models import Lesson, LessonKind, MicroCredential
from microcred.catalog.services import (
    lesson_create,
    lesson_update,
    microcredential_create,
    microcredential_publish,
    module_create,
)
from microcred.core.actors import SYSTEM
from microcred.core.errors import ValidationFailed
from microcred.learning.models import Completion, Enrolment
from microcred.learning.services import completion_requirements, enrolment_create, lesson_outcome_record
from microcred.projects.services import assignment_lesson_create
from tests.factories import QUIZ_QUESTIONS, MembershipFactory, OrganisationFactory, UserFactory, microcredential_fields
from tests.projects.conftest import RUBRIC

pytestmark = pytest.mark.django_db

SMALL_CATALOG = Path(__file__).parent.parent / "cli" / "data" / "small_catalog.json"


def _two_quizzes(*, weighted: bool = True, publish: bool = True) -> MicroCredential:
    """A quiz, "Midterm" (weight 1, pass mark 50), and a project graded with a rubric, "Final"
    (weight 3, pass mark 50, at least 70 % to count)."""
    provider = OrganisationFactory(slug="rules-academy")
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="rules"))
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
        min_score=70 if weighted else None,
    )
    return microcredential_publish(actor=SYSTEM, microcredential=mc) if publish else mc


def _quiz(mc: MicroCredential, title: str) -> Lesson:
    return Lesson.objects.get(module__microcredential=mc, title=title)


def _record(enrolment: Enrolment, lesson: Lesson, score: str) -> None:
    # As assessment reports a graded attempt (the learner acts), or projects a grade (the platform
    # acts): passed at the pass mark (50).
    lesson_outcome_record(
        actor=enrolment.user if lesson.kind == LessonKind.QUIZ else SYSTEM,
        enrolment=enrolment,
        lesson=lesson,
        passed=Decimal(score) >= 50,
        score=Decimal(score),
    )


def test_a_part_under_its_minimum_holds_completion_and_the_weighted_score_is_recorded():
    mc = _two_quizzes()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    midterm, final = _quiz(mc, "Midterm"), _quiz(mc, "Final")

    _record(enrolment, midterm, "80")
    _record(enrolment, final, "60")  # passed (50), under its minimum (70)

    requirements = completion_requirements(enrolment=enrolment)
    assert not requirements["met"]
    assert requirements["missing_lessons"] == [final.pk] and requirements["missing_quizzes"] == []
    assert requirements["weighted_score"] == "65.00"  # (1 × 80 + 3 × 60) / 4
    assert [(p["title"], p["met"]) for p in requirements["parts"]] == [("Midterm", True), ("Final", False)]
    assert not Completion.objects.filter(enrolment=enrolment).exists()

    with TestCase.captureOnCommitCallbacks(execute=False):
        _record(enrolment, final, "90")

    completion = Completion.objects.get(enrolment=enrolment)
    assert completion.summary["weighted_score"] == "87.50"  # (80 + 270) / 4
    assert [(p["lesson"], p["score"], p["weight"], p["min_score"]) for p in completion.summary["parts"]] == [
        (midterm.pk, "80.00", 1, None),
        (final.pk, "90.00", 3, 70),
    ]
    assert completion.score == Decimal("80")  # the best quiz score, as before


def test_without_weights_or_minimums_completion_is_todays_rule():
    mc = _two_quizzes(weighted=False)
    enrolment = enrolment_create(actor=UserFactory(), microcredential=mc)
    _record(enrolment, _quiz(mc, "Midterm"), "55")
    with TestCase.captureOnCommitCallbacks(execute=False):
        _record(enrolment, _quiz(mc, "Final"), "51")

    completion = Completion.objects.get(enrolment=enrolment)
    assert "weighted_score" not in completion.summary
    assert completion.score == Decimal("55")


def test_the_course_page_and_the_api_show_the_weighted_standing(client):
    mc = _two_quizzes()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    _record(enrolment, _quiz(mc, "Midterm"), "80")
    _record(enrolment, _quiz(mc, "Final"), "60")
    client.force_login(learner)

    html = client.get(reverse("learning:lesson", args=[enrolment.pk, _quiz(mc, "Midterm").pk])).content.decode()
    assert "Weighted score so far: 65.00 %" in html
    assert "Final: 60.00 % · weight 3 · needs 70 % · <strong>below the minimum</strong>" in html

    body = client.get(f"/api/v1/enrolments/{enrolment.pk}").json()
    assert body["standing"]["weighted_score"] == "65.00"
    assert body["standing"]["parts"][1] == {
        "lesson_id": _quiz(mc, "Final").pk,
        "title": "Final",
        "kind": "assignment",
        "score": "60.00",
        "weight": 3,
        "min_score": 70,
        "met": False,
    }
    outline = client.get(f"/api/v1/microcredentials/{mc.pk}").json()
    lessons = [lesson for module in outline["outline"] for lesson in module["lessons"]]
    assert [(lesson["weight"], lesson["min_score"]) for lesson in lessons] == [(1, None), (3, 70)]
    # Another learner's enrolment stays not found.
    client.force_login(UserFactory())
    assert client.get(f"/api/v1/enrolments/{enrolment.pk}").status_code == 404


def test_a_course_without_rules_shows_no_standing(client):
    mc = _two_quizzes(weighted=False)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    client.force_login(learner)
    html = client.get(reverse("learning:lesson", args=[enrolment.pk, _quiz(mc, "Midterm").pk])).content.decode()
    assert "Assessed work" not in html
    assert client.get(f"/api/v1/enrolments/{enrolment.pk}").json()["standing"] is None


def test_the_workspace_editor_sets_a_quizs_weight_an_assignments_minimum_and_neither_on_a_reading(client):
    mc = _two_quizzes(publish=False)
    instructor = UserFactory()
    MembershipFactory(user=instructor, organisation=mc.provider, role="instructor")
    reading = lesson_create(actor=SYSTEM, module=mc.modules.get(), title="Read", kind="reading", body="Text.")
    client.force_login(instructor)
    midterm = _quiz(mc, "Midterm")
    edit = reverse("catalog:workspace_lesson_edit", args=[mc.provider.slug, mc.pk, midterm.pk])

    page = client.get(edit)
    # A quiz's minimum is its pass mark: only the weight is offered.
    assert 'name="weight"' in page.content.decode() and 'name="min_score"' not in page.content.decode()
    form = {
        "title": "Midterm",
        "estimated_minutes": "10",
        "required": "on",
        "questions": page.context["form"].initial["questions"],
        "passing_score": "50",
        "max_attempts": "3",
        "weight": "2",
    }
    client.post(edit, form)
    midterm.refresh_from_db()
    assert (midterm.weight, midterm.min_score) == (2, None)

    page = client.post(edit, {**form, "weight": "0"})
    assert page.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in page.content.decode()
    midterm.refresh_from_db()
    assert midterm.weight == 2
    with pytest.raises(ValidationFailed) as refused:
        lesson_update(actor=SYSTEM, lesson=midterm, min_score=60)
    assert refused.value.errors["min_score"] == ["A quiz's minimum is its pass mark: set the pass mark instead."]

    final = _quiz(mc, "Final")
    final_page = client.get(reverse("catalog:workspace_lesson_edit", args=[mc.provider.slug, mc.pk, final.pk]))
    assert final_page.context["form"].initial["min_score"] == 70
    assert 'name="min_score"' in final_page.content.decode()

    reading_page = client.get(reverse("catalog:workspace_lesson_edit", args=[mc.provider.slug, mc.pk, reading.pk]))
    assert 'name="weight"' not in reading_page.content.decode()
    with pytest.raises(ValidationFailed) as refused:
        lesson_update(actor=SYSTEM, lesson=reading, weight=2)
    assert refused.value.errors["weight"] == ["Only a quiz or an assignment is scored."]


def _run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_weights_and_minimums_round_trip_through_the_catalog_file(tmp_path):
    document = json.loads(SMALL_CATALOG.read_text(encoding="utf-8"))
    spreadsheets = next(mc for mc in document["microcredentials"] if mc["slug"] == "spreadsheets-for-analysis")
    quiz = next(
        lesson for module in spreadsheets["modules"] for lesson in module["lessons"] if lesson["kind"] == "quiz"
    )
    quiz["weight"] = 2
    budgeting = next(mc for mc in document["microcredentials"] if mc["slug"] == "budgeting-basics")
    budgeting["modules"][0]["lessons"][0].update({"weight": 1, "min_score": 80})
    source = tmp_path / "catalog.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    with transaction.atomic():
        _run("catalog_import", str(source))
        lesson = Lesson.objects.get(module__microcredential__slug="spreadsheets-for-analysis", kind=LessonKind.QUIZ)
        assert (lesson.weight, lesson.min_score) == (2, None)
        task = Lesson.objects.get(module__microcredential__slug="budgeting-basics", kind=LessonKind.ASSIGNMENT)
        assert (task.weight, task.min_score) == (1, 80)
        first = _run("catalog_export", "harbour-college")
        transaction.set_rollback(True)

    exported = tmp_path / "exported.json"
    exported.write_text(first, encoding="utf-8")
    _run("catalog_import", str(exported))
    assert _run("catalog_export", "harbour-college") == first
    document["microcredentials"].sort(key=lambda mc: mc["slug"])
    assert json.loads(first) == document


def test_a_weight_on_a_reading_in_a_catalog_file_is_refused_and_nothing_is_imported(tmp_path):
    document = copy.deepcopy(json.loads(SMALL_CATALOG.read_text(encoding="utf-8")))
    reading = document["microcredentials"][0]["modules"][0]["lessons"][0]
    assert reading["kind"] == "reading"
    reading["weight"] = 2
    source = tmp_path / "catalog.json"
    source.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        _run("catalog_import", str(source))

    assert "Only a quiz or an assignment is scored." in str(refused.value)
    assert not MicroCredential.objects.filter(slug="spreadsheets-for-analysis").exists()


def test_the_completion_page_and_the_workspace_outline_show_the_rules(client):
    from microcred.learning.views import completion_url

    mc = _two_quizzes()
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    _record(enrolment, _quiz(mc, "Midterm"), "80")
    with TestCase.captureOnCommitCallbacks(execute=False):
        _record(enrolment, _quiz(mc, "Final"), "90")
    client.force_login(learner)

    html = client.get(completion_url(enrolment)).content.decode()
    assert "<dt>Weighted score</dt><dd>87.5%</dd>" in html

    instructor = UserFactory()
    MembershipFactory(user=instructor, organisation=mc.provider, role="instructor")
    client.force_login(instructor)
    detail = client.get(reverse("catalog:workspace_mc", args=[mc.provider.slug, mc.pk])).content.decode()
    assert "weight 3 · needs 70 %" in detail
