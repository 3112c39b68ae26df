"""The profile, declared skills, credentials from elsewhere and the goal through the JSON API."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from microcred.careers.models import DeclaredSkill, ExternalCredential
from microcred.credentials.services import credential_revoke
from tests.api.conftest import assert_problem, error_fields

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def token_client():
    from microcred.accounts.services import api_token_create

    def make(user) -> Client:
        _, secret = api_token_create(actor=user, name="tests")
        return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def put(client: Client, path: str, body) -> object:
    return client.put(f"{API}{path}", json.dumps(body), content_type="application/json")


def post(client: Client, path: str, body) -> object:
    return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("path", ["/me/skills", "/me/skills/declared", "/me/external-credentials", "/me/goal"])
def test_everything_needs_authentication(careers, path):
    assert_problem(Client().get(f"{API}{path}"), 401, "authentication_required")


def test_the_profile_lists_sources_and_what_no_longer_counts(careers, token_client):
    careers.complete()
    api = token_client(careers.learner)
    skills = {item["skill"]["label"]: item for item in api.get(f"{API}/me/skills").json()["skills"]}
    cleaning = skills["Data cleaning"]
    assert (cleaning["verified"], cleaning["verified_level"], cleaning["group"]) == (True, "intermediate", "verified")
    credential = careers.credential()
    assert cleaning["sources"][0]["credential_uuid"] == str(credential.uuid)
    credential_revoke(actor=careers.owner, credential=credential, reason="Issued in error")
    cleaning = {i["skill"]["label"]: i for i in api.get(f"{API}/me/skills").json()["skills"]}["Data cleaning"]
    assert (cleaning["verified"], cleaning["group"]) == (False, "lapsed")
    assert {(s["kind"], s["counts"], s["standing"]) for s in cleaning["sources"]} == {
        ("credential", False, "revoked"),
        ("assessment", False, "revoked"),
    }
    assert token_client(careers.other).get(f"{API}/me/skills").json() == {"skills": []}


def test_declared_skills_are_replaced_all_or_nothing(careers, token_client):
    api = token_client(careers.learner)
    body = {
        "skills": [
            {"skill": careers.sql.uri, "level": "expert", "note": "Ten years"},
            {"skill": careers.python.pk, "level": "beginner"},
        ]
    }
    response = put(api, "/me/skills/declared", body)
    assert response.status_code == 200, response.content
    assert [(d["skill"]["label"], d["level"]) for d in response.json()["skills"]] == [
        ("Python programming", "beginner"),
        ("SQL", "expert"),
    ]
    bad = {
        "skills": [{"skill": careers.sql.uri, "level": "guru"}, {"skill": "https://nope.example/x", "level": "expert"}]
    }
    problem = assert_problem(put(api, "/me/skills/declared", bad), 422, "validation_failed")
    assert error_fields(problem) == {"body.skills.0.level", "body.skills.1.skill"}
    assert DeclaredSkill.objects.filter(user=careers.learner).count() == 2
    assert put(api, "/me/skills/declared", {"skills": []}).json() == {"skills": []}
    assert token_client(careers.other).get(f"{API}/me/skills/declared").json() == {"skills": []}


def test_uploading_credentials_from_elsewhere(careers, token_client):
    careers.earn_elsewhere()
    api = token_client(careers.learner)
    document = careers.credential().document
    tampered = json.loads(json.dumps(document))
    tampered["validFrom"] = "2020-01-01T00:00:00Z"
    problem = assert_problem(
        post(api, "/me/external-credentials", {"credential": tampered}), 422, "credential_not_accepted"
    )
    assert problem["detail"].startswith("Not accepted. Not valid:")
    assert not ExternalCredential.objects.exists()
    assert_problem(post(api, "/me/external-credentials", {"nothing": 1}), 422, "validation_failed")
    response = post(api, "/me/external-credentials", {"credential": document})
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["outcome"], created["counts"], created["issuer_name"]) == ("valid", True, "Example Academy")
    assert {s["skill"]["label"] for s in created["skills"]} == {"Data cleaning", "Use spreadsheets software"}
    assert_problem(post(api, "/me/external-credentials", {"credential": document}), 409, "conflict")
    # A file upload of the VC-JWT, refused for someone else: not issued to them.
    other = token_client(careers.other)
    jwt = careers.credential().jwt.encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = other.post(f"{API}/me/external-credentials", {"file": SimpleUploadedFile("c.jwt", jwt)})
    assert "not issued to grace@example.org" in assert_problem(response, 422, "credential_not_accepted")["detail"]


def test_recheck_and_delete_are_the_owners_only(careers, token_client):
    careers.earn_elsewhere()
    api = token_client(careers.learner)
    created = post(api, "/me/external-credentials", {"credential": careers.credential().document}).json()
    path = f"{API}/me/external-credentials/{created['id']}"
    other = token_client(careers.other)
    assert_problem(other.post(f"{path}/recheck"), 404, "not_found")
    assert_problem(other.delete(path), 404, "not_found")
    credential_revoke(actor=careers.owner, credential=careers.credential(), reason="Issued in error")
    checked = api.post(f"{path}/recheck").json()
    assert (checked["outcome"], checked["counts"], checked["standing"]) == ("revoked", False, "revoked")
    assert [c["id"] for c in api.get(f"{API}/me/external-credentials").json()] == [created["id"]]
    assert other.get(f"{API}/me/external-credentials").json() == []
    assert api.delete(path).status_code == 204
    assert_problem(api.delete(path), 404, "not_found")


def test_the_goal_of_each_kind_and_its_constraints(careers, token_client):
    api = token_client(careers.learner)
    empty = api.get(f"{API}/me/goal").json()
    assert (empty["kind"], empty["requirements"], empty["constraints"]["objective"]) == ("", [], "least_workload")
    goal = put(api, "/me/goal", {"kind": "occupation", "occupation": careers.analyst.uri}).json()
    assert goal["occupation"]["label"] == "Data analyst"
    assert [(r["skill"]["label"], r["level"], r["essential"]) for r in goal["requirements"]] == [
        ("SQL", "intermediate", True),
        ("Data cleaning", None, False),
    ]
    goal = put(api, "/me/goal", {"kind": "posting", "posting_text": "Daily SQL and pivot tables."}).json()
    assert {r["skill"]["label"] for r in goal["requirements"]} == {"SQL", "Use spreadsheets software"}
    goal = put(
        api,
        "/me/goal",
        {
            "kind": "skills",
            "skills": [{"skill": careers.python.uri, "level": "expert"}],
            "constraints": {
                "hours_per_week": 5,
                "budget_eur": "99.90",
                "languages": ["en"],
                "participation_forms": ["online"],
                "preferred_providers": [careers.provider.slug],
                "objective": "least_cost",
            },
        },
    ).json()
    assert [(r["skill"]["label"], r["level"], r["source"]) for r in goal["requirements"]] == [
        ("Python programming", "expert", "Chosen")
    ]
    assert goal["constraints"]["preferred_providers"] == [careers.provider.slug]
    assert (goal["constraints"]["hours_per_week"], goal["constraints"]["budget_eur"]) == (5, "99.90")
    problem = assert_problem(
        put(
            api,
            "/me/goal",
            {
                "kind": "occupation",
                "occupation": careers.analyst.uri,
                "constraints": {"budget_eur": -5, "preferred_providers": []},
            },
        ),
        422,
        "validation_failed",
    )
    assert error_fields(problem) == {"body.constraints.budget_eur"}
    problem = assert_problem(
        put(api, "/me/goal", {"constraints": {"preferred_providers": ["nobody"]}}), 422, "validation_failed"
    )
    assert error_fields(problem) == {"body.constraints.preferred_providers"}
    assert_problem(put(api, "/me/goal", {"kind": "dream"}), 422, "validation_failed")
    assert api.get(f"{API}/me/goal").json()["kind"] == "skills"  # nothing above changed it
    assert token_client(careers.other).get(f"{API}/me/goal").json()["kind"] == ""


def test_the_profile_reads_a_fixed_number_of_queries(careers, token_client, django_assert_max_num_queries):
    """However many credentials, attempts and uploads a learner has: no query per row."""
    careers.complete()
    api = token_client(careers.learner)
    post(api, "/me/external-credentials", {"credential": careers.credential().document})
    with django_assert_max_num_queries(11) as captured:
        assert len(api.get(f"{API}/me/skills").json()["skills"]) == 3
    first = len(captured.captured_queries)
    from tests.careers.conftest import aligned_microcredential
    from tests.credentials.conftest import complete

    second = aligned_microcredential(
        provider=careers.provider, skills=[(careers.sql, "expert")], question_skill=careers.sql, slug="more"
    )
    complete(second, careers.learner)
    post(
        api,
        "/me/external-credentials",
        {"credential": careers.learner.credentials.get(microcredential=second).document},
    )
    with django_assert_max_num_queries(first):
        assert len(api.get(f"{API}/me/skills").json()["skills"]) == 4


def test_api_uploads_are_throttled_with_retry_after(careers, token_client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.MICROCRED_VERIFY_RATE_AUTHENTICATED = "1/m"
    careers.earn_elsewhere()
    api = token_client(careers.learner)
    assert post(api, "/me/external-credentials", {"credential": careers.credential().document}).status_code == 201
    response = post(api, "/me/external-credentials", {"credential": careers.credential().jwt})
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1
