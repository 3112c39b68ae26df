from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

import microcred.catalog.api as catalog_api

from .conftest import API, assert_problem

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("get", "/microcredentials"),
    ("get", "/microcredentials/{microcredential_id}"),
    ("get", "/providers"),
    ("get", "/providers/{slug}"),
    ("post", "/enrolments"),
    ("get", "/enrolments"),
    ("get", "/enrolments/{enrolment_id}"),
    ("post", "/enrolments/{enrolment_id}/withdraw"),
    ("get", "/enrolments/{enrolment_id}/lessons/{lesson_id}"),
    ("post", "/enrolments/{enrolment_id}/lessons/{lesson_id}/complete"),
    ("get", "/enrolments/{enrolment_id}/completion"),
    ("post", "/enrolments/{enrolment_id}/quizzes/{lesson_id}/attempts"),
    ("get", "/attempts/{attempt_id}"),
    ("post", "/attempts/{attempt_id}/submit"),
    # Projects: assignments, submissions, grading, regrades.
    ("get", "/enrolments/{enrolment_id}/assignments/{lesson_id}"),
    ("post", "/enrolments/{enrolment_id}/assignments/{lesson_id}/submissions"),
    ("get", "/submissions/{submission_id}"),
    ("post", "/submissions/{submission_id}/regrade"),
    ("get", "/orgs/{slug}/grading/queue"),
    ("get", "/orgs/{slug}/grading/submissions/{submission_id}"),
    ("get", "/orgs/{slug}/grading/submissions/{submission_id}/assignment"),
    ("post", "/orgs/{slug}/grading/submissions/{submission_id}/grade"),
    ("get", "/orgs/{slug}/grading/regrades"),
    ("post", "/orgs/{slug}/grading/regrades/{regrade_id}/decision"),
    ("get", "/orgs/{slug}/grading/overview"),
    ("get", "/orgs/{slug}/assignments/{assignment_id}/statistics"),
    # Peer review and mentor sign-off (ADR 0030).
    ("get", "/reviews"),
    ("get", "/reviews/{review_id}"),
    ("post", "/reviews/{review_id}"),
    ("post", "/orgs/{slug}/peer/assignments/{assignment_id}/allocate"),
    ("post", "/orgs/{slug}/peer/assignments/{assignment_id}/reviewers/{user_id}/drop"),
    ("get", "/orgs/{slug}/grading/submissions/{submission_id}/reviews"),
    ("post", "/orgs/{slug}/grading/submissions/{submission_id}/override"),
    ("post", "/submissions/{submission_id}/mentor"),
    ("post", "/mentor-signoffs/{signoff_id}/{action}"),
    ("post", "/calibration-examples/{example_id}"),
    ("post", "/orgs/{slug}/peer/assignments/{assignment_id}/calibration-examples"),
    ("put", "/attempts/{attempt_id}/answers"),
    ("get", "/orgs/{slug}/quizzes/{quiz_id}/statistics"),
    ("get", "/orgs/{slug}/quizzes/{quiz_id}/statistics/attempts"),
    # Question banks and essays to grade (ADR 0027).
    ("get", "/orgs/{slug}/question-banks"),
    ("post", "/orgs/{slug}/question-banks/import"),
    ("post", "/orgs/{slug}/question-banks/{bank_id}/import"),
    ("get", "/orgs/{slug}/question-banks/{bank_id}"),
    ("get", "/orgs/{slug}/question-banks/{bank_id}/gift"),
    ("put", "/orgs/{slug}/question-banks/{bank_id}/questions/{question_id}"),
    ("post", "/orgs/{slug}/question-banks"),
    ("post", "/orgs/{slug}/question-banks/{bank_id}/questions"),
    ("delete", "/orgs/{slug}/question-banks/{bank_id}/questions/{question_id}"),
    ("get", "/orgs/{slug}/quiz-attempts/needing-grading"),
    ("post", "/orgs/{slug}/quiz-attempts/{attempt_id}/answers/{question_id}/grade"),
    ("get", "/me"),
    ("patch", "/me/profile"),
    ("get", "/me/tokens"),
    ("post", "/me/tokens"),
    ("delete", "/me/tokens/{token_id}"),
    ("post", "/verify"),
    ("get", "/me/credentials"),
    ("get", "/me/credentials/{uuid}"),
    ("get", "/me/credentials/{uuid}/engagement"),
    ("post", "/credentials/{uuid}/revoke"),
    ("post", "/credentials/{uuid}/suspend"),
    ("post", "/credentials/{uuid}/unsuspend"),
    ("get", "/issuers/{slug}/credentials"),
    ("post", "/issuers/{slug}/microcredentials/{id}/issue"),
    # The learner's skill profile and career goal (ADR 0035).
    ("get", "/me/skills"),
    ("get", "/me/skills/declared"),
    ("put", "/me/skills/declared"),
    ("get", "/me/external-credentials"),
    ("post", "/me/external-credentials"),
    ("post", "/me/external-credentials/{credential_id}/recheck"),
    ("delete", "/me/external-credentials/{credential_id}"),
    ("get", "/me/goal"),
    ("put", "/me/goal"),
    # The gap to that goal and the learning plan (ADR 0037).
    ("get", "/me/gap"),
    ("get", "/me/plan"),
    ("post", "/me/plan"),
    ("post", "/me/plan/{plan_id}/accept"),
    ("get", "/me/plan/{plan_id}.ics"),
    # Market demand from job postings (ADR 0034), public like the catalog.
    ("get", "/market/demand"),
    ("get", "/market/skills/{skill_id}/demand"),
    ("get", "/market/skills/{skill_id}/demand/{dimension}"),
    # Skill suggestions for a micro-credential's authors (issue 9 §2).
    ("get", "/orgs/{slug}/microcredentials/{microcredential_id}/skill-suggestions"),
}
PUBLIC = {"/microcredentials", "/microcredentials/{microcredential_id}", "/providers", "/providers/{slug}"}
PUBLIC |= {"/verify"}
PUBLIC |= {"/market/demand", "/market/skills/{skill_id}/demand", "/market/skills/{skill_id}/demand/{dimension}"}


def test_openapi_document_lists_every_endpoint_and_its_security():
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Microcred API" and schema["info"]["version"] == "1.0.0"
    assert "problem details" in schema["info"]["description"]
    operations = {(method, path.removeprefix("/api/v1")) for path, item in schema["paths"].items() for method in item}
    assert operations == ENDPOINTS
    assert set(schema["components"]["securitySchemes"]) == {"ApiTokenAuth", "SessionAuth"}
    for method, path in ENDPOINTS:
        operation = schema["paths"][f"/api/v1{path}"][method]
        assert ("security" in operation) == (path not in PUBLIC), (method, path)
    start = schema["paths"]["/api/v1/enrolments/{enrolment_id}/quizzes/{lesson_id}/attempts"]["post"]
    assert "is_correct" not in str(schema["components"]["schemas"]["QuestionOut"])
    assert {"200", "201", "401", "404"} <= set(start["responses"])


def test_docs_page_works_offline():
    response = Client().get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and "/static/ninja/" in html
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", html)
    assert external == []
    assert "cdn" not in html.lower() and "unpkg" not in html and "jsdelivr" not in html
    assert '"validatorUrl": null' in html
    # The assets the page names ship with the app and are served by our own static files.
    for asset in re.findall(r"""(?:src|href)=["']/static/([^"']+)["']""", html):
        assert finders.find(asset), asset


def test_unknown_routes_under_the_api_are_problems():
    client = Client()
    for path in ("/nothing-here", "/", "/microcredentials/1/extra"):
        body = assert_problem(client.get(f"{API}{path}"), 404, "route_not_found")
        assert "openapi" in body["detail"].lower()


def test_wrong_method_is_a_405_problem_with_allow():
    response = Client().put(f"{API}/microcredentials")
    assert_problem(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_unexpected_errors_are_500_problems_without_internals(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(catalog_api, "provider_get", broken)
    response = Client().get(f"{API}/providers/any")
    body = assert_problem(response, 500, "internal_error")
    assert "hunter2" not in response.content.decode() and "RuntimeError" not in response.content.decode()
    assert body["title"] == "Internal server error"
    assert any("hunter2" in str(record.exc_info) for record in caplog.records if record.name == "microcred.api")
