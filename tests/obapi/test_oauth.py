"""Dynamic client registration (RFC 7591), the consent page, PKCE S256, refresh and revocation."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application, RefreshToken

from microcred.core.models import AuditLog
from microcred.obapi.models import ClientRegistration
from microcred.obapi.scopes import CREDENTIAL_READONLY, PROFILE_READONLY
from tests.obapi.conftest import REDIRECT, authorize, basic, bearer, pkce, register, token

pytestmark = pytest.mark.django_db


def post_registration(metadata) -> tuple[int, dict]:
    response = Client().post("/ims/ob/v3p0/oauth/register", data=json.dumps(metadata), content_type="application/json")
    return response.status_code, response.json()


def test_a_client_registers_and_gets_an_id_and_a_secret_shown_once():
    registration = register(Client(), software_id="c88b6ed8", software_version="v4", contacts=["dev@wallet.example"])
    assert registration["client_id"] and len(registration["client_secret"]) > 30
    assert registration["client_secret_expires_at"] == 0
    assert registration["redirect_uris"] == [REDIRECT]
    assert registration["grant_types"] == ["authorization_code", "refresh_token"]
    assert registration["software_id"] == "c88b6ed8"
    application = Application.objects.get(client_id=registration["client_id"])
    # Stored hashed: the secret is not in the table.
    assert application.client_secret != registration["client_secret"]
    assert application.client_type == "confidential"
    stored = ClientRegistration.objects.get(application=application)
    assert stored.contacts == ["dev@wallet.example"] and stored.registered_from == "127.0.0.1"
    assert AuditLog.objects.filter(action="obapi.client_register", target_id=str(stored.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "error", "words"),
    [
        ({"redirect_uris": ["http://wallet.example/cb"]}, "invalid_redirect_uri", "https, or http on the loopback"),
        ({"redirect_uris": ["https://wallet.example/cb#frag"]}, "invalid_redirect_uri", "no fragment"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "invalid_redirect_uri", "not allowed"),
        ({"redirect_uris": []}, "invalid_redirect_uri", "redirect_uris is required"),
        ({"redirect_uris": "https://wallet.example/cb"}, "invalid_client_metadata", "array of strings"),
        (
            {"scope": "https://purl.imsglobal.org/spec/ob/v3p0/scope/everything"},
            "invalid_client_metadata",
            "Unknown scope",
        ),
        ({"client_name": ""}, "invalid_client_metadata", "client_name is required"),
        ({"grant_types": ["client_credentials"]}, "invalid_client_metadata", "authorization_code"),
        ({"response_types": ["token"]}, "invalid_client_metadata", "response_types"),
        ({"token_endpoint_auth_method": "none"}, "invalid_client_metadata", "client_secret_basic"),
        ({"logo_uri": "ftp://wallet.example/logo.png"}, "invalid_client_metadata", "logo_uri"),
    ],
)
def test_bad_metadata_is_refused_with_the_rfc_7591_error(changes, error, words):
    metadata = {"client_name": "Wallet", "redirect_uris": ["https://wallet.example/cb"], **changes}
    status, body = post_registration(metadata)
    assert status == 400
    assert body["error"] == error
    assert words in body["error_description"]
    assert not Application.objects.exists()


def test_a_loopback_redirect_and_the_default_scopes_are_accepted():
    status, body = post_registration(
        {"client_name": "Desktop wallet", "redirect_uris": ["http://127.0.0.1:8123/cb", "http://[::1]/cb"]}
    )
    assert status == 201
    assert body["scope"].split() == [
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update",
    ]


def test_registration_takes_json_only_and_is_throttled_per_address(settings):
    response = Client().post("/ims/ob/v3p0/oauth/register", data="client_name=x", content_type="text/plain")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_client_metadata")
    response = Client().post("/ims/ob/v3p0/oauth/register", data="{", content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_client_metadata")
    settings.MICROCRED_OBAPI_REGISTRATION_RATE = "2/h"
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(2):
        client.post("/ims/ob/v3p0/oauth/register", data="{}", content_type="application/json")
    response = client.post("/ims/ob/v3p0/oauth/register", data="{}", content_type="application/json")
    assert response.status_code == 429


def authorize_query(registration, **changes):
    verifier, challenge = pkce()
    query = {
        "response_type": "code",
        "client_id": registration["client_id"],
        "redirect_uri": REDIRECT,
        "scope": CREDENTIAL_READONLY,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **changes,
    }
    return {key: value for key, value in query.items() if value is not None}, verifier


def test_the_consent_page_asks_for_login_first_then_names_the_client_and_each_scope(wallet):
    client = Client()
    registration = register(client)
    query, _ = authorize_query(registration, scope=f"{CREDENTIAL_READONLY} {PROFILE_READONLY}")
    response = client.get("/ims/ob/v3p0/oauth/authorize", query)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/ims/ob/v3p0/oauth/authorize")
    client.force_login(wallet.learner)
    page = client.get("/ims/ob/v3p0/oauth/authorize", query)
    html = page.content.decode()
    assert "Allow Example Wallet?" in html
    assert "See your credentials" in html and "See your name, e-mail address and bio" in html
    assert "Add credentials to your wallet" not in html  # not asked for
    assert "ada.lovelace@example.org" in html
    assert 'name="csrfmiddlewaretoken"' in html
    # The answer redirects to the client: the page's CSP lets the form go there, and only there.
    form_action = next(
        part for part in page["Content-Security-Policy"].split(";") if part.strip().startswith("form-action")
    )
    assert form_action.split()[1:] == ["'self'", "https://wallet.example"]


def test_the_consent_form_needs_its_csrf_token(wallet):
    client = Client(enforce_csrf_checks=True)
    registration = register(client)
    client.force_login(wallet.learner)
    query, _ = authorize_query(registration)
    response = client.post("/ims/ob/v3p0/oauth/authorize", {**query, "allow": "Authorize"})
    assert response.status_code == 403
    assert not AccessToken.objects.exists()


def test_denying_sends_access_denied_back_and_grants_nothing(wallet):
    client = Client()
    registration = register(client)
    client.force_login(wallet.learner)
    query, _ = authorize_query(registration)
    client.get("/ims/ob/v3p0/oauth/authorize", query)
    response = client.post("/ims/ob/v3p0/oauth/authorize", query)  # no "allow"
    params = parse_qs(urlsplit(response["Location"]).query)
    assert params["error"] == ["access_denied"] and params["state"] == ["xyz"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),  # PKCE is required
        ({"code_challenge_method": "plain"}, "invalid_request"),  # S256 only
        ({"scope": "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update"}, "invalid_scope"),  # not registered
    ],
)
def test_authorization_requests_without_s256_pkce_or_beyond_the_registration_are_refused(wallet, changes, error):
    client = Client()
    registration = register(client, scope=f"{CREDENTIAL_READONLY} {PROFILE_READONLY}")
    client.force_login(wallet.learner)
    query, _ = authorize_query(registration, **changes)
    response = client.get("/ims/ob/v3p0/oauth/authorize", query)
    assert response.status_code == 302
    params = parse_qs(urlsplit(response["Location"]).query)
    assert params["error"] == [error]


def test_an_unknown_redirect_uri_is_an_error_page_never_a_redirect(wallet):
    client = Client()
    registration = register(client)
    client.force_login(wallet.learner)
    query, _ = authorize_query(registration, redirect_uri="https://attacker.example/cb")
    response = client.get("/ims/ob/v3p0/oauth/authorize", query)
    assert response.status_code == 400
    assert "This connection cannot go ahead" in response.content.decode()


def test_the_code_needs_the_right_verifier_and_works_once(wallet):
    client = Client()
    registration = register(client)
    code, verifier = authorize(client, wallet.learner, registration, scope=CREDENTIAL_READONLY)
    wrong = client.post(
        "/ims/ob/v3p0/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": "x" * 50},
        HTTP_AUTHORIZATION=basic(registration),
    )
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    code, verifier = authorize(client, wallet.learner, registration, scope=CREDENTIAL_READONLY)
    tokens = token(client, registration, code, verifier)
    assert tokens["token_type"] == "Bearer" and tokens["scope"] == CREDENTIAL_READONLY
    assert tokens["expires_in"] == 3600 and tokens["refresh_token"]
    again = client.post(
        "/ims/ob/v3p0/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier},
        HTTP_AUTHORIZATION=basic(registration),
    )
    assert again.status_code == 400
    # Tokens are stored as checksums only.
    assert not AccessToken.objects.filter(token=tokens["access_token"]).exists()
    assert not RefreshToken.objects.filter(token=tokens["refresh_token"]).exists()


def refresh(client, registration, refresh_token):
    return client.post(
        "/ims/ob/v3p0/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        HTTP_AUTHORIZATION=basic(registration),
    )


def test_a_refresh_token_rotates_and_a_revoked_token_stops_working(wallet):
    client = Client()
    registration = register(client)
    code, verifier = authorize(client, wallet.learner, registration, scope=CREDENTIAL_READONLY)
    first = token(client, registration, code, verifier)
    refreshed = refresh(client, registration, first["refresh_token"]).json()
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed["refresh_token"] != first["refresh_token"]
    assert refreshed["scope"] == CREDENTIAL_READONLY
    assert client.get("/ims/ob/v3p0/credentials", **bearer(refreshed["access_token"])).status_code == 200
    revoked = client.post(
        "/ims/ob/v3p0/oauth/revoke",
        {"token": refreshed["access_token"], "token_type_hint": "access_token"},
        HTTP_AUTHORIZATION=basic(registration),
    )
    assert revoked.status_code == 200
    after = client.get("/ims/ob/v3p0/credentials", **bearer(refreshed["access_token"]))
    assert after.status_code == 401
    assert 'error="invalid_token"' in after["WWW-Authenticate"]


def test_a_spent_refresh_token_used_again_ends_the_whole_grant(wallet):
    """Reuse means the token leaked (RFC 9700 §4.14.2): the replay is refused and the tokens
    issued from it stop working too."""
    client = Client()
    registration = register(client)
    code, verifier = authorize(client, wallet.learner, registration, scope=CREDENTIAL_READONLY)
    first = token(client, registration, code, verifier)
    refreshed = refresh(client, registration, first["refresh_token"]).json()
    assert refresh(client, registration, first["refresh_token"]).status_code == 400
    assert client.get("/ims/ob/v3p0/credentials", **bearer(refreshed["access_token"])).status_code == 401
    assert refresh(client, registration, refreshed["refresh_token"]).status_code == 400
