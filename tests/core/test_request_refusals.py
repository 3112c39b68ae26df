"""Requests Django refuses before any view: an unknown Host, a body or an address over the limits.
Programs get problem details, people a page of the site's own design."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

from microcred.accounts.models import User

pytestmark = pytest.mark.django_db

PROBLEM_JSON = "application/problem+json"


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"https://microcred.org/problems/{code}"
    assert body["title"] and body["detail"] and body["instance"] == response.wsgi_request.path
    return body


def page(response, status: int, heading: str) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html and "site-header" in html and 'class="code"' in html
    return html


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_an_unknown_host_on_the_api_is_a_400_problem():
    response = Client(HTTP_HOST="evil.example").get("/api/v1/microcredentials")
    body = problem(response, 400, "unknown_host")
    assert "evil.example" not in response.content.decode()
    assert "Host" in body["detail"]


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_an_unknown_host_is_a_problem_for_json_clients_and_a_page_for_browsers():
    client = Client(HTTP_HOST="evil.example")
    problem(client.get("/catalog/", HTTP_ACCEPT="application/json"), 400, "unknown_host")
    problem(client.get("/healthz", HTTP_ACCEPT="application/problem+json"), 400, "unknown_host")
    html = page(client.get("/catalog/", HTTP_ACCEPT="text/html,*/*;q=0.8"), 400, "Unknown site")
    assert "evil.example" not in html


def test_an_address_over_the_limit_is_a_414_page_for_browsers_and_a_problem_for_programs():
    long_query = {"q": "data " * 1_000}
    page(Client().get("/catalog/", long_query), 414, "Address too long")
    problem(Client().get("/catalog/", long_query, HTTP_ACCEPT="application/json"), 414, "uri_too_long")
    problem(Client().get("/api/v1/providers", long_query), 414, "uri_too_long")
    assert Client().get("/catalog/", {"q": "data " * 100}).status_code == 200


@override_settings(MICROCRED_MAX_URI_LENGTH=50)
def test_the_address_limit_is_a_setting():
    problem(Client().get("/api/v1/providers/" + "p" * 40), 414, "uri_too_long")
    assert Client().get("/api/v1/providers").status_code == 200


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000)
def test_an_oversized_form_post_is_a_413_page():
    response = Client().post("/signup/", {"email": "a@example.org", "full_name": "x" * 2_000, "password1": "p"})
    html = page(response, 413, "Too much data")
    assert "1,000 bytes" in html
    assert not User.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000)
def test_an_oversized_body_for_a_json_client_is_a_413_problem():
    response = Client().post(
        "/signup/", {"full_name": "x" * 2_000}, HTTP_ACCEPT="application/problem+json, application/json"
    )
    problem(response, 413, "payload_too_large")


def test_a_nul_character_in_a_page_address_is_a_page_or_a_problem_as_the_client_prefers():
    page(Client().get("/catalog/?q=%00", HTTP_ACCEPT="text/html"), 400, "Invalid request")
    body = problem(Client().get("/catalog/?q=%00", HTTP_ACCEPT="application/json"), 400, "invalid_characters")
    assert "NUL" in body["detail"]


def test_an_address_nothing_serves_is_a_404_problem_under_the_api_and_a_page_otherwise():
    problem(Client().get("/api/v2/microcredentials"), 404, "not_found")
    problem(Client().get("/no-such-page/", HTTP_ACCEPT="application/json"), 404, "not_found")
    response = Client().get("/no-such-page/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404 and "We can’t find that page" in response.content.decode()


def _broken(request):
    raise RuntimeError("secret internals")


# This module is the URLconf of the next test: the real one, with its error handlers, plus a broken page.
from microcred.config.urls import *  # noqa: E402, F403
from microcred.config.urls import urlpatterns as site_urlpatterns  # noqa: E402

urlpatterns = [path("broken/", _broken), *site_urlpatterns]


@override_settings(ROOT_URLCONF=__name__)
def test_an_unexpected_failure_is_a_500_problem_for_programs_and_the_500_page_for_people():
    client = Client(raise_request_exception=False)
    body = problem(client.get("/broken/", HTTP_ACCEPT="application/json"), 500, "internal_error")
    assert "secret" not in body["detail"]
    response = client.get("/broken/", HTTP_ACCEPT="text/html")
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()
    assert "secret" not in response.content.decode()
