"""An outside wallet's view of the OB 3.0 API: a learner who earned a credential the real way, a
registered client, and tokens got through the consent page with PKCE."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from django.test import Client

from microcred.accounts.models import Organisation, User
from microcred.catalog.models import MicroCredential
from microcred.obapi.scopes import OB_SCOPES
from tests.credentials.conftest import complete
from tests.factories import OrganisationFactory, UserFactory, published_microcredential

SITE = "https://academy.example"
REDIRECT = "https://wallet.example/callback"
STANDARDS = Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "schemas" / "ob-v3p0"
ALL_SCOPES = " ".join(OB_SCOPES)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


# -- the official schemas ------------------------------------------------------------------------


def openapi() -> dict[str, Any]:
    return json.loads((STANDARDS / "openapi" / "imsob_v3p0.json").read_text())


def assert_matches_openapi(document: Any, component: str) -> None:
    """Validate against a component of the official OpenAPI file (its $refs resolved in place)."""
    root = {"components": openapi()["components"], "allOf": [{"$ref": f"#/components/schemas/{component}"}]}
    jsonschema.Draft7Validator(root).validate(document)


def assert_matches_schema(document: Any, name: str) -> None:
    """Validate against one of the official JSON schemas (``json/ob_v3p0_<name>_schema.json``)."""
    schema = json.loads((STANDARDS / "json" / f"ob_v3p0_{name}_schema.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(document)


# -- the people and their credential --------------------------------------------------------------


@dataclass
class Wallet:
    provider: Organisation
    mc: MicroCredential
    learner: User
    other: User


@pytest.fixture
def wallet(db) -> Wallet:
    provider = OrganisationFactory(name="Example Academy", slug="example-academy", email="badges@academy.example")
    mc = published_microcredential(provider=provider)
    learner = UserFactory(email="ada.lovelace@example.org", full_name="Ada Lovelace")
    complete(mc, learner)
    return Wallet(provider=provider, mc=mc, learner=learner, other=UserFactory(email="grace@example.org"))


# -- the OAuth dance, through Django's test client -------------------------------------------------


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def register(client: Client, **overrides: Any) -> dict[str, Any]:
    metadata = {
        "client_name": "Example Wallet",
        "client_uri": "https://wallet.example/",
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": ALL_SCOPES,
        **overrides,
    }
    response = client.post("/ims/ob/v3p0/oauth/register", data=json.dumps(metadata), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def basic(registration: dict[str, Any]) -> str:
    pair = f"{registration['client_id']}:{registration['client_secret']}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def authorize(client: Client, user: User, registration: dict[str, Any], *, scope: str = ALL_SCOPES) -> tuple[str, str]:
    """Log in, open the consent page and allow; returns (code, verifier)."""
    verifier, challenge = pkce()
    client.force_login(user)
    query = {
        "response_type": "code",
        "client_id": registration["client_id"],
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "s-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = client.get("/ims/ob/v3p0/oauth/authorize", query)
    assert page.status_code == 200, page.content
    form = page.context["form"]
    fields = {name: form[name].value() or "" for name in form.fields if form[name].is_hidden}
    answer = client.post("/ims/ob/v3p0/oauth/authorize", {**fields, "allow": "Authorize"})
    assert answer.status_code == 302, answer.content
    back = urlsplit(answer["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    params = parse_qs(back.query)
    assert params["state"] == ["s-123"]
    # RFC 9207: the issuer the RFC 8414 metadata names (SITE_URL), not the request's host.
    assert params["iss"] == [SITE]
    client.logout()
    return params["code"][0], verifier


def token(client: Client, registration: dict[str, Any], code: str, verifier: str) -> dict[str, Any]:
    response = client.post(
        "/ims/ob/v3p0/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier},
        HTTP_AUTHORIZATION=basic(registration),
    )
    assert response.status_code == 200, response.content
    return response.json()


def access_token(client: Client, user: User, *, scope: str = ALL_SCOPES, registration: dict | None = None) -> str:
    registration = registration or register(client)
    code, verifier = authorize(client, user, registration, scope=scope)
    return token(client, registration, code, verifier)["access_token"]


def bearer(value: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}
