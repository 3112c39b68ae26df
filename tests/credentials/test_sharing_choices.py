"""The holder chooses what their credential's page shows: their name (shown by default for new
credentials, and they are told what others see) and who may open it (public, unlisted, private)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from microcred.accounts.services import profile_update
from microcred.credentials.models import Credential
from tests.factories import UserFactory

from .conftest import complete
from .test_hosting import BROWSER

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def anonymous(credential: Credential, **extra) -> tuple[int, str]:
    response = Client().get(f"/credentials/{credential.uuid}", **extra)
    return response.status_code, response.content.decode()


def holder_page(client: Client, credential: Credential) -> str:
    response = client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 200
    return response.content.decode()


def others_see(html: str) -> str:
    (text,) = re.findall(r"<p data-others-see>(.*?)</p>", html, flags=re.S)
    return text


def choose(client: Client, credential: Credential, **choices: str):
    data = {"holder_name": "shown", "page_visibility": "unlisted", **choices}
    return client.post(f"/credentials/{credential.uuid}/sharing", data, follow=True, HTTP_ACCEPT=BROWSER)


def test_a_new_credential_shows_the_name_and_the_holder_is_told_so(world, issued, client):
    profile_update(actor=world.learner, user=world.learner, visibility="private")
    status, html = anonymous(issued, HTTP_ACCEPT=BROWSER)
    assert status == 200 and "Ada Lovelace" in html

    client.force_login(world.learner)
    page = holder_page(client, issued)
    assert "sees your name, <strong>Ada Lovelace</strong>" in others_see(page)
    assert re.search(r'name="holder_name" value="shown"[^>]*checked', page)
    assert re.search(r'name="page_visibility" value="unlisted"[^>]*checked', page)


def test_hiding_the_name_hides_it_from_everyone_else_and_the_holder_sees_that(world, issued, client):
    client.force_login(world.learner)
    response = choose(client, issued, holder_name="hidden")
    assert "does not show your name" in response.content.decode()

    status, html = anonymous(issued, HTTP_ACCEPT=BROWSER)
    assert status == 200 and "Ada Lovelace" not in html and "Lovelace" not in html
    assert "sees no name" in others_see(holder_page(client, issued))
    other = Client()
    other.force_login(UserFactory())
    assert "Ada Lovelace" not in other.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()


def test_a_private_credential_is_not_found_by_anyone_but_its_holder(world, issued, client):
    client.force_login(world.learner)
    choose(client, issued, page_visibility="private")

    for accept in (BROWSER, "application/ld+json", "application/vc+jwt"):
        assert anonymous(issued, HTTP_ACCEPT=accept)[0] == 404
    assert Client().get(f"/credentials/{issued.uuid}?format=json").status_code == 404
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).status_code == 404
    page = holder_page(client, issued)
    assert "Nobody but you can open this page." in page
    assert client.get(f"/credentials/{issued.uuid}?format=json").status_code == 200

    choose(client, issued, page_visibility="unlisted")
    assert anonymous(issued, HTTP_ACCEPT=BROWSER)[0] == 200


def test_only_a_public_page_may_be_indexed(world, issued, client):
    assert 'content="noindex"' in anonymous(issued, HTTP_ACCEPT=BROWSER)[1]
    client.force_login(world.learner)
    choose(client, issued, page_visibility="public")
    assert 'content="noindex"' not in anonymous(issued, HTTP_ACCEPT=BROWSER)[1]


def test_nobody_else_can_change_the_choices_and_bad_choices_change_nothing(world, issued, client):
    stranger = Client()
    stranger.force_login(world.owner)  # even the issuer's owner: it is the holder's page
    response = stranger.post(
        f"/credentials/{issued.uuid}/sharing", {"holder_name": "hidden", "page_visibility": "private"}
    )
    assert response.status_code == 404
    anonymous_post = Client().post(f"/credentials/{issued.uuid}/sharing", {"holder_name": "hidden"})
    assert anonymous_post.status_code == 302 and "/login" in anonymous_post["Location"]

    client.force_login(world.learner)
    bad = choose(client, issued, holder_name="everyone", page_visibility="secret").content.decode()
    assert "Select a valid choice" in bad
    issued.refresh_from_db()
    assert (issued.holder_name, issued.page_visibility) == ("shown", "unlisted")


def test_credentials_from_before_the_choice_keep_following_the_profile(world, issued, client):
    Credential.objects.filter(pk=issued.pk).update(holder_name="profile")
    profile_update(actor=world.learner, user=world.learner, visibility="private")
    assert "Ada Lovelace" not in anonymous(issued, HTTP_ACCEPT=BROWSER)[1]
    profile_update(actor=world.learner, user=world.learner, visibility="public")
    assert "Ada Lovelace" in anonymous(issued, HTTP_ACCEPT=BROWSER)[1]

    client.force_login(world.learner)
    page = holder_page(client, issued)
    assert 'value="profile"' in page  # still on offer until the holder picks another
    choose(client, issued, holder_name="hidden")
    assert 'value="profile"' not in holder_page(client, issued)
    assert "profile" in choose(client, issued, holder_name="profile").content.decode()
    issued.refresh_from_db()
    assert issued.holder_name == "hidden"


def _meta(html: str, attribute: str, name: str) -> str:
    (value,) = re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    return value


def test_link_previews_embedded_json_ld_and_a_qr_code(world, issued):
    import json
    from html import unescape

    status, html = anonymous(issued, HTTP_ACCEPT=BROWSER)
    assert status == 200
    url = f"https://academy.example/credentials/{issued.uuid}"
    assert _meta(html, "property", "og:url") == url
    assert _meta(html, "property", "og:title") == "Data Basics" == _meta(html, "name", "twitter:title")
    assert _meta(html, "property", "og:description").startswith("A verifiable credential issued by Example Academy")
    assert _meta(html, "name", "twitter:card") == "summary"
    assert "Ada" not in _meta(html, "property", "og:description")
    (embedded,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert json.loads(embedded) == issued.document
    (qr,) = re.findall(r"<figure[^>]*data-qr>(.*?)</figure>", html, flags=re.S)
    assert "<svg" in qr and "QR code linking to this page" in unescape(qr)


def test_a_preview_of_a_revoked_credential_says_so_first(world, issued):
    from microcred.credentials.services import credential_revoke

    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")
    html = anonymous(issued, HTTP_ACCEPT=BROWSER)[1]
    assert _meta(html, "property", "og:title") == "Revoked: Data Basics"
    assert _meta(html, "property", "og:description").startswith("Revoked: Issued in error. A verifiable credential")
    assert "application/ld+json" not in html  # nothing of it is promoted, its results included


def test_the_embedded_credential_cannot_close_its_script_element():
    from microcred.credentials.templatetags.credentials_tags import json_ld_script

    out = str(json_ld_script({"name": "</script><script>alert(1)</script> & more"}))
    assert out.count("</script>") == 1 and "<script>alert" not in out
    assert "\\u003C/script\\u003E" in out and "\\u0026" in out


def test_beside_the_share_buttons_the_holder_is_told_who_sees_their_name(world, issued, client):
    client.force_login(world.learner)
    note = re.search(r"<p[^>]*data-share-note>(.*?)</p>", holder_page(client, issued), flags=re.S).group(1)
    assert "People you share this page with see your name, Ada Lovelace." in note
    choose(client, issued, holder_name="hidden")
    note = re.search(r"<p[^>]*data-share-note>(.*?)</p>", holder_page(client, issued), flags=re.S).group(1)
    assert "do not see your name" in note
