"""Requests over the limits, and the OpenAPI document saying so: every refusal is problem details."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client, override_settings

from microcred.accounts.models import ApiToken
from microcred.catalog.models import MicroCredential
from microcred.learning.models import Enrolment
from tests.factories import published_microcredential

from .conftest import API, assert_problem

pytestmark = pytest.mark.django_db

PROBLEM_JSON = "application/problem+json"


def oversized_json(limit: int) -> bytes:
    return b'{"name": "' + b"x" * (limit + 10) + b'"}'


def test_a_body_over_the_default_limit_on_a_token_write_is_a_413_problem(learner, token_client, mc):
    body = oversized_json(2_621_440)  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB
    response = token_client(learner).post(f"{API}/enrolments", body, content_type="application/json")
    problem = assert_problem(response, 413, "payload_too_large")
    assert "2,621,440 bytes" in problem["detail"]
    assert not Enrolment.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/enrolments"),
        ("patch", "/me/profile"),
        ("post", "/me/tokens"),
        ("post", "/attempts/1/submit"),
        ("post", "/credentials/00000000-0000-0000-0000-000000000000/revoke"),
    ],
)
def test_every_authenticated_write_answers_an_oversized_body_with_413(learner, session_client, mc, method, path):
    client = session_client(learner, enforce_csrf=True)
    token = client.get(f"{API}/docs").cookies["csrftoken"].value  # a page hands the browser its token
    body = oversized_json(1_000)
    response = getattr(client, method)(API + path, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert_problem(response, 413, "payload_too_large")
    assert not ApiToken.objects.exists() and not Enrolment.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000)
def test_a_body_within_the_limit_still_works(learner, token_client, mc):
    response = token_client(learner).post(
        f"{API}/enrolments", {"microcredential_id": mc.pk}, content_type="application/json"
    )
    assert response.status_code == 201


def test_an_address_over_the_length_limit_is_a_414_problem():
    response = Client().get(f"{API}/microcredentials", {"q": "a" * 5_000})
    problem = assert_problem(response, 414, "uri_too_long")
    assert "4,000 characters" in problem["detail"]


@pytest.mark.parametrize("offset", ["2147483648", "99999999999999999999"])
def test_an_offset_out_of_range_is_a_422_problem_naming_the_parameter(offset):
    response = Client().get(f"{API}/microcredentials", {"offset": offset})
    problem = assert_problem(response, 422, "validation_failed")
    assert [error["field"] for error in problem["errors"]] == ["query.offset"]


def test_the_largest_offset_is_an_empty_page():
    response = Client().get(f"{API}/microcredentials", {"offset": str(2**31 - 1)})
    assert response.status_code == 200
    assert response.json()["items"] == []


def _titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["title"] for item in response.json()["items"]}


def test_max_price_accepts_any_non_negative_amount():
    cheap = published_microcredential(slug="cheap", title="Cheap", price=Decimal("12.34"))
    published_microcredential(slug="dear", title="Dear", price=Decimal("9999999.99"), provider=cheap.provider)
    search = Client()
    # More than 9 digits: above every price a micro-credential can have, so no cap at all.
    assert _titles(search.get(f"{API}/microcredentials", {"max_price": "1234567890"})) == {"Cheap", "Dear"}
    assert _titles(search.get(f"{API}/microcredentials", {"max_price": "1e400"})) == {"Cheap", "Dear"}
    # More decimals than prices have: compared to the cent below.
    assert _titles(search.get(f"{API}/microcredentials", {"max_price": "12.349999"})) == {"Cheap"}
    assert _titles(search.get(f"{API}/microcredentials", {"max_price": "12.339"})) == set()
    assert _titles(search.get(f"{API}/microcredentials", {"max_price": "9999999.99"})) == {"Cheap", "Dear"}
    problem = assert_problem(search.get(f"{API}/microcredentials", {"max_price": "-1"}), 422, "validation_failed")
    assert [error["field"] for error in problem["errors"]] == ["query.max_price"]
    assert MicroCredential.objects.count() == 2


@pytest.fixture
def openapi() -> dict:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(openapi: dict):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_error_response_is_documented_as_problem_json(openapi):
    checked = 0
    for name, operation in _operations(openapi):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == [PROBLEM_JSON], (name, status)
                assert response["content"][PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/ProblemOut"}
                checked += 1
    assert checked > 100


def test_refusals_of_the_request_itself_are_documented(openapi):
    for name, operation in _operations(openapi):
        responses = operation["responses"]
        if operation.get("parameters") or "requestBody" in operation:
            assert "400" in responses, name  # NUL characters, values the database cannot hold
        if "requestBody" in operation:
            assert "413" in responses, name
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "414" in responses, name
    offset = next(p for p in openapi["paths"]["/api/v1/microcredentials"]["get"]["parameters"] if p["name"] == "offset")
    assert offset["schema"]["maximum"] == 2**31 - 1


def test_max_price_schema_has_no_digit_limit(openapi):
    max_price = next(
        p for p in openapi["paths"]["/api/v1/microcredentials"]["get"]["parameters"] if p["name"] == "max_price"
    )
    assert "maxDigits" not in str(max_price) and "max_digits" not in str(max_price)


def test_the_jwt_format_of_a_credential_is_documented(openapi):
    operation = openapi["paths"]["/api/v1/me/credentials/{uuid}"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/plain"}
    fmt = next(p for p in operation["parameters"] if p["name"] == "format")
    assert fmt["schema"]["enum"] == ["json", "jwt"]
    assert "application/vc+jwt" in openapi["info"]["description"]


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_a_form_body_with_too_many_fields_is_a_400_problem(learner, session_client):
    client = session_client(learner, enforce_csrf=True)
    token = client.get(f"{API}/docs").cookies["csrftoken"].value
    fields = {f"field{i}": "x" for i in range(20)}
    response = client.post(f"{API}/me/tokens", fields, HTTP_X_CSRFTOKEN=token)
    assert_problem(response, 400, "bad_request")
    assert not ApiToken.objects.exists()
