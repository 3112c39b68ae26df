"""A credential's public page shows the skills and accreditation signed into it, and runs the
verification checklist live as it opens (htmx), as any verifier would, without counting that as
a verification."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client

from microcred.credentials.models import Credential, CredentialEngagement
from microcred.credentials.services import credential_revoke

from .conftest import SITE, complete
from .test_hosting import BROWSER

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def live_url(html: str) -> str:
    (url,) = re.findall(r'hx-get="([^"]+)" hx-trigger="load"', html)
    return url.replace("&amp;", "&")


def test_the_page_loads_a_live_checklist_of_the_credential_at_its_address(world, issued):
    html = Client().get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()
    url = live_url(html)
    assert url == f"/verify/live/?url={quote(f'{SITE}/credentials/{issued.uuid}', safe='')}"

    live = Client().get(url)
    assert live.status_code == 200 and live["Cache-Control"] == "no-store"
    body = live.content.decode()
    assert 'data-verdict="valid"' in body and 'data-step="proof" data-status="passed"' in body
    assert 'data-step="status" data-status="passed"' in body
    assert not CredentialEngagement.objects.filter(credential=issued, kind="verification").exists()

    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")
    body = Client().get(url).content.decode()
    assert 'data-verdict="invalid"' in body and 'data-outcome="revoked"' in body


@pytest.mark.parametrize(
    "url",
    ["https://elsewhere.example/credentials/x", "http://127.0.0.1:8000/credentials/x", "", "javascript:alert(1)"],
)
def test_the_live_check_fetches_nothing_but_this_sites_addresses(url):
    response = Client().get("/verify/live/", {"url": url})
    assert response.status_code == 400
    assert "Only this site&#x27;s credentials are checked here." in response.content.decode()


def test_the_page_shows_the_signed_skills_without_the_eqf_alignment(world, issued):
    alignments = issued.document["credentialSubject"]["achievement"]["alignment"]
    html = Client().get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()
    skills = re.search(r"<ul[^>]*data-skills>(.*?)</ul>", html, flags=re.S)
    named = [a["targetName"] for a in alignments if a.get("targetType") != "ext:EQFLevel"]
    if named:
        assert skills is not None and all(name in skills.group(1) for name in named)
    else:
        assert skills is None
    assert "EQF level" not in (skills.group(1) if skills else "")
