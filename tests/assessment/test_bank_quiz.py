"""A quiz drawing from an imported question bank (issue 8): a Moodle GIFT file imported through
the API, a quiz lesson made on the lesson editor page drawing 3 questions of one category, timed
and limited, then published and attempted by two learners through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from microcred.assessment import services
from microcred.assessment.models import Attempt, QuestionBank, Quiz
from microcred.assessment.services import quiz_discard, quiz_lesson_create, quiz_lesson_update
from microcred.catalog.models import Lesson, LessonKind
from microcred.catalog.services import microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.core.errors import Conflict, NotFound, ValidationFailed
from microcred.learning.services import enrolment_create
from tests.api.conftest import API
from tests.conftest import apps_as_migrated
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    as_served,
    microcredential_fields,
    published_microcredential,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "formats" / "data"
CATEGORY = "Default for New Features"  # the 4 questions of moodle_questions_in_category.gift.txt


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff(provider) -> Client:
    user = UserFactory()
    MembershipFactory(user=user, organisation=provider, role="instructor")
    return logged_in(user)


def import_gift(client: Client, provider, name: str, bank_id: int | None = None) -> int:
    where = f"{bank_id}/import" if bank_id else "import"
    response = client.post(
        f"{API}/orgs/{provider.slug}/question-banks/{where}",
        {"file": SimpleUploadedFile(name, (DATA / name).read_bytes()), "format": "gift"},
    )
    assert response.status_code == 201, response.content
    return int(response.json()["bank"]["id"])


def add_quiz_lesson(client: Client, mc, module, **fields: str):
    data = {
        "title": "Drawn quiz",
        "estimated_minutes": "10",
        "required": "on",
        "source": "bank",
        "passing_score": "50",
        "max_attempts": "2",
        "time_limit_minutes": "20",
        **fields,
    }
    return client.post(reverse("catalog:workspace_lesson_add", args=[mc.provider.slug, mc.pk, module.pk, "quiz"]), data)


@pytest.fixture
def setting():
    provider = OrganisationFactory()
    client = staff(provider)
    bank_id = import_gift(client, provider, "moodle_questions_in_category.gift.txt")
    # A second file into the same bank: nine questions outside the category, never drawn.
    assert import_gift(client, provider, "moodle_questions.gift.txt", bank_id) == bank_id
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="drawn"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Check")
    return {
        "provider": provider,
        "client": client,
        "bank": QuestionBank.objects.get(pk=bank_id),
        "mc": mc,
        "module": module,
    }


def test_an_imported_bank_is_shared_and_a_quiz_draws_from_its_category(setting, monkeypatch):
    bank, client = setting["bank"], setting["client"]
    assert bank.is_shared and bank.questions.count() == 13
    listed = client.get(reverse("assessment:banks", args=[setting["provider"].slug])).content.decode()
    assert f"<td>{bank.pk}</td>" in listed  # the number the lesson editor asks for
    in_category = set(bank.questions.filter(category=CATEGORY).values_list("id", flat=True))
    assert len(in_category) == 4

    response = add_quiz_lesson(
        client, setting["mc"], setting["module"], bank=str(bank.pk), category=CATEGORY, question_count="3"
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    quiz = Quiz.objects.get(lesson__module=setting["module"])
    assert (quiz.bank_id, quiz.category, quiz.question_count) == (bank.pk, CATEGORY, 3)
    assert (quiz.time_limit_minutes, quiz.max_attempts) == (20, 2)
    assert QuestionBank.objects.filter(provider=setting["provider"]).count() == 1  # no copy made

    mc = microcredential_publish(actor=SYSTEM, microcredential=setting["mc"])
    seeds = iter([11, 12])
    monkeypatch.setattr(services.secrets, "randbits", lambda _bits: next(seeds))
    attempts = []
    for _ in range(2):
        learner = UserFactory()
        enrolment = enrolment_create(actor=learner, microcredential=mc)
        learner_client = logged_in(learner)
        started = learner_client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz.lesson_id}/attempts")
        assert started.status_code == 201, started.content
        body = started.json()
        served = [q["id"] for q in body["questions"]]
        assert len(served) == 3 and set(served) <= in_category
        assert body["deadline"] is not None
        attempts.append((learner_client, body["id"], served))
    assert attempts[0][2] != attempts[1][2]  # each attempt its own draw

    learner_client, attempt_id, served = attempts[0]
    questions = {q.pk: q for q in bank.questions.filter(pk__in=served).prefetch_related("choices")}
    answers = {}
    expected = 0
    for qid, q in questions.items():
        if q.kind == "single":
            answers[str(qid)] = [c.pk for c in q.choices.all() if c.is_correct]
            expected += q.points
        elif q.kind == "short":
            answers[str(qid)] = "Moodler"
            expected += q.points
    answers = as_served(Attempt.objects.get(pk=attempt_id), answers)  # in the ids the API serves
    submitted = learner_client.post(
        f"{API}/attempts/{attempt_id}/submit", {"answers": answers}, content_type="application/json"
    )
    assert submitted.status_code == 200, submitted.content
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.points_possible == sum(q.points for q in questions.values())
    assert attempt.points_earned == expected


def test_removing_the_draft_lesson_keeps_the_shared_bank(setting):
    bank, client, mc = setting["bank"], setting["client"], setting["mc"]
    response = add_quiz_lesson(client, mc, setting["module"], bank=str(bank.pk), category="", question_count="5")
    assert response.status_code == 302
    lesson = setting["module"].lessons.get()
    removed = client.post(reverse("catalog:workspace_lesson_delete", args=[mc.provider.slug, mc.pk, lesson.pk]))
    assert removed.status_code == 302
    assert not Quiz.objects.filter(lesson_id=lesson.pk).exists()
    assert QuestionBank.objects.filter(pk=bank.pk).exists() and bank.questions.count() == 13


def test_a_quiz_own_bank_still_goes_with_it(setting):
    lesson = quiz_lesson_create(
        actor=SYSTEM,
        module=setting["module"],
        title="Own",
        questions=[{"kind": "truefalse", "text": "Yes?", "data": {"correct": True}}],
        max_attempts=1,
    )
    own = lesson.quiz.bank
    assert not own.is_shared
    quiz_discard(actor=SYSTEM, quiz=lesson.quiz)
    assert not QuestionBank.objects.filter(pk=own.pk).exists()


def test_the_editor_refuses_another_providers_bank_an_empty_category_and_too_many(setting):
    client, mc, module = setting["client"], setting["mc"], setting["module"]
    other = OrganisationFactory()
    foreign = import_gift(staff(other), other, "moodle_questions_in_category.gift.txt")
    cases = [
        ({"bank": str(foreign)}, "bank", "No question bank of yours"),
        ({"bank": str(setting["bank"].pk), "category": "Nothing here"}, "category", "no questions"),
        (
            {"bank": str(setting["bank"].pk), "category": CATEGORY, "question_count": "5"},
            "question_count",
            "between 1 and 4",
        ),
        ({}, "bank", "Choose the question bank"),
    ]
    for fields, field, message in cases:
        response = add_quiz_lesson(client, mc, module, **fields)
        assert response.status_code == 200, fields
        assert message in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert not module.lessons.exists()
    # The service itself answers another provider's bank like one that does not exist.
    with pytest.raises(NotFound):
        quiz_lesson_create(actor=SYSTEM, module=module, title="X", bank=QuestionBank.objects.get(pk=foreign))


def test_the_editor_switches_a_draft_between_json_and_a_bank(setting):
    client, mc, module, bank = setting["client"], setting["mc"], setting["module"], setting["bank"]
    lesson = quiz_lesson_create(
        actor=SYSTEM,
        module=module,
        title="Own",
        questions=[{"kind": "truefalse", "text": "Yes?", "data": {"correct": True}}],
        max_attempts=1,
    )
    own = lesson.quiz.bank
    edit = reverse("catalog:workspace_lesson_edit", args=[mc.provider.slug, mc.pk, lesson.pk])
    page = client.get(edit)
    assert page.status_code == 200 and "Draw from a question bank" in page.content.decode()
    assert page.context["form"].initial["source"] == "questions"
    data = {"title": "Own", "estimated_minutes": "10", "required": "on", "passing_score": "70", "max_attempts": "1"}
    response = client.post(edit, {**data, "source": "bank", "bank": str(bank.pk), "category": CATEGORY})
    assert response.status_code == 302, response.context and response.context["form"].errors
    quiz = Quiz.objects.get(lesson=lesson)
    assert (quiz.bank_id, quiz.category) == (bank.pk, CATEGORY)
    assert not QuestionBank.objects.filter(pk=own.pk).exists()  # the replaced quiz's own bank went with it
    initial = client.get(edit).context["form"].initial
    assert (initial["source"], initial["bank"], initial["category"]) == ("bank", bank.pk, CATEGORY)
    # A narrower category through the service; then back to questions written here.
    quiz_lesson_update(actor=SYSTEM, lesson=lesson, category="")
    assert Quiz.objects.get(lesson=lesson).category == ""
    with pytest.raises(ValidationFailed):
        quiz_lesson_update(actor=SYSTEM, lesson=lesson, category="Nothing here")
    questions = '[{"kind": "truefalse", "text": "Back?", "data": {"correct": false}}]'
    response = client.post(edit, {**data, "source": "questions", "questions": questions})
    assert response.status_code == 302, response.context and response.context["form"].errors
    quiz = Quiz.objects.get(lesson=lesson)
    assert quiz.bank_id != bank.pk and not quiz.bank.is_shared and quiz.category == ""
    assert bank.questions.count() == 13


@pytest.mark.django_db(transaction=True)
def test_the_migration_shares_the_banks_no_quiz_uses(schema_restored_after):
    before = [("assessment", "0010_question_kind_calculated")]
    after = [("assessment", "0011_quiz_draws_from_a_shared_bank")]
    mc = published_microcredential()
    quiz_bank_id = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.QUIZ).quiz.bank_id
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_bank = executor.loader.project_state(before).apps.get_model("assessment", "QuestionBank")
    imported = old_bank.objects.create(provider_id=mc.provider_id, title="Imported")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    banks = apps_as_migrated().get_model("assessment", "QuestionBank").objects
    assert banks.get(pk=imported.pk).is_shared
    assert not banks.get(pk=quiz_bank_id).is_shared


def test_deleting_questions_counts_what_is_left_in_the_quiz_category(setting):
    bank = setting["bank"]
    quiz_lesson_create(
        actor=SYSTEM,
        module=setting["module"],
        title="Drawn",
        bank=bank,
        category=CATEGORY,
        question_count=3,
        max_attempts=1,
    )
    first, second = bank.questions.filter(category=CATEGORY)[:2]
    outside = bank.questions.exclude(category=CATEGORY).first()
    services.question_delete(actor=SYSTEM, question=outside)  # not drawn: no quiz minds
    services.question_delete(actor=SYSTEM, question=first)  # 3 left for the quiz's 3
    with pytest.raises(Conflict):
        services.question_delete(actor=SYSTEM, question=second)
    assert bank.questions.filter(category=CATEGORY).count() == 3
