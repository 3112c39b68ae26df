"""The credentials API: a holder's own credentials, staff status changes, problem details."""

from __future__ import annotations

import pytest

from microcred.credentials.models import Credential, CredentialStatus
from tests.api.conftest import API, assert_problem, error_fields

from .conftest import SITE, complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def login(client, user):
    client.force_login(user)
    return client


def test_my_credentials_list_and_detail(world, issued, client):
    assert_problem(client.get(f"{API}/me/credentials"), 401, "authentication_required")
    login(client, world.learner)
    page = client.get(f"{API}/me/credentials")
    assert page.status_code == 200 and page["X-Total-Count"] == "1"
    (item,) = page.json()["items"]
    assert item["uuid"] == str(issued.uuid)
    assert item["id"] == f"{SITE}/credentials/{issued.uuid}"
    assert item["status"] == {"code": "valid", "reason": "", "since": None}
    assert item["issuer"] == f"{SITE}/issuers/example-academy"
    assert item["linkedin_url"].startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")

    detail = client.get(f"{API}/me/credentials/{issued.uuid}").json()
    assert detail["document"] == issued.document and detail["jwt"] == issued.jwt
    jwt = client.get(f"{API}/me/credentials/{issued.uuid}?format=jwt")
    assert jwt.status_code == 200 and jwt.content.decode() == issued.jwt
    assert_problem(client.get(f"{API}/me/credentials/{issued.uuid}?format=xml"), 422, "validation_failed")

    # Someone else's credential, or a malformed id, is simply not found.
    login(client, world.owner)
    assert client.get(f"{API}/me/credentials").json()["count"] == 0
    assert_problem(client.get(f"{API}/me/credentials/{issued.uuid}"), 404, "not_found")
    assert_problem(client.get(f"{API}/me/credentials/not-a-uuid"), 404, "not_found")


def test_my_credentials_list_costs_the_same_queries_for_more_credentials(world, client, django_assert_max_num_queries):
    from tests.factories import published_microcredential

    for index in range(3):
        complete(published_microcredential(provider=world.provider, slug=f"course-{index}"), world.learner)
    login(client, world.learner)
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/me/credentials")
    assert response.json()["count"] == 3


def test_staff_revoke_suspend_unsuspend(world, issued, client):
    login(client, world.instructor)
    url = f"{API}/credentials/{issued.uuid}"

    suspended = client.post(f"{url}/suspend", {"reason": "Under review"}, content_type="application/json")
    assert suspended.status_code == 200
    assert suspended.json()["status"]["code"] == "suspended"
    assert suspended.json()["status"]["reason"] == "Under review"
    assert_problem(
        client.post(f"{url}/suspend", {"reason": "x"}, content_type="application/json"), 409, "already_suspended"
    )
    assert client.post(f"{url}/unsuspend", content_type="application/json").json()["status"]["code"] == "valid"
    assert_problem(client.post(f"{url}/unsuspend", {}, content_type="application/json"), 409, "not_suspended")

    revoked = client.post(f"{url}/revoke", {"reason": "Plagiarism"}, content_type="application/json")
    assert revoked.json()["status"] == {
        "code": "revoked",
        "reason": "Plagiarism",
        "since": revoked.json()["status"]["since"],
    }
    assert_problem(
        client.post(f"{url}/revoke", {"reason": "again"}, content_type="application/json"), 409, "already_revoked"
    )


def test_revoke_without_reason_is_422_and_changes_nothing(world, issued, client):
    login(client, world.owner)
    url = f"{API}/credentials/{issued.uuid}/revoke"
    body = assert_problem(client.post(url, {}, content_type="application/json"), 422, "validation_failed")
    assert error_fields(body) == {"body.reason"}
    body = assert_problem(
        client.post(url, {"reason": "   "}, content_type="application/json"), 422, "validation_failed"
    )
    assert error_fields(body) == {"body.reason"}
    body = assert_problem(
        client.post(url, {"reason": "x" * 501}, content_type="application/json"), 422, "validation_failed"
    )
    issued.refresh_from_db()
    assert issued.status == CredentialStatus.ACTIVE


@pytest.mark.parametrize("who", ["learner", "grader", "outsider_instructor"])
def test_others_cannot_change_status(world, issued, client, who):
    login(client, getattr(world, who))
    for action in ("revoke", "suspend"):
        response = client.post(
            f"{API}/credentials/{issued.uuid}/{action}", {"reason": "x"}, content_type="application/json"
        )
        assert_problem(response, 403, "permission_denied")
    issued.refresh_from_db()
    assert issued.status == CredentialStatus.ACTIVE


def test_anonymous_and_unknown(issued, client):
    response = client.post(f"{API}/credentials/{issued.uuid}/revoke", {"reason": "x"}, content_type="application/json")
    assert_problem(response, 401, "authentication_required")


def test_issuer_staff_list_is_paginated_and_searchable(world, issued, client):
    from tests.factories import UserFactory, published_microcredential

    other = Credential.objects.get(
        completion=complete(
            published_microcredential(provider=world.provider, slug="b"), UserFactory(email="grace@example.org")
        )
    )
    login(client, world.instructor)
    url = f"{API}/issuers/example-academy/credentials"
    first = client.get(url, {"limit": 1})
    assert first.json()["count"] == 2 and len(first.json()["items"]) == 1
    assert 'rel="next"' in first["Link"]
    found = client.get(url, {"q": "grace@"}).json()
    assert [i["uuid"] for i in found["items"]] == [str(other.uuid)]
    assert found["items"][0]["learner_email"] == "grace@example.org"
    assert client.get(url, {"q": str(issued.uuid)}).json()["items"][0]["uuid"] == str(issued.uuid)
    assert client.get(url, {"status": "revoked"}).json()["count"] == 0

    for who in ("grader", "learner", "outsider_instructor"):
        login(client, getattr(world, who))
        assert_problem(client.get(url), 404, "not_found")


def test_issuer_staff_list_costs_the_same_queries_for_more_credentials(world, client, django_assert_num_queries):
    from tests.factories import UserFactory

    complete(world.mc, world.learner)
    login(client, world.instructor)
    url = f"{API}/issuers/example-academy/credentials"
    client.get(url)  # warm the session
    with django_assert_num_queries(6) as one:
        assert client.get(url).json()["count"] == 1
    for index in range(4):
        complete(world.mc, UserFactory(email=f"learner{index}@example.org"))
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).json()["count"] == 5
