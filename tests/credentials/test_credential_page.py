"""The public credential page says only what the signed credential proves: the recipient is the
holder of a hashed e-mail address; the account's name, which its holder can change at any time,
appears only as the holder's own claim."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from microcred.accounts.services import profile_update
from microcred.credentials.models import Credential
from microcred.credentials.services import credential_revoke

from .conftest import SITE, complete
from .test_hosting import BROWSER

pytestmark = pytest.mark.django_db
PROVEN = "the holder of a hashed e-mail address"


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def _page(client, credential: Credential) -> str:
    response = client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 200
    return response.content.decode()


def _claim_box(html: str) -> str:
    (box,) = re.findall(r'<aside[^>]*data-claim="holder-name".*?</aside>', html, flags=re.S)
    return box


def _outside(html: str, part: str) -> str:
    return html.replace(part, "")


def _content(html: str) -> str:
    """The page's own content (not the site header, which greets a signed-in person by name)."""
    return re.search(r'<main id="main".*?</main>', html, flags=re.S).group(0)


def test_a_name_changed_after_issuing_is_only_the_holders_claim(world, issued, client):
    profile_update(actor=world.learner, user=world.learner, full_name="Grace Hopper", visibility="public")
    html = _page(client, issued)

    header = re.search(r"<header class=\"page-header\">.*?</header>", html, flags=re.S).group(0)
    assert f'data-proven="recipient">{PROVEN}</strong>' in header
    assert "Grace Hopper" not in header and "Ada Lovelace" not in html
    box = _claim_box(html)
    assert "Grace Hopper" in box
    assert "Holder's claim" in box and "not part of the signed credential" in box
    assert "can change it at any time" in box
    # Nowhere else: not the title, the description meta, the header or the "for verifiers" part.
    assert "Grace Hopper" not in _outside(html, box)
    assert re.search(r"<title>[^<]*</title>", html).group(0) == "<title>Data Basics · Credential · Microcred</title>"
    # The signed credential carries no name at all, only the salted hash of the address.
    signed = json.dumps(issued.document)
    assert "Grace" not in signed and "Ada" not in signed and "Lovelace" not in signed
    (identifier,) = issued.document["credentialSubject"]["identifier"]
    assert identifier["identityType"] == "emailAddress" and identifier["hashed"] is True


def test_a_private_profile_shows_no_name_at_all_on_a_credential_from_before_the_choice(world, issued, client):
    Credential.objects.filter(pk=issued.pk).update(holder_name="profile")
    html = _page(client, issued)
    assert PROVEN in html and 'data-claim="holder-name"' not in html
    assert "Ada Lovelace" not in html and "a verified learner" not in html


def test_the_holder_sees_their_own_name_marked_as_their_claim(world, issued, client):
    client.force_login(world.learner)
    html = _page(client, issued)
    assert "Ada Lovelace" in _claim_box(html)
    # Besides the claim, only the holder's own notes about what others see name them.
    (sharing,) = re.findall(r"<section[^>]*data-sharing>.*?</section>", html, flags=re.S)
    (note,) = re.findall(r"<p[^>]*data-share-note>.*?</p>", html, flags=re.S)
    rest = _content(html)
    for part in (_claim_box(html), sharing, note):
        rest = _outside(rest, part)
    assert "Ada Lovelace" not in rest
    (via,) = re.findall(r'href="([^"]+)"[^>]*data-share="linkedin-add"', html)
    linkedin = client.get(via)["Location"]  # through the counting redirect (ADR 0047)
    params = parse_qs(urlsplit(linkedin.replace("&amp;", "&")).query)
    assert params["name"] == ["Data Basics"] and params["organizationName"] == ["Example Academy"]
    assert "Ada" not in linkedin and "Lovelace" not in linkedin


def test_a_verifier_checks_an_address_from_the_page(world, issued, client):
    html = _page(client, issued)
    form = re.search(r'<form method="post" action="(/verify/)" data-check="recipient">(.*?)</form>', html, flags=re.S)
    assert form is not None and 'name="email"' in form.group(2)
    url = re.search(r'name="url" value="([^"]+)"', form.group(2)).group(1)
    assert url == f"{SITE}/credentials/{issued.uuid}"

    matching = client.post(form.group(1), {"url": url, "email": "ADA.lovelace@example.org"}).content.decode()
    assert 'data-outcome="valid"' in matching
    assert 'data-step="recipient" data-status="passed"' in matching
    other = client.post(form.group(1), {"url": url, "email": "grace@example.org"}).content.decode()
    assert 'data-step="recipient" data-status="failed"' in other


def test_a_revoked_credential_page_is_not_celebratory_and_still_claims_nothing(world, issued, client):
    profile_update(actor=world.learner, user=world.learner, visibility="public")
    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")
    html = _page(client, issued)
    assert "The issuer revoked this credential" in html and "Issued in error" in html
    assert "icon-check-circle" not in html and "celebrate" not in html
    assert f'data-proven="recipient">{PROVEN}</strong>' in html
    assert "Ada Lovelace" in _claim_box(html)


# --- the page as remembered for anonymous visitors -------------------------------------------


def _anonymous_get(client, credential: Credential, **headers):
    return client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT=BROWSER, **headers)


def _csrf_tokens(html: str) -> set[str]:
    in_form = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    in_htmx = re.findall(r'"X-CSRFToken": "([^"]+)"', html)
    return set(in_form) | set(in_htmx)


def test_an_anonymous_page_is_rendered_once_and_then_costs_one_light_query_and_its_view_count(world, issued, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = _anonymous_get(client, issued)
    with CaptureQueriesContext(connection) as queries:
        again = Client(HTTP_HOST="testserver").get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER)
    # Besides the light read, the view counter's one UPDATE (ADR 0047; a savepoint around it only
    # because the test holds a transaction).
    statements = [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]
    assert again.status_code == 200 and len(statements) == 2
    assert '"document"' not in statements[0]  # the version of the page, not the credential
    assert statements[1].startswith("UPDATE") and "credentialengagement" in statements[1]
    # Same page but for each visitor's own CSRF token.
    (token_first,) = _csrf_tokens(first.content.decode())
    (token_again,) = _csrf_tokens(again.content.decode())
    assert token_first != token_again
    assert first.content.decode().replace(token_first, "T") == again.content.decode().replace(token_again, "T")


def test_a_revocation_shows_on_the_very_next_anonymous_request(world, issued, client):
    for _ in range(2):
        html = _anonymous_get(client, issued).content.decode()
        assert "The issuer has not revoked or suspended it" in html
    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")
    html = _anonymous_get(client, issued).content.decode()
    assert "The issuer revoked this credential" in html and "Issued in error" in html
    assert "has not revoked" not in html


def test_a_suspension_and_its_end_show_at_once(world, issued, client):
    from microcred.credentials.services import credential_suspend, credential_unsuspend

    assert "has not revoked or suspended" in _anonymous_get(client, issued).content.decode()
    credential_suspend(actor=world.owner, credential=issued, reason="Under review")
    assert "The issuer has suspended this credential" in _anonymous_get(client, issued).content.decode()
    credential_unsuspend(actor=world.owner, credential=issued, reason="Cleared")
    assert "has not revoked or suspended" in _anonymous_get(client, issued).content.decode()


def test_the_holders_visibility_and_name_show_at_once(world, issued, client):
    Credential.objects.filter(pk=issued.pk).update(holder_name="profile")  # issued before the choice
    assert 'data-claim="holder-name"' not in _anonymous_get(client, issued).content.decode()
    profile_update(actor=world.learner, user=world.learner, visibility="public")
    assert "Ada Lovelace" in _claim_box(_anonymous_get(client, issued).content.decode())
    profile_update(actor=world.learner, user=world.learner, full_name="Ada King")
    assert "Ada King" in _claim_box(_anonymous_get(client, issued).content.decode())
    profile_update(actor=world.learner, user=world.learner, visibility="private")
    assert 'data-claim="holder-name"' not in _anonymous_get(client, issued).content.decode()


def test_expiry_shows_when_the_time_comes_without_any_change_stored(world, issued, client):
    from datetime import timedelta

    from microcred.core import clock

    Credential.objects.filter(pk=issued.pk).update(valid_until=clock.now() + timedelta(days=1))
    assert "has not revoked or suspended" in _anonymous_get(client, issued).content.decode()
    with clock.shifted_to(clock.now() + timedelta(days=2)):
        html = _anonymous_get(client, issued).content.decode()
    assert "This credential expired on" in html


def test_a_conditional_get_is_answered_304_until_the_page_changes(world, issued):
    visitor = Client(enforce_csrf_checks=True)
    first = _anonymous_get(visitor, issued)
    etag = first["ETag"]
    assert first["Cache-Control"] == "no-cache" and "Cookie" in first["Vary"]
    unchanged = _anonymous_get(visitor, issued, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    # Another visitor's cookie (hence CSRF token) makes it another page.
    assert _anonymous_get(Client(), issued, HTTP_IF_NONE_MATCH=etag).status_code == 200
    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")
    changed = _anonymous_get(visitor, issued, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "The issuer revoked this credential" in changed.content.decode()


def test_the_address_check_form_of_a_remembered_page_passes_csrf(world, issued):
    _anonymous_get(Client(), issued)  # someone else's visit fills the memo
    visitor = Client(enforce_csrf_checks=True)
    html = _anonymous_get(visitor, issued).content.decode()
    (token,) = _csrf_tokens(html)
    url = re.search(r'name="url" value="([^"]+)"', html).group(1)
    answer = visitor.post("/verify/", {"csrfmiddlewaretoken": token, "url": url, "email": "ada.lovelace@example.org"})
    assert answer.status_code == 200 and 'data-outcome="valid"' in answer.content.decode()
    # Without the token the check is still refused.
    assert Client(enforce_csrf_checks=True).post("/verify/", {"url": url}).status_code == 403


def test_signed_in_viewers_get_their_own_rendering(world, issued, client):
    _anonymous_get(Client(), issued)
    client.force_login(world.learner)
    html = _page(client, issued)
    assert "Ada Lovelace" in _claim_box(html) and "linkedin.com" in html


def test_the_live_checklist_is_styled_like_the_verify_pages(world, issued, client):
    # The checklist the page loads (/verify/live/) uses the verify page's styles: without them its
    # steps render as a bare numbered list.
    html = _page(client, issued)
    head = html[: html.index("</head>")]
    assert 'href="/static/web/css/verify.css"' in head and "data-live-check" in html
