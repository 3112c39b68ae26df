"""Hostile input never becomes a 500: NUL characters, absurd ids, nesting bombs."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from microcred.accounts.models import LearnerProfile
from tests.factories import UserFactory, published_microcredential

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/microcredentials?q=%00",
        "/api/v1/microcredentials?q=a%00b",
        "/api/v1/microcredentials?language=e%00",
        "/api/v1/microcredentials?provider=a%00",
        "/api/v1/providers/a%00b",
    ],
)
def test_nul_in_api_parameters_is_a_400_problem(url):
    published_microcredential()
    response = Client().get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_characters"


@pytest.mark.parametrize("url", ["/catalog/?q=%00", "/catalog/?industry=x%00", "/providers/a%00b/"])
def test_nul_in_page_addresses_is_a_400(url):
    assert Client().get(url).status_code == 400


def test_nul_in_a_json_body_is_refused_and_nothing_is_written():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.patch(
        "/api/v1/me/profile", data=json.dumps({"headline": "a\u0000b"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_characters"
    assert LearnerProfile.objects.get(user=user).headline == ""


def test_verification_still_reads_credentials_with_any_characters():
    response = Client().post(
        "/api/v1/verify", data=json.dumps({"credential": {"name": "a\u0000b"}}), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["valid"] is False


def test_deeply_nested_json_to_verify_is_a_clear_4xx():
    body = '{"credential":' + "[" * 100_000 + "]" * 100_000 + "}"
    response = Client().post("/api/v1/verify", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"


def test_compare_ignores_ids_too_large_to_exist():
    mc = published_microcredential()
    response = Client().get(f"/compare/?ids=99999999999999999999999&ids=9223372036854775808&ids={mc.pk}")
    assert response.status_code == 200
    assert mc.title in response.content.decode()


def test_verify_says_what_is_missing_when_nothing_is_given():
    response = Client().post("/api/v1/verify", data="{}", content_type="application/json")
    assert response.status_code == 422
    assert "not both" not in response.json()["detail"]
