from __future__ import annotations

import pytest
from django.middleware.csrf import get_token
from django.test import Client

from microcred.accounts.models import ApiToken
from microcred.accounts.services import api_token_create, api_token_revoke
from microcred.learning.models import Enrolment
from tests.factories import UserFactory

from .conftest import API, assert_problem, error_fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/me"),
        ("patch", "/me/profile"),
        ("get", "/me/tokens"),
        ("post", "/me/tokens"),
        ("delete", "/me/tokens/1"),
        ("get", "/enrolments"),
        ("post", "/enrolments"),
        ("get", "/enrolments/1"),
        ("post", "/enrolments/1/withdraw"),
        ("get", "/enrolments/1/lessons/1"),
        ("post", "/enrolments/1/lessons/1/complete"),
        ("get", "/enrolments/1/completion"),
        ("post", "/enrolments/1/quizzes/1/attempts"),
        ("get", "/attempts/1"),
        ("post", "/attempts/1/submit"),
    ],
)
def test_private_endpoints_answer_401_problem_to_anonymous_callers(method, path):
    response = getattr(Client(), method)(f"{API}{path}", content_type="application/json")
    assert_problem(response, 401, "authentication_required")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_authenticates_and_writes_without_csrf(learner, token_client, mc):
    client = token_client(learner)
    me = client.get(f"{API}/me")
    assert me.status_code == 200 and me.json()["email"] == learner.email
    enrol = client.post(f"{API}/enrolments", {"microcredential_id": mc.pk}, content_type="application/json")
    assert enrol.status_code == 201
    assert Enrolment.objects.filter(user=learner, microcredential=mc).exists()
    assert ApiToken.objects.get(user=learner).last_used_at is not None


def test_revoked_and_unknown_tokens_are_refused(learner, mc):
    token, secret = api_token_create(actor=learner, name="laptop")
    api_token_revoke(actor=learner, token=token)
    revoked = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert_problem(revoked.get(f"{API}/me"), 401, "invalid_token")
    made_up = Client(HTTP_AUTHORIZATION="Bearer mcp_not-a-real-token")
    assert_problem(made_up.get(f"{API}/me"), 401, "invalid_token")
    response = revoked.post(f"{API}/enrolments", {"microcredential_id": mc.pk}, content_type="application/json")
    assert_problem(response, 401, "invalid_token")
    assert not Enrolment.objects.exists()


def test_a_bad_token_is_refused_even_alongside_a_valid_session(learner, session_client):
    client = session_client(learner)
    assert_problem(client.get(f"{API}/me", HTTP_AUTHORIZATION="Bearer mcp_wrong"), 401, "invalid_token")


def test_session_writes_need_the_csrf_token(learner, mc, session_client):
    client = session_client(learner, enforce_csrf=True)
    # Reads are safe methods: no CSRF token needed.
    assert client.get(f"{API}/me").status_code == 200

    refused = client.post(f"{API}/enrolments", {"microcredential_id": mc.pk}, content_type="application/json")
    assert_problem(refused, 403, "csrf_failed")
    assert not Enrolment.objects.exists()

    # A page of the site hands the browser its CSRF cookie; the API call echoes it in a header.
    csrf = client.get(f"{API}/docs")
    token = csrf.cookies["csrftoken"].value if "csrftoken" in csrf.cookies else None
    if token is None:  # pragma: no cover - Django sets the cookie whenever a template used csrf_token
        token = get_token(csrf.wsgi_request)
    accepted = client.post(
        f"{API}/enrolments", {"microcredential_id": mc.pk}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201
    assert Enrolment.objects.filter(user=learner).count() == 1


def test_tokens_are_created_listed_and_revoked_through_the_session(learner, session_client):
    client = session_client(learner)
    created = client.post(f"{API}/me/tokens", {"name": "CI export"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    secret = body["token"]
    assert secret.startswith("mcp_") and body["prefix"] == secret[:12] and body["revoked_at"] is None

    listed = client.get(f"{API}/me/tokens").json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0] and secret not in client.get(f"{API}/me/tokens").content.decode()

    token_user = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert token_user.get(f"{API}/me").json()["id"] == learner.pk

    revoked = client.delete(f"{API}/me/tokens/{body['id']}")
    assert revoked.status_code == 204 and revoked.content == b""
    assert client.get(f"{API}/me/tokens").json()[0]["revoked_at"] is not None
    assert_problem(token_user.get(f"{API}/me"), 401, "invalid_token")


def test_token_management_is_session_only_and_per_person(learner, token_client, session_client):
    with_token = token_client(learner)
    response = with_token.post(f"{API}/me/tokens", {"name": "more"}, content_type="application/json")
    assert_problem(response, 401, "authentication_required")
    assert ApiToken.objects.filter(user=learner).count() == 1

    someone_else = UserFactory()
    theirs, _ = api_token_create(actor=someone_else, name="theirs")
    client = session_client(learner)
    assert_problem(client.delete(f"{API}/me/tokens/{theirs.pk}"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert [t["name"] for t in client.get(f"{API}/me/tokens").json()] == ["tests"]


def test_token_needs_a_name(learner, session_client):
    client = session_client(learner)
    body = assert_problem(
        client.post(f"{API}/me/tokens", {"name": ""}, content_type="application/json"), 422, "validation_failed"
    )
    assert error_fields(body) == {"body.name"}
    # Blank after trimming: the service refuses it, and its field error is reported under the body too.
    blank = client.post(f"{API}/me/tokens", {"name": "   "}, content_type="application/json")
    assert error_fields(assert_problem(blank, 422, "validation_failed")) == {"body.name"}
    assert not ApiToken.objects.exists()


def test_me_and_profile_update(learner, session_client):
    client = session_client(learner)
    me = client.get(f"{API}/me").json()
    assert me["id"] == learner.pk and me["profile"]["visibility"] == "private"

    response = client.patch(
        f"{API}/me/profile",
        {"headline": "Data analyst", "languages": ["en", "de"], "visibility": "employers", "full_name": "Ada L."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["full_name"] == "Ada L."
    assert body["profile"]["headline"] == "Data analyst"
    assert body["profile"]["languages"] == ["en", "de"]
    assert body["profile"]["visibility"] == "employers"
    # Only what was sent changes.
    again = client.patch(f"{API}/me/profile", {"location": "Dublin"}, content_type="application/json").json()
    assert again["profile"]["headline"] == "Data analyst" and again["profile"]["location"] == "Dublin"

    bad = client.patch(f"{API}/me/profile", {"visibility": "everyone-ever"}, content_type="application/json")
    problem = assert_problem(bad, 422, "validation_failed")
    assert error_fields(problem) == {"body.visibility"}
    learner.profile.refresh_from_db()
    assert learner.profile.visibility == "employers"


def test_token_list_costs_the_same_queries_for_more_tokens(django_assert_num_queries):
    from django.test import Client

    from microcred.accounts.services import api_token_create
    from tests.factories import UserFactory

    user = UserFactory()
    client = Client()
    client.force_login(user)
    api_token_create(actor=user, name="one")
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/me/tokens").json()) == 1
    for index in range(5):
        api_token_create(actor=user, name=f"more {index}")
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/me/tokens").json()) == 6
