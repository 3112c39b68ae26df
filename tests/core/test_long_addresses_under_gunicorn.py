"""An over-long address through a real gunicorn, run as the README says: the app, not the server,
answers it, so an API client gets problem details rather than gunicorn's HTML page."""

from __future__ import annotations

import http.client
import json

import pytest

from tests.servers import gunicorn as run_gunicorn


@pytest.fixture
def gunicorn(tmp_path):
    with run_gunicorn(tmp_path, "--limit-request-line", "8190") as port:
        yield port


def get(port: int, target: str, accept: str = "*/*") -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", target, headers={"Accept": accept})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def test_an_over_long_api_address_is_a_414_problem_from_the_app(gunicorn):
    status, content_type, body = get(gunicorn, "/api/v1/microcredentials?q=" + "a" * 6_000)
    assert status == 414
    assert content_type == "application/problem+json"
    problem = json.loads(body)
    assert problem["code"] == "uri_too_long" and problem["instance"] == "/api/v1/microcredentials"


def test_an_over_long_page_address_is_the_site_s_own_414_page(gunicorn):
    status, content_type, body = get(gunicorn, "/catalog/?q=" + "a" * 6_000, accept="text/html")
    assert status == 414 and content_type.startswith("text/html")
    assert b"Address too long" in body and b"site-header" in body
