"""Writing single questions through the API (issue 8, section 6; ADR 0027 addendum): create a bank
and a question of each kind, a spec its kind refuses (422, nothing written), an edit of an attempted
question (its next version; the attempt keeps what it served), retire (204), another provider's
ids (404), and the endpoints in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from microcred.assessment.models import Attempt, Question, QuestionBank
from microcred.assessment.selectors import attempt_review
from microcred.assessment.services import attempt_start, attempt_submit
from tests.api.conftest import API
from tests.assessment.questions.conftest import MIXED, by_kind, right_answers
from tests.factories import MembershipFactory, OrganisationFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db

CALCULATED = {
    "kind": "calculated",
    "text": "A crate of {mass} kg. Its weight?",
    "data": {
        "variables": {"mass": {"min": 2, "max": 10, "step": 1}, "g": {"value": "9.81"}},
        "answer": "mass * g",
        "tolerance": {"relative": "0.01"},
        "units": ["N"],
    },
}


def staff_client(provider, role: str = "instructor") -> Client:
    user = UserFactory()
    MembershipFactory(user=user, organisation=provider, role=role)
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_a_bank_and_a_question_of_every_kind_are_written_and_read_back():
    provider = OrganisationFactory()
    client = staff_client(provider)
    made = post(client, f"{API}/orgs/{provider.slug}/question-banks", {"title": "Written"})
    assert made.status_code == 201 and made.json()["questions"] == 0
    bank_id = made.json()["id"]
    url = f"{API}/orgs/{provider.slug}/question-banks/{bank_id}/questions"
    skill = SkillFactory()
    for spec in [*MIXED, CALCULATED]:
        response = post(client, url, {"spec": {**spec, "category": "Unit 1", "skill": skill.uri}})
        assert response.status_code == 201, (spec["kind"], response.content)
        body = response.json()
        assert (body["version"], body["skill_id"], body["spec"]["kind"]) == (1, skill.pk, spec["kind"])
    listed = client.get(f"{API}/orgs/{provider.slug}/question-banks/{bank_id}").json()
    assert listed["questions"] == len(MIXED) + 1
    assert {item["spec"]["kind"] for item in listed["items"]} == {s["kind"] for s in MIXED} | {"calculated"}
    assert listed["categories"] == [{"path": "Unit 1", "questions": len(MIXED) + 1}]


def test_a_spec_its_kind_refuses_or_an_unknown_skill_is_422_and_nothing_is_written():
    provider = OrganisationFactory()
    client = staff_client(provider)
    bank_id = post(client, f"{API}/orgs/{provider.slug}/question-banks", {"title": "B"}).json()["id"]
    url = f"{API}/orgs/{provider.slug}/question-banks/{bank_id}/questions"
    bad_single = {
        "kind": "single",
        "text": "Q",
        "choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}],
    }
    refused = post(client, url, {"spec": bad_single})
    assert refused.status_code == 422 and "exactly one correct choice" in refused.json()["detail"]
    unknown = post(client, url, {"spec": {**MIXED[2], "skill": "https://nowhere.example/s"}})
    assert unknown.status_code == 422 and "unknown skill" in unknown.json()["detail"]
    empty_title = post(client, f"{API}/orgs/{provider.slug}/question-banks", {"title": ""})
    assert empty_title.status_code == 422
    assert not Question.objects.filter(bank_id=bank_id).exists()


def test_editing_an_attempted_question_is_a_new_version_and_retiring_keeps_it_for_the_attempt(mixed):
    provider, quiz, learner, enrolment = mixed["provider"], mixed["quiz"], mixed["learner"], mixed["enrolment"]
    answers = right_answers(quiz)
    del answers[str(by_kind(quiz)["essay"].id)]
    attempt = attempt_submit(
        actor=learner, attempt=attempt_start(actor=learner, quiz=quiz, enrolment=enrolment), answers=answers
    )
    before = [(r.question.pk, r.points_awarded, r.solution) for r in attempt_review(attempt)]
    client = staff_client(provider)
    numeric = by_kind(quiz)["numeric"]
    url = f"{API}/orgs/{provider.slug}/question-banks/{quiz.bank_id}/questions/{numeric.pk}"
    spec = client.get(f"{API}/orgs/{provider.slug}/question-banks/{quiz.bank_id}").json()["items"]
    spec = next(item["spec"] for item in spec if item["id"] == numeric.pk)
    spec["data"]["answers"][0]["value"] = "40"
    revised = client.put(url, {"spec": spec}, content_type="application/json")
    assert revised.status_code == 200 and revised.json()["version"] == 2
    numeric.refresh_from_db()
    assert not numeric.is_current and numeric.data["answers"][0]["value"] == "42.125"
    after = [(r.question.pk, r.points_awarded, r.solution) for r in attempt_review(Attempt.objects.get(pk=attempt.pk))]
    assert after == before

    new_id = revised.json()["id"]
    retire_url = f"{API}/orgs/{provider.slug}/question-banks/{quiz.bank_id}/questions/{new_id}"
    assert client.delete(retire_url).status_code == 204
    assert not Question.objects.get(pk=new_id).is_current
    assert client.delete(retire_url).status_code == 409  # already retired
    assert after == [
        (r.question.pk, r.points_awarded, r.solution) for r in attempt_review(Attempt.objects.get(pk=attempt.pk))
    ]


def test_a_question_nobody_was_served_is_deleted_and_the_last_one_of_a_quiz_stays():
    provider = OrganisationFactory()
    client = staff_client(provider)
    bank_id = post(client, f"{API}/orgs/{provider.slug}/question-banks", {"title": "B"}).json()["id"]
    url = f"{API}/orgs/{provider.slug}/question-banks/{bank_id}/questions"
    first = post(client, url, {"spec": MIXED[2]}).json()["id"]
    assert client.delete(f"{url}/{first}").status_code == 204
    assert not Question.objects.filter(pk=first).exists()


def test_another_provider_or_a_grader_gets_404():
    provider = OrganisationFactory()
    client = staff_client(provider)
    bank_id = post(client, f"{API}/orgs/{provider.slug}/question-banks", {"title": "Mine"}).json()["id"]
    url = f"{API}/orgs/{provider.slug}/question-banks/{bank_id}/questions"
    question_id = post(client, url, {"spec": MIXED[2]}).json()["id"]
    other = OrganisationFactory()
    for outsider, slug in [
        (staff_client(other), provider.slug),
        (staff_client(other), other.slug),
        (staff_client(provider, role="grader"), provider.slug),
    ]:
        base = f"{API}/orgs/{slug}/question-banks/{bank_id}/questions"
        assert post(outsider, base, {"spec": MIXED[2]}).status_code == 404
        assert (
            outsider.put(f"{base}/{question_id}", {"spec": MIXED[2]}, content_type="application/json").status_code
            == 404
        )
        assert outsider.delete(f"{base}/{question_id}").status_code == 404
    assert Question.objects.filter(bank_id=bank_id).count() == 1
    assert QuestionBank.objects.get(pk=bank_id).questions.get().is_current


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/orgs/{slug}/question-banks"]
    questions = "/api/v1/orgs/{slug}/question-banks/{bank_id}/questions"
    assert "post" in paths[questions]
    assert {"put", "delete"} <= set(paths[questions + "/{question_id}"])
