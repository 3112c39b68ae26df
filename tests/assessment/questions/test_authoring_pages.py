"""Writing single questions on the workspace's bank pages (issue 8, section 2; ADR 0027 addendum):
a kind picker, each kind's form in its compact syntax, errors on the page pointing at the line,
a preview as the learner sees it (the answer only in the staff box), an edit of a question that
was attempted making a new version while the attempt stays as it was, retiring with
confirmation, and the lesson editor's select of the provider's banks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from microcred.assessment.models import Attempt, Question, QuestionBank
from microcred.assessment.selectors import attempt_review, drawable_banks
from microcred.assessment.services import attempt_start, attempt_submit, question_bank_create
from microcred.catalog.services import microcredential_create, module_create
from microcred.core.actors import SYSTEM
from tests.assessment.questions.conftest import by_kind, right_answers
from tests.factories import MembershipFactory, OrganisationFactory, SkillFactory, UserFactory, microcredential_fields

pytestmark = pytest.mark.django_db

STAFF_BOX = "For staff only: the answer"
TOLERANCE = {"tolerance": "0", "tolerance_kind": "absolute"}


def staff_client(provider, role: str = "instructor") -> Client:
    user = UserFactory()
    MembershipFactory(user=user, organisation=provider, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def bank_setting():
    provider = OrganisationFactory()
    bank = question_bank_create(actor=SYSTEM, provider=provider, title="Unit questions")
    return {"provider": provider, "bank": bank, "client": staff_client(provider)}


def new_url(provider, bank, kind: str = "") -> str:
    url = reverse("assessment:question_new", args=[provider.slug, bank.pk])
    return f"{url}?kind={kind}" if kind else url


SHARED = {"points": "2", "explanation": "GENERAL-FB", "hints": "First hint\nSecond hint", "category": "Unit 1/A"}

# kind -> (the posted fields, a check of the stored question, a text only the staff box may show)
KINDS: dict[str, tuple[dict[str, str], Any, str]] = {
    "single": (
        {"text": "Which planet is red?", "answers": "= Mars # FB-SINGLE-RIGHT\n~ Venus\n~%25% Jupiter # partly"},
        lambda q: (
            sorted((c.text, c.is_correct, str(c.fraction.normalize())) for c in q.choices.all())
            == [("Jupiter", False, "0.25"), ("Mars", True, "1"), ("Venus", False, "0")]
        ),
        "FB-SINGLE-RIGHT",
    ),
    "multiple": (
        {"text": "Which are primes?", "answers": "= 2\n= 3\n~ 4 # FB-MULTI-WRONG", "scoring": "partial"},
        lambda q: q.data == {"scoring": "partial"} and [c.is_correct for c in q.choices.all()] == [True, True, False],
        "FB-MULTI-WRONG",
    ),
    "truefalse": (
        {"text": "Water is wet.", "correct": "false", "feedback_true": "FB-TF-TRUE", "feedback_false": "Right."},
        lambda q: q.data == {"correct": False, "feedback_true": "FB-TF-TRUE", "feedback_false": "Right."},
        "FB-TF-TRUE",
    ),
    "numeric": (
        {
            "text": "How long is the rod?",
            "answers": "= 42.125 : 0.0625 # Exact\n=%50% 42 : 1\n= * # Any other",
            "units": "m\ncm = 100",
            "unit_required": "on",
        },
        lambda q: (
            [a["value"] for a in q.data["answers"]] == ["42.125", "42", None]
            and q.data["units"][1] == {"unit": "cm", "multiplier": "100"}
            and q.data["unit_required"]
        ),
        "42.125",
    ),
    "short": (
        {"text": "Name the island.", "answers": "= zanzib*r # Yes\n=%50% unguja", "case_sensitive": ""},
        lambda q: (
            [(a["text"], a["fraction"]) for a in q.data["alternatives"]] == [("zanzib*r", "1"), ("unguja", "0.5")]
        ),
        "zanzib*r",
    ),
    "matching": (
        {"text": "Match the capitals.", "answers": "France -> Paris\nItaly -> Rome\n-> Lisbon"},
        lambda q: (
            q.data
            == {
                "pairs": [{"prompt": "France", "answer": "Paris"}, {"prompt": "Italy", "answer": "Rome"}],
                "distractors": ["Lisbon"],
            }
        ),
        "France → Paris",
    ),
    "ordering": (
        {"text": "Order the steps.", "answers": "Wash\nRinse\nDry", "scoring": "all_or_nothing"},
        lambda q: q.data == {"items": ["Wash", "Rinse", "Dry"], "scoring": "all_or_nothing"},
        "Wash → Rinse → Dry",
    ),
    "cloze": (
        {"text": "The {1:SHORTANSWER:=quokka} lives on\n{2:MULTICHOICE:=Rottnest~Tasmania}."},
        lambda q: "quokka" not in q.text and [g["kind"] for g in q.data["gaps"]] == ["short", "choice"],
        "quokka",
    ),
    "essay": (
        {"text": "Describe your method.", "grader_info": "GRADER-ONLY-NOTE"},
        lambda q: q.data == {"grader_info": "GRADER-ONLY-NOTE"},
        "GRADER-ONLY-NOTE",
    ),
    "calculated": (
        {
            "text": "A crate of {mass} kg. What is its weight?",
            "formula": "mass * g",
            "variables": "mass = 2..10 step 0.5\ng = 9.81",
            "tolerance": "0.01",
            "tolerance_kind": "relative",
            "units": "N",
            "decimals": "2",
        },
        lambda q: (
            q.data["variables"] == {"mass": {"min": "2", "max": "10", "step": "0.5"}, "g": {"value": "9.81"}}
            and q.data["tolerance"] == {"relative": "0.01"}
        ),
        "mass * g",
    ),
}


def test_the_kind_picker_lists_every_kind(bank_setting):
    provider, bank, client = bank_setting["provider"], bank_setting["bank"], bank_setting["client"]
    page = client.get(new_url(provider, bank))
    assert page.status_code == 200
    for kind in KINDS:
        assert f'href="?kind={kind}"' in page.content.decode()
    assert client.get(new_url(provider, bank, "nonsense")).status_code == 404


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_is_written_previewed_and_its_answer_stays_in_the_staff_box(bank_setting, kind):
    provider, bank, client = bank_setting["provider"], bank_setting["bank"], bank_setting["client"]
    fields, check, secret = KINDS[kind]
    assert client.get(new_url(provider, bank, kind)).status_code == 200
    response = client.post(new_url(provider, bank, kind), {**SHARED, **fields})
    assert response.status_code == 302, response.context and response.context["form"].errors
    question = Question.objects.get(bank=bank)
    assert question.kind == kind and check(question)
    assert (question.points, question.explanation, question.hints, question.category) == (
        2,
        "GENERAL-FB",
        ["First hint", "Second hint"],
        "Unit 1/A",
    )
    assert response["Location"] == reverse("assessment:question_preview", args=[provider.slug, bank.pk, question.pk])
    preview = client.get(response["Location"]).content.decode()
    learner_part, staff_part = preview.split(STAFF_BOX)
    assert "First hint" in learner_part
    assert secret not in learner_part and "GENERAL-FB" not in learner_part
    assert secret in staff_part
    # The edit form reads back what was written, and saving it unchanged keeps the question's spec.
    edit_url = reverse("assessment:question_edit", args=[provider.slug, bank.pk, question.pk])
    edit = client.get(edit_url)
    assert edit.status_code == 200
    initial = {k: v for k, v in edit.context["form"].initial.items() if v is not None}
    resaved = client.post(edit_url, {k: ("on" if v is True else v) for k, v in initial.items() if v is not False})
    assert resaved.status_code == 302, resaved.context and resaved.context["form"].errors
    again = Question.objects.get(bank=bank, is_current=True)
    assert check(again) and again.text == question.text


def test_errors_are_shown_on_the_page_with_their_line_and_nothing_is_written(bank_setting):
    provider, bank, client = bank_setting["provider"], bank_setting["bank"], bank_setting["client"]
    cases = [
        ("single", {"text": "Q", "answers": "= A\n\n= B\n~ C"}, "exactly one correct choice"),
        ("single", {"text": "Q", "answers": "= A\n~ B\nC"}, "Line 3: start the line with “=” or “~”."),
        ("numeric", {"text": "Q", "answers": "= 3\n= three : 1"}, "Line 2: “three” is not a number"),
        ("short", {"text": "Q", "answers": "=%50% close"}, "one accepted answer must earn full credit"),
        ("matching", {"text": "Q", "answers": "A -> 1\nB 2"}, "Line 2: write “prompt -&gt; answer”"),
        ("cloze", {"text": "Fine {1:SHORTANSWER:=a}\nthen {1:WRONG:=b}"}, "Line 2: This question, gap 2: unknown gap"),
        ("calculated", {"text": "{x}?", "formula": "x +", "variables": "x = 1..3", **TOLERANCE}, "problem"),
        ("calculated", {"text": "{x}?", "formula": "x", "variables": "x 1", **TOLERANCE}, "Line 1: write"),
        ("single", {"text": "Q", "answers": "= A\n~ B", "skill": "https://nowhere.example/skill"}, "unknown skill"),
        ("truefalse", {"text": "Q", "correct": "true", "tags": "ok, " + "x" * 51}, "tags are a list of short texts"),
    ]
    for kind, fields, message in cases:
        response = client.post(new_url(provider, bank, kind), {"points": "1", **fields})
        assert response.status_code == 422, (kind, fields)
        assert message in response.content.decode(), (kind, message, response.context["form"].errors)
    assert not bank.questions.exists()


def test_a_question_is_aligned_to_a_skill_and_tagged(bank_setting):
    provider, bank, client = bank_setting["provider"], bank_setting["bank"], bank_setting["client"]
    skill = SkillFactory()
    response = client.post(
        new_url(provider, bank, "truefalse"),
        {"text": "True?", "points": "1", "correct": "true", "skill": skill.uri, "tags": "easy, unit-1, easy"},
    )
    assert response.status_code == 302
    question = bank.questions.get()
    assert question.skill == skill and question.tags == ["easy", "unit-1"]
    # Clearing the skill on the edit page clears it.
    edit_url = reverse("assessment:question_edit", args=[provider.slug, bank.pk, question.pk])
    client.post(edit_url, {"text": "True?", "points": "1", "correct": "true", "skill": ""})
    assert bank.questions.get(is_current=True).skill is None


def test_editing_an_attempted_question_makes_a_new_version_and_the_attempt_is_unchanged(mixed):
    quiz, learner, enrolment = mixed["quiz"], mixed["learner"], mixed["enrolment"]
    provider, bank = mixed["provider"], mixed["quiz"].bank
    answers = right_answers(quiz)
    del answers[str(by_kind(quiz)["essay"].id)]
    attempt = attempt_submit(
        actor=learner, attempt=attempt_start(actor=learner, quiz=quiz, enrolment=enrolment), answers=answers
    )
    before = [(r.question.pk, r.points_awarded, r.solution) for r in attempt_review(attempt)]
    old = by_kind(quiz)["short"]
    client = staff_client(provider)
    edit_url = reverse("assessment:question_edit", args=[provider.slug, bank.pk, old.pk])
    page = client.get(edit_url).content.decode()
    assert "saving makes version 2" in page and "= zanzib*r" in page
    response = client.post(edit_url, {"text": "Name the larger island.", "points": "1", "answers": "= Pemba"})
    assert response.status_code == 302
    old.refresh_from_db()
    revised = Question.objects.get(family=old.family, is_current=True)
    assert (revised.version, old.is_current, old.text) == (2, False, "Name the island.")
    assert revised.data["alternatives"][0]["text"] == "Pemba"
    assert [
        (r.question.pk, r.points_awarded, r.solution) for r in attempt_review(Attempt.objects.get(pk=attempt.pk))
    ] == before
    followed = client.get(response["Location"]).content.decode()
    assert "Saved as version 2" in followed
    # The old version is no longer edited, previewed or removed through the pages.
    for name in ("question_edit", "question_preview", "question_remove"):
        assert client.get(reverse(f"assessment:{name}", args=[provider.slug, bank.pk, old.pk])).status_code == 404


def test_retiring_asks_first_then_keeps_attempted_questions_for_their_attempts(mixed):
    quiz, learner, enrolment = mixed["quiz"], mixed["learner"], mixed["enrolment"]
    provider, bank = mixed["provider"], mixed["quiz"].bank
    attempt = attempt_start(actor=learner, quiz=quiz, enrolment=enrolment)
    essay = by_kind(quiz)["essay"]
    client = staff_client(provider)
    url = reverse("assessment:question_remove", args=[provider.slug, bank.pk, essay.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Retire the question" in confirm.content.decode()
    assert Question.objects.get(pk=essay.pk).is_current  # asking changed nothing
    response = client.post(url)
    assert response.status_code == 302
    essay.refresh_from_db()
    assert not essay.is_current and essay.pk in Attempt.objects.get(pk=attempt.pk).question_ids
    listed = client.get(reverse("assessment:bank", args=[provider.slug, bank.pk])).content.decode()
    assert "Describe your method." not in listed


def test_a_question_nobody_was_served_is_deleted(bank_setting):
    provider, bank, client = bank_setting["provider"], bank_setting["bank"], bank_setting["client"]
    client.post(new_url(provider, bank, "truefalse"), {"text": "Gone?", "points": "1", "correct": "true"})
    question = bank.questions.get()
    page = client.get(reverse("assessment:question_remove", args=[provider.slug, bank.pk, question.pk]))
    assert "Delete the question" in page.content.decode()
    client.post(reverse("assessment:question_remove", args=[provider.slug, bank.pk, question.pk]))
    assert not Question.objects.filter(pk=question.pk).exists()


def test_another_provider_or_a_grader_gets_404_on_every_authoring_page(bank_setting):
    provider, bank, client = bank_setting["provider"], bank_setting["bank"], bank_setting["client"]
    client.post(new_url(provider, bank, "truefalse"), {"text": "Mine?", "points": "1", "correct": "true"})
    question = bank.questions.get()
    other = OrganisationFactory()
    outsiders = [staff_client(other), staff_client(provider, role="grader")]
    urls = [new_url(provider, bank), new_url(provider, bank, "single")] + [
        reverse(f"assessment:{name}", args=[provider.slug, bank.pk, question.pk])
        for name in ("question_edit", "question_preview", "question_remove")
    ]
    for outsider in outsiders:
        for url in urls:
            assert outsider.get(url).status_code == 404, url
        assert outsider.post(urls[1], {"text": "X", "points": "1", "answers": "= a\n~ b"}).status_code == 404
        assert outsider.post(urls[-1]).status_code == 404
    # Their own organisation's address with this bank's number: 404 too.
    other_staff = outsiders[0]
    assert other_staff.get(new_url(other, bank, "single")).status_code == 404
    assert bank.questions.count() == 1 and bank.questions.get().is_current


def test_a_new_bank_is_made_on_the_banks_page(bank_setting):
    provider, client = bank_setting["provider"], bank_setting["client"]
    response = client.post(reverse("assessment:bank_new", args=[provider.slug]), {"title": "Written here"})
    bank = QuestionBank.objects.get(provider=provider, title="Written here")
    assert bank.is_shared and response["Location"] == reverse("assessment:bank", args=[provider.slug, bank.pk])
    empty = client.post(reverse("assessment:bank_new", args=[provider.slug]), {"title": " "}, follow=True)
    assert "needs a title" in empty.content.decode()


def test_the_lesson_editor_offers_only_the_providers_shared_banks_with_counts(bank_setting):
    provider, bank, client = bank_setting["provider"], bank_setting["bank"], bank_setting["client"]
    for n, category in enumerate(["Unit 1/Fractions", "Unit 1/Fractions", "Unit 1", "Unit 2"]):
        client.post(
            new_url(provider, bank, "truefalse"),
            {"text": f"Q{n}", "points": "1", "correct": "true", "category": category},
        )
    other = OrganisationFactory()
    foreign = question_bank_create(actor=SYSTEM, provider=other, title="Foreign bank")
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="with-banks"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Check")
    url = reverse("catalog:workspace_lesson_add", args=[provider.slug, mc.pk, module.pk, "quiz"])
    page = client.get(url).content.decode()
    assert f'<option value="{bank.pk}">Unit questions (no. {bank.pk}, 4 questions)</option>' in page
    assert "Foreign bank" not in page and f'value="{foreign.pk}"' not in page
    assert '<optgroup label="Unit questions">' in page
    assert '<option value="Unit 1">Unit 1 (3 questions)</option>' in page  # its own and those below
    assert '<option value="Unit 1/Fractions">Unit 1/Fractions (2 questions)</option>' in page
    fields = {
        "title": "Drawn",
        "estimated_minutes": "5",
        "source": "bank",
        "passing_score": "50",
        "max_attempts": "2",
    }
    refused = client.post(url, {**fields, "bank": str(foreign.pk)})
    assert "No question bank of yours" in " ".join(refused.context["form"].errors["bank"])
    wrong_category = client.post(url, {**fields, "bank": str(bank.pk), "category": "Unit 9"})
    assert "no questions in the chosen bank" in " ".join(wrong_category.context["form"].errors["category"])
    made = client.post(url, {**fields, "bank": str(bank.pk), "category": "Unit 1", "question_count": "2"})
    assert made.status_code == 302, made.context and made.context["form"].errors
    quiz = module.lessons.get().quiz
    assert (quiz.bank_id, quiz.category, quiz.question_count) == (bank.pk, "Unit 1", 2)
    # Editing the lesson shows the chosen bank and category selected.
    edit = client.get(reverse("catalog:workspace_lesson_edit", args=[provider.slug, mc.pk, module.lessons.get().pk]))
    body = edit.content.decode()
    assert f'<option value="{bank.pk}" selected>' in body and '<option value="Unit 1" selected>' in body


def test_the_bank_select_costs_two_queries_however_many_banks(bank_setting, django_assert_num_queries):
    provider, client = bank_setting["provider"], bank_setting["client"]
    for n in range(3):
        bank = question_bank_create(actor=SYSTEM, provider=provider, title=f"Bank {n}")
        client.post(
            new_url(provider, bank, "truefalse"), {"text": "Q", "points": "1", "correct": "true", "category": f"C{n}/D"}
        )
    with django_assert_num_queries(2):
        banks = drawable_banks(provider=provider)
    assert [(b.bank.title, b.questions, b.categories) for b in banks][:3] == [
        (f"Bank {n}", 1, ((f"C{n}", 1), (f"C{n}/D", 1))) for n in range(3)
    ]
