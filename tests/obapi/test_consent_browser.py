"""The consent page in Debian's Chromium at 390 px: the learner sees who asks for what, and both
answers are on screen; allowing sends the code back to the wallet's redirect URI."""

from __future__ import annotations

import base64
import json
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

from microcred.obapi.scopes import CREDENTIAL_READONLY, PROFILE_READONLY
from microcred.obapi.services import client_register
from tests.factories import UserFactory
from tests.obapi.conftest import pkce
from tests.web.browser import BROWSER_MARKS, PHONE, sign_in

pytestmark = BROWSER_MARKS
CALLBACK = "http://127.0.0.1:53682/callback"


def on_screen(page, selector: str) -> bool:
    element = page.locator(selector)
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5


def test_the_consent_page_fits_a_phone_and_allowing_returns_the_code(phone, transactional_db):
    context, base_url = phone
    learner = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    registered = client_register(
        metadata={
            "client_name": "A Wallet With A Rather Long Name For A Small Screen",
            "client_uri": "https://a-wallet-with-a-long-domain-name.example/",
            "redirect_uris": [CALLBACK],
            "scope": f"{CREDENTIAL_READONLY} {PROFILE_READONLY}",
        }
    )
    sign_in(context, base_url, learner)
    returned: list[str] = []
    context.route(f"{CALLBACK}*", lambda route: (returned.append(route.request.url), route.fulfill(body="ok")))
    verifier, challenge = pkce()
    query = {
        "response_type": "code",
        "client_id": registered.registration.application.client_id,
        "redirect_uri": CALLBACK,
        "scope": f"{CREDENTIAL_READONLY} {PROFILE_READONLY}",
        "state": "phone",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = context.new_page()
    page.goto(f"/ims/ob/v3p0/oauth/authorize?{urlencode(query)}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Allow A Wallet With")
    assert page.locator("main li").all_inner_texts() == [
        "See your credentials: the ones we issued you and the ones you added",
        "See your name, e-mail address and bio",
    ]
    assert on_screen(page, "#authorizationForm button[name=allow]") and on_screen(
        page, "#authorizationForm button:not([name])"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{CALLBACK}*")
    answer = parse_qs(urlsplit(returned[0]).query)
    assert answer["state"] == ["phone"] and answer["code"][0]

    # The wallet trades the code with its own HTTP client; the learner then sees it, and the
    # Disconnect button, on their page at 390 px.
    body = urlencode(
        {
            "grant_type": "authorization_code",
            "code": answer["code"][0],
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        }
    ).encode()
    pair = f"{registered.registration.application.client_id}:{registered.client_secret}".encode()
    request = urllib.request.Request(
        f"{base_url}/ims/ob/v3p0/oauth/token",
        data=body,
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["access_token"]
    page.goto("/me/connected-apps/")
    assert "A Wallet With A Rather Long Name" in page.get_by_role("heading", level=2).first.inner_text()
    assert on_screen(page, "main form button")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Disconnect").click()
    page.wait_for_url("**/me/connected-apps/")
    assert page.get_by_text("No application is connected").is_visible()
