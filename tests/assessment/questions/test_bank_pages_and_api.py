"""The question banks and the essay queue through the workspace pages and the API: import (all
or nothing, problems by line), export, categories, and grading an essay; another provider's ids
answer 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from microcred.assessment.formats import parse_gift
from microcred.assessment.models import Attempt, QuestionBank
from tests.api.conftest import API
from tests.assessment.questions.conftest import by_kind, right_answers
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, as_served

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "formats" / "data"


def staff_client(provider, role="instructor") -> Client:
    user = UserFactory()
    MembershipFactory(user=user, organisation=provider, role=role)
    client = Client()
    client.force_login(user)
    return client


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes(), content_type="text/plain")


def test_importing_on_the_banks_page_then_browsing_categories_and_exporting():
    provider = OrganisationFactory()
    client = staff_client(provider)
    page = client.get(reverse("assessment:banks", args=[provider.slug]))
    assert page.status_code == 200 and "No question banks yet" in page.content.decode()
    response = client.post(
        reverse("assessment:banks", args=[provider.slug]),
        {"file": upload("moodle_questions_in_category.gift.txt"), "format": "gift", "title": "Moodle"},
    )
    bank = QuestionBank.objects.get(provider=provider)
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessment:bank", args=[provider.slug, bank.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    assert "Moodle" in detail and "Imported 4 questions" in detail
    category = bank.questions.exclude(category="").first().category
    filtered = client.get(response["Location"], {"category": category})
    assert filtered.status_code == 200
    exported = client.get(reverse("assessment:bank_gift", args=[provider.slug, bank.pk]))
    assert len(parse_gift(exported.content.decode()).questions) == 4


def test_a_bad_file_on_the_page_lists_its_lines_and_imports_nothing():
    provider = OrganisationFactory()
    client = staff_client(provider)
    response = client.post(
        reverse("assessment:banks", args=[provider.slug]),
        {"file": upload("moodle_aiken_errors.txt"), "format": "aiken"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was imported" in body and "line 3: a question needs at least two choices" in body
    assert not QuestionBank.objects.filter(provider=provider).exists()


def test_another_provider_or_a_grader_gets_404_for_banks():
    provider = OrganisationFactory()
    bank = QuestionBank.objects.create(provider=provider, title="Mine")
    for client in (staff_client(OrganisationFactory()), staff_client(provider, role="grader")):
        assert client.get(reverse("assessment:bank", args=[provider.slug, bank.pk])).status_code == 404
        assert client.get(f"{API}/orgs/{provider.slug}/question-banks/{bank.pk}").status_code == 404
    other = OrganisationFactory()
    mine = staff_client(other)
    assert mine.get(reverse("assessment:bank", args=[other.slug, bank.pk])).status_code == 404


def test_the_api_imports_lists_reads_and_exports():
    provider = OrganisationFactory()
    client = staff_client(provider)
    bad = client.post(
        f"{API}/orgs/{provider.slug}/question-banks/import",
        {"file": upload("moodle_aiken_errors.txt"), "format": "aiken"},
    )
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    assert "line 14" in str(bad.json())
    made = client.post(
        f"{API}/orgs/{provider.slug}/question-banks/import",
        {"file": upload("moodle_questions.gift.txt"), "format": "gift"},
    )
    assert made.status_code == 201, made.content
    bank_id = made.json()["bank"]["id"]
    assert made.json()["created"] == 9
    listed = client.get(f"{API}/orgs/{provider.slug}/question-banks").json()
    assert listed == [{"id": bank_id, "title": "moodle_questions.gift", "questions": 9}]
    detail = client.get(f"{API}/orgs/{provider.slug}/question-banks/{bank_id}").json()
    assert {i["spec"]["kind"] for i in detail["items"]} >= {"essay", "matching", "numeric", "short", "truefalse"}
    more = client.post(
        f"{API}/orgs/{provider.slug}/question-banks/{bank_id}/import",
        {"file": upload("moodle_questions.aiken.txt"), "format": "aiken"},
    )
    assert more.status_code == 201 and more.json()["bank"]["questions"] == 11
    gift = client.get(f"{API}/orgs/{provider.slug}/question-banks/{bank_id}/gift")
    assert gift.status_code == 200 and len(parse_gift(gift.content.decode()).questions) == 11


def test_an_essay_is_graded_from_the_queue_page_and_the_api(mixed):
    provider = mixed["provider"]
    learner_client = mixed["client"]
    for _ in range(2):
        started = learner_client.post(
            f"{API}/enrolments/{mixed['enrolment'].pk}/quizzes/{mixed['lesson'].pk}/attempts"
        ).json()
        learner_client.post(
            f"{API}/attempts/{started['id']}/submit",
            {"answers": as_served(Attempt.objects.get(pk=started["id"]), right_answers(mixed["quiz"]))},
            content_type="application/json",
        )
    first, second = Attempt.objects.filter(quiz=mixed["quiz"]).order_by("number")
    grader = staff_client(provider, role="grader")
    queue = grader.get(reverse("assessment:essays", args=[provider.slug]))
    assert (
        queue.status_code == 200
        and reverse("assessment:essay_attempt", args=[provider.slug, first.pk]) in queue.content.decode()
    )
    page = grader.get(reverse("assessment:essay_attempt", args=[provider.slug, first.pk])).content.decode()
    assert "I measured twice." in page and "GRADER-ONLY-NOTE" in page
    essay = by_kind(mixed["quiz"])["essay"]
    url = reverse("assessment:essay_attempt", args=[provider.slug, first.pk])
    refused = grader.post(url, {"question": essay.pk, "points": "9"})
    assert refused.status_code == 422 and "from 0 to 5" in refused.content.decode()
    assert grader.post(url, {"question": essay.pk, "points": "3", "feedback": "Good."}).status_code == 302
    first.refresh_from_db()
    assert not first.needs_grading and first.hand_grades[str(essay.pk)]["feedback"] == "Good."

    listed = grader.get(f"{API}/orgs/{provider.slug}/quiz-attempts/needing-grading").json()
    assert [a["attempt_id"] for a in listed] == [second.pk]
    graded = grader.post(
        f"{API}/orgs/{provider.slug}/quiz-attempts/{second.pk}/answers/{essay.pk}/grade",
        {"points": "5", "feedback": "Full marks."},
        content_type="application/json",
    )
    assert graded.status_code == 200 and graded.json()["state"] == "graded"
    again = grader.post(
        f"{API}/orgs/{provider.slug}/quiz-attempts/{second.pk}/answers/{essay.pk}/grade",
        {"points": "1"},
        content_type="application/json",
    )
    assert again.status_code == 409
    # The learner sees the grader's feedback with the review.
    result = learner_client.get(f"{API}/attempts/{second.pk}").json()["result"]
    essay_result = next(q for q in result["questions"] if q["question_id"] == essay.pk)
    assert essay_result["pending"] is False and "Full marks." in (essay_result["feedback"] or [])
    stranger = staff_client(OrganisationFactory(), role="grader")
    assert stranger.get(reverse("assessment:essay_attempt", args=[provider.slug, first.pk])).status_code == 404
