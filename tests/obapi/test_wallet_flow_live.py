"""The whole OB 3.0 API as an outside wallet walks it: its own HTTP client (urllib, a cookie jar
for the learner's browser) against a running server, nothing of Django's test client.

discovery (the OB service description, then the RFC 8414 metadata of its authorization server,
whose endpoints the wallet uses from there on) → register → authorize (log in and consent through the pages, CSRF tokens read from
them) → token with PKCE → credentials, paged by the Link header → upsert → profile → refresh →
revoke → 401 after revocation."""

from __future__ import annotations

import base64
import http.cookiejar
import json
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest

from microcred.obapi.scopes import OB_SCOPES
from tests.credentials.conftest import complete
from tests.factories import published_microcredential
from tests.obapi.conftest import assert_matches_openapi, assert_matches_schema, pkce
from tests.obapi.test_resources import foreign_badge

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
CALLBACK = "http://127.0.0.1:53682/callback"  # a native wallet's loopback redirect: never fetched


class Http:
    """A minimal user agent: keeps cookies, never follows redirects (the wallet reads them)."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._Stay()
        )

    def __call__(self, method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None):
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def form(self, url: str, fields: dict[str, str], headers: dict[str, str] | None = None):
        body = urlencode(fields).encode()
        return self(
            "POST", url, body=body, headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        )


def hidden_inputs(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = value.group(1).replace("&amp;", "&").replace("&quot;", '"') if value else ""
    return fields


def link_targets(header: str) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>;\s*rel="([^"]+)"', header)}


@pytest.mark.usefixtures("transactional_db")
def test_an_outside_wallet_walks_the_whole_api(live_server, settings, wallet):
    settings.SITE_URL = live_server.url
    complete(published_microcredential(provider=wallet.provider, slug="second-course"), wallet.learner)
    wallet_http, browser = Http(), Http()

    # 1. Discovery.
    status, _, body = wallet_http(
        "GET", f"{live_server.url}/ims/ob/v3p0/discovery", headers={"Accept": "application/json"}
    )
    assert status == 200
    description = json.loads(body)
    assert_matches_openapi(description, "ServiceDescriptionDocument")
    scheme = description["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    api = description["servers"][0]["url"]
    assert api == f"{live_server.url}/ims/ob/v3p0"

    # 1b. The authorization server's metadata, where RFC 8414 §3 puts it for the API's origin.
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(api))
    status, headers, body = wallet_http("GET", f"{origin}/.well-known/oauth-authorization-server")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    server = json.loads(body)
    assert server["issuer"] == origin  # RFC 8414 §3.3: the issuer the URL was made from
    assert "S256" in server["code_challenge_methods_supported"]
    assert "client_secret_basic" in server["token_endpoint_auth_methods_supported"]
    assert set(OB_SCOPES) <= set(server["scopes_supported"])
    assert (server["authorization_endpoint"], server["token_endpoint"], server["registration_endpoint"]) == (
        flow["authorizationUrl"],
        flow["tokenUrl"],
        scheme["x-imssf-registrationUrl"],
    )

    # 2. Dynamic client registration.
    metadata = {
        "client_name": "Outside Wallet",
        "client_uri": "https://wallet.example/",
        "redirect_uris": [CALLBACK],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": " ".join([*OB_SCOPES, "offline_access"]),
    }
    status, _, body = wallet_http(
        "POST",
        server["registration_endpoint"],
        body=json.dumps(metadata).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 201, body
    client = json.loads(body)
    basic = "Basic " + base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()

    # 3. Authorization: the learner's browser logs in and consents on our pages.
    verifier, challenge = pkce()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client["client_id"],
            "redirect_uri": CALLBACK,
            "scope": metadata["scope"],
            "state": "wallet-state-1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    authorize_url = f"{server['authorization_endpoint']}?{query}"
    status, headers, _ = browser("GET", authorize_url)
    assert status == 302 and urlsplit(headers["Location"]).path == "/login/"
    login_url = urljoin(live_server.url, headers["Location"])
    status, _, page = browser("GET", login_url)
    fields = hidden_inputs(page.decode())
    status, headers, _ = browser.form(
        login_url, {**fields, "username": wallet.learner.email, "password": PASSWORD}, headers={"Referer": login_url}
    )
    assert status == 302, "the login did not go through"
    status, _, page = browser("GET", urljoin(live_server.url, headers["Location"]))
    assert status == 200
    consent = page.decode()
    assert "Allow Outside Wallet?" in consent and "Add credentials to your wallet" in consent
    status, headers, _ = browser.form(
        authorize_url, {**hidden_inputs(consent), "allow": "Authorize"}, headers={"Referer": authorize_url}
    )
    assert status == 302
    back = urlsplit(headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    answer = parse_qs(back.query)
    assert answer["state"] == ["wallet-state-1"]
    assert answer["iss"] == [server["issuer"]]  # RFC 9207: no mix-up with another server

    # 4. The code for tokens, with the PKCE verifier and HTTP Basic client authentication.
    token_form = {
        "grant_type": "authorization_code",
        "code": answer["code"][0],
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    status, headers, body = wallet_http.form(server["token_endpoint"], token_form, headers={"Authorization": basic})
    assert status == 200, body
    assert "no-store" in headers["Cache-Control"]
    tokens = json.loads(body)
    auth = {"Authorization": f"Bearer {tokens['access_token']}", "Accept": "application/json"}

    # 5. The learner's credentials, one page at a time by the Link header.
    status, headers, body = wallet_http("GET", f"{api}/credentials?limit=1", headers=auth)
    assert status == 200 and headers["X-Total-Count"] == "2"
    first_page = json.loads(body)
    assert_matches_schema(first_page, "getopenbadgecredentialsresponse")
    status, headers, body = wallet_http("GET", link_targets(headers["Link"])["next"], headers=auth)
    second_page = json.loads(body)
    assert status == 200 and "next" not in link_targets(headers["Link"])
    assert {first_page["credential"][0]["id"], second_page["credential"][0]["id"]} == {
        c.document["id"] for c in wallet.learner.credentials.all()
    }

    # 6. Upsert a credential from elsewhere: verified, then kept and listed.
    document, _ = foreign_badge(wallet.learner.email)
    status, _, body = wallet_http(
        "POST",
        f"{api}/credentials",
        body=json.dumps(document).encode(),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert status == 201, body
    status, headers, _ = wallet_http("GET", f"{api}/credentials", headers=auth)
    assert headers["X-Total-Count"] == "3"

    # 7. The profile, read and updated.
    status, _, body = wallet_http("GET", f"{api}/profile", headers=auth)
    profile = json.loads(body)
    assert_matches_schema(profile, "profile")
    changed = {**profile, "description": "Collects badges."}
    status, _, body = wallet_http(
        "PUT", f"{api}/profile", body=json.dumps(changed).encode(), headers={**auth, "Content-Type": "application/json"}
    )
    assert status == 200 and json.loads(body)["description"] == "Collects badges."

    # 8. Refresh.
    status, _, body = wallet_http.form(
        server["token_endpoint"],
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers={"Authorization": basic},
    )
    assert status == 200, body
    refreshed = json.loads(body)
    auth = {"Authorization": f"Bearer {refreshed['access_token']}", "Accept": "application/json"}
    assert wallet_http("GET", f"{api}/credentials", headers=auth)[0] == 200

    # 9. Revoke, and the token no longer opens anything.
    status, _, _ = wallet_http.form(
        server["revocation_endpoint"],
        {"token": refreshed["access_token"], "token_type_hint": "access_token"},
        headers={"Authorization": basic},
    )
    assert status == 200
    status, headers, body = wallet_http("GET", f"{api}/credentials", headers=auth)
    assert status == 401 and 'error="invalid_token"' in headers["WWW-Authenticate"]
    assert_matches_schema(json.loads(body), "imsx_statusinfo")
