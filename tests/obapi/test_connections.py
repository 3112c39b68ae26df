"""The learner's page of connected applications: what each may do, and disconnecting one ends
its tokens at once (only this learner's)."""

from __future__ import annotations

import pytest
from django.test import Client

from microcred.core.models import AuditLog
from microcred.obapi.scopes import CREDENTIAL_READONLY, PROFILE_READONLY
from tests.obapi.conftest import SITE, authorize, basic, bearer, register, token

pytestmark = pytest.mark.django_db


def test_no_connection_is_an_explained_empty_page_and_the_page_needs_a_login(wallet):
    client = Client()
    assert client.get("/me/connected-apps/").status_code == 302
    client.force_login(wallet.learner)
    page = client.get("/me/connected-apps/").content.decode()
    assert "No application is connected" in page and "Nothing is shared before you allow it" in page


def test_a_learner_finds_the_page_and_the_address_a_wallet_needs(wallet):
    client = Client()
    client.force_login(wallet.learner)
    page = client.get("/me/credentials/").content.decode()
    # From the account menu on every page, and from My credentials with the site's address.
    assert page.count('href="/me/connected-apps/"') == 2
    (note,) = [part for part in page.split("</p>") if "data-wallet-link" in part]
    assert f"<code>{SITE}</code>" in note
    assert client.get(f"{SITE}/ims/ob/v3p0/discovery".removeprefix(SITE)).status_code == 200


def test_a_connected_wallet_is_listed_with_what_it_may_do_and_disconnecting_ends_its_tokens(wallet):
    client = Client()
    registration = register(client)
    code, verifier = authorize(client, wallet.learner, registration, scope=f"{CREDENTIAL_READONLY} {PROFILE_READONLY}")
    mine = token(client, registration, code, verifier)
    code, verifier = authorize(client, wallet.other, registration, scope=CREDENTIAL_READONLY)
    theirs = token(client, registration, code, verifier)

    client.force_login(wallet.learner)
    page = client.get("/me/connected-apps/").content.decode()
    assert "Example Wallet" in page and "https://wallet.example/" in page
    assert "See your credentials" in page and "See your name, e-mail address and bio" in page
    client.force_login(wallet.other)
    assert "See your name, e-mail address and bio" not in client.get("/me/connected-apps/").content.decode()

    client.force_login(wallet.learner)
    response = client.post(f"/me/connected-apps/{registration['client_id']}/disconnect", follow=True)
    assert "no longer work" in response.content.decode()
    assert "No application is connected" in response.content.decode()
    assert client.get("/ims/ob/v3p0/credentials", **bearer(mine["access_token"])).status_code == 401
    refreshed = client.post(
        "/ims/ob/v3p0/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": mine["refresh_token"]},
        HTTP_AUTHORIZATION=basic(registration),
    )
    assert refreshed.status_code == 400
    assert AuditLog.objects.filter(action="obapi.connection_end", actor_id=wallet.learner.pk).exists()
    # The other learner's connection to the same wallet is untouched.
    assert client.get("/ims/ob/v3p0/credentials", **bearer(theirs["access_token"])).status_code == 200


def test_disconnecting_is_a_post_with_csrf_and_an_unknown_application_is_not_found(wallet):
    client = Client(enforce_csrf_checks=True)
    registration = register(client)
    client.force_login(wallet.learner)
    url = f"/me/connected-apps/{registration['client_id']}/disconnect"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    plain = Client()
    plain.force_login(wallet.learner)
    assert plain.post(url).status_code == 404  # registered, but never connected by this learner
    assert plain.post("/me/connected-apps/no-such-client/disconnect").status_code == 404
